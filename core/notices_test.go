package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/xsync"
)

func pushGroupNotice(srv *FakeServer, uid uint64, n *xsync.GroupNotice) {
	srv.Push(uid, uid, &xsync.Meta{From: n.From, To: &xsync.XID{Uid: uid}, Ns: xsync.NSGroupNotice, Payload: n.Marshal()})
}

func pushRosterNotice(srv *FakeServer, uid uint64, n *xsync.RosterNotice) {
	srv.Push(uid, uid, &xsync.Meta{From: n.From, To: &xsync.XID{Uid: uid}, Ns: xsync.NSRosterNotice, Payload: n.Marshal()})
}

func TestGroupNotices(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	srv.AddGroup(5001, 1001, 1002)
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	srv.SendBody(1002, 5001, &xsync.MessageBody{Type: xsync.MsgGroupChat, Content: "in the group"})
	rec.waitName(t, EventGroupMessage, 1)
	require.Len(t, c.Messages(5001), 1)

	self, bob := &xsync.XID{Uid: 1001}, &xsync.XID{Uid: 1002}
	gid := func(g uint64) *xsync.XID { return &xsync.XID{Uid: g} }

	pushGroupNotice(srv, 1001, &xsync.GroupNotice{Type: xsync.GroupNoticeJoined, Gid: gid(5002), From: self})
	gn := rec.waitName(t, EventGroupJoined, 1).(GroupNotice)
	assert.Equal(t, uint64(5002), gn.Notice.Payload.Gid.UID)
	assert.Equal(t, int32(xsync.NSGroupNotice), gn.Notice.NS)
	rec.waitName(t, EventGroupListUpdate, 1)

	pushGroupNotice(srv, 1001, &xsync.GroupNotice{Type: xsync.GroupNoticeJoined, Gid: gid(5001), From: &xsync.XID{Uid: 1003}})
	mc := rec.waitName(t, EventGroupMemberChanged, 1).(GroupMemberChanged)
	assert.Equal(t, uint64(5001), mc.GroupID)

	pushGroupNotice(srv, 1001, &xsync.GroupNotice{Type: xsync.GroupNoticeBanned, Gid: gid(5001), From: bob, To: []*xsync.XID{self}, Content: "10"})
	gb := rec.waitName(t, EventGroupBanned, 1).(GroupBanned)
	assert.Equal(t, []uint64{1001}, gb.ToUIDs)
	assert.Equal(t, "10", gb.Content)
	assert.False(t, gb.All)

	pushGroupNotice(srv, 1001, &xsync.GroupNotice{Type: xsync.GroupNoticeInfoUpdated, Gid: gid(5001), From: bob, Content: `{"property":"ban_expire_time","ban_expire_time":-1}`})
	gb = rec.waitName(t, EventGroupBanned, 2).(GroupBanned)
	assert.True(t, gb.All)
	pushGroupNotice(srv, 1001, &xsync.GroupNotice{Type: xsync.GroupNoticeInfoUpdated, Gid: gid(5001), From: bob, Content: `{"property":"ban_expire_time","ban_expire_time":0}`})
	gu := rec.waitName(t, EventGroupUnbanned, 1).(GroupUnbanned)
	assert.True(t, gu.All)

	pushGroupNotice(srv, 1001, &xsync.GroupNotice{Type: xsync.GroupNoticeInvited, Gid: gid(5003), From: bob, To: []*xsync.XID{self}})
	inv := rec.waitName(t, EventGroupNotice, 1).(GroupNotice)
	assert.Equal(t, int32(xsync.GroupNoticeInvited), inv.Notice.Payload.Type)
	eventually(t, func() bool { return len(c.Notices()) == 1 }, "invitation stored")

	// Kicked: the group, its messages and its list entry go.
	pushGroupNotice(srv, 1001, &xsync.GroupNotice{Type: xsync.GroupNoticeKicked, Gid: gid(5001), From: bob, To: []*xsync.XID{self}})
	rec.waitName(t, EventGroupKicked, 1)
	eventually(t, func() bool { return len(c.Messages(5001)) == 0 }, "messages dropped")
	_, ok := c.Conversation(5001)
	assert.False(t, ok)

	pushGroupNotice(srv, 1001, &xsync.GroupNotice{Type: xsync.GroupNoticeDestroyed, Gid: gid(5002), From: bob})
	rec.waitName(t, EventGroupDestroyed, 1)
}

