package fireplace_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/xsync"
)

func TestExpiredTokenRefusedAtLogin(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice := h.user(t, "alice")
	h.login(t, alice, "before") // valid now

	h.clock.Advance(30*24*time.Hour + time.Minute) // tokens last 30 days
	c := xsynctest.Dial(t, h.env.URL)
	reply := c.Provision(&xsync.Provision{Xid: &xsync.XID{Uid: uint64(alice.ID)}, Token: alice.Token,
		OsType: xsync.OsWeb, DeviceGuid: "before"})
	requireStatus(t, reply.Status, xsync.StatusInvalidToken)
	assert.Nil(t, reply.Xid, "no device is assigned")
	_, err := c.WaitClosed(3 * time.Second)
	require.NoError(t, err)
}

// TestUsersSyncOnlyTheirOwnQueues checks that a session can read and act on
// its own user's streams only: whatever xid a third user names, it gets its
// own (empty) view, never another user's inbox.
func TestUsersSyncOnlyTheirOwnQueues(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice, bob, carol := h.user(t, "alice"), h.user(t, "bob"), h.user(t, "carol")
	a := h.login(t, alice, "a")
	b := h.login(t, bob, "b")
	mid := a.SendOK(xsynctest.Text(bob.ID, "for bob only")).ServerMid
	gid := h.group(t, alice.ID, bob.ID)
	gmid := a.SendOK(xsynctest.GroupText(gid, "members only")).ServerMid

	c := h.login(t, carol, "c")
	assert.Empty(t, xsynctest.UnreadMap(c.Unread()), "carol has nothing listed")
	// Streams named after alice, bob and their group are carol's own
	// conversations with them: empty.
	for _, xid := range []int64{alice.ID, bob.ID, gid} {
		assert.Empty(t, c.SyncAll(xid), "stream %d", xid)
		assert.Empty(t, c.History(xid, 0, 100).Metas, "history %d", xid)
	}
	// A key taken from someone else's stream moves nothing and shows nothing.
	assert.Empty(t, c.Pull(alice.ID, mid).Metas)
	assert.Empty(t, c.History(bob.ID, mid+1, 100).Metas)

	// Operations on messages of other people's conversations are refused.
	requireStatus(t, c.Send(xsynctest.Oper(xsync.OpReadAck, alice.ID, mid, 0)).Status,
		xsync.StatusInvalidParameter, "message not found")
	requireStatus(t, c.Send(xsynctest.Oper(xsync.OpRecall, alice.ID, mid, alice.ID)).Status,
		xsync.StatusInvalidParameter, "message not found")
	requireStatus(t, c.Send(xsynctest.Oper(xsync.OpDelete, carol.ID, mid, bob.ID)).Status,
		xsync.StatusInvalidParameter, "message not found")
	requireStatus(t, c.Send(xsynctest.Edit(xsync.OpReplace, bob.ID, mid, "forged", "", "")).Status,
		xsync.StatusInvalidParameter, "message not found")
	// A READ_ACK names only the message: a non-member is not told that
	// the id exists in a group.
	requireStatus(t, c.Send(xsynctest.Oper(xsync.OpReadAck, alice.ID, gmid, 0)).Status,
		xsync.StatusInvalidParameter, "message not found")
	requireStatus(t, c.Send(xsynctest.Oper(xsync.OpRecall, gid, gmid, gid)).Status,
		xsync.StatusUnauthorized, "not group member")

	// Bob's view is intact: carol's attempts neither consumed nor changed it.
	b.WaitNotice(alice.ID)
	got := b.SyncAll(alice.ID)
	require.Len(t, got, 1)
	assert.Equal(t, mid, got[0].Id)
	assert.Equal(t, "for bob only", xsynctest.Body(t, got[0]).Content)
	assert.Equal(t, []uint64{gmid}, xsynctest.IDs(b.SyncAll(gid)))
}

// TestRandomFramesNeverCrash throws garbage at the gateway, before and after
// login: undecodable frames are answered with PB_PARSER_ERROR, the rest
// with whatever status fits, and the connection and the server keep working.
func TestRandomFramesNeverCrash(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	rng := rand.New(rand.NewPCG(1, 2))
	randomBytes := func() []byte {
		b := make([]byte, rng.IntN(64))
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	// frames returns n frames: raw garbage, and well-formed frames of the
	// commands a client may send whose payloads are garbage. PROVISION is
	// left out: a failed login ends the connection by design.
	frames := func(n int) [][]byte {
		out := make([][]byte, 0, n)
		for range n {
			switch rng.IntN(3) {
			case 0:
				b := randomBytes()
				if f, err := xsync.DecodeFrame(b); err == nil && f.Command == xsync.CommandProvision {
					continue
				}
				out = append(out, b)
			case 1:
				out = append(out, (&xsync.Frame{Command: xsync.CommandSync, Payload: randomBytes()}).Marshal())
			default:
				// A SyncUL carrying a meta whose payload is garbage.
				ul := &xsync.SyncUL{Meta: &xsync.Meta{Id: rng.Uint64N(1 << 40), To: &xsync.XID{Uid: uint64(bob.ID)},
					Ns: xsync.NameSpace(rng.IntN(10)), Payload: randomBytes()}}
				out = append(out, xsync.NewSyncFrame(ul).Marshal())
			}
		}
		return out
	}
	alive := func(c *xsynctest.Client) {
		t.Helper()
		c.Write(xsync.NewUnreadFrame())
		_, err := c.Take(5*time.Second, func(f *xsync.Frame) bool {
			if f.Command != xsync.CommandUnread {
				return false
			}
			dl, err := f.UnreadDL()
			return err == nil && dl.Status != nil && dl.Status.Code == xsync.StatusOK
		})
		require.NoError(t, err, "the connection still answers")
	}

	c := xsynctest.Dial(t, h.env.URL)
	parseErrors := 0
	for _, f := range frames(150) {
		require.NoError(t, c.WriteRaw(f))
		if _, err := xsync.DecodeFrame(f); err != nil {
			parseErrors++
		}
	}
	c.Login(t, alice.Token, alice.ID, 0, "a")
	alive(c)
	for _, f := range frames(300) {
		require.NoError(t, c.WriteRaw(f))
		if _, err := xsync.DecodeFrame(f); err != nil {
			parseErrors++
		}
	}
	alive(c)
	require.Positive(t, parseErrors)
	got := 0
	for {
		f, err := c.Next(200 * time.Millisecond)
		if err != nil {
			break
		}
		if f.Command == xsync.CommandUnread {
			if dl, err := f.UnreadDL(); err == nil && dl.Status != nil && dl.Status.Code == xsync.StatusPBParserError {
				got++
			}
		}
	}
	assert.Equal(t, parseErrors, got, "every undecodable frame is answered with PB_PARSER_ERROR")

	// The server still works for everyone.
	b := h.login(t, bob, "b")
	a2 := h.login(t, alice, "a2")
	ack := a2.SendOK(xsynctest.Text(bob.ID, "still here"))
	got2 := b.SyncAll(alice.ID)
	require.NotEmpty(t, got2)
	assert.Equal(t, ack.ServerMid, got2[len(got2)-1].Id)
	assert.Equal(t, "still here", xsynctest.Body(t, got2[len(got2)-1]).Content)
}
