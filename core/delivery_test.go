package core

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

// Delivery under faults (PROTOCOL.md §5, §7.5): pacing, retryable
// refusals, no failure by time once written, stalled sends and probes,
// logout with sends in flight.

// refuseSend answers a send with a non-OK status.
func refuseSend(fc *fsConn, ul *xsync.SyncUL, code xsync.StatusCode, reason string) {
	fc.sendFrame(xsync.NewSyncDLFrame(&xsync.SyncDL{Status: &xsync.Status{Code: code, Reason: reason}, ClientMid: ul.Meta.Id}))
}

// contentOf returns the text of a message send.
func contentOf(m *xsync.Meta) string {
	body, err := m.MessageBody()
	if err != nil {
		return ""
	}
	return body.Content
}

func wireContents(srv *FakeServer) []string {
	var out []string
	for _, m := range sends(srv) {
		out = append(out, contentOf(m))
	}
	return out
}

// timerWithin waits until the earliest armed timer is due within d: the
// engine has processed what came before and armed its next task.
func timerWithin(t *testing.T, srv *FakeServer, d lite.Duration, what string) {
	t.Helper()
	eventually(t, func() bool {
		when, ok := srv.Clock.nextDeadline()
		return ok && !when.After(srv.Clock.Now().Add(d))
	}, what)
}

// engine runs fn on the engine goroutine and waits for it.
func engine[T any](t *testing.T, c *Client, fn func() T) T {
	t.Helper()
	ch := make(chan T, 1)
	c.post(func() { ch <- fn() })
	v, err := waitResult(c, ctxT(t), ch)
	require.NoError(t, err)
	return v
}

func TestRetryableRefusalKeepsPlaceAndOrder(t *testing.T) {
	srv := newFakeServer(t)
	tokA := srv.AddUser(1001, "alice", "pw")
	tokB := srv.AddUser(1002, "bob", "pw")
	srv.AddUser(1003, "carol", "pw")
	a, arec := newTestClient(t, srv, nil, nil)
	loginAs(t, a, 1001, tokA)
	b, brec := newTestClient(t, srv, nil, nil)
	loginAs(t, b, 1002, tokB)
	var refusals atomic.Int32
	srv.Set(func() {
		srv.OnSend = func(fc *fsConn, ul *xsync.SyncUL) bool {
			if contentOf(ul.Meta) == "a1" && refusals.Add(1) <= 2 {
				refuseSend(fc, ul, xsync.StatusRateLimitExceeded, "rate limit exceeded")
				return true
			}
			return false
		}
	})
	// The stall timer of a written send is 10 s away and the heartbeats
	// 50 s: a timer due within the backoff bound is the backoff.
	a1, err := a.PostMessage(Message{To: 1002, Content: "a1"})
	require.NoError(t, err)
	timerWithin(t, srv, lite.Second, "backoff after the first refusal, within [0, 1 s]")

	// Later items of the conversation wait behind a1; another
	// conversation's items pass.
	a2, err := a.PostMessage(Message{To: 1002, Content: "a2"})
	require.NoError(t, err)
	_, err = a.PostMessage(Message{To: 1003, Content: "c1"})
	require.NoError(t, err)
	eventually(t, func() bool { return len(sends(srv)) == 2 }, "c1 written")
	assert.Equal(t, []string{"a1", "c1"}, wireContents(srv), "a2 was queued before c1 and is not written")

	srv.Clock.Advance(lite.Second)
	eventually(t, func() bool { return refusals.Load() == 2 }, "a1 written again and refused")
	timerWithin(t, srv, 2*lite.Second, "backoff after the second refusal, within [0, 2 s]")
	waitIdle(t, a)
	assert.Equal(t, []string{"a1", "c1", "a1"}, wireContents(srv))

	srv.Clock.Advance(2 * lite.Second)
	eventually(t, func() bool { return brec.count(EventRosterMessage) == 2 }, "a1 and a2 delivered")
	assert.Equal(t, []string{"a1", "c1", "a1", "a1", "a2"}, wireContents(srv), "a2 only after a1 is acknowledged")
	ms := sends(srv)
	assert.Equal(t, []uint64{a1, a1, a1}, []uint64{ms[0].Id, ms[2].Id, ms[3].Id}, "the same client_mid every time")
	assert.Equal(t, a2, ms[4].Id)
	got := msgEvents(brec)
	assert.Equal(t, "a1", got[0].Content)
	assert.Equal(t, "a2", got[1].Content)
	srv.mu.Lock()
	assert.Len(t, srv.logs[pairKey(1001, 1002)], 2, "stored once each")
	srv.mu.Unlock()

	eventually(t, func() bool { return arec.count(EventRosterMessage) == 3 }, "acks")
	for _, s := range sendStatuses(arec) {
		assert.NotEqual(t, SendStatusFailed, s.Status, "a retryable refusal is not a failure")
	}
	pending, err := a.PendingSends(ctxT(t))
	require.NoError(t, err)
	assert.Empty(t, pending)
	_ = b
}

