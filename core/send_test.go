package core

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/xsync"
)

// sends returns the message sends (SyncUL with a meta) received by srv.
func sends(srv *FakeServer) []*xsync.Meta {
	var out []*xsync.Meta
	for _, ul := range srv.SyncULs(func(ul *xsync.SyncUL) bool { return ul.Meta != nil }) {
		out = append(out, ul.Meta)
	}
	return out
}

func sendStatuses(rec *recorder) []SendingStatus {
	var out []SendingStatus
	for _, e := range rec.named(EventSendingMessageStatusChanged) {
		out = append(out, e.(SendingStatus))
	}
	return out
}

func twoUsers(t *testing.T) (*FakeServer, *Client, *recorder, *Client, *recorder) {
	srv := newFakeServer(t)
	tokA := srv.AddUser(1001, "alice", "pw")
	tokB := srv.AddUser(1002, "bob", "pw")
	a, arec := newTestClient(t, srv, nil, nil)
	loginAs(t, a, 1001, tokA)
	b, brec := newTestClient(t, srv, nil, nil)
	loginAs(t, b, 1002, tokB)
	return srv, a, arec, b, brec
}

func TestSendMessage(t *testing.T) {
	srv, a, arec, b, brec := twoUsers(t)
	before := uint64(srv.Clock.Now().UnixMilli()) * 1000

	m, err := a.SendMessage(ctxT(t), Message{To: 1002, Content: "hi bob", Ext: `{"k":1}`})
	require.NoError(t, err)
	assert.NotZero(t, m.ID)
	assert.Equal(t, uint64(1001), m.From)
	assert.Equal(t, ToRoster, m.ToType)
	assert.Equal(t, TypeText, m.Type)
	assert.Equal(t, uint64(srv.Clock.Now().UnixMilli()), m.Timestamp, "server_time")

	// On the wire.
	ms := sends(srv)
	require.Len(t, ms, 1)
	meta := ms[0]
	assert.GreaterOrEqual(t, meta.Id, before, "client_mid seeded from ms × 1000")
	assert.Less(t, meta.Id, uint64(1)<<53)
	assert.Equal(t, uint64(1001), meta.From.Uid)
	assert.Equal(t, uint32(1), meta.From.DeviceSN)
	assert.Equal(t, uint64(1002), meta.To.Uid)
	assert.Equal(t, xsync.NSMessage, meta.Ns)
	assert.NotZero(t, meta.Timestamp)
	body, err := meta.MessageBody()
	require.NoError(t, err)
	assert.Equal(t, xsync.MsgChat, body.Type)
	assert.Equal(t, xsync.CTypeText, body.Ctype)
	assert.Equal(t, "hi bob", body.Content)
	assert.Empty(t, body.Attachment)

	// Status events: sending then sent, same client_mid; then the message.
	eventually(t, func() bool { return len(sendStatuses(arec)) == 2 }, "two statuses")
	st := sendStatuses(arec)
	assert.Equal(t, SendStatusSending, st[0].Status)
	assert.Equal(t, meta.Id, st[0].Mid)
	assert.Equal(t, meta.Id, st[0].Message.ID, "while sending, the id is the client_mid")
	assert.Equal(t, SendStatusSent, st[1].Status)
	assert.Equal(t, meta.Id, st[1].Mid)
	assert.Equal(t, m.ID, st[1].Message.ID)
	assert.Equal(t, uint64(1002), st[1].UID)
	rm := arec.waitName(t, EventRosterMessage, 1).(RosterMessage)
	assert.Equal(t, m.ID, rm.Message.ID)

	// Stored and listed on the sender's side, delivered to the peer.
	stored, ok := a.Message(1002, m.ID)
	require.True(t, ok)
	assert.Equal(t, "hi bob", stored.Content)
	e, _ := a.Conversation(1002)
	assert.Equal(t, "hi bob", e.Content)
	assert.Zero(t, e.Unread)
	br := brec.waitName(t, EventRosterMessage, 1).(RosterMessage)
	assert.Equal(t, m.ID, br.Message.ID)
	assert.Equal(t, `{"k":1}`, br.Message.Ext)
	assert.Equal(t, 1, b.UnreadCount(1001))
}

