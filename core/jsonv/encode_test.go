package jsonv

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", `""`},
		{"plain", "hello", `"hello"`},
		{"quote and backslash", `a"b\c`, `"a\"b\\c"`},
		{"slash not escaped", "a/b", `"a/b"`},
		{"short escapes", "\n\r\t\b\f", `"\n\r\t\b\f"`},
		{"other controls", "\x00\x01\x1f", `"\u0000\u0001\u001f"`},
		{"DEL kept", "\x7f", "\"\x7f\""},
		{"html kept", "<a&b>", `"<a&b>"`},
		{"multibyte kept", "é中😀", `"é中😀"`},
		{"line and paragraph separators", "a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"other U+20xx kept", "\u2027\u202a", "\"\u2027\u202a\""},
		{"invalid byte", "a\xffb", "\"a\uFFFDb\""},
		{"truncated sequence", "\xe4\xb8", "\"\uFFFD\uFFFD\""},
		{"encoded surrogate", "\xed\xa0\x80", "\"\uFFFD\uFFFD\uFFFD\""},
		{"overlong", "\xc0\xaf", "\"\uFFFD\uFFFD\""},
		{"mixed", "x\x00\"é\xff\u2028", "\"x\\u0000\\\"é\uFFFD\\u2028\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendString([]byte("pre"), tt.in)
			assert.Equal(t, "pre"+tt.want, string(got))
			assert.True(t, utf8.Valid(got), "output is valid UTF-8")

			// encoding/json reads back what we wrote, and agrees on the
			// text for valid UTF-8 input.
			var back string
			require.NoError(t, json.Unmarshal(got[3:], &back))
			assert.Equal(t, replaceInvalid(tt.in), back)
			// And so do we.
			v := mustParse(t, tt.want)
			s, _ := v.Str()
			assert.Equal(t, back, s)
		})
	}
}

// replaceInvalid replaces each byte of s that is not part of valid UTF-8
// with U+FFFD, as the encoder does.
func replaceInvalid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func TestAppendStringAllBytes(t *testing.T) {
	// Every single byte encodes to valid JSON that decodes to itself, or to
	// U+FFFD when the byte alone is not UTF-8.
	for c := 0; c < 256; c++ {
		in := string([]byte{byte(c)})
		enc := AppendString(nil, in)
		require.True(t, json.Valid(enc), "byte %#x -> %s", c, enc)
		s, ok := mustParse(t, string(enc)).Str()
		require.True(t, ok)
		if c < utf8.RuneSelf {
			assert.Equal(t, in, s)
		} else {
			assert.Equal(t, "\uFFFD", s)
		}
	}
}

func TestAppendJSON(t *testing.T) {
	v := mustParse(t, `{"a":[1,{"b":null}]}`)
	assert.Equal(t, `xx{"a":[1,{"b":null}]}`, string(v.AppendJSON([]byte("xx"))))
	assert.Equal(t, "null", string(Value{}.AppendJSON(nil)))
}

func TestWriter(t *testing.T) {
	var w Writer
	w.BeginObject()
	w.Key("s")
	w.String("q\"\u2028")
	w.Key("n")
	w.Int(-1)
	w.Key("u")
	w.Uint(18446744073709551615)
	w.Key("b")
	w.Bool(false)
	w.Key("t")
	w.Bool(true)
	w.Key("z")
	w.Null()
	w.Key("f")
	w.Float(2.5)
	w.Key("arr")
	w.BeginArray()
	w.BeginArray()
	w.EndArray()
	w.BeginObject()
	w.EndObject()
	w.Raw(`{"r":1}`)
	w.Raw("")
	w.Value(mustParse(t, `[1, 2]`))
	w.Value(Value{})
	w.EndArray()
	w.Key("obj")
	w.BeginObject()
	w.Key("k\n")
	w.Value(Object(Field("x", Int(1))))
	w.EndObject()
	w.EndObject()
	want := `{"s":"q\"\u2028","n":-1,"u":18446744073709551615,"b":false,"t":true,"z":null,"f":2.5,` +
		`"arr":[[],{},{"r":1},null,[1,2],null],"obj":{"k\n":{"x":1}}}`
	assert.Equal(t, want, string(w.Bytes()))
	assert.True(t, json.Valid(w.Bytes()))

	w.Reset()
	assert.Empty(t, w.Bytes())
	w.Int(5)
	assert.Equal(t, "5", string(w.Bytes()), "Reset also forgets the pending comma")

	w.Reset()
	w.BeginArray()
	w.EndArray()
	w.Reset()
	w.String("x")
	assert.Equal(t, `"x"`, string(w.Bytes()))
}

func TestWriterMatchesAppendJSON(t *testing.T) {
	// Writing a parsed value piece by piece gives the same bytes as AppendJSON.
	v := mustParse(t, `{"a":[1,"x",{"b":[]},true,null,{}],"c":{"d":{"e":-1.5e3}}}`)
	var w Writer
	var walk func(Value)
	walk = func(v Value) {
		switch v.Kind() {
		case KindObject:
			w.BeginObject()
			for k, x := range v.Members() {
				w.Key(k)
				walk(x)
			}
			w.EndObject()
		case KindArray:
			w.BeginArray()
			for _, x := range v.Elements() {
				walk(x)
			}
			w.EndArray()
		case KindString:
			s, _ := v.Str()
			w.String(s)
		case KindNumber:
			s, _ := v.AsString()
			w.Raw(s)
		case KindBool:
			b, _ := v.Bool()
			w.Bool(b)
		default:
			w.Null()
		}
	}
	walk(v)
	assert.Equal(t, v.String(), string(w.Bytes()))
}
