package fireplace_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

func opOf(t *testing.T, m *xsync.Meta) *xsync.MessageOperation {
	t.Helper()
	b := xsynctest.Body(t, m)
	require.Equal(t, xsync.MsgOper, b.Type)
	require.NotNil(t, b.Operation)
	return b.Operation
}

func TestDedup(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := newPair(t, h)
	m := xsynctest.Text(p.bob, "once")
	m.Id = 123456789
	first := p.a.SendOK(m)
	again := p.a.SendOK(xsynctest.Text(p.bob, "once, resent")) // a new mid: a new message
	assert.NotEqual(t, first.ServerMid, again.ServerMid)

	m2 := xsynctest.Text(p.bob, "once")
	m2.Id = 123456789
	repeat := p.a.SendOK(m2)
	assert.Equal(t, first.ServerMid, repeat.ServerMid)
	assert.Equal(t, first.ServerTime, repeat.ServerTime)
	got := p.b.SyncAll(p.alice)
	assert.Equal(t, []string{"once", "once, resent"}, contents(t, got), "stored once")

	// After a reconnect too, and from the same device only.
	p.a.Close()
	a := h.login(t, p.ua, "a")
	m3 := xsynctest.Text(p.bob, "once")
	m3.Id = 123456789
	assert.Equal(t, first.ServerMid, a.SendOK(m3).ServerMid)
	m4 := xsynctest.Text(p.bob, "once")
	m4.Id = 123456789
	ack := p.a2.SendOK(m4) // another device: its own client_mid space
	assert.NotEqual(t, first.ServerMid, ack.ServerMid)
	assert.Len(t, p.b.SyncAll(p.alice), 1)
}

func TestReadOperations(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := newPair(t, h)
	m1 := p.a.SendOK(xsynctest.Text(p.bob, "one")).ServerMid
	m2 := p.a.SendOK(xsynctest.Text(p.bob, "two")).ServerMid
	m3 := p.a.SendOK(xsynctest.Text(p.bob, "three")).ServerMid
	p.a2.SyncAll(p.bob)

	statusOf := func(c *xsynctest.Client, peer int64) map[uint64]xsync.MessageStatus {
		out := map[uint64]xsync.MessageStatus{}
		for _, m := range c.History(peer, 0, 20).Metas {
			out[m.Id] = xsynctest.Body(t, m).Status
		}
		return out
	}
	assert.Equal(t, map[uint64]xsync.MessageStatus{m1: 0, m2: 0, m3: 0}, statusOf(p.a, p.bob), "nobody confirmed yet")

	// Bob's device confirms: delivered for alice.
	p.b.SyncAll(p.alice)
	assert.Equal(t, map[uint64]xsync.MessageStatus{m1: 1, m2: 1, m3: 1}, statusOf(p.a, p.bob))

	// READ_ACK of m1 goes to every device of alice.
	ack := p.b.SendOK(xsynctest.Oper(xsync.OpReadAck, p.alice, m1, 0))
	assert.NotZero(t, ack.ServerMid)
	for _, c := range []*xsynctest.Client{p.a, p.a2} {
		c.WaitNotice(p.bob)
		got := c.SyncAll(p.bob)
		require.Len(t, got, 1)
		assert.Equal(t, xsync.OpReadAck, opOf(t, got[0]).Type)
		assert.Equal(t, m1, opOf(t, got[0]).Mid)
		assert.Equal(t, uint64(p.bob), got[0].From.Uid)
	}
	assert.Equal(t, xsync.MsgStatusRead, statusOf(p.a, p.bob)[m1])
	assert.Equal(t, xsync.MsgStatusRead, statusOf(p.b, p.alice)[m1])

	// READ_ALL up to m2 (to self): bob's other devices would get it; the
	// statuses follow.
	p.b.SendOK(xsynctest.Oper(xsync.OpReadAll, p.bob, m2, p.alice))
	assert.Equal(t, map[uint64]xsync.MessageStatus{m1: 2, m2: 2, m3: 1}, statusOf(p.b, p.alice))
	assert.Equal(t, map[uint64]xsync.MessageStatus{m1: 2, m2: 2, m3: 1}, statusOf(p.a, p.bob))

	// READ_CANCEL of m2 beats READ_ALL, until the next READ_ALL.
	p.b.SendOK(xsynctest.Oper(xsync.OpReadCancel, p.bob, m2, p.alice))
	assert.Equal(t, xsync.MsgStatusDelivered, statusOf(p.b, p.alice)[m2])
	p.b.SendOK(xsynctest.Oper(xsync.OpReadAll, p.bob, m3, p.alice))
	assert.Equal(t, map[uint64]xsync.MessageStatus{m1: 2, m2: 2, m3: 2}, statusOf(p.b, p.alice))

	// DELIVER_ACK and PLAY_ACK are accepted and reach the sender.
	p.b.SendOK(xsynctest.Oper(xsync.OpDeliverAck, p.alice, m3, 0))
	p.b.SendOK(xsynctest.Oper(xsync.OpPlayAck, p.alice, m3, 0))
	got := p.a.SyncAll(p.bob)
	var types []xsync.OpType
	for _, m := range got {
		types = append(types, opOf(t, m).Type)
	}
	assert.Equal(t, []xsync.OpType{xsync.OpDeliverAck, xsync.OpPlayAck}, types,
		"self-addressed operations of bob never reach alice")

	// Acking one's own message or an unknown one is refused.
	requireStatus(t, p.a.Send(xsynctest.Oper(xsync.OpReadAck, p.bob, m1, 0)).Status, xsync.StatusInvalidParameter, "message not found")
	requireStatus(t, p.b.Send(xsynctest.Oper(xsync.OpReadAck, p.alice, 12345, 0)).Status, xsync.StatusInvalidParameter, "message not found")
}