func TestSendKindsAndValidation(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddGroup(5001, 1001, 1002)
	c, _ := newTestClient(t, srv, nil, nil)

	_, err := c.PostMessage(Message{To: 1002, Content: "x"})
	assert.True(t, IsCode(err, UserNotLogin), "before login: %v", err)

	loginAs(t, c, 1001, tok)
	for _, bad := range []Message{
		{Content: "no target"},
		{To: 1002, ToType: "channel"},
		{To: 1002, Type: "hologram"},
		{To: 1002, Type: TypeImage, Attachment: "{not json"},
		{To: 1002, Config: "[oops"},
	} {
		_, err := c.PostMessage(bad)
		assert.True(t, IsCode(err, InvalidParam), "%+v: %v", bad, err)
	}

	kinds := []Message{
		{To: 1002, Type: TypeImage, Attachment: `{"url":"https://f/1","dName":"a.png","fLen":10,"width":1,"height":2}`},
		{To: 1002, Type: TypeAudio, Attachment: `{"url":"https://f/2","duration":3}`},
		{To: 1002, Type: TypeVideo, Attachment: `{"url":"https://f/3"}`},
		{To: 1002, Type: TypeFile, Attachment: `{"url":"https://f/4","dName":"x.pdf"}`},
		{To: 1002, Type: TypeLocation, Attachment: `{"lat":1.5,"lon":2.5,"addr":"here"}`},
		{To: 1002, Type: TypeCommand, Content: "cmd"},
		{To: 1002, Type: TypeForward, Content: "fw"},
		{To: 1002, Type: TypeRTC, Config: `{"action":"call","callId":"1"}`},
		{To: 5001, ToType: ToGroup, Content: "@bob", Config: `{"mentionAll":false,"mentionList":[1002],"mentionedMessage":"hi","pushMessage":"p","senderNickname":"al"}`},
	}
	wantCT := []xsync.ContentType{xsync.CTypeImage, xsync.CTypeAudio, xsync.CTypeVideo, xsync.CTypeFile, xsync.CTypeLocation, xsync.CTypeCommand, xsync.CTypeForward, xsync.CTypeRTC, xsync.CTypeText}
	for _, k := range kinds {
		_, err := c.SendMessage(ctxT(t), k, WithPriority(3))
		require.NoError(t, err, "%+v", k)
	}
	ms := sends(srv)
	require.Len(t, ms, len(kinds))
	var last uint64
	for i, meta := range ms {
		body, err := meta.MessageBody()
		require.NoError(t, err)
		assert.Equal(t, wantCT[i], body.Ctype)
		assert.Equal(t, kinds[i].Attachment, body.Attachment)
		assert.Equal(t, kinds[i].Config, body.Config)
		assert.Equal(t, uint32(3), body.Priority)
		assert.Greater(t, meta.Id, last, "client_mids strictly increase")
		last = meta.Id
	}
	body, _ := ms[8].MessageBody()
	assert.Equal(t, xsync.MsgGroupChat, body.Type)
	// Command and forward messages are delivered but not stored.
	for _, m := range c.Messages(1002) {
		assert.NotEqual(t, TypeCommand, m.Type)
		assert.NotEqual(t, TypeForward, m.Type)
	}
	assert.Len(t, c.Messages(1002), 6)
	assert.Len(t, c.Messages(5001), 1)
}

func TestSendWhileDisconnectedQueues(t *testing.T) {
	srv, a, arec, _, brec := twoUsers(t)
	a.Disconnect()
	waitState(t, a, StateDisconnected)
	var mids []uint64
	for i := 0; i < 3; i++ {
		mid, err := a.PostMessage(Message{To: 1002, Content: "q" + strconv.Itoa(i)})
		require.NoError(t, err)
		mids = append(mids, mid)
	}
	waitIdle(t, a)
	assert.Empty(t, sends(srv))
	pending, err := a.PendingSends(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, mids, pending)

	a.Reconnect()
	eventually(t, func() bool { return brec.count(EventRosterMessage) == 3 }, "delivered")
	var got []string
	for _, m := range msgEvents(brec) {
		got = append(got, m.Content)
	}
	assert.Equal(t, []string{"q0", "q1", "q2"}, got, "in order")
	var wire []uint64
	for _, m := range sends(srv) {
		wire = append(wire, m.Id)
	}
	assert.Equal(t, mids, wire)
	eventually(t, func() bool { return arec.count(EventRosterMessage) == 3 }, "confirmed")
}

