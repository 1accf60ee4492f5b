package fireplace_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/fireplace"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/xsync"
)

// startPush runs a server whose gateway pushes pages (the default outside
// these tests: push.go).
func startPush(t *testing.T) *harness {
	return start(t, func(c *fireplace.Config) { c.NoPush = false })
}

// takePage waits for a sync page of stream (not a send result).
func takePage(t *testing.T, c *xsynctest.Client, stream int64) *xsync.SyncDL {
	t.Helper()
	f, err := c.Take(10*time.Second, func(f *xsync.Frame) bool {
		if f.Command != xsync.CommandSync {
			return false
		}
		dl, err := f.SyncDL()
		return err == nil && dl.ClientMid == 0 && !dl.IsFullSync && dl.Xid != nil && dl.Xid.Uid == uint64(stream)
	})
	require.NoError(t, err, "no page of %d", stream)
	dl, err := f.SyncDL()
	require.NoError(t, err)
	require.Equal(t, xsync.StatusOK, dl.Status.Code)
	return dl
}

// maybePage returns a page of stream arriving within 200 ms, or nil.
func maybePage(t *testing.T, c *xsynctest.Client, stream int64) *xsync.SyncDL {
	t.Helper()
	f, err := c.Take(200*time.Millisecond, func(f *xsync.Frame) bool {
		if f.Command != xsync.CommandSync {
			return false
		}
		dl, err := f.SyncDL()
		return err == nil && dl.ClientMid == 0 && !dl.IsFullSync && dl.Xid != nil && dl.Xid.Uid == uint64(stream)
	})
	if xsynctest.IsTimeout(err) {
		return nil
	}
	require.NoError(t, err)
	dl, err := f.SyncDL()
	require.NoError(t, err)
	return dl
}

// TestPushToIdleStream: a new entry of a stream idle on the connection
// arrives as the page itself, unasked, with a next_key the client
// acknowledges; while that exchange is open, later entries are neither
// noticed nor pushed, the continuation carries them; once it ends, the
// next entry is pushed again.
func TestPushToIdleStream(t *testing.T) {
	t.Parallel()
	h := startPush(t)
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	a := h.login(t, alice, "alice-phone")
	b := h.login(t, bob, "bob-phone")

	one := a.SendOK(xsynctest.Text(bob.ID, "one"))
	dl := takePage(t, b, alice.ID)
	assert.Equal(t, []string{"one"}, contents(t, dl.Metas))
	assert.Equal(t, one.ServerMid, dl.NextKey, "the page is acknowledged like a pulled one")

	two := a.SendOK(xsynctest.Text(bob.ID, "two"))
	noFrame(t, b, 200*time.Millisecond)
	dl = b.Pull(alice.ID, dl.NextKey)
	assert.Equal(t, []string{"two"}, contents(t, dl.Metas))
	assert.Equal(t, two.ServerMid, dl.NextKey)
	dl = b.Pull(alice.ID, dl.NextKey)
	assert.Empty(t, dl.Metas)
	assert.Zero(t, dl.NextKey)
	assert.Zero(t, xsynctest.UnreadMap(b.Unread())[alice.ID], "both were confirmed")

	a.SendOK(xsynctest.Text(bob.ID, "three"))
	dl = takePage(t, b, alice.ID)
	assert.Equal(t, []string{"three"}, contents(t, dl.Metas))
	dl = b.Pull(alice.ID, dl.NextKey)
	assert.Zero(t, dl.NextKey)
	noFrame(t, b, 100*time.Millisecond)
	// The sender's own device gets neither a page nor a Notice of its sends.
	noFrame(t, a, 0)
}

// TestPullCrossingPush: a pull of the client's own that crosses a push of
// the same stream gets what the push did not carry: every entry reaches
// the connection once, in order, and the acknowledgements of both
// exchanges leave nothing unconfirmed.
func TestPullCrossingPush(t *testing.T) {
	t.Parallel()
	h := startPush(t)
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	a := h.login(t, alice, "alice-phone")
	b := h.login(t, bob, "bob-phone")
	for i := range 20 {
		content := "m" + string(rune('a'+i))
		a.SendOK(xsynctest.Text(bob.ID, content))
		// The pull races the push the send started.
		b.Write(xsync.NewSyncFrame(&xsync.SyncUL{Xid: &xsync.XID{Uid: uint64(alice.ID)}}))
		// The pull's reply, and the push unless the pull took everything
		// first (a push with nothing in it is not sent).
		var got []string
		var keys []uint64
		for dl := takePage(t, b, alice.ID); dl != nil; dl = maybePage(t, b, alice.ID) {
			got = append(got, contents(t, dl.Metas)...)
			if dl.NextKey != 0 {
				keys = append(keys, dl.NextKey)
			}
		}
		require.Equal(t, []string{content}, got, "round %d", i)
		for _, k := range keys {
			dl := b.Pull(alice.ID, k)
			require.Empty(t, dl.Metas)
			require.Zero(t, dl.NextKey)
		}
		noFrame(t, b, 0)
	}
	assert.Zero(t, xsynctest.UnreadMap(b.Unread())[alice.ID])
}

// TestNoPushKeepsNotices: with Config.NoPush, a new entry is told with a
// Notice, as before pushes existed.
func TestNoPushKeepsNotices(t *testing.T) {
	t.Parallel()
	h := start(t, func(c *fireplace.Config) { c.NoPush = true })
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	a := h.login(t, alice, "alice-phone")
	b := h.login(t, bob, "bob-phone")
	a.SendOK(xsynctest.Text(bob.ID, "one"))
	b.WaitNotice(alice.ID)
	assert.Equal(t, []string{"one"}, contents(t, b.SyncAll(alice.ID)))
}
