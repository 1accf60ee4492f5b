//go:build crosscheck

package crosscheck

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// maxDepth bounds message nesting in generated values: the top-level message is
// depth 1. The schema's deepest chain (SyncUL.meta.from) has depth 3.
const maxDepth = 3

// gen draws field values that favour the edges of every encoding: zero, one,
// varint length boundaries, type limits, negative int32 (10-byte varints),
// unknown enum numbers, empty and multi-byte UTF-8 strings, and byte strings
// whose length crosses the one- and two-byte length-prefix boundaries.
type gen struct {
	r *rand.Rand
}

// newGen derives an independent stream per message type from the run seed, so
// one type's failure replays without running the others first.
func newGen(seed uint64, name string) *gen {
	h := fnv.New64a()
	h.Write([]byte(name))
	return &gen{r: rand.New(rand.NewPCG(seed, h.Sum64()))}
}

func (g *gen) oneIn(n int) bool { return g.r.IntN(n) == 0 }

// pick returns a random element of vs.
func pick[T any](g *gen, vs []T) T { return vs[g.r.IntN(len(vs))] }

var (
	edgeUint64 = []uint64{0, 1, 127, 128, 16383, 16384, 1<<32 - 1, 1 << 32, math.MaxInt64, 1 << 63, math.MaxUint64}
	edgeUint32 = []uint32{0, 1, 127, 128, 16383, 16384, 1<<28 - 1, 1 << 28, math.MaxInt32, 1 << 31, math.MaxUint32}
	// Zig-zag boundaries (63/64, -64/-65) matter for sint32; negatives make
	// 10-byte varints for int32 and enums.
	edgeInt32  = []int32{0, 1, -1, 63, 64, -64, -65, 127, 128, math.MaxInt32, math.MinInt32, math.MinInt32 + 1}
	edgeInt64  = []int64{0, 1, -1, 63, 64, -64, -65, math.MaxInt64, math.MinInt64}
	edgeString = []string{
		"", "a", "héllo", "世界", "😀 emoji", "nul\x00inside", "\u007f", "\u0080", "\u07ff", "\u0800",
		"\uffff", "\U00010000", "\U0010ffff", "\ufffd", `{"k":"v","n":1}`,
		strings.Repeat("x", 127), strings.Repeat("y", 128), strings.Repeat("é", 100),
	}
	// unknownEnum are numbers no enum of the schema declares; open (proto3)
	// enums must carry them through unchanged.
	unknownEnum = []int32{-1, 99, 127, 128, 1000, math.MaxInt32, math.MinInt32}
	// runeRanges spans 1- to 4-byte UTF-8 encodings.
	runeRanges = [][2]rune{{0x20, 0x7e}, {0x00, 0x7f}, {0x80, 0x7ff}, {0x800, 0xffff}, {0x4e00, 0x9fff}, {0x10000, 0x10ffff}}
)

func (g *gen) uint64() uint64 {
	if g.oneIn(3) {
		return pick(g, edgeUint64)
	}
	return g.r.Uint64() >> g.r.IntN(64) // spread over every varint length
}

func (g *gen) uint32() uint32 {
	if g.oneIn(3) {
		return pick(g, edgeUint32)
	}
	return g.r.Uint32() >> g.r.IntN(32)
}

func (g *gen) int32() int32 {
	if g.oneIn(3) {
		return pick(g, edgeInt32)
	}
	v := int32(g.r.Uint32() >> g.r.IntN(32))
	if g.oneIn(2) {
		v = -v
	}
	return v
}

func (g *gen) int64() int64 {
	if g.oneIn(3) {
		return pick(g, edgeInt64)
	}
	v := int64(g.r.Uint64() >> g.r.IntN(64))
	if g.oneIn(2) {
		v = -v
	}
	return v
}

// string returns valid UTF-8 only: protoc-gen-go rejects invalid UTF-8 in
// proto3 string fields, so such input is no common ground to compare on.
func (g *gen) string() string {
	if g.oneIn(3) {
		return pick(g, edgeString)
	}
	n := g.r.IntN(40)
	if g.oneIn(20) {
		n = 100 + g.r.IntN(200)
	}
	rg := pick(g, runeRanges)
	var b strings.Builder
	for b.Len() < n {
		c := rg[0] + rune(g.r.Int32N(rg[1]-rg[0]+1))
		if !utf8.ValidRune(c) { // surrogate halves
			c = utf8.RuneError
		}
		b.WriteRune(c)
		if g.oneIn(8) {
			rg = pick(g, runeRanges)
		}
	}
	return b.String()
}

