package core

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

// The first login settles (PROTOCOL.md §5 "Initial login", login.go).

// errRefused stands for what a native dialer reports for a closed port.
var errRefused = ErrServerConnectFailed(errors.New("connection refused"))

// loginAsync starts fn (a login call) on its own goroutine and returns its
// result channel.
func loginAsync(fn func() error) <-chan error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	return done
}

// notSettled checks that the login of done is still running.
func notSettled(t *testing.T, c *Client, done <-chan error) {
	t.Helper()
	waitIdle(t, c)
	select {
	case err := <-done:
		t.Fatalf("the login settled early: %v", err)
	default:
	}
}

// result waits for the login of done to settle.
func result(t *testing.T, done <-chan error) error {
	t.Helper()
	var err error
	eventually(t, func() bool {
		select {
		case err = <-done:
			return true
		default:
			return false
		}
	}, "the login to settle")
	return err
}

// assertLoginEnded checks the common outcome of a login that settled with
// code: one loginFail with reason, the session gone, no attempt pending.
func assertLoginEnded(t *testing.T, c *Client, srv *FakeServer, rec *recorder, err error, code Code, reason string) *Error {
	t.Helper()
	require.Error(t, err)
	var e *Error
	require.True(t, asError(err, &e), "%v", err)
	assert.Equal(t, code, e.Code, "%v", err)
	lf := rec.waitName(t, EventLoginFail, 1).(LoginFail)
	assert.Equal(t, reason, lf.Reason)
	assert.Equal(t, code, lf.Err.Code)
	waitState(t, c, StateIdle)
	assert.False(t, c.IsLogin())
	waitIdle(t, c)
	assert.Zero(t, srv.Clock.armedTimers(), "no retry and no login timeout left armed")
	return e
}

func TestFirstLoginTimeout(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.Set(func() { srv.OnProvision = func(*fsConn, *xsync.Provision) bool { return true } }) // never answers
	c, rec := newTestClient(t, srv, nil, nil)
	done := loginAsync(func() error { return c.TokenLogin(ctxT(t), 1001, tok) })

	provisions := func() int { return len(srv.Uplinks(xsync.CommandProvision)) }
	eventually(t, func() bool { return provisions() == 1 }, "first Provision")
	advance(t, srv, 10*lite.Second) // the first attempt's connect timeout; the retry is immediate
	eventually(t, func() bool { return provisions() == 2 }, "second Provision")
	waitIdle(t, c)
	srv.Clock.Advance(19 * lite.Second)
	notSettled(t, c, done)

	advance(t, srv, lite.Second) // 30 s: the default login timeout
	e := assertLoginEnded(t, c, srv, rec, result(t, done), SignInTimeout, LoginFailSocket)
	assert.Equal(t, "login did not complete within 30000ms: wss://fire.test: no Provision reply in time", e.Message)
	assert.Len(t, srv.Dials(), 2)
	srv.Clock.Advance(lite.Minute)
	waitIdle(t, c)
	assert.Len(t, srv.Dials(), 2, "no attempt after the login failed")
}

func TestFirstLoginTimeoutIsConfigurable(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.Set(func() { srv.OnProvision = func(*fsConn, *xsync.Provision) bool { return true } })
	c, rec := newTestClient(t, srv, nil, func(cfg *Config) { cfg.LoginTimeout = 3 * lite.Second })
	done := loginAsync(func() error { return c.TokenLogin(ctxT(t), 1001, tok) })
	eventually(t, func() bool { return len(srv.Uplinks(xsync.CommandProvision)) == 1 }, "Provision")
	advance(t, srv, 3*lite.Second)
	e := assertLoginEnded(t, c, srv, rec, result(t, done), SignInTimeout, LoginFailSocket)
	assert.Equal(t, "login did not complete within 3000ms: no answer from wss://fire.test", e.Message)
}

