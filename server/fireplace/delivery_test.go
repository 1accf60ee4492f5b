package fireplace_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/server/store/sqlite"
	"github.com/flooim/floo/xsync"
)

// TestEveryDeviceGetsItsCopy sends one-to-one messages between two users
// with several devices each: every device of the recipient and every other
// device of the sender gets the message, each device confirms on its own
// cursor, a device that was offline catches up, and the self-addressed
// READ_ALL and READ_CANCEL reach only the reader's other devices.
func TestEveryDeviceGetsItsCopy(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	a1 := h.login(t, alice, "a1")
	a2 := h.login(t, alice, "a2")
	b1 := h.login(t, bob, "b1")
	b2 := h.login(t, bob, "b2")
	b3 := h.login(t, bob, "b3")
	// Drain the DEVICE_ADDED notices of the logins above.
	for _, c := range []*xsynctest.Client{a1, a2, b1, b2, b3} {
		c.SyncAll(int64(c.UID))
	}
	b3.Close() // offline from now on

	ack := a1.SendOK(xsynctest.Text(bob.ID, "to every device"))
	for _, c := range []*xsynctest.Client{b1, b2} {
		c.WaitNotice(alice.ID)
	}
	a2.WaitNotice(bob.ID)
	assert.False(t, a1.TakeNotice(bob.ID, 100*time.Millisecond), "not back to the sending device")

	// b1 confirms; b2 has confirmed nothing, so it still counts it.
	assert.Equal(t, []uint64{ack.ServerMid}, xsynctest.IDs(b1.SyncAll(alice.ID)))
	assert.Equal(t, map[int64]uint32{alice.ID: 1}, xsynctest.UnreadMap(b2.Unread()))
	assert.Equal(t, []uint64{ack.ServerMid}, xsynctest.IDs(b2.SyncAll(alice.ID)))
	assert.Equal(t, []uint64{ack.ServerMid}, xsynctest.IDs(a2.SyncAll(bob.ID)), "the sender's other device")
	assert.Equal(t, map[int64]uint32{alice.ID: 0}, xsynctest.UnreadMap(b1.Unread()),
		"b1's own confirmation is kept (listed as recent, n = 0)")

	// The offline device catches up at its next login.
	b3 = h.login(t, bob, "b3")
	assert.Equal(t, uint32(1), xsynctest.UnreadMap(b3.Unread())[alice.ID])
	got := b3.SyncAll(alice.ID)
	require.Len(t, got, 1)
	assert.Equal(t, "to every device", xsynctest.Body(t, got[0]).Content)

	// READ_ALL and READ_CANCEL from b1: to b2 and b3, not to b1 or alice.
	b1.SendOK(xsynctest.Oper(xsync.OpReadAll, bob.ID, ack.ServerMid, alice.ID))
	b1.SendOK(xsynctest.Oper(xsync.OpReadCancel, bob.ID, ack.ServerMid, alice.ID))
	for _, c := range []*xsynctest.Client{b2, b3} {
		c.WaitNotice(alice.ID)
		var types []xsync.OpType
		for _, m := range c.SyncAll(alice.ID) {
			op := opOf(t, m)
			assert.Equal(t, ack.ServerMid, op.Mid)
			assert.Equal(t, uint64(alice.ID), op.Xid.Uid)
			assert.Equal(t, uint64(bob.ID), m.To.Uid, "self-addressed")
			types = append(types, op.Type)
		}
		assert.Equal(t, []xsync.OpType{xsync.OpReadAll, xsync.OpReadCancel}, types)
	}
	assert.False(t, b1.TakeNotice(alice.ID, 100*time.Millisecond))
	for _, c := range []*xsynctest.Client{a1, a2} {
		assert.False(t, c.TakeNotice(bob.ID, 0), "the peer never sees self-addressed operations")
		assert.Empty(t, c.SyncAll(bob.ID))
	}
}

