package jsbridge

import (
	"math"
	"strconv"
	"syscall/js"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/jsonv"
)

// maxSafeInt is Number.MAX_SAFE_INTEGER, 2^53-1: the largest integer a
// JavaScript number holds exactly, and so the largest id that may cross as
// a number.
const maxSafeInt = 1<<53 - 1

// jsGlobal caches the global constructors the bridge uses, so that hot
// paths do not look them up by name on every call. AbortController may be
// undefined on old platforms; the code that uses it checks.
var jsGlobal = struct {
	Object, Array, Uint8Array, ArrayBuffer, String, Promise, Error, AbortController, JSONParse, JSONStringify js.Value
}{
	Object:          js.Global().Get("Object"),
	Array:           js.Global().Get("Array"),
	Uint8Array:      js.Global().Get("Uint8Array"),
	ArrayBuffer:     js.Global().Get("ArrayBuffer"),
	String:          js.Global().Get("String"),
	Promise:         js.Global().Get("Promise"),
	Error:           js.Global().Get("Error"),
	AbortController: js.Global().Get("AbortController"),
	JSONParse:       js.Global().Get("JSON").Get("parse"),
	JSONStringify:   js.Global().Get("JSON").Get("stringify"),
}

// newObject returns a new empty JavaScript object ({}).
func newObject() js.Value { return jsGlobal.Object.New() }

// newArray returns a new JavaScript array of length n, to be filled with
// SetIndex.
func newArray(n int) js.Value { return jsGlobal.Array.New(n) }

// idString formats a 64-bit id as a decimal string.
func idString(id uint64) string { return strconv.FormatUint(id, 10) }

// idValue returns a 64-bit id (message id, timestamp) as a decimal string
// JavaScript value: such ids often exceed 2^53, so they always cross as
// strings (JSAPI.md §1, §14).
func idValue(id uint64) js.Value { return js.ValueOf(idString(id)) }

// uidValue returns a user or group id as a number, as the official results
// give them (JSAPI.md §1), or as a decimal string in the unlikely case it is
// beyond 2^53-1 and a number would round it.
func uidValue(id uint64) js.Value {
	if id <= maxSafeInt {
		return js.ValueOf(float64(id))
	}
	return idValue(id)
}

// bytesToJS copies b into a new Uint8Array. Bytes always cross as
// Uint8Array, never as JSON or base64 strings.
func bytesToJS(b []byte) js.Value {
	u := jsGlobal.Uint8Array.New(len(b))
	if len(b) > 0 {
		js.CopyBytesToJS(u, b)
	}
	return u
}

// bytesFromJS copies binary data from JavaScript: a Uint8Array (the
// documented form), an ArrayBuffer or another typed-array view, or a string
// (taken as UTF-8 text). null and undefined give nil.
func bytesFromJS(v js.Value) ([]byte, error) {
	switch v.Type() {
	case js.TypeUndefined, js.TypeNull:
		return nil, nil
	case js.TypeString:
		return []byte(v.String()), nil
	case js.TypeObject:
		if !v.InstanceOf(jsGlobal.Uint8Array) {
			switch {
			case v.InstanceOf(jsGlobal.ArrayBuffer):
				v = jsGlobal.Uint8Array.New(v)
			case jsGlobal.ArrayBuffer.Call("isView", v).Bool():
				v = jsGlobal.Uint8Array.New(v.Get("buffer"), v.Get("byteOffset"), v.Get("byteLength"))
			default:
				return nil, core.ClientError("binary data must be a Uint8Array or an ArrayBuffer, got " + typeName(v))
			}
		}
		b := make([]byte, v.Length())
		js.CopyBytesToGo(b, v)
		return b, nil
	}
	return nil, core.ClientError("binary data must be a Uint8Array or an ArrayBuffer, got " + typeName(v))
}