func TestSelfOperationsReachOtherDevices(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := newPair(t, h)
	m1 := p.b.SendOK(xsynctest.Text(p.alice, "one")).ServerMid
	// Wait for the Notices: they go out after the ack, so one could
	// otherwise arrive after the pull and be mistaken below for a Notice of
	// the DELETE.
	for _, c := range []*xsynctest.Client{p.a, p.a2} {
		c.WaitNotice(p.bob)
		c.SyncAll(p.bob)
	}

	ack := p.a.SendOK(xsynctest.Oper(xsync.OpDelete, p.alice, m1, p.bob))
	assert.NotZero(t, ack.ServerMid)
	p.a2.WaitNotice(p.bob)
	got := p.a2.SyncAll(p.bob)
	require.Len(t, got, 1)
	assert.Equal(t, xsync.OpDelete, opOf(t, got[0]).Type)
	assert.Equal(t, uint64(p.alice), got[0].To.Uid)
	assert.False(t, p.a.TakeNotice(p.bob, 200*time.Millisecond), "not back to the sender")
	assert.False(t, p.b.TakeNotice(p.alice, 0), "not to the peer")
	// Deleted for alice only.
	assert.Empty(t, p.a.History(p.bob, 0, 20).Metas)
	assert.Len(t, p.b.History(p.alice, 0, 20).Metas, 1)
	// DELETE of a message outside the conversation named.
	requireStatus(t, p.a.Send(xsynctest.Oper(xsync.OpDelete, p.alice, m1, 424242)).Status, xsync.StatusInvalidParameter)
}

func TestRecall(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := newPair(t, h)
	m1 := p.a.SendOK(xsynctest.Text(p.bob, "oops")).ServerMid
	m2 := p.a.SendOK(xsynctest.Text(p.bob, "fine")).ServerMid
	p.b.SyncAll(p.alice)
	p.a2.SyncAll(p.bob)

	requireStatus(t, p.b.Send(xsynctest.Oper(xsync.OpRecall, p.alice, m1, p.alice)).Status, xsync.StatusUnauthorized, "permission denied")
	ack := p.a.SendOK(xsynctest.Oper(xsync.OpRecall, p.bob, m1, p.bob))
	assert.NotZero(t, ack.ServerMid)
	for _, c := range []*xsynctest.Client{p.b, p.a2} {
		stream := p.alice
		if c == p.a2 {
			stream = p.bob
		}
		c.WaitNotice(stream)
		got := c.SyncAll(stream)
		require.Len(t, got, 1)
		assert.Equal(t, xsync.OpRecall, opOf(t, got[0]).Type)
		assert.Equal(t, m1, opOf(t, got[0]).Mid)
	}
	assert.Equal(t, []uint64{m2}, xsynctest.IDs(p.b.History(p.alice, 0, 20).Metas), "recalled messages leave history")
	requireStatus(t, p.a.Send(xsynctest.Oper(xsync.OpRecall, p.bob, m1, p.bob)).Status, xsync.StatusInvalidParameter, "message recalled")

	// Five minutes later it is too late for the sender.
	h.clock.Advance(5*time.Minute + time.Second)
	requireStatus(t, p.a.Send(xsynctest.Oper(xsync.OpRecall, p.bob, m2, p.bob)).Status, xsync.StatusFail, "recall time limit exceeded")
}