func TestFirstLoginRefusedThreeTimes(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.Set(func() { srv.DialHook = func(string) error { return errRefused } })
	c, rec := newTestClient(t, srv, nil, nil)
	done := loginAsync(func() error { return c.TokenLogin(ctxT(t), 1001, tok) })
	// The first retry is immediate, the second waits for the backoff.
	eventually(t, func() bool { return len(srv.Dials()) == 2 }, "immediate retry")
	notSettled(t, c, done)
	advance(t, srv, lite.Second)
	e := assertLoginEnded(t, c, srv, rec, result(t, done), ServerConnectFailed, LoginFailSocket)
	assert.Equal(t, "cannot connect to wss://fire.test: connection refused", e.Message)
	assert.True(t, errors.Is(e, errRefused), "the dial error is the cause")
	assert.Len(t, srv.Dials(), 3)
	assert.Zero(t, rec.count(EventFlooError), "no flooError category for a refused connection")
}

// TestFirstLoginTriesEveryHost: with several fireplace hosts, a first
// login whose dial is refused tries the next host at once, so a dead first
// node (a DNS reply cached before it died) does not end the login after
// three refusals with the live one never tried.
func TestFirstLoginTriesEveryHost(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.HTTP.handle("GET /v2/app_dns", func(r *HTTPRequest) (*HTTPResponse, error) {
		return envelope(200, "", `{"app_status":"normal","dns_list":[{"group_level":0,"clusters":[
			{"ratel":[{"protocol":"https","host":"ratel.test"}],
			 "webim":[{"protocol":"https","host":"a.test"},{"protocol":"https","host":"b.test"}],
			 "rtc":[{"protocol":"https","host":"rtc.test"}]}]}]}`), nil
	})
	srv.Set(func() {
		srv.DialHook = func(url string) error {
			if url == "wss://a.test" {
				return errRefused
			}
			return nil
		}
	})
	c, _ := newTestClient(t, srv, nil, nil)
	require.NoError(t, c.TokenLogin(ctxT(t), 1001, tok))
	assert.Equal(t, []string{"wss://a.test", "wss://b.test"}, srv.Dials())

	// Both refused: the login still ends after three refusals, having
	// tried both (and looked DNS up again after the last host).
	srv2 := newFakeServer(t)
	tok2 := srv2.AddUser(1001, "alice", "pw")
	srv2.HTTP.handle("GET /v2/app_dns", srv.HTTP.handlers["GET /v2/app_dns"])
	srv2.Set(func() { srv2.DialHook = func(string) error { return errRefused } })
	c2, rec2 := newTestClient(t, srv2, nil, nil)
	done := loginAsync(func() error { return c2.TokenLogin(ctxT(t), 1001, tok2) })
	eventually(t, func() bool { return len(srv2.Dials()) == 2 }, "a, then b at once")
	notSettled(t, c2, done)
	advance(t, srv2, lite.Second)
	assertLoginEnded(t, c2, srv2, rec2, result(t, done), ServerConnectFailed, LoginFailSocket)
	assert.Equal(t, []string{"wss://a.test", "wss://b.test", "wss://a.test"}, srv2.Dials())
}

func TestFirstLoginDNSFailsThreeTimes(t *testing.T) {
	srv := newFakeServer(t)
	srv.AddUser(1001, "alice", "pw")
	var lookups atomic.Int32
	srv.HTTP.handle("GET /v2/app_dns", func(*HTTPRequest) (*HTTPResponse, error) {
		lookups.Add(1)
		return nil, errors.New("lookup dns.test: no such host")
	})
	c, rec := newTestClient(t, srv, nil, nil)
	done := loginAsync(func() error { return c.Login(ctxT(t), "alice", "pw") })
	eventually(t, func() bool { return lookups.Load() == 2 }, "immediate retry")
	advance(t, srv, lite.Second)
	e := assertLoginEnded(t, c, srv, rec, result(t, done), ServerDNSFailed, LoginFailSocket)
	assert.Equal(t, int32(3), lookups.Load())
	assert.Equal(t, "DNS lookup failed: https://dns.test/v2/app_dns: lookup dns.test: no such host", e.Message)
	assert.True(t, IsCode(e, ServerDNSFetchFailed), "the lookup error is the cause")
	assert.Empty(t, srv.Dials())
	assert.Empty(t, srv.HTTP.requests("/token/"))
	// One DNS_FAILED per failed lookup: two retried, then the final one.
	assert.Equal(t, 3, rec.count(EventFlooError))
}

