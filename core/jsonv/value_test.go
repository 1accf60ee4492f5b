package jsonv

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustParse(t testing.TB, s string) Value {
	t.Helper()
	v, err := ParseString(s)
	require.NoError(t, err, "parse %q", s)
	return v
}

func TestKindAndExists(t *testing.T) {
	tests := []struct {
		in   string
		kind Kind
		name string
	}{
		{"null", KindNull, "null"},
		{"true", KindBool, "bool"},
		{"1", KindNumber, "number"},
		{`"s"`, KindString, "string"},
		{"[]", KindArray, "array"},
		{"{}", KindObject, "object"},
	}
	for _, tt := range tests {
		v := mustParse(t, tt.in)
		assert.Equal(t, tt.kind, v.Kind(), tt.in)
		assert.Equal(t, tt.name, v.Kind().String())
		assert.True(t, v.Exists(), tt.in)
	}
	assert.Equal(t, "Kind(9)", Kind(9).String())

	var missing Value
	assert.False(t, missing.Exists())
	assert.Equal(t, KindNull, missing.Kind())
	assert.Equal(t, "null", missing.String())
	assert.True(t, Null().Exists())
	assert.Equal(t, KindNull, Null().Kind())
}

func TestLookup(t *testing.T) {
	v := mustParse(t, `{"code":200,"message":null,"data":{"token":"tk","list":[{"id":1},{"id":2}]},"dup":1,"dup":2}`)

	assert.Equal(t, 5, v.Len())
	tok, ok := v.GetPath("data", "token").Str()
	require.True(t, ok)
	assert.Equal(t, "tk", tok)

	id, ok := v.GetPath("data", "list", "1", "id").Int64()
	require.True(t, ok)
	assert.Equal(t, int64(2), id)

	msg := v.Get("message")
	assert.True(t, msg.Exists(), "an explicit null exists")
	assert.Equal(t, KindNull, msg.Kind())

	for _, path := range [][]string{
		{"nope"},
		{"data", "nope", "deeper"},
		{"data", "token", "x"},  // step into a string
		{"data", "list", "2"},   // out of range
		{"data", "list", "-1"},  // negative
		{"data", "list", "one"}, // not an index
		{"data", "list", "0", "id", "x"},
	} {
		got := v.GetPath(path...)
		assert.False(t, got.Exists(), "%v", path)
		assert.Equal(t, KindNull, got.Kind())
	}
	assert.Equal(t, v, v.GetPath(), "an empty path is the value itself")

	dup, _ := v.Get("dup").Int64()
	assert.Equal(t, int64(2), dup, "the last duplicate wins")

	// Lookups on the wrong kind are missing, not panics.
	assert.False(t, mustParse(t, "[1]").Get("a").Exists())
	assert.False(t, mustParse(t, `{"a":1}`).Index(0).Exists())
	assert.False(t, Value{}.Get("a").Index(3).GetPath("x").Exists())
	assert.Equal(t, 0, mustParse(t, `"abc"`).Len())
	assert.Equal(t, 0, Value{}.Len())
}

func TestIterators(t *testing.T) {
	v := mustParse(t, `{"b":1,"a":[true,"x",null],"b":3}`)
	var keys []string
	var vals []string
	for k, x := range v.Members() {
		keys = append(keys, k)
		vals = append(vals, x.String())
	}
	assert.Equal(t, []string{"b", "a", "b"}, keys, "source order, duplicates included")
	assert.Equal(t, []string{"1", `[true,"x",null]`, "3"}, vals)

	var elems []string
	var idx []int
	for i, e := range v.Get("a").Elements() {
		idx = append(idx, i)
		elems = append(elems, e.String())
	}
	assert.Equal(t, []int{0, 1, 2}, idx)
	assert.Equal(t, []string{"true", `"x"`, "null"}, elems)

	// Early break is honoured.
	n := 0
	for range v.Members() {
		n++
		break
	}
	assert.Equal(t, 1, n)
	n = 0
	for range v.Get("a").Elements() {
		n++
		break
	}
	assert.Equal(t, 1, n)

	// Wrong kinds yield nothing.
	for range v.Elements() {
		t.Fatal("an object has no elements")
	}
	for range v.Get("a").Members() {
		t.Fatal("an array has no members")
	}
}

func TestTypedAccessors(t *testing.T) {
	s, ok := mustParse(t, `"hi"`).Str()
	assert.True(t, ok)
	assert.Equal(t, "hi", s)
	_, ok = mustParse(t, `1`).Str()
	assert.False(t, ok, "Str does not coerce")

	b, ok := mustParse(t, `true`).Bool()
	assert.True(t, ok)
	assert.True(t, b)
	b, ok = mustParse(t, `false`).Bool()
	assert.True(t, ok)
	assert.False(t, b)
	_, ok = mustParse(t, `"true"`).Bool()
	assert.False(t, ok, "Bool does not coerce")

	f, ok := mustParse(t, `-2.5e3`).Float64()
	assert.True(t, ok)
	assert.Equal(t, -2500.0, f)
	_, ok = mustParse(t, `1e400`).Float64()
	assert.False(t, ok, "out of float64 range")
	_, ok = mustParse(t, `"1"`).Float64()
	assert.False(t, ok)

	_, ok = mustParse(t, `"1"`).Int64()
	assert.False(t, ok, "Int64 does not coerce")
	_, ok = Value{}.Uint64()
	assert.False(t, ok)
}

