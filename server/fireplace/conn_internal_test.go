package fireplace

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// nopStore satisfies Store for tests that never reach the store; any call
// panics through the nil embedded interface.
type nopStore struct{ Store }

func TestSlowClientIsDropped(t *testing.T) {
	g, err := New(Config{Store: nopStore{}, QueueSize: 4})
	require.NoError(t, err)
	srv := httptest.NewServer(g)
	defer srv.Close()
	defer g.Close()

	// A client that never reads.
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	require.NoError(t, err)
	defer ws.Close()
	var c *conn
	require.Eventually(t, func() bool {
		g.mu.RLock()
		defer g.mu.RUnlock()
		for x := range g.conns {
			c = x
		}
		return c != nil
	}, time.Second, time.Millisecond)

	// Large frames fill the socket buffers, then the writer blocks, then
	// the queue fills: the connection is closed instead of growing.
	frame := make([]byte, 256<<10)
	dropped := false
	for i := 0; i < 10000 && !dropped; i++ {
		dropped = !c.enqueue(frame, false)
	}
	require.True(t, dropped, "the queue never filled")
	select {
	case <-c.done:
	case <-time.After(time.Second):
		t.Fatal("not closed")
	}
	c.qmu.Lock()
	assert.LessOrEqual(t, len(c.queue), 4, "the queue stays bounded")
	c.qmu.Unlock()
	require.Eventually(t, func() bool { return g.Stats().Conns == 0 }, 2*time.Second, 5*time.Millisecond)
}

// TestQueueBoundedInBytes fills a connection that never reads with frames
// few in number but large: the byte bound drops it long before the frame
// bound would.
func TestQueueBoundedInBytes(t *testing.T) {
	g, err := New(Config{Store: nopStore{}, QueueSize: 100000, QueueBytes: 1 << 20})
	require.NoError(t, err)
	srv := httptest.NewServer(g)
	defer srv.Close()
	defer g.Close()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	require.NoError(t, err)
	defer ws.Close()
	var c *conn
	require.Eventually(t, func() bool {
		g.mu.RLock()
		defer g.mu.RUnlock()
		for x := range g.conns {
			c = x
		}
		return c != nil
	}, time.Second, time.Millisecond)

	frame := make([]byte, 64<<10)
	sent := 0
	for sent < 100000 && c.enqueue(frame, false) {
		sent++
		c.qmu.Lock()
		require.LessOrEqual(t, c.qbytes, 1<<20, "queued bytes stay within QueueBytes")
		c.qmu.Unlock()
	}
	require.Less(t, sent, 100000, "the queue never filled")
	select {
	case <-c.done:
	case <-time.After(time.Second):
		t.Fatal("not closed")
	}
}

// TestTransientQueueDropsOldest checks the bounds of the typing queue: the
// oldest items go first, whatever their stream, and expired ones before.
func TestTransientQueueDropsOldest(t *testing.T) {
	now := time.UnixMilli(1_000_000)
	// NoPush: the items stay queued for the pulls below (a push would
	// take them, through a store this test does not have).
	g, err := New(Config{Store: nopStore{}, NoPush: true, TransientItems: 3, TransientBytes: 1000,
		Now: func() time.Time { return now }})
	require.NoError(t, err)
	defer g.Close()
	c := newConn(g, nil, nil, false)
	c.uid = 1
	item := func(n int) *xsync.Meta { return &xsync.Meta{Id: uint64(n), Payload: make([]byte, 100)} }
	later := now.UnixMilli() + 10_000
	for i := 1; i <= 5; i++ {
		c.addTransient(int64(10+i%2), item(i), later)
	}
	// Items 3, 4, 5 are kept: 3 and 5 in stream 11, 4 in stream 10.
	assert.Equal(t, []uint64{4}, metaIDs(c.takeTransient(10, now.UnixMilli())))
	assert.Equal(t, []uint64{3, 5}, metaIDs(c.takeTransient(11, now.UnixMilli())))
	assert.Zero(t, c.tbytes)

	// Bytes: 1000 / 164 per item leaves room for 6, but the items cap
	// holds first; with large items the byte bound decides.
	big := func(n int) *xsync.Meta { return &xsync.Meta{Id: uint64(n), Payload: make([]byte, 400)} }
	for i := 1; i <= 4; i++ {
		c.addTransient(10, big(i), later)
	}
	assert.LessOrEqual(t, c.tbytes, 1000)
	assert.Equal(t, []uint64{3, 4}, metaIDs(c.takeTransient(10, now.UnixMilli())))

	// An expired item is dropped before any live one.
	c.addTransient(10, item(1), now.UnixMilli()+1)
	c.addTransient(10, item(2), later)
	now = now.Add(time.Second)
	c.addTransient(10, item(3), later)
	c.addTransient(10, item(4), later)
	assert.Equal(t, []uint64{2, 3, 4}, metaIDs(c.takeTransient(10, now.UnixMilli())))
	assert.Nil(t, c.takeTransient(10, now.UnixMilli()))
}

