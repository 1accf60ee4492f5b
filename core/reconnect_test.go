package core

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

func TestJitterBackoff(t *testing.T) {
	max := func(n int64) int64 { return n - 1 }
	min := func(n int64) int64 { return 0 }
	hi := &JitterBackoff{Min: lite.Second, Max: 10 * lite.Second, Rand: max}
	lo := &JitterBackoff{Min: lite.Second, Max: 10 * lite.Second, Rand: min}

	assert.Zero(t, hi.Delay(1), "first retry is immediate")
	assert.Zero(t, hi.Delay(0))
	// Ceiling doubles from Min and is capped at Max.
	want := []lite.Duration{lite.Second, 2 * lite.Second, 4 * lite.Second, 8 * lite.Second, 10 * lite.Second, 10 * lite.Second}
	for i, w := range want {
		assert.Equal(t, w, hi.Delay(i+2), "ceiling of attempt %d", i+2)
		assert.Equal(t, lite.Second, lo.Delay(i+2), "floor of attempt %d", i+2)
	}
	assert.Equal(t, 10*lite.Second, hi.Delay(1000), "no overflow")

	// Real randomness stays within the bounds and actually varies.
	r := &JitterBackoff{Min: lite.Second, Max: 10 * lite.Second}
	seen := map[lite.Duration]bool{}
	for i := 0; i < 500; i++ {
		d := r.Delay(5)
		require.GreaterOrEqual(t, d, lite.Second)
		require.LessOrEqual(t, d, 8*lite.Second)
		seen[d] = true
	}
	assert.Greater(t, len(seen), 100, "jitter spreads the delays")
}

func TestHeartbeatAndLiveness(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	unreads := func() int { return len(srv.Uplinks(xsync.CommandUnread)) }
	eventually(t, func() bool { return unreads() == 1 }, "login UNREAD")

	// Answered heartbeats keep the connection: once the reply has cancelled
	// the liveness timer (the next timer is then the heartbeat itself),
	// advancing past the liveness timeout changes nothing. Each heartbeat's
	// reply is awaited before the clock moves on: advancing while it is on
	// its way would fire the liveness timer it is about to cancel.
	for i := 2; i <= 3; i++ {
		advance(t, srv, 50*lite.Second)
		eventually(t, func() bool { return unreads() == i }, "heartbeat")
		nextBeat := srv.Clock.Now().Add(50 * lite.Second)
		eventually(t, func() bool {
			when, ok := srv.Clock.nextDeadline()
			return ok && when.Equal(nextBeat)
		}, "the heartbeat reply cancels the liveness timer")
	}
	srv.Clock.Advance(25 * lite.Second)
	waitIdle(t, c)
	assert.Len(t, srv.Dials(), 1)

	// Now the server stops answering: 20 s after the next heartbeat the
	// client gives up on the connection and reconnects at once.
	var silent atomic.Bool
	silent.Store(true)
	srv.Set(func() { srv.OnUnread = func(c *fsConn) bool { return silent.Load() } })
	advance(t, srv, 25*lite.Second)
	eventually(t, func() bool { return unreads() == 4 }, "heartbeat")
	silent.Store(false)
	advance(t, srv, 20*lite.Second)
	ls := rec.waitName(t, EventLoginSuccess, 2).(LoginSuccess)
	assert.True(t, ls.Reconnect)
	assert.Len(t, srv.Dials(), 2)
	sc := rec.wait(t, "reconnecting", func(e Event) bool {
		s, ok := e.(StateChanged)
		return ok && s.State == StateReconnecting
	}).(StateChanged)
	require.NotNil(t, sc.Err)
	assert.Equal(t, ServerTimeOut, sc.Err.Code)
}

func TestReconnectAfterDrop(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	eventually(t, func() bool { return len(srv.Uplinks(xsync.CommandUnread)) == 1 }, "UNREAD after login")
	srv.Drop(1001)
	ls := rec.waitName(t, EventLoginSuccess, 2).(LoginSuccess)
	assert.True(t, ls.Reconnect, "first retry after a drop is immediate")
	assert.Equal(t, uint32(1), ls.DeviceSN)
	ps := provisions(t, srv)
	require.Len(t, ps, 2)
	assert.Equal(t, uint32(1), ps[1].Xid.DeviceSN)
	// A fresh UNREAD follows every Provision.
	eventually(t, func() bool { return len(srv.Uplinks(xsync.CommandUnread)) == 2 }, "UNREAD after reconnect")
}

