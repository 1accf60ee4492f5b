package core

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

func provisions(t *testing.T, srv *FakeServer) []*xsync.Provision {
	t.Helper()
	var out []*xsync.Provision
	for _, f := range srv.Uplinks(xsync.CommandProvision) {
		p, err := f.Provision()
		require.NoError(t, err)
		out = append(out, p)
	}
	return out
}

func TestTokenLogin(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	st := NewMemoryStorage()
	c, rec := newTestClient(t, srv, st, nil)

	assert.False(t, c.IsLogin())
	loginAs(t, c, 1001, tok)

	ls := rec.waitName(t, EventLoginSuccess, 1).(LoginSuccess)
	assert.Equal(t, uint64(1001), ls.UID)
	assert.Equal(t, uint32(1), ls.DeviceSN)
	assert.False(t, ls.Reconnect)
	assert.True(t, c.IsLogin())
	assert.Equal(t, uint64(1001), c.UID())
	assert.Equal(t, uint32(1), c.DeviceSN())
	assert.Equal(t, tok, c.Token())

	ps := provisions(t, srv)
	require.Len(t, ps, 1)
	p := ps[0]
	assert.Equal(t, uint64(1001), p.Xid.Uid)
	assert.Zero(t, p.Xid.DeviceSN, "no stored deviceSN: send 0 (PROTOCOL.md §4.6)")
	assert.Equal(t, tok, p.Token)
	assert.Equal(t, xsync.OsWeb, p.OsType)
	assert.Equal(t, "2.0.0", p.SdkVsn)
	assert.Equal(t, "Web", p.DeviceInfo)
	assert.True(t, strings.HasPrefix(p.DeviceGuid, "1001_"), p.DeviceGuid)

	// UNREAD right after login (PROTOCOL.md §4.8).
	eventually(t, func() bool { return len(srv.Uplinks(xsync.CommandUnread)) >= 1 }, "UNREAD after login")

	// Persisted session (documented keys).
	v, _ := st.Get(keyUID)
	assert.Equal(t, "1001", v)
	v, _ = st.Get(keyToken)
	assert.Equal(t, tok, v)
	v, _ = st.Get(keyTokenApp)
	assert.Equal(t, fakeAppID, v)
	v, _ = st.Get(keyDeviceSN(1001))
	assert.Equal(t, "1", v)
	v, _ = st.Get(keyGUID(1001))
	assert.Equal(t, p.DeviceGuid, v)

	// Login progress notices in order.
	var descs []string
	for _, e := range rec.named(EventFlooNotice) {
		if n := e.(FlooNotice); n.Category == NoticeCategoryLoginMessage {
			descs = append(descs, n.Desc)
		}
	}
	assert.Equal(t, []string{"socket connecting...", "socket connect success...", "logining socket service...", "login socket success....."}, descs)
}

