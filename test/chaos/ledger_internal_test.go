package chaos

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLedgerCounts checks the suite's own arithmetic on a made-up
// history, so that a zero in the table means what it says. It runs
// without FLOO_CHAOS.
func TestLedgerCounts(t *testing.T) {
	l := newLedger("r1")
	post := func(side string, seq int, cmid string) {
		l.requested("p", side, seq)
		l.posted("p", side, seq, cmid, nil)
	}
	// Baseline: a1 sent and delivered; a2's status arrives before its post
	// is recorded, then it is delivered twice.
	post("a", 1, "11")
	l.status("p", "a", "11", true, "")
	l.received("p", l.payload("p", "a", 1))
	l.status("p", "a", "12", true, "")
	post("a", 2, "12")
	l.received("p", l.payload("p", "a", 2))
	l.received("p", l.payload("p", "a", 2))

	l.beginPhase("cut")
	faultEnd := time.Now()
	l.faultEnded()
	post("a", 3, "13") // sent, never delivered: lost
	l.status("p", "a", "13", true, "")
	post("a", 4, "14") // failed, yet delivered
	l.status("p", "a", "14", false, "RATE 20")
	l.received("p", l.payload("p", "a", 4))
	post("a", 5, "15") // sent and delivered
	l.status("p", "a", "15", true, "")
	l.received("p", l.payload("p", "a", 5))
	post("b", 1, "21")       // never answered: unacked
	l.requested("p", "b", 2) // the client never took it
	l.requested("p", "b", 3)
	l.posted("p", "b", 3, "", errors.New("not logged in"))
	l.received("p", "hello")
	ok, why := l.settled()
	assert.False(t, ok)
	assert.Equal(t, "2 unacknowledged, 1 acknowledged but not delivered", why)

	// a3 arrives last, after a5: reordered, not lost.
	l.received("p", l.payload("p", "a", 3))

	rows := l.rows([]string{"p"})
	require.Len(t, rows, 2)
	base, cut := rows[0], rows[1]
	assert.Equal(t, row{scenario: "baseline", pair: "p", posted: 2, acked: 2, dup: 1}, base)
	assert.Equal(t, "cut", cut.scenario)
	assert.Equal(t, 1, cut.faults)
	assert.Equal(t, 6, cut.posted)
	assert.Equal(t, 2, cut.acked, "a3 and a5")
	assert.Equal(t, 0, cut.lost, "a3 arrived in the end")
	assert.Equal(t, 1, cut.reordered, "a3 after a5")
	assert.Equal(t, 2, cut.failed, "a4 by status, b3 at the post")
	assert.Equal(t, 1, cut.failedDelivered)
	assert.Equal(t, 2, cut.unacked, "b1 and b2")
	require.Len(t, cut.recovery, 1)
	assert.GreaterOrEqual(t, cut.recovery[0], time.Duration(0))
	assert.Less(t, cut.recovery[0], time.Since(faultEnd)+time.Millisecond)

	var out strings.Builder
	assert.False(t, l.print(&out, []string{"p"}))
	assert.Contains(t, out.String(), "RATE 20 ×1")
	assert.Contains(t, out.String(), `unexpected delivery "hello"`)
	assert.Contains(t, out.String(), "a3 delivered after a5")

	// A clean history passes.
	l = newLedger("r2")
	post("a", 1, "1")
	l.status("p", "a", "1", true, "")
	l.received("p", l.payload("p", "a", 1))
	ok, _ = l.settled()
	assert.True(t, ok)
	out.Reset()
	assert.True(t, l.print(&out, []string{"p"}), out.String())
}
