package jsonv

import (
	"iter"
	"math"
	"strconv"
)

// Kind is the JSON type of a Value.
type Kind uint8

// The JSON types. KindNull is the zero Kind: a missing Value reports it too.
const (
	KindNull Kind = iota
	KindBool
	KindNumber
	KindString
	KindArray
	KindObject
)

var kindNames = [...]string{"null", "bool", "number", "string", "array", "object"}

// String returns the lower-case JSON name of k ("null", "object", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is an immutable JSON value; see the package doc for the missing
// value, number text and duplicate keys. Copying a Value is cheap: it shares
// its elements with the original.
type Value struct {
	// s holds the decoded text of a string, the source text of a number, or
	// the key of an object member (see kids).
	s string
	// kids holds the elements of an array, or the members of an object as
	// alternating key (a KindString Value) and value. Interleaving keeps Value
	// small: one slice serves both container kinds.
	kids    []Value
	kind    Kind
	b       bool // the value of a KindBool
	present bool // false only for the missing (zero) Value
}

// Member is one key/value pair of an object, used to build objects with
// Object.
type Member struct {
	Key   string
	Value Value
}

// Field returns the Member {key, v}; it keeps Object calls short and avoids
// unkeyed composite literals in callers.
func Field(key string, v Value) Member { return Member{Key: key, Value: v} }

// Null returns a JSON null. Unlike the zero Value, it exists.
func Null() Value { return Value{present: true} }

// Bool returns true or false.
func Bool(b bool) Value { return Value{kind: KindBool, b: b, present: true} }

// String returns a JSON string holding s. Invalid UTF-8 in s is replaced with
// U+FFFD when encoded.
func String(s string) Value { return Value{kind: KindString, s: s, present: true} }

// Int returns a JSON number holding i exactly.
func Int(i int64) Value {
	return Value{kind: KindNumber, s: strconv.FormatInt(i, 10), present: true}
}

// Uint returns a JSON number holding u exactly.
func Uint(u uint64) Value {
	return Value{kind: KindNumber, s: strconv.FormatUint(u, 10), present: true}
}

// Float returns a JSON number holding f in its shortest round-trip form,
// formatted like JavaScript's Number.prototype.toString (plain digits from
// 1e-6 up to 1e21, exponent form outside). JSON has no NaN or infinity: they
// become null.
func Float(f float64) Value {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Null()
	}
	return Value{kind: KindNumber, s: string(appendFloat(nil, f)), present: true}
}

