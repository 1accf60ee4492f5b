package integration

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/native"
	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/bus"
	"github.com/flooim/floo/server/bus/natstest"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/server/store/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// waitTimeout bounds every wait; a passing run waits for events only. It
// stays well under the clients' 50 s heartbeat, so a delivery the bus
// failed to wake cannot pass by way of the heartbeat.
const waitTimeout = 20 * time.Second

// cluster is two nodes on one database and one NATS server.
type cluster struct {
	nats *natstest.Server
	a, b *servertest.Env
}

// startCluster starts NATS and two nodes (a and b). pgtest skips the test
// when PostgreSQL is not installed (outside CI).
func startCluster(t *testing.T) *cluster {
	t.Helper()
	url := pgtest.NewDatabase(t)
	ns := natstest.Start(t)
	node := func() *servertest.Env {
		nb, err := bus.NewNATS(bus.NATSOptions{URL: ns.URL, ReconnectWait: 20 * time.Millisecond,
			Logger: slog.New(slog.NewTextHandler(tWriter{t}, nil))})
		require.NoError(t, err)
		return servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
			c.Database = url
			c.Bus = nb
			c.Fireplace.SendRate = -1
		}))
	}
	return &cluster{nats: ns, a: node(), b: node()}
}

// tWriter sends the bus's log lines to the test log.
type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// recorder keeps every event a client emitted and lets tests wait for one.
type recorder struct {
	mu   sync.Mutex
	evs  []core.Event  // guarded by mu
	wake chan struct{} // guarded by mu; closed and replaced on every event
}

func (r *recorder) add(ev core.Event) {
	r.mu.Lock()
	r.evs = append(r.evs, ev)
	close(r.wake)
	r.wake = make(chan struct{})
	r.mu.Unlock()
}

// mark returns the number of events so far, to wait for later ones only.
func (r *recorder) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.evs)
}

// wait waits for an event from index from on that satisfies pred.
func (r *recorder) wait(t testing.TB, from int, what string, pred func(core.Event) bool) core.Event {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for next := from; ; {
		r.mu.Lock()
		for ; next < len(r.evs); next++ {
			if pred(r.evs[next]) {
				ev := r.evs[next]
				r.mu.Unlock()
				return ev
			}
		}
		wake := r.wake
		r.mu.Unlock()
		select {
		case <-wake:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s; last events:\n%s", what, r.dump(10))
		}
	}
}

func (r *recorder) dump(n int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, ev := range r.evs[max(0, len(r.evs)-n):] {
		fmt.Fprintf(&b, "  %s %+v\n", ev.EventName(), ev)
	}
	return b.String()
}

// client is a native SDK client with its events recorded.
type client struct {
	*core.Client
	rec  *recorder
	http *native.HTTP
	dir  string
}

// newClient creates a client of node env; dir is its storage directory
// ("" = a fresh one). It is closed when the test ends.
func newClient(t testing.TB, env *servertest.Env, dir string) *client {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	c := &client{rec: &recorder{wake: make(chan struct{})}, http: &native.HTTP{}, dir: dir}
	cfg, err := native.Defaults(core.Config{
		AppID:          env.AppID,
		DNSServer:      env.URL + "/v2/app_dns",
		LogLevel:       core.LogWarn,
		RequestTimeout: 10 * time.Second,
		ConnectTimeout: 5 * time.Second,
		SendTimeout:    waitTimeout,
		ReconnectMin:   20 * time.Millisecond,
		ReconnectMax:   200 * time.Millisecond,
		HTTP:           c.http,
	}, dir)
	require.NoError(t, err)
	c.Client, err = core.New(cfg)
	require.NoError(t, err)
	c.OnEvent(c.rec.add)
	t.Cleanup(func() {
		c.Close()
		c.http.CloseIdleConnections()
	})
	return c
}

// login logs c in as u.
func (c *client) login(t testing.TB, u servertest.User) {
	t.Helper()
	require.NoError(t, c.Login(ctxFor(t), u.Name, u.Password))
	require.Equal(t, uint64(u.ID), c.UID())
	require.Equal(t, core.StateConnected, c.State())
}

// copyStorage returns a new storage directory holding c's storage: a
// client on it is the same device (same device_guid).
func (c *client) copyStorage(t testing.TB) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(c.dir, native.StorageFile))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, native.StorageFile), raw, 0o600))
	return dir
}

func messageOf(ev core.Event) (core.Message, bool) {
	switch e := ev.(type) {
	case core.RosterMessage:
		return e.Message, true
	case core.GroupMessage:
		return e.Message, true
	}
	return core.Message{}, false
}

// waitContent waits for a live message with the given sender and content.
func (c *client) waitContent(t testing.TB, from int, sender int64, content string) core.Message {
	t.Helper()
	ev := c.rec.wait(t, from, "message "+content, func(ev core.Event) bool {
		m, ok := messageOf(ev)
		return ok && m.From == uint64(sender) && m.Content == content && !m.IsHistory
	})
	m, _ := messageOf(ev)
	return m
}

// contents returns the contents of the live messages from sender seen
// since index from, in order.
func (c *client) contents(from int, sender int64) []string {
	c.rec.mu.Lock()
	defer c.rec.mu.Unlock()
	var out []string
	for _, ev := range c.rec.evs[from:] {
		if m, ok := messageOf(ev); ok && m.From == uint64(sender) && !m.IsHistory {
			out = append(out, m.Content)
		}
	}
	return out
}

func text(to int64, content string) core.Message {
	return core.Message{To: uint64(to), Content: content}
}