func TestIntegers(t *testing.T) {
	tests := []struct {
		in  string
		i   int64
		iok bool
		u   uint64
		uok bool
	}{
		{"0", 0, true, 0, true},
		{"-0", 0, true, 0, true},
		{"42", 42, true, 42, true},
		{"-42", -42, true, 0, false},
		{"9007199254740993", 1<<53 + 1, true, 1<<53 + 1, true}, // 2^53+1, not a float64
		{"9223372036854775807", math.MaxInt64, true, math.MaxInt64, true},
		{"9223372036854775808", 0, false, 1 << 63, true}, // 2^63
		{"-9223372036854775808", math.MinInt64, true, 0, false},
		{"-9223372036854775809", 0, false, 0, false},
		{"18446744073709551615", 0, false, math.MaxUint64, true}, // 2^64-1
		{"18446744073709551616", 0, false, 0, false},             // 2^64
		{"1e3", 1000, true, 1000, true},
		{"1E+3", 1000, true, 1000, true},
		{"12.0", 12, true, 12, true},
		{"1.2e1", 12, true, 12, true},
		{"1200e-2", 12, true, 12, true},
		{"1.5", 0, false, 0, false},
		{"1e-1", 0, false, 0, false},
		{"0.0", 0, true, 0, true},
		{"0e99999999999999999999", 0, true, 0, true},
		{"1e99999999999999999999", 0, false, 0, false},
		{"10e-99999999999999999999", 0, false, 0, false},
		{"1.8446744073709551615e19", 0, false, math.MaxUint64, true},
		{"-9.223372036854775808e18", math.MinInt64, true, 0, false},
		{"1e19", 0, false, 1e19, true},
		{"1e20", 0, false, 0, false},
		{"123456789012345678901234567890", 0, false, 0, false},
	}
	for _, tt := range tests {
		v := mustParse(t, tt.in)
		i, ok := v.Int64()
		assert.Equal(t, tt.iok, ok, "Int64(%s) ok", tt.in)
		assert.Equal(t, tt.i, i, "Int64(%s)", tt.in)
		u, ok := v.Uint64()
		assert.Equal(t, tt.uok, ok, "Uint64(%s) ok", tt.in)
		assert.Equal(t, tt.u, u, "Uint64(%s)", tt.in)
		assert.Equal(t, tt.in, v.String(), "the text survives")

		// The same text inside a string coerces identically.
		sv := String(tt.in)
		i, ok = sv.AsInt64()
		assert.Equal(t, tt.iok, ok, "AsInt64(%q) ok", tt.in)
		assert.Equal(t, tt.i, i)
		u, ok = sv.AsUint64()
		assert.Equal(t, tt.uok, ok, "AsUint64(%q) ok", tt.in)
		assert.Equal(t, tt.u, u)
	}
}

func TestBigIntegerRoundTrip(t *testing.T) {
	// RTC signals and config carry 64-bit ids as bare numbers (PROTOCOL.md
	// §12.2, §15): they must come back out exactly, as text and as integers.
	in := `{"session_id":9223372036854775808,"handle_id":18446744073709551615,"room":9007199254740993,"sender":-9223372036854775808}`
	v := mustParse(t, in)
	assert.Equal(t, in, v.String())
	u, ok := v.Get("handle_id").Uint64()
	require.True(t, ok)
	assert.Equal(t, uint64(math.MaxUint64), u)
	u, ok = v.Get("session_id").Uint64()
	require.True(t, ok)
	assert.Equal(t, uint64(1<<63), u)
	i, ok := v.Get("room").Int64()
	require.True(t, ok)
	assert.Equal(t, int64(1<<53+1), i)

	built := Object(
		Field("session_id", Uint(1<<63)),
		Field("handle_id", Uint(math.MaxUint64)),
		Field("room", Int(1<<53+1)),
		Field("sender", Int(math.MinInt64)),
	)
	assert.Equal(t, in, built.String())
}

