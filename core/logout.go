package core

import (
	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

// logoutRevokeTimeout bounds the token revocation of a logout.
const logoutRevokeTimeout = 5 * lite.Second

// revokeToken makes a logout revoke the session's token on the server
// (POST /token/revoke, an extension of the reference server described in
// server/README.md "Project extensions"): a copy of the token stops
// working at once instead of 30 days later, and the device no longer counts
// toward the user's device limit.
//
// Logout defers it with the token and deviceSN it started with, so it runs
// once the session has ended and its connection is closed: the
// INVALID_TOKEN the server sends to sessions on a revoked token then
// reaches no live session (one holding credentials would answer it by
// fetching a new token). It is best effort: bounded by logoutRevokeTimeout
// and ctx, and a failure (no network, a server without the route) is
// logged, never returned. Without a token it does nothing.
func (c *Client) revokeToken(ctx lite.Context, token string, sn uint32) {
	if token == "" {
		return
	}
	// A token issued without a device_guid cannot name its device: the
	// deviceSN does.
	var w jsonv.Writer
	w.BeginObject()
	if sn != 0 {
		w.Key("device_sn")
		w.Uint(uint64(sn))
	}
	w.EndObject()
	ctx, cancel := lite.WithTimeout(ctx, logoutRevokeTimeout)
	defer cancel()
	// As a token endpoint: a 402 here (the token is already gone) must not
	// start the relogin of a session that no longer exists.
	_, err := c.rest.callToken(ctx, RESTRequest{Method: "POST", Path: "/token/revoke", Body: w.Bytes()}, true, token)
	if err != nil {
		c.log.info("logout: token not revoked on the server: " + err.Error())
	}
}