// TestIDsRiseUnderConcurrentSends has several connections send into one
// group and one one-to-one conversation at the same time, without waiting
// for acks: every message is stored once, and every stream delivers them in
// strictly increasing id order, the same order history gives newest first.
func TestIDsRiseUnderConcurrentSends(t *testing.T) {
	t.Parallel()
	h := start(t)
	const perSender = 25
	names := []string{"ann", "ben", "cat", "dan"}
	var clients []*xsynctest.Client
	var uids []int64
	var ann servertest.User
	for i, n := range names {
		u := h.user(t, n)
		if i == 0 {
			ann = u
		}
		uids = append(uids, u.ID)
		clients = append(clients, h.login(t, u, n))
	}
	gid := h.group(t, uids[0], uids[1:]...)
	// ann's second device writes into the ann-ben conversation meanwhile.
	ann2 := h.login(t, ann, "ann2")
	clients[0].SyncAll(uids[0])

	type sent struct {
		c   *xsynctest.Client
		mid uint64
	}
	var pending []sent
	for i := range perSender {
		for j, c := range clients {
			m := xsynctest.GroupText(gid, names[j]+" "+strconv.Itoa(i))
			m.Id = c.NextMID()
			c.Write(xsync.NewSyncFrame(&xsync.SyncUL{Meta: m}))
			pending = append(pending, sent{c, m.Id})
		}
		for _, c := range []*xsynctest.Client{clients[1], ann2} {
			to := uids[0]
			if c == ann2 {
				to = uids[1]
			}
			m := xsynctest.Text(to, "direct "+strconv.Itoa(i))
			m.Id = c.NextMID()
			c.Write(xsync.NewSyncFrame(&xsync.SyncUL{Meta: m}))
			pending = append(pending, sent{c, m.Id})
		}
	}
	lastAck := map[*xsynctest.Client]uint64{}
	for _, p := range pending {
		ack := p.c.Ack(p.mid)
		requireStatus(t, ack.Status, xsync.StatusOK)
		assert.Greater(t, ack.ServerMid, lastAck[p.c], "acks of one connection rise")
		lastAck[p.c] = ack.ServerMid
	}

	strictlyRising := func(ids []uint64) bool {
		for i := 1; i < len(ids); i++ {
			if ids[i] <= ids[i-1] {
				return false
			}
		}
		return true
	}
	// Group: each member gets everyone else's messages, in id order.
	for j, c := range clients {
		ids := xsynctest.IDs(c.SyncAll(gid))
		assert.Len(t, ids, (len(clients)-1)*perSender, names[j])
		assert.True(t, strictlyRising(ids), "%s: %v", names[j], ids)
	}
	var hist []uint64
	for key := uint64(0); ; {
		dl := clients[1].History(gid, key, 100)
		hist = append(hist, xsynctest.IDs(dl.Metas)...)
		if dl.NextKey == 0 {
			break
		}
		key = dl.NextKey
	}
	require.Len(t, hist, len(clients)*perSender)
	slices.Reverse(hist)
	assert.True(t, strictlyRising(hist), "history is newest first")

	// One-to-one: ben receives ann2's messages, ann's first device gets both
	// sides, in id order.
	ids := xsynctest.IDs(clients[0].SyncAll(uids[1]))
	assert.Len(t, ids, 2*perSender)
	assert.True(t, strictlyRising(ids))
	benIDs := xsynctest.IDs(clients[1].SyncAll(uids[0]))
	assert.Len(t, benIDs, perSender)
	assert.True(t, strictlyRising(benIDs))
}

// TestAckedMessageIsOnDisk copies the database files while the server is
// still running, right after an ack, as a crash (kill -9, power cut after
// the disk sync) would leave them: the copy has the message.
func TestAckedMessageIsOnDisk(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	a := h.login(t, alice, "a")
	acks := sendTexts(a, bob.ID, "durable ", 3)

	crash := t.TempDir()
	for _, name := range []string{"floo.db", "floo.db-wal"} {
		copyFile(t, filepath.Join(h.env.DataDir, name), filepath.Join(crash, name))
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(crash, "floo.db"))
	require.NoError(t, err)
	defer db.Close()
	for i, mid := range acks {
		it, err := db.Item(context.Background(), int64(mid))
		require.NoError(t, err, "acked message %d", i)
		var body xsync.MessageBody
		require.NoError(t, body.Unmarshal(it.Body))
		assert.Equal(t, "durable "+strconv.Itoa(i), body.Content)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	require.NoError(t, err)
	defer in.Close()
	out, err := os.Create(to)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, out.Close())
}

// TestPipelinedSendsKeepFrameOrder writes many texts on one connection
// without waiting for acks, then an UNREAD and a pull: the sends may be
// committed together, but every frame still behaves as if handled to its
// end before the next: the acks come in send order with rising ids, all of
// them before the UNREAD's reply, and the UNREAD already lists the
// conversation they created.
func TestPipelinedSendsKeepFrameOrder(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	a := h.login(t, alice, "a")
	b := h.login(t, bob, "b")
	const n = 100
	mids := make([]uint64, n)
	for i := range mids {
		m := xsynctest.Text(bob.ID, "pipelined "+strconv.Itoa(i))
		m.Id = a.NextMID()
		mids[i] = m.Id
		a.Write(xsync.NewSyncFrame(&xsync.SyncUL{Meta: m}))
	}
	a.Write(xsync.NewUnreadFrame())
	var last uint64
	for i := 0; i <= n; i++ {
		f, err := a.Next(10 * time.Second)
		require.NoError(t, err)
		if f.Command == xsync.CommandNotice {
			i--
			continue
		}
		if i == n {
			require.Equal(t, xsync.CommandUnread, f.Command, "the UNREAD reply comes after every ack")
			dl, err := f.UnreadDL()
			require.NoError(t, err)
			var streams []int64
			for _, u := range dl.Unread {
				streams = append(streams, int64(u.Xid.Uid))
			}
			assert.Contains(t, streams, bob.ID, "the UNREAD sees the sends stored")
			break
		}
		require.Equal(t, xsync.CommandSync, f.Command, "frame %d", i)
		dl, err := f.SyncDL()
		require.NoError(t, err)
		requireStatus(t, dl.Status, xsync.StatusOK)
		require.Equal(t, mids[i], dl.ClientMid, "acks in send order")
		require.Greater(t, dl.ServerMid, last, "ids rise in send order")
		last = dl.ServerMid
	}
	got := contents(t, b.SyncAll(alice.ID))
	require.Len(t, got, n)
	for i, s := range got {
		assert.Equal(t, "pipelined "+strconv.Itoa(i), s)
	}
}
