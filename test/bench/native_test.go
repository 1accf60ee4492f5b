package bench

import (
	"context"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"sync"
	"time"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/native"
)

// startProfile starts a CPU profile into dir/name, or does nothing when dir
// is empty; the returned stop may be called more than once.
func startProfile(dir, name string) (stop func(), err error) {
	if dir == "" {
		return func() {}, nil
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			pprof.StopCPUProfile()
			f.Close()
		})
	}, nil
}

// nativeClient is a core client on the native transports, in this process,
// with the SDK's default configuration and file storage in its own
// directory (so that a new instance on the same directory is the same
// device). It counts what the benchmark measures.
type nativeClient struct {
	c   *core.Client
	uid uint64

	// onMsg, when set before traffic starts, sees every message from
	// another user, on the event goroutine.
	onMsg func(m core.Message, at time.Time)

	mu             sync.Mutex // guards the counters and want
	msgs           int
	unread, recent int
	want           int
	reached        chan time.Time // capacity 1
}

func newNative(dns, dir string, uid int64) (*nativeClient, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cfg, err := native.Defaults(core.Config{AppID: appID, DNSServer: dns, LogLevel: core.LogError}, dir)
	if err != nil {
		return nil, err
	}
	c, err := core.New(cfg)
	if err != nil {
		return nil, err
	}
	n := &nativeClient{c: c, uid: uint64(uid), reached: make(chan time.Time, 1)}
	c.OnEvent(n.event)
	return n, nil
}

func (n *nativeClient) event(ev core.Event) {
	at := time.Now()
	switch e := ev.(type) {
	case core.RosterMessage:
		if e.Message.From == n.uid || e.Message.IsHistory {
			return
		}
		if n.onMsg != nil {
			n.onMsg(e.Message, at)
		}
		n.mu.Lock()
		n.msgs++
		if n.want > 0 && n.msgs == n.want {
			n.want = 0
			n.reached <- at
		}
		n.mu.Unlock()
	case core.UnreadChanged:
		n.mu.Lock()
		n.unread++
		n.mu.Unlock()
	case core.RecentListUpdated:
		n.mu.Lock()
		n.recent++
		n.mu.Unlock()
	}
}

// expect resets the counters; the time the k-th message arrives is then
// sent on n.reached.
func (n *nativeClient) expect(k int) {
	n.mu.Lock()
	n.msgs, n.unread, n.recent, n.want = 0, 0, 0, k
	n.mu.Unlock()
}

func (n *nativeClient) counts() (msgs, unread, recent int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.msgs, n.unread, n.recent
}

func (n *nativeClient) login(u user) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	t0 := time.Now()
	err := n.c.Login(ctx, u.name, u.password)
	return time.Since(t0), err
}

