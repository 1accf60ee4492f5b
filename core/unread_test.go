package core

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/xsync"
)

func TestUnreadTracker(t *testing.T) {
	var u unreadTracker
	assert.Zero(t, u.count(7))
	assert.False(t, u.set(7, 10, false), "marking an unknown message read changes nothing")
	assert.True(t, u.set(7, 10, true))
	assert.False(t, u.set(7, 10, true), "a message counts once however often it is delivered")
	assert.True(t, u.set(7, 30, true))
	assert.True(t, u.set(7, 20, true))
	assert.Equal(t, 3, u.count(7))
	assert.Equal(t, uint64(30), u.maxID(7))
	assert.False(t, u.set(0, 1, true), "conversation 0 is not tracked")
	assert.False(t, u.set(7, 0, true), "message id 0 is not tracked")

	assert.True(t, u.set(7, 20, false))
	assert.Equal(t, 2, u.count(7))
	assert.True(t, u.readUpTo(7, 15), "READ_ALL up to 15 reads 10")
	assert.Equal(t, 1, u.count(7))
	assert.False(t, u.readUpTo(7, 15))
	assert.True(t, u.readUpTo(7, 0), "READ_ALL without a position reads everything")
	assert.Zero(t, u.count(7))
	assert.Zero(t, u.maxID(7))

	u.set(8, 1, true)
	u.set(9, 1, true)
	assert.True(t, u.clear(8))
	assert.False(t, u.clear(8))
	assert.Equal(t, 1, u.count(9))
	u.clearAll()
	assert.Zero(t, u.count(9))

	// Past the bound the oldest ids are forgotten but still counted, and a
	// READ_ALL beyond them still clears them.
	const extra = 25
	for id := uint64(1); id <= maxTrackedUnread+extra; id++ {
		u.set(5, id, true)
	}
	assert.Equal(t, maxTrackedUnread+extra, u.count(5))
	u.mu.Lock()
	assert.Len(t, u.convs[5].ids, maxTrackedUnread, "memory stays bounded")
	assert.Equal(t, uint64(extra), u.convs[5].floor)
	u.mu.Unlock()
	assert.False(t, u.set(5, 3, true), "an id below the floor is not counted twice")
	assert.True(t, u.set(5, maxTrackedUnread+extra, false))
	assert.Equal(t, maxTrackedUnread+extra-1, u.count(5))
	assert.True(t, u.readUpTo(5, extra+10))
	assert.Equal(t, maxTrackedUnread-1-10, u.count(5), "the untracked ones and ten tracked ones are read")
}