func TestLoginByNameAndID(t *testing.T) {
	for _, byID := range []bool{false, true} {
		t.Run(map[bool]string{false: "name", true: "id"}[byID], func(t *testing.T) {
			srv := newFakeServer(t)
			tok := srv.AddUser(1001, "alice", "pw")
			srv.AddGroup(5001, 1001, 1002)
			c, rec := newTestClient(t, srv, nil, nil)
			var err error
			if byID {
				err = c.IDLogin(ctxT(t), 1001, "pw")
			} else {
				err = c.Login(ctxT(t), "alice", "pw")
			}
			require.NoError(t, err)
			assert.Equal(t, StateConnected, c.State())
			assert.Equal(t, tok, c.Token())
			path := "/token/user"
			if byID {
				path = "/token/id"
			}
			reqs := srv.HTTP.requests(path)
			require.Len(t, reqs, 1)
			assert.Equal(t, fakeAppID, reqs[0].Header["app_id"])
			assert.Equal(t, "application/json", reqs[0].Header["Content-Type"])

			// Prefetch: the two lists, then the details (PROTOCOL.md §4.5).
			assert.Len(t, srv.HTTP.requests("/group/user_joined"), 1)
			var postRoster *HTTPRequest
			for _, r := range srv.HTTP.requests("/roster/list") {
				assert.Equal(t, tok, r.Header["access-token"])
				if r.Method == "POST" {
					postRoster = r
				}
			}
			require.NotNil(t, postRoster)
			assert.JSONEq(t, `{"list":[1001]}`, string(postRoster.Body))
			batch := srv.HTTP.requests("/group/info/batch")
			require.Len(t, batch, 1)
			assert.JSONEq(t, `{"group_list":[5001]}`, string(batch[0].Body))
			pre := c.Prefetched()
			assert.Equal(t, []uint64{5001}, pre.GroupIDs)
			assert.True(t, pre.AppConfig.Get("feature").Exists())

			// DNS: configured URL alone, with app_id and source=sdk.
			dns := srv.HTTP.requests("/v2/app_dns")
			require.Len(t, dns, 1)
			assert.Equal(t, fakeDNSURL+"?app_id="+fakeAppID+"&source=sdk", dns[0].URL)
			assert.Empty(t, srv.HTTP.requests("/api/health"), "a single DNS candidate is not probed")
			ratel, fire, rtc := c.Servers()
			assert.Equal(t, fakeRatel, ratel)
			assert.Equal(t, fakeFireplace, fire)
			assert.Equal(t, "wss://rtc.test", rtc)
			assert.Equal(t, []string{fakeFireplace}, srv.Dials())
			rec.waitName(t, EventLoginSuccess, 1)
		})
	}
}

