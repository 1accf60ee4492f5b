//go:build !js

package integration

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
)

func TestLoginWithNameIDAndToken(t *testing.T) {
	env := startServer(t)
	alice := env.NewUser(t, "alice")
	uid := uint64(alice.ID)

	byName := newClient(t, env, clientOptions{})
	mark := byName.rec.mark()
	byName.login(t, alice)
	ev := byName.rec.wait(t, mark, "loginSuccess", func(ev core.Event) bool {
		_, ok := ev.(core.LoginSuccess)
		return ok
	}).(core.LoginSuccess)
	assert.Equal(t, uid, ev.UID)
	assert.False(t, ev.Reconnect)
	assert.NotZero(t, ev.DeviceSN, "the server assigns a deviceSN")
	assert.True(t, byName.IsLogin())
	assert.NotEmpty(t, byName.Token())
	ratel, fireplace, _ := byName.Servers()
	assert.Equal(t, env.URL, ratel, "ratel host from the DNS reply")
	assert.Equal(t, "ws"+env.URL[len("http"):], fireplace)

	byID := newClient(t, env, clientOptions{})
	require.NoError(t, byID.IDLogin(ctxFor(t), uid, alice.Password))
	assert.Equal(t, core.StateConnected, byID.State())
	assert.Equal(t, uid, byID.UID())

	byToken := newClient(t, env, clientOptions{})
	require.NoError(t, byToken.TokenLogin(ctxFor(t), uid, alice.Token))
	assert.Equal(t, core.StateConnected, byToken.State())

	// Three installations are three devices.
	sns := map[uint32]bool{byName.DeviceSN(): true, byID.DeviceSN(): true, byToken.DeviceSN(): true}
	assert.Len(t, sns, 3)

	// A wrong password fails for good, with the official loginFail event.
	bad := newClient(t, env, clientOptions{})
	mark = bad.rec.mark()
	err := bad.Login(ctxFor(t), alice.Name, "wrong")
	require.Error(t, err)
	assert.True(t, core.IsCode(err, core.UserAuthFailed), "got %v", err)
	fail := bad.rec.wait(t, mark, "loginFail", func(ev core.Event) bool {
		_, ok := ev.(core.LoginFail)
		return ok
	}).(core.LoginFail)
	assert.Contains(t, fail.Reason, core.LoginFailTokenPrefix)
	assert.Equal(t, core.StateIdle, bad.State())
	assert.False(t, bad.IsLogin())
}

// TestAutoLoginFromStorage restarts a client on the storage directory of a
// previous run: it logs in by itself, as the same device.
func TestAutoLoginFromStorage(t *testing.T) {
	env := startServer(t)
	alice := env.NewUser(t, "alice")
	first := newClient(t, env, clientOptions{})
	first.login(t, alice)
	sn := first.DeviceSN()
	require.NoError(t, first.Close(), "Close keeps the session stored")

	v, ok := first.store.Get("floo.uid")
	require.True(t, ok, "the session is in the storage file")
	assert.Equal(t, uint64(alice.ID), parseUint(t, v))

	again := newClient(t, env, clientOptions{dir: first.dir, autoLogin: true})
	ev := again.rec.wait(t, 0, "auto-login", func(ev core.Event) bool {
		_, ok := ev.(core.LoginSuccess)
		return ok
	}).(core.LoginSuccess)
	assert.Equal(t, uint64(alice.ID), ev.UID)
	assert.Equal(t, sn, ev.DeviceSN, "deviceSN and device_guid persist across restarts (PROTOCOL.md §4.1)")
	assert.Equal(t, core.StateConnected, again.State())

	// It works: a message from bob arrives.
	bob := env.NewUser(t, "bob")
	b := newClient(t, env, clientOptions{})
	b.login(t, bob)
	mark := again.rec.mark()
	_, err := b.SendMessage(ctxFor(t), text(alice.ID, "welcome back"))
	require.NoError(t, err)
	again.waitContent(t, mark, bob.ID, "welcome back")

	// Logout forgets the stored token: the next start stays logged out.
	res, err := again.Logout(ctxFor(t), core.LogoutOptions{})
	require.NoError(t, err)
	assert.Empty(t, res.Unknown)
	_, ok = again.store.Get("floo.token")
	assert.False(t, ok)
	assert.Equal(t, core.StateIdle, again.State())
}

// With EagerDNS, creating the client is enough for IsReady (JSAPI.md §2:
// flooim() starts the lookup); without it DNS waits for the first call.
func TestEagerDNS(t *testing.T) {
	env := startServer(t)
	eager := newClient(t, env, clientOptions{eagerDNS: true})
	lazy := newClient(t, env, clientOptions{})
	deadline := time.Now().Add(waitTimeout)
	for !eager.IsReady() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	require.True(t, eager.IsReady(), "DNS looked up without any call")
	ratel, _, _ := eager.Servers()
	assert.Equal(t, env.URL, ratel)
	assert.False(t, lazy.IsReady(), "no lookup before the first call")

	alice := env.NewUser(t, "alice")
	eager.login(t, alice)
}
