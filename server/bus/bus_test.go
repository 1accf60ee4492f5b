package bus_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/bus"
	"github.com/flooim/floo/server/bus/natstest"
)

const waitTimeout = 10 * time.Second

func TestCodecRoundTrip(t *testing.T) {
	evs := []bus.Event{
		{Kind: bus.Wake, Node: 1<<64 - 1, UID: 42, Stream: 9007199254740991, SN: 3, TargetSN: 7},
		{Kind: bus.Transient, UID: -1, Stream: 5, At: 1700000000000, Data: []byte{0, 1, 2, 0xff}},
		{Kind: bus.Kick, UID: 8, Type: -2147483648, Data: []byte(`{"device_sn":2}`)},
		{Kind: bus.Login, UID: 8, SN: 4294967295, At: -5},
		{Kind: bus.Revoke, UID: 1},
	}
	for _, ev := range evs {
		got, err := bus.Decode(bus.Encode(ev))
		require.NoError(t, err)
		assert.Equal(t, ev, got)
	}
	wake := bus.Encode(bus.Event{Kind: bus.Wake, Node: 1 << 62, UID: 1 << 40, Stream: 1 << 40, SN: 2})
	assert.LessOrEqual(t, len(wake), 32, "a wake-up stays small")

	for _, bad := range [][]byte{nil, {1}, {2, 1, 0}, {1, 0}, {1, 1, 0x80}, {1, 1, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x10, 0, 0, 0}} {
		_, err := bus.Decode(bad)
		assert.Error(t, err, "%x", bad)
	}
}

// recorder is a bus.Handler that keeps what it was given.
type recorder struct {
	mu      sync.Mutex
	evs     []bus.Event
	resyncs int
	online  map[int64][]uint32
	wake    chan struct{}
}

func newRecorder() *recorder {
	return &recorder{online: map[int64][]uint32{}, wake: make(chan struct{}, 1)}
}

func (r *recorder) Deliver(ev bus.Event) {
	r.mu.Lock()
	ev.Data = slices.Clone(ev.Data)
	r.evs = append(r.evs, ev)
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) Resync() {
	r.mu.Lock()
	r.resyncs++
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) Online(uid int64) []uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.online[uid])
}

func (r *recorder) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// waitFor waits until cond holds on the recorder's state.
func (r *recorder) waitFor(t *testing.T, what string, cond func(evs []bus.Event, resyncs int) bool) {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		r.mu.Lock()
		ok := cond(r.evs, r.resyncs)
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.wake:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (r *recorder) events() []bus.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.evs)
}

func uids(evs []bus.Event) []int64 {
	var out []int64
	for _, ev := range evs {
		out = append(out, ev.UID)
	}
	return out
}

