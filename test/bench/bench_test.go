package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flooim/floo/test/internal/serverproc"
	"github.com/flooim/floo/xsync"
)

const appID = "welovemaxim"

// config is the run's shape, from the environment (scripts/bench-e2e.sh):
//
//	FLOO_BENCH_E2E=1        run (unset: the test is skipped)
//	FLOO_BENCH_PROJECT      project prepared by `node npm/test/e2e/harness.mjs prepare`
//	FLOO_BENCH_WASM=0       leave the floo-wasm clients in Node out
//	FLOO_BENCH_CHROMIUM     a Chromium binary: also measure floo-wasm in headless Chromium
//	FLOO_BENCH_SERVER_BIN   a built floo-server (default: built here)
//	FLOO_BENCH_LOADS        offered loads in msg/s, comma-separated (default 1000,2000,5000,10000,20000)
//	FLOO_BENCH_LOAD_SECS    seconds of traffic per load (default 5)
//	FLOO_BENCH_PINGS        ping-pong round trips (default 1000)
//	FLOO_BENCH_KEEP=1       keep the temporary directory (server and node logs)
//	FLOO_BENCH_DATA=dir     where the temporary directory (the server's data) goes: default
//	                        /dev/shm when it exists (tmpfs, as the reference figures were
//	                        taken: the disk's fsync latency is left out), else the system's
//	                        temporary folder; FLOO_BENCH_DATA=/tmp measures with the disk
//	FLOO_BENCH_PROFILE=dir  write CPU profiles into dir (an absolute path): native-sync.cpu
//	                        (Go pprof of this process, from the native sync's login to its last
//	                        event), wasm-sync.cpuprofile and wasm-pingpong.cpuprofile (the node
//	                        process, through node:inspector, over the same spans)
type config struct {
	wasm      bool
	project   string
	loads     []int
	loadSecs  int
	pings     int
	logins    int // measured logins (median reported)
	senders   int // senders of the live and sync scenarios, and pairs of the load
	livePer   int // texts per sender, live
	syncPer   int // texts per sender, offline sync
	keep      bool
	serverBin string
	profile   string
	chromium  string // Chromium binary; "" leaves Chromium out
}

func loadConfig(t *testing.T) config {
	if os.Getenv("FLOO_BENCH_E2E") == "" {
		t.Skip("the end-to-end benchmark runs through scripts/bench-e2e.sh (make bench-e2e); see docs/performance.md")
	}
	c := config{
		wasm: os.Getenv("FLOO_BENCH_WASM") != "0", project: os.Getenv("FLOO_BENCH_PROJECT"),
		loadSecs: envInt("FLOO_BENCH_LOAD_SECS", 5), pings: envInt("FLOO_BENCH_PINGS", 1000),
		logins: 5, senders: 100, livePer: 50, syncPer: 100,
		keep: os.Getenv("FLOO_BENCH_KEEP") == "1", serverBin: os.Getenv("FLOO_BENCH_SERVER_BIN"),
		profile: os.Getenv("FLOO_BENCH_PROFILE"), chromium: os.Getenv("FLOO_BENCH_CHROMIUM"),
	}
	if c.chromium == "0" {
		c.chromium = ""
	}
	c.loads = parseLoads(t, "1000,2000,5000,10000,20000")
	if (c.wasm || c.chromium != "") && c.project == "" {
		t.Fatal("FLOO_BENCH_PROJECT is not set: the wasm clients need a project made by `node npm/test/e2e/harness.mjs prepare` " +
			"(scripts/bench-e2e.sh does it), or FLOO_BENCH_WASM=0")
	}
	return c
}

// parseLoads reads FLOO_BENCH_LOADS, def when it is not set.
func parseLoads(t *testing.T, def string) []int {
	loads := os.Getenv("FLOO_BENCH_LOADS")
	if loads == "" {
		loads = def
	}
	var out []int
	for _, f := range strings.Split(loads, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			t.Fatalf("FLOO_BENCH_LOADS=%q: want positive numbers", loads)
		}
		out = append(out, n)
	}
	return out
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

