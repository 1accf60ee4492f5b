//go:build !js

package integration

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/native"
	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/fireplace"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/xsync"
)

// waitTimeout bounds every wait of the tests. It is generous for loaded CI
// machines; a passing run waits for events, never for this.
const waitTimeout = 30 * time.Second

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// startServer runs the reference server with its send rate limit off, so
// that the tests of other things do not depend on the client's pacing
// staying under it; TestQueuedOutboxUnderTheServerLimit keeps the limit.
func startServer(t testing.TB) *servertest.Env {
	t.Helper()
	return startServerWith(t, nil)
}

// startServerWith is startServer with a hook to change the gateway's
// configuration further.
func startServerWith(t testing.TB, adjust func(*fireplace.Config)) *servertest.Env {
	t.Helper()
	return servertest.Start(t, servertest.WithGateway(func(d server.GatewayDeps) (server.Gateway, error) {
		cfg := fireplace.Config{Store: d.Store, Logger: d.Logger, Now: d.Now, SendRate: -1}
		if adjust != nil {
			adjust(&cfg)
		}
		return fireplace.New(cfg)
	}))
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
	at   []time.Time   // guarded by mu; when each event was dispatched
	wake chan struct{} // guarded by mu; closed and replaced on every event
}

func newRecorder() *recorder { return &recorder{wake: make(chan struct{})} }

func (r *recorder) add(ev core.Event) {
	r.mu.Lock()
	r.evs = append(r.evs, ev)
	r.at = append(r.at, time.Now())
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

// time returns when event i was dispatched.
func (r *recorder) time(i int) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.at[i]
}

// events returns a copy of the events from index from on.
func (r *recorder) events(from int) []core.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]core.Event(nil), r.evs[from:]...)
}

// waitN waits until n events from index from on satisfy pred and returns
// them in order.
func (r *recorder) waitN(t testing.TB, from, n int, what string, pred func(core.Event) bool) []core.Event {
	t.Helper()
	idx := r.waitIndexes(t, from, n, what, pred)
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]core.Event, len(idx))
	for i, j := range idx {
		out[i] = r.evs[j]
	}
	return out
}

// waitIndexes is waitN returning the indexes of the events.
func (r *recorder) waitIndexes(t testing.TB, from, n int, what string, pred func(core.Event) bool) []int {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	var found []int
	next := from
	for {
		r.mu.Lock()
		for ; next < len(r.evs); next++ {
			if pred(r.evs[next]) {
				found = append(found, next)
			}
		}
		wake := r.wake
		r.mu.Unlock()
		if len(found) >= n {
			return found[:n]
		}
		select {
		case <-wake:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s: %d of %d seen; last events:\n%s", what, len(found), n, r.dump(10))
		}
	}
}

// wait waits for one event from index from on that satisfies pred.
func (r *recorder) wait(t testing.TB, from int, what string, pred func(core.Event) bool) core.Event {
	t.Helper()
	return r.waitN(t, from, 1, what, pred)[0]
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

// gateDialer wraps the native Dialer so tests can hold new connections
// back (an outage as the client sees it) and make a connection swallow
// what it reads (acks lost on the way).
type gateDialer struct {
	d native.Dialer

	mu   sync.Mutex
	gate chan struct{} // guarded by mu; nil when open, else closed by open

	dropInbound atomic.Bool
	dials       atomic.Int64 // dial attempts that went through the gate
	refusals    atomic.Int64 // send results with a non-OK status received
	// tap, when set, stamps the frames read and written (BenchmarkPingPong).
	tap atomic.Pointer[frameStamps]
}

// block makes later dials wait until open.
func (g *gateDialer) block() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gate == nil {
		g.gate = make(chan struct{})
	}
}

// open releases the waiting and later dials.
func (g *gateDialer) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gate != nil {
		close(g.gate)
		g.gate = nil
	}
}

func (g *gateDialer) Dial(ctx context.Context, url string) (core.Conn, error) {
	g.mu.Lock()
	gate := g.gate
	g.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	g.dials.Add(1)
	c, err := g.d.Dial(ctx, url)
	if err != nil {
		return nil, err
	}
	return &tapConn{Conn: c, g: g}, nil
}

// tapConn drops inbound messages while its dialer says so; errors always
// pass, so a dropped connection is still noticed.
type tapConn struct {
	core.Conn
	g *gateDialer
}

func (c *tapConn) Read(ctx context.Context) ([]byte, error) {
	for {
		b, err := c.Conn.Read(ctx)
		if err == nil {
			if tap := c.g.tap.Load(); tap != nil {
				tap.frame(b, true, time.Now())
			}
			c.countRefusal(b)
		}
		if err != nil || !c.g.dropInbound.Load() {
			return b, err
		}
	}
}

func (c *tapConn) Write(ctx context.Context, b []byte) error {
	if tap := c.g.tap.Load(); tap != nil {
		tap.frame(b, false, time.Now())
	}
	return c.Conn.Write(ctx, b)
}

// countRefusal counts a send result whose status is not OK.
func (c *tapConn) countRefusal(b []byte) {
	f, err := xsync.DecodeFrame(b)
	if err != nil || f.Command != xsync.CommandSync {
		return
	}
	dl, err := f.SyncDL()
	if err == nil && dl.ClientMid > 0 && !dl.IsFullSync && dl.Status != nil && dl.Status.Code != xsync.StatusOK {
		c.g.refusals.Add(1)
	}
}