func TestRosterNotices(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	srv.SendText(1002, 1001, "hi")
	rec.waitName(t, EventRosterMessage, 1)

	self, bob := &xsync.XID{Uid: 1001}, &xsync.XID{Uid: 1002}
	pushRosterNotice(srv, 1001, &xsync.RosterNotice{Type: xsync.RosterNoticeApplied, From: &xsync.XID{Uid: 1003}, To: []*xsync.XID{self}, Content: "let me in"})
	ap := rec.waitName(t, EventRosterApplied, 1).(RosterNotice)
	assert.Equal(t, "let me in", ap.Notice.Payload.Content)
	assert.Equal(t, uint64(1003), ap.Notice.Payload.From.UID)
	eventually(t, func() bool { return len(c.Notices()) == 1 }, "application stored")

	pushRosterNotice(srv, 1001, &xsync.RosterNotice{Type: xsync.RosterNoticeInfoUpdated, From: bob, To: []*xsync.XID{self}, Content: `{"nick_name":"Bobby"}`})
	iu := rec.waitName(t, EventRosterInfoUpdate, 1).(RosterInfoUpdated)
	assert.Equal(t, []uint64{1002}, iu.UIDs)

	pushRosterNotice(srv, 1001, &xsync.RosterNotice{Type: xsync.RosterNoticeRemoved, From: self, To: []*xsync.XID{bob}})
	rec.waitName(t, EventRosterRemoved, 1)
	eventually(t, func() bool { return len(c.Messages(1002)) == 0 }, "conversation dropped")
	_, ok := c.Conversation(1002)
	assert.False(t, ok)
	assert.GreaterOrEqual(t, rec.count(EventRosterListUpdate), 2)
}

func TestRTCSignalAndConversationHelpers(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	sig := &xsync.RtcSignal{Type: xsync.RtcSignalVideoRoom, Content: `{"janus":"event","session_id":8765432109876543210}`, MediaServer: "wss://rtc.test"}
	srv.Push(1001, 1001, &xsync.Meta{From: &xsync.XID{}, To: &xsync.XID{Uid: 1001}, Ns: xsync.NSRtcSignal, Payload: sig.Marshal()})
	rs := rec.waitName(t, EventRTCSignal, 1).(RTCSignal)
	assert.Equal(t, sig.Content, rs.Content)
	assert.Equal(t, "wss://rtc.test", rs.MediaServer)

	id := srv.SendText(1002, 1001, "hello")
	rec.waitName(t, EventRosterMessage, 1)
	c.SaveDraft(1002, ToRoster, "half a thought", 99)
	assert.Equal(t, "half a thought", c.Draft(1002))
	c.SaveDraft(1003, ToRoster, "new", 100)
	e, ok := c.Conversation(1003)
	require.True(t, ok)
	assert.Equal(t, uint64(100), e.DraftTimestamp)
	c.TouchConversation(1002, ToRoster, 12345)
	list := c.Conversations()
	require.Len(t, list, 2)
	assert.Equal(t, uint64(1002), list[0].ID)
	assert.Equal(t, uint64(12345), list[0].Timestamp)
	assert.Equal(t, "half a thought", list[0].Draft)

	require.NoError(t, c.ReadMessage(ctxT(t), 1002, id))
	assert.Zero(t, c.UnreadCount(1002))
	m, ok := c.MarkMessageUnreadLocal(1002, id)
	require.True(t, ok)
	assert.Equal(t, MessageUnread, m.Status)
	assert.Equal(t, 1, c.UnreadCount(1002))
	_, ok = c.MarkMessageUnreadLocal(1002, 1)
	assert.False(t, ok)
}
