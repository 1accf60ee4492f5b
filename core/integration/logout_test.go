//go:build !js

package integration

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/server/store"
)

// TestLogoutRevokesToken: after Logout the token no longer works anywhere
// (REST answers 402, a login with it fails) and the device no longer
// counts toward the user's devices; the user's other device is untouched.
func TestLogoutRevokesToken(t *testing.T) {
	env := startServer(t)
	alice := env.NewUser(t, "alice")
	c1 := newClient(t, env, clientOptions{})
	c1.login(t, alice)
	c2 := newClient(t, env, clientOptions{})
	c2.login(t, alice)
	tok, sn1 := c1.Token(), c1.DeviceSN()
	require.NotEmpty(t, tok)
	devices := func() []uint32 {
		t.Helper()
		_, data := env.Do(t, "GET", "/user/device/list", alice.Token, nil)
		var list []struct {
			DeviceSN uint32 `json:"device_sn"`
		}
		require.NoError(t, json.Unmarshal(data, &list))
		var out []uint32
		for _, d := range list {
			out = append(out, d.DeviceSN)
		}
		return out
	}
	assert.ElementsMatch(t, []uint32{sn1, c2.DeviceSN()}, devices())

	_, err := c1.Logout(ctxFor(t), core.LogoutOptions{})
	require.NoError(t, err)
	assert.Equal(t, core.StateIdle, c1.State())

	code, _ := env.Do(t, "GET", "/user/profile", tok, nil)
	assert.Equal(t, 402, code, "REST refuses the old token")
	_, err = env.Server.Store().LookupToken(context.Background(), store.HashToken(tok), 0)
	assert.ErrorIs(t, err, store.ErrNotFound, "gone from the store that Provision checks too")
	again := newClient(t, env, clientOptions{})
	err = again.TokenLogin(ctxFor(t), uint64(alice.ID), tok)
	assert.True(t, core.IsCode(err, core.InvalidToken), "got %v", err)
	assert.Equal(t, []uint32{c2.DeviceSN()}, devices(), "the logged-out device is unregistered")
	assert.Equal(t, core.StateConnected, c2.State())
}

// TestExpiredTokenRenewed: when the token of a live session expires, the
// server ends the session with INVALID_TOKEN; a client holding the password
// fetches a new token and logs in again by itself.
func TestExpiredTokenRenewed(t *testing.T) {
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.TokenTTL = 3 * time.Second }))
	alice := env.NewUser(t, "alice")
	c := newClient(t, env, clientOptions{})
	mark := c.rec.mark()
	c.login(t, alice)
	first := c.Token()
	ev := c.rec.wait(t, mark, "login again after the token expired", func(ev core.Event) bool {
		ls, ok := ev.(core.LoginSuccess)
		return ok && ls.Reconnect
	}).(core.LoginSuccess)
	assert.Equal(t, uint64(alice.ID), ev.UID)
	assert.NotEqual(t, first, c.Token(), "a new token")
	code, _ := env.Do(t, "GET", "/user/profile", first, nil)
	assert.Equal(t, 402, code)
}