func TestFirstLoginTokenRequestRefused(t *testing.T) {
	srv := newFakeServer(t)
	srv.AddUser(1001, "alice", "pw")
	srv.HTTP.handle("POST /token/user", func(*HTTPRequest) (*HTTPResponse, error) {
		return nil, errors.New("connection refused")
	})
	c, rec := newTestClient(t, srv, nil, nil)
	done := loginAsync(func() error { return c.Login(ctxT(t), "alice", "pw") })
	eventually(t, func() bool { return len(srv.HTTP.requests("/token/user")) == 2 }, "immediate retry")
	advance(t, srv, lite.Second)
	err := result(t, done)
	e := assertLoginEnded(t, c, srv, rec, err, ServerConnectFailed, LoginFailTokenPrefix+"cannot connect to https://ratel.test/token/user: connection refused")
	assert.Equal(t, "cannot connect to https://ratel.test/token/user: connection refused", e.Message)
}

func TestFirstLoginSucceedsAfterTwoFailures(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		srv := newFakeServer(t)
		tok := srv.AddUser(1001, "alice", "pw")
		var n atomic.Int32
		srv.Set(func() {
			srv.DialHook = func(string) error {
				if n.Add(1) <= 2 {
					return errRefused
				}
				return nil
			}
		})
		c, rec := newTestClient(t, srv, nil, nil)
		done := loginAsync(func() error { return c.TokenLogin(ctxT(t), 1001, tok) })
		eventually(t, func() bool { return n.Load() == 2 }, "two refused dials")
		advance(t, srv, lite.Second)
		require.NoError(t, result(t, done))
		assert.Equal(t, StateConnected, c.State())
		assert.Zero(t, rec.count(EventLoginFail))
	})
	t.Run("DNS", func(t *testing.T) {
		srv := newFakeServer(t)
		srv.AddUser(1001, "alice", "pw")
		var n atomic.Int32
		ok := srv.HTTP.handlers["GET /v2/app_dns"]
		srv.HTTP.handle("GET /v2/app_dns", func(r *HTTPRequest) (*HTTPResponse, error) {
			if n.Add(1) <= 2 {
				return nil, errors.New("no such host")
			}
			return ok(r)
		})
		c, rec := newTestClient(t, srv, nil, nil)
		done := loginAsync(func() error { return c.Login(ctxT(t), "alice", "pw") })
		eventually(t, func() bool { return n.Load() == 2 }, "two failed lookups")
		advance(t, srv, lite.Second)
		require.NoError(t, result(t, done))
		assert.Zero(t, rec.count(EventLoginFail))
	})
	t.Run("a slow failure in between starts the count again", func(t *testing.T) {
		srv := newFakeServer(t)
		tok := srv.AddUser(1001, "alice", "pw")
		var n atomic.Int32
		srv.Set(func() {
			srv.DialHook = func(string) error {
				switch n.Add(1) {
				case 1, 2, 4, 5:
					return errRefused
				case 3:
					return ErrServerTimeOut(errors.New("i/o timeout"))
				}
				return nil
			}
		})
		c, rec := newTestClient(t, srv, nil, nil)
		done := loginAsync(func() error { return c.TokenLogin(ctxT(t), 1001, tok) })
		for i := int32(3); i <= 6; i++ {
			eventually(t, func() bool { return n.Load() == i-1 }, "a failed dial")
			advance(t, srv, lite.Second)
		}
		require.NoError(t, result(t, done))
		assert.Equal(t, int32(6), n.Load())
		assert.Zero(t, rec.count(EventLoginFail))
	})
}

