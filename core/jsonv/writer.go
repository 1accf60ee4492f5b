package jsonv

import (
	"math"
	"strconv"
)

// Writer builds a JSON document incrementally into a byte slice, inserting
// the commas and colons itself:
//
//	var w jsonv.Writer
//	w.BeginObject()
//	w.Key("user_list")
//	w.BeginArray()
//	w.Int(1)
//	w.Int(2)
//	w.EndArray()
//	w.EndObject()
//	body := w.Bytes() // {"user_list":[1,2]}
//
// The zero Writer is ready to use. A Writer does not check that calls are
// balanced or that keys appear only inside objects: the sequence of calls is
// the caller's code, not untrusted input, and tests catch mistakes. A Writer
// must not be used from several goroutines at once.
type Writer struct {
	buf []byte
	// comma is true when the next value or key follows a sibling and needs
	// a separating comma. One flag suffices for any nesting: opening a
	// container or writing a key clears it, and closing a container leaves
	// a finished value behind, which sets it.
	comma bool
}

// Bytes returns the document written so far. It aliases the Writer's buffer
// until the next write or Reset.
func (w *Writer) Bytes() []byte { return w.buf }

// Reset empties the Writer, keeping its buffer for reuse.
func (w *Writer) Reset() {
	w.buf = w.buf[:0]
	w.comma = false
}

func (w *Writer) sep() {
	if w.comma {
		w.buf = append(w.buf, ',')
	}
	w.comma = true
}

// BeginObject writes '{'.
func (w *Writer) BeginObject() {
	w.sep()
	w.buf = append(w.buf, '{')
	w.comma = false
}

// EndObject writes '}'.
func (w *Writer) EndObject() {
	w.buf = append(w.buf, '}')
	w.comma = true
}

// BeginArray writes '['.
func (w *Writer) BeginArray() {
	w.sep()
	w.buf = append(w.buf, '[')
	w.comma = false
}

// EndArray writes ']'.
func (w *Writer) EndArray() {
	w.buf = append(w.buf, ']')
	w.comma = true
}

// Key writes an object key and its colon; the member's value comes next.
func (w *Writer) Key(k string) {
	w.sep()
	w.buf = AppendString(w.buf, k)
	w.buf = append(w.buf, ':')
	w.comma = false
}

// String writes a string value, escaped as AppendString does.
func (w *Writer) String(s string) {
	w.sep()
	w.buf = AppendString(w.buf, s)
}

// Int writes an integer value.
func (w *Writer) Int(i int64) {
	w.sep()
	w.buf = strconv.AppendInt(w.buf, i, 10)
}

// Uint writes an unsigned integer value.
func (w *Writer) Uint(u uint64) {
	w.sep()
	w.buf = strconv.AppendUint(w.buf, u, 10)
}

// Float writes a number as Float formats it; NaN and infinities become null.
func (w *Writer) Float(f float64) {
	w.sep()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.buf = append(w.buf, "null"...)
		return
	}
	w.buf = appendFloat(w.buf, f)
}

// Bool writes true or false.
func (w *Writer) Bool(b bool) {
	w.sep()
	if b {
		w.buf = append(w.buf, "true"...)
	} else {
		w.buf = append(w.buf, "false"...)
	}
}

// Null writes null.
func (w *Writer) Null() {
	w.sep()
	w.buf = append(w.buf, "null"...)
}

// Raw writes json verbatim as one value. It is not validated, so it is for
// text this program produced or already parsed (for text from elsewhere, use
// Value(Raw(text)) or check it with ParseString first). Empty json writes
// null, so a forgotten value cannot break the document's structure.
func (w *Writer) Raw(json string) {
	w.sep()
	if json == "" {
		json = "null"
	}
	w.buf = append(w.buf, json...)
}

// Value writes v as AppendJSON encodes it.
func (w *Writer) Value(v Value) {
	w.sep()
	w.buf = v.appendJSON(w.buf)
}