func TestRecallByGroupAdmin(t *testing.T) {
	t.Parallel()
	h := start(t)
	tm := newTeam(t, h)
	m := tm.b.SendOK(xsynctest.GroupText(tm.gid, "spam")).ServerMid
	m2 := tm.b.SendOK(xsynctest.GroupText(tm.gid, "more spam")).ServerMid
	h.clock.Advance(time.Hour)

	requireStatus(t, tm.c.Send(xsynctest.Oper(xsync.OpRecall, tm.gid, m, tm.gid)).Status, xsync.StatusUnauthorized, "permission denied")
	tm.o.SendOK(xsynctest.Oper(xsync.OpRecall, tm.gid, m, tm.gid))
	h.updateMember(t, tm.gid, tm.carol.ID, store.MemberPatch{Role: ptr(store.RoleAdmin)})
	tm.c.SendOK(xsynctest.Oper(xsync.OpRecall, tm.gid, m2, tm.gid))
	// Everyone, the original sender included, learns of both.
	tm.b.WaitNotice(tm.gid)
	var recalled []uint64
	for _, mm := range tm.b.SyncAll(tm.gid) {
		if xsynctest.Body(t, mm).Type == xsync.MsgOper {
			recalled = append(recalled, opOf(t, mm).Mid)
		}
	}
	assert.Equal(t, []uint64{m, m2}, recalled)
	assert.Empty(t, tm.b.History(tm.gid, 0, 20).Metas)
}

func TestEdits(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := newPair(t, h)
	orig := xsynctest.Message(p.bob, &xsync.MessageBody{Type: xsync.MsgChat, Content: "Hello",
		Config: `{"a":{"x":1},"big":12345678901234567890}`, Ext: `{"k":"v"}`})
	ack := p.a.SendOK(orig)
	mid := ack.ServerMid

	e1 := p.a.SendOK(xsynctest.Edit(xsync.OpAppend, p.bob, mid, ", wor", `{"a":{"y":2}}`, "null"))
	assert.GreaterOrEqual(t, e1.EditTimestamp, ack.ServerTime)
	e2 := p.a.SendOK(xsynctest.Edit(xsync.OpAppend, p.bob, mid, "ld", "", ""))
	assert.Greater(t, e2.EditTimestamp, e1.EditTimestamp, "edit timestamps strictly increase")
	e3 := p.a.SendOK(xsynctest.Edit(xsync.OpReplace, p.bob, mid, "", "", `{"k":"w"}`))
	assert.Greater(t, e3.EditTimestamp, e2.EditTimestamp)

	// Sync: the original as sent, then each operation with its xid filled
	// in and its edit timestamp.
	got := p.b.SyncAll(p.alice)
	require.Len(t, got, 4)
	b0 := xsynctest.Body(t, got[0])
	assert.Equal(t, "Hello", b0.Content)
	assert.Zero(t, b0.EditTimestamp)
	for i, e := range []*xsync.SyncDL{e1, e2, e3} {
		op := xsynctest.Body(t, got[i+1])
		require.NotNil(t, op.Operation.Xid, "operation.xid is set to Meta.to")
		assert.Equal(t, uint64(p.bob), op.Operation.Xid.Uid)
		assert.Equal(t, e.EditTimestamp, op.EditTimestamp)
		assert.Equal(t, e.ServerMid, got[i+1].Id)
	}
	// History: the current state.
	hist := p.b.History(p.alice, 0, 20).Metas
	require.Len(t, hist, 1)
	hb := xsynctest.Body(t, hist[0])
	assert.Equal(t, "Hello, world", hb.Content)
	assert.JSONEq(t, `{"a":{"x":1,"y":2},"big":12345678901234567890}`, hb.Config)
	assert.Contains(t, hb.Config, "12345678901234567890", "64-bit numbers survive the merge")
	assert.JSONEq(t, `{"k":"w"}`, hb.Ext)
	assert.Equal(t, e3.EditTimestamp, hb.EditTimestamp)
	assert.Equal(t, xsync.MsgStatusDelivered, hb.Status)

	// Only the sender edits; recalled messages cannot be edited.
	requireStatus(t, p.b.Send(xsynctest.Edit(xsync.OpReplace, p.alice, mid, "hacked", "", "")).Status,
		xsync.StatusUnauthorized, "permission denied")
	p.a.SendOK(xsynctest.Oper(xsync.OpRecall, p.bob, mid, p.bob))
	requireStatus(t, p.a.Send(xsynctest.Edit(xsync.OpAppend, p.bob, mid, "!", "", "")).Status,
		xsync.StatusInvalidParameter, "message recalled")

	// A clock that went back still gets a larger edit timestamp.
	m2 := p.a.SendOK(xsynctest.Text(p.bob, "x")).ServerMid
	f1 := p.a.SendOK(xsynctest.Edit(xsync.OpAppend, p.bob, m2, "y", "", ""))
	h.clock.Advance(-time.Hour)
	f2 := p.a.SendOK(xsynctest.Edit(xsync.OpAppend, p.bob, m2, "z", "", ""))
	assert.Equal(t, f1.EditTimestamp+1, f2.EditTimestamp)
}

