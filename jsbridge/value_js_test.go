package jsbridge

import (
	"strconv"
	"strings"
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/jsonv"
)

func TestJSONToJS(t *testing.T) {
	cases := []struct{ in, want string }{
		{`null`, `null`},
		{`true`, `true`},
		{`"a\u00e9\n"`, `"aé\n"`},
		{`[]`, `[]`},
		{`{}`, `{}`},
		{`{"a":1,"b":[true,null,"x",{"c":-2}]}`, `{"a":1,"b":[true,null,"x",{"c":-2}]}`},
		// The safe range stays numeric, at both ends.
		{`9007199254740991`, `9007199254740991`},
		{`-9007199254740991`, `-9007199254740991`},
		// Beyond it, integers become exact decimal strings.
		{`9007199254740993`, `"9007199254740993"`},
		{`-9007199254740993`, `"-9007199254740993"`},
		{`18446744073709551615`, `"18446744073709551615"`},
		{`-9223372036854775808`, `"-9223372036854775808"`},
		// Integer values written with exponents or fractions: canonical.
		{`1e2`, `100`},
		{`12.0`, `12`},
		{`1.5e18`, `"1500000000000000000"`},
		// Plain integer literals beyond 64 bits keep their text.
		{`123456789012345678901234567890`, `"123456789012345678901234567890"`},
		// Everything else is a JavaScript number, as JSON.parse gives it.
		{`1.5`, `1.5`},
		{`-0.25e-3`, `-0.00025`},
		{`1e300`, `1e+300`},
		{`-0`, `0`},
		// Repeated keys: the last wins, as with JSON.parse.
		{`{"k":1,"k":2}`, `{"k":2}`},
		{`{"mentionList":[12345678901234567890,42]}`, `{"mentionList":["12345678901234567890",42]}`},
	}
	for _, c := range cases {
		v, err := jsonv.ParseString(c.in)
		require.NoError(t, err, c.in)
		got := jsonToJS(v)
		assert.Equal(t, c.want, jsonStringify(got), c.in)
	}
	assert.True(t, jsonToJS(jsonv.Value{}).IsUndefined(), "missing is undefined")

	big := jsonToJS(jsonv.Raw(`{"id":98765432109876543}`)).Get("id")
	assert.Equal(t, js.TypeString, big.Type())

	// Message fields holding JSON text: written when valid, left out when
	// empty or invalid (JSAPI.md §10).
	var w jsonv.Writer
	w.BeginObject()
	for i, text := range []string{`{"a":"b"}`, "", "{", "nope", `{"a":1,}`, `[9007199254740993]`} {
		appendJSONText(&w, "f"+strconv.Itoa(i), text)
	}
	w.EndObject()
	assert.Equal(t, `{"f0":{"a":"b"},"f5":["9007199254740993"]}`, jsonStringify(parseJSON(&w)))
}

func TestIDValues(t *testing.T) {
	assert.Equal(t, "18446744073709551615", idValue(1<<64-1).String())
	assert.Equal(t, "0", idValue(0).String())

	assert.Equal(t, js.TypeNumber, uidValue(maxSafeInt).Type())
	assert.Equal(t, float64(maxSafeInt), uidValue(maxSafeInt).Float())
	assert.Equal(t, js.TypeString, uidValue(maxSafeInt+1).Type())
	assert.Equal(t, "9007199254740992", uidValue(maxSafeInt+1).String())
}

func TestBytes(t *testing.T) {
	u := bytesToJS([]byte{1, 2, 255})
	require.True(t, u.InstanceOf(jsGlobal.Uint8Array))
	assert.Equal(t, "[1,2,255]", jsonStringify(js.Global().Get("Array").Call("from", u)))
	assert.Equal(t, 0, bytesToJS(nil).Length())

	inputs := map[string]string{
		"Uint8Array":  `return new Uint8Array([7, 8, 9])`,
		"ArrayBuffer": `return new Uint8Array([7, 8, 9]).buffer`,
		"DataView":    `const b = new Uint8Array([0, 7, 8, 9, 0]).buffer; return new DataView(b, 1, 3)`,
		"Subarray":    `return new Uint8Array([0, 7, 8, 9, 0]).subarray(1, 4)`,
	}
	for name, src := range inputs {
		b, err := bytesFromJS(jsEval(t, src))
		require.NoError(t, err, name)
		assert.Equal(t, []byte{7, 8, 9}, b, name)
	}
	b, err := bytesFromJS(js.ValueOf("hé"))
	require.NoError(t, err)
	assert.Equal(t, []byte("hé"), b)
	b, err = bytesFromJS(js.Null())
	require.NoError(t, err)
	assert.Nil(t, b)

	_, err = bytesFromJS(js.ValueOf(3))
	assert.True(t, core.IsCode(err, core.InvalidParam))
	_, err = bytesFromJS(jsEval(t, `return {}`))
	assert.True(t, core.IsCode(err, core.InvalidParam))
	assert.Contains(t, err.Error(), "got object")
}

// argError requires err to be a client InvalidParam error mentioning want.
func argError(t *testing.T, err error, want string) {
	t.Helper()
	require.Error(t, err)
	var ce *core.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, core.InvalidParam, ce.Code)
	assert.Equal(t, core.SourceClient, ce.Source)
	assert.Contains(t, ce.Message, want)
}

