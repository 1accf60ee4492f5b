//go:build !js

package integration

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/native"
)

// TestServerRestartMidConversation restarts the server while alice has
// sends in flight whose acks were lost, and sends more while she cannot
// reach it. After she reconnects, her outbox is written again with the
// same client_mids: the server stores the new ones and deduplicates the
// others (PROTOCOL.md §7.3, §7.5), so bob sees every message exactly once.
func TestServerRestartMidConversation(t *testing.T) {
	env := startServer(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	a, b := newClient(t, env, clientOptions{}), newClient(t, env, clientOptions{})
	a.login(t, alice)
	b.login(t, bob)
	ctx := ctxFor(t)

	bm := b.rec.mark()
	_, err := a.SendMessage(ctx, text(bob.ID, "m0"))
	require.NoError(t, err)
	b.waitContent(t, bm, alice.ID, "m0")

	// 1. m1..m3 reach the server and bob, but alice never reads the acks.
	a.dialer.dropInbound.Store(true)
	var cmids []uint64
	for _, s := range []string{"m1", "m2", "m3"} {
		id, err := a.PostMessage(text(bob.ID, s))
		require.NoError(t, err)
		cmids = append(cmids, id)
	}
	first := map[string]uint64{}
	for _, s := range []string{"m1", "m2", "m3"} {
		first[s] = b.waitContent(t, bm, alice.ID, s).ID
	}
	pending, err := a.PendingSends(ctx)
	require.NoError(t, err)
	assert.Equal(t, cmids, pending, "unacknowledged sends stay in the outbox")

	// 2. The server restarts; alice cannot reconnect yet.
	am := a.rec.mark()
	a.dialer.block()
	dialsBefore := a.dialer.dials.Load()
	env.Restart(t)
	a.rec.wait(t, am, "alice notices the drop", func(ev core.Event) bool {
		s, ok := ev.(core.StateChanged)
		return ok && s.State == core.StateReconnecting
	})
	a.dialer.dropInbound.Store(false)

	// 3. Sends during the outage wait in the outbox.
	for _, s := range []string{"m4", "m5"} {
		id, err := a.PostMessage(text(bob.ID, s))
		require.NoError(t, err)
		cmids = append(cmids, id)
	}
	pending, err = a.PendingSends(ctx)
	require.NoError(t, err)
	assert.Equal(t, cmids, pending)
	assert.NotEqual(t, core.StateConnected, a.State())

	// 4. The network comes back: everything is acknowledged, in order.
	a.dialer.open()
	a.rec.wait(t, am, "reconnect", func(ev core.Event) bool {
		s, ok := ev.(core.LoginSuccess)
		return ok && s.Reconnect
	})
	assert.Greater(t, a.dialer.dials.Load(), dialsBefore)
	acks := make([]core.SendingStatus, len(cmids))
	for i, id := range cmids {
		acks[i] = a.rec.wait(t, am, "ack", isSent(id)).(core.SendingStatus)
	}
	for i, s := range []string{"m1", "m2", "m3"} {
		assert.Equal(t, first[s], acks[i].Message.ID, "the repeated send of %s is acknowledged with its original id", s)
	}
	pending, err = a.PendingSends(ctx)
	require.NoError(t, err)
	assert.Empty(t, pending)

	b.waitContent(t, bm, alice.ID, "m4")
	b.waitContent(t, bm, alice.ID, "m5")
	_, err = a.SendMessage(ctx, text(bob.ID, "end"))
	require.NoError(t, err)
	b.waitContent(t, bm, alice.ID, "end")
	count := map[string]int{}
	var order []string
	for _, m := range b.received(bm, alice.ID) {
		count[m.Content]++
		order = append(order, m.Content)
	}
	assert.Equal(t, []string{"m0", "m1", "m2", "m3", "m4", "m5", "end"}, order, "each message exactly once, in order")
	for s, n := range count {
		assert.Equal(t, 1, n, "%s delivered %d times", s, n)
	}
	assert.Equal(t, core.StateConnected, b.State(), "bob reconnected by himself")
}

// TestKickBySameDevice: a second installation with a copy of the first
// one's storage is the same device; logging it in kicks the first, which
// must stop for good (PROTOCOL.md §4.7 step 5, ERRORS.md §6.2).
func TestKickBySameDevice(t *testing.T) {
	env := startServer(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	first := newClient(t, env, clientOptions{})
	first.login(t, alice)
	sn := first.DeviceSN()

	copyDir := t.TempDir()
	raw, err := os.ReadFile(filepath.Join(first.dir, native.StorageFile))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(copyDir, native.StorageFile), raw, 0o600))

	fm := first.rec.mark()
	second := newClient(t, env, clientOptions{dir: copyDir})
	second.login(t, alice)
	assert.Equal(t, sn, second.DeviceSN(), "same device_guid, same deviceSN")

	ev := first.rec.wait(t, fm, "kick", func(ev core.Event) bool {
		s, ok := ev.(core.SessionError)
		return ok && s.Err != nil && s.Err.Code == core.UserKickedBySameDevice
	}).(core.SessionError)
	assert.False(t, ev.Err.Temporary)
	first.rec.wait(t, fm, "session ended", func(ev core.Event) bool {
		s, ok := ev.(core.StateChanged)
		return ok && s.State == core.StateIdle
	})
	assert.False(t, first.IsLogin())
	_, ok := first.store.Get("floo.token")
	assert.False(t, ok, "the kicked installation forgets its token: no auto-login into a kick loop")
	dials := first.dialer.dials.Load()

	// The second one works; by the time a message got through, the first
	// would have tried to reconnect if it were going to.
	b := newClient(t, env, clientOptions{})
	b.login(t, bob)
	sm := second.rec.mark()
	_, err = b.SendMessage(ctxFor(t), text(alice.ID, "who is there?"))
	require.NoError(t, err)
	second.waitContent(t, sm, bob.ID, "who is there?")
	assert.Equal(t, core.StateConnected, second.State())
	assert.Equal(t, core.StateIdle, first.State())
	assert.Equal(t, dials, first.dialer.dials.Load(), "no reconnect after KICK_BY_SAME_DEVICE")
	for _, e := range first.rec.events(fm) {
		_, isMsg := messageOf(e)
		assert.False(t, isMsg, "the kicked client receives nothing more")
	}
}
