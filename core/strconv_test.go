package core

import (
	"errors"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/flooim/floo/internal/lite"
)

// The helpers under test replace strconv and errors functions that cost the
// wasm build size (strconv's quoting tables, errors.As's reflection); these
// tests pin them to the behaviour of the functions they replace.

func TestParseDecimalMatchesStrconv(t *testing.T) {
	inputs := []string{
		"", "0", "7", "007", "42", "+1", "-1", " 1", "1 ", "1_000", "0x10", "1e3", "١",
		"4294967295", "4294967296", "9223372036854775807", "9223372036854775808",
		"18446744073709551615", "18446744073709551616", "99999999999999999999",
	}
	for _, s := range inputs {
		for _, bits := range []int{32, 63, 64} {
			max := uint64(1)<<bits - 1
			if bits == 64 {
				max = 1<<64 - 1
			}
			got, ok := parseDecimal(s, max)
			var want uint64
			var err error
			if bits == 63 {
				var v int64
				v, err = strconv.ParseInt(s, 10, 64)
				if err == nil && v < 0 || len(s) > 0 && (s[0] == '+' || s[0] == '-') {
					err = strconv.ErrSyntax // a sign is not a digit
				}
				want = uint64(v)
			} else {
				want, err = strconv.ParseUint(s, 10, bits)
			}
			assert.Equal(t, err == nil, ok, "%q in %d bits", s, bits)
			if ok {
				assert.Equal(t, want, got, "%q in %d bits", s, bits)
			}
		}
	}
}

func TestAppendQuoted(t *testing.T) {
	// Where strconv.Quote's output needs no Unicode tables, it is the
	// reference: ASCII, C1 controls and invalid UTF-8.
	for _, s := range []string{
		"", "plain", `a"b\c`, "tab\tnl\nbell\a\b\f\v\r", "\x00\x1f\x7f", "\u0085\u009f",
		"\xff", "bad\xe4\xb8", "\xe4\xb8\xad", "mixed\x01é\u4e2d",
	} {
		assert.Equal(t, strconv.Quote(s), string(appendQuoted(nil, s)), "%q", s)
	}
	// Runes strconv deems unprintable from U+00A0 up are kept as they are.
	assert.Equal(t, "\"soft\u00adhyphen\"", string(appendQuoted(nil, "soft\u00adhyphen")))
	assert.Equal(t, `x="a\n"`, string(appendQuoted([]byte("x="), "a\n")))
	assert.True(t, utf8.Valid(appendQuoted(nil, "\xff\xfe")))
}

type timeoutError struct{ timeout bool }

func (e timeoutError) Error() string { return "timeout?" }
func (e timeoutError) Timeout() bool { return e.timeout }

// asTarget is an error whose As method claims to be an *Error, as
// errors.As honours As methods.
type asTarget struct{ e *Error }

func (a asTarget) Error() string { return "as" }
func (a asTarget) As(target any) bool {
	if p, ok := target.(**Error); ok {
		*p = a.e
		return true
	}
	return false
}

func TestErrorChainHelpersMatchErrorsAs(t *testing.T) {
	inner := NewError(UserFrozen, "frozen")
	var nilErr *Error
	chains := []error{
		inner,
		errors.New("plain"),
		WrapError(ServerBusy, SourceTransport, inner),
		errors.Join(errors.New("a"), inner),
		errors.Join(errors.New("a"), errors.New("b")),
		asTarget{e: inner},
		nilErr,
		errors.Join(nilErr, inner),
	}
	for i, err := range chains {
		var want *Error
		wantOK := errors.As(err, &want) && want != nil
		var got *Error
		assert.Equal(t, wantOK, asError(err, &got), "chain %d", i)
		assert.Same(t, want, got, "chain %d", i)
		if wantOK {
			assert.Equal(t, want.Code, CodeOf(err), "chain %d", i)
			assert.Same(t, want, FromTransportError(err), "chain %d", i)
		}
	}
	assert.Equal(t, ServerTimeOut, FromTransportError(timeoutError{timeout: true}).Code)
	assert.Equal(t, ServerTimeOut, FromTransportError(errors.Join(errors.New("x"), timeoutError{timeout: true})).Code)
	assert.Equal(t, ServerConnectFailed, FromTransportError(timeoutError{timeout: false}).Code)
	assert.Equal(t, ServerTimeOut, FromTransportError(lite.DeadlineExceeded).Code)
	assert.Equal(t, UserCancel, FromTransportError(lite.Canceled).Code)
}
