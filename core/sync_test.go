package core

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

// pulls returns the incremental-sync SyncULs sent for stream.
func pulls(srv *FakeServer, stream uint64) []*xsync.SyncUL {
	return srv.SyncULs(func(ul *xsync.SyncUL) bool {
		return ul.Meta == nil && !ul.IsFullSync && xidUID(ul.Xid) == stream
	})
}

// offlineClient logs alice in once (registering the device), then
// disconnects, so that data pushed meanwhile waits for the next sync.
func offlineClient(t *testing.T, srv *FakeServer, tok string) (*Client, *recorder) {
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	c.Disconnect()
	waitState(t, c, StateDisconnected)
	eventually(t, func() bool { return len(srv.Conns(1001)) == 0 }, "disconnected")
	return c, rec
}

func TestSyncPagingAndAcks(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	srv.AddUser(1003, "carol", "pw")
	c, rec := offlineClient(t, srv, tok)

	var bobIDs, carolIDs []uint64
	for i := 0; i < 120; i++ {
		bobIDs = append(bobIDs, srv.SendText(1002, 1001, "b"+strconv.Itoa(i)))
	}
	for i := 0; i < 10; i++ {
		carolIDs = append(carolIDs, srv.SendText(1003, 1001, "c"+strconv.Itoa(i)))
	}
	c.Reconnect()
	eventually(t, func() bool { return len(msgEvents(rec)) == 130 }, "130 messages")

	// Every message once, in order per conversation.
	var gotBob, gotCarol []uint64
	for _, m := range msgEvents(rec) {
		switch m.From {
		case 1002:
			gotBob = append(gotBob, m.ID)
		case 1003:
			gotCarol = append(gotCarol, m.ID)
		}
		assert.False(t, m.IsHistory)
	}
	assert.Equal(t, bobIDs, gotBob)
	assert.Equal(t, carolIDs, gotCarol)

	// Page by page: key 0, then each next_key, the last one acknowledging
	// everything (PROTOCOL.md §6.3).
	eventually(t, func() bool { return len(pulls(srv, 1002)) == 4 }, "four pulls for bob")
	keys := []uint64{}
	for _, ul := range pulls(srv, 1002) {
		keys = append(keys, ul.Key)
	}
	assert.Equal(t, []uint64{0, bobIDs[49], bobIDs[99], bobIDs[119]}, keys)
	eventually(t, func() bool { return len(pulls(srv, 1003)) == 2 }, "two pulls for carol")
	srv.mu.Lock()
	cur := srv.users[1001].devices[1].cursor
	assert.Equal(t, bobIDs[119], cur[1002], "everything acknowledged")
	assert.Equal(t, carolIDs[9], cur[1003])
	srv.mu.Unlock()

	// Cache and list.
	msgs := c.Messages(1002)
	require.Len(t, msgs, 100, "cache keeps 100 per conversation")
	assert.Equal(t, "b119", msgs[99].Content)
	assert.Equal(t, 120, c.UnreadCount(1002), "the unread count is not bounded by the cache")
	list := c.Conversations()
	require.Len(t, list, 2)
	assert.Equal(t, ToRoster, list[0].Type)
	assert.Equal(t, 10, c.UnreadCount(1003))
}

func TestSyncPipelinesStreams(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	c, _ := offlineClient(t, srv, tok)
	for uid := uint64(2000); uid < 2030; uid++ {
		srv.AddUser(uid, "u"+strconv.FormatUint(uid, 10), "pw")
		srv.SendText(uid, 1001, "hi")
	}
	// Hold every pull: all 30 must be sent without waiting for any reply.
	var held atomic.Int32
	srv.Set(func() {
		srv.OnFrame = func(fc *fsConn, f *xsync.Frame) bool {
			if f.Command != xsync.CommandSync {
				return false
			}
			ul, _ := f.SyncUL()
			if ul.Meta == nil && !ul.IsFullSync {
				held.Add(1)
				return true
			}
			return false
		}
	})
	c.Reconnect()
	eventually(t, func() bool { return held.Load() == 30 }, "30 pulls in flight at once")
}