func (g *gen) bytes() []byte {
	var n int
	switch g.r.IntN(10) {
	case 0:
		return nil
	case 1:
		return []byte{}
	case 2:
		n = pick(g, []int{1, 127, 128, 129, 300})
	case 3:
		if g.oneIn(10) {
			n = 16384 // three-byte length prefix
		} else {
			n = 255 + g.r.IntN(300)
		}
	default:
		n = 1 + g.r.IntN(40)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return b
}

// enum returns a declared number most of the time, an undeclared one otherwise.
func (g *gen) enum(ed protoreflect.EnumDescriptor) protoreflect.EnumNumber {
	if g.oneIn(4) {
		return protoreflect.EnumNumber(pick(g, unknownEnum))
	}
	vs := ed.Values()
	return vs.Get(g.r.IntN(vs.Len())).Number()
}

// scalar returns a random value for a non-message field.
func (g *gen) scalar(fd protoreflect.FieldDescriptor) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(g.oneIn(2))
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(g.enum(fd.Enum()))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(g.int32())
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(g.int64())
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(g.uint32())
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(g.uint64())
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(g.int32()) / 7)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(float64(g.int64()) / 7)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(g.string())
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes(g.bytes())
	}
	panic("crosscheck: unhandled kind " + fd.Kind().String())
}

// fillPB sets every field of m generically through protoreflect. Scalars stay
// zero one time in five, embedded messages stay absent one time in four (and
// are present but empty below maxDepth), repeated fields get 0 to 4 elements.
func (g *gen) fillPB(m protoreflect.Message, depth int) {
	fds := m.Descriptor().Fields()
	for i := range fds.Len() {
		fd := fds.Get(i)
		switch {
		case fd.IsMap():
			panic("crosscheck: map fields are not in the schema")
		case fd.IsList():
			n := g.r.IntN(5)
			if n == 0 {
				continue
			}
			l := m.Mutable(fd).List()
			for range n {
				if fd.Message() == nil {
					l.Append(g.scalar(fd))
					continue
				}
				e := l.NewElement()
				if depth < maxDepth {
					g.fillPB(e.Message(), depth+1)
				}
				l.Append(e)
			}
		case fd.Message() != nil:
			if g.oneIn(4) {
				continue
			}
			sub := m.Mutable(fd).Message()
			if depth < maxDepth {
				g.fillPB(sub, depth+1)
			}
		default:
			if g.oneIn(5) {
				continue
			}
			m.Set(fd, g.scalar(fd))
		}
	}
}

// fillOurs sets every exported field of the hand-written struct v (described by
// md) through reflect, with the same value distribution as fillPB. Zero-length
// slices are left nil or set empty at random: both must encode alike.
func (g *gen) fillOurs(v reflect.Value, md protoreflect.MessageDescriptor, depth int) {
	for _, f := range fieldsOf(md) {
		fv := v.FieldByName(f.goName)
		if !fv.IsValid() {
			panic("crosscheck: " + v.Type().String() + " has no field " + f.goName)
		}
		fd := f.fd
		switch {
		case fd.IsList():
			n := g.r.IntN(5)
			if n == 0 {
				if g.oneIn(2) {
					fv.Set(reflect.MakeSlice(fv.Type(), 0, 0))
				}
				continue
			}
			s := reflect.MakeSlice(fv.Type(), n, n)
			for i := range n {
				if fd.Message() == nil {
					setScalar(s.Index(i), fd, g.scalar(fd))
					continue
				}
				e := reflect.New(s.Type().Elem().Elem())
				if depth < maxDepth {
					g.fillOurs(e.Elem(), fd.Message(), depth+1)
				}
				s.Index(i).Set(e)
			}
			fv.Set(s)
		case fd.Message() != nil:
			if g.oneIn(4) {
				continue
			}
			e := reflect.New(fv.Type().Elem())
			if depth < maxDepth {
				g.fillOurs(e.Elem(), fd.Message(), depth+1)
			}
			fv.Set(e)
		default:
			if g.oneIn(5) {
				continue
			}
			setScalar(fv, fd, g.scalar(fd))
		}
	}
}

