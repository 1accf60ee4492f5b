package fireplace_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

func TestGroupFanOut(t *testing.T) {
	t.Parallel()
	h := start(t)
	owner, bob, carol, dave, eve := h.user(t, "owner"), h.user(t, "bob"), h.user(t, "carol"), h.user(t, "dave"), h.user(t, "eve")
	gid := h.group(t, owner.ID, bob.ID, carol.ID, dave.ID)
	h.updateMember(t, gid, dave.ID, store.MemberPatch{MsgMuteMode: ptr(2)}) // "do not receive"

	b1 := h.login(t, bob, "b1")
	b2 := h.login(t, bob, "b2")
	b1.SyncAll(bob.ID)
	c := h.login(t, carol, "c")
	d := h.login(t, dave, "d")
	o := h.login(t, owner, "o")

	ack := b1.SendOK(xsynctest.GroupText(gid, "hi team"))
	for _, cl := range []*xsynctest.Client{b2, c, o} {
		cl.WaitNotice(gid)
		got := cl.SyncAll(gid)
		require.Len(t, got, 1)
		assert.Equal(t, ack.ServerMid, got[0].Id)
		assert.Equal(t, uint64(gid), got[0].To.Uid)
		assert.Equal(t, xsync.XID{Uid: uint64(bob.ID), DeviceSN: b1.SN}, *got[0].From)
		assert.Equal(t, xsync.MsgGroupChat, xsynctest.Body(t, got[0]).Type)
	}
	assert.False(t, b1.TakeNotice(gid, 200*time.Millisecond), "never back to the sending device")
	assert.False(t, d.TakeNotice(gid, 0), "members with msg_mute_mode 2 get nothing")
	assert.Empty(t, d.SyncAll(gid))
	// History stays readable for every member.
	assert.Len(t, d.History(gid, 0, 20).Metas, 1)

	// Not a member.
	e := h.login(t, eve, "e")
	requireStatus(t, e.Send(xsynctest.GroupText(gid, "let me in")).Status, xsync.StatusUnauthorized, "not group member")
	requireStatus(t, e.Send(xsynctest.GroupText(424242, "?")).Status, xsync.StatusUnauthorized, "group not exist")

	// A banned member; the owner and admins still speak.
	h.updateMember(t, gid, carol.ID, store.MemberPatch{BanExpireTime: ptr(int64(-1))})
	requireStatus(t, c.Send(xsynctest.GroupText(gid, "muted")).Status, xsync.StatusUserBanned, "group banned")
	h.updateMember(t, gid, carol.ID, store.MemberPatch{BanExpireTime: ptr(h.clock.Now().UnixMilli() - 1)})
	c.SendOK(xsynctest.GroupText(gid, "ban over"))

	// Ban all.
	require.NoError(t, h.store().UpdateGroup(t.Context(), gid, store.GroupPatch{BanExpireTime: ptr(int64(-1))}, h.clock.Now().UnixMilli()))
	requireStatus(t, c.Send(xsynctest.GroupText(gid, "x")).Status, xsync.StatusUserBanned, "group banned")
	o.SendOK(xsynctest.GroupText(gid, "owner speaks"))
	h.updateMember(t, gid, bob.ID, store.MemberPatch{Role: ptr(store.RoleAdmin)})
	b1.SendOK(xsynctest.GroupText(gid, "admin speaks"))

	// A destroyed group.
	require.NoError(t, h.store().DestroyGroup(t.Context(), gid, h.clock.Now().UnixMilli()))
	requireStatus(t, o.Send(xsynctest.GroupText(gid, "anyone?")).Status, xsync.StatusUnauthorized, "group not exist")
}

func TestGroupReadReceipts(t *testing.T) {
	t.Parallel()
	h := start(t)
	tm := newTeam(t, h)

	m := xsynctest.Message(tm.gid, &xsync.MessageBody{Type: xsync.MsgGroupChat, Content: "read me",
		Config: `{"groupMemberList":[` + itoa(tm.bob.ID) + `,"` + itoa(tm.carol.ID) + `"]}`})
	ack := tm.o.SendOK(m)
	status := func() xsync.MessageStatus {
		dl := tm.o.History(tm.gid, 0, 20)
		require.Len(t, dl.Metas, 1)
		return xsynctest.Body(t, dl.Metas[0]).Status
	}
	assert.Equal(t, xsync.MsgStatusDelivered, status())

	tm.b.SendOK(xsynctest.Oper(xsync.OpReadAck, tm.owner.ID, ack.ServerMid, 0))
	tm.o.WaitNotice(tm.gid) // the READ_ACK reaches the sender in the group stream
	ops := tm.o.SyncAll(tm.gid)
	require.Len(t, ops, 1)
	assert.Equal(t, xsync.OpReadAck, xsynctest.Body(t, ops[0]).Operation.Type)
	assert.Equal(t, uint64(tm.owner.ID), ops[0].To.Uid)
	assert.Equal(t, xsync.MsgStatusDelivered, status(), "carol has not read it yet")

	tm.c.SendOK(xsynctest.Oper(xsync.OpReadAck, tm.owner.ID, ack.ServerMid, 0))
	assert.Equal(t, xsync.MsgStatusRead, status())
	// The readers see it as read through their own acks.
	dl := tm.c.History(tm.gid, 0, 20)
	assert.Equal(t, xsync.MsgStatusRead, xsynctest.Body(t, dl.Metas[0]).Status)
}

