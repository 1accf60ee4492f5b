package xsync

import (
	"encoding/hex"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"
)

// message is what every message type of the package implements.
type message interface {
	Marshaler
	Unmarshal(b []byte) error
}

// registry lists every message type, in schema order, by its proto name.
var registry = []struct {
	name string
	new  func() message
}{
	{"Frame", func() message { return new(Frame) }},
	{"Status", func() message { return new(Status) }},
	{"XID", func() message { return new(XID) }},
	{"ConversationUnread", func() message { return new(ConversationUnread) }},
	{"UnreadUL", func() message { return new(UnreadUL) }},
	{"UnreadDL", func() message { return new(UnreadDL) }},
	{"SyncUL", func() message { return new(SyncUL) }},
	{"SyncDL", func() message { return new(SyncDL) }},
	{"Notice", func() message { return new(Notice) }},
	{"Provision", func() message { return new(Provision) }},
	{"Meta", func() message { return new(Meta) }},
	{"MessageOperation", func() message { return new(MessageOperation) }},
	{"MessageBody", func() message { return new(MessageBody) }},
	{"GroupNotice", func() message { return new(GroupNotice) }},
	{"RosterNotice", func() message { return new(RosterNotice) }},
	{"UserNotice", func() message { return new(UserNotice) }},
	{"Info", func() message { return new(Info) }},
	{"ConversationOperation", func() message { return new(ConversationOperation) }},
	{"Conversation", func() message { return new(Conversation) }},
	{"RtcSignal", func() message { return new(RtcSignal) }},
}

// newMessage returns a new value of the named message type.
func newMessage(t testing.TB, name string) message {
	t.Helper()
	for _, r := range registry {
		if r.name == name {
			return r.new()
		}
	}
	t.Fatalf("unknown message type %q", name)
	return nil
}

// h decodes hex written with or without spaces.
func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// --- schema, parsed from xsync.proto, the verbatim copy of the spec ---

type protoField struct {
	Name     string
	Num      int
	Type     string
	Repeated bool
}

type protoEnumValue struct {
	Name string
	Num  int
}

type protoMessage struct {
	Name     string
	Fields   []protoField
	Enums    map[string][]protoEnumValue
	Reserved []int
}

// kind classifies a field type: "message", "enum" or the scalar type name.
func (s *protoSchema) kind(m *protoMessage, f protoField) string {
	if _, ok := m.Enums[f.Type]; ok {
		return "enum"
	}
	if _, ok := s.byName[f.Type]; ok {
		return "message"
	}
	return f.Type
}

func (m *protoMessage) field(num int) (protoField, bool) {
	for _, f := range m.Fields {
		if f.Num == num {
			return f, true
		}
	}
	return protoField{}, false
}

type protoSchema struct {
	Messages []*protoMessage
	byName   map[string]*protoMessage
}

var (
	schemaOnce sync.Once
	schemaVal  *protoSchema
	schemaErr  error
)

// protoPath is the copy of the spec's xsync.proto kept beside the package
// (xsync/internal/crosscheck checks that it is byte-identical to the spec).
const protoPath = "xsync.proto"

// schema returns the parsed xsync.proto.
func schema(t testing.TB) *protoSchema {
	t.Helper()
	schemaOnce.Do(func() {
		var b []byte
		b, schemaErr = os.ReadFile(protoPath)
		if schemaErr == nil {
			schemaVal, schemaErr = parseProto(string(b))
		}
	})
	require.NoError(t, schemaErr)
	return schemaVal
}

// parseProto parses the subset of the proto language xsync.proto uses:
// top-level messages holding fields, enums and reserved ranges.
func parseProto(src string) (*protoSchema, error) {
	var sb strings.Builder
	for _, line := range strings.Split(src, "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		sb.WriteString(line)
		sb.WriteByte('\n')
	}
	var toks []string
	text := sb.String()
	for i := 0; i < len(text); {
		c := rune(text[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case strings.ContainsRune("{}=;,", c):
			toks = append(toks, string(c))
			i++
		default:
			j := i
			for j < len(text) && !unicode.IsSpace(rune(text[j])) && !strings.ContainsRune("{}=;,", rune(text[j])) {
				j++
			}
			toks = append(toks, text[i:j])
			i = j
		}
	}
	s := &protoSchema{byName: map[string]*protoMessage{}}
	p := 0
	next := func() string {
		if p >= len(toks) {
			return ""
		}
		p++
		return toks[p-1]
	}
	expect := func(want string) {
		if got := next(); got != want {
			panic("proto parse: want " + want + ", got " + got + " at token " + strconv.Itoa(p))
		}
	}
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = &wrapError{msg: r.(string)}
			}
		}()
		for p < len(toks) {
			switch tok := next(); tok {
			case "syntax", "package":
				for next() != ";" {
				}
			case "message":
				m := &protoMessage{Name: next(), Enums: map[string][]protoEnumValue{}}
				expect("{")
				for {
					tok := next()
					if tok == "}" {
						break
					}
					switch tok {
					case "enum":
						name := next()
						expect("{")
						var vals []protoEnumValue
						for {
							vn := next()
							if vn == "}" {
								break
							}
							expect("=")
							n, _ := strconv.Atoi(next())
							expect(";")
							vals = append(vals, protoEnumValue{vn, n})
						}
						m.Enums[name] = vals
					case "reserved":
						for {
							v := next()
							if v == ";" {
								break
							}
							if v != "," {
								n, _ := strconv.Atoi(v)
								m.Reserved = append(m.Reserved, n)
							}
						}
					default:
						f := protoField{Type: tok}
						if tok == "repeated" {
							f.Repeated = true
							f.Type = next()
						}
						f.Name = next()
						expect("=")
						f.Num, _ = strconv.Atoi(next())
						expect(";")
						m.Fields = append(m.Fields, f)
					}
				}
				s.Messages = append(s.Messages, m)
				s.byName[m.Name] = m
			default:
				panic("proto parse: unexpected " + tok)
			}
		}
	}()
	return s, err
}