func TestReconnectAfterLoginIsNotBounded(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	c, rec := newTestClient(t, srv, nil, func(cfg *Config) { cfg.LoginTimeout = 3 * lite.Second })
	loginAs(t, c, 1001, tok)
	var refusing atomic.Bool
	refusing.Store(true)
	srv.Set(func() {
		srv.DialHook = func(string) error {
			if refusing.Load() {
				return errRefused
			}
			return nil
		}
	})
	srv.Drop(1001)
	// Far more refusals than the login allows, over more than its timeout.
	eventually(t, func() bool { return len(srv.Dials()) == 2 }, "immediate retry")
	for n := 3; n <= 8; n++ {
		waitState(t, c, StateReconnecting)
		advance(t, srv, lite.Second)
		eventually(t, func() bool { return len(srv.Dials()) == n }, "retry")
	}
	waitIdle(t, c)
	assert.Zero(t, rec.count(EventLoginFail))
	assert.True(t, c.IsLogin())
	refusing.Store(false)
	waitState(t, c, StateReconnecting)
	advance(t, srv, lite.Second)
	ls := rec.waitName(t, EventLoginSuccess, 2).(LoginSuccess)
	assert.True(t, ls.Reconnect)
}

func TestAutoLoginReportsAndKeepsTrying(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	st := NewMemoryStorage()
	c1, _ := newTestClient(t, srv, st, nil)
	loginAs(t, c1, 1001, tok)
	require.NoError(t, c1.Close())

	var refusing atomic.Bool
	refusing.Store(true)
	srv.Set(func() {
		srv.DialHook = func(string) error {
			if refusing.Load() {
				return errRefused
			}
			return nil
		}
	})
	c, rec := newTestClient(t, srv, st, func(cfg *Config) { cfg.AutoLogin = true })
	eventually(t, func() bool { return len(srv.Dials()) == 3 }, "two refused dials of the auto-login")
	advance(t, srv, lite.Second)
	lf := rec.waitName(t, EventLoginFail, 1).(LoginFail)
	assert.Equal(t, LoginFailSocket, lf.Reason)
	assert.Equal(t, ServerConnectFailed, lf.Err.Code)
	// It goes on, and reports no second loginFail, at the timeout or later.
	for n := 5; n <= 7; n++ {
		waitState(t, c, StateReconnecting)
		advance(t, srv, lite.Second)
		eventually(t, func() bool { return len(srv.Dials()) == n }, "retry")
	}
	assert.True(t, c.IsLogin())
	refusing.Store(false)
	waitState(t, c, StateReconnecting)
	advance(t, srv, lite.Second)
	rec.waitName(t, EventLoginSuccess, 1)
	assert.Equal(t, 1, rec.count(EventLoginFail))
	assert.Equal(t, StateConnected, c.State())
}

func TestLoginFailureLogsQuietly(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.Set(func() { srv.DialHook = func(string) error { return errRefused } })
	logs := &logLines{}
	c, _ := newTestClient(t, srv, nil, func(cfg *Config) { cfg.Logger, cfg.LogLevel = logs, LogDebug })
	done := loginAsync(func() error { return c.TokenLogin(ctxT(t), 1001, tok) })
	eventually(t, func() bool { return len(srv.Dials()) == 2 }, "immediate retry")
	advance(t, srv, lite.Second)
	require.Error(t, result(t, done))
	require.NotEmpty(t, logs.matching("dial failed"), "the attempts are logged")
	for _, l := range logs.matching("") {
		assert.False(t, strings.HasPrefix(l, "error:") || strings.HasPrefix(l, "warn:"), "the failed attempts of a first login are not warnings: %s", l)
	}
}