// jsonToJS converts a JSON value to the JavaScript value JSON.parse would
// give, except for numbers: an integer whose magnitude exceeds 2^53-1 becomes
// its decimal string ("12345678901234567890"), since a JavaScript number
// would silently round it. That is how message config and attachment objects
// keep their 64-bit ids exact (JSAPI.md §10: "large integers exact").
// Precisely:
//
//   - an integer-valued number within ±(2^53-1) stays a number (1e2 is 100);
//   - an integer-valued number beyond that but within the int64 or uint64
//     range becomes its canonical decimal string ("1.5e18" is
//     "1500000000000000000");
//   - a number written as a plain integer literal too long even for 64 bits
//     becomes its source text;
//   - every other number (fractions, huge exponents) becomes the nearest
//     JavaScript number, as JSON.parse gives it.
//
// The missing value (jsonv's zero Value) becomes undefined.
//
// The value is rewritten as JSON with those strings (appendSafeJSON) and
// parsed by JavaScript's JSON.parse in one call: under Go's wasm port every
// property set from Go costs about a microsecond (a string value three,
// with its reference and finalizer), so building an object member by member
// is about ten times slower than handing JavaScript the text.
func jsonToJS(v jsonv.Value) js.Value {
	if !v.Exists() {
		return js.Undefined()
	}
	var w jsonv.Writer
	appendSafeJSON(&w, v)
	return parseJSON(&w)
}

// parseJSON returns JSON.parse of the document in w.
func parseJSON(w *jsonv.Writer) js.Value {
	return jsGlobal.JSONParse.Invoke(string(w.Bytes()))
}

// appendSafeJSON writes v with the numbers that JavaScript would round
// written as strings, as jsonToJS describes.
func appendSafeJSON(w *jsonv.Writer, v jsonv.Value) {
	switch v.Kind() {
	case jsonv.KindNumber:
		if i, ok := v.Int64(); ok {
			if i >= -maxSafeInt && i <= maxSafeInt {
				w.Int(i)
			} else {
				w.String(strconv.FormatInt(i, 10))
			}
			return
		}
		if u, ok := v.Uint64(); ok {
			w.String(strconv.FormatUint(u, 10))
			return
		}
		text := string(v.AppendJSON(nil))
		if isIntegerLiteral(text) {
			w.String(text)
		} else {
			// Fractions and exponents: JSON.parse gives the nearest number,
			// and strconv.ParseFloat (with the tables it drags in) stays out
			// of the wasm build.
			w.Raw(text)
		}
	case jsonv.KindArray:
		w.BeginArray()
		for _, e := range v.Elements() {
			appendSafeJSON(w, e)
		}
		w.EndArray()
	case jsonv.KindObject:
		w.BeginObject()
		for k, e := range v.Members() {
			// Repeated keys stay repeated: JSON.parse keeps the last, as
			// jsonv's Get does.
			w.Key(k)
			appendSafeJSON(w, e)
		}
		w.EndObject()
	default:
		w.Value(v)
	}
}

