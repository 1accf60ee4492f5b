//go:build !js

package integration

import (
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/xsync"
)

// BenchmarkPingPong measures one leg of a conversation between two native
// clients of the in-process server, as the ping-pong of make bench-e2e
// does: the send call of one client to the message event of the other. An
// operation is one leg; alice and bob answer each other in turn, one
// message in flight at a time, a round starting pingGap after the previous
// one so that the server is idle between rounds, as in a chat. The legs'
// p50 and p99 are reported, and the median of each stage of a leg as the
// clients' sockets see it (one clock serves both ends):
//
//	send-ms    send call → the send frame written by the sender
//	commit-ms  that write → the peer reads its Notice, or the page itself
//	           when the server pushes it (the server's send path)
//	notice-ms  the Notice read → the peer's SyncUL written
//	pull-ms    that SyncUL → the page read (the server's pull, a round trip)
//	event-ms   the page read → the peer's message event
//
// go test -run '^$' -bench PingPong -benchtime 300x ./core/integration/
// (TMPDIR=/dev/shm puts the server's data on tmpfs; -trace and -cpuprofile
// show where the time goes).
func BenchmarkPingPong(b *testing.B) {
	const pingGap = 30 * time.Millisecond
	env := startServer(b)
	alice, bob := env.NewUser(b, "alice"), env.NewUser(b, "bob")
	opts := clientOptions{logLevel: core.LogWarn, sendRate: 1000}
	a, c := newClient(b, env, opts), newClient(b, env, opts)
	a.login(b, alice)
	c.login(b, bob)
	sides := [2]*pingSide{{cl: a, uid: uint64(alice.ID)}, {cl: c, uid: uint64(bob.ID)}}
	for _, s := range sides {
		s.events = make(chan pingEvent, 16)
		s.cl.OnEvent(func(ev core.Event) {
			if m, ok := ev.(core.RosterMessage); ok && m.Message.From != s.uid {
				s.events <- pingEvent{m.Message.Content, time.Now()}
			}
		})
		s.cl.dialer.tap.Store(&s.stamps)
	}
	leg := func(i int, from, to *pingSide) time.Duration {
		content := "p" + strconv.Itoa(i)
		to.stamps.reset()
		from.stamps.reset()
		t0 := time.Now()
		_, err := from.cl.PostMessage(core.Message{To: to.uid, Content: content})
		require.NoError(b, err)
		for {
			select {
			case ev := <-to.events:
				if ev.content != content {
					continue
				}
				d := ev.at.Sub(t0)
				st := &to.stamps
				st.mu.Lock()
				sent := from.stamps.sent()
				if !sent.IsZero() && !st.page.IsZero() {
					stages.add(0, sent.Sub(t0))
					first := st.page
					if !st.notice.IsZero() {
						first = st.notice
						if !st.pull.IsZero() {
							stages.add(2, st.pull.Sub(st.notice))
							stages.add(3, st.page.Sub(st.pull))
						}
					}
					stages.add(1, first.Sub(sent))
					stages.add(4, ev.at.Sub(st.page))
				}
				st.mu.Unlock()
				return d
			case <-time.After(waitTimeout):
				b.Fatalf("leg %d: no event", i)
			}
		}
	}
	// Warm-up rounds: the first pull of each stream reads its cursor.
	for i := range 20 {
		leg(i, sides[i%2], sides[1-i%2])
		time.Sleep(pingGap)
	}
	stages.reset()
	legs := make([]float64, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		d := leg(i, sides[i%2], sides[1-i%2])
		legs = append(legs, float64(d)/1e6)
		b.StopTimer()
		time.Sleep(pingGap)
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(legs)
	b.ReportMetric(legs[len(legs)/2], "p50-ms")
	b.ReportMetric(legs[min(len(legs)-1, len(legs)*99/100)], "p99-ms")
	for i, name := range []string{"send-ms", "commit-ms", "notice-ms", "pull-ms", "event-ms"} {
		if m, ok := stages.median(i); ok {
			b.ReportMetric(m, name)
		}
	}
	for _, s := range sides {
		s.cl.dialer.tap.Store(nil)
	}
}

type pingEvent struct {
	content string
	at      time.Time
}

type pingSide struct {
	cl     *client
	uid    uint64
	events chan pingEvent
	stamps frameStamps
}

// stages collects the stage durations of the legs, in ms.
var stages stageSet

type stageSet struct {
	mu sync.Mutex
	d  [5][]float64
}

func (s *stageSet) add(i int, d time.Duration) {
	s.mu.Lock()
	s.d[i] = append(s.d[i], float64(d)/1e6)
	s.mu.Unlock()
}

func (s *stageSet) reset() {
	s.mu.Lock()
	s.d = [5][]float64{}
	s.mu.Unlock()
}

func (s *stageSet) median(i int) (float64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.d[i]) == 0 {
		return 0, false
	}
	xs := slices.Clone(s.d[i])
	slices.Sort(xs)
	return xs[len(xs)/2], true
}

// frameStamps records when a connection first wrote a send and read a
// Notice, wrote a SyncUL pull and read a page with metas since reset.
type frameStamps struct {
	mu                       sync.Mutex
	send, notice, pull, page time.Time
}

func (f *frameStamps) reset() {
	f.mu.Lock()
	f.send, f.notice, f.pull, f.page = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	f.mu.Unlock()
}

// sent returns when the connection first wrote a send since reset.
func (f *frameStamps) sent() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.send
}

// frame stamps b, read (in) or written (out), at.
func (f *frameStamps) frame(b []byte, in bool, at time.Time) {
	fr, err := xsync.DecodeFrame(b)
	if err != nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	set := func(t *time.Time) {
		if t.IsZero() {
			*t = at
		}
	}
	switch {
	case in && fr.Command == xsync.CommandNotice:
		set(&f.notice)
	case in && fr.Command == xsync.CommandSync:
		if dl, err := fr.SyncDL(); err == nil && dl.ClientMid == 0 && len(dl.Metas) > 0 {
			set(&f.page)
		}
	case !in && fr.Command == xsync.CommandSync:
		if ul, err := fr.SyncUL(); err == nil {
			if ul.Meta != nil {
				set(&f.send)
			} else if ul.Key == 0 {
				set(&f.pull)
			}
		}
	}
}