func appendFloat(b []byte, f float64) []byte {
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(b, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// Raw returns the value encoded by the JSON text, or the missing Value if
// text is not valid JSON (use ParseString to learn why). It is meant for
// literals, such as a number too large for int64 or a fixed sub-document.
func Raw(text string) Value {
	v, err := ParseString(text)
	if err != nil {
		return Value{}
	}
	return v
}

// Array returns an array of the given elements. The slice is copied; missing
// elements are stored as null.
func Array(elems ...Value) Value {
	kids := make([]Value, len(elems))
	for i, e := range elems {
		kids[i] = orNull(e)
	}
	return Value{kind: KindArray, kids: kids, present: true}
}

// Object returns an object with the given members in order. Repeated keys
// are kept, as Parse keeps them (Get returns the last); missing values are
// stored as null.
func Object(members ...Member) Value {
	kids := make([]Value, 2*len(members))
	for i, m := range members {
		kids[2*i] = keyValue(m.Key)
		kids[2*i+1] = orNull(m.Value)
	}
	return Value{kind: KindObject, kids: kids, present: true}
}

func keyValue(k string) Value { return Value{kind: KindString, s: k, present: true} }

func orNull(v Value) Value {
	if !v.present {
		return Null()
	}
	return v
}

// Kind returns the JSON type of v; KindNull for a missing value.
func (v Value) Kind() Kind { return v.kind }

// Exists reports whether v is a real value (possibly null) rather than the
// missing Value returned by a failed lookup.
func (v Value) Exists() bool { return v.present }

// Get returns the member named key of an object, the last one if the key
// repeats. It returns the missing Value if v is not an object or has no such
// member. Lookup is a linear scan, which beats a map for the small objects
// of this protocol; iterate with Members to visit every member of a large one.
func (v Value) Get(key string) Value {
	if v.kind != KindObject {
		return Value{}
	}
	for i := len(v.kids) - 2; i >= 0; i -= 2 {
		if v.kids[i].s == key {
			return v.kids[i+1]
		}
	}
	return Value{}
}

// GetPath follows path from v: a segment selects an object member by key, or
// an array element by its decimal index. A missing step yields the missing
// Value.
func (v Value) GetPath(path ...string) Value {
	for _, seg := range path {
		switch v.kind {
		case KindObject:
			v = v.Get(seg)
		case KindArray:
			// Indexes are plain digits: no sign, no leading '+'.
			i, ok := parseDigits(seg)
			if !ok || i >= uint64(len(v.kids)) {
				return Value{}
			}
			v = v.kids[i]
		default:
			return Value{}
		}
	}
	return v
}

// Index returns element i of an array, or the missing Value if v is not an
// array or i is out of range.
func (v Value) Index(i int) Value {
	if v.kind != KindArray || i < 0 || i >= len(v.kids) {
		return Value{}
	}
	return v.kids[i]
}

// Len returns the number of elements of an array or members of an object
// (repeated keys counted each time), and 0 for any other value.
func (v Value) Len() int {
	switch v.kind {
	case KindArray:
		return len(v.kids)
	case KindObject:
		return len(v.kids) / 2
	}
	return 0
}

// Members iterates over the members of an object in order, repeated keys
// included. It yields nothing for other values.
func (v Value) Members() iter.Seq2[string, Value] {
	return func(yield func(string, Value) bool) {
		if v.kind != KindObject {
			return
		}
		for i := 0; i+1 < len(v.kids); i += 2 {
			if !yield(v.kids[i].s, v.kids[i+1]) {
				return
			}
		}
	}
}

// Elements iterates over the elements of an array with their indexes. It
// yields nothing for other values.
func (v Value) Elements() iter.Seq2[int, Value] {
	return func(yield func(int, Value) bool) {
		if v.kind != KindArray {
			return
		}
		for i, e := range v.kids {
			if !yield(i, e) {
				return
			}
		}
	}
}

// Str returns the text of a string value; ok is false for any other kind.
func (v Value) Str() (s string, ok bool) {
	if v.kind != KindString {
		return "", false
	}
	return v.s, true
}

// Bool returns the value of a JSON boolean; ok is false for any other kind.
func (v Value) Bool() (b, ok bool) {
	if v.kind != KindBool {
		return false, false
	}
	return v.b, true
}

// Int64 returns a number as an int64 if its value is an integer in range,
// whatever its spelling: 12, 1.2e1 and 12.0 all give 12, exactly. ok is false
// for fractions, out-of-range numbers and other kinds.
func (v Value) Int64() (int64, bool) {
	if v.kind != KindNumber {
		return 0, false
	}
	return numberInt64(v.s)
}

// Uint64 is Int64 for unsigned values, reaching 2^64-1. "-0" gives 0.
func (v Value) Uint64() (uint64, bool) {
	if v.kind != KindNumber {
		return 0, false
	}
	return numberUint64(v.s)
}

// Float64 returns a number as the nearest float64. ok is false for other
// kinds and for numbers beyond the float64 range.
func (v Value) Float64() (float64, bool) {
	if v.kind != KindNumber {
		return 0, false
	}
	f, err := strconv.ParseFloat(v.s, 64)
	return f, err == nil
}

// AsInt64 is Int64 that also accepts a string holding a JSON number, such
// as "42" (REST.md §2.3). Surrounding spaces and '+' signs are not accepted.
func (v Value) AsInt64() (int64, bool) {
	switch v.kind {
	case KindNumber:
		return numberInt64(v.s)
	case KindString:
		if isNumber(v.s) {
			return numberInt64(v.s)
		}
	}
	return 0, false
}

// AsUint64 is Uint64 that also accepts a string holding a JSON number.
func (v Value) AsUint64() (uint64, bool) {
	switch v.kind {
	case KindNumber:
		return numberUint64(v.s)
	case KindString:
		if isNumber(v.s) {
			return numberUint64(v.s)
		}
	}
	return 0, false
}

// AsBool is Bool that also accepts the strings "true" and "false"
// (REST.md §2.3).
func (v Value) AsBool() (b, ok bool) {
	switch v.kind {
	case KindBool:
		return v.b, true
	case KindString:
		switch v.s {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// AsString returns v as text: a string as is, a number in its source
// spelling, a boolean as "true" or "false", and an array or object as its
// compact JSON (some servers send an object where the spec says a JSON
// string, as for `ext`). ok is false for null and missing values.
func (v Value) AsString() (string, bool) {
	switch v.kind {
	case KindString, KindNumber:
		return v.s, true
	case KindBool:
		if v.b {
			return "true", true
		}
		return "false", true
	case KindArray, KindObject:
		return v.String(), true
	}
	return "", false
}

// Set returns a copy of the object v with key set to val. Members keep
// their positions and a new key goes last; repeated keys are collapsed, the
// last occurrence winning as for Get. If v is not an object, Set starts from
// an empty one, so Value{}.Set("a", x) builds {"a": x}. A missing val is
// stored as null.
func (v Value) Set(key string, val Value) Value {
	var b objectBuilder
	if v.kind == KindObject {
		b.kids = make([]Value, 0, len(v.kids)+2)
		for i := 0; i+1 < len(v.kids); i += 2 {
			b.set(v.kids[i].s, v.kids[i+1])
		}
	}
	b.set(key, orNull(val))
	return Value{kind: KindObject, kids: b.kids, present: true}
}

// Delete returns a copy of the object v without any member named key. A
// non-object or an object without key is returned unchanged.
func (v Value) Delete(key string) Value {
	if v.kind != KindObject {
		return v
	}
	n := 0
	for i := 0; i < len(v.kids); i += 2 {
		if v.kids[i].s == key {
			n++
		}
	}
	if n == 0 {
		return v
	}
	kids := make([]Value, 0, len(v.kids)-2*n)
	for i := 0; i+1 < len(v.kids); i += 2 {
		if v.kids[i].s != key {
			kids = append(kids, v.kids[i], v.kids[i+1])
		}
	}
	return Value{kind: KindObject, kids: kids, present: true}
}