func TestArgString(t *testing.T) {
	s, err := argString(js.ValueOf("abc"), "name", 3)
	require.NoError(t, err)
	assert.Equal(t, "abc", s)

	_, err = argString(js.ValueOf("abcd"), "name", 3)
	argError(t, err, "name is longer than 3 bytes")
	_, err = argString(js.ValueOf(5), "login: name", 0)
	argError(t, err, "login: name must be a string, got number")
	_, err = argString(js.Undefined(), "x", 0)
	argError(t, err, "got undefined")
	_, err = argString(js.Null(), "x", 0)
	argError(t, err, "got null")
	_, err = argString(jsEval(t, `return [1]`), "x", 0)
	argError(t, err, "got array")

	s, err = argStringOpt(js.Undefined(), "x", 0)
	require.NoError(t, err)
	assert.Equal(t, "", s)
	s, err = argString(js.ValueOf(strings.Repeat("é", 3)), "x", 6)
	require.NoError(t, err, "the limit counts UTF-8 bytes")
	assert.Equal(t, "ééé", s)
}

func TestArgID(t *testing.T) {
	good := []struct {
		v    any
		want uint64
	}{
		{1, 1},
		{float64(maxSafeInt), maxSafeInt},
		{"1", 1},
		{"9007199254740993", 9007199254740993},
		{"18446744073709551615", 1<<64 - 1},
		{"007", 7},
	}
	for _, c := range good {
		id, err := argID(js.ValueOf(c.v), "uid")
		require.NoError(t, err, "%v", c.v)
		assert.Equal(t, c.want, id, "%v", c.v)
	}
	bad := []struct {
		v    js.Value
		want string
	}{
		{js.ValueOf(0), "uid must be a positive id"},
		{js.ValueOf("0"), "uid must be a positive id"},
		{js.Undefined(), "uid is required"},
		{js.Null(), "uid is required"},
		{js.ValueOf(-1), "non-negative integer"},
		{js.ValueOf(1.5), "non-negative integer"},
		{js.ValueOf(float64(maxSafeInt + 1)), "pass it as a decimal string"},
		{js.Global().Get("Infinity"), "non-negative integer"},
		{js.Global().Get("NaN"), "non-negative integer"},
		{js.ValueOf(""), "decimal id"},
		{js.ValueOf("-1"), "decimal id"},
		{js.ValueOf("+1"), "decimal id"},
		{js.ValueOf(" 1"), "decimal id"},
		{js.ValueOf("1e3"), "decimal id"},
		{js.ValueOf("18446744073709551616"), "decimal id"},
		{js.ValueOf(true), "must be a number or a decimal string, got boolean"},
		{jsEval(t, `return {}`), "got object"},
	}
	for _, c := range bad {
		_, err := argID(c.v, "uid")
		argError(t, err, c.want)
	}
	id, err := argIDOpt(js.Undefined(), "sid")
	require.NoError(t, err)
	assert.Zero(t, id)
	id, err = argIDOpt(js.ValueOf("0"), "sid")
	require.NoError(t, err)
	assert.Zero(t, id)
}

func TestArgObjectBoolInt(t *testing.T) {
	o, err := argObject(jsEval(t, `return {a: 1}`), "opt")
	require.NoError(t, err)
	assert.Equal(t, 1, o.Get("a").Int())
	for src, want := range map[string]string{
		`return null`:          "opt must be an object, got null",
		`return [1]`:           "got array",
		`return function() {}`: "got function",
		`return "s"`:           "got string",
	} {
		_, err := argObject(jsEval(t, src), "opt")
		argError(t, err, want)
	}
	_, ok, err := argObjectOpt(js.Undefined(), "opt")
	require.NoError(t, err)
	assert.False(t, ok)
	_, ok, err = argObjectOpt(js.ValueOf(1), "opt")
	argError(t, err, "got number")
	assert.False(t, ok)

	b, err := argBoolOpt(js.Undefined(), "flag", true)
	require.NoError(t, err)
	assert.True(t, b)
	b, err = argBoolOpt(js.ValueOf(false), "flag", true)
	require.NoError(t, err)
	assert.False(t, b)
	_, err = argBoolOpt(js.ValueOf(1), "flag", true)
	argError(t, err, "flag must be a boolean, got number")

	n, err := argIntOpt(js.Null(), "ms", 7, 0, 10)
	require.NoError(t, err)
	assert.Equal(t, 7, n)
	n, err = argIntOpt(js.ValueOf(10), "ms", 7, 0, 10)
	require.NoError(t, err)
	assert.Equal(t, 10, n)
	_, err = argIntOpt(js.ValueOf(11), "ms", 7, 0, 10)
	argError(t, err, "ms must be an integer from 0 to 10")
	_, err = argIntOpt(js.ValueOf(0.5), "ms", 7, 0, 10)
	argError(t, err, "integer")
	_, err = argIntOpt(js.ValueOf("1"), "ms", 7, 0, 10)
	argError(t, err, "must be a number")

	_, ok, err = argFunctionOpt(js.ValueOf(1), "cb")
	argError(t, err, "cb must be a function")
	assert.False(t, ok)
	_, ok, err = argFunctionOpt(jsEval(t, `return () => 1`), "cb")
	require.NoError(t, err)
	assert.True(t, ok)
}