// The official clients send the literal string "null" for an edit's absent
// config or ext (§9.3). It means "no change" to the server, and it must reach
// the other devices as an empty field: a client that stored null as the
// message's config could no longer read that conversation.
func TestEditNullFieldsRelayedEmpty(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := newPair(t, h)
	p.a2.SyncAll(p.alice) // DEVICE_ADDED of a2, if any
	orig := xsynctest.Message(p.bob, &xsync.MessageBody{Type: xsync.MsgChat, Content: "draft",
		Config: `{"mentionAll":false}`, Ext: `{"k":"v"}`})
	mid := p.a.SendOK(orig).ServerMid

	p.a.SendOK(xsynctest.Edit(xsync.OpReplace, p.bob, mid, "final", "null", "null"))
	p.a.SendOK(xsynctest.Edit(xsync.OpAppend, p.bob, mid, "!", " null ", `{"k":"w"}`))

	for name, c := range map[string]*xsynctest.Client{"peer": p.b, "sender's other device": p.a2} {
		xid := p.alice
		if c == p.a2 {
			xid = p.bob
		}
		got := c.SyncAll(xid)
		var ops []*xsync.MessageBody
		for _, m := range got {
			if b := xsynctest.Body(t, m); b.Type == xsync.MsgOper {
				ops = append(ops, b)
				assert.NotContains(t, string(m.Payload), "null", "%s: no null on the wire", name)
			}
		}
		require.Len(t, ops, 2, name)
		assert.Equal(t, "final", ops[0].Content, name)
		assert.Empty(t, ops[0].Config, name)
		assert.Empty(t, ops[0].Ext, name)
		assert.Empty(t, ops[1].Config, name)
		assert.Equal(t, `{"k":"w"}`, ops[1].Ext, name, "a real patch is relayed as sent")
	}

	// The stored message kept its config and ext through the "null"s.
	hist := p.b.History(p.alice, 0, 20).Metas
	require.Len(t, hist, 1)
	hb := xsynctest.Body(t, hist[0])
	assert.Equal(t, "final!", hb.Content)
	assert.JSONEq(t, `{"mentionAll":false}`, hb.Config)
	assert.JSONEq(t, `{"k":"w"}`, hb.Ext)
}

