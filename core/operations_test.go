package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/xsync"
)

// opsEnv is alice and bob with two devices each.
type opsEnv struct {
	srv              *FakeServer
	a, a2, b, b2     *Client
	ra, ra2, rb, rb2 *recorder
}

func newOpsEnv(t *testing.T) *opsEnv {
	srv := newFakeServer(t)
	tokA := srv.AddUser(1001, "alice", "pw")
	tokB := srv.AddUser(1002, "bob", "pw")
	e := &opsEnv{srv: srv}
	e.a, e.ra = newTestClient(t, srv, nil, nil)
	loginAs(t, e.a, 1001, tokA)
	e.a2, e.ra2 = newTestClient(t, srv, nil, nil)
	loginAs(t, e.a2, 1001, tokA)
	e.b, e.rb = newTestClient(t, srv, nil, nil)
	loginAs(t, e.b, 1002, tokB)
	e.b2, e.rb2 = newTestClient(t, srv, nil, nil)
	loginAs(t, e.b2, 1002, tokB)
	return e
}

// send makes alice send text to bob and waits until all four devices have
// it.
func (e *opsEnv) send(t *testing.T, text string) uint64 {
	m, err := e.a.SendMessage(ctxT(t), Message{To: 1002, Content: text})
	require.NoError(t, err)
	for _, c := range []*Client{e.a, e.a2} {
		eventually(t, func() bool { _, ok := c.Message(1002, m.ID); return ok }, "alice's devices")
	}
	for _, c := range []*Client{e.b, e.b2} {
		eventually(t, func() bool { _, ok := c.Message(1001, m.ID); return ok }, "bob's devices")
	}
	return m.ID
}

func statusOf(c *Client, conv, mid uint64) MessageStatus {
	m, _ := c.Message(conv, mid)
	return m.Status
}

func hasEvent[T Event](r *recorder, pred func(T) bool) func() bool {
	return func() bool {
		for _, e := range r.all() {
			if v, ok := e.(T); ok && pred(v) {
				return true
			}
		}
		return false
	}
}

func TestReadAck(t *testing.T) {
	e := newOpsEnv(t)
	mid := e.send(t, "read me")
	assert.Equal(t, 1, e.b.UnreadCount(1001))

	require.NoError(t, e.b.ReadMessage(ctxT(t), 1001, mid))
	assert.Equal(t, MessageRead, statusOf(e.b, 1001, mid), "applied locally once acked")
	assert.Zero(t, e.b.UnreadCount(1001))
	eventually(t, func() bool { return statusOf(e.a, 1002, mid) == MessageRead }, "the sender sees it read")
	eventually(t, hasEvent(e.ra, func(v MessageStatusChanged) bool { return v.UID == 1002 && v.Mid == mid }), "status event")
	eventually(t, hasEvent(e.ra, func(v UnreadChanged) bool { return v.ConversationID == 1002 }), "unread event")

	// On the wire: to = the sender, mid set.
	var op *xsync.MessageBody
	for _, m := range sends(e.srv) {
		body, _ := m.MessageBody()
		if body.Type == xsync.MsgOper && body.Operation.Type == xsync.OpReadAck {
			op = body
			assert.Equal(t, uint64(1001), m.To.Uid)
		}
	}
	require.NotNil(t, op)
	assert.Equal(t, mid, op.Operation.Mid)
	assert.Equal(t, xsync.CTypeCommand, op.Ctype)
}