// runNative measures the native client: login, ping-pong, live receive and
// offline sync.
func runNative(e *env) (sideResult, error) {
	var r sideResult
	dir := filepath.Join(e.dir, "native")
	pa, pb, live, off := e.users["native-pa"], e.users["native-pb"], e.users["native-live"], e.users["native-sync"]

	// Login: a new instance of an existing device, as an app's start.
	var logins []float64
	for i := range e.cfg.logins + 1 {
		n, err := newNative(e.dns, filepath.Join(dir, "pa"), pa.id)
		if err != nil {
			return r, err
		}
		d, err := n.login(pa)
		n.c.Close()
		if err != nil {
			return r, err
		}
		if i > 0 { // the first one registers the device
			logins = append(logins, ms(d))
		}
	}
	sort.Float64s(logins)
	r.loginMs = logins[len(logins)/2]

	// Ping-pong.
	a, err := newNative(e.dns, filepath.Join(dir, "pa"), pa.id)
	if err != nil {
		return r, err
	}
	defer a.c.Close()
	b, err := newNative(e.dns, filepath.Join(dir, "pb"), pb.id)
	if err != nil {
		return r, err
	}
	defer b.c.Close()
	for _, x := range []struct {
		n *nativeClient
		u user
	}{{a, pa}, {b, pb}} {
		if _, err := x.n.login(x.u); err != nil {
			return r, err
		}
	}
	oneway, rtt, err := nativePingPong(a, b, e.cfg.pings, 20)
	if err != nil {
		return r, err
	}
	r.oneway, r.rtt = oneway, rtt

	// Live receive: 100 senders, 50 texts each, to a logged-in client.
	rc, err := newNative(e.dns, filepath.Join(dir, "live"), live.id)
	if err != nil {
		return r, err
	}
	defer rc.c.Close()
	if _, err := rc.login(live); err != nil {
		return r, err
	}
	total := len(e.gens) * e.cfg.livePer
	rc.expect(total)
	t0 := time.Now()
	if err := blast(e.gens, uint64(live.id), e.cfg.livePer, "live"); err != nil {
		return r, err
	}
	select {
	case at := <-rc.reached:
		r.liveS = at.Sub(t0).Seconds()
	case <-time.After(5 * time.Minute):
		m, _, _ := rc.counts()
		return r, errorf("native live receive: %d of %d messages after 5 min", m, total)
	}

	// Offline sync: the device exists, is offline while the messages are
	// stored, then a new instance logs in.
	sdir := filepath.Join(dir, "sync")
	sc, err := newNative(e.dns, sdir, off.id)
	if err != nil {
		return r, err
	}
	if _, err := sc.login(off); err != nil {
		return r, err
	}
	sc.c.Close()
	total = len(e.gens) * e.cfg.syncPer
	if err := blastAcked(e.gens, uint64(off.id), e.cfg.syncPer, "sync"); err != nil {
		return r, err
	}
	sc, err = newNative(e.dns, sdir, off.id)
	if err != nil {
		return r, err
	}
	defer sc.c.Close()
	sc.expect(total)
	stopProfile, err := startProfile(e.cfg.profile, "native-sync.cpu")
	if err != nil {
		return r, err
	}
	defer stopProfile()
	t0 = time.Now()
	d, err := sc.login(off)
	if err != nil {
		return r, err
	}
	r.syncLoginMs = ms(d)
	select {
	case at := <-sc.reached:
		r.syncS = at.Sub(t0).Seconds()
		stopProfile()
	case <-time.After(5 * time.Minute):
		m, _, _ := sc.counts()
		return r, errorf("native offline sync: %d of %d messages after 5 min", m, total)
	}
	// Let the events of the last page arrive before counting them.
	time.Sleep(200 * time.Millisecond)
	r.syncMsgs, r.syncUnread, r.syncRecent = sc.counts()
	return r, nil
}

// pingGap is the least time between two pings: each client then sends at
// most 33 messages a second, under the outbox's pacing of 40 per second
// (PROTOCOL.md §7.5), so that the figures are latencies, not the pacing.
const pingGap = 30 * time.Millisecond

// nativePingPong: a sends to b, b answers each message, n times after warm
// rounds, a round starting at least pingGap after the previous one; it
// returns the one-way times (send call to the peer's event) of
// both legs and the round trips, in milliseconds.
func nativePingPong(a, b *nativeClient, n, warm int) (oneway, rtt []float64, err error) {
	var mu sync.Mutex // guards sentAt and round
	sentAt := map[string]time.Time{}
	round := 0
	var lastPing time.Time
	finished := make(chan struct{})
	ping := func() {
		mu.Lock()
		content := "p" + itoa(round)
		lastPing = time.Now()
		sentAt[content] = lastPing
		mu.Unlock()
		a.c.PostMessage(core.Message{To: b.uid, Content: content})
	}
	b.onMsg = func(m core.Message, at time.Time) {
		mu.Lock()
		t, ok := sentAt[m.Content]
		if ok && round >= warm {
			oneway = append(oneway, ms(at.Sub(t)))
		}
		content := "q" + m.Content[1:]
		sentAt[content] = time.Now()
		mu.Unlock()
		if ok {
			b.c.PostMessage(core.Message{To: a.uid, Content: content})
		}
	}
	a.onMsg = func(m core.Message, at time.Time) {
		mu.Lock()
		t, ok := sentAt[m.Content]
		if !ok {
			mu.Unlock()
			return
		}
		if round >= warm {
			oneway = append(oneway, ms(at.Sub(t)))
			rtt = append(rtt, ms(at.Sub(sentAt["p"+m.Content[1:]])))
		}
		clear(sentAt)
		round++
		more := round < warm+n
		wait := time.Until(lastPing.Add(pingGap))
		mu.Unlock()
		if more {
			time.AfterFunc(max(wait, 0), ping)
		} else {
			close(finished)
		}
	}
	ping()
	select {
	case <-finished:
	case <-time.After(5 * time.Minute):
		return nil, nil, errorf("native ping-pong: round %d after 5 min", round)
	}
	a.onMsg, b.onMsg = nil, nil
	return oneway, rtt, nil
}