func TestFinalRefusalOfAHeldConversation(t *testing.T) {
	srv, a, arec, _, brec := twoUsers(t)
	var n atomic.Int32
	srv.Set(func() {
		srv.OnSend = func(fc *fsConn, ul *xsync.SyncUL) bool {
			if contentOf(ul.Meta) == "x" {
				if n.Add(1) == 1 {
					refuseSend(fc, ul, xsync.StatusRateLimitExceeded, "rate limit exceeded")
				} else {
					refuseSend(fc, ul, xsync.StatusWordCensored, "content censored")
				}
				return true
			}
			return false
		}
	})
	_, err := a.PostMessage(Message{To: 1002, Content: "x"})
	require.NoError(t, err)
	timerWithin(t, srv, lite.Second, "backoff")
	_, err = a.PostMessage(Message{To: 1002, Content: "y"})
	require.NoError(t, err)
	srv.Clock.Advance(lite.Second)
	eventually(t, func() bool { return brec.count(EventRosterMessage) == 1 }, "y delivered once x failed for good")
	var failed []SendingStatus
	for _, s := range sendStatuses(arec) {
		if s.Status == SendStatusFailed {
			failed = append(failed, s)
		}
	}
	require.Len(t, failed, 1)
	assert.Equal(t, "x", failed[0].Message.Content)
	assert.Equal(t, MessageCensored, failed[0].Err.Code)
}

func TestOutboxPacing(t *testing.T) {
	const n, burst, rate = 1000, 50, 40
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	// One client only, so that its scheduler owns the only timer of the
	// clock. No acks: every write stays in the outbox, marked written.
	a, _ := newTestClient(t, srv, nil, nil)
	loginAs(t, a, 1001, tok)
	srv.Set(func() { srv.OnSend = func(*fsConn, *xsync.SyncUL) bool { return true } })
	a.Disconnect()
	waitState(t, a, StateDisconnected)
	mids := make([]uint64, n)
	for i := range mids {
		var err error
		mids[i], err = a.PostMessage(Message{To: 1002, Content: strconv.Itoa(i)})
		require.NoError(t, err)
	}
	written := func() int { return engine(t, a, a.writtenLeft) }
	require.Zero(t, written())

	t0 := srv.Clock.Now()
	a.Reconnect()
	eventually(t, func() bool { return written() == burst }, "the burst after the reconnect")
	for step := 0; ; step++ {
		got := written()
		elapsed := srv.Clock.Now().Sub(t0)
		limit := burst + int(int64(rate)*int64(elapsed)/int64(lite.Second))
		require.LessOrEqual(t, got, limit, "%d writes %s after the reconnect", got, millis(elapsed))
		if got == n {
			// Not slower than the rate either (with one interval of slack).
			assert.LessOrEqual(t, elapsed, lite.Duration(n-burst+1)*lite.Second/rate)
			break
		}
		// Jump to the next task, sometimes further, then wait until the
		// engine has run it and armed the next one.
		when, ok := srv.Clock.nextDeadline()
		require.True(t, ok)
		d := when.Sub(srv.Clock.Now())
		if step%3 == 0 {
			d += 60 * lite.Millisecond
		}
		srv.Clock.Advance(d)
		eventually(t, func() bool {
			when, ok := srv.Clock.nextDeadline()
			return ok && when.After(srv.Clock.Now())
		}, "the engine ran its due tasks")
	}
	eventually(t, func() bool { return len(sends(srv)) == n }, "every item on the wire")
	for i, m := range sends(srv) {
		require.Equal(t, mids[i], m.Id, "write %d in outbox order", i)
	}
}

