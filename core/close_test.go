package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

// TestCloseStopsEveryTimer checks that Close leaves no timer of the Clock
// armed, whatever the session was doing. On js/wasm an armed Go timer keeps
// a JavaScript timeout pending, which keeps Node alive after the
// application closed its last client (npm/test/exit.test.js checks that end
// to end). Each case first checks that the engine did arm a timer, so that
// the assertion after Close means something.
func TestCloseStopsEveryTimer(t *testing.T) {
	cases := []struct {
		name string
		// setup brings c into the state under test.
		setup func(t *testing.T, srv *FakeServer, c *Client, tok string)
		// armed reports whether the timer of that state is armed.
		armed func(srv *FakeServer) bool
	}{
		{
			name: "online, heartbeat armed",
			setup: func(t *testing.T, srv *FakeServer, c *Client, tok string) {
				loginAs(t, c, 1001, tok)
			},
			armed: deadlineWithin(50 * lite.Second),
		},
		{
			name: "heartbeat sent, liveness armed",
			setup: func(t *testing.T, srv *FakeServer, c *Client, tok string) {
				// No UNREAD is answered, the login's included: a late reply to it
				// would cancel the liveness timer this case wants to see.
				srv.Set(func() { srv.OnUnread = func(*fsConn) bool { return true } })
				loginAs(t, c, 1001, tok)
				eventually(t, func() bool { return len(srv.Uplinks(xsync.CommandUnread)) == 1 }, "login UNREAD")
				advance(t, srv, 50*lite.Second)
				eventually(t, func() bool { return len(srv.Uplinks(xsync.CommandUnread)) == 2 }, "heartbeat")
			},
			armed: deadlineWithin(20 * lite.Second),
		},
		{
			name: "provisioning, connect timeout armed",
			setup: func(t *testing.T, srv *FakeServer, c *Client, tok string) {
				srv.Set(func() { srv.OnProvision = func(*fsConn, *xsync.Provision) bool { return true } }) // no reply
				ctx := ctxT(t)
				go func() { _ = c.TokenLogin(ctx, 1001, tok) }()
				eventually(t, func() bool { return len(srv.Uplinks(xsync.CommandProvision)) == 1 }, "Provision sent")
			},
			armed: deadlineWithin(lite.Minute),
		},
		{
			name: "waiting to reconnect, retry armed",
			setup: func(t *testing.T, srv *FakeServer, c *Client, tok string) {
				loginAs(t, c, 1001, tok)
				srv.Set(func() { srv.DialHook = func(string) error { return errPipeClosed } })
				srv.Drop(1001)
				// The immediate retry fails; the next one waits for the backoff.
				eventually(t, func() bool { return len(srv.Dials()) == 2 }, "immediate retry")
				waitState(t, c, StateReconnecting)
			},
			armed: deadlineWithin(lite.Second),
		},
		{
			name: "logged out",
			setup: func(t *testing.T, srv *FakeServer, c *Client, tok string) {
				loginAs(t, c, 1001, tok)
				require.NoError(t, errOf(c.Logout(ctxT(t), LogoutOptions{})))
			},
			armed: nil, // logout itself stops the heartbeat
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeServer(t)
			tok := srv.AddUser(1001, "alice", "pw")
			c, _ := newTestClient(t, srv, nil, nil)
			tc.setup(t, srv, c, tok)
			if tc.armed != nil {
				eventually(t, func() bool { return tc.armed(srv) }, "the timer of the state under test")
			} else {
				waitIdle(t, c)
				assert.Zero(t, srv.Clock.armedTimers(), "timers armed after logout")
			}
			require.NoError(t, c.Close())
			assert.Zero(t, srv.Clock.armedTimers(), "timers armed after Close")
			assert.Equal(t, StateClosed, c.State())
		})
	}
}

// deadlineWithin reports whether some timer of the server's clock is armed
// to fire within d.
func deadlineWithin(d lite.Duration) func(srv *FakeServer) bool {
	return func(srv *FakeServer) bool {
		when, ok := srv.Clock.nextDeadline()
		return ok && !when.After(srv.Clock.Now().Add(d))
	}
}