// setScalar stores a protoreflect scalar into the matching Go field of our
// struct. Enums are int32-based named types there, compared by number.
func setScalar(fv reflect.Value, fd protoreflect.FieldDescriptor, pv protoreflect.Value) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		fv.SetBool(pv.Bool())
	case protoreflect.EnumKind:
		fv.SetInt(int64(pv.Enum()))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		fv.SetInt(pv.Int())
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		fv.SetUint(pv.Uint())
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		fv.SetFloat(pv.Float())
	case protoreflect.StringKind:
		fv.SetString(pv.String())
	case protoreflect.BytesKind:
		fv.SetBytes(pv.Bytes())
	default:
		panic("crosscheck: unhandled kind " + fd.Kind().String())
	}
}

// unknownNumbers returns field numbers md does not declare: its reserved
// numbers, the next few after its highest field, the one- to two-byte tag
// boundary (15/16), the two- to three-byte boundary (2047/2048), a large one
// and the largest valid number.
func unknownNumbers(md protoreflect.MessageDescriptor) []protowire.Number {
	fds := md.Fields()
	highest := protowire.Number(0)
	for i := range fds.Len() {
		highest = max(highest, fds.Get(i).Number())
	}
	var cand []protowire.Number
	rr := md.ReservedRanges()
	for i := range rr.Len() {
		for n := rr.Get(i)[0]; n < rr.Get(i)[1]; n++ {
			cand = append(cand, n)
		}
	}
	cand = append(cand, highest+1, highest+2, highest+7, 15, 16, 2047, 2048, 100000, protowire.MaxValidNumber)
	out := cand[:0]
	for _, n := range cand {
		if fds.ByNumber(n) == nil {
			out = append(out, n)
		}
	}
	return out
}

// appendUnknown appends one field numbered num with wire type typ and random
// content. Groups nest further unknown fields (a group inside a group at most).
func (g *gen) appendUnknown(b []byte, num protowire.Number, typ protowire.Type, nested int) []byte {
	b = protowire.AppendTag(b, num, typ)
	switch typ {
	case protowire.VarintType:
		return protowire.AppendVarint(b, g.uint64())
	case protowire.Fixed32Type:
		return protowire.AppendFixed32(b, g.r.Uint32())
	case protowire.Fixed64Type:
		return protowire.AppendFixed64(b, g.r.Uint64())
	case protowire.BytesType:
		return protowire.AppendBytes(b, g.bytes())
	case protowire.StartGroupType:
		for range g.r.IntN(3) {
			t := pick(g, wireTypes[:4])
			if nested == 0 && g.oneIn(3) {
				t = protowire.StartGroupType
			}
			b = g.appendUnknown(b, protowire.Number(1+g.r.IntN(20)), t, nested+1)
		}
		return protowire.AppendTag(b, num, protowire.EndGroupType)
	}
	panic("crosscheck: bad wire type")
}

// wireTypes are the five wire types an unknown field can arrive with (end
// group only closes a start group).
var wireTypes = []protowire.Type{
	protowire.VarintType, protowire.Fixed32Type, protowire.Fixed64Type, protowire.BytesType, protowire.StartGroupType,
}

// unknownFields returns 1 to 3 unknown fields for md; the first uses wire type
// wireTypes[first%5] so that a loop over iterations covers every wire type.
func (g *gen) unknownFields(md protoreflect.MessageDescriptor, first int) []byte {
	nums := unknownNumbers(md)
	var b []byte
	for i := range 1 + g.r.IntN(3) {
		typ := pick(g, wireTypes)
		if i == 0 {
			typ = wireTypes[first%len(wireTypes)]
		}
		b = g.appendUnknown(b, pick(g, nums), typ, 0)
	}
	return b
}

// addUnknown attaches random unknown fields to m and to every message nested in
// it, so protoc-gen-go writes them after the known fields at every level.
func (g *gen) addUnknown(m protoreflect.Message, iter int) {
	m.SetUnknown(g.unknownFields(m.Descriptor(), iter))
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := range l.Len() {
				g.addUnknown(l.Get(i).Message(), iter+i+1)
			}
		case fd.Message() != nil:
			g.addUnknown(v.Message(), iter+1)
		}
		return true
	})
}
