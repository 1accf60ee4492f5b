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

func TestOneToOneFanOutAcrossDevices(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	a1 := h.login(t, alice, "a1")
	a2 := h.login(t, alice, "a2")
	a2.SyncAll(alice.ID) // the DEVICE_ADDED notice of nobody: a2 registered last
	b1 := h.login(t, bob, "b1")
	a1.SyncAll(alice.ID) // DEVICE_ADDED of a2
	a1.TakeNotice(alice.ID, 100*time.Millisecond)

	m := xsynctest.Text(bob.ID, "hello bob")
	m.From = &xsync.XID{Uid: uint64(alice.ID), DeviceSN: 99} // the server fixes the device
	ack := a1.SendOK(m)
	assert.NotZero(t, ack.ServerMid)
	assert.NotZero(t, ack.ServerTime)
	assert.False(t, ack.IsFullSync)
	assert.Empty(t, ack.Metas)
	assert.Zero(t, ack.EditTimestamp)

	for _, c := range []*xsynctest.Client{b1, a2} {
		stream := alice.ID
		if c == a2 {
			stream = bob.ID
		}
		c.WaitNotice(stream)
		got := c.SyncAll(stream)
		require.Len(t, got, 1)
		mm := got[0]
		assert.Equal(t, ack.ServerMid, mm.Id)
		assert.Equal(t, ack.ServerTime, mm.Timestamp)
		assert.Equal(t, xsync.XID{Uid: uint64(alice.ID), DeviceSN: a1.SN}, *mm.From)
		assert.Equal(t, xsync.XID{Uid: uint64(bob.ID)}, *mm.To)
		body := xsynctest.Body(t, mm)
		assert.Equal(t, "hello bob", body.Content)
		assert.Equal(t, xsync.MsgChat, body.Type)
	}
	// The sending device got the ack instead.
	assert.False(t, a1.TakeNotice(bob.ID, 200*time.Millisecond))
	assert.Empty(t, a1.SyncAll(bob.ID))
	// Bob confirmed it: status is DELIVERED for alice, and READ after a
	// READ_ACK.
	hist := a2.History(bob.ID, 0, 0)
	require.Len(t, hist.Metas, 1)
	assert.Equal(t, xsync.MsgStatusDelivered, xsynctest.Body(t, hist.Metas[0]).Status)
}

func TestSyncPagingAndRedelivery(t *testing.T) {
	t.Parallel()
	h := start(t, func(c *fireplace.Config) { c.SendRate = -1 })
	alice, bob, a, b := h.duo(t)
	mids := sendTexts(a, bob.ID, "m", 120)

	// Pages of 50, oldest first, each with next_key = its last id.
	p1 := b.Pull(alice.ID, 0)
	require.Len(t, p1.Metas, 50)
	assert.Equal(t, mids[:50], xsynctest.IDs(p1.Metas))
	assert.Equal(t, mids[49], p1.NextKey)
	assert.False(t, p1.IsFullSync)
	assert.Zero(t, p1.ClientMid)
	p2 := b.Pull(alice.ID, p1.NextKey)
	assert.Equal(t, mids[50:100], xsynctest.IDs(p2.Metas))

	// Reconnect without confirming p2: it comes again, p1 does not.
	b.Close()
	b = h.login(t, bob, "b")
	u := xsynctest.UnreadMap(b.Unread())
	assert.Equal(t, uint32(70), u[alice.ID])
	got := b.SyncAll(alice.ID)
	assert.Equal(t, mids[50:], xsynctest.IDs(got))
	// Everything was confirmed by the last, empty page.
	b.Close()
	b = h.login(t, bob, "b")
	assert.Equal(t, uint32(0), xsynctest.UnreadMap(b.Unread())[alice.ID])
	assert.Empty(t, b.SyncAll(alice.ID))

	// A made-up key confirms nothing beyond what was delivered.
	a.SendOK(xsynctest.Text(bob.ID, "new"))
	b.WaitNotice(alice.ID) // the ack precedes the Notice (§18.7); a pull before it may find nothing yet
	dl := b.Pull(alice.ID, 1<<60)
	require.Len(t, dl.Metas, 1)
}