func TestNoticeCoalescing(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)

	// Hold the first pull of bob's stream.
	var mu sync.Mutex
	var heldConn *fsConn
	var heldUL *xsync.SyncUL
	srv.Set(func() {
		srv.OnFrame = func(fc *fsConn, f *xsync.Frame) bool {
			if f.Command != xsync.CommandSync {
				return false
			}
			ul, _ := f.SyncUL()
			mu.Lock()
			defer mu.Unlock()
			if heldUL == nil && ul.Meta == nil && xidUID(ul.Xid) == 1002 {
				heldConn, heldUL = fc, ul
				return true
			}
			return false
		}
	})
	srv.SendText(1002, 1001, "one")
	eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return heldUL != nil }, "first pull")
	// More notices while the exchange is in flight.
	conn := srv.Conns(1001)[0]
	for i := 0; i < 5; i++ {
		conn.sendFrame(xsync.NewNoticeFrame(&xsync.Notice{Xid: &xsync.XID{Uid: 1002}}))
	}
	srv.SendText(1002, 1001, "two")
	waitIdle(t, c)
	time.Sleep(20 * time.Millisecond)
	assert.Len(t, pulls(srv, 1002), 1, "one exchange in flight per stream")

	// Release: the exchange completes, then exactly one more runs.
	mu.Lock()
	heldConn.handlePull(heldUL)
	mu.Unlock()
	eventually(t, func() bool { return len(msgEvents(rec)) == 2 }, "both messages")
	zeroKeys := func() int {
		n := 0
		for _, ul := range pulls(srv, 1002) {
			if ul.Key == 0 {
				n++
			}
		}
		return n
	}
	eventually(t, func() bool { return zeroKeys() == 2 }, "one more exchange")
	waitIdle(t, c)
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, 2, zeroKeys(), "the dirty flag runs one more exchange, not six")
}

func TestDedupAcrossReconnect(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	c, rec := offlineClient(t, srv, tok)
	var ids []uint64
	for i := 0; i < 30; i++ {
		ids = append(ids, srv.SendText(1002, 1001, "m"+strconv.Itoa(i)))
	}
	srv.PageSize = 10
	// The acknowledgement of the second page never reaches the server: the
	// connection drops instead, so the server redelivers from its cursor.
	var dropped atomic.Bool
	srv.Set(func() {
		srv.OnFrame = func(fc *fsConn, f *xsync.Frame) bool {
			if f.Command != xsync.CommandSync {
				return false
			}
			ul, _ := f.SyncUL()
			if ul.Meta == nil && ul.Key == ids[19] && dropped.CompareAndSwap(false, true) {
				fc.pipe.Close(1006, "drop")
				return true
			}
			return false
		}
	})
	c.Reconnect()
	rec.waitName(t, EventLoginSuccess, 3)
	eventually(t, func() bool { return len(msgEvents(rec)) >= 30 }, "all messages")
	waitIdle(t, c)
	var got []uint64
	for _, m := range msgEvents(rec) {
		got = append(got, m.ID)
	}
	assert.Equal(t, ids, got, "each message exactly once, in order")
	// The server did redeliver (the cursor stopped at page one).
	var redelivered bool
	for _, ul := range pulls(srv, 1002) {
		if ul.Key == ids[9] {
			if redelivered {
				break
			}
			redelivered = true
		}
	}
	assert.True(t, dropped.Load())
	assert.Len(t, c.Messages(1002), 30)
}

func TestSeenIDs(t *testing.T) {
	var s seenIDs
	assert.True(t, s.add(10))
	assert.False(t, s.add(10))
	assert.True(t, s.add(5), "older ids above the floor are new")
	assert.True(t, s.has(5))
	assert.False(t, s.has(6))
	for i := uint64(100); i < 100+seenPerStream+10; i++ {
		s.add(i)
	}
	assert.LessOrEqual(t, len(s.ids), seenPerStream)
	assert.True(t, s.has(5), "evicted ids fall under the floor")
	assert.True(t, s.has(105))
	assert.False(t, s.add(7), "below the floor counts as seen")
	assert.True(t, s.add(100+seenPerStream+20))
}

