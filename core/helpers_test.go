package core

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

// waitFor bounds every asynchronous expectation of the tests.
const waitFor = 10 * time.Second

// recorder collects the events of a client, in delivery order.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func record(c *Client) *recorder {
	r := &recorder{}
	c.OnEvent(func(e Event) {
		r.mu.Lock()
		r.events = append(r.events, e)
		r.mu.Unlock()
	})
	return r
}

func (r *recorder) all() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

func (r *recorder) named(name string) []Event {
	var out []Event
	for _, e := range r.all() {
		if e.EventName() == name {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) count(name string) int { return len(r.named(name)) }

// wait blocks until an event matching pred was recorded and returns the
// first such event.
func (r *recorder) wait(t testing.TB, what string, pred func(Event) bool) Event {
	t.Helper()
	var found Event
	require.Eventually(t, func() bool {
		for _, e := range r.all() {
			if pred(e) {
				found = e
				return true
			}
		}
		return false
	}, waitFor, time.Millisecond, "waiting for %s", what)
	return found
}

// waitName waits for the n-th event called name (n counts from 1).
func (r *recorder) waitName(t testing.TB, name string, n int) Event {
	t.Helper()
	var found Event
	require.Eventually(t, func() bool {
		ev := r.named(name)
		if len(ev) >= n {
			found = ev[n-1]
			return true
		}
		return false
	}, waitFor, time.Millisecond, "waiting for %d× %s", n, name)
	return found
}

// eventually is require.Eventually with the test defaults.
func eventually(t testing.TB, cond func() bool, what string) {
	t.Helper()
	require.Eventually(t, cond, waitFor, time.Millisecond, what)
}

// newTestClient creates a client wired to srv. mod may adjust the config.
func newTestClient(t testing.TB, srv *FakeServer, storage Storage, mod func(*Config)) (*Client, *recorder) {
	t.Helper()
	if storage == nil {
		storage = NewMemoryStorage()
	}
	cfg := Config{
		AppID:     fakeAppID,
		DNSServer: fakeDNSURL,
		Dialer:    srv.Dialer(),
		HTTP:      srv.HTTP,
		Clock:     srv.Clock,
		Storage:   storage,
		// Deterministic backoff for tests: fixed Min after the first retry.
		Reconnect: &JitterBackoff{Min: lite.Second, Max: lite.Second},
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	rec := record(c)
	t.Cleanup(func() { c.Close() })
	return c, rec
}

func ctxT(t testing.TB) lite.Context {
	ctx, cancel := lite.WithTimeout(lite.Background(), lite.Duration(waitFor))
	t.Cleanup(cancel)
	return ctx
}

// loginAs logs c in as uid with the server's token for name.
func loginAs(t testing.TB, c *Client, uid uint64, token string) {
	t.Helper()
	require.NoError(t, c.TokenLogin(ctxT(t), uid, token))
	require.Equal(t, StateConnected, c.State())
}

// waitState waits until c reaches state s.
func waitState(t testing.TB, c *Client, s State) {
	t.Helper()
	eventually(t, func() bool { return c.State() == s }, "state "+string(s))
}

// waitIdle waits until the engine has processed everything posted so far
// and the frames it had already received.
func waitIdle(t testing.TB, c *Client) {
	t.Helper()
	_, err := c.PendingSends(ctxT(t))
	require.NoError(t, err)
}

// advance moves the fake clock once the engine has armed a timer due within
// d, so that Advance never races the arming.
func advance(t testing.TB, srv *FakeServer, d lite.Duration) {
	t.Helper()
	target := srv.Clock.Now().Add(d)
	eventually(t, func() bool {
		when, ok := srv.Clock.nextDeadline()
		return ok && !when.After(target)
	}, "a timer due within "+millis(d))
	srv.Clock.Advance(d)
}

func textBody(text string) *xsync.MessageBody {
	return &xsync.MessageBody{Type: xsync.MsgChat, Ctype: xsync.CTypeText, Content: text}
}

// msgEvents returns the messages of RosterMessage and GroupMessage events.
func msgEvents(r *recorder) []Message {
	var out []Message
	for _, e := range r.all() {
		switch v := e.(type) {
		case RosterMessage:
			out = append(out, v.Message)
		case GroupMessage:
			out = append(out, v.Message)
		}
	}
	return out
}

// errOf returns the error of a call that also returns a value.
func errOf[T any](_ T, err error) error { return err }