func TestReconnectBackoffAndHostRotation(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.HTTP.handle("GET /v2/app_dns", func(r *HTTPRequest) (*HTTPResponse, error) {
		return envelope(200, "", `{"app_status":"normal","dns_list":[{"group_level":0,"clusters":[
			{"ratel":[{"protocol":"https","host":"ratel.test"}],"webim":[{"protocol":"https","host":"a.test"},{"protocol":"http","host":"b.test:8080/ws"}],"rtc":[{"protocol":"https","host":"rtc.test"}]}]}]}`), nil
	})
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)

	// Host a is down, host b is up.
	srv.Set(func() {
		srv.DialHook = func(url string) error {
			if strings.Contains(url, "a.test") {
				return errors.New("refused")
			}
			return nil
		}
	})
	srv.Drop(1001)
	// Attempt 1 is immediate; then one per second (test backoff).
	eventually(t, func() bool { return len(srv.Dials()) == 2 }, "immediate retry")
	for n := 3; n <= 6; n++ {
		waitState(t, c, StateReconnecting)
		if n == 3 {
			// The state event says how long the backoff lasts (a countdown for the app).
			waiting := rec.wait(t, "reconnecting with a delay", func(e Event) bool {
				s, ok := e.(StateChanged)
				return ok && s.State == StateReconnecting && s.RetryIn > 0
			}).(StateChanged)
			assert.Equal(t, lite.Second, waiting.RetryIn, "the test backoff is one second")
		}
		advance(t, srv, lite.Second)
		eventually(t, func() bool { return len(srv.Dials()) >= n }, "retry")
	}
	// The fifth failure on a moves to b, and the first attempt there is
	// made at once: the clock does not move.
	rec.waitName(t, EventLoginSuccess, 2)
	dials := srv.Dials()
	assert.Equal(t, []string{"wss://a.test", "wss://a.test", "wss://a.test", "wss://a.test", "wss://a.test", "wss://a.test", "ws://b.test:8080/ws"}, dials,
		"after 5 failed attempts the next fireplace host is used")

	// A success resets the backoff: the next drop is retried at once, on
	// the host that worked.
	srv.Drop(1001)
	rec.waitName(t, EventLoginSuccess, 3)
	assert.Equal(t, "ws://b.test:8080/ws", srv.Dials()[7])
}

// TestReconnectLeavesAHostGoingAway: a server that closes the connection
// with 1001 (a node draining before a shutdown) is left at once for the
// next host of the DNS reply, for the socket and for REST, instead of
// being retried five times first; a plain drop still retries the same
// host, and from the last host a 1001 wraps to the first.
func TestReconnectLeavesAHostGoingAway(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.HTTP.handle("GET /v2/app_dns", func(r *HTTPRequest) (*HTTPResponse, error) {
		return envelope(200, "", `{"app_status":"normal","dns_list":[{"group_level":0,"clusters":[
			{"ratel":[{"protocol":"https","host":"a.test"},{"protocol":"https","host":"b.test"}],
			 "webim":[{"protocol":"https","host":"a.test"},{"protocol":"https","host":"b.test"}],
			 "rtc":[{"protocol":"https","host":"a.test"},{"protocol":"https","host":"b.test"}]}]}]}`), nil
	})
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	ratel, _, _ := c.Servers()
	require.Equal(t, "https://a.test", ratel)

	srv.Drop(1001) // a network failure: the same host again
	rec.waitName(t, EventLoginSuccess, 2)
	srv.GoAway(1001)
	ls := rec.waitName(t, EventLoginSuccess, 3).(LoginSuccess)
	assert.True(t, ls.Reconnect)
	assert.Equal(t, []string{"wss://a.test", "wss://a.test", "wss://b.test"}, srv.Dials(),
		"the retry after a 1001 goes to the next host, at once")
	ratel, _, _ = c.Servers()
	assert.Equal(t, "https://b.test", ratel, "REST leaves the node too")

	srv.GoAway(1001)
	rec.waitName(t, EventLoginSuccess, 4)
	assert.Equal(t, "wss://a.test", srv.Dials()[3], "from the last host back to the first")
	ratel, _, _ = c.Servers()
	assert.Equal(t, "https://a.test", ratel)
}