func TestGroupMessagesAndMentions(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	srv.AddGroup(5001, 1001, 1002)
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)

	srv.SendBody(1002, 5001, &xsync.MessageBody{Type: xsync.MsgGroupChat, Ctype: xsync.CTypeText, Content: "hello all"})
	gm := rec.waitName(t, EventGroupMessage, 1).(GroupMessage)
	assert.Equal(t, ToGroup, gm.Message.ToType)
	assert.Equal(t, uint64(5001), gm.Message.To)
	assert.Len(t, c.Messages(5001), 1)

	srv.SendBody(1002, 5001, &xsync.MessageBody{Type: xsync.MsgGroupChat, Ctype: xsync.CTypeText, Content: "@alice",
		Config: `{"mentionAll":false,"mentionList":[1001, 99999999999999999999]}`})
	mm := rec.waitName(t, EventMentionMessage, 1).(MentionMessage)
	assert.Equal(t, "@alice", mm.Message.Content)
	e, ok := c.Conversation(5001)
	require.True(t, ok)
	assert.True(t, e.HasAt)
	assert.Equal(t, ToGroup, e.Type)
	assert.Equal(t, 2, e.Unread)
	c.ConsumeMention(5001)
	e, _ = c.Conversation(5001)
	assert.False(t, e.HasAt)

	// Image messages show their type name in the list.
	srv.SendBody(1002, 5001, &xsync.MessageBody{Type: xsync.MsgGroupChat, Ctype: xsync.CTypeImage, Attachment: `{"url":"u","dName":"a.png"}`})
	im := rec.waitName(t, EventGroupMessage, 3).(GroupMessage)
	assert.Equal(t, TypeImage, im.Message.Type)
	assert.JSONEq(t, `{"url":"u","dName":"a.png"}`, im.Message.Attachment)
	e, _ = c.Conversation(5001)
	assert.Equal(t, "image", e.Content)
}

func TestTypingIndicator(t *testing.T) {
	srv := newFakeServer(t)
	tokA := srv.AddUser(1001, "alice", "pw")
	tokB := srv.AddUser(1002, "bob", "pw")
	a, _ := newTestClient(t, srv, nil, nil)
	loginAs(t, a, 1001, tokA)
	b, brec := newTestClient(t, srv, nil, nil)
	loginAs(t, b, 1002, tokB)

	require.NoError(t, a.SendInputStatus(1002, "typing"))
	is := brec.waitName(t, EventInputStatusMessage, 1).(InputStatus)
	assert.Equal(t, uint64(1001), is.From)
	assert.Equal(t, uint64(1002), is.To)
	assert.JSONEq(t, `{"input_status":"typing"}`, is.Ext)
	assert.Empty(t, b.Messages(1001), "not stored")
	assert.Zero(t, brec.count(EventRosterMessage))

	ul := srv.SyncULs(func(ul *xsync.SyncUL) bool { return ul.Meta != nil })
	require.Len(t, ul, 1)
	body, err := ul[0].Meta.MessageBody()
	require.NoError(t, err)
	assert.Equal(t, xsync.QoSAtMostOnce, body.Qos)
	assert.Zero(t, ul[0].Meta.Timestamp)
	n, err := a.PendingSends(ctxT(t))
	require.NoError(t, err)
	assert.Empty(t, n, "typing is not tracked")

	assert.True(t, IsCode(a.SendInputStatus(1002, "dancing"), InvalidParam))
}