// testLogger sends the engine's log lines to the test log.
type testLogger struct{ t testing.TB }

func (l testLogger) Log(level core.LogLevel, msg string) { l.t.Logf("[%s] %s", level, msg) }

// client is a core.Client on the native transports, with its events
// recorded.
type client struct {
	*core.Client
	rec    *recorder
	dialer *gateDialer
	http   *native.HTTP
	store  *native.FileStorage
	dir    string
}

type clientOptions struct {
	dir       string // storage directory; "" means a fresh one
	autoLogin bool
	eagerDNS  bool
	logLevel  core.LogLevel // "" means info
	// localStore gives the client the native local store in dir
	// (store.db), and holdDial keeps its dials waiting until
	// c.dialer.open (localstore_test.go).
	localStore bool
	holdDial   bool
	store      core.LocalStore // used as the local store when not nil
	sendRate   int             // Config.SendRate and SendBurst; 0: the defaults
}

// newClient creates a client of env with its own storage directory; it is
// closed when the test ends.
func newClient(t testing.TB, env *servertest.Env, opts clientOptions) *client {
	t.Helper()
	dir := opts.dir
	if dir == "" {
		dir = t.TempDir()
	}
	c := &client{rec: newRecorder(), dialer: &gateDialer{}, http: &native.HTTP{}, dir: dir}
	level := opts.logLevel
	if level == "" {
		level = core.LogInfo
	}
	cfg, err := native.Defaults(core.Config{
		AppID:          env.AppID,
		DNSServer:      env.URL + "/v2/app_dns",
		AutoLogin:      opts.autoLogin,
		EagerDNS:       opts.eagerDNS,
		LogLevel:       level,
		Logger:         testLogger{t},
		RequestTimeout: 10 * time.Second,
		ConnectTimeout: 5 * time.Second,
		SendTimeout:    waitTimeout,
		ReconnectMin:   20 * time.Millisecond,
		ReconnectMax:   200 * time.Millisecond,
		Dialer:         c.dialer,
		HTTP:           c.http,
	}, dir)
	require.NoError(t, err)
	c.store = cfg.Storage.(*native.FileStorage)
	cfg.LocalStore = opts.store
	cfg.SendRate, cfg.SendBurst = opts.sendRate, opts.sendRate
	if opts.localStore {
		ls := native.NewSQLiteStore(filepath.Join(dir, "store.db"))
		cfg.LocalStore = ls
		t.Cleanup(func() { ls.Close() }) // after the client's Close below
	}
	// With auto-login the engine starts at once: hold the connection back
	// until the recorder listens, so that no event can be missed.
	if opts.autoLogin || opts.holdDial {
		c.dialer.block()
	}
	c.Client, err = core.New(cfg)
	require.NoError(t, err)
	c.OnEvent(c.rec.add)
	if !opts.holdDial {
		c.dialer.open()
	}
	t.Cleanup(func() {
		c.Close()
		c.http.CloseIdleConnections()
	})
	return c
}

// login logs c in as u with name and password.
func (c *client) login(t testing.TB, u servertest.User) {
	t.Helper()
	require.NoError(t, c.Login(ctxFor(t), u.Name, u.Password))
	require.Equal(t, uint64(u.ID), c.UID())
	require.Equal(t, core.StateConnected, c.State())
}

// messageOf returns the chat message carried by ev, if any.
func messageOf(ev core.Event) (core.Message, bool) {
	switch e := ev.(type) {
	case core.RosterMessage:
		return e.Message, true
	case core.GroupMessage:
		return e.Message, true
	}
	return core.Message{}, false
}

// waitMessage waits for a chat message event from index from on that
// satisfies pred.
func (c *client) waitMessage(t testing.TB, from int, what string, pred func(core.Message) bool) core.Message {
	t.Helper()
	ev := c.rec.wait(t, from, what, func(ev core.Event) bool {
		m, ok := messageOf(ev)
		return ok && pred(m)
	})
	m, _ := messageOf(ev)
	return m
}

// waitContent waits for a message with the given sender and content.
func (c *client) waitContent(t testing.TB, from int, sender int64, content string) core.Message {
	t.Helper()
	return c.waitMessage(t, from, "message "+content, func(m core.Message) bool {
		return m.From == uint64(sender) && m.Content == content && !m.IsHistory
	})
}

// received returns the contents of the live (non-history) messages from
// sender seen since index from, in order.
func (c *client) received(from int, sender int64) []core.Message {
	var out []core.Message
	for _, ev := range c.rec.events(from) {
		if m, ok := messageOf(ev); ok && m.From == uint64(sender) && !m.IsHistory {
			out = append(out, m)
		}
	}
	return out
}

func isSent(cmid uint64) func(core.Event) bool {
	return func(ev core.Event) bool {
		s, ok := ev.(core.SendingStatus)
		return ok && s.Mid == cmid && s.Status == core.SendStatusSent
	}
}

func text(to int64, content string) core.Message {
	return core.Message{To: uint64(to), Content: content}
}