// exercise runs the behaviour both buses share on three nodes of b.
func exercise(t *testing.T, join func(bus.Handler) bus.Node) {
	ra, rb, rc := newRecorder(), newRecorder(), newRecorder()
	a, b, c := join(ra), join(rb), join(rc)
	ctx := context.Background()

	// b watches user 1, c users 1 and 2; a publishes for 1, 2 and 3.
	b.Watch(1)
	c.Watch(1)
	c.Watch(2)
	c.Watch(2)
	c.Unwatch(2) // still one Watch of 2 left
	b.Sync(ctx)
	c.Sync(ctx)
	for i := range 5 {
		a.Publish(bus.Event{Kind: bus.Wake, UID: 1, Stream: int64(100 + i)})
	}
	a.Publish(bus.Event{Kind: bus.Transient, UID: 2, Stream: 7, At: 99, Data: []byte("typing")})
	a.Publish(bus.Event{Kind: bus.Kick, UID: 3, Type: 1})
	rb.waitFor(t, "five wake-ups on b", func(evs []bus.Event, _ int) bool { return len(evs) >= 5 })
	rc.waitFor(t, "six events on c", func(evs []bus.Event, _ int) bool { return len(evs) >= 6 })

	evs := rb.events()
	assert.Equal(t, []int64{1, 1, 1, 1, 1}, uids(evs), "b hears only of the user it watches")
	for i, ev := range evs {
		assert.Equal(t, int64(100+i), ev.Stream, "in the order published")
		assert.Equal(t, a.ID(), ev.Node)
	}
	evs = rc.events()
	require.Len(t, evs, 6)
	assert.Equal(t, bus.Event{Kind: bus.Transient, Node: a.ID(), UID: 2, Stream: 7, At: 99, Data: []byte("typing")}, evs[5])
	assert.Empty(t, ra.events(), "a publisher does not hear itself")

	// Presence: each node answers for its own devices; a node never asks
	// itself.
	rb.mu.Lock()
	rb.online[1] = []uint32{4, 5}
	rb.mu.Unlock()
	rc.mu.Lock()
	rc.online[1] = []uint32{6}
	rc.mu.Unlock()
	got := a.Online(ctx, 1)
	slices.Sort(got)
	assert.Equal(t, []uint32{4, 5, 6}, got)
	assert.Equal(t, []uint32{6}, b.Online(ctx, 1))
	assert.Empty(t, a.Online(ctx, 3), "nobody watches user 3")

	// Once c unwatches user 2, events for it stop reaching c.
	c.Unwatch(2)
	c.Sync(ctx)
	n := len(rc.events())
	a.Publish(bus.Event{Kind: bus.Wake, UID: 2, Stream: 1})
	a.Publish(bus.Event{Kind: bus.Wake, UID: 1, Stream: 2})
	rc.waitFor(t, "the wake-up for user 1", func(evs []bus.Event, _ int) bool { return len(evs) > n })
	evs = rc.events()[n:]
	assert.Equal(t, []int64{1}, uids(evs))

	require.NoError(t, b.Close())
	require.NoError(t, c.Close())
	require.NoError(t, a.Close())
}

func TestLocal(t *testing.T) {
	l := bus.NewLocal()
	exercise(t, func(h bus.Handler) bus.Node {
		n, err := l.Join(h)
		require.NoError(t, err)
		return n
	})
}

func TestNATS(t *testing.T) {
	ns := natstest.Start(t)
	nb, err := bus.NewNATS(bus.NATSOptions{URL: ns.URL, Prefix: "test.floo"})
	require.NoError(t, err)
	exercise(t, func(h bus.Handler) bus.Node {
		n, err := nb.Join(h)
		require.NoError(t, err)
		return n
	})
}

func TestNATSOptions(t *testing.T) {
	_, err := bus.NewNATS(bus.NATSOptions{})
	assert.Error(t, err, "a URL is required")
	_, err = bus.NewNATS(bus.NATSOptions{URL: "nats://127.0.0.1:1", Prefix: "floo.*"})
	assert.Error(t, err, "wildcards are not a prefix")
	nb, err := bus.NewNATS(bus.NATSOptions{URL: "nats://127.0.0.1:1", ConnectTimeout: 200 * time.Millisecond})
	require.NoError(t, err)
	_, err = nb.Join(newRecorder())
	assert.Error(t, err, "Join fails when NATS cannot be reached")
}

// TestNATSRestart stops and restarts the NATS server: each node resyncs
// after reconnecting, its subscriptions are back, and events flow again.
func TestNATSRestart(t *testing.T) {
	ns := natstest.Start(t)
	nb, err := bus.NewNATS(bus.NATSOptions{URL: ns.URL, ReconnectWait: 20 * time.Millisecond})
	require.NoError(t, err)
	ra, rb := newRecorder(), newRecorder()
	a, err := nb.Join(ra)
	require.NoError(t, err)
	defer a.Close()
	b, err := nb.Join(rb)
	require.NoError(t, err)
	defer b.Close()
	b.Watch(7)
	b.Sync(context.Background())

	ns.Restart(t)
	ra.waitFor(t, "a resync on a", func(_ []bus.Event, resyncs int) bool { return resyncs > 0 })
	rb.waitFor(t, "a resync on b", func(_ []bus.Event, resyncs int) bool { return resyncs > 0 })
	b.Sync(context.Background())
	a.Publish(bus.Event{Kind: bus.Wake, UID: 7, Stream: 3})
	rb.waitFor(t, "the wake-up after the restart", func(evs []bus.Event, _ int) bool { return len(evs) == 1 })
	assert.Equal(t, int64(3), rb.events()[0].Stream)
}