func TestLoginWrongPassword(t *testing.T) {
	srv := newFakeServer(t)
	srv.AddUser(1001, "alice", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	err := c.Login(ctxT(t), "alice", "nope")
	require.Error(t, err)
	assert.True(t, IsCode(err, UserAuthFailed), err)
	lf := rec.waitName(t, EventLoginFail, 1).(LoginFail)
	assert.Equal(t, "token failure:wrong password", lf.Reason)
	assert.Equal(t, StateIdle, c.State())
	assert.False(t, c.IsLogin())
	assert.Empty(t, srv.Dials())

	err = c.Login(ctxT(t), "bob", "pw")
	assert.True(t, IsCode(err, UserNotExist), err)
	err = c.Login(ctxT(t), "", "pw")
	assert.True(t, IsCode(err, SignInInvalidParam), err)
}

func TestAutoLoginAndDevicePersistence(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	st := NewMemoryStorage()
	c1, _ := newTestClient(t, srv, st, nil)
	loginAs(t, c1, 1001, tok)
	guid := provisions(t, srv)[0].DeviceGuid
	require.NoError(t, c1.Close())

	c2, rec := newTestClient(t, srv, st, func(cfg *Config) { cfg.AutoLogin = true })
	ls := rec.waitName(t, EventLoginSuccess, 1).(LoginSuccess)
	assert.Equal(t, uint64(1001), ls.UID)
	assert.Equal(t, uint32(1), ls.DeviceSN)
	ps := provisions(t, srv)
	require.Len(t, ps, 2)
	assert.Equal(t, uint32(1), ps[1].Xid.DeviceSN, "stored deviceSN is sent")
	assert.Equal(t, guid, ps[1].DeviceGuid, "stored guid is reused")
	assert.True(t, c2.IsLogin())

	// A token of another app is not resumed.
	st.Set(keyTokenApp, "otherapp")
	c3, rec3 := newTestClient(t, srv, st, func(cfg *Config) { cfg.AutoLogin = true })
	waitIdle(t, c3)
	assert.Equal(t, StateIdle, c3.State())
	assert.Zero(t, rec3.count(EventLoginSuccess))
}

// provisionReplies makes the fake server answer Provisions with the given
// statuses in turn, then behave normally.
func provisionReplies(srv *FakeServer, statuses ...*xsync.Status) *atomic.Int32 {
	var n atomic.Int32
	srv.Set(func() {
		srv.OnProvision = func(c *fsConn, p *xsync.Provision) bool {
			i := int(n.Add(1)) - 1
			if i >= len(statuses) {
				return false
			}
			c.sendFrame(xsync.NewProvisionFrame(&xsync.Provision{Status: statuses[i]}))
			return true
		}
	})
	return &n
}

func TestProvisionInvalidTokenRecoverable(t *testing.T) {
	srv := newFakeServer(t)
	srv.AddUser(1001, "alice", "pw")
	provisionReplies(srv, &xsync.Status{Code: xsync.StatusInvalidToken, Reason: "expired"})
	c, rec := newTestClient(t, srv, nil, nil)
	require.NoError(t, c.Login(ctxT(t), "alice", "pw"))
	assert.Len(t, srv.HTTP.requests("/token/user"), 2, "a new token is fetched once")
	assert.Len(t, provisions(t, srv), 2)
	rec.wait(t, "relogin notice", func(e Event) bool {
		n, ok := e.(FlooNotice)
		return ok && n.Category == NoticeCategoryAction && n.Desc == NoticeRelogin
	})
}

func TestProvisionInvalidTokenTwiceIsTerminal(t *testing.T) {
	srv := newFakeServer(t)
	srv.AddUser(1001, "alice", "pw")
	bad := &xsync.Status{Code: xsync.StatusInvalidToken, Reason: "expired"}
	provisionReplies(srv, bad, bad, bad)
	c, rec := newTestClient(t, srv, nil, nil)
	err := c.Login(ctxT(t), "alice", "pw")
	assert.True(t, IsCode(err, InvalidToken), err)
	assert.Len(t, provisions(t, srv), 2)
	lf := rec.waitName(t, EventLoginFail, 1).(LoginFail)
	assert.Equal(t, LoginFailSocket, lf.Reason)
	assert.Equal(t, StateIdle, c.State())
}

func TestProvisionInvalidTokenWithoutCredentials(t *testing.T) {
	srv := newFakeServer(t)
	srv.AddUser(1001, "alice", "pw")
	st := NewMemoryStorage()
	c, rec := newTestClient(t, srv, st, nil)
	err := c.TokenLogin(ctxT(t), 1001, "bogus")
	assert.True(t, IsCode(err, InvalidToken), err)
	assert.Len(t, provisions(t, srv), 1, "no credentials: terminal at once")
	assert.Empty(t, srv.HTTP.requests("/token/"))
	rec.waitName(t, EventLoginFail, 1)
	_, ok := st.Get(keyToken)
	assert.False(t, ok, "the rejected token is forgotten")
}

func TestProvisionGUIDConflict(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	st := NewMemoryStorage()
	st.Set(keyDeviceSN(1001), "7")
	st.Set(keyGUID(1001), "1001_42")
	provisionReplies(srv, &xsync.Status{Code: xsync.StatusDeviceGUIDConflict})
	c, _ := newTestClient(t, srv, st, nil)
	loginAs(t, c, 1001, tok)
	ps := provisions(t, srv)
	require.Len(t, ps, 2)
	assert.Equal(t, uint32(7), ps[0].Xid.DeviceSN)
	assert.Equal(t, "1001_42", ps[0].DeviceGuid)
	assert.Zero(t, ps[1].Xid.DeviceSN, "retry with deviceSN 0")
	assert.NotEqual(t, "1001_42", ps[1].DeviceGuid, "and a new guid")
	assert.True(t, strings.HasPrefix(ps[1].DeviceGuid, "1001_"))
	g, _ := st.Get(keyGUID(1001))
	assert.Equal(t, ps[1].DeviceGuid, g)

	// Twice in a row: terminal.
	srv2 := newFakeServer(t)
	tok2 := srv2.AddUser(1001, "alice", "pw")
	conflict := &xsync.Status{Code: xsync.StatusDeviceGUIDConflict}
	provisionReplies(srv2, conflict, conflict)
	c2, _ := newTestClient(t, srv2, nil, nil)
	err := c2.TokenLogin(ctxT(t), 1001, tok2)
	assert.True(t, IsCode(err, ServerCannotCreateDeviceSn), err)
}

func TestProvisionTerminalAndRetryable(t *testing.T) {
	t.Run("frozen is terminal", func(t *testing.T) {
		srv := newFakeServer(t)
		tok := srv.AddUser(1001, "alice", "pw")
		provisionReplies(srv, &xsync.Status{Code: xsync.StatusUserFrozen, Reason: "frozen"})
		c, rec := newTestClient(t, srv, nil, nil)
		err := c.TokenLogin(ctxT(t), 1001, tok)
		assert.True(t, IsCode(err, UserFrozen), err)
		fe := rec.waitName(t, EventFlooError, 1).(FlooError)
		assert.Equal(t, "USER_FROZEN", fe.Category)
		rec.wait(t, "relogin_manually", func(e Event) bool {
			n, ok := e.(FlooNotice)
			return ok && n.Desc == NoticeReloginManually
		})
		assert.Len(t, srv.Dials(), 1, "no reconnect after a terminal error")
	})
	t.Run("FAIL is retried", func(t *testing.T) {
		srv := newFakeServer(t)
		tok := srv.AddUser(1001, "alice", "pw")
		provisionReplies(srv, &xsync.Status{Code: xsync.StatusFail, Reason: "busy"})
		c, _ := newTestClient(t, srv, nil, nil)
		// The first retry is immediate.
		require.NoError(t, c.TokenLogin(ctxT(t), 1001, tok))
		assert.Len(t, srv.Dials(), 2)
	})
	t.Run("you must login first re-provisions once", func(t *testing.T) {
		srv := newFakeServer(t)
		tok := srv.AddUser(1001, "alice", "pw")
		provisionReplies(srv, &xsync.Status{Code: xsync.StatusUnauthorized, Reason: "you must login first"})
		c, _ := newTestClient(t, srv, nil, nil)
		loginAs(t, c, 1001, tok)
		assert.Len(t, provisions(t, srv), 2)
	})
	t.Run("unauthorized is terminal", func(t *testing.T) {
		srv := newFakeServer(t)
		tok := srv.AddUser(1001, "alice", "pw")
		provisionReplies(srv, &xsync.Status{Code: xsync.StatusUnauthorized, Reason: "nope"})
		c, _ := newTestClient(t, srv, nil, nil)
		err := c.TokenLogin(ctxT(t), 1001, tok)
		assert.True(t, IsCode(err, UserAuthFailed), err)
	})
	t.Run("too many devices is terminal", func(t *testing.T) {
		srv := newFakeServer(t)
		tok := srv.AddUser(1001, "alice", "pw")
		provisionReplies(srv, &xsync.Status{Code: xsync.StatusTooManyDevices})
		c, _ := newTestClient(t, srv, nil, nil)
		err := c.TokenLogin(ctxT(t), 1001, tok)
		assert.True(t, IsCode(err, UserTooManyDevice), err)
	})
}

func TestLoginContextCancelAbandons(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.Set(func() { srv.OnProvision = func(c *fsConn, p *xsync.Provision) bool { return true } }) // never answers
	c, _ := newTestClient(t, srv, nil, nil)
	ctx, cancel := lite.WithTimeout(lite.Background(), 50*lite.Millisecond)
	defer cancel()
	err := c.TokenLogin(ctx, 1001, tok)
	assert.True(t, IsCode(err, SignInTimeout), err)
	waitState(t, c, StateIdle)
	assert.False(t, c.IsLogin())
}

func TestLogout(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	st := NewMemoryStorage()
	c, rec := newTestClient(t, srv, st, nil)
	loginAs(t, c, 1001, tok)
	srv.SendText(1002, 1001, "hi")
	srv.AddUser(1002, "bob", "pw")
	rec.waitName(t, EventRosterMessage, 1)
	require.NotEmpty(t, c.Conversations())

	require.NoError(t, errOf(c.Logout(ctxT(t), LogoutOptions{})))
	rec.waitName(t, EventLogout, 1)
	assert.Equal(t, StateIdle, c.State())
	assert.False(t, c.IsLogin())
	assert.Empty(t, c.Conversations())
	assert.Empty(t, c.Messages(1002))
	_, ok := st.Get(keyToken)
	assert.False(t, ok, "logout disables auto-login")
	v, _ := st.Get(keyDeviceSN(1001))
	assert.Equal(t, "1", v, "the device identity survives logout")
	eventually(t, func() bool { return len(srv.Conns(1001)) == 0 }, "connection closed")

	_, err := c.PostMessage(Message{To: 1002, Content: "x"})
	assert.True(t, IsCode(err, UserNotLogin), err)
}

func TestLogoutQuitAllWeb(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	other, orec := newTestClient(t, srv, nil, nil)
	loginAs(t, other, 1001, tok)
	c, _ := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	otherSN := other.DeviceSN()
	require.NotEqual(t, otherSN, c.DeviceSN())

	require.NoError(t, errOf(c.Logout(ctxT(t), LogoutOptions{QuitAllWeb: true})))
	kicks := srv.HTTP.requests("/user/kick")
	require.Len(t, kicks, 1)
	assert.JSONEq(t, `{"device_sn":`+itoa(int(otherSN))+`}`, string(kicks[0].Body))
	se := orec.wait(t, "kicked", func(e Event) bool { _, ok := e.(SessionError); return ok }).(SessionError)
	assert.Equal(t, UserKickedByOtherDevices, se.Err.Code)
	waitState(t, other, StateIdle)
}

// logLines is a Logger keeping every line.
type logLines struct {
	mu    sync.Mutex
	lines []string // "level: msg"
}

func (l *logLines) Log(level LogLevel, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, string(level)+": "+msg)
}

