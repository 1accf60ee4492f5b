package fireplace_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/ratel"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/xsync"
)

// sessionEnded waits for the unsolicited UnreadDL{INVALID_TOKEN} that ends
// a session whose token is gone, then for the connection to close.
func sessionEnded(t *testing.T, c *xsynctest.Client, reason string) {
	t.Helper()
	f, err := c.Take(10*time.Second, func(f *xsync.Frame) bool {
		if f.Command != xsync.CommandUnread {
			return false
		}
		dl, err := f.UnreadDL()
		return err == nil && dl.Status != nil && dl.Status.Code != xsync.StatusOK
	})
	require.NoError(t, err, "no INVALID_TOKEN notice")
	dl, _ := f.UnreadDL()
	requireStatus(t, dl.Status, xsync.StatusInvalidToken, reason)
	code, err := c.WaitClosed(10 * time.Second)
	require.NoError(t, err, "the connection is closed")
	assert.Equal(t, 1000, code)
}

func provisionCode(t *testing.T, h *harness, uid int64, token, guid string) xsync.StatusCode {
	t.Helper()
	c := xsynctest.Dial(t, h.env.URL)
	defer c.Close()
	reply := c.Provision(&xsync.Provision{Xid: &xsync.XID{Uid: uint64(uid)}, Token: token,
		OsType: xsync.OsWeb, DeviceGuid: guid})
	require.NotNil(t, reply.Status)
	return reply.Status.Code
}

// TestExpiredTokenEndsSession: a session used to outlive its token. Once
// the gateway clock passes the token's expiry, the next frame is not
// processed: the session gets INVALID_TOKEN and is closed.
func TestExpiredTokenEndsSession(t *testing.T) {
	t.Parallel()
	h := start(t)
	_, bob, a, b := h.duo(t)
	a.SendOK(xsynctest.Text(bob.ID, "while valid"))
	b.WaitNotice(a.UID)
	require.Len(t, b.SyncAll(a.UID), 1)
	last, err := h.store().LastItemID(t.Context())
	require.NoError(t, err)

	h.clock.Advance(30*24*time.Hour + time.Minute)
	m := xsynctest.Text(bob.ID, "after expiry")
	m.Id = a.NextMID()
	m.From = &xsync.XID{Uid: uint64(a.UID), DeviceSN: a.SN}
	a.Write(xsync.NewSyncFrame(&xsync.SyncUL{Meta: m}))
	sessionEnded(t, a, "token expired")
	after, err := h.store().LastItemID(t.Context())
	require.NoError(t, err)
	assert.Equal(t, last, after, "the send after expiry was not stored")
	assert.False(t, b.TakeNotice(a.UID, 200*time.Millisecond))

	// bob's session ends at its next frame (his heartbeat) as well.
	b.Write(xsync.NewUnreadFrame())
	sessionEnded(t, b, "token expired")
}

// TestTokenExpiryTimer: with nothing sent, the session still ends when its
// token expires (here after two seconds of real time).
func TestTokenExpiryTimer(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.TokenTTL = 2 * time.Second }))
	alice := env.NewUser(t, "alice")
	a := xsynctest.Dial(t, env.URL)
	a.Login(t, alice.Token, alice.ID, 0, "a")
	a.Unread()
	sessionEnded(t, a, "token expired")
}

// TestRevokedTokenEndsSession: POST /token/revoke (logout) ends the
// sessions on that token at once, the token answers 402 and is refused
// by Provision, and the device is unregistered; other devices are
// untouched.
func TestRevokedTokenEndsSession(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice := h.user(t, "alice")
	t1 := h.env.Login(t, alice.Name, alice.Password, "alice-1")
	t2 := h.env.Login(t, alice.Name, alice.Password, "alice-2")
	a1 := xsynctest.Dial(t, h.env.URL)
	a1.Login(t, t1.Token, alice.ID, 0, "alice-1")
	a2 := xsynctest.Dial(t, h.env.URL)
	a2.Login(t, t2.Token, alice.ID, 0, "alice-2")
	a1.Unread()
	a2.Unread()
	var devs []ratel.DeviceInfo
	h.env.OK(t, "GET", "/user/device/list", t2.Token, nil, &devs)
	require.Len(t, devs, 2)

	h.env.OK(t, "POST", "/token/revoke", t1.Token, nil, nil)
	sessionEnded(t, a1, "token revoked")
	code, _ := h.env.Do(t, "GET", "/user/profile", t1.Token, nil)
	assert.Equal(t, ratel.CodeTokenInvalid, code)
	assert.Equal(t, xsync.StatusInvalidToken, provisionCode(t, h, alice.ID, t1.Token, "alice-1"))

	h.env.OK(t, "GET", "/user/device/list", t2.Token, nil, &devs)
	require.Len(t, devs, 1, "the logged-out device no longer counts")
	assert.Equal(t, a2.SN, devs[0].DeviceSN)
	dl := a2.Unread()
	requireStatus(t, dl.Status, xsync.StatusOK)

	// A token issued without a device_guid names its device in device_sn.
	t3 := h.env.Login(t, alice.Name, alice.Password, "")
	a3 := xsynctest.Dial(t, h.env.URL)
	sn3 := a3.Login(t, t3.Token, alice.ID, 0, "alice-3")
	a3.Unread()
	h.env.OK(t, "POST", "/token/revoke", t3.Token, map[string]any{"device_sn": sn3}, nil)
	sessionEnded(t, a3, "token revoked")
	h.env.OK(t, "GET", "/user/device/list", t2.Token, nil, &devs)
	assert.Len(t, devs, 1)
	requireStatus(t, a2.Unread().Status, xsync.StatusOK)

	// Without a token there is nothing to revoke.
	resp, reply := h.env.DoRaw(t, "POST", "/token/revoke", "", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, ratel.CodeMissingToken, reply.Code)
}

// TestKickEndsSessionsOnRevokedTokens: kicking a device revokes the tokens
// of its installation; a session on one of them on another connection
// ends too.
func TestKickEndsSessionsOnRevokedTokens(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice := h.user(t, "alice")
	t1 := h.env.Login(t, alice.Name, alice.Password, "alice-1")
	t1b := h.env.Login(t, alice.Name, alice.Password, "alice-1") // same installation, second token
	t2 := h.env.Login(t, alice.Name, alice.Password, "alice-2")
	a1 := xsynctest.Dial(t, h.env.URL)
	sn1 := a1.Login(t, t1.Token, alice.ID, 0, "alice-1")
	other := xsynctest.Dial(t, h.env.URL)
	other.Login(t, t1b.Token, alice.ID, 0, "elsewhere") // a token of alice-1 used as another device
	a1.Unread()
	other.Unread()

	h.env.OK(t, "POST", "/user/kick", t2.Token, map[string]any{"device_sn": sn1}, nil)
	sessionEnded(t, other, "token revoked")
}