func TestCoercion(t *testing.T) {
	tests := []struct {
		in  string
		i   int64
		iok bool
		b   bool
		bok bool
		s   string
		sok bool
	}{
		{`12`, 12, true, false, false, "12", true},
		{`"12"`, 12, true, false, false, "12", true},
		{`"-7"`, -7, true, false, false, "-7", true},
		{`"1e2"`, 100, true, false, false, "1e2", true},
		{`" 12"`, 0, false, false, false, " 12", true},
		{`"+12"`, 0, false, false, false, "+12", true},
		{`"012"`, 0, false, false, false, "012", true},
		{`"12abc"`, 0, false, false, false, "12abc", true},
		{`""`, 0, false, false, false, "", true},
		{`true`, 0, false, true, true, "true", true},
		{`false`, 0, false, false, true, "false", true},
		{`"true"`, 0, false, true, true, "true", true},
		{`"false"`, 0, false, false, true, "false", true},
		{`"TRUE"`, 0, false, false, false, "TRUE", true},
		{`1.5e0`, 0, false, false, false, "1.5e0", true},
		{`null`, 0, false, false, false, "", false},
		{`{"a": [1, "x"]}`, 0, false, false, false, `{"a":[1,"x"]}`, true},
		{`[ ]`, 0, false, false, false, `[]`, true},
	}
	for _, tt := range tests {
		v := mustParse(t, tt.in)
		i, ok := v.AsInt64()
		assert.Equal(t, tt.iok, ok, "AsInt64(%s) ok", tt.in)
		assert.Equal(t, tt.i, i, "AsInt64(%s)", tt.in)
		b, ok := v.AsBool()
		assert.Equal(t, tt.bok, ok, "AsBool(%s) ok", tt.in)
		assert.Equal(t, tt.b, b, "AsBool(%s)", tt.in)
		s, ok := v.AsString()
		assert.Equal(t, tt.sok, ok, "AsString(%s) ok", tt.in)
		assert.Equal(t, tt.s, s, "AsString(%s)", tt.in)
	}
	_, ok := Value{}.AsString()
	assert.False(t, ok)
	_, ok = Value{}.AsInt64()
	assert.False(t, ok)
	_, ok = Value{}.AsBool()
	assert.False(t, ok)
}

func TestConstructors(t *testing.T) {
	v := Object(
		Field("s", String("a\"b")),
		Field("i", Int(-3)),
		Field("u", Uint(7)),
		Field("f", Float(0.1)),
		Field("t", Bool(true)),
		Field("n", Null()),
		Field("missing", Value{}),
		Field("arr", Array(Int(1), Value{}, Raw(`{"x":[]}`))),
		Field("raw", Raw("18446744073709551615")),
		Field("bad", Raw("{")),
	)
	assert.Equal(t, `{"s":"a\"b","i":-3,"u":7,"f":0.1,"t":true,"n":null,"missing":null,"arr":[1,null,{"x":[]}],"raw":18446744073709551615,"bad":null}`, v.String())
	assert.True(t, v.Get("missing").Exists(), "missing values are stored as null")
	assert.False(t, Raw("nope").Exists())
	assert.Equal(t, "[]", Array().String())
	assert.Equal(t, "{}", Object().String())

	// The constructors copy their arguments.
	elems := []Value{Int(1), Int(2)}
	a := Array(elems...)
	elems[0] = Int(9)
	assert.Equal(t, "[1,2]", a.String())
}

func TestFloat(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1, "1"},
		{-2.5, "-2.5"},
		{0.1, "0.1"},
		{1e6, "1000000"},
		{1e20, "100000000000000000000"},
		{1e21, "1e+21"},
		{1.5e-6, "0.0000015"},
		{1e-7, "1e-07"},
		{123.456, "123.456"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.NaN(), "null"},
		{math.Inf(1), "null"},
		{math.Inf(-1), "null"},
	}
	for _, tt := range tests {
		v := Float(tt.f)
		assert.Equal(t, tt.want, v.String(), "Float(%v)", tt.f)
		var w Writer
		w.Float(tt.f)
		assert.Equal(t, tt.want, string(w.Bytes()), "Writer.Float(%v)", tt.f)
		if !math.IsNaN(tt.f) && !math.IsInf(tt.f, 0) {
			back, ok := mustParse(t, tt.want).Float64()
			require.True(t, ok)
			assert.Equal(t, tt.f, back, "round trip of %v", tt.f)
		}
	}
}

func TestSetDelete(t *testing.T) {
	orig := mustParse(t, `{"a":1,"b":2,"a":3,"c":{"d":4}}`)
	origText := orig.String()

	set := orig.Set("a", String("x"))
	assert.Equal(t, `{"a":"x","b":2,"c":{"d":4}}`, set.String(), "first position kept, repeats dropped")
	added := orig.Set("z", Array())
	assert.Equal(t, `{"a":3,"b":2,"c":{"d":4},"z":[]}`, added.String(), "other repeats collapse, last wins")
	assert.Equal(t, `{"a":3,"b":2,"c":{"d":4},"e":null}`, orig.Set("e", Value{}).String())

	del := orig.Delete("a")
	assert.Equal(t, `{"b":2,"c":{"d":4}}`, del.String())
	assert.Equal(t, origText, orig.Delete("nope").String())
	assert.Equal(t, "{}", mustParse(t, `{"a":1}`).Delete("a").String())

	assert.Equal(t, origText, orig.String(), "Set and Delete leave the original alone")

	// Chained edits on a shared base do not see each other.
	s1 := orig.Set("k", Int(1))
	s2 := orig.Set("k", Int(2))
	assert.Equal(t, "1", s1.Get("k").String())
	assert.Equal(t, "2", s2.Get("k").String())

	// Non-objects.
	assert.Equal(t, `{"a":true}`, Value{}.Set("a", Bool(true)).String())
	assert.Equal(t, `{"a":true}`, mustParse(t, "[1]").Set("a", Bool(true)).String())
	arr := mustParse(t, "[1]")
	assert.Equal(t, arr, arr.Delete("a"))
}