// TestTypingWaitsForAToken: an indicator that finds the pacing exhausted
// is not lost: the newest one per peer goes out with the next token, and
// one that waited longer than typingPatience is dropped.
func TestTypingWaitsForAToken(t *testing.T) {
	srv := newFakeServer(t)
	tokA := srv.AddUser(1001, "alice", "pw")
	tokB := srv.AddUser(1002, "bob", "pw")
	// One write a second.
	a, _ := newTestClient(t, srv, nil, func(c *Config) { c.SendRate, c.SendBurst = 1, 1 })
	loginAs(t, a, 1001, tokA)
	b, brec := newTestClient(t, srv, nil, nil)
	loginAs(t, b, 1002, tokB)
	typings := func() []string {
		var out []string
		for _, ul := range srv.SyncULs(func(ul *xsync.SyncUL) bool { return ul.Meta != nil }) {
			body, err := ul.Meta.MessageBody()
			require.NoError(t, err)
			if body.Qos == xsync.QoSAtMostOnce {
				out = append(out, body.Ext)
			}
		}
		return out
	}

	require.NoError(t, a.SendInputStatus(1002, "typing"))  // takes the token
	require.NoError(t, a.SendInputStatus(1002, "nothing")) // waits for the next
	require.NoError(t, a.SendInputStatus(1002, "typing"))  // replaces it
	require.NoError(t, a.SendInputStatus(1002, "nothing")) // replaces that
	brec.waitName(t, EventInputStatusMessage, 1)
	waitIdle(t, a)
	assert.Equal(t, []string{`{"input_status":"typing"}`}, typings())
	srv.Clock.Advance(lite.Second)
	is := brec.waitName(t, EventInputStatusMessage, 2).(InputStatus)
	assert.JSONEq(t, `{"input_status":"nothing"}`, is.Ext, "the newest indicator came with the next token")
	assert.Len(t, typings(), 2)

	// Tokens taken by messages: an indicator waits behind them, and goes
	// stale if it waits too long.
	for i := 0; i < 5; i++ {
		_, err := a.PostMessage(Message{To: 1002, Content: "m"})
		require.NoError(t, err)
	}
	require.NoError(t, a.SendInputStatus(1002, "typing"))
	waitIdle(t, a)
	for i := 0; i < 5; i++ {
		srv.Clock.Advance(lite.Second)
		waitIdle(t, a)
	}
	brec.waitName(t, EventRosterMessage, 5)
	waitIdle(t, b)
	assert.Len(t, typings(), 2, "an indicator older than typingPatience is dropped")
	assert.Equal(t, 0, engineTyping(t, a), "nothing left pending")
}

// engineTyping returns the number of pending typing indicators of c.
func engineTyping(t *testing.T, c *Client) int {
	return engine(t, c, func() int { return len(c.lp.outbox.typing) })
}

func TestUnreadConversationList(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.Set(func() {
		srv.OnUnread = func(fc *fsConn) bool {
			fc.sendFrame(xsync.NewUnreadDLFrame(&xsync.UnreadDL{Status: okStatus(), Unread: []*xsync.ConversationUnread{
				{Xid: &xsync.XID{Uid: 2001}, N: 0, Type: xsync.ConvChat},
				{Xid: &xsync.XID{Uid: 5001}, N: 0, Type: xsync.ConvGroupChat},
				{Xid: &xsync.XID{Uid: 2002}, N: 0, Type: xsync.ConvChat},
				{Xid: &xsync.XID{Uid: 1001}, N: 0, Type: xsync.ConvUnknown},
			}}))
			return true
		}
	})
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	rec.waitName(t, EventRecentListUpdate, 1)
	var ids []uint64
	for _, e := range c.Conversations() {
		ids = append(ids, e.ID)
	}
	assert.Equal(t, []uint64{2002, 5001, 2001}, ids, "last listed first; personal stream not listed")
	e, _ := c.Conversation(5001)
	assert.Equal(t, ToGroup, e.Type)
	assert.Zero(t, e.Timestamp)
}

func TestOwnMessageFromOtherDevice(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	id := srv.SendText(1001, 1002, "sent elsewhere")
	rm := rec.waitName(t, EventRosterMessage, 1).(RosterMessage)
	assert.Equal(t, id, rm.Message.ID)
	assert.Equal(t, uint64(1001), rm.Message.From)
	assert.Len(t, c.Messages(1002), 1, "filed under the peer")
	assert.Zero(t, c.UnreadCount(1002), "own messages are not unread")
}

