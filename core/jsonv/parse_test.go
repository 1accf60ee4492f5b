package jsonv

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"null", "null", "null"},
		{"true", "true", "true"},
		{"false", "false", "false"},
		{"all whitespace kinds", " \t\r\n 1 \n\t", "1"},
		{"zero", "0", "0"},
		{"negative zero", "-0", "-0"},
		{"fraction", "1.5", "1.5"},
		{"negative exponent", "-1.5e-10", "-1.5e-10"},
		{"upper E plus", "1E+2", "1E+2"},
		{"zero fraction exponent", "0.0e0", "0.0e0"},
		{"long number kept", "123456789012345678901234567890.5e-300", "123456789012345678901234567890.5e-300"},
		{"2^64-1", "18446744073709551615", "18446744073709551615"},
		{"2^53+1", "9007199254740993", "9007199254740993"},
		{"empty string", `""`, `""`},
		{"plain string", `"abc"`, `"abc"`},
		{"short escapes", `"\"\\\/\b\f\n\r\t"`, `"\"\\/\b\f\n\r\t"`},
		{"unicode escape", `"\u0041\u00e9\u4E2D"`, `"Aé中"`},
		{"nul escape", `"\u0000"`, `"\u0000"`},
		{"surrogate pair", `"\ud83d\ude00"`, `"😀"`},
		{"surrogate pair upper hex", `"\uD834\uDD1E"`, `"𝄞"`},
		{"lone high surrogate", `"\ud800"`, `"` + "\uFFFD" + `"`},
		{"lone low surrogate", `"\udc00x"`, `"` + "\uFFFD" + `x"`},
		{"high then ordinary escape", `"\ud800\u0041"`, `"` + "\uFFFD" + `A"`},
		{"high then pair", `"\ud800\ud800\udc00"`, `"` + "\uFFFD\U00010000" + `"`},
		{"high then short escape", `"\ud800\n"`, `"` + "\uFFFD" + `\n"`},
		{"raw utf8", `"héllo 世界 😀"`, `"héllo 世界 😀"`},
		{"invalid utf8 byte", "\"a\xffb\"", "\"a\uFFFDb\""},
		{"utf8 encoded surrogate", "\"\xed\xa0\x80\"", "\"\uFFFD\uFFFD\uFFFD\""},
		{"truncated utf8", "\"\xe4\xb8\"", "\"\uFFFD\uFFFD\""},
		{"line separators escaped on output", "\"\u2028\u2029\"", `"\u2028\u2029"`},
		{"DEL is not a control char", "\"\x7f\"", "\"\x7f\""},
		{"empty array", "[]", "[]"},
		{"spaced empty array", "[ \n ]", "[]"},
		{"nested arrays", "[1,[2,[3,[]]]]", "[1,[2,[3,[]]]]"},
		{"spaced array", `[ 1 , "a" , null ]`, `[1,"a",null]`},
		{"empty object", "{}", "{}"},
		{"spaced empty object", "{ \t}", "{}"},
		{"object", `{ "a" : 1 , "b" : [true,false] }`, `{"a":1,"b":[true,false]}`},
		{"duplicate keys kept", `{"a":1,"a":2}`, `{"a":1,"a":2}`},
		{"escaped key", `{"\u0061\n":1}`, `{"a\n":1}`},
		{"empty key", `{"":0}`, `{"":0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ParseString(tt.in)
			require.NoError(t, err)
			assert.True(t, v.Exists())
			assert.Equal(t, tt.want, v.String())

			vb, err := Parse([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, vb.String())
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name, in string
		off      int
		msg      string
	}{
		{"empty", "", 0, "unexpected end of input"},
		{"only space", "  ", 2, "unexpected end of input"},
		{"truncated literal", "nul", 3, "unexpected end of input"},
		{"bad literal", "nulx", 3, `invalid character 'x' in literal null`},
		{"capitalised literal", "True", 0, `invalid character 'T' looking for beginning of value`},
		{"leading zero", "01", 1, "invalid character '1' after leading zero"},
		{"leading zero negative", "-012", 2, "invalid character '1' after leading zero"},
		{"lone minus", "-", 1, "unexpected end of input"},
		{"minus letter", "-a", 1, `invalid character 'a' in number`},
		{"dot at end", "1.", 2, "unexpected end of input"},
		{"dot exponent", "1.e5", 2, `invalid character 'e' after decimal point`},
		{"empty exponent", "1e", 2, "unexpected end of input"},
		{"signed empty exponent", "1e+", 3, "unexpected end of input"},
		{"exponent letter", "1ex", 2, `invalid character 'x' in exponent`},
		{"leading dot", ".5", 0, `invalid character '.' looking for beginning of value`},
		{"plus sign", "+1", 0, `invalid character '+' looking for beginning of value`},
		{"hex number", "0x10", 1, `invalid character 'x' after top-level value`},
		{"NaN", "NaN", 0, `invalid character 'N'`},
		{"Infinity", "-Infinity", 1, `invalid character 'I' in number`},
		{"two values", "1 2", 2, `invalid character '2' after top-level value`},
		{"trailing garbage", "[1]x", 3, `invalid character 'x' after top-level value`},
		{"trailing NUL", "1\x00", 1, `invalid character '\x00' after top-level value`},
		{"BOM", "\xef\xbb\xbf{}", 0, "invalid character byte 0xef looking for beginning of value"},
		{"comment", "// c\n1", 0, `invalid character '/'`},
		{"open array", "[", 1, "unexpected end of input"},
		{"open array after value", "[1", 2, "unexpected end of input"},
		{"open array after comma", "[1,", 3, "unexpected end of input"},
		{"trailing comma array", "[1,]", 3, `invalid character ']' looking for beginning of value`},
		{"leading comma array", "[,1]", 1, `invalid character ','`},
		{"missing comma array", "[1 2]", 3, `invalid character '2' after array element`},
		{"array closed by brace", "[1}", 2, `invalid character '}' after array element`},
		{"open object", "{", 1, "unexpected end of input"},
		{"open object after key", `{"a"`, 4, "unexpected end of input"},
		{"open object after value", `{"a":1`, 6, "unexpected end of input"},
		{"trailing comma object", `{"a":1,}`, 7, `invalid character '}' looking for beginning of object key`},
		{"missing colon", `{"a" 1}`, 5, `invalid character '1' after object key`},
		{"unquoted key", `{a:1}`, 1, `invalid character 'a' looking for beginning of object key`},
		{"single quoted key", `{'a':1}`, 1, `invalid character '\''`},
		{"number key", `{1:1}`, 1, `invalid character '1' looking for beginning of object key`},
		{"missing value", `{"a":}`, 5, `invalid character '}' looking for beginning of value`},
		{"missing comma object", `{"a":1 "b":2}`, 7, `invalid character '"' after object member`},
		{"object closed by bracket", `{"a":1]`, 6, `invalid character ']' after object member`},
		{"unterminated string", `"abc`, 4, "unexpected end of input"},
		{"unterminated after escape", `"a\n`, 4, "unexpected end of input"},
		{"unterminated in escape", `"a\`, 3, "unexpected end of input"},
		{"raw control char", "\"a\x01\"", 2, `invalid character '\x01' in string literal`},
		{"raw tab", "\"\t\"", 1, `invalid character '\t' in string literal`},
		{"raw newline after escape", "\"\\n\n\"", 3, `invalid character '\n' in string literal`},
		{"bad escape", `"\x"`, 2, `invalid character 'x' in string escape code`},
		{"escaped single quote", `"\'"`, 2, `invalid character '\'' in string escape code`},
		{"short unicode escape", `"\u12"`, 5, `invalid character '"' in \u hexadecimal character escape`},
		{"truncated unicode escape", `"\u12`, 5, "unexpected end of input"},
		{"bad hex", `"\u00g0"`, 5, `invalid character 'g' in \u`},
		{"bad hex in second surrogate", `"\ud800\u12"`, 11, `invalid character '"' in \u`},
		{"unquoted string", `abc`, 0, `invalid character 'a'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ParseString(tt.in)
			require.Error(t, err)
			assert.False(t, v.Exists(), "a failed parse returns the missing value")
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.off, pe.Offset, "offset; error %q", err)
			assert.Contains(t, pe.Msg, tt.msg)
			assert.ErrorIs(t, err, ErrSyntax)
			assert.NotErrorIs(t, err, ErrTooDeep)
		})
	}
}

func TestParseErrorString(t *testing.T) {
	_, err := ParseString("[1,]")
	require.Error(t, err)
	assert.Equal(t, "jsonv: invalid character ']' looking for beginning of value at offset 3", err.Error())
}

func TestParseDepth(t *testing.T) {
	nest := func(n int, open, close string) string {
		return strings.Repeat(open, n) + "1" + strings.Repeat(close, n)
	}
	tests := []struct {
		name, open, close string
		levels            int // nesting levels per open
	}{
		{"arrays", "[", "]", 1},
		{"objects", `{"k":`, "}", 1},
		{"mixed", `[{"k":`, "}]", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			units := MaxDepth / tt.levels
			ok := nest(units, tt.open, tt.close)
			v, err := ParseString(ok)
			require.NoError(t, err)
			assert.Equal(t, ok, v.String())

			_, err = ParseString(nest(units+1, tt.open, tt.close))
			require.ErrorIs(t, err, ErrTooDeep)
			assert.NotErrorIs(t, err, ErrSyntax)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			// The offset points at the container that is one too deep.
			assert.Equal(t, units*len(tt.open), pe.Offset)
		})
	}

	// A huge run of brackets fails at the limit without reading further.
	_, err := ParseString(strings.Repeat("[", 10_000_000))
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, MaxDepth, pe.Offset)
}

func TestParseCopiesBytes(t *testing.T) {
	data := []byte(`{"k":"value","n":12}`)
	v, err := Parse(data)
	require.NoError(t, err)
	for i := range data {
		data[i] = 'x'
	}
	s, ok := v.Get("k").Str()
	require.True(t, ok)
	assert.Equal(t, "value", s)
	assert.Equal(t, `{"k":"value","n":12}`, v.String())
}

func TestParseLarge(t *testing.T) {
	// Wide and long inputs parse correctly; the scratch stack must not mix
	// up the children of siblings.
	var w Writer
	w.BeginArray()
	for i := range 10000 {
		w.BeginObject()
		w.Key("i")
		w.Int(int64(i))
		w.Key("s")
		w.String(strings.Repeat("\"é", i%7))
		w.Key("a")
		w.BeginArray()
		for j := range i % 5 {
			w.Int(int64(j))
		}
		w.EndArray()
		w.EndObject()
	}
	w.EndArray()
	v, err := Parse(w.Bytes())
	require.NoError(t, err)
	require.Equal(t, 10000, v.Len())
	for i := 0; i < 10000; i += 997 {
		e := v.Index(i)
		n, ok := e.Get("i").Int64()
		require.True(t, ok)
		assert.Equal(t, int64(i), n)
		s, _ := e.Get("s").Str()
		assert.Equal(t, strings.Repeat("\"é", i%7), s)
		assert.Equal(t, i%5, e.Get("a").Len())
	}
	assert.Equal(t, string(w.Bytes()), v.String())
}

func TestParseErrorIsNotPanic(t *testing.T) {
	// Every prefix of a valid document is either valid or a clean error.
	doc := `{"a":[1,-2.5e+3,"x\u00e9\ud83d\ude00",true,false,null,{"b":{}}],"c":""}`
	for i := 0; i <= len(doc); i++ {
		_, err := ParseString(doc[:i])
		if i == len(doc) {
			assert.NoError(t, err)
			continue
		}
		var pe *ParseError
		require.ErrorAs(t, err, &pe, "prefix %q", doc[:i])
		assert.LessOrEqual(t, pe.Offset, i)
		assert.True(t, errors.Is(err, ErrSyntax))
	}
}