func TestWrittenSendNeverFailsByTime(t *testing.T) {
	srv, a, arec, _, brec := twoUsers(t)
	// The server stores the first write but its ack is lost.
	var first atomic.Bool
	srv.Set(func() {
		srv.OnSend = func(fc *fsConn, ul *xsync.SyncUL) bool {
			if first.CompareAndSwap(false, true) {
				fc.processSend(ul)
				return true
			}
			return false
		}
	})
	done := make(chan error, 1)
	go func() {
		_, err := a.SendMessage(ctxT(t), Message{To: 1002, Content: "patience"})
		done <- err
	}()
	eventually(t, func() bool { return len(sends(srv)) == 1 }, "written")
	advance(t, srv, 3*lite.Second) // a probe, answered
	advance(t, srv, 7*lite.Second) // stalled: another probe, answered
	arec.waitName(t, EventSendStalled, 1)

	// The network goes away for hours.
	var down atomic.Bool
	down.Store(true)
	srv.Set(func() {
		srv.DialHook = func(string) error {
			if down.Load() {
				return errPipeClosed
			}
			return nil
		}
	})
	srv.Drop(1001)
	for i := 0; i < 5; i++ {
		advance(t, srv, lite.Hour)
	}
	waitIdle(t, a)
	select {
	case err := <-done:
		t.Fatalf("the send ended during the outage: %v", err)
	default:
	}
	pending, err := a.PendingSends(ctxT(t))
	require.NoError(t, err)
	assert.Len(t, pending, 1)
	for _, s := range sendStatuses(arec) {
		assert.NotEqual(t, SendStatusFailed, s.Status)
	}

	// The network comes back; a dial may be in flight at this moment, so
	// the clock moves on until the client is connected again.
	down.Store(false)
	eventually(t, func() bool {
		if a.State() == StateConnected {
			return true
		}
		srv.Clock.Advance(lite.Second)
		return false
	}, "connected again")
	require.NoError(t, <-done)
	ms := sends(srv)
	require.Len(t, ms, 2)
	assert.Equal(t, ms[0].Id, ms[1].Id)
	eventually(t, func() bool { return brec.count(EventRosterMessage) == 1 }, "delivered")
	srv.mu.Lock()
	assert.Len(t, srv.logs[pairKey(1001, 1002)], 1, "stored once")
	srv.mu.Unlock()
}

func TestAppDeadlineOnlyBeforeTheFirstWrite(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	a, arec := newTestClient(t, srv, nil, func(c *Config) { c.SendTimeout = 5 * lite.Second })
	loginAs(t, a, 1001, tok)
	srv.Set(func() { srv.OnSend = func(*fsConn, *xsync.SyncUL) bool { return true } })
	written, err := a.PostMessage(Message{To: 1002, Content: "written"})
	require.NoError(t, err)
	eventually(t, func() bool { return len(sends(srv)) == 1 }, "written")
	a.Disconnect()
	waitState(t, a, StateDisconnected)
	queued, err := a.PostMessage(Message{To: 1002, Content: "queued"})
	require.NoError(t, err)
	// The written send's probe timer (3 s) is armed already: wait for the
	// queued send's deadline to be armed too before the clock moves.
	waitIdle(t, a)
	advance(t, srv, 5*lite.Second)
	f := arec.wait(t, "the queued send fails", func(e Event) bool {
		s, ok := e.(SendingStatus)
		return ok && s.Status == SendStatusFailed
	}).(SendingStatus)
	assert.Equal(t, queued, f.Mid)
	assert.Equal(t, ServerTimeOut, f.Err.Code)
	srv.Clock.Advance(lite.Hour)
	pending, err := a.PendingSends(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, []uint64{written}, pending, "the written send stays")
}

