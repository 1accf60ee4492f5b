package core

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLogoutRevokesToken: Logout asks the server to revoke the session's
// token, with that token and the deviceSN, once the session has ended.
func TestLogoutRevokesToken(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	loginAs(t, c, 1001, tok)
	sn := c.DeviceSN()
	require.NotZero(t, sn)

	var mu sync.Mutex
	var got []*HTTPRequest
	var stateAtRevoke State
	srv.HTTP.handle("POST /token/revoke", func(r *HTTPRequest) (*HTTPResponse, error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r)
		stateAtRevoke = c.State()
		return envelope(200, "", "true"), nil
	})
	_, err := c.Logout(ctxT(t), LogoutOptions{})
	require.NoError(t, err)
	rec.waitName(t, EventLogout, 1)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 1)
	assert.Equal(t, tok, got[0].Header["access-token"])
	assert.JSONEq(t, `{"device_sn":`+itoa(int(sn))+`}`, string(got[0].Body))
	assert.Equal(t, StateIdle, stateAtRevoke, "revoked once the session has ended")

	// Logging out again (no session) revokes nothing.
	_, err = c.Logout(ctxT(t), LogoutOptions{})
	require.NoError(t, err)
	assert.Len(t, got, 1)
}

// TestLogoutRevokeFailureIsHarmless: a revocation the server refuses (no
// such route, or 402 for a token already gone) does not fail the logout,
// and a 402 does not start a relogin.
func TestLogoutRevokeFailureIsHarmless(t *testing.T) {
	for _, reply := range []*HTTPResponse{nil, envelope(402, "token invalid", "null")} {
		srv := newFakeServer(t)
		tok := srv.AddUser(1001, "alice", "pw")
		if reply != nil {
			srv.HTTP.handle("POST /token/revoke", func(*HTTPRequest) (*HTTPResponse, error) { return reply, nil })
		}
		c, rec := newTestClient(t, srv, nil, nil)
		loginAs(t, c, 1001, tok)
		relogins := func() int {
			n := 0
			for _, e := range rec.named(EventFlooNotice) {
				if e.(FlooNotice).Desc == NoticeRelogin {
					n++
				}
			}
			return n
		}
		before := relogins()
		_, err := c.Logout(ctxT(t), LogoutOptions{})
		require.NoError(t, err)
		rec.waitName(t, EventLogout, 1)
		assert.Len(t, srv.HTTP.requests("/token/revoke"), 1, "tried")
		assert.False(t, c.IsLogin())
		assert.Equal(t, before, relogins(), "no relogin after logout")
	}
}
