//go:build crosscheck

package crosscheck

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// field pairs a proto field with the Go name protoc-gen-go gave it, which is
// also the name of the field in the hand-written struct.
type field struct {
	fd     protoreflect.FieldDescriptor
	goName string
}

var fieldCache sync.Map // protoreflect.FullName -> []field

// fieldsOf lists md's fields in declaration order with their Go names, read
// from the `protobuf:"kind,number,..."` struct tags of the generated type.
// Reading the tags rather than re-deriving protoc-gen-go's naming rules keeps
// names like deviceSN -> DeviceSN exactly as the generator spells them.
func fieldsOf(md protoreflect.MessageDescriptor) []field {
	if v, ok := fieldCache.Load(md.FullName()); ok {
		return v.([]field)
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName())
	if err != nil {
		panic("crosscheck: " + err.Error())
	}
	st := reflect.TypeOf(mt.Zero().Interface()).Elem()
	byNum := map[protoreflect.FieldNumber]string{}
	for i := range st.NumField() {
		tag, ok := st.Field(i).Tag.Lookup("protobuf")
		if !ok {
			continue
		}
		parts := strings.Split(tag, ",")
		n, err := strconv.Atoi(parts[1])
		if err != nil {
			panic("crosscheck: bad protobuf tag " + tag)
		}
		byNum[protoreflect.FieldNumber(n)] = st.Field(i).Name
	}
	fds := md.Fields()
	out := make([]field, fds.Len())
	for i := range fds.Len() {
		fd := fds.Get(i)
		name, ok := byNum[fd.Number()]
		if !ok {
			panic(fmt.Sprintf("crosscheck: no Go field for %s", fd.FullName()))
		}
		out[i] = field{fd: fd, goName: name}
	}
	fieldCache.Store(md.FullName(), out)
	return out
}

// diff compares our struct v field by field with the generated message m and
// describes the first difference, or returns "" when they hold the same values.
// Presence of embedded messages counts: a nil pointer in ours must match an
// unset field in m, and a non-nil one a set (possibly empty) field.
func diff(path string, v reflect.Value, m protoreflect.Message) string {
	for _, f := range fieldsOf(m.Descriptor()) {
		fd, p := f.fd, path+"."+f.goName
		fv := v.FieldByName(f.goName)
		if !fv.IsValid() {
			return p + ": no such field in ours"
		}
		switch {
		case fd.IsList():
			l := m.Get(fd).List()
			if fv.Len() != l.Len() {
				return fmt.Sprintf("%s: ours has %d elements, protoc-gen-go %d", p, fv.Len(), l.Len())
			}
			for i := range l.Len() {
				ep := fmt.Sprintf("%s[%d]", p, i)
				if fd.Message() == nil {
					if d := scalarDiff(fv.Index(i), fd, l.Get(i)); d != "" {
						return ep + ": " + d
					}
					continue
				}
				if fv.Index(i).IsNil() {
					return ep + ": nil element in ours"
				}
				if d := diff(ep, fv.Index(i).Elem(), l.Get(i).Message()); d != "" {
					return d
				}
			}
		case fd.Message() != nil:
			has := m.Has(fd)
			if fv.IsNil() == has {
				return fmt.Sprintf("%s: ours nil=%v, protoc-gen-go set=%v", p, fv.IsNil(), has)
			}
			if has {
				if d := diff(p, fv.Elem(), m.Get(fd).Message()); d != "" {
					return d
				}
			}
		default:
			if d := scalarDiff(fv, fd, m.Get(fd)); d != "" {
				return p + ": " + d
			}
		}
	}
	return ""
}

func scalarDiff(fv reflect.Value, fd protoreflect.FieldDescriptor, pv protoreflect.Value) string {
	var ours, theirs any
	switch fd.Kind() {
	case protoreflect.BoolKind:
		ours, theirs = fv.Bool(), pv.Bool()
	case protoreflect.EnumKind:
		ours, theirs = fv.Int(), int64(pv.Enum())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		ours, theirs = fv.Int(), pv.Int()
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		ours, theirs = fv.Uint(), pv.Uint()
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		ours, theirs = fv.Float(), pv.Float()
	case protoreflect.StringKind:
		ours, theirs = fv.String(), pv.String()
	case protoreflect.BytesKind:
		if !bytes.Equal(fv.Bytes(), pv.Bytes()) {
			return fmt.Sprintf("ours %x, protoc-gen-go %x", fv.Bytes(), pv.Bytes())
		}
		return ""
	default:
		return "unhandled kind " + fd.Kind().String()
	}
	if ours != theirs {
		return fmt.Sprintf("ours %#v, protoc-gen-go %#v", ours, theirs)
	}
	return ""
}

// normalize sets every zero-length slice reachable from v to nil, in place,
// because the wire format cannot tell nil from empty and neither codec has to.
func normalize(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			normalize(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				normalize(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.SetZero()
			return
		}
		for i := range v.Len() {
			normalize(v.Index(i))
		}
	}
}

// alwaysWritten lists fields the hand-written codec writes even when zero, in
// deviation from proto3: Frame.command, which the JS clients read without a
// default.
var alwaysWritten = map[protoreflect.FullName]protowire.Number{
	"im.floo.protobuf.Frame": 3,
}

// canonical turns protoc-gen-go's encoding pb of a message described by md into
// the bytes our codec must produce: the same bytes (both write fields in
// number order, skip proto3 zeros and always write present embedded messages),
// plus the always-written fields that protoc-gen-go left out as zero.
func canonical(md protoreflect.MessageDescriptor, pb []byte) ([]byte, error) {
	num, ok := alwaysWritten[md.FullName()]
	if !ok {
		return pb, nil
	}
	rest, at := pb, 0
	for len(rest) > 0 {
		n, _, l := protowire.ConsumeField(rest)
		if l < 0 {
			return nil, protowire.ParseError(l)
		}
		if n == num {
			return pb, nil
		}
		if n > num {
			break
		}
		rest, at = rest[l:], at+l
	}
	out := append([]byte(nil), pb[:at]...)
	out = protowire.AppendTag(out, num, protowire.VarintType)
	out = protowire.AppendVarint(out, 0)
	return append(out, pb[at:]...), nil
}

// spans splits an encoded message into its top-level fields.
func spans(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		_, _, l := protowire.ConsumeField(b)
		if l < 0 {
			return nil, protowire.ParseError(l)
		}
		out = append(out, b[:l])
		b = b[l:]
	}
	return out, nil
}