func TestStalledSendProbes(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	a, arec := newTestClient(t, srv, nil, nil)
	loginAs(t, a, 1001, tok)
	unreads := func() int { return len(srv.Uplinks(xsync.CommandUnread)) }
	eventually(t, func() bool { return unreads() == 1 }, "login UNREAD")
	srv.Set(func() { srv.OnSend = func(*fsConn, *xsync.SyncUL) bool { return true } })
	mid, err := a.PostMessage(Message{To: 1002, Content: "lost"})
	require.NoError(t, err)
	eventually(t, func() bool { return len(sends(srv)) == 1 }, "written")

	// 3 s without an ack: a probe, not yet the stalled notification.
	srv.Clock.Advance(2 * lite.Second)
	waitIdle(t, a)
	assert.Equal(t, 1, unreads())
	advance(t, srv, lite.Second)
	eventually(t, func() bool { return unreads() == 2 }, "probe UNREAD after 3 s")
	assert.Zero(t, arec.count(EventSendStalled))

	// 10 s: stalled, and the connection is probed again (the first probe
	// was answered).
	srv.Clock.Advance(6 * lite.Second)
	waitIdle(t, a)
	assert.Zero(t, arec.count(EventSendStalled))
	advance(t, srv, lite.Second)
	st := arec.waitName(t, EventSendStalled, 1).(SendStalled)
	assert.Equal(t, SendStalled{Mid: mid, UID: 1002}, st)
	eventually(t, func() bool { return unreads() == 3 }, "probe UNREAD at once")
	assert.Equal(t, SendStatusSending, sendStatuses(arec)[0].Status)
	assert.Len(t, sendStatuses(arec), 1, "stalled is not a status change")

	// The server answered the probe: the connection stays.
	waitIdle(t, a)
	srv.Clock.Advance(10 * lite.Second)
	waitIdle(t, a)
	assert.Len(t, srv.Dials(), 1, "a frame cancels the probe")

	// Probe() on a silent connection: no frame within 10 s, reconnect at once.
	srv.Set(func() { srv.OnUnread = func(*fsConn) bool { return true } })
	a.Probe()
	eventually(t, func() bool { return unreads() == 4 }, "probe UNREAD")
	srv.Set(func() { srv.OnUnread = nil })
	srv.Clock.Advance(9 * lite.Second)
	waitIdle(t, a)
	assert.Len(t, srv.Dials(), 1)
	advance(t, srv, lite.Second)
	ls := arec.waitName(t, EventLoginSuccess, 2).(LoginSuccess)
	assert.True(t, ls.Reconnect)
	assert.Len(t, srv.Dials(), 2, "the first retry is immediate")
	eventually(t, func() bool { return len(sends(srv)) == 2 }, "the send written again")

	// SetOnline(true) while connected probes too.
	n := unreads()
	a.SetOnline(true)
	eventually(t, func() bool { return unreads() == n+1 }, "probe on online")
}

func TestLogoutReportsWrittenSendsAsUnknown(t *testing.T) {
	srv, a, arec, _, _ := twoUsers(t)
	srv.Set(func() { srv.OnSend = func(*fsConn, *xsync.SyncUL) bool { return true } })
	done := make(chan error, 1)
	go func() {
		_, err := a.SendMessage(ctxT(t), Message{To: 1002, Content: "in flight"})
		done <- err
	}()
	eventually(t, func() bool { return len(sends(srv)) == 1 }, "written")
	written := sends(srv)[0].Id
	a.Disconnect()
	waitState(t, a, StateDisconnected)
	queued, err := a.PostMessage(Message{To: 1002, Content: "never written"})
	require.NoError(t, err)

	res, err := a.Logout(ctxT(t), LogoutOptions{})
	require.NoError(t, err)
	assert.Equal(t, []uint64{written}, res.Unknown)
	assert.True(t, IsCode(<-done, UserNotLogin))
	eventually(t, func() bool { return arec.count(EventLogout) == 1 }, "logout")
	var failed []uint64
	for _, s := range sendStatuses(arec) {
		if s.Status == SendStatusFailed {
			failed = append(failed, s.Mid)
			assert.Equal(t, UserNotLogin, s.Err.Code)
		}
	}
	assert.Equal(t, []uint64{queued}, failed, "only the send never written fails")
}