// TestUnreadCountBeyondCache: alice's device has a cache of ten messages
// in all. An offline burst larger than that is still counted in full, and
// every way of reading, un-reading or removing a message adjusts the
// count, also for messages that left the cache.
func TestUnreadCountBeyondCache(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	srv.AddUser(1003, "carol", "pw")
	small := func(cfg *Config) { cfg.MessageCacheSize, cfg.MessageCacheTotal = 10, 10 }
	a, arec := newTestClient(t, srv, nil, small)
	loginAs(t, a, 1001, tok)
	a.Disconnect()
	waitState(t, a, StateDisconnected)
	eventually(t, func() bool { return len(srv.Conns(1001)) == 0 }, "alice's first device offline")
	a2, _ := newTestClient(t, srv, nil, nil)
	loginAs(t, a2, 1001, tok)

	// The burst, plus what never counts: call control, a command message
	// and alice's own message from her other device.
	var ids []uint64
	for i := 0; i < 35; i++ {
		ids = append(ids, srv.SendText(1002, 1001, "b"+strconv.Itoa(i)))
	}
	srv.SendBody(1002, 1001, &xsync.MessageBody{Type: xsync.MsgChat, Ctype: xsync.CTypeRTC, Config: `{"action":"hangup"}`})
	srv.SendBody(1002, 1001, &xsync.MessageBody{Type: xsync.MsgChat, Ctype: xsync.CTypeCommand, Content: "cmd"})
	srv.SendText(1001, 1002, "mine")
	a.Reconnect()
	eventually(t, func() bool { return len(msgEvents(arec)) == 37 }, "the burst")
	arec.waitName(t, EventRosterRTCMessage, 1)
	waitIdle(t, a)
	assert.Len(t, a.Messages(1002), 10, "the cache keeps ten")
	assert.Equal(t, 35, a.UnreadCount(1002), "every unread message counts")
	list := a.Conversations()
	require.Len(t, list, 1)
	assert.Equal(t, 35, list[0].Unread)
	e, ok := a.Conversation(1002)
	require.True(t, ok)
	assert.Equal(t, 35, e.Unread)

	// A read ack for a message the cache no longer holds.
	_, inCache := a.Message(1002, ids[0])
	require.False(t, inCache)
	before := arec.count(EventUnreadChange)
	require.NoError(t, a.ReadMessage(ctxT(t), 1002, ids[0]))
	assert.Equal(t, 34, a.UnreadCount(1002))
	eventually(t, func() bool { return arec.count(EventUnreadChange) > before }, "onUnreadChange for an evicted message")

	// READ_ALL from the other device resets it.
	eventually(t, func() bool { return a2.UnreadCount(1002) == 35 }, "the other device has the burst")
	require.NoError(t, a2.ReadAll(ctxT(t), 1002))
	eventually(t, func() bool { return a.UnreadCount(1002) == 0 }, "READ_ALL from the other device")
	assert.Equal(t, MessageRead, statusOf(a, 1002, ids[34]))

	// READ_CANCEL from the other device raises it again.
	require.NoError(t, a2.MarkUnread(ctxT(t), 1002, ids[34]))
	eventually(t, func() bool { return a.UnreadCount(1002) == 1 }, "READ_CANCEL from the other device")
	assert.Equal(t, MessageUnread, statusOf(a, 1002, ids[34]))

	// New messages count; a recall by the sender and a delete from the
	// other device take theirs back.
	x := srv.SendText(1002, 1001, "x")
	y := srv.SendText(1002, 1001, "y")
	eventually(t, func() bool { return a.UnreadCount(1002) == 3 }, "two more")
	srv.SendBody(1002, 1001, &xsync.MessageBody{Type: xsync.MsgOper, Ctype: xsync.CTypeCommand,
		Operation: &xsync.MessageOperation{Type: xsync.OpRecall, Mid: x, Xid: &xsync.XID{Uid: 1001}}})
	eventually(t, func() bool { return a.UnreadCount(1002) == 2 }, "recalled by bob")
	require.NoError(t, a2.DeleteMessage(ctxT(t), 1002, y))
	eventually(t, func() bool { return a.UnreadCount(1002) == 1 }, "deleted on the other device")

	// Carol's messages push bob's conversation out of the cache entirely;
	// ReadAll still covers its unread message.
	for i := 0; i < 10; i++ {
		srv.SendText(1003, 1001, "c"+strconv.Itoa(i))
	}
	eventually(t, func() bool { return a.UnreadCount(1003) == 10 }, "carol's messages")
	require.Empty(t, a.Messages(1002))
	assert.Equal(t, 1, a.UnreadCount(1002))
	require.NoError(t, a.ReadAll(ctxT(t), 1002))
	assert.Zero(t, a.UnreadCount(1002))
	var readAll *xsync.MessageOperation
	for _, m := range sends(srv) {
		body, _ := m.MessageBody()
		if body.Type == xsync.MsgOper && body.Operation.Type == xsync.OpReadAll && m.From.DeviceSN == a.DeviceSN() {
			readAll = body.Operation
		}
	}
	require.NotNil(t, readAll, "READ_ALL sent although the cache is empty")
	assert.Equal(t, ids[34], readAll.Mid)
	eventually(t, func() bool { return a2.UnreadCount(1002) == 0 }, "and the other device follows")

	// Deleting a conversation clears its count.
	require.NoError(t, a.DeleteConversation(ctxT(t), 1003, true))
	assert.Zero(t, a.UnreadCount(1003))
	eventually(t, func() bool { return a2.UnreadCount(1003) == 0 }, "everywhere")

	// Marking a read message unread locally counts it again.
	z := srv.SendText(1003, 1001, "z")
	eventually(t, func() bool { return a.UnreadCount(1003) == 1 }, "carol again")
	require.NoError(t, a.ReadMessage(ctxT(t), 1003, z))
	assert.Zero(t, a.UnreadCount(1003))
	_, ok = a.MarkMessageUnreadLocal(1003, z)
	require.True(t, ok)
	assert.Equal(t, 1, a.UnreadCount(1003))

	// Logout forgets the counts.
	require.NoError(t, errOf(a.Logout(ctxT(t), LogoutOptions{})))
	assert.Zero(t, a.UnreadCount(1003))
}

