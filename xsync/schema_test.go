package xsync

import (
	"encoding/hex"
	"os"
	"reflect"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests hold the hand-written codec against the schema itself: the
// field numbers and types come from parsing xsync.proto, a verbatim copy of
// the spec, not from the codec.

// TestSchemaCopyIsCurrent guards against the copy drifting from the spec,
// when the spec's location is given.
func TestSchemaCopyIsCurrent(t *testing.T) {
	path := os.Getenv("XSYNC_PROTO")
	if path == "" {
		t.Skip("set XSYNC_PROTO to the spec's xsync.proto to compare it with " + protoPath)
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	got, err := os.ReadFile(protoPath)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "%s differs from %s", protoPath, path)
}

// goEnumNames maps each proto enum to its Go type name.
var goEnumNames = map[string]string{
	"Frame.VSN":                    "Vsn",
	"Frame.Command":                "Command",
	"Frame.CompressMethod":         "CompressMethod",
	"Frame.EncryptMethod":          "EncryptMethod",
	"Status.ErrorCode":             "StatusCode",
	"ConversationUnread.ConvType":  "ConvType",
	"Provision.OsType":             "OsType",
	"Meta.NameSpace":               "NameSpace",
	"MessageOperation.OpType":      "OpType",
	"MessageBody.Type":             "MessageType",
	"MessageBody.ContentType":      "ContentType",
	"MessageBody.QoS":              "QoS",
	"MessageBody.Status":           "MessageStatus",
	"GroupNotice.Type":             "GroupNoticeType",
	"RosterNotice.Type":            "RosterNoticeType",
	"UserNotice.Type":              "UserNoticeType",
	"Info.Network":                 "Network",
	"ConversationOperation.OpType": "ConversationOpType",
	"Conversation.Type":            "ConversationType",
	"RtcSignal.Type":               "RtcSignalType",
}

func TestSchemaStructsMatchProto(t *testing.T) {
	s := schema(t)
	require.Len(t, s.Messages, len(registry), "one registered type per proto message")
	for i, pm := range s.Messages {
		require.Equal(t, pm.Name, registry[i].name, "registry order follows the schema")
		rt := reflect.TypeOf(registry[i].new()).Elem()
		require.Equal(t, pm.Name, rt.Name())
		require.Equal(t, len(pm.Fields), rt.NumField()-markerFields(rt), "%s: field count", pm.Name)
		for j, pf := range pm.Fields {
			sf := protoStructField(rt, j)
			assert.Equal(t, goFieldName(pf.Name), sf.Name, "%s field %d (proto order)", pm.Name, pf.Num)
			ft := sf.Type
			switch k := s.kind(pm, pf); {
			case k == "message" && pf.Repeated:
				assert.Equal(t, reflect.Slice, ft.Kind(), "%s.%s", pm.Name, pf.Name)
				assert.Equal(t, reflect.Pointer, ft.Elem().Kind(), "%s.%s", pm.Name, pf.Name)
				assert.Equal(t, pf.Type, ft.Elem().Elem().Name(), "%s.%s", pm.Name, pf.Name)
			case pf.Repeated:
				t.Errorf("%s.%s: repeated scalars are not expected in this schema", pm.Name, pf.Name)
			case k == "message":
				assert.Equal(t, reflect.Pointer, ft.Kind(), "%s.%s", pm.Name, pf.Name)
				assert.Equal(t, pf.Type, ft.Elem().Name(), "%s.%s", pm.Name, pf.Name)
			case k == "enum":
				assert.Equal(t, reflect.Int32, ft.Kind(), "%s.%s", pm.Name, pf.Name)
				assert.Equal(t, goEnumNames[pm.Name+"."+pf.Type], ft.Name(), "%s.%s", pm.Name, pf.Name)
			default:
				want := map[string]reflect.Type{
					"uint64": reflect.TypeOf(uint64(0)), "uint32": reflect.TypeOf(uint32(0)),
					"sint32": reflect.TypeOf(int32(0)), "bool": reflect.TypeOf(false),
					"string": reflect.TypeOf(""), "bytes": reflect.TypeOf([]byte(nil)),
				}[k]
				require.NotNil(t, want, "%s.%s: scalar type %s not handled by this test", pm.Name, pf.Name, k)
				assert.Equal(t, want, ft, "%s.%s", pm.Name, pf.Name)
			}
		}
	}
}

// TestSchemaEnumNames checks every String method against the proto names.
func TestSchemaEnumNames(t *testing.T) {
	s := schema(t)
	seen := map[string]bool{}
	for i, pm := range s.Messages {
		rt := reflect.TypeOf(registry[i].new()).Elem()
		for j, pf := range pm.Fields {
			vals, ok := pm.Enums[pf.Type]
			if !ok {
				continue
			}
			seen[pm.Name+"."+pf.Type] = true
			et := protoStructField(rt, j).Type
			str := func(n int64) string {
				v := reflect.New(et).Elem()
				v.SetInt(n)
				return v.Interface().(interface{ String() string }).String()
			}
			for k, ev := range vals {
				assert.Equal(t, k, ev.Num, "%s: enum values are dense from 0", pf.Type)
				assert.Equal(t, ev.Name, str(int64(ev.Num)), "%s.%s = %d", pm.Name, pf.Type, ev.Num)
			}
			assert.Equal(t, strconv.Itoa(len(vals)), str(int64(len(vals))), "unknown value is decimal")
			assert.Equal(t, "-3", str(-3))
		}
	}
	for name := range goEnumNames {
		assert.True(t, seen[name], "enum %s is used by a field", name)
	}
	assert.Len(t, seen, len(goEnumNames))
}

// setNonZero gives field f a small non-zero value; messages get an empty
// (but present) value.
func setNonZero(f reflect.Value) {
	switch f.Kind() {
	case reflect.Uint64, reflect.Uint32:
		f.SetUint(300) // two-byte varint
	case reflect.Int32:
		f.SetInt(5)
	case reflect.Bool:
		f.SetBool(true)
	case reflect.String:
		f.SetString("xyz")
	case reflect.Pointer:
		f.Set(reflect.New(f.Type().Elem()))
	case reflect.Slice:
		if f.Type().Elem().Kind() == reflect.Uint8 {
			f.SetBytes([]byte{1, 2, 3})
			return
		}
		s := reflect.MakeSlice(f.Type(), 2, 2)
		s.Index(0).Set(reflect.New(f.Type().Elem().Elem()))
		s.Index(1).Set(reflect.New(f.Type().Elem().Elem()))
		f.Set(s)
	}
}

// TestSchemaFieldNumbers sets one field at a time and checks the tag, wire
// type and value the codec writes for it, then reads it back.
func TestSchemaFieldNumbers(t *testing.T) {
	s := schema(t)
	for i, pm := range s.Messages {
		for j, pf := range pm.Fields {
			m := registry[i].new()
			setNonZero(goField(reflect.ValueOf(m).Elem(), j))
			enc := m.Marshal()
			require.Equal(t, m.Size(), len(enc))
			var got []wireField
			for _, f := range scanFields(t, enc) {
				if pm.Name == "Frame" && f.Num == 3 && pf.Num != 3 {
					assert.Equal(t, uint64(0), f.Val, "Frame.command written as 0")
					continue
				}
				got = append(got, f)
			}
			kind := s.kind(pm, pf)
			name := pm.Name + "." + pf.Name
			wantN := 1
			if pf.Repeated {
				wantN = 2
			}
			require.Len(t, got, wantN, name)
			for _, f := range got {
				assert.Equal(t, pf.Num, f.Num, name)
				switch kind {
				case "message", "string", "bytes":
					assert.Equal(t, wtBytes, f.Wt, name)
				default:
					assert.Equal(t, wtVarint, f.Wt, name)
				}
				switch kind {
				case "uint64", "uint32":
					assert.Equal(t, uint64(300), f.Val, name)
				case "sint32":
					assert.Equal(t, uint64(10), f.Val, name+": zig-zag")
				case "enum":
					assert.Equal(t, uint64(5), f.Val, name)
				case "bool":
					assert.Equal(t, uint64(1), f.Val, name)
				case "string":
					assert.Equal(t, "xyz", string(f.Data), name)
				case "bytes":
					assert.Equal(t, []byte{1, 2, 3}, f.Data, name)
				case "message":
					assert.Empty(t, f.Data, name+": empty message written with length 0")
				}
			}
			back := registry[i].new()
			require.NoError(t, back.Unmarshal(enc), name)
			assert.Equal(t, m, back, name)
		}
	}
}

// explicitZeros writes every field of pm proto2 style with its zero value
// (a present, empty message for message fields), as the official clients
// do, and returns the Go value that must come out of it.
func explicitZeros(t *testing.T, s *protoSchema, idx int) ([]byte, message) {
	pm := s.Messages[idx]
	want := registry[idx].new()
	wv := reflect.ValueOf(want).Elem()
	var b []byte
	for j, pf := range pm.Fields {
		switch s.kind(pm, pf) {
		case "message", "string", "bytes":
			b = append(b, byte(pf.Num<<3|wtBytes), 0)
		default:
			b = append(b, byte(pf.Num<<3|wtVarint), 0)
		}
		if s.kind(pm, pf) == "message" {
			f := goField(wv, j)
			if pf.Repeated {
				s := reflect.MakeSlice(f.Type(), 1, 1)
				s.Index(0).Set(reflect.New(f.Type().Elem().Elem()))
				f.Set(s)
			} else {
				f.Set(reflect.New(f.Type().Elem()))
			}
		}
	}
	return b, want
}

// TestDecodeExplicitZeros: absence and explicit zeros decode the same.
func TestDecodeExplicitZeros(t *testing.T) {
	s := schema(t)
	for i, pm := range s.Messages {
		enc, want := explicitZeros(t, s, i)
		got := registry[i].new()
		require.NoError(t, got.Unmarshal(enc), pm.Name)
		assert.Equal(t, want, got, pm.Name)
		// Re-encoding drops the zero scalars and keeps the present messages.
		var msgs []byte
		for _, f := range scanFields(t, enc) {
			if f.Wt == wtBytes {
				if pf, _ := pm.field(f.Num); s.kind(pm, pf) == "message" {
					msgs = append(msgs, f.Raw...)
				}
			}
		}
		if pm.Name == "Frame" {
			msgs = append(msgs, 0x18, 0)
		}
		assert.Equal(t, hex.EncodeToString(msgs), hex.EncodeToString(got.Marshal()), pm.Name)
	}
}
