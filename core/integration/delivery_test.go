//go:build !js

package integration

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/server/fireplace"
)

// TestQueuedOutboxUnderTheServerLimit: 1,000 sends queued while alice is
// disconnected are written after the reconnect, paced by the client
// (40/s, burst 50), to a reference server keeping its default send limit
// (50/s, burst 100): none is refused, and bob receives each once, in
// order (PROTOCOL.md §7.5).
func TestQueuedOutboxUnderTheServerLimit(t *testing.T) {
	const n = 1000
	env := startServerWith(t, func(cfg *fireplace.Config) { cfg.SendRate = 0 })
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	a, b := newClient(t, env, clientOptions{}), newClient(t, env, clientOptions{})
	a.login(t, alice)
	b.login(t, bob)

	a.Disconnect()
	require.Eventually(t, func() bool { return a.State() == core.StateDisconnected }, waitTimeout, time.Millisecond)
	want := make(map[uint64]bool, n)
	for i := 0; i < n; i++ {
		cmid, err := a.PostMessage(text(bob.ID, fmt.Sprintf("q%04d", i)))
		require.NoError(t, err)
		want[cmid] = true
	}
	am, bm := a.rec.mark(), b.rec.mark()
	a.Reconnect()
	// About 24 s at the pacing rate: wait in steps, each with its own
	// bound, so that a slow machine is not mistaken for a hang.
	for k := 100; k <= n; k += 100 {
		a.rec.waitN(t, am, k, "acks", func(ev core.Event) bool {
			s, ok := ev.(core.SendingStatus)
			return ok && s.Status == core.SendStatusSent && want[s.Mid]
		})
	}
	for _, ev := range a.rec.events(am) {
		if s, ok := ev.(core.SendingStatus); ok {
			assert.NotEqual(t, core.SendStatusFailed, s.Status, "send %d", s.Mid)
		}
	}
	assert.Zero(t, a.dialer.refusals.Load(), "no send refused")

	for k := 100; k <= n; k += 100 {
		b.rec.waitN(t, bm, k, "messages", func(ev core.Event) bool {
			m, ok := messageOf(ev)
			return ok && m.From == uint64(alice.ID)
		})
	}
	// A last message closes the stream: anything redelivered would come
	// before it.
	_, err := a.SendMessage(ctxFor(t), text(bob.ID, "sentinel"))
	require.NoError(t, err)
	b.waitContent(t, bm, alice.ID, "sentinel")
	got := b.received(bm, alice.ID)
	require.Len(t, got, n+1)
	seen := make(map[uint64]bool, n)
	for i, m := range got[:n] {
		assert.Equal(t, fmt.Sprintf("q%04d", i), m.Content, "message %d out of order", i)
		assert.False(t, seen[m.ID], "duplicate id %d", m.ID)
		seen[m.ID] = true
	}
}
