package jsonv

import (
	"errors"
	"strconv"
)

// MaxDepth is the deepest nesting of arrays and objects Parse accepts. Real
// documents stay below ten levels; the limit bounds the parser's recursion on
// hostile input.
const MaxDepth = 256

var (
	// ErrSyntax is matched (with errors.Is) by every error for input that is
	// not valid JSON.
	ErrSyntax = errors.New("jsonv: syntax error")
	// ErrTooDeep is matched by the error for input nested deeper than
	// MaxDepth. It is not an ErrSyntax: the input may be valid JSON.
	ErrTooDeep = errors.New("jsonv: nesting deeper than " + strconv.Itoa(MaxDepth))
)

// ParseError describes why and where Parse rejected its input.
type ParseError struct {
	_ noCompare
	// Offset is the byte offset in the input of the first byte that could
	// not be accepted; for truncated input it is the input's length.
	Offset int
	// Msg says what was wrong, without the "jsonv: " prefix or the offset.
	Msg string
	// err is ErrSyntax or ErrTooDeep.
	err error
}

// Error returns "jsonv: <Msg> at offset <Offset>". It is built with strconv
// because fmt is not allowed in the wasm build.
func (e *ParseError) Error() string {
	return "jsonv: " + e.Msg + " at offset " + strconv.Itoa(e.Offset)
}

// Unwrap returns ErrSyntax or ErrTooDeep, so callers can tell them apart with
// errors.Is.
func (e *ParseError) Unwrap() error { return e.err }

// noCompare, as the first field of a struct, makes it not comparable with
// ==, so no equality function is linked for it.
type noCompare [0]func()
