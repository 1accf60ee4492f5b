package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/fireplace"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// health fetches /api/health and decodes its body.
func health(t *testing.T, env *servertest.Env) (int, server.Health) {
	t.Helper()
	resp, body := send(t, "GET", env.URL+"/api/health", nil)
	assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	var h server.Health
	require.NoError(t, json.Unmarshal([]byte(body), &h), body)
	return resp.StatusCode, h
}

func TestHealthReportsDependencies(t *testing.T) {
	t.Run("healthy, no bus", func(t *testing.T) {
		env := servertest.Start(t)
		code, h := health(t, env)
		assert.Equal(t, http.StatusOK, code)
		assert.Equal(t, server.Health{Status: "ok", Database: server.ComponentHealth{Status: "ok"},
			Bus: server.ComponentHealth{Status: "in-process"}, Connections: &server.ConnectionCounts{}}, h)
		resp, body := send(t, "POST", env.URL+"/api/health", nil)
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, body)
	})
	t.Run("bus healthy", func(t *testing.T) {
		env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
			c.BusHealth = server.HealthFunc(func(context.Context) error { return nil })
		}))
		code, h := health(t, env)
		assert.Equal(t, http.StatusOK, code)
		assert.Equal(t, server.ComponentHealth{Status: "ok"}, h.Bus)
	})
	t.Run("bus failing", func(t *testing.T) {
		env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
			c.BusHealth = server.HealthFunc(func(context.Context) error { return errors.New("nats: no servers available") })
		}))
		code, h := health(t, env)
		assert.Equal(t, http.StatusServiceUnavailable, code)
		assert.Equal(t, "unavailable", h.Status)
		assert.Equal(t, server.ComponentHealth{Status: "ok"}, h.Database)
		assert.Equal(t, server.ComponentHealth{Status: "error", Error: "failed"}, h.Bus, "no detail leaks")
	})
	t.Run("bus hanging", func(t *testing.T) {
		env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
			c.BusHealth = server.HealthFunc(func(ctx context.Context) error {
				<-ctx.Done()
				return ctx.Err()
			})
		}))
		start := time.Now()
		code, h := health(t, env)
		assert.Less(t, time.Since(start), 5*time.Second, "the check is bounded")
		assert.Equal(t, http.StatusServiceUnavailable, code)
		assert.Equal(t, server.ComponentHealth{Status: "error", Error: "timeout"}, h.Bus)
	})
	t.Run("database closed", func(t *testing.T) {
		env := servertest.Start(t)
		require.NoError(t, env.Server.Store().Close())
		code, h := health(t, env)
		assert.Equal(t, http.StatusServiceUnavailable, code)
		assert.Equal(t, "unavailable", h.Status)
		assert.Equal(t, "error", h.Database.Status)
	})
}

// blockingStore holds the gateway's Append calls while armed, so a send is
// in flight when the test drains the server.
type blockingStore struct {
	fireplace.Store
	armed   atomic.Bool
	entered chan struct{} // receives once per held Append
	release chan struct{} // closed to let held Appends go on
}

func (b *blockingStore) Append(ctx context.Context, r *store.AppendRequest) (store.AppendResult, error) {
	if b.armed.Load() && r.Item.Chat {
		b.entered <- struct{}{}
		<-b.release
	}
	return b.Store.Append(ctx, r)
}

// TestDrain: Drain turns health to 503 "draining", refuses new WebSockets,
// answers the send being stored before closing its connection with 1001,
// closes idle connections with 1001 at once, keeps REST working, and
// returns once every connection is gone.
func TestHealthCountsConnections(t *testing.T) {
	env := servertest.Start(t)
	alice := env.NewUser(t, "alice")
	c := xsynctest.Dial(t, env.URL)
	c.Login(t, alice.Token, alice.ID, 0, "alice-phone")
	xsynctest.Dial(t, env.URL) // upgraded, never logged in
	// Counted at each request, not with the cached checks.
	require.Eventually(t, func() bool {
		_, h := health(t, env)
		return h.Connections != nil && *h.Connections == server.ConnectionCounts{Open: 2, Live: 1}
	}, 5*time.Second, 20*time.Millisecond)
}