// goFieldName is the name protoc-gen-go gives a proto field.
func goFieldName(proto string) string {
	var sb strings.Builder
	up := true
	for _, c := range proto {
		if c == '_' {
			up = true
			continue
		}
		if up {
			c = unicode.ToUpper(c)
			up = false
		}
		sb.WriteRune(c)
	}
	return sb.String()
}

// --- random values ---

// randUint64 spreads values over every varint length, with the extremes
// drawn often.
func randUint64(r *rand.Rand) uint64 {
	switch r.IntN(8) {
	case 0:
		return 1<<64 - 1
	case 1:
		return uint64(r.IntN(128))
	}
	bitsN := r.IntN(65)
	if bitsN == 0 {
		return 1
	}
	return r.Uint64()>>(64-bitsN) | 1<<(bitsN-1)
}

func randString(r *rand.Rand) string {
	n := 1 + r.IntN(40)
	if r.IntN(10) == 0 {
		n = 100 + r.IntN(300)
	}
	b := make([]byte, n)
	switch r.IntN(3) {
	case 0: // arbitrary bytes, usually invalid UTF-8
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		return string(b)
	case 1: // mixed scripts
		alphabet := []rune("aZ0 {}\"\\é中文😀\x00")
		var sb strings.Builder
		for sb.Len() < n {
			sb.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		return sb.String()
	default:
		for i := range b {
			b[i] = byte('a' + r.IntN(26))
		}
		return string(b)
	}
}

// randomize fills the fields of the struct v at random, leaving about a
// third of them zero. Empty bytes and repeated fields are left nil, which is
// what decoding produces for them.
func randomize(r *rand.Rand, v reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := v.Field(i)
		if r.IntN(3) == 0 || t.Field(i).Name == "_" { // noCompare
			continue
		}
		switch f.Kind() {
		case reflect.Uint64:
			f.SetUint(randUint64(r))
		case reflect.Uint32:
			f.SetUint(uint64(uint32(randUint64(r))))
		case reflect.Int32:
			if f.Type().Name() != "int32" && r.IntN(4) != 0 {
				f.SetInt(int64(r.IntN(30))) // mostly known enum values
			} else {
				f.SetInt(int64(int32(randUint64(r))))
			}
		case reflect.Bool:
			f.SetBool(true)
		case reflect.String:
			f.SetString(randString(r))
		case reflect.Pointer:
			p := reflect.New(f.Type().Elem())
			randomize(r, p.Elem())
			f.Set(p)
		case reflect.Slice:
			if f.Type().Elem().Kind() == reflect.Uint8 {
				f.SetBytes([]byte(randString(r)))
				continue
			}
			n := 1 + r.IntN(5)
			s := reflect.MakeSlice(f.Type(), n, n)
			for j := 0; j < n; j++ {
				p := reflect.New(f.Type().Elem().Elem())
				randomize(r, p.Elem())
				s.Index(j).Set(p)
			}
			f.Set(s)
		default:
			panic("randomize: unexpected kind " + f.Kind().String())
		}
	}
}

// newRand returns a generator with a seed taken from the clock, logged so a
// failure can be replayed with XSYNC_SEED.
func newRand(t testing.TB) *rand.Rand {
	t.Helper()
	seed := rand.Uint64()
	if s := os.Getenv("XSYNC_SEED"); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
	}
	t.Logf("random seed %d (replay with XSYNC_SEED=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// --- a small reference wire scanner, independent of decode.go ---

type wireField struct {
	Num  int
	Wt   int
	Raw  []byte // the whole field, tag included
	Val  uint64 // varint value
	Data []byte // length-delimited contents
}

func readUvarint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// scanFields splits well-formed encoded b into its top-level fields. It
// knows no groups: encodings under test never contain them.
func scanFields(t testing.TB, b []byte) []wireField {
	t.Helper()
	var out []wireField
	for i := 0; i < len(b); {
		tag, n := readUvarint(b[i:])
		require.NotZero(t, n, "bad tag at %d", i)
		f := wireField{Num: int(tag >> 3), Wt: int(tag & 7)}
		j := i + n
		switch f.Wt {
		case wtVarint:
			v, n := readUvarint(b[j:])
			require.NotZero(t, n)
			f.Val, j = v, j+n
		case wtBytes:
			l, n := readUvarint(b[j:])
			require.NotZero(t, n)
			j += n
			require.LessOrEqual(t, j+int(l), len(b))
			f.Data, j = b[j:j+int(l)], j+int(l)
		case wtFixed32:
			j += 4
		case wtFixed64:
			j += 8
		default:
			t.Fatalf("scanFields: wire type %d", f.Wt)
		}
		f.Raw = b[i:j]
		out = append(out, f)
		i = j
	}
	return out
}

// protoStructField and goField return the Go field holding the i-th field
// of a message's proto declaration: the struct lists them in proto order,
// after the noCompare marker some messages start with.
func protoStructField(t reflect.Type, i int) reflect.StructField { return t.Field(i + markerFields(t)) }

func goField(v reflect.Value, i int) reflect.Value { return v.Field(i + markerFields(v.Type())) }

func markerFields(t reflect.Type) int {
	if t.NumField() > 0 && t.Field(0).Name == "_" {
		return 1
	}
	return 0
}