func TestUnreadListing(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice, bob, carol := h.user(t, "alice"), h.user(t, "bob"), h.user(t, "carol")
	b := h.login(t, bob, "b")
	c := h.login(t, carol, "c")
	a := h.login(t, alice, "a")
	gid := h.group(t, carol.ID, alice.ID)

	b.SendOK(xsynctest.Text(alice.ID, "b1"))
	c.SendOK(xsynctest.GroupText(gid, "g1"))
	c.SendOK(xsynctest.Text(alice.ID, "c1"))
	c.SendOK(xsynctest.Text(alice.ID, "c2"))
	a.SyncAll(carol.ID) // read carol's: n = 0 now

	// A second device: its first UNREAD lists recent conversations,
	// n = 0 ones included, by last activity ascending.
	h.login(t, alice, "a2") // stores a DEVICE_ADDED notice for alice's other devices
	a3 := xsynctest.Dial(t, h.env.URL)
	a3.Login(t, alice.Token, alice.ID, a.SN, "a") // a's installation again
	first := a3.Unread()
	requireStatus(t, first.Status, xsync.StatusOK)
	var order []int64
	for _, e := range first.Unread {
		order = append(order, int64(e.Xid.Uid))
	}
	// The personal stream (DEVICE_ADDED of a2, n > 0) has no activity and
	// comes first; then bob, the group, carol.
	assert.Equal(t, []int64{alice.ID, bob.ID, gid, carol.ID}, order)
	types := map[int64]xsync.ConvType{}
	for _, e := range first.Unread {
		types[int64(e.Xid.Uid)] = e.Type
		assert.Zero(t, e.Xid.DeviceSN)
	}
	assert.Equal(t, map[int64]xsync.ConvType{alice.ID: xsync.ConvUnknown, bob.ID: xsync.ConvChat,
		gid: xsync.ConvGroupChat, carol.ID: xsync.ConvChat}, types)
	assert.Equal(t, map[int64]uint32{alice.ID: 1, bob.ID: 1, gid: 1, carol.ID: 0}, xsynctest.UnreadMap(first))

	// Later UNREADs (heartbeats) list only n > 0.
	assert.Equal(t, map[int64]uint32{alice.ID: 1, bob.ID: 1, gid: 1}, xsynctest.UnreadMap(a3.Unread()))
	a3.SyncAll(bob.ID)
	a3.SyncAll(alice.ID)
	a3.SyncAll(gid)
	heartbeat := a3.Unread()
	requireStatus(t, heartbeat.Status, xsync.StatusOK)
	assert.Empty(t, heartbeat.Unread)
}

func TestNoticeOnePerStream(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice, bob, a, b := h.duo(t)
	for range 3 {
		a.SendOK(xsynctest.Text(bob.ID, "x"))
	}
	b.WaitNotice(alice.ID)
	assert.False(t, b.TakeNotice(alice.ID, 200*time.Millisecond), "one outstanding Notice per stream")
	assert.Len(t, b.SyncAll(alice.ID), 3)
	// The SyncUL cleared the mark: the next message is noticed again.
	a.SendOK(xsynctest.Text(bob.ID, "y"))
	b.WaitNotice(alice.ID)
	noFrame(t, b, 100*time.Millisecond)

	// The Notice carries only a non-zero xid (§17.2).
	a.SendOK(xsynctest.Text(bob.ID, "z"))
	b.SyncAll(alice.ID)
	a.SendOK(xsynctest.Text(bob.ID, "w"))
	nf, err := b.Next(2 * time.Second)
	require.NoError(t, err)
	require.Equal(t, xsync.CommandNotice, nf.Command)
	assert.Equal(t, (&xsync.Notice{Xid: &xsync.XID{Uid: uint64(alice.ID)}}).Marshal(), nf.Payload)
	n, err := nf.Notice()
	require.NoError(t, err)
	assert.Equal(t, xsync.XID{Uid: uint64(alice.ID)}, *n.Xid)
}

func TestHistory(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice, bob, a, b := h.duo(t)
	mids := sendTexts(a, bob.ID, "m", 25)
	// Operations never appear in history.
	b.SendOK(xsynctest.Oper(xsync.OpReadAck, alice.ID, mids[0], 0))

	dl := b.History(alice.ID, 0, 0) // N <= 0 means 20
	require.Len(t, dl.Metas, 20)
	assert.True(t, dl.IsFullSync)
	assert.Zero(t, dl.ClientMid)
	assert.Equal(t, mids[24], dl.Metas[0].Id, "newest first")
	assert.Equal(t, mids[5], dl.Metas[19].Id)
	assert.Equal(t, mids[5], dl.NextKey)
	dl = b.History(alice.ID, dl.NextKey, 20)
	assert.Equal(t, []uint64{mids[4], mids[3], mids[2], mids[1], mids[0]}, xsynctest.IDs(dl.Metas))
	assert.Zero(t, dl.NextKey, "nothing older")
	assert.Equal(t, xsync.MsgStatusRead, xsynctest.Body(t, dl.Metas[4]).Status)
	assert.Equal(t, xsync.MsgStatusUnread, xsynctest.Body(t, dl.Metas[3]).Status)

	dl = b.History(alice.ID, 0, 1000) // capped at 100
	assert.Len(t, dl.Metas, 25)

	// A group the user is not in: an empty page, not an error.
	gid := h.group(t, alice.ID)
	dl = b.History(gid, 0, 20)
	assert.Empty(t, dl.Metas)
	assert.Zero(t, dl.NextKey)
}

func TestServerRestartLosesNothingAcked(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice, bob, a, b := h.duo(t)
	acked := sendTexts(a, bob.ID, "before ", 5)
	b.Pull(alice.ID, 0) // delivered, not confirmed

	h.env.Restart(t)
	_, err := a.WaitClosed(3 * time.Second)
	require.NoError(t, err)

	a = h.login(t, alice, "a")
	b = h.login(t, bob, "b")
	assert.Equal(t, uint32(5), xsynctest.UnreadMap(b.Unread())[alice.ID])
	ack := a.SendOK(xsynctest.Text(bob.ID, "after"))
	assert.Greater(t, ack.ServerMid, acked[4], "ids keep rising across restarts")
	got := b.SyncAll(alice.ID)
	assert.Equal(t, append(acked, ack.ServerMid), xsynctest.IDs(got))
}