func TestReadAllAndMarkUnread(t *testing.T) {
	e := newOpsEnv(t)
	m1 := e.send(t, "one")
	m2 := e.send(t, "two")
	m3 := e.send(t, "three")
	assert.Equal(t, 3, e.b2.UnreadCount(1001))

	require.NoError(t, e.b.ReadAll(ctxT(t), 1001))
	assert.Zero(t, e.b.UnreadCount(1001))
	// Official behaviour: a READ_ACK per message, then one READ_ALL.
	var acks, alls int
	for _, m := range sends(e.srv) {
		body, _ := m.MessageBody()
		if body.Type != xsync.MsgOper {
			continue
		}
		switch body.Operation.Type {
		case xsync.OpReadAck:
			acks++
		case xsync.OpReadAll:
			alls++
			assert.Equal(t, uint64(1002), m.To.Uid, "READ_ALL goes to self")
			assert.Equal(t, uint64(1001), body.Operation.Xid.Uid)
			assert.Equal(t, m3, body.Operation.Mid)
		}
	}
	assert.Equal(t, 3, acks)
	assert.Equal(t, 1, alls)
	eventually(t, func() bool { return e.b2.UnreadCount(1001) == 0 }, "bob's other device marks all read")
	for _, mid := range []uint64{m1, m2, m3} {
		eventually(t, func() bool { return statusOf(e.a, 1002, mid) == MessageRead }, "alice sees reads")
	}

	require.NoError(t, e.b.MarkUnread(ctxT(t), 1001, m2))
	assert.Equal(t, MessageUnread, statusOf(e.b, 1001, m2))
	assert.Equal(t, 1, e.b.UnreadCount(1001))
	eventually(t, hasEvent(e.rb, func(v MessageCanceled) bool { return v.Mid == m2 && v.UID == 1001 }), "canceled event")
	eventually(t, func() bool { return statusOf(e.b2, 1001, m2) == MessageUnread }, "other device")
	eventually(t, hasEvent(e.rb2, func(v MessageCanceled) bool { return v.Mid == m2 }), "canceled event on the other device")
}

func TestRecall(t *testing.T) {
	e := newOpsEnv(t)
	mid := e.send(t, "oops")
	require.NoError(t, e.a.Recall(ctxT(t), 1002, mid))
	_, ok := e.a.Message(1002, mid)
	assert.False(t, ok)
	eventually(t, hasEvent(e.ra, func(v MessageRecalled) bool { return v.UID == 1002 && v.Mid == mid }), "own recalled event")
	for _, tc := range []struct {
		c    *Client
		r    *recorder
		conv uint64
	}{{e.b, e.rb, 1001}, {e.b2, e.rb2, 1001}, {e.a2, e.ra2, 1002}} {
		eventually(t, func() bool { _, ok := tc.c.Message(tc.conv, mid); return !ok }, "recalled everywhere")
		eventually(t, hasEvent(tc.r, func(v MessageRecalled) bool { return v.UID == tc.conv && v.Mid == mid }), "recalled event")
	}
	ce, _ := e.b.Conversation(1001)
	assert.Empty(t, ce.Content, "list entry no longer shows the recalled text")

	// A server refusal fails the operation only.
	e.srv.Set(func() {
		e.srv.OnSend = func(fc *fsConn, ul *xsync.SyncUL) bool {
			fc.sendFrame(xsync.NewSyncDLFrame(&xsync.SyncDL{Status: &xsync.Status{Code: xsync.StatusFail, Reason: "recall time limit exceeded"}, ClientMid: ul.Meta.Id}))
			return true
		}
	})
	err := e.a.Recall(ctxT(t), 1002, 12345)
	assert.True(t, IsCode(err, MessageOutRecallTime), err)
}

func TestDeleteMessage(t *testing.T) {
	e := newOpsEnv(t)
	mid := e.send(t, "delete me")
	require.NoError(t, e.b.DeleteMessage(ctxT(t), 1001, mid))
	_, ok := e.b.Message(1001, mid)
	assert.False(t, ok)
	eventually(t, func() bool { _, ok := e.b2.Message(1001, mid); return !ok }, "deleted on bob's other device")
	eventually(t, hasEvent(e.rb2, func(v MessageDeleted) bool { return v.UID == 1001 && v.Mid == mid }), "deleted event")
	waitIdle(t, e.a)
	_, ok = e.a.Message(1002, mid)
	assert.True(t, ok, "alice keeps hers")
}

