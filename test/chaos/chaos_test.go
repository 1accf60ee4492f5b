package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flooim/floo/test/chaos/proxy"
	"github.com/flooim/floo/test/internal/serverproc"
)

const appID = "welovemaxim"

// config is the run's shape, from the environment (scripts/chaos.sh):
//
//	FLOO_CHAOS=short|long  the run (unset: the test is skipped)
//	FLOO_CHAOS_N           messages per sender at least; 0 = as long as the fault schedule
//	                       runs (short default 0, long default 10000)
//	FLOO_CHAOS_RATE        messages per second per sender (default 20)
//	FLOO_CHAOS_KILLS, FLOO_CHAOS_TERMS  restarts per kind in the short run (default 2 each)
//	FLOO_CHAOS_WASM=0      leave the wasm pair out (reported in the table header)
//	FLOO_CHAOS_PROJECT     project prepared by `node npm/test/e2e/harness.mjs prepare`
//	FLOO_CHAOS_SERVER_BIN  a built floo-server (default: built here)
//	FLOO_CHAOS_SEED        seed of the random choices (default: from the clock, printed)
//	FLOO_CHAOS_KEEP=1      keep the temporary directory (logs of server and clients)
type config struct {
	mode         string
	n            int
	rate         float64
	kills, terms int
	stalls       []time.Duration // one stall scenario each, in the short run; cycled in the long run
	split        time.Duration   // length of the split-and-delay scenario
	settle       time.Duration   // normal traffic after each fault
	down         time.Duration   // how long the server stays down after kill -9
	drain        time.Duration   // bound on the wait for the last acks and deliveries
	wasm         bool
	project      string
	seed         uint64
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

func loadConfig(t *testing.T) config {
	mode := os.Getenv("FLOO_CHAOS")
	if mode == "" {
		t.Skip("the fault-injection suite runs through scripts/chaos.sh (FLOO_CHAOS=short|long); see test/chaos/README.md")
	}
	c := config{mode: mode, rate: 20, wasm: os.Getenv("FLOO_CHAOS_WASM") != "0", project: os.Getenv("FLOO_CHAOS_PROJECT")}
	c.rate = float64(envInt("FLOO_CHAOS_RATE", 20))
	switch mode {
	case "short":
		c.n = envInt("FLOO_CHAOS_N", 0)
		c.kills, c.terms = envInt("FLOO_CHAOS_KILLS", 2), envInt("FLOO_CHAOS_TERMS", 2)
		// One stall the clients ride out, one longer than the stalled-send
		// probe needs to replace the connection (10 s + 10 s, §5).
		c.stalls = []time.Duration{5 * time.Second, 25 * time.Second}
		c.split, c.settle, c.down, c.drain = 8*time.Second, 6*time.Second, time.Second, 75*time.Second
	case "long":
		c.n = envInt("FLOO_CHAOS_N", 10000)
		// 5-40 s, the longest first so that even a short long run has it.
		for _, s := range []int{40, 5, 25, 15, 30, 10, 35, 20} {
			c.stalls = append(c.stalls, time.Duration(s)*time.Second)
		}
		c.split, c.settle, c.down, c.drain = 15*time.Second, 15*time.Second, 2*time.Second, 150*time.Second
	default:
		t.Fatalf("FLOO_CHAOS=%q: want short or long", mode)
	}
	if c.wasm && c.project == "" {
		t.Fatal("FLOO_CHAOS_PROJECT is not set: the wasm pair needs a project made by `node npm/test/e2e/harness.mjs prepare` " +
			"(scripts/chaos.sh does it), or FLOO_CHAOS_WASM=0 to leave the wasm pair out")
	}
	c.seed = uint64(envInt("FLOO_CHAOS_SEED", int(time.Now().UnixNano()%1e9)))
	return c
}

// user is a registered account.
type user struct {
	name, password string
	id             int64
}

// register creates an account directly on the server (setup, not under
// test, so not through the proxy).
func register(base, name, password string) (user, error) {
	id, err := serverproc.Register(base, appID, name, password)
	if err != nil {
		return user{}, err
	}
	return user{name: name, password: password, id: id}, nil
}

// sender is what the traffic loop drives: a pair of clients.
type sender interface {
	send(side string, seq int)
}

// step is one fault of the schedule.
type step struct {
	name string
	run  func() error // applies the fault and returns when it is over
	// settle, when set, replaces the configured settle time after the
	// fault: a blackhole "ends" at once (new connections work) and its
	// recovery is the time the clients take to notice it.
	settle time.Duration
}

func TestChaos(t *testing.T) {
	cfg := loadConfig(t)
	dir, err := os.MkdirTemp("", "floo-chaos-")
	if err != nil {
		t.Fatal(err)
	}
	keep := os.Getenv("FLOO_CHAOS_KEEP") == "1"
	logsHint := "rerun with FLOO_CHAOS_KEEP=1 to keep the server and client logs"
	if keep {
		logsHint = "server and client logs in " + dir
		t.Logf("keeping %s (server and client logs)", dir)
	} else {
		t.Cleanup(func() { os.RemoveAll(dir) })
	}
	rng := rand.New(rand.NewPCG(cfg.seed, 1))
	run := strconv.FormatUint(cfg.seed, 36)
	t.Logf("mode %s, seed %d, %.0f msg/s per sender, n %d, wasm pair %v", cfg.mode, cfg.seed, cfg.rate, cfg.n, cfg.wasm)

	// The server, on a fixed address so that restarts keep it; the proxy
	// in front of it, whose address the server advertises in DNS.
	serverAddr := freeAddr(t)
	px, err := proxy.Listen("127.0.0.1:0", serverAddr, cfg.seed)
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	proxyBase := "http://" + px.Addr()
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	srv := &serverproc.Proc{Bin: buildServer(t, dir), Addr: serverAddr, Data: filepath.Join(dir, "data"), PublicURL: proxyBase, Log: logf}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if srv.Alive() {
			srv.Stop(syscall.SIGTERM)
		}
	}()
	failNow := func(format string, args ...any) {
		t.Helper()
		t.Fatalf(format+"\nserver log tail:\n%s", append(args, srv.LogTail(40))...)
	}

	l := newLedger(run)
	dns := proxyBase + "/v2/app_dns"
	newUsers := func(pair string) [2]user {
		var us [2]user
		for i, side := range []string{"a", "b"} {
			name := "chaos" + run + pair + side
			u, err := register("http://"+serverAddr, name, "secret-"+name)
			if err != nil {
				failNow("%v", err)
			}
			us[i] = u
		}
		return us
	}
	ctx := context.Background()
	pairs := []string{"native"}
	senders := map[string]sender{}
	np, err := startNativePair(ctx, "native", dir, dns, newUsers("native"), l)
	if err != nil {
		failNow("%v", err)
	}
	defer np.close()
	senders["native"] = np
	var wp *wasmPair
	if cfg.wasm {
		wp, err = startWasmPair("wasm", dir, cfg.project, dns, newUsers("wasm"), l)
		if err != nil {
			failNow("%v", err)
		}
		defer wp.close()
		senders["wasm"] = wp
		pairs = append(pairs, "wasm")
	}

	// The traffic: every side of every pair sends at cfg.rate until told
	// to stop, which is after the schedule (short run) or once every
	// sender has sent cfg.n and a whole round of faults has run (long
	// run): traffic never stops while a fault is applied or settles.
	stop := make(chan struct{})
	stopSending := sync.OnceFunc(func() { close(stop) })
	var sendersDone sync.WaitGroup
	// On a fatal error the senders stop before the clients close.
	defer func() {
		stopSending()
		sendersDone.Wait()
	}()
	var remaining sync.WaitGroup // senders that have not reached cfg.n
	for _, name := range pairs {
		for _, side := range []string{"a", "b"} {
			sendersDone.Add(1)
			remaining.Add(1)
			go func() {
				defer sendersDone.Done()
				tick := time.NewTicker(time.Duration(float64(time.Second) / cfg.rate))
				defer tick.Stop()
				reached := false
				defer func() {
					if !reached {
						remaining.Done()
					}
				}()
				for seq := 1; ; seq++ {
					select {
					case <-stop:
						return
					case <-tick.C:
					}
					l.requested(name, side, seq)
					senders[name].send(side, seq)
					if seq == cfg.n {
						reached = true
						remaining.Done()
					}
				}
			}()
		}
	}
	allSent := make(chan struct{})
	go func() {
		remaining.Wait()
		close(allSent)
	}()

	// The faults.
	sleep := func(d time.Duration) { time.Sleep(d) }
	restart := func(sig syscall.Signal, down time.Duration) func() error {
		return func() error {
			if err := srv.Stop(sig); err != nil {
				return err
			}
			sleep(down)
			return srv.Start()
		}
	}
	cut := step{name: "proxy cut", run: func() error {
		px.Cut()
		return nil
	}}
	stall := func(d time.Duration) step {
		return step{name: "proxy stall " + d.String(), run: func() error {
			px.Stall()
			sleep(d)
			px.Resume()
			return nil
		}}
	}
	split := step{name: "split+delay", run: func() error {
		px.SetSplit(7)
		px.SetDelay(time.Duration(20+rng.IntN(80)) * time.Millisecond)
		sleep(cfg.split)
		px.SetSplit(0)
		px.SetDelay(0)
		return nil
	}}
	// A blackhole silences the open connections for good while new ones
	// work: the clients must notice the silence while they send (the
	// stalled-send probe, PROTOCOL.md §5) and reconnect. Its recovery time
	// counts from the moment the connections went silent.
	blackhole := step{name: "blackhole", run: func() error {
		px.Blackhole()
		return nil
	}, settle: 40 * time.Second}
	kill := step{name: "kill -9", run: restart(syscall.SIGKILL, cfg.down)}
	term := step{name: "SIGTERM", run: restart(syscall.SIGTERM, 0)}

	var schedule []step
	schedule = append(schedule, cut)
	if cfg.mode == "short" {
		for _, d := range cfg.stalls {
			schedule = append(schedule, stall(d))
		}
		schedule = append(schedule, split, blackhole)
		for range cfg.kills {
			schedule = append(schedule, kill)
		}
		for range cfg.terms {
			schedule = append(schedule, term)
		}
	}
	sleep(3 * time.Second) // baseline
	done := func() bool {
		select {
		case <-allSent:
			return true
		default:
			return false
		}
	}
rounds:
	for round := 0; ; round++ {
		if cfg.mode == "long" {
			// One round: each kind of fault once, the stall length cycling
			// through 5-40 s.
			schedule = []step{cut, stall(cfg.stalls[round%len(cfg.stalls)]), split, blackhole, kill, term}
		}
		for _, st := range schedule {
			if round > 0 && done() {
				break rounds
			}
			if !srv.Alive() {
				failNow("floo-server died on its own before %s", st.name)
			}
			l.beginPhase(st.name)
			t.Logf("%s: %s", time.Now().Format(time.TimeOnly), st.name)
			if err := st.run(); err != nil {
				failNow("%s: %v", st.name, err)
			}
			l.faultEnded()
			if st.settle > 0 {
				sleep(st.settle)
			} else {
				sleep(cfg.settle)
			}
			if wp != nil {
				if msg := wp.fatalError(); msg != "" {
					t.Errorf("wasm pair: %s", msg)
				}
			}
		}
		if cfg.n == 0 || done() {
			break
		}
	}
	stopSending()
	sendersDone.Wait()

	// Drain: every send must end acknowledged and delivered.
	deadline := time.Now().Add(cfg.drain)
	var why string
	for {
		ok, w := l.settled()
		why = w
		if ok || time.Now().After(deadline) {
			break
		}
		sleep(250 * time.Millisecond)
	}
	t.Logf("after the drain: %s", why)

	var out strings.Builder
	fmt.Fprintf(&out, "\ndelivery under faults (%s run, seed %d, %.0f msg/s per sender, %d server starts, %d proxied connections)\n",
		cfg.mode, cfg.seed, cfg.rate, srv.Starts(), px.Accepted.Load())
	if !cfg.wasm {
		fmt.Fprintln(&out, "the wasm pair was left out (FLOO_CHAOS_WASM=0)")
	}
	ok := l.print(&out, pairs)
	fmt.Fprintln(os.Stdout, out.String())
	if !ok {
		t.Errorf("delivery under faults broke its promise: lost, duplicated, reordered, failed or unacknowledged sends above (%s)", logsHint)
	}
}