// TestReconnectMovesRESTWithTheSocket: when five failed attempts move the
// socket to the next node, the REST client leaves the node given up on too,
// instead of failing there five times of its own first.
func TestReconnectMovesRESTWithTheSocket(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.HTTP.handle("GET /v2/app_dns", func(r *HTTPRequest) (*HTTPResponse, error) {
		return envelope(200, "", `{"app_status":"normal","dns_list":[{"group_level":0,"clusters":[
			{"ratel":[{"protocol":"https","host":"a.test"},{"protocol":"https","host":"b.test"}],
			 "webim":[{"protocol":"https","host":"a.test"},{"protocol":"https","host":"b.test"}],
			 "rtc":[{"protocol":"https","host":"a.test"}]}]}]}`), nil
	})
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	srv.Set(func() {
		srv.DialHook = func(url string) error {
			if strings.Contains(url, "a.test") {
				return errors.New("refused")
			}
			return nil
		}
	})
	srv.Drop(1001)
	for n := 3; n <= 6; n++ {
		waitState(t, c, StateReconnecting)
		ratel, _, _ := c.Servers()
		require.Equal(t, "https://a.test", ratel, "REST stays while the socket retries the same node")
		advance(t, srv, lite.Second)
		eventually(t, func() bool { return len(srv.Dials()) >= n }, "retry")
	}
	rec.waitName(t, EventLoginSuccess, 2)
	assert.Equal(t, "wss://b.test", srv.Dials()[6])
	ratel, _, _ := c.Servers()
	assert.Equal(t, "https://b.test", ratel, "REST left node a with the socket")
}

// TestReconnectLooksDNSUpAgain: once every fireplace host of the DNS reply
// has failed five times, the next attempt repeats the DNS lookup and uses
// the new reply's hosts (PROTOCOL.md §4.2 step 6).
func TestReconnectLooksDNSUpAgain(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	var lookups atomic.Int32
	srv.HTTP.handle("GET /v2/app_dns", func(r *HTTPRequest) (*HTTPResponse, error) {
		hosts := `{"protocol":"https","host":"a.test"},{"protocol":"https","host":"b.test"}`
		if lookups.Add(1) > 1 {
			hosts = `{"protocol":"https","host":"c.test"}`
		}
		return envelope(200, "", `{"app_status":"normal","dns_list":[{"group_level":0,"clusters":[
			{"ratel":[{"protocol":"https","host":"ratel.test"}],"webim":[`+hosts+`],"rtc":[{"protocol":"https","host":"rtc.test"}]}]}]}`), nil
	})
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	srv.Set(func() {
		srv.DialHook = func(url string) error {
			if url != "wss://c.test" {
				return errors.New("refused")
			}
			return nil
		}
	})
	srv.Drop(1001)
	eventually(t, func() bool { return len(srv.Dials()) == 2 }, "immediate retry")
	for n := 3; n <= 11; n++ {
		if n == 7 {
			// The first attempt on the next host is not delayed.
			eventually(t, func() bool { return len(srv.Dials()) >= n }, "first attempt on b")
			continue
		}
		waitState(t, c, StateReconnecting)
		advance(t, srv, lite.Second)
		eventually(t, func() bool { return len(srv.Dials()) >= n }, "retry")
	}
	assert.Equal(t, int32(1), lookups.Load(), "hosts first")
	waitState(t, c, StateReconnecting)
	advance(t, srv, lite.Second)
	rec.waitName(t, EventLoginSuccess, 2)
	assert.Equal(t, int32(2), lookups.Load(), "then DNS again")
	dials := srv.Dials()
	require.Len(t, dials, 12)
	assert.Equal(t, []string{"wss://a.test", "wss://b.test", "wss://c.test"}, []string{dials[5], dials[10], dials[11]})
	_, fire, _ := c.Servers()
	assert.Equal(t, "wss://c.test", fire)
}

func TestConnectTimeout(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	var n atomic.Int32
	srv.Set(func() { srv.OnProvision = func(c *fsConn, p *xsync.Provision) bool { return n.Add(1) == 1 } }) // the first is ignored
	c, _ := newTestClient(t, srv, nil, nil)
	done := make(chan error, 1)
	go func() { done <- c.TokenLogin(ctxT(t), 1001, tok) }()
	eventually(t, func() bool { return n.Load() == 1 }, "first Provision")
	srv.Clock.Advance(9 * lite.Second)
	waitIdle(t, c)
	assert.Equal(t, StateConnecting, c.State())
	advance(t, srv, lite.Second) // 10 s + 20 s × 0
	require.NoError(t, <-done)
	assert.Len(t, srv.Dials(), 2)
}

func TestSetOnline(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)

	c.SetOnline(false)
	srv.Drop(1001)
	waitState(t, c, StateDisconnected)
	srv.Clock.Advance(lite.Minute)
	waitIdle(t, c)
	assert.Len(t, srv.Dials(), 1, "no reconnect while offline")

	c.SetOnline(true)
	rec.waitName(t, EventLoginSuccess, 2)
	assert.Len(t, srv.Dials(), 2)
}