func TestOutboxResendSameClientMid(t *testing.T) {
	srv, a, arec, _, brec := twoUsers(t)
	// The first attempt is stored by the server but its ack is lost with
	// the connection.
	var lost atomic.Bool
	srv.Set(func() {
		srv.OnSend = func(fc *fsConn, ul *xsync.SyncUL) bool {
			if lost.CompareAndSwap(false, true) {
				fc.processSend(ul)
				fc.pipe.Close(1006, "ack lost")
				return true
			}
			return false
		}
	})
	m, err := a.SendMessage(ctxT(t), Message{To: 1002, Content: "exactly once"})
	require.NoError(t, err)
	ms := sends(srv)
	require.Len(t, ms, 2, "re-sent after the reconnect")
	assert.Equal(t, ms[0].Id, ms[1].Id, "with the same client_mid")
	arec.waitName(t, EventLoginSuccess, 2)

	brec.waitName(t, EventRosterMessage, 1)
	waitIdle(t, a)
	time.Sleep(10 * time.Millisecond)
	assert.Equal(t, 1, brec.count(EventRosterMessage), "the peer got it once")
	assert.Equal(t, 1, arec.count(EventRosterMessage))
	var sent int
	for _, s := range sendStatuses(arec) {
		if s.Status == SendStatusSent {
			sent++
			assert.Equal(t, m.ID, s.Message.ID)
		}
	}
	assert.Equal(t, 1, sent)
}

func TestSendRejected(t *testing.T) {
	srv, a, arec, _, _ := twoUsers(t)
	srv.Set(func() {
		srv.OnSend = func(fc *fsConn, ul *xsync.SyncUL) bool {
			fc.sendFrame(xsync.NewSyncDLFrame(&xsync.SyncDL{Status: &xsync.Status{Code: xsync.StatusUserBanned, Reason: "group banned"}, ClientMid: ul.Meta.Id}))
			return true
		}
	})
	_, err := a.SendMessage(ctxT(t), Message{To: 1002, Content: "muted"})
	assert.True(t, IsCode(err, GroupMemberBanned), err)
	eventually(t, func() bool { return len(sendStatuses(arec)) == 2 }, "failed status")
	f := sendStatuses(arec)[1]
	assert.Equal(t, SendStatusFailed, f.Status)
	assert.Equal(t, int(xsync.StatusUserBanned), f.ErrorCode)
	assert.Equal(t, "group banned", f.ErrorReason)
	waitIdle(t, a)
	assert.Zero(t, arec.count(EventFlooError), "a failed send is not a session error")
	assert.Zero(t, arec.count(EventSessionError))
	assert.Equal(t, StateConnected, a.State())
}

func TestSendOrderPerConversation(t *testing.T) {
	srv, a, _, _, brec := twoUsers(t)
	for i := 0; i < 50; i++ {
		_, err := a.PostMessage(Message{To: 1002, Content: strconv.Itoa(i)})
		require.NoError(t, err)
	}
	eventually(t, func() bool { return brec.count(EventRosterMessage) == 50 }, "50 delivered")
	var prev uint64
	for i, m := range msgEvents(brec) {
		assert.Equal(t, strconv.Itoa(i), m.Content)
		assert.Greater(t, m.ID, prev)
		prev = m.ID
	}
	_ = srv
}

func TestUseClientMid(t *testing.T) {
	srv, a, _, _, brec := twoUsers(t)
	a.Disconnect()
	waitState(t, a, StateDisconnected)
	const given = uint64(1_700_000_000_000_500)
	assert.Zero(t, a.UseClientMid(given))
	mid, err := a.PostMessage(Message{To: 1002, Content: "given"})
	require.NoError(t, err)
	assert.Equal(t, given, mid, "the given client_mid")
	// The override is used once; an operation or the next send draws its own.
	next, err := a.PostMessage(Message{To: 1002, Content: "drawn"})
	require.NoError(t, err)
	assert.NotEqual(t, given, next)

	// The same send again (another tab's engine asked twice) is dropped.
	a.UseClientMid(given)
	again, err := a.PostMessage(Message{To: 1002, Content: "given"})
	require.NoError(t, err)
	assert.Equal(t, given, again)
	waitIdle(t, a)
	pending, err := a.PendingSends(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, []uint64{given, next}, pending)

	// A reserved send (the group path) takes it too.
	a.UseClientMid(given + 1)
	r, err := a.ReserveMessage(Message{To: 1002, Content: "reserved"})
	require.NoError(t, err)
	assert.Equal(t, given+1, r)
	a.PostReserved(r, Message{To: 1002, Content: "reserved"}, nil)

	a.Reconnect()
	eventually(t, func() bool { return brec.count(EventRosterMessage) == 3 }, "delivered")
	var wire []uint64
	for _, m := range sends(srv) {
		wire = append(wire, m.Id)
	}
	assert.Equal(t, []uint64{given, next, given + 1}, wire, "once each, under the given mids")
	assert.Zero(t, a.UseClientMid(0), "consumed")
}