type user struct {
	name, password string
	id             int64
}

// env is what the scenarios share.
type env struct {
	cfg   config
	dir   string
	addr  string // host:port of the server
	addrQ string // host:port of the node the q devices use; "" = addr
	dns   string
	users map[string]user
	gens  []*genClient // senders s0..s(n-1): the live and sync senders, side a of the load pairs
	peers []*genClient // q0..q(n-1): side b of the load pairs
	// loadHook, when set, receives every meta the generators sync.
	hookMu   sync.RWMutex
	loadHook func(to uint64, m *xsync.Meta, at time.Time)
}

// sideResult is what one client (native or wasm) measured.
type sideResult struct {
	liveS                            float64
	syncS, syncLoginMs               float64
	syncMsgs, syncUnread, syncRecent int
	oneway, rtt                      []float64 // ms
	loginMs                          float64   // median
}

// loadResult is one offered load.
type loadResult struct {
	offered, sent int
	delivered     int
	refused       int64
	lost          int     // generator connections the server closed by the end of the load
	rate          float64 // delivered msg/s
	p50, p99, max float64 // ms
}

func TestBenchE2E(t *testing.T) {
	cfg := loadConfig(t)
	dir, err := os.MkdirTemp(dataRoot(), "floo-bench-")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.keep {
		t.Logf("keeping %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	bin := serverBin(t, cfg, dir)
	addr, err := serverproc.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := startNode(bin, dir, "server", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(syscall.SIGTERM)
	e := &env{cfg: cfg, dir: dir, addr: addr, dns: "http://" + addr + "/v2/app_dns", users: map[string]user{}}
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf(format+"\nserver log tail:\n%s", append(args, srv.LogTail(30))...)
	}

	// Accounts, registered in parallel (bcrypt dominates the setup).
	var names []string
	for _, kind := range []string{"native", "node", "chromium"} {
		names = append(names, kind+"-pa", kind+"-pb", kind+"-live", kind+"-sync")
	}
	for i := range cfg.senders {
		names = append(names, "s"+itoa(i), "q"+itoa(i))
	}
	t0 := time.Now()
	if err := e.register("http://"+e.addr, names); err != nil {
		fail("%v", err)
	}
	if err := e.connectGens(); err != nil {
		fail("%v", err)
	}
	defer func() {
		for _, g := range append(e.gens, e.peers...) {
			g.close()
		}
	}()
	t.Logf("setup: %d accounts, %d generator connections in %v", len(names), 2*cfg.senders, time.Since(t0).Round(time.Millisecond))

	nat, err := runNative(e)
	if err != nil {
		fail("native: %v", err)
	}
	t.Logf("native done")
	sides := []side{{"native", nat}}
	if cfg.wasm {
		w, err := runWasm(e, "node")
		if err != nil {
			fail("wasm in Node: %v", err)
		}
		sides = append(sides, side{"floo-wasm (Node)", w})
		t.Logf("wasm in Node done")
	}
	if cfg.chromium != "" {
		w, err := runWasm(e, "chromium")
		if err != nil {
			fail("wasm in Chromium: %v", err)
		}
		sides = append(sides, side{"floo-wasm (Chromium)", w})
		t.Logf("wasm in Chromium done")
	}
	var loads []loadResult
	for _, rate := range cfg.loads {
		lr, err := e.runLoad(rate, time.Duration(cfg.loadSecs)*time.Second)
		if err != nil {
			// The client figures are still worth printing.
			t.Errorf("load %d/s: %v\nserver log tail:\n%s", rate, err, srv.LogTail(30))
			continue
		}
		loads = append(loads, lr)
	}
	fmt.Println(report(cfg, sides, loads))
}

// serverBin returns the floo-server binary: FLOO_BENCH_SERVER_BIN, or one
// built into dir.
func serverBin(t *testing.T, cfg config, dir string) string {
	if cfg.serverBin != "" {
		return cfg.serverBin
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	bin, err := serverproc.Build(root, dir)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// startNode runs the server at addr with its data in dir/name and its log
// in dir/name.log, with further flags args. It runs with no send budget
// (the load generator offers more than 50/s per device), no limit on
// registrations and tokens (a few hundred accounts) and no per-IP cap
// (every client is on 127.0.0.1); everything else is the server's
// default. The log file stays open until the process is gone.
func startNode(bin, dir, name, addr string, args ...string) (*serverproc.Proc, error) {
	logf, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return nil, err
	}
	srv := &serverproc.Proc{Bin: bin, Addr: addr, Data: filepath.Join(dir, name), Log: logf,
		Args: append([]string{"-send-rate", "-1", "-max-unauth-per-ip", "-1", "-auth-rate", "-1"}, args...)}
	if err := srv.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	return srv, nil
}

// register creates the accounts through the REST API at base
// (http://host:port), a few at a time.
func (e *env) register(base string, names []string) error {
	var mu sync.Mutex
	var first error
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	run := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	for _, n := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			name, pw := "b"+run+n, "secret-"+n
			id, err := serverproc.Register(base, appID, name, pw)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				first = errors.Join(first, err)
				return
			}
			e.users[n] = user{name: name, password: pw, id: id}
		}()
	}
	wg.Wait()
	return first
}