func metaIDs(ms []*xsync.Meta) []uint64 {
	var out []uint64
	for _, m := range ms {
		out = append(out, m.Id)
	}
	return out
}

// TestPanicClosesOnlyThatConnection makes a frame's handler panic (the
// store behind it is missing) and checks that the server survives: that
// connection is closed with 1011, the others carry on.
func TestPanicClosesOnlyThatConnection(t *testing.T) {
	g, err := New(Config{Store: nopStore{}, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	srv := httptest.NewServer(g)
	defer srv.Close()
	defer g.Close()
	dial := func() *websocket.Conn {
		ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
		require.NoError(t, err)
		return ws
	}
	bystander := dial()
	defer bystander.Close()
	victim := dial()
	defer victim.Close()

	// The token lookup reaches the nil store and panics.
	require.NoError(t, victim.WriteMessage(websocket.BinaryMessage, xsync.NewProvisionFrame(&xsync.Provision{
		Xid: &xsync.XID{Uid: 1}, Token: "t"}).Marshal()))
	victim.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err = victim.ReadMessage()
	assert.True(t, websocket.IsCloseError(err, websocket.CloseInternalServerErr), "got %v", err)

	// The other connection is still served.
	require.NoError(t, bystander.WriteMessage(websocket.BinaryMessage, xsync.NewUnreadFrame().Marshal()))
	bystander.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := bystander.ReadMessage()
	require.NoError(t, err)
	f, err := xsync.DecodeFrame(data)
	require.NoError(t, err)
	dl, err := f.UnreadDL()
	require.NoError(t, err)
	assert.Equal(t, xsync.StatusUnauthorized, dl.Status.Code)
	require.Eventually(t, func() bool { return g.Stats().Conns == 1 }, 2*time.Second, 5*time.Millisecond)
}

func TestSendBudgets(t *testing.T) {
	t0 := time.Unix(1000, 0)
	b := newSendBudgets(2, 3)
	for range 3 {
		assert.True(t, b.take(1, 1, t0))
	}
	assert.False(t, b.take(1, 1, t0), "burst used up")
	assert.True(t, b.take(1, 2, t0), "another device of the same user has its own budget")
	assert.True(t, b.take(2, 1, t0), "another user's device with the same SN too")
	assert.True(t, b.take(1, 1, t0.Add(500*time.Millisecond)), "one token per half second")
	assert.False(t, b.take(1, 1, t0.Add(500*time.Millisecond)))
	// Refill stops at the burst.
	later := t0.Add(time.Hour)
	for range 3 {
		assert.True(t, b.take(1, 1, later))
	}
	assert.False(t, b.take(1, 1, later))

	unlimited := newSendBudgets(-1, 0)
	for range 1000 {
		assert.True(t, unlimited.take(1, 1, t0))
	}
	assert.Zero(t, unlimited.size(), "no limit, no table")
}

// TestSendBudgetsStayBounded: buckets that have refilled are dropped once
// the table grows, while a device still short of tokens keeps its debt.
func TestSendBudgetsStayBounded(t *testing.T) {
	t0 := time.Unix(1000, 0)
	b := newSendBudgets(50, 100)
	for range 100 {
		require.True(t, b.take(7, 1, t0))
	}
	require.False(t, b.take(7, 1, t0))
	// Ten thousand devices send once each, 10 ms apart: at any moment only
	// those of the last two seconds (burst/rate) are short of tokens.
	now := t0
	for i := range 10000 {
		now = t0.Add(time.Duration(i) * 10 * time.Millisecond)
		require.True(t, b.take(int64(100+i), 1, now))
		require.LessOrEqual(t, b.size(), 2*minSweep+2*200, "table size after %d devices", i)
	}
	// Device 7 refilled long ago and was swept: it starts from a full
	// burst, exactly as if it had been kept.
	for range 100 {
		require.True(t, b.take(7, 1, now))
	}
	require.False(t, b.take(7, 1, now))

	// A device in debt is never swept.
	b = newSendBudgets(1, 5)
	for range 5 {
		require.True(t, b.take(7, 1, t0))
	}
	for i := range 2 * minSweep {
		b.take(int64(100+i), 1, t0.Add(time.Second))
	}
	require.True(t, b.take(7, 1, t0.Add(time.Second)), "one token earned in a second")
	require.False(t, b.take(7, 1, t0.Add(time.Second)),
		"the partly refilled device keeps its debt through sweeps")
}

func TestMergeJSON(t *testing.T) {
	for _, tc := range []struct{ base, patch, want string }{
		{`{"a":{"x":1},"b":2}`, `{"a":{"y":2},"b":[1]}`, `{"a":{"x":1,"y":2},"b":[1]}`},
		{`{"a":1}`, ``, `{"a":1}`},
		{`{"a":1}`, `null`, `{"a":1}`},
		{`{"a":1}`, `not json`, `{"a":1}`},
		{``, `{"a":1}`, `{"a":1}`},
		{`broken`, `{"a":1}`, `{"a":1}`},
		{`{"a":1}`, `"text"`, `"text"`},
		{`{"id":123456789012345678901}`, `{"x":"<b>"}`, `{"id":123456789012345678901,"x":"<b>"}`},
	} {
		assert.Equal(t, tc.want, mergeJSON(tc.base, tc.patch), "%s + %s", tc.base, tc.patch)
	}
}

func TestGroupMemberListAndTyping(t *testing.T) {
	assert.Equal(t, []int64{1, 9007199254740991, 3}, groupMemberList(`{"groupMemberList":[1,"9007199254740991",3,{"x":1}]}`))
	assert.Empty(t, groupMemberList(`{"mentionList":[1]}`))
	assert.Empty(t, groupMemberList(`nope`))
	assert.True(t, isTyping(`{"input_status":"typing"}`))
	assert.True(t, isTyping(`{"input_status":"nothing"}`))
	assert.False(t, isTyping(`{"status":"input_status"}`))
	assert.False(t, isTyping(`input_status`))
}

func TestWithStatusAppendsField(t *testing.T) {
	body := []byte{0x22, 0x02, 'h', 'i', 0x70, 0x02} // content "hi", status READ as sent by a client
	out := withStatus(body, 1)
	assert.Equal(t, append(append([]byte{}, body...), 0x70, 0x01), out)
	assert.Equal(t, []byte{0x22, 0x02, 'h', 'i', 0x70, 0x02}, body, "the stored body is not modified")
	b, err := decodeBody(out)
	require.NoError(t, err)
	assert.Equal(t, "hi", b.Content)
	assert.EqualValues(t, 1, b.Status, "the last occurrence wins")
}

// cursorStore records AdvanceCursors calls.
type cursorStore struct {
	Store
	batches [][]store.CursorPos
	during  func()
}

func (s *cursorStore) AdvanceCursors(_ context.Context, cs []store.CursorPos) error {
	s.batches = append(s.batches, cs)
	if s.during != nil {
		s.during()
	}
	return nil
}

func TestCursorBook(t *testing.T) {
	b := newCursorBook()
	b.confirm(1, 1, 7, 100)
	b.confirm(1, 1, 7, 90) // never back
	b.confirm(1, 2, 7, 120)
	assert.Equal(t, int64(100), b.pendingPos(1, 1, 7))
	assert.Equal(t, int64(120), b.pendingDelivered(1, 7), "any device of the user")
	assert.True(t, b.hasPending(1, 2))
	assert.False(t, b.hasPending(2, 1))

	st := &cursorStore{}
	// A confirmation arriving while the batch is written stays pending.
	st.during = func() { b.confirm(1, 1, 7, 150) }
	require.NoError(t, b.flush(context.Background(), st))
	require.Len(t, st.batches, 1)
	assert.ElementsMatch(t, []store.CursorPos{{UID: 1, SN: 1, Stream: 7, Pos: 100}, {UID: 1, SN: 2, Stream: 7, Pos: 120}}, st.batches[0])
	assert.Equal(t, int64(150), b.pendingPos(1, 1, 7))
	assert.Zero(t, b.pendingPos(1, 2, 7))
	assert.Equal(t, int64(150), b.pendingDelivered(1, 7))

	st.during = nil
	require.NoError(t, b.flush(context.Background(), st))
	require.NoError(t, b.flush(context.Background(), st)) // nothing left: no write
	assert.Len(t, st.batches, 2)
	assert.Zero(t, b.pendingPos(1, 1, 7))
	assert.False(t, b.hasPending(1, 1))
}
