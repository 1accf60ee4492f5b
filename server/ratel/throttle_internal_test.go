package ratel

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestLoginThrottleMemory: failures are forgotten a day after the last
// one, and invented identifiers cannot grow the table without bound while
// real accounts are always tracked.
func TestLoginThrottleMemory(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newLoginThrottle(1, time.Second, time.Minute, func() time.Time { return now })
	l.fail(accountKey(1), true)
	l.fail(accountKey(1), true)
	assert.Equal(t, time.Second, l.wait(accountKey(1)))
	assert.Zero(t, l.wait(accountKey(2)))

	now = now.Add(throttleForget + 2*time.Minute)
	l.fail(identifierKey("name", "x"), false) // sweeps
	assert.NotContains(t, l.entries, accountKey(1), "forgotten after a day")

	for i := range throttleMaxUnknown + 10 {
		l.fail(identifierKey("name", "n"+strconv.Itoa(i)), false)
	}
	assert.LessOrEqual(t, l.unknown, throttleMaxUnknown)
	l.fail(accountKey(3), true)
	l.fail(accountKey(3), true)
	assert.Positive(t, l.wait(accountKey(3)), "accounts are tracked whatever the flood")

	// A locked unknown identifier survives a forced sweep; unlocked ones go.
	l.fail(identifierKey("name", "locked"), false)
	l.fail(identifierKey("name", "locked"), false)
	l.sweep(now, true)
	assert.Positive(t, l.wait(identifierKey("name", "locked")))
	assert.Equal(t, 1, l.unknown)
	assert.Equal(t, identifierKey("name", "Bob "), identifierKey("name", "bob"), "names fold as user names do")
}