func TestAppendAndReplace(t *testing.T) {
	e := newOpsEnv(t)
	m, err := e.a.SendMessage(ctxT(t), Message{To: 1002, Content: "Hello", Config: `{"a":{"x":1},"keep":true}`, Ext: `{"e":1}`})
	require.NoError(t, err)
	mid := m.ID
	eventually(t, func() bool { _, ok := e.b.Message(1001, mid); return ok }, "delivered")

	require.NoError(t, e.a.AppendContent(ctxT(t), 1002, mid, ", world", `{"a":{"y":2}}`, ""))
	got, _ := e.a.Message(1002, mid)
	assert.Equal(t, "Hello, world", got.Content)
	assert.JSONEq(t, `{"a":{"x":1,"y":2},"keep":true}`, got.Config, "deep merge")
	assert.Equal(t, ", world", got.AppendedContent)
	assert.NotZero(t, got.EditTimestamp)
	ca := e.ra.wait(t, "append event", func(ev Event) bool { _, ok := ev.(ContentAppended); return ok }).(ContentAppended)
	assert.Equal(t, EventRosterMessageContentAppend, ca.EventName())
	assert.Equal(t, "Hello, world", ca.Message.Content)

	eventually(t, func() bool { m, _ := e.b.Message(1001, mid); return m.Content == "Hello, world" }, "peer applies the append")
	pb, _ := e.b.Message(1001, mid)
	assert.JSONEq(t, got.Config, pb.Config)
	assert.Equal(t, got.EditTimestamp, pb.EditTimestamp)

	// The wire form of APPEND: ctype text, to the conversation.
	var app *xsync.MessageBody
	for _, s := range sends(e.srv) {
		body, _ := s.MessageBody()
		if body.Type == xsync.MsgOper && body.Operation.Type == xsync.OpAppend {
			app = body
			assert.Equal(t, uint64(1002), s.To.Uid)
		}
	}
	require.NotNil(t, app)
	assert.Equal(t, xsync.CTypeText, app.Ctype)
	assert.Equal(t, ", world", app.Content)

	require.NoError(t, e.a.Replace(ctxT(t), 1002, mid, "Bye", "null", `{"f":2}`))
	got2, _ := e.a.Message(1002, mid)
	assert.Equal(t, "Bye", got2.Content)
	assert.JSONEq(t, got.Config, got2.Config, `"null" config means no change`)
	assert.JSONEq(t, `{"e":1,"f":2}`, got2.Ext)
	assert.Greater(t, got2.EditTimestamp, got.EditTimestamp)
	eventually(t, func() bool { m, _ := e.b2.Message(1001, mid); return m.Content == "Bye" }, "peer's other device applies the replace")
	eventually(t, hasEvent(e.rb, func(v MessageReplaced) bool {
		return v.Message.Content == "Bye" && v.EventName() == EventRosterMessageReplace
	}), "replace event")

	// Nothing to replace: no operation at all.
	n := len(sends(e.srv))
	require.NoError(t, e.a.Replace(ctxT(t), 1002, mid, "", "", ""))
	assert.Len(t, sends(e.srv), n)
}

func TestEditOrdering(t *testing.T) {
	// Received edits older than the stored state are rejected (§9.3).
	c := &Client{cache: NewMemoryCache(0, 0), events: newEventQueue()}
	defer c.events.close()
	c.lp.init(c)
	c.cache.Put(7, Message{ID: 1, From: 7, To: 1, Content: "a", Timestamp: 100, ToType: ToRoster})
	c.applyOp(opData{typ: xsync.OpAppend, conv: 7, mid: 1, content: "b", editTS: 200})
	c.applyOp(opData{typ: xsync.OpAppend, conv: 7, mid: 1, content: "X", editTS: 150})
	c.applyOp(opData{typ: xsync.OpAppend, conv: 7, mid: 1, content: "c", editTS: 200})
	m, _ := c.cache.Get(7, 1)
	assert.Equal(t, "abc", m.Content, "equal edit timestamps are accepted for APPEND")
	c.applyOp(opData{typ: xsync.OpReplace, conv: 7, mid: 1, content: "old", editTS: 199})
	m, _ = c.cache.Get(7, 1)
	assert.Equal(t, "abc", m.Content)
	c.applyOp(opData{typ: xsync.OpReplace, conv: 7, mid: 1, content: "new", editTS: 300})
	m, _ = c.cache.Get(7, 1)
	assert.Equal(t, "new", m.Content)
	c.cache.Put(8, Message{ID: 2, From: 7, To: 1, Content: "a", Timestamp: 500, ToType: ToRoster})
	c.applyOp(opData{typ: xsync.OpAppend, conv: 8, mid: 2, content: "b", editTS: 400})
	m, _ = c.cache.Get(8, 2)
	assert.Equal(t, "a", m.Content, "one-to-one: not older than the message")
}

func TestPlayAndDeliveryAck(t *testing.T) {
	e := newOpsEnv(t)
	mid := e.send(t, "audio")
	require.NoError(t, e.b.DeliveryAck(ctxT(t), 1001, mid))
	eventually(t, func() bool { return statusOf(e.a, 1002, mid) == MessageDelivered }, "delivered at the sender")
	require.NoError(t, e.b.PlayAck(ctxT(t), 1001, mid))
	m, _ := e.b.Message(1001, mid)
	assert.True(t, m.IsPlayed)
	eventually(t, func() bool { m, _ := e.a.Message(1002, mid); return m.IsPlayed }, "played at the sender")
}