// TestUnreadCountFromHistory: a history page counts the unread messages
// sync never delivered (they predate the device) and drops from the count
// those the server reports read.
func TestUnreadCountFromHistory(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	read := textBody("read elsewhere")
	read.Status = xsync.MsgStatusRead
	srv.SendBody(1002, 1001, read)
	srv.SendText(1002, 1001, "old one")
	srv.SendText(1002, 1001, "old two")
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	waitIdle(t, c)
	assert.Zero(t, c.UnreadCount(1002), "a new device syncs nothing older than itself")

	page, err := c.History(ctxT(t), 1002, 0, 20)
	require.NoError(t, err)
	require.Len(t, page.Messages, 3)
	assert.Equal(t, 2, c.UnreadCount(1002))
	eventually(t, hasEvent(rec, func(v UnreadChanged) bool { return v.ConversationID == 1002 }), "onUnreadChange")

	// Live, the message was counted; a later page showing it read (read on
	// another device with a single READ_ACK, which this device is not sent)
	// takes it back.
	live := srv.SendText(1002, 1001, "live")
	eventually(t, func() bool { return c.UnreadCount(1002) == 3 }, "live message")
	srv.mu.Lock()
	log := srv.logs[pairKey(1001, 1002)]
	for i, m := range log {
		if m.Id == live {
			b, _ := m.MessageBody()
			b.Status = xsync.MsgStatusRead
			cp := *m
			cp.Payload = b.Marshal()
			log[i] = &cp
		}
	}
	srv.mu.Unlock()
	_, err = c.History(ctxT(t), 1002, 0, 20)
	require.NoError(t, err)
	assert.Equal(t, 2, c.UnreadCount(1002))
}

// TestLoginAsAnotherUserDropsLocalData: a login replacing the session of
// another user (no logout in between) does not show the first user's
// messages, conversations or unread counts; a new login of the same user
// keeps them.
func TestLoginAsAnotherUserDropsLocalData(t *testing.T) {
	srv := newFakeServer(t)
	tokA := srv.AddUser(1001, "alice", "pw")
	tokC := srv.AddUser(1003, "carol", "pw")
	srv.AddUser(1002, "bob", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tokA)
	srv.SendText(1002, 1001, "for alice")
	rec.waitName(t, EventRosterMessage, 1)
	require.Len(t, c.Messages(1002), 1)

	loginAs(t, c, 1001, tokA)
	assert.Len(t, c.Messages(1002), 1, "the same user keeps the data")
	assert.Equal(t, 1, c.UnreadCount(1002))

	loginAs(t, c, 1003, tokC)
	assert.Empty(t, c.Messages(1002))
	assert.Zero(t, c.UnreadCount(1002))
	assert.Empty(t, c.Conversations())

	// By name, the user is known only once the token is: the same rule.
	srv.SendText(1002, 1003, "for carol")
	eventually(t, func() bool { return c.UnreadCount(1002) == 1 }, "carol's message")
	require.NoError(t, c.Login(ctxT(t), "alice", "pw"))
	assert.Empty(t, c.Messages(1002))
	assert.Empty(t, c.Conversations())
}
