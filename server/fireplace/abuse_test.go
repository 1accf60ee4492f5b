package fireplace_test

import (
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/fireplace"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/xsync"
)

// The memory tests run alone (no t.Parallel): they measure the live heap
// of the whole test process, server included.

// heapBound is how much the live heap may grow during an attack on one
// connection (server/README.md, "Memory and connection limits").
const heapBound = 64 << 20

// liveHeap returns the bytes of live heap objects after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// heapWatch samples the live heap every interval until stopped and keeps
// the highest value.
type heapWatch struct {
	stop chan struct{}
	done chan struct{}
	peak uint64
}

func watchHeap(interval time.Duration) *heapWatch {
	w := &heapWatch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			w.peak = max(w.peak, liveHeap())
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// Stop ends the sampling, takes one last sample and returns the peak.
func (w *heapWatch) Stop() uint64 {
	close(w.stop)
	<-w.done
	return max(w.peak, liveHeap())
}

// mib formats a byte count for the logs.
func mib(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB" }

// stillFlows checks that another pair of users can still talk: from sends
// a text to to's user, which to receives.
func stillFlows(t *testing.T, from, to *xsynctest.Client, text string) {
	t.Helper()
	mid := from.SendOK(xsynctest.Text(to.UID, text)).ServerMid
	to.WaitNotice(from.UID)
	got := to.SyncAll(from.UID)
	require.NotEmpty(t, got)
	assert.Equal(t, mid, got[len(got)-1].Id)
	assert.Equal(t, text, xsynctest.Body(t, got[len(got)-1]).Content)
}

// TestTypingFloodKeepsHeapBounded floods a logged-in user who never pulls
// with large at-most-once items. They used to pile up in the recipient's
// connection without a bound; the transient queue now keeps the newest few
// within its byte budget and drops the oldest.
func TestTypingFloodKeepsHeapBounded(t *testing.T) {
	h := start(t, func(c *fireplace.Config) { c.SendRate = -1 })
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	carol, dave := h.user(t, "carol"), h.user(t, "dave")
	a := h.login(t, alice, "a")
	b := h.login(t, bob, "b") // logged in, never pulls
	c := h.login(t, carol, "c")
	d := h.login(t, dave, "d")

	const items, batch = 1500, 100 // 1500 × 60 KiB ≈ 88 MiB
	pad := strings.Repeat("x", 60<<10)
	base := liveHeap()
	for i := 0; i < items; i += batch {
		var last uint64
		for j := i; j < i+batch; j++ {
			m := xsynctest.Message(bob.ID, &xsync.MessageBody{Type: xsync.MsgChat,
				Content: strconv.Itoa(j) + ":" + pad, Qos: xsync.QoSAtMostOnce})
			m.Id = a.NextMID()
			m.From = &xsync.XID{Uid: uint64(alice.ID), DeviceSN: a.SN}
			a.Write(xsync.NewSyncFrame(&xsync.SyncUL{Meta: m}))
			last = m.Id
		}
		requireStatus(t, a.Ack(last).Status, xsync.StatusOK)
	}
	after := liveHeap()
	grew := int64(after) - int64(base)
	t.Logf("typing flood of %d × 60 KiB: live heap %s before, %s after (+%s)",
		items, mib(int64(base)), mib(int64(after)), mib(grew))

	stillFlows(t, c, d, "still here")
	assert.Less(t, grew, int64(heapBound), "the flood grew the live heap by %s", mib(grew))

	// Bob, pulling at last, gets the newest items: the oldest were dropped.
	b.WaitNotice(alice.ID)
	got := b.Pull(alice.ID, 0).Metas
	require.NotEmpty(t, got)
	require.Less(t, len(got), items)
	last := xsynctest.Body(t, got[len(got)-1]).Content
	assert.True(t, strings.HasPrefix(last, strconv.Itoa(items-1)+":"), "the newest item is kept")
}

// rawLogin logs u in over a plain WebSocket that the test reads only until
// the Provision reply: afterwards nothing reads it, as an attacker would.
func rawLogin(t *testing.T, baseURL string, u servertest.User, guid string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second, WriteBufferPool: &sync.Pool{}}
	ws, resp, err := d.Dial(xsynctest.WSURL(baseURL), http.Header{})
	require.NoError(t, err)
	resp.Body.Close()
	t.Cleanup(func() { ws.Close() })
	p := &xsync.Provision{Xid: &xsync.XID{Uid: uint64(u.ID)}, Token: u.Token, OsType: xsync.OsWeb,
		SdkVsn: "2.0.0", DeviceGuid: guid}
	require.NoError(t, ws.WriteMessage(websocket.BinaryMessage, xsync.NewProvisionFrame(p).Marshal()))
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, data, err := ws.ReadMessage()
		require.NoError(t, err)
		f, err := xsync.DecodeFrame(data)
		require.NoError(t, err)
		if f.Command != xsync.CommandProvision {
			continue
		}
		reply, err := f.Provision()
		require.NoError(t, err)
		requireStatus(t, reply.Status, xsync.StatusOK)
		return ws
	}
}