// connectGens logs the generator devices in: s_i and q_i (q_i on addrQ
// when it is set).
func (e *env) connectGens() error {
	ctx := context.Background()
	e.gens = make([]*genClient, e.cfg.senders)
	e.peers = make([]*genClient, e.cfg.senders)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	sem := make(chan struct{}, 4)
	for i := range e.cfg.senders {
		for _, side := range []string{"s", "q"} {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				u := e.users[side+itoa(i)]
				to := uint64(u.id)
				addr := e.addr
				if side == "q" && e.addrQ != "" {
					addr = e.addrQ
				}
				g, err := dialGen(ctx, addr, u, func(m *xsync.Meta, at time.Time) {
					e.hookMu.RLock()
					h := e.loadHook
					e.hookMu.RUnlock()
					if h != nil {
						h(to, m, at)
					}
				})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					first = errors.Join(first, err)
					return
				}
				if side == "s" {
					e.gens[i] = g
				} else {
					e.peers[i] = g
				}
			}()
		}
	}
	wg.Wait()
	return first
}

// blast has every generator write per texts to uid at once, without
// waiting for acks.
func blast(gens []*genClient, to uint64, per int, tag string) error {
	var wg sync.WaitGroup
	errs := make([]error, len(gens))
	for i, g := range gens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range per {
				if err := g.send(to, tag+"-"+itoa(i)+"-"+itoa(k)); err != nil {
					errs[i] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// blastAcked is blast, then waits until the server acknowledged every text.
func blastAcked(gens []*genClient, to uint64, per int, tag string) error {
	var before int64
	for _, g := range gens {
		before += g.acked.Load() + g.refused.Load()
	}
	if err := blast(gens, to, per, tag); err != nil {
		return err
	}
	want := before + int64(len(gens)*per)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var n, refused int64
		for _, g := range gens {
			n += g.acked.Load() + g.refused.Load()
			refused += g.refused.Load()
		}
		if refused > 0 {
			return errorf("%d sends refused", refused)
		}
		if n >= want {
			return nil
		}
		if time.Now().After(deadline) {
			return errorf("%d of %d sends acknowledged after 2 min", n-before, want-before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runWasm measures floo-wasm in Node (kind "node", driver.mjs) or in
// headless Chromium ("chromium", chromium.mjs), as runNative does natively.
func runWasm(e *env, kind string) (sideResult, error) {
	var r sideResult
	logf, err := os.Create(filepath.Join(e.dir, kind+".log"))
	if err != nil {
		return r, err
	}
	defer logf.Close()
	args := []string{"driver.mjs", e.cfg.project, e.dns}
	if kind == "chromium" {
		args = []string{"chromium.mjs", e.cfg.project, e.dns, e.cfg.chromium}
	}
	d, err := startWasm(args, logf)
	if err != nil {
		return r, err
	}
	defer d.close()
	long := 5 * time.Minute
	login := func(key string, u user, expect int) (wasmReply, error) {
		cmd := map[string]any{"op": "login", "key": key, "uid": strconv.FormatInt(u.id, 10), "name": u.name, "password": u.password}
		if expect > 0 {
			cmd["expect"] = expect
		}
		return d.do(cmd, long)
	}
	pa, pb, live, off := e.users[kind+"-pa"], e.users[kind+"-pb"], e.users[kind+"-live"], e.users[kind+"-sync"]

	var logins []float64
	for i := range e.cfg.logins + 1 {
		rep, err := login("pa", pa, 0)
		if err != nil {
			return r, err
		}
		if i > 0 {
			logins = append(logins, rep.LoginMs)
		}
	}
	sort.Float64s(logins)
	r.loginMs = logins[len(logins)/2]

	if _, err := login("pb", pb, 0); err != nil {
		return r, err
	}
	prof := func(op, name string) error {
		if e.cfg.profile == "" || kind != "node" {
			return nil
		}
		_, err := d.do(map[string]any{"op": op, "file": filepath.Join(e.cfg.profile, name)}, time.Minute)
		return err
	}
	if err := prof("profStart", ""); err != nil {
		return r, err
	}
	rep, err := d.do(map[string]any{"op": "pingpong", "a": "pa", "b": "pb", "n": e.cfg.pings, "warm": 20}, long)
	if err != nil {
		return r, err
	}
	if err := prof("profStop", "wasm-pingpong.cpuprofile"); err != nil {
		return r, err
	}
	r.oneway, r.rtt = rep.Oneway, rep.RTT
	d.do(map[string]any{"op": "close", "key": "pa"}, time.Minute)
	d.do(map[string]any{"op": "close", "key": "pb"}, time.Minute)

	if _, err := login("live", live, 0); err != nil {
		return r, err
	}
	total := len(e.gens) * e.cfg.livePer
	_, ch := d.call(map[string]any{"op": "expect", "key": "live", "n": total})
	if _, err := d.wait(ch, time.Minute, "expect"); err != nil {
		return r, err
	}
	t0 := time.Now()
	if err := blast(e.gens, uint64(live.id), e.cfg.livePer, "live"); err != nil {
		return r, err
	}
	done, err := d.wait(ch, long, "live receive")
	if err != nil {
		return r, err
	}
	r.liveS = done.at.Sub(t0).Seconds()
	d.do(map[string]any{"op": "close", "key": "live"}, time.Minute)

	if _, err := login("sync", off, 0); err != nil {
		return r, err
	}
	if _, err := d.do(map[string]any{"op": "close", "key": "sync"}, time.Minute); err != nil {
		return r, err
	}
	total = len(e.gens) * e.cfg.syncPer
	if err := blastAcked(e.gens, uint64(off.id), e.cfg.syncPer, "sync"); err != nil {
		return r, err
	}
	if err := prof("profStart", ""); err != nil {
		return r, err
	}
	rep, err = login("sync", off, total)
	if err != nil {
		return r, err
	}
	if err := prof("profStop", "wasm-sync.cpuprofile"); err != nil {
		return r, err
	}
	r.syncS, r.syncLoginMs = rep.LastMs/1000, rep.LoginMs
	// The counts were taken at the last message; the unread and list
	// events of the last page follow it.
	time.Sleep(200 * time.Millisecond)
	counts, err := d.do(map[string]any{"op": "counts", "key": "sync"}, time.Minute)
	if err != nil {
		return r, err
	}
	r.syncMsgs, r.syncUnread, r.syncRecent = counts.Msgs, counts.Unread, counts.Recent
	return r, nil
}

// runLoad offers rate messages per second for dur across the pairs
// (s_i <-> q_i, both ways, evenly spread), then waits for the deliveries.
func (e *env) runLoad(rate int, dur time.Duration) (loadResult, error) {
	lr := loadResult{offered: rate}
	senders := append(append([]*genClient{}, e.gens...), e.peers...)
	peerOf := map[uint64]uint64{}
	for i := range e.gens {
		peerOf[e.gens[i].uid], peerOf[e.peers[i].uid] = e.peers[i].uid, e.gens[i].uid
	}
	var mu sync.Mutex
	var lat []float64
	var last time.Time
	// Texts of an earlier load that the server still delivers (it was
	// behind when that load's wait ended) are not this load's.
	begin := time.Now()
	e.hookMu.Lock()
	e.loadHook = func(to uint64, m *xsync.Meta, at time.Time) {
		if m.From == nil || m.From.Uid != peerOf[to] {
			return
		}
		sent, ok := stampOf(m)
		if !ok || sent.Before(begin) {
			return
		}
		mu.Lock()
		lat = append(lat, ms(at.Sub(sent)))
		last = at
		mu.Unlock()
	}
	e.hookMu.Unlock()
	defer func() {
		e.hookMu.Lock()
		e.loadHook = nil
		e.hookMu.Unlock()
	}()
	var refusedBefore int64
	for _, g := range senders {
		refusedBefore += g.refused.Load()
	}

	interval := time.Duration(float64(time.Second) * float64(len(senders)) / float64(rate))
	per := int(dur / interval)
	start := time.Now().Add(100 * time.Millisecond)
	var wg sync.WaitGroup
	for i, g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Staggered, so that the load is even rather than in bursts.
			next := start.Add(interval * time.Duration(i) / time.Duration(len(senders)))
			for range per {
				if d := time.Until(next); d > 0 {
					time.Sleep(d)
				}
				g.send(peerOf[g.uid], stampedText(time.Now()))
				next = next.Add(interval)
			}
		}()
	}
	wg.Wait()
	lr.sent = per * len(senders)
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(lat)
		mu.Unlock()
		if n >= lr.sent || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, g := range senders {
		lr.refused += g.refused.Load()
	}
	lr.refused -= refusedBefore
	for _, g := range senders {
		if g.ended() {
			lr.lost++
		}
	}
	lr.delivered = len(lat)
	if lr.delivered == 0 {
		return lr, errorf("nothing delivered (%d generator connections closed)", lr.lost)
	}
	lr.rate = float64(lr.delivered) / last.Sub(start).Seconds()
	sort.Float64s(lat)
	lr.p50, lr.p99, lr.max = pct(lat, 50), pct(lat, 99), lat[len(lat)-1]
	// Quiet between loads, so that one load's tail does not bleed into the next.
	time.Sleep(time.Second)
	return lr, nil
}

// side is one kind of client and what it measured.
type side struct {
	name string
	r    sideResult
}

// report renders the tables (Markdown, so they paste into
// docs/performance.md): a column per side, then the ratio of the native
// figure to each wasm one.
func report(cfg config, sides []side, loads []loadResult) string {
	var b strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "\nend-to-end benchmark: %s, %d CPUs, %s/%s, %s, server data in %s\n\n", host, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, time.Now().UTC().Format(time.RFC3339), dataRootName())
	head, rule := "| Figure |", "|---|"
	for _, sd := range sides {
		head += " " + sd.name + " |"
		rule += "---|"
	}
	for _, sd := range sides[1:] {
		head += " native/" + strings.Trim(strings.TrimPrefix(sd.name, "floo-wasm "), "()") + " |"
		rule += "---|"
	}
	fmt.Fprintln(&b, head)
	fmt.Fprintln(&b, rule)
	sortedPct := func(xs []float64, p float64) float64 {
		ys := append([]float64{}, xs...)
		sort.Float64s(ys)
		return pct(ys, p)
	}
	row := func(name string, f func(sideResult) float64, unit string, prec int) {
		line := "| " + name + " |"
		for _, sd := range sides {
			line += " " + strings.TrimSpace(strconv.FormatFloat(f(sd.r), 'f', prec, 64)+" "+unit) + " |"
		}
		for _, sd := range sides[1:] {
			line += " " + strconv.FormatFloat(f(sides[0].r)/f(sd.r), 'f', 2, 64) + " |"
		}
		fmt.Fprintln(&b, line)
	}
	row(fmt.Sprintf("live receive, %d texts from %d senders", cfg.senders*cfg.livePer, cfg.senders), func(r sideResult) float64 { return r.liveS }, "s", 2)
	row(fmt.Sprintf("offline sync, %d texts in %d conversations (login → last event)", cfg.senders*cfg.syncPer, cfg.senders), func(r sideResult) float64 { return r.syncS }, "s", 2)
	row("  of which login() (resolves before the sync ends)", func(r sideResult) float64 { return r.syncLoginMs }, "ms", 0)
	row("  onUnreadChange events during the sync", func(r sideResult) float64 { return float64(r.syncUnread) }, "", 0)
	row("  recentlistUpdate events during the sync", func(r sideResult) float64 { return float64(r.syncRecent) }, "", 0)
	row(fmt.Sprintf("ping-pong send → peer event p50 (%d round trips)", cfg.pings), func(r sideResult) float64 { return sortedPct(r.oneway, 50) }, "ms", 2)
	row("ping-pong send → peer event p99", func(r sideResult) float64 { return sortedPct(r.oneway, 99) }, "ms", 2)
	row("ping-pong round trip p50", func(r sideResult) float64 { return sortedPct(r.rtt, 50) }, "ms", 2)
	row("ping-pong round trip p99", func(r sideResult) float64 { return sortedPct(r.rtt, 99) }, "ms", 2)
	row(fmt.Sprintf("login → loginSuccess (median of %d)", cfg.logins), func(r sideResult) float64 { return r.loginMs }, "ms", 0)

	fmt.Fprintf(&b, "\nserver, %d pairs (both ways), lean XSYNC generator, %d s per load\n\n", cfg.senders, cfg.loadSecs)
	var rows []setupLoad
	for _, l := range loads {
		rows = append(rows, setupLoad{loadResult: l})
	}
	loadTable(&b, rows)
	return b.String()
}

// setupLoad is one load of one setup (the cluster benchmark), or of the
// only one (setup "").
type setupLoad struct {
	setup string
	loadResult
}

// loadTable renders the server's figures, one row per load, with a first
// column naming the setup when the rows have one.
func loadTable(b *strings.Builder, rows []setupLoad) {
	head, rule := "", ""
	if len(rows) > 0 && rows[0].setup != "" {
		head, rule = "| setup ", "|---"
	}
	fmt.Fprintln(b, head+"| offered msg/s | sent | delivered | delivered msg/s | delivery p50 | p99 | max | refused | conns closed |")
	fmt.Fprintln(b, rule+"|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		first := ""
		if head != "" {
			first = "| " + r.setup + " "
		}
		fmt.Fprintf(b, first+"| %d | %d | %d | %.0f | %.1f ms | %.1f ms | %.0f ms | %d | %d |\n",
			r.offered, r.sent, r.delivered, r.rate, r.p50, r.p99, r.max, r.refused, r.lost)
	}
}

// pct is the p-th percentile of sorted xs (nearest rank below).
func pct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	return xs[int(p/100*float64(len(xs)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func itoa(i int) string { return strconv.Itoa(i) }

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// dataRoot is the folder the run's temporary directory goes in
// (FLOO_BENCH_DATA, see config).
func dataRoot() string {
	if d := os.Getenv("FLOO_BENCH_DATA"); d != "" {
		return d
	}
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		return "/dev/shm"
	}
	return os.TempDir()
}

// dataRootName says where the server's data is, for the results' header.
func dataRootName() string {
	d := dataRoot()
	if d == "/dev/shm" {
		return "/dev/shm (tmpfs)"
	}
	return d
}