func TestGroupHistoryNotVisible(t *testing.T) {
	t.Parallel()
	h := start(t)
	owner, bob := h.user(t, "owner"), h.user(t, "bob")
	gid := h.group(t, owner.ID)
	require.NoError(t, h.store().UpdateGroup(t.Context(), gid, store.GroupPatch{HistoryVisible: ptr(false)}, h.clock.Now().UnixMilli()))
	o := h.login(t, owner, "o")
	o.SendOK(xsynctest.GroupText(gid, "before bob"))
	h.clock.Advance(time.Second)
	require.NoError(t, h.store().AddMember(t.Context(), store.Member{GroupID: gid, UserID: bob.ID, JoinTime: h.clock.Now().UnixMilli()}))
	o.SendOK(xsynctest.GroupText(gid, "after bob"))
	b := h.login(t, bob, "b")
	assert.Equal(t, []string{"after bob"}, contents(t, b.History(gid, 0, 20).Metas))
	assert.Equal(t, []string{"after bob", "before bob"}, contents(t, o.History(gid, 0, 20).Metas))
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// TestGroupOperationsNeedMembership: operations on a group conversation
// are checked like messages to it. A non-member (never one, or one who
// left) gets the refusal a message to the group gets, whether or not the
// message id exists, and nothing is written to any log.
func TestGroupOperationsNeedMembership(t *testing.T) {
	t.Parallel()
	h := start(t)
	tm := newTeam(t, h)
	eve := h.user(t, "eve")
	e := h.login(t, eve, "e")
	gmid := tm.o.SendOK(xsynctest.GroupText(tm.gid, "members only")).ServerMid
	tm.b.WaitNotice(tm.gid)
	tm.b.SyncAll(tm.gid)
	// carol leaves: from now on she is refused too.
	require.NoError(t, h.store().RemoveMember(t.Context(), tm.gid, tm.carol.ID))
	last, err := h.store().LastItemID(t.Context())
	require.NoError(t, err)

	missing := gmid + 1000
	for _, who := range []*xsynctest.Client{e, tm.c} {
		refusal := who.Send(xsynctest.GroupText(tm.gid, "let me in")).Status
		requireStatus(t, refusal, xsync.StatusUnauthorized, "not group member")
		for _, mid := range []uint64{gmid, missing} {
			for _, op := range []xsync.OpType{xsync.OpReadAll, xsync.OpDelete, xsync.OpReadCancel} {
				st := who.Send(xsynctest.Oper(op, int64(eve.ID), mid, tm.gid)).Status
				requireStatus(t, st, refusal.Code, refusal.Reason)
			}
			for _, op := range []xsync.OpType{xsync.OpRecall, xsync.OpReplace} {
				st := who.Send(xsynctest.Oper(op, tm.gid, mid, tm.gid)).Status
				requireStatus(t, st, refusal.Code, refusal.Reason)
			}
			// READ_ACK names only the message: "not found" either way.
			st := who.Send(xsynctest.Oper(xsync.OpReadAck, tm.owner.ID, mid, 0)).Status
			requireStatus(t, st, xsync.StatusInvalidParameter, "message not found")
		}
	}
	after, err := h.store().LastItemID(t.Context())
	require.NoError(t, err)
	assert.Equal(t, last, after, "nothing was stored")
	assert.False(t, tm.b.TakeNotice(tm.gid, 200*time.Millisecond), "members hear nothing")
	assert.Equal(t, []uint64{gmid}, xsynctest.IDs(tm.b.History(tm.gid, 0, 20).Metas))

	// Members still operate; a conversation delete of a group left is
	// allowed (it touches only the user's own view).
	tm.b.SendOK(xsynctest.Oper(xsync.OpReadAll, tm.bob.ID, gmid, tm.gid))
	tm.b.SendOK(xsynctest.Oper(xsync.OpDelete, tm.bob.ID, gmid, tm.gid))
	tm.c.SendOK(xsynctest.ConvDelete(tm.gid, true))

	// A dismissed group answers as a message to it would.
	require.NoError(t, h.store().DestroyGroup(t.Context(), tm.gid, h.clock.Now().UnixMilli()))
	requireStatus(t, tm.o.Send(xsynctest.Oper(xsync.OpReadAll, tm.owner.ID, gmid, tm.gid)).Status,
		xsync.StatusUnauthorized, "group not exist")
}