// TestUnreadHistoryKeepsHeapBounded asks for many pages of large history
// and never reads the replies. Each reply used to be built at once and
// queued (up to 100 × 64 KiB each); the reader now waits for the queue to
// drain before building the next one, and a page stops at its byte budget.
func TestUnreadHistoryKeepsHeapBounded(t *testing.T) {
	h := start(t)
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	carol, dave := h.user(t, "carol"), h.user(t, "dave")
	a := h.login(t, alice, "a")
	pad := strings.Repeat("y", 60<<10)
	for i := range 100 {
		a.SendOK(xsynctest.Text(bob.ID, strconv.Itoa(i)+":"+pad))
	}
	c := h.login(t, carol, "c")
	d := h.login(t, dave, "d")
	ws := rawLogin(t, h.env.URL, bob, "b")

	const requests = 40 // each asks for 100 messages of 60 KiB
	base := liveHeap()
	w := watchHeap(100 * time.Millisecond)
	frame := xsync.NewSyncFrame(&xsync.SyncUL{Xid: &xsync.XID{Uid: uint64(alice.ID)},
		IsFullSync: true, FullSyncNum: 100}).Marshal()
	ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	for range requests {
		// Once the server stops reading, the writes stall in the socket
		// buffers; a timeout here is the backpressure working.
		if err := ws.WriteMessage(websocket.BinaryMessage, frame); err != nil {
			break
		}
	}
	stillFlows(t, c, d, "still here")
	time.Sleep(2 * time.Second) // let the server build whatever it will build
	peak := w.Stop()
	grew := int64(peak) - int64(base)
	t.Logf("%d unread history requests: live heap %s before, peak %s (+%s)",
		requests, mib(int64(base)), mib(int64(peak)), mib(grew))
	assert.Less(t, grew, int64(heapBound), "unread history grew the live heap by %s", mib(grew))
	stillFlows(t, c, d, "and still")
}

// TestPagesEndAtTheirByteBudget checks that a page cut at PageBytes loses
// nothing: sync and history continue from next_key and deliver every
// message once, in order.
func TestPagesEndAtTheirByteBudget(t *testing.T) {
	t.Parallel()
	h := start(t, func(c *fireplace.Config) { c.PageBytes = 100 << 10 })
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	a := h.login(t, alice, "a")
	b := h.login(t, bob, "b")
	pad := strings.Repeat("z", 30<<10)
	mids := sendTexts(a, bob.ID, pad, 10) // about 30 KiB each: 3 or 4 per page

	first := b.Pull(alice.ID, 0)
	require.NotEmpty(t, first.Metas)
	assert.Less(t, len(first.Metas), 10, "the page ends at its byte budget")
	assert.NotZero(t, first.NextKey)
	rest := b.SyncAll(alice.ID) // continues from the confirmed cursor
	got := append(xsynctest.IDs(first.Metas), xsynctest.IDs(rest)...)
	assert.Equal(t, mids, got, "sync delivers every message once, in order")

	var hist []uint64
	key, pages := uint64(0), 0
	for {
		dl := b.History(alice.ID, key, 100)
		pages++
		hist = append(hist, xsynctest.IDs(dl.Metas)...)
		if dl.NextKey == 0 {
			break
		}
		key = dl.NextKey
	}
	assert.Greater(t, pages, 2)
	want := make([]uint64, 0, len(mids))
	for i := len(mids) - 1; i >= 0; i-- {
		want = append(want, mids[i])
	}
	assert.Equal(t, want, hist, "history pages cover everything, newest first")
}

// TestPacedRepliesAllArrive pipelines many large history requests from a
// client that reads: pacing delays the replies but answers every one.
func TestPacedRepliesAllArrive(t *testing.T) {
	t.Parallel()
	h := start(t, func(c *fireplace.Config) { c.QueueBytes = 256 << 10; c.PageBytes = 128 << 10 })
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	a := h.login(t, alice, "a")
	b := h.login(t, bob, "b")
	sendTexts(a, bob.ID, strings.Repeat("w", 20<<10), 20)
	const requests = 30
	frame := xsync.NewSyncFrame(&xsync.SyncUL{Xid: &xsync.XID{Uid: uint64(alice.ID)},
		IsFullSync: true, FullSyncNum: 100})
	for range requests {
		b.Write(frame)
	}
	for i := range requests {
		f, err := b.Take(10*time.Second, func(f *xsync.Frame) bool {
			if f.Command != xsync.CommandSync {
				return false
			}
			dl, err := f.SyncDL()
			return err == nil && dl.IsFullSync
		})
		require.NoError(t, err, "reply %d", i)
		dl, err := f.SyncDL()
		require.NoError(t, err)
		requireStatus(t, dl.Status, xsync.StatusOK)
		require.NotEmpty(t, dl.Metas, "reply %d", i)
	}
}