func TestDeleteConversation(t *testing.T) {
	e := newOpsEnv(t)
	e.send(t, "hello")
	eventually(t, func() bool { _, ok := e.a2.Conversation(1002); return ok }, "listed")
	require.NoError(t, e.a.DeleteConversation(ctxT(t), 1002, true))
	_, ok := e.a.Conversation(1002)
	assert.False(t, ok)
	assert.Empty(t, e.a.Messages(1002))
	n := e.ra.wait(t, "deleted notice", func(ev Event) bool {
		n, ok := ev.(FlooNotice)
		return ok && n.Category == NoticeCategoryConversationDeleted
	}).(FlooNotice)
	assert.Equal(t, uint64(1002), n.ConversationID)
	assert.Equal(t, ConversationDeletedByUser, n.Source)

	n2 := e.ra2.wait(t, "deleted notice on the other device", func(ev Event) bool {
		n, ok := ev.(FlooNotice)
		return ok && n.Category == NoticeCategoryConversationDeleted
	}).(FlooNotice)
	assert.Equal(t, ConversationDeletedByOtherOperation, n2.Source)
	_, ok = e.a2.Conversation(1002)
	assert.False(t, ok)
	assert.Empty(t, e.a2.Messages(1002))

	var cv *xsync.Conversation
	for _, m := range sends(e.srv) {
		if m.Ns == xsync.NSConversation {
			assert.Nil(t, m.To, "no to")
			cv, _ = m.Conversation()
		}
	}
	require.NotNil(t, cv)
	assert.Equal(t, xsync.ConvOpDeleteEverywhere, cv.Operation.Type)
	assert.Equal(t, uint64(1002), cv.Operation.Xid.Uid)
}

func TestGroupReadAck(t *testing.T) {
	srv := newFakeServer(t)
	tokA := srv.AddUser(1001, "alice", "pw")
	tokB := srv.AddUser(1002, "bob", "pw")
	srv.AddGroup(5001, 1001, 1002)
	a, _ := newTestClient(t, srv, nil, nil)
	loginAs(t, a, 1001, tokA)
	b, _ := newTestClient(t, srv, nil, nil)
	loginAs(t, b, 1002, tokB)
	m, err := a.SendMessage(ctxT(t), Message{To: 5001, ToType: ToGroup, Content: "receipts please", Config: `{"groupMemberList":[1002]}`})
	require.NoError(t, err)
	plain, err := a.SendMessage(ctxT(t), Message{To: 5001, ToType: ToGroup, Content: "no receipts"})
	require.NoError(t, err)
	eventually(t, func() bool { return len(b.Messages(5001)) == 2 }, "delivered")

	require.NoError(t, b.ReadAll(ctxT(t), 5001))
	assert.Zero(t, b.UnreadCount(5001))
	var acked []uint64
	for _, s := range sends(srv) {
		body, _ := s.MessageBody()
		if body.Type == xsync.MsgOper && body.Operation.Type == xsync.OpReadAck {
			acked = append(acked, body.Operation.Mid)
			assert.Equal(t, uint64(1001), s.To.Uid, "group READ_ACK goes to the sender")
		}
	}
	assert.Equal(t, []uint64{m.ID}, acked, "only messages asking for receipts")
	eventually(t, func() bool { return statusOf(a, 5001, m.ID) == MessageRead }, "sender sees the read in the group")
	assert.Equal(t, MessageUnread, statusOf(a, 5001, plain.ID))
}

func TestOperationsValidation(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddGroup(5001, 1001) // known from the prefetch
	c, _ := newTestClient(t, srv, nil, nil)
	assert.True(t, IsCode(c.Recall(ctxT(t), 1002, 1), UserNotLogin))
	loginAs(t, c, 1001, tok)
	assert.True(t, IsCode(c.Recall(ctxT(t), 0, 1), InvalidParam))
	assert.True(t, IsCode(c.ReadMessage(ctxT(t), 1002, 0), InvalidParam))
	assert.True(t, IsCode(c.AppendContent(ctxT(t), 1002, 5, "x", "{bad", ""), InvalidParam))
	assert.True(t, IsCode(c.DeleteConversation(ctxT(t), 0, true), InvalidParam))
	err := c.ReadMessage(ctxT(t), 5001, 42)
	assert.True(t, IsCode(err, NotFound), "group target unknown locally: %v", err)
}