func TestSyncStatusInvalidToken(t *testing.T) {
	srv := newFakeServer(t)
	srv.AddUser(1001, "alice", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	require.NoError(t, c.Login(ctxT(t), "alice", "pw"))
	conn := srv.Conns(1001)[0]
	conn.sendFrame(xsync.NewSyncDLFrame(&xsync.SyncDL{Status: &xsync.Status{Code: xsync.StatusInvalidToken}, Xid: &xsync.XID{Uid: 1002}}))
	rec.waitName(t, EventLoginSuccess, 2)
	assert.Len(t, srv.HTTP.requests("/token/user"), 2, "new token fetched")

	// Other statuses are reported, not fatal.
	conn = srv.Conns(1001)[0]
	conn.sendFrame(xsync.NewSyncDLFrame(&xsync.SyncDL{Status: &xsync.Status{Code: xsync.StatusFail, Reason: "oops"}, Xid: &xsync.XID{Uid: 1002}}))
	fe := rec.waitName(t, EventFlooError, 1).(FlooError)
	assert.Equal(t, "FAIL", fe.Category)
	assert.Equal(t, "oops", fe.Desc)
	assert.Equal(t, StateConnected, c.State())
}

func TestHistory(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	c, rec := offlineClient(t, srv, tok)
	var ids []uint64
	for i := 0; i < 45; i++ {
		ids = append(ids, srv.SendText(1002, 1001, "h"+strconv.Itoa(i)))
	}
	// Asked while disconnected: sent after the next login.
	type res struct {
		p   HistoryPage
		err error
	}
	done := make(chan res, 1)
	go func() {
		p, err := c.History(ctxT(t), 1002, 0, 20)
		done <- res{p, err}
	}()
	// The query is queued before the reconnect, so that it goes out ahead
	// of the sync the login starts.
	eventually(t, func() bool {
		return engine(t, c, func() bool { return len(c.lp.history.pending[1002]) == 1 })
	}, "the history query queued")
	c.Reconnect()
	r := <-done
	require.NoError(t, r.err)
	require.Len(t, r.p.Messages, 20)
	assert.Equal(t, ids[25], r.p.Messages[0].ID, "oldest first")
	assert.Equal(t, ids[44], r.p.Messages[19].ID)
	assert.True(t, r.p.Messages[0].IsHistory)
	assert.Equal(t, ids[25], r.p.Next)
	hr := rec.waitName(t, EventReceiveHistoryMsg, 1).(HistoryReceived)
	assert.Equal(t, ids[25], hr.Next)
	assert.Equal(t, uint64(1002), hr.ConversationID)

	// The request on the wire: full sync, zig-zag page size.
	hs := srv.SyncULs(func(ul *xsync.SyncUL) bool { return ul.IsFullSync })
	require.Len(t, hs, 1)
	assert.Equal(t, int32(20), hs[0].FullSyncNum)
	assert.Zero(t, hs[0].Key)

	p2, err := c.History(ctxT(t), 1002, r.p.Next, 20)
	require.NoError(t, err)
	assert.Equal(t, ids[5], p2.Messages[0].ID)
	p3, err := c.History(ctxT(t), 1002, p2.Next, 20)
	require.NoError(t, err)
	assert.Len(t, p3.Messages, 5)
	assert.Zero(t, p3.Next, "nothing older")

	// History messages come as events too, marked as such, and never move
	// the list.
	eventually(t, func() bool {
		hist := 0
		for _, m := range msgEvents(rec) {
			if m.IsHistory {
				hist++
			}
		}
		return hist == 45
	}, "45 history message events")
	// Sync ran too after the reconnect: the messages the first page had
	// already shown were not delivered again as live messages.
	liveCount := func() int {
		live := 0
		for _, m := range msgEvents(rec) {
			if !m.IsHistory {
				live++
			}
		}
		return live
	}
	eventually(t, func() bool { return liveCount() == 25 }, "25 live messages")
	waitIdle(t, c)
	assert.Equal(t, 25, liveCount())

	// Timeout once sent.
	srv.Set(func() {
		srv.OnFrame = func(fc *fsConn, f *xsync.Frame) bool {
			ul, err := f.SyncUL()
			return err == nil && f.Command == xsync.CommandSync && ul.IsFullSync
		}
	})
	tdone := make(chan error, 1)
	go func() {
		_, err := c.History(ctxT(t), 1002, 0, 20)
		tdone <- err
	}()
	eventually(t, func() bool { return len(srv.SyncULs(func(ul *xsync.SyncUL) bool { return ul.IsFullSync })) == 4 }, "query sent")
	advance(t, srv, 20*lite.Second)
	err = <-tdone
	assert.True(t, IsCode(err, ServerTimeOut), err)

	_, err = c.History(ctxT(t), 0, 0, 20)
	assert.True(t, IsCode(err, InvalidParam))
}
