package bench

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/bus/natstest"
	"github.com/flooim/floo/server/store/postgres/pgtest"
	"github.com/flooim/floo/test/internal/serverproc"
)

// TestMain starts a throw-away PostgreSQL cluster for TestBenchCluster,
// only when that benchmark runs, with PostgreSQL's durability settings on
// (a commit waits for its WAL flush, as SQLite's for its fsync) unless
// FLOO_BENCH_PG_FSYNC=0.
func TestMain(m *testing.M) {
	if os.Getenv("FLOO_BENCH_CLUSTER") == "" {
		os.Exit(m.Run())
	}
	pgtest.Durable = os.Getenv("FLOO_BENCH_PG_FSYNC") != "0"
	os.Exit(pgtest.Main(m))
}

// TestBenchCluster is the server's load scenario (runLoad: 100 pairs of
// generator devices, each sending to its peer) on three setups, each a
// fresh one: one node on SQLite (the default), one node on PostgreSQL,
// and two nodes on one PostgreSQL database and one NATS server, with s_i
// on one node and q_i on the other, so that every message is stored by
// the sender's node and reaches its receiver through the bus and the
// other node. The NATS server is embedded in this process (natstest).
// Run through scripts/bench-e2e.sh cluster (make bench-cluster); without
// FLOO_BENCH_CLUSTER it skips.
//
//	FLOO_BENCH_LOADS      offered loads in msg/s (default 100,250,500,1000)
//	FLOO_BENCH_LOAD_SECS, FLOO_BENCH_SERVER_BIN, FLOO_BENCH_KEEP  as for TestBenchE2E
//	FLOO_BENCH_SETUPS     the setups to run, comma-separated (default sqlite,postgres,two-nodes)
//	FLOO_BENCH_PG_FSYNC=0 PostgreSQL with fsync, synchronous_commit and full_page_writes off, as
//	                      the tests run it (default: on, PostgreSQL's defaults)
func TestBenchCluster(t *testing.T) {
	if os.Getenv("FLOO_BENCH_CLUSTER") == "" {
		t.Skip("the cluster benchmark runs through scripts/bench-e2e.sh cluster (make bench-cluster); see docs/performance.md")
	}
	cfg := config{loads: parseLoads(t, "100,250,500,1000"), loadSecs: envInt("FLOO_BENCH_LOAD_SECS", 5), senders: 100,
		keep: os.Getenv("FLOO_BENCH_KEEP") == "1", serverBin: os.Getenv("FLOO_BENCH_SERVER_BIN")}
	setups := strings.Split(os.Getenv("FLOO_BENCH_SETUPS"), ",")
	if setups[0] == "" {
		setups = []string{"sqlite", "postgres", "two-nodes"}
	}
	dir, err := os.MkdirTemp(dataRoot(), "floo-bench-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.keep {
		t.Logf("keeping %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := serverBin(t, cfg, dir)
	var rows []setupLoad
	for _, setup := range setups {
		loads, err := runSetup(t, cfg, bin, dir, setup)
		if err != nil {
			t.Errorf("%s: %v", setup, err)
		}
		for _, l := range loads {
			rows = append(rows, setupLoad{setup: setup, loadResult: l})
		}
	}
	var b strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "\ncluster benchmark: %s, %d CPUs, %s/%s, %s\n", host, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "server, %d pairs (both ways), lean XSYNC generator, %d s per load; PostgreSQL durable (fsync on): %v\n\n",
		cfg.senders, cfg.loadSecs, pgtest.Durable)
	loadTable(&b, rows)
	fmt.Println(b.String())
}

// runSetup starts the nodes of setup, registers the accounts, connects the
// generators, runs the loads and stops everything. Each setup has its own
// data directories and database.
func runSetup(t *testing.T, cfg config, bin, dir, setup string) ([]loadResult, error) {
	t0 := time.Now()
	sub := dir + "/" + setup
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return nil, err
	}
	addrs := make([]string, 1, 2)
	var args []string
	db := ""
	switch setup {
	case "sqlite":
	case "postgres":
		db = pgtest.NewDatabase(t)
		args = []string{"-db", db}
	case "two-nodes":
		addrs = addrs[:2]
		db = pgtest.NewDatabase(t)
		args = []string{"-db", db, "-bus", natstest.Start(t).URL}
	default:
		return nil, errorf("unknown setup %q: want sqlite, postgres or two-nodes", setup)
	}
	var peers []string
	for i := range addrs {
		a, err := serverproc.FreeAddr()
		if err != nil {
			return nil, err
		}
		addrs[i] = a
		peers = append(peers, "http://"+a)
	}
	if len(addrs) > 1 {
		args = append(args, "-peers", strings.Join(peers, ","))
	}
	var nodes []*serverproc.Proc
	defer func() {
		for _, n := range nodes {
			n.Stop(syscall.SIGTERM)
		}
	}()
	var names []string
	for i := range cfg.senders {
		names = append(names, "s"+itoa(i), "q"+itoa(i))
	}
	e := &env{cfg: cfg, dir: sub, addr: addrs[0], addrQ: addrs[len(addrs)-1], users: map[string]user{}}
	if err := e.seedAccounts(sub+"/node0", db, names); err != nil {
		return nil, err
	}
	for i, a := range addrs {
		n, err := startNode(bin, sub, "node"+itoa(i), a, args...)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	tail := func() string {
		var s string
		for i, n := range nodes {
			s += fmt.Sprintf("\nnode%d log tail:\n%s", i, n.LogTail(20))
		}
		return s
	}
	if err := e.connectGens(); err != nil {
		return nil, errorf("%v%s", err, tail())
	}
	defer func() {
		for _, g := range append(e.gens, e.peers...) {
			g.close()
		}
	}()
	t.Logf("%s: %d node(s), %d accounts and %d generator connections ready in %v", setup, len(nodes), len(names),
		2*cfg.senders, time.Since(t0).Round(time.Millisecond))
	var loads []loadResult
	for _, rate := range cfg.loads {
		lr, err := e.runLoad(rate, time.Duration(cfg.loadSecs)*time.Second)
		if err != nil {
			return loads, errorf("load %d/s: %v%s", rate, err, tail())
		}
		t.Logf("%s: offered %d/s, delivered %d of %d, %.0f/s, p50 %.1f ms, p99 %.1f ms", setup, rate,
			lr.delivered, lr.sent, lr.rate, lr.p50, lr.p99)
		loads = append(loads, lr)
	}
	return loads, nil
}

// seedAccounts registers names on the database of a setup (the SQLite
// file in dataDir, or db) before its nodes start, through the server
// package in this process with bcrypt at its minimum cost. The setup is
// not measured, and 400 hashes (registration, then each generator's
// token) at the default cost take minutes on a busy 2-CPU machine.
func (e *env) seedAccounts(dataDir, db string, names []string) error {
	srv, err := server.New(server.Config{DataDir: dataDir, Database: db, AppID: appID, BcryptCost: bcrypt.MinCost,
		RateLimit: -1, MaxUnauthPerIP: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	hs := httptest.NewServer(srv.Handler())
	defer func() {
		hs.Close()
		srv.Close()
	}()
	return e.register(hs.URL, names)
}