func TestTypingIsNotStored(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := newPair(t, h)
	ack := p.a.SendOK(xsynctest.Typing(p.bob, "typing"))
	assert.Zero(t, ack.ServerMid, "not stored")
	assert.NotZero(t, ack.ServerTime)

	p.b.WaitNotice(p.alice)
	dl := p.b.Pull(p.alice, 0)
	require.Len(t, dl.Metas, 1)
	assert.Zero(t, dl.NextKey, "transient items alone end the exchange")
	body := xsynctest.Body(t, dl.Metas[0])
	assert.JSONEq(t, `{"input_status":"typing"}`, body.Ext)
	assert.Equal(t, uint64(p.alice), dl.Metas[0].From.Uid)
	assert.Equal(t, uint64(p.bob), dl.Metas[0].To.Uid)

	assert.False(t, p.a2.TakeNotice(p.bob, 200*time.Millisecond), "never to the sender's other devices")
	assert.Empty(t, p.b.Pull(p.alice, 0).Metas, "delivered once")
	assert.Empty(t, p.b.History(p.alice, 0, 20).Metas)
	assert.NotContains(t, xsynctest.UnreadMap(p.b.Unread()), p.alice)

	// Nobody connected: dropped.
	p.b.Close()
	p.a.SendOK(xsynctest.Typing(p.bob, "nothing"))
	b := h.login(t, p.ub, "b")
	assert.Empty(t, b.SyncAll(p.alice))
}

func TestConversationDelete(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := newPair(t, h)
	for range 3 {
		p.b.SendOK(xsynctest.Text(p.alice, "unread"))
	}
	p.a2.SyncAll(p.bob)

	// DELETE: this device only, nothing delivered.
	ack := p.a.SendOK(xsynctest.ConvDelete(p.bob, false))
	assert.NotZero(t, ack.ServerMid)
	assert.Empty(t, p.a.History(p.bob, 0, 20).Metas)
	assert.Len(t, p.a2.History(p.bob, 0, 20).Metas, 3)
	assert.False(t, p.a2.TakeNotice(p.alice, 200*time.Millisecond))
	assert.Empty(t, p.a.SyncAll(p.bob), "its pending entries are gone")

	// DELETE_EVERYWHERE: for every device, and told to the others through
	// the personal stream.
	p.b.SendOK(xsynctest.Text(p.alice, "one more"))
	p.a.SendOK(xsynctest.ConvDelete(p.bob, true))
	p.a2.WaitNotice(p.alice)
	got := p.a2.SyncAll(p.alice)
	require.Len(t, got, 1)
	cv, err := got[0].Conversation()
	require.NoError(t, err)
	assert.Equal(t, xsync.ConvOpDeleteEverywhere, cv.Operation.Type)
	assert.Equal(t, uint64(p.bob), cv.Operation.Xid.Uid)
	assert.Equal(t, uint64(p.alice), got[0].From.Uid)
	assert.NotNil(t, got[0].To)
	assert.Empty(t, p.a2.History(p.bob, 0, 20).Metas)
	assert.Len(t, p.b.History(p.alice, 0, 20).Metas, 4, "the peer keeps everything")

	// A fresh login of alice does not list bob until new activity.
	a3 := h.login(t, p.ua, "a3")
	assert.NotContains(t, xsynctest.UnreadMap(a3.Unread()), p.bob)
	p.b.SendOK(xsynctest.Text(p.alice, "back"))
	a4 := h.login(t, p.ua, "a4")
	assert.Equal(t, uint32(0), xsynctest.UnreadMap(a4.Unread())[p.bob], "listed again, nothing pending for a new device")
	assert.Equal(t, []string{"back"}, contents(t, p.a.SyncAll(p.bob)))
}

func TestBlockedSender(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := newPair(t, h)
	_, err := h.store().SetBlocked(t.Context(), p.bob, p.alice, true, h.clock.Now().UnixMilli())
	require.NoError(t, err)
	requireStatus(t, p.a.Send(xsynctest.Text(p.bob, "hi")).Status, xsync.StatusUnauthorized, "blocked")
	p.b.SendOK(xsynctest.Text(p.alice, "I may still write"))
	requireStatus(t, p.a.Send(xsynctest.Text(424242, "hi")).Status, xsync.StatusUnauthorized, "user not exist")
	assert.Empty(t, p.b.SyncAll(p.alice))
}