func TestDisconnectAndReconnect(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	c.Disconnect()
	waitState(t, c, StateDisconnected)
	eventually(t, func() bool { return len(srv.Conns(1001)) == 0 }, "closed")
	srv.Clock.Advance(lite.Minute)
	waitIdle(t, c)
	assert.Len(t, srv.Dials(), 1)
	assert.True(t, c.IsLogin(), "the session survives Disconnect")

	c.Reconnect()
	rec.waitName(t, EventLoginSuccess, 2)
	assert.Equal(t, StateConnected, c.State())
}

func TestKickBySameDevice(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	preset := func() *MemoryStorage {
		st := NewMemoryStorage()
		st.Set(keyDeviceSN(1001), "5")
		st.Set(keyGUID(1001), "1001_5")
		return st
	}
	st1 := preset()
	c1, rec1 := newTestClient(t, srv, st1, nil)
	loginAs(t, c1, 1001, tok)
	c2, _ := newTestClient(t, srv, preset(), nil)
	loginAs(t, c2, 1001, tok)
	require.Equal(t, c1Sn(t, srv), uint32(5))

	se := rec1.waitName(t, EventSessionError, 1).(SessionError)
	assert.Equal(t, UserKickedBySameDevice, se.Err.Code)
	n := rec1.wait(t, "userNotice", func(e Event) bool {
		n, ok := e.(FlooNotice)
		return ok && n.Category == NoticeCategoryUserNotice
	}).(FlooNotice)
	assert.Equal(t, "KICK_BY_SAME_DEVICE", n.Desc)
	waitState(t, c1, StateIdle)
	srv.Clock.Advance(lite.Minute)
	waitIdle(t, c1)
	assert.Len(t, srv.Dials(), 2, "the kicked client does not reconnect")
	_, ok := st1.Get(keyDeviceSN(1001))
	assert.False(t, ok, "a later login uses deviceSN 0")
	_, ok = st1.Get(keyGUID(1001))
	assert.False(t, ok, "and a new guid")
	assert.Equal(t, StateConnected, c2.State())
}

func c1Sn(t *testing.T, srv *FakeServer) uint32 {
	ps := provisions(t, srv)
	return ps[0].Xid.DeviceSN
}

func TestTerminalUserNotices(t *testing.T) {
	for _, tc := range []struct {
		typ  xsync.UserNoticeType
		code Code
	}{
		{xsync.UserNoticePasswordChanged, UserPasswordChanged},
		{xsync.UserNoticeFrozen, UserFrozen},
		{xsync.UserNoticeRemoved, UserRemoved},
		{xsync.UserNoticeKickedByOtherDevice, UserKickedByOtherDevices},
		{xsync.UserNoticeDeviceRemoved, UserKickedByOtherDevices},
		{xsync.UserNoticeUnknown, UserAbnormal},
	} {
		t.Run(tc.typ.String(), func(t *testing.T) {
			srv := newFakeServer(t)
			tok := srv.AddUser(1001, "alice", "pw")
			st := NewMemoryStorage()
			c, rec := newTestClient(t, srv, st, nil)
			loginAs(t, c, 1001, tok)
			srv.Kick(1001, tc.typ)
			se := rec.waitName(t, EventSessionError, 1).(SessionError)
			assert.Equal(t, tc.code, se.Err.Code)
			rec.wait(t, "relogin_manually", func(e Event) bool {
				n, ok := e.(FlooNotice)
				return ok && n.Desc == NoticeReloginManually
			})
			waitState(t, c, StateIdle)
			_, ok := st.Get(keyToken)
			assert.False(t, ok, "token dropped")
			_, ok = st.Get(keyDeviceSN(1001))
			assert.False(t, ok, "deviceSN dropped")
		})
	}
}

func TestInformationalUserNotice(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	n := &xsync.UserNotice{Type: xsync.UserNoticeDeviceAdded}
	srv.Push(1001, 1001, &xsync.Meta{From: &xsync.XID{}, To: &xsync.XID{Uid: 1001}, Ns: xsync.NSUserNotice, Payload: n.Marshal()})
	fn := rec.wait(t, "userNotice", func(e Event) bool {
		n, ok := e.(FlooNotice)
		return ok && n.Category == NoticeCategoryUserNotice
	}).(FlooNotice)
	assert.Equal(t, "DEVICE_ADDED", fn.Desc)
	waitIdle(t, c)
	assert.Equal(t, StateConnected, c.State())
}

