package xsync

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatusErr(t *testing.T) {
	assert.NoError(t, (*Status)(nil).Err(), "absent status is OK")
	assert.NoError(t, (&Status{}).Err(), "code 0 is OK")
	assert.NoError(t, (&Status{Code: StatusOK, Reason: "ignored"}).Err())

	err := (&Status{Code: StatusUnauthorized, Reason: ReasonNotLoggedIn}).Err()
	require.Error(t, err)
	assert.EqualError(t, err, "xsync: status UNAUTHORIZED: you must login first")
	var xe *Error
	require.True(t, errors.As(err, &xe))
	assert.Equal(t, StatusUnauthorized, xe.Code)
	assert.Equal(t, ReasonNotLoggedIn, xe.Reason)

	assert.EqualError(t, (&Status{Code: 77}).Err(), "xsync: status 77")
}

func TestErrorIsMatchesByCode(t *testing.T) {
	err := (&Status{Code: StatusInvalidToken, Reason: "expired"}).Err()
	assert.ErrorIs(t, err, &Error{Code: StatusInvalidToken})
	assert.ErrorIs(t, err, &Error{Code: StatusInvalidToken, Reason: "other reason"})
	assert.NotErrorIs(t, err, &Error{Code: StatusUnauthorized})
	assert.NotErrorIs(t, err, ErrTruncated)
	wrapped := &wrapError{err: err, msg: "login: " + err.Error()}
	assert.ErrorIs(t, wrapped, &Error{Code: StatusInvalidToken})
	assert.False(t, (&Error{Code: StatusFail}).Is((*Error)(nil)))
}

func TestTemporary(t *testing.T) {
	temporary := map[StatusCode]bool{StatusFail: true, StatusRateLimitExceeded: true, 21: true, 1000: true, -1: true}
	for c := StatusCode(-2); c <= 25; c++ {
		want := temporary[c] || c > 20 || c < 0
		assert.Equal(t, want, c.Temporary(), c.String())
		assert.Equal(t, want, (&Error{Code: c}).Temporary(), c.String())
	}
	// The interface callers test for.
	var tmp interface{ Temporary() bool }
	require.True(t, errors.As((&Status{Code: StatusRateLimitExceeded}).Err(), &tmp))
	assert.True(t, tmp.Temporary())
}

// TestLoginClass checks the table of ERRORS.md §2 as written in codes.go.
func TestLoginClass(t *testing.T) {
	want := map[StatusCode]LoginClass{
		0: LoginOK, 1: LoginOK,
		2: LoginRetryable, 3: LoginTerminal, 4: LoginTerminal, 5: LoginTerminal,
		6: LoginRecoverable, 7: LoginRecoverable, 8: LoginTerminal, 9: LoginTerminal,
		10: LoginTerminal, 11: LoginTerminal, 12: LoginTerminal, 13: LoginTerminal,
		14: LoginTerminal, 15: LoginRecoverable, 16: LoginTerminal, 17: LoginTerminal,
		18: LoginTerminal, 19: LoginTerminal, 20: LoginRetryable, 21: LoginRetryable,
		500: LoginRetryable, -5: LoginRetryable,
	}
	for c, w := range want {
		assert.Equal(t, w, c.LoginClass(), c.String())
		assert.Equal(t, w, (&Status{Code: c}).LoginClass(), c.String())
	}
	assert.Equal(t, LoginRecoverable, (&Status{Code: StatusUnauthorized, Reason: ReasonNotLoggedIn}).LoginClass())
	assert.Equal(t, LoginTerminal, (&Status{Code: StatusUnauthorized, Reason: "You must login first"}).LoginClass(), "exact match only")
	assert.Equal(t, LoginOK, (*Status)(nil).LoginClass())
	assert.Equal(t, "terminal", LoginTerminal.String())
	assert.Equal(t, "LoginClass(9)", LoginClass(9).String())
}

func TestStatusCodeHelpers(t *testing.T) {
	assert.True(t, StatusUnknown.OK())
	assert.True(t, StatusOK.OK())
	assert.False(t, StatusFail.OK())
	assert.True(t, StatusRateLimitExceeded.Known())
	assert.False(t, StatusCode(21).Known())
	assert.False(t, StatusCode(-1).Known())
	assert.Equal(t, "RATE_LIMIT_EXCEEDED", StatusRateLimitExceeded.String())
	assert.Equal(t, "21", StatusCode(21).String())
}