// matching returns the lines containing substr.
func (l *logLines) matching(substr string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.lines {
		if strings.Contains(s, substr) {
			out = append(out, s)
		}
	}
	return out
}

// TestTerminalErrorIsLoggedOnce: a login that fails for good returns its
// error to the caller (and reports it in events); the log mentions it once,
// at info, so that a program printing both the error and warnings does
// not print it twice.
func TestTerminalErrorIsLoggedOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		login func(c *Client, tok string) error
		code  Code
	}{
		{"wrong password", func(c *Client, _ string) error { return c.Login(ctxT(t), "alice", "nope") }, UserAuthFailed},
		{"frozen at Provision", func(c *Client, tok string) error { return c.TokenLogin(ctxT(t), 1001, tok) }, UserFrozen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeServer(t)
			tok := srv.AddUser(1001, "alice", "pw")
			provisionReplies(srv, &xsync.Status{Code: xsync.StatusUserFrozen, Reason: "account frozen"})
			logs := &logLines{}
			c, _ := newTestClient(t, srv, nil, func(cfg *Config) {
				cfg.Logger, cfg.LogLevel = logs, LogDebug
			})
			err := tc.login(c, tok)
			require.True(t, IsCode(err, tc.code), err)
			msg := err.(*Error).Message
			assert.Equal(t, []string{"info: session: ended: " + err.Error()}, logs.matching(msg),
				"the error is logged once, at info")
			for _, l := range logs.matching("") {
				assert.False(t, strings.HasPrefix(l, "error:") || strings.HasPrefix(l, "warn:"), "unexpected: %s", l)
			}
		})
	}
}