func TestLogoutFlushesWrittenSends(t *testing.T) {
	srv := newFakeServer(t)
	tokA := srv.AddUser(1001, "alice", "pw")
	tokB := srv.AddUser(1002, "bob", "pw")
	// One write a second: the second send waits for a token.
	a, arec := newTestClient(t, srv, nil, func(c *Config) { c.SendRate, c.SendBurst = 1, 1 })
	loginAs(t, a, 1001, tokA)
	b, brec := newTestClient(t, srv, nil, nil)
	loginAs(t, b, 1002, tokB)
	held := make(chan func(), 1)
	srv.Set(func() {
		srv.OnSend = func(fc *fsConn, ul *xsync.SyncUL) bool {
			held <- func() { fc.sendFrame(xsync.NewSyncDLFrame(fc.processSend(ul))) }
			return true
		}
	})
	mid, err := a.PostMessage(Message{To: 1002, Content: "last words"})
	require.NoError(t, err)
	ack := <-held
	behind, err := a.PostMessage(Message{To: 1002, Content: "behind"})
	require.NoError(t, err)
	type result struct {
		r   LogoutResult
		err error
	}
	out := make(chan result, 1)
	go func() {
		r, err := a.Logout(ctxT(t), LogoutOptions{})
		out <- result{r, err}
	}()
	waitFlush := func() {
		eventually(t, func() bool {
			return engine(t, a, func() bool { return a.lp.outbox.flushTask.pending() })
		}, "Logout waits for the ack")
	}
	waitFlush()
	// The token for the second send comes, but a logout writes nothing new.
	srv.Clock.Advance(lite.Second)
	waitIdle(t, a)
	select {
	case r := <-out:
		t.Fatalf("Logout did not wait: %+v", r)
	default:
	}
	ack()
	r := <-out
	require.NoError(t, r.err)
	assert.Empty(t, r.r.Unknown)
	assert.Len(t, sends(srv), 1, "the second send was never written")
	f := arec.wait(t, "the second send fails", func(e Event) bool {
		s, ok := e.(SendingStatus)
		return ok && s.Status == SendStatusFailed
	}).(SendingStatus)
	assert.Equal(t, behind, f.Mid)
	assert.Equal(t, UserNotLogin, f.Err.Code)
	eventually(t, func() bool { return brec.count(EventRosterMessage) == 1 }, "delivered")
	sent := arec.wait(t, "sent", func(e Event) bool {
		s, ok := e.(SendingStatus)
		return ok && s.Status == SendStatusSent
	}).(SendingStatus)
	assert.Equal(t, mid, sent.Mid)

	// Without an ack the wait ends after 3 s.
	tok := srv.RevokeTokens(1001)
	loginAs(t, a, 1001, tok)
	mid, err = a.PostMessage(Message{To: 1002, Content: "unanswered"})
	require.NoError(t, err)
	<-held
	go func() {
		r, err := a.Logout(ctxT(t), LogoutOptions{})
		out <- result{r, err}
	}()
	waitFlush()
	srv.Clock.Advance(3 * lite.Second)
	r = <-out
	require.NoError(t, r.err)
	assert.Equal(t, []uint64{mid}, r.r.Unknown)
}

func TestSendMessageContextEndsKeepsTheSend(t *testing.T) {
	srv, a, arec, _, brec := twoUsers(t)
	a.Disconnect()
	waitState(t, a, StateDisconnected)
	ctx, cancel := lite.WithCancel(lite.Background())
	cancel()
	_, err := a.SendMessage(ctx, Message{To: 1002, Content: "later"})
	assert.True(t, IsCode(err, UserCancel), err)
	pending, err := a.PendingSends(ctxT(t))
	require.NoError(t, err)
	assert.Len(t, pending, 1, "still queued")
	a.Reconnect()
	eventually(t, func() bool { return brec.count(EventRosterMessage) == 1 }, "sent after all")
	eventually(t, func() bool { return arec.count(EventRosterMessage) == 1 }, "acknowledged")
	_ = srv
}