func TestClusterChanged(t *testing.T) {
	srv := newFakeServer(t)
	srv.AddUser(1001, "alice", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	require.NoError(t, c.Login(ctxT(t), "alice", "pw"))
	srv.Kick(1001, xsync.UserNoticeClusterChanged)
	rec.wait(t, "relogin", func(e Event) bool {
		n, ok := e.(FlooNotice)
		return ok && n.Desc == NoticeRelogin
	})
	waitState(t, c, StateReconnecting)
	advance(t, srv, 2*lite.Second)
	rec.waitName(t, EventLoginSuccess, 2)
	assert.Len(t, srv.HTTP.requests("/v2/app_dns"), 2, "DNS looked up again")
	assert.Len(t, srv.HTTP.requests("/token/user"), 2, "and a new token")

	// Without credentials the session ends.
	srv2 := newFakeServer(t)
	tok := srv2.AddUser(1001, "alice", "pw")
	c2, _ := newTestClient(t, srv2, nil, nil)
	loginAs(t, c2, 1001, tok)
	srv2.Kick(1001, xsync.UserNoticeDNSUpdate)
	waitState(t, c2, StateIdle)
}

// gatedDialer wraps the fake server's dialer: its connections can hold
// the engine's reader back before it reads the transport, and can fail
// every write, as a socket the server already closed does.
type gatedDialer struct {
	Dialer
	hold       atomic.Bool
	waiting    chan struct{} // a Read is held at the gate
	release    chan struct{}
	failWrites atomic.Bool
	last       atomic.Pointer[pipeConn]
}

type gatedConn struct {
	Conn
	d *gatedDialer
}

func (d *gatedDialer) Dial(ctx lite.Context, url string) (Conn, error) {
	c, err := d.Dialer.Dial(ctx, url)
	if err != nil {
		return nil, err
	}
	d.last.Store(c.(*pipeConn))
	return &gatedConn{Conn: c, d: d}, nil
}

func (c *gatedConn) Read(ctx lite.Context) ([]byte, error) {
	if c.d.hold.Load() {
		c.d.waiting <- struct{}{}
		select {
		case <-c.d.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return c.Conn.Read(ctx)
}

func (c *gatedConn) Write(ctx lite.Context, b []byte) error {
	if c.d.failWrites.Load() {
		return errors.New("broken pipe")
	}
	return c.Conn.Write(ctx, b)
}

// TestKickNoticeSurvivesAFailedWrite: the server has sent a kick notice
// and closed the socket; the engine's next write fails before its reader
// got to the notice. The writer closes the transport, and the reader must
// still get the notice (core.Conn ordering contract) and the engine must
// act on it: the session ends for good instead of reconnecting into
// another kick.
func TestKickNoticeSurvivesAFailedWrite(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	d := &gatedDialer{Dialer: srv.Dialer(), waiting: make(chan struct{}), release: make(chan struct{})}
	st := NewMemoryStorage()
	c, rec := newTestClient(t, srv, st, func(cfg *Config) { cfg.Dialer = d })
	loginAs(t, c, 1001, tok)
	waitIdle(t, c)

	// Park the reader at the gate: the frame it is waiting for now gets
	// through, the next Read waits.
	d.hold.Store(true)
	conn := srv.Conns(1001)[0]
	conn.sendFrame(xsync.NewUnreadDLFrame(&xsync.UnreadDL{Status: okStatus()}))
	select {
	case <-d.waiting:
	case <-time.After(waitFor):
		t.Fatal("the reader never reached the gate")
	}

	// The kick notice is in the transport; then a send fails to write.
	n := &xsync.UserNotice{Type: xsync.UserNoticeKickBySameDevice}
	kick := &xsync.Meta{From: &xsync.XID{}, To: &xsync.XID{Uid: 1001}, Ns: xsync.NSUserNotice, Payload: n.Marshal()}
	conn.sendFrame(xsync.NewSyncDLFrame(&xsync.SyncDL{Status: okStatus(), Xid: &xsync.XID{Uid: 1001}, Metas: []*xsync.Meta{kick}}))
	d.failWrites.Store(true)
	_, err := c.PostMessage(Message{To: 1002, Content: "into the void"})
	require.NoError(t, err)
	eventually(t, d.last.Load().isClosed, "the writer closed the transport")
	dials := len(srv.Dials())

	d.hold.Store(false)
	close(d.release)
	se := rec.waitName(t, EventSessionError, 1).(SessionError)
	assert.Equal(t, UserKickedBySameDevice, se.Err.Code)
	waitState(t, c, StateIdle)
	srv.Clock.Advance(lite.Minute)
	waitIdle(t, c)
	assert.Len(t, srv.Dials(), dials, "no reconnect after the kick")
	_, ok := st.Get(keyToken)
	assert.False(t, ok)
}