func TestDrain(t *testing.T) {
	bs := &blockingStore{entered: make(chan struct{}, 1), release: make(chan struct{})}
	env := servertest.Start(t, servertest.WithGateway(func(d server.GatewayDeps) (server.Gateway, error) {
		cfg := d.FireplaceConfig()
		bs.Store = cfg.Store
		cfg.Store = bs
		return fireplace.New(cfg)
	}))
	alice := env.NewUser(t, "alice")
	bob := env.NewUser(t, "bob")
	busy := xsynctest.Dial(t, env.URL)
	busy.Login(t, alice.Token, alice.ID, 0, "alice-phone")
	idle := xsynctest.Dial(t, env.URL)
	idle.Login(t, bob.Token, bob.ID, 0, "bob-phone")
	unauth := xsynctest.Dial(t, env.URL) // upgraded, never logged in
	bs.armed.Store(true)
	released := false
	t.Cleanup(func() {
		if !released {
			close(bs.release)
		}
	})

	m := xsynctest.Text(bob.ID, "in flight")
	m.Id = busy.NextMID()
	m.From = &xsync.XID{Uid: uint64(alice.ID), DeviceSN: busy.SN}
	busy.Write(xsync.NewSyncFrame(&xsync.SyncUL{Meta: m}))
	<-bs.entered // the send is being stored

	drained := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() { drained <- env.Server.Drain(ctx) }()

	for _, c := range []*xsynctest.Client{idle, unauth} {
		code, err := c.WaitClosed(10 * time.Second)
		require.NoError(t, err)
		assert.Equal(t, websocket.CloseGoingAway, code, "an idle connection leaves at once")
	}
	code, h := health(t, env)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "draining", h.Status)
	assert.Equal(t, "ok", h.Database.Status)
	_, resp, err := websocket.DefaultDialer.Dial(xsynctest.WSURL(env.URL), nil)
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "no new WebSocket while draining")
	var profile map[string]any
	env.OK(t, "GET", "/user/profile", alice.Token, nil, &profile) // REST still served
	select {
	case err := <-drained:
		t.Fatalf("Drain returned with a send in flight: %v", err)
	case <-time.After(200 * time.Millisecond):
	}

	close(bs.release)
	released = true
	ack := busy.Ack(m.Id)
	require.Equal(t, xsync.StatusOK, ack.Status.Code, "the send in flight is answered before the close")
	assert.NotZero(t, ack.ServerMid)
	code2, err := busy.WaitClosed(10 * time.Second)
	require.NoError(t, err)
	assert.Equal(t, websocket.CloseGoingAway, code2)
	require.NoError(t, <-drained)
	assert.True(t, env.Server.Draining())
	_, err = env.Server.Store().Item(context.Background(), int64(ack.ServerMid))
	assert.NoError(t, err, "the acked message is stored")
}

// TestDrainTimeout: Drain gives up at its context's deadline when a
// connection is still busy, and Close then ends it.
func TestDrainTimeout(t *testing.T) {
	bs := &blockingStore{entered: make(chan struct{}, 1), release: make(chan struct{})}
	env := servertest.Start(t, servertest.WithGateway(func(d server.GatewayDeps) (server.Gateway, error) {
		cfg := d.FireplaceConfig()
		bs.Store = cfg.Store
		cfg.Store = bs
		return fireplace.New(cfg)
	}))
	alice := env.NewUser(t, "alice")
	bob := env.NewUser(t, "bob")
	c := xsynctest.Dial(t, env.URL)
	c.Login(t, alice.Token, alice.ID, 0, "alice-phone")
	bs.armed.Store(true)
	m := xsynctest.Text(bob.ID, "held")
	m.Id = c.NextMID()
	m.From = &xsync.XID{Uid: uint64(alice.ID), DeviceSN: c.SN}
	c.Write(xsync.NewSyncFrame(&xsync.SyncUL{Meta: m}))
	<-bs.entered

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, env.Server.Drain(ctx), context.DeadlineExceeded)
	code, h := health(t, env)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "draining", h.Status)
	close(bs.release)
	require.NoError(t, env.Server.Close())
	closed, err := c.WaitClosed(10 * time.Second)
	require.NoError(t, err)
	assert.Equal(t, websocket.CloseGoingAway, closed)
}
