package core

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/internal/lite"
)

func TestEventQueueOrderAndRemove(t *testing.T) {
	q := newEventQueue()
	defer q.close()
	var mu sync.Mutex
	var got []uint64
	remove := q.add(func(e Event) {
		mu.Lock()
		got = append(got, e.(UnreadChanged).ConversationID)
		mu.Unlock()
	})
	for i := uint64(0); i < 1000; i++ {
		q.emit(UnreadChanged{ConversationID: i})
	}
	eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 1000 }, "all events")
	for i, v := range got {
		require.Equal(t, uint64(i), v, "emission order")
	}
	remove()
	remove() // idempotent
	done := make(chan struct{})
	var once sync.Once
	q.add(func(e Event) {
		if _, ok := e.(Logout); ok {
			once.Do(func() { close(done) })
		}
	})
	q.emit(UnreadChanged{ConversationID: 5000})
	q.emit(Logout{})
	<-done
	mu.Lock()
	assert.Len(t, got, 1000, "a removed handler gets nothing more")
	mu.Unlock()
}

func TestEventQueueNeverBlocksEmitter(t *testing.T) {
	q := newEventQueue()
	release := make(chan struct{})
	var n int
	var mu sync.Mutex
	q.add(func(e Event) {
		<-release
		mu.Lock()
		n++
		mu.Unlock()
	})
	start := lite.Now()
	for i := 0; i < 100000; i++ {
		q.emit(RecentListUpdated{})
	}
	assert.Less(t, lite.Since(start), 5*lite.Second, "a stuck handler does not block emit")
	close(release)
	q.close() // delivers everything queued before returning
	assert.Equal(t, 100000, n)
	q.emit(Logout{}) // after close: dropped, no panic
}

func TestEventQueuePanicRecovered(t *testing.T) {
	q := newEventQueue()
	defer q.close()
	var mu sync.Mutex
	var errs []ErrorEvent
	var after bool
	q.add(func(e Event) {
		if _, ok := e.(Logout); ok {
			panic("handler bug")
		}
		if _, ok := e.(ErrorEvent); ok {
			panic("error handler bug too") // not reported again
		}
	})
	q.add(func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		switch v := e.(type) {
		case ErrorEvent:
			errs = append(errs, v)
		case RecentListUpdated:
			after = true
		}
	})
	q.emit(Logout{})
	q.emit(RecentListUpdated{})
	eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return after && len(errs) == 1 }, "delivery continues")
	time.Sleep(10 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, errs, 1)
	assert.Equal(t, GeneralError, errs[0].Err.Code)
	assert.Contains(t, errs[0].Err.Message, "handler bug")
	assert.Contains(t, errs[0].Err.Message, EventLogout)
}

func TestCloseFromHandler(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	c, _ := newTestClient(t, srv, nil, nil)
	closed := make(chan struct{})
	c.OnEvent(func(e Event) {
		if _, ok := e.(LoginSuccess); ok {
			c.Close() // must not deadlock on the dispatcher
			close(closed)
		}
	})
	require.NoError(t, c.TokenLogin(ctxT(t), 1001, tok))
	select {
	case <-closed:
	case <-time.After(waitFor):
		t.Fatal("Close from a handler deadlocked")
	}
	assert.Equal(t, StateClosed, c.State())
	_, err := c.PostMessage(Message{To: 1, Content: "x"})
	assert.True(t, IsCode(err, UserNotLogin))
}

func TestHandlerCallsClient(t *testing.T) {
	// Handlers run with no engine lock held: calling back is fine.
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	c.OnEvent(func(e Event) {
		if m, ok := e.(RosterMessage); ok && m.Message.From == 1002 {
			_ = c.Conversations()
			_ = c.State()
			require.NoError(t, c.ReadMessage(ctxT(t), 1002, m.Message.ID))
		}
	})
	loginAs(t, c, 1001, tok)
	id := srv.SendText(1002, 1001, "ping")
	rec.waitName(t, EventRosterMessage, 1)
	eventually(t, func() bool { m, _ := c.Message(1002, id); return m.Status == MessageRead }, "read from a handler")
}

func TestCurGoroutineID(t *testing.T) {
	a := curGoroutineID()
	assert.Greater(t, a, int64(0))
	ch := make(chan int64)
	go func() { ch <- curGoroutineID() }()
	assert.NotEqual(t, a, <-ch)
}
