package xsync

import (
	"errors"
	"strconv"
)

// Sentinel errors. Decode errors wrap one of the first six and name the
// message and field where decoding stopped, e.g.
// "xsync: truncated input at SyncDL.metas[3].from.uid"; test them with
// errors.Is.
var (
	// ErrTruncated: the input ends inside a tag, varint or fixed-size value.
	ErrTruncated = errors.New("xsync: truncated input")
	// ErrOverflow: a varint is longer than 10 bytes or exceeds 64 bits.
	ErrOverflow = errors.New("xsync: varint overflows 64 bits")
	// ErrWireType: a known field has the wrong wire type, or a wire type is
	// invalid (6 or 7).
	ErrWireType = errors.New("xsync: wrong wire type")
	// ErrFieldNumber: a field number is 0 or out of range.
	ErrFieldNumber = errors.New("xsync: invalid field number")
	// ErrTooLarge: a declared length runs past the end of the input.
	ErrTooLarge = errors.New("xsync: length exceeds input")
	// ErrGroup: an unknown group is unterminated, mismatched or nested too
	// deeply, or an end-group tag appears outside a group.
	ErrGroup = errors.New("xsync: malformed group")

	// ErrCommand: a Frame payload accessor was called on a frame whose
	// Command carries another payload.
	ErrCommand = errors.New("xsync: frame command does not match payload")
	// ErrNamespace: a Meta payload accessor was called on a meta whose Ns
	// carries another payload.
	ErrNamespace = errors.New("xsync: meta namespace does not match payload")
	// ErrInvalidID: ParseID was given something other than a decimal uint64.
	ErrInvalidID = errors.New("xsync: invalid id")
)

// Error is a non-OK Status reported by the server. errors.Is matches two
// *Error values by Code alone, so
//
//	errors.Is(err, &xsync.Error{Code: xsync.StatusInvalidToken})
//
// holds for any INVALID_TOKEN reply whatever its reason.
type Error struct {
	Code   StatusCode
	Reason string
}

// Error returns "xsync: status NAME" followed by the reason, if any.
func (e *Error) Error() string {
	s := "xsync: status " + e.Code.String()
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && t.Code == e.Code
}

// Temporary reports whether retrying later may succeed (see StatusCode.Temporary).
func (e *Error) Temporary() bool { return e.Code.Temporary() }

// Err returns nil when s means success (nil, code 0 or OK, ERRORS.md §2) and
// an *Error carrying s's code and reason otherwise.
func (s *Status) Err() error {
	if s == nil || s.Code.OK() {
		return nil
	}
	return &Error{Code: s.Code, Reason: s.Reason}
}

// wrapError decorates a sentinel with a message while keeping it matchable
// by errors.Is. It exists because this package may not use fmt.
type wrapError struct {
	err error
	msg string
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }

// decodeError is a decode failure: a sentinel plus the path of fields that
// were being decoded, built innermost first while the error unwinds.
type decodeError struct {
	err  error
	path string
}

func (e *decodeError) Error() string {
	if e.path == "" {
		return e.err.Error()
	}
	return e.err.Error() + " at " + e.path
}

func (e *decodeError) Unwrap() error { return e.err }

// inField prefixes the path of err with a field name (and the index of the
// element when idx >= 0) as the error leaves that field's decoder.
func inField(err error, name string, idx int) error {
	if idx >= 0 {
		name += "[" + strconv.Itoa(idx) + "]"
	}
	if de, ok := err.(*decodeError); ok {
		if de.path == "" {
			de.path = name
		} else {
			de.path = name + "." + de.path
		}
		return de
	}
	return &decodeError{err: err, path: name}
}

// inUnknownField is inField for a field number this schema does not know.
func inUnknownField(err error, num int) error {
	return inField(err, "#"+strconv.Itoa(num), -1)
}