// isIntegerLiteral reports whether s is an optional '-' followed by digits
// only.
func isIntegerLiteral(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// appendJSONText writes the JSON document held in s (a message's config or
// attachment) under key, converted as by jsonToJS. It writes nothing and
// returns false for an empty or invalid document, which the message object
// then leaves out (JSAPI.md §10: "absent if empty or invalid").
func appendJSONText(w *jsonv.Writer, key, s string) bool {
	if s == "" {
		return false
	}
	v, err := jsonv.ParseString(s)
	if err != nil {
		return false
	}
	w.Key(key)
	appendSafeJSON(w, v)
	return true
}

// typeName describes the type of a JavaScript value for error messages:
// typeof, except that null and arrays are named as such.
func typeName(v js.Value) string {
	t := v.Type()
	if t == js.TypeObject && jsGlobal.Array.Call("isArray", v).Bool() {
		return "array"
	}
	return t.String()
}

// Argument readers. They validate values passed by the application and
// return InvalidParam errors from the client layer (ERRORS.md §1: bad
// arguments are InvalidParam, source "client") whose message names the
// argument, e.g. "login: password must be a string, got number". name is
// that argument's name as the application knows it.

func badArg(name, want string, v js.Value) error {
	return core.ClientError(name + " must be " + want + ", got " + typeName(v))
}

func isNullish(v js.Value) bool {
	t := v.Type()
	return t == js.TypeUndefined || t == js.TypeNull
}

// argString reads a string argument of at most maxLen bytes of UTF-8 (0 for
// no limit).
func argString(v js.Value, name string, maxLen int) (string, error) {
	if v.Type() != js.TypeString {
		return "", badArg(name, "a string", v)
	}
	s := v.String()
	if maxLen > 0 && len(s) > maxLen {
		return "", core.ClientError(name + " is longer than " + itoa(maxLen) + " bytes")
	}
	return s, nil
}

// argStringOpt is argString for an optional argument: undefined and null
// give "".
func argStringOpt(v js.Value, name string, maxLen int) (string, error) {
	if isNullish(v) {
		return "", nil
	}
	return argString(v, name, maxLen)
}

// argID reads a positive 64-bit id given as a number or as a decimal string
// (JSAPI.md §1: inputs accept numbers or strings). A number must be an
// integer no larger than 2^53-1, since a larger one has already been
// rounded by JavaScript; such ids must come as strings.
func argID(v js.Value, name string) (uint64, error) {
	id, err := argIDOpt(v, name)
	if err != nil {
		return 0, err
	}
	if id == 0 {
		if isNullish(v) {
			return 0, core.ClientError(name + " is required")
		}
		return 0, core.ClientError(name + " must be a positive id")
	}
	return id, nil
}

// argIDOpt is argID for an optional id: undefined, null, 0 and "0" give 0.
func argIDOpt(v js.Value, name string) (uint64, error) {
	switch v.Type() {
	case js.TypeUndefined, js.TypeNull:
		return 0, nil
	case js.TypeNumber:
		f := v.Float()
		if f != math.Trunc(f) || f < 0 || math.IsInf(f, 0) {
			return 0, core.ClientError(name + " must be a non-negative integer id")
		}
		if f > maxSafeInt {
			return 0, core.ClientError(name + " is beyond 2^53-1 and was rounded: pass it as a decimal string")
		}
		return uint64(f), nil
	case js.TypeString:
		id, ok := parseDecimal(v.String())
		if !ok {
			return 0, core.ClientError(name + " must be a decimal id, got " + `"` + clip(v.String(), 32) + `"`)
		}
		return id, nil
	}
	return 0, badArg(name, "a number or a decimal string", v)
}

// parseDecimal parses an unsigned decimal integer of digits only (no sign,
// no spaces) that fits in 64 bits. strconv.ParseUint would do, but its
// error values drag strconv's quoting tables into the wasm build.
func parseDecimal(s string) (uint64, bool) {
	if s == "" || len(s) > 20 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// clip shortens s to at most n bytes for error messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// argObject reads an object argument (not null, not an array, not a
// function).
func argObject(v js.Value, name string) (js.Value, error) {
	if v.Type() != js.TypeObject || typeName(v) == "array" {
		return js.Undefined(), badArg(name, "an object", v)
	}
	return v, nil
}

// argObjectOpt is argObject for an optional argument: ok is false for
// undefined and null.
func argObjectOpt(v js.Value, name string) (obj js.Value, ok bool, err error) {
	if isNullish(v) {
		return js.Undefined(), false, nil
	}
	obj, err = argObject(v, name)
	return obj, err == nil, err
}

// argBoolOpt reads an optional boolean; undefined and null give def.
func argBoolOpt(v js.Value, name string, def bool) (bool, error) {
	switch v.Type() {
	case js.TypeUndefined, js.TypeNull:
		return def, nil
	case js.TypeBoolean:
		return v.Bool(), nil
	}
	return false, badArg(name, "a boolean", v)
}

// argIntOpt reads an optional integer in [min, max]; undefined and null give
// def.
func argIntOpt(v js.Value, name string, def, min, max int) (int, error) {
	if isNullish(v) {
		return def, nil
	}
	if v.Type() != js.TypeNumber {
		return 0, badArg(name, "a number", v)
	}
	f := v.Float()
	if f != math.Trunc(f) || f < float64(min) || f > float64(max) {
		return 0, core.ClientError(name + " must be an integer from " + itoa(min) + " to " + itoa(max))
	}
	return int(f), nil
}

// argFunctionOpt reads an optional function argument; ok is false for
// undefined and null.
func argFunctionOpt(v js.Value, name string) (fn js.Value, ok bool, err error) {
	if isNullish(v) {
		return js.Undefined(), false, nil
	}
	if v.Type() != js.TypeFunction {
		return js.Undefined(), false, badArg(name, "a function", v)
	}
	return v, true, nil
}
