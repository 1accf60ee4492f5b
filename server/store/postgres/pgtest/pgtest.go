// Package pgtest runs a throw-away PostgreSQL cluster for tests: one per
// test binary (started by Main from TestMain), with a fresh database per
// test (Open). It needs the PostgreSQL server binaries (initdb, pg_ctl);
// without them tests skip, except under CI=true, where they fail so a CI
// image missing PostgreSQL cannot pass silently. scripts/deps.sh installs
// them.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/flooim/floo/server/store/postgres"
)

// cluster is the running cluster of this test binary.
var (
	connBase string // connection string without dbname; "" if not running
	urlBase  string // the same as a URL prefix: urlBase + dbname + urlQuery
	urlQuery string
	admin    *sql.DB // connected to the maintenance database "postgres"
	missing  string  // why there is no cluster
	dbSeq    atomic.Int64
)

// Durable, set before Main, runs the cluster with PostgreSQL's own
// durability settings (fsync, synchronous_commit and full_page_writes on)
// instead of turning them off: a commit then waits for its WAL flush, as
// SQLite's synchronous=FULL waits for its fsync, so that a benchmark
// compares like with like (test/bench). Tests leave it off: the cluster
// dies with the test binary anyway.
var Durable bool

// Main starts a cluster in a temporary directory, runs the tests and stops
// the cluster. Call it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	stop, err := start()
	if err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			return 1
		}
		missing = err.Error()
	}
	code := m.Run()
	if stop != nil {
		stop()
	}
	return code
}

// Open creates a database in the cluster from a migrated template, opens a
// store on it and closes the store when the test ends. It skips the test
// when there is no cluster (outside CI).
func Open(t testing.TB) *postgres.DB {
	t.Helper()
	url := createDatabase(t, templateDB)
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// NewDatabase creates an empty database (no schema) and returns its
// postgres:// URL, what server.Config.Database takes.
func NewDatabase(t testing.TB) string {
	t.Helper()
	return createDatabase(t, "template0")
}

// templateDB is migrated once by start, so a test's database is a file copy
// instead of a run of every migration.
const templateDB = "floo_template"

func createDatabase(t testing.TB, template string) string {
	t.Helper()
	if connBase == "" {
		t.Skipf("pgtest: no PostgreSQL: %s", missing)
	}
	name := fmt.Sprintf("t%d", dbSeq.Add(1))
	if _, err := admin.ExecContext(context.Background(),
		"CREATE DATABASE "+name+" TEMPLATE "+template); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	return urlBase + name + urlQuery
}

// binDir finds the directory of initdb and pg_ctl: $PATH first, then the
// Debian layout /usr/lib/postgresql/<version>/bin, newest version first.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("initdb/pg_ctl not found in $PATH or /usr/lib/postgresql/*/bin (run scripts/deps.sh)")
}

// start runs initdb and pg_ctl start. PostgreSQL refuses to run as root, so
// as root the cluster belongs to the postgres OS user and the commands run
// through runuser.
func start() (stop func(), err error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	var asUser []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root needs the postgres OS user: %w", err)
		}
		var uid, gid int
		fmt.Sscan(u.Uid, &uid)
		fmt.Sscan(u.Gid, &gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(args ...string) error {
		args = append(asUser, args...)
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run(filepath.Join(bin, "initdb"), "-D", data, "-U", "floo", "-A", "trust",
		"-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", port, dir)
	if !Durable {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	if err := run(filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "log"),
		"-o", opts, "-w", "start"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	base := fmt.Sprintf("host=%s port=%d user=floo sslmode=disable", dir, port)
	admin, err = sql.Open("pgx", base+" dbname=postgres")
	if err != nil {
		run(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
		os.RemoveAll(dir)
		return nil, err
	}
	urlBase = "postgres://floo@/"
	urlQuery = fmt.Sprintf("?host=%s&port=%d&sslmode=disable", dir, port)
	if err := migrateTemplate(); err != nil {
		admin.Close()
		run(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
		os.RemoveAll(dir)
		return nil, err
	}
	connBase = base
	return func() {
		admin.Close()
		run(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
		os.RemoveAll(dir)
	}, nil
}

// migrateTemplate creates templateDB with the store's schema.
func migrateTemplate() error {
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+templateDB); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	db, err := postgres.Open(ctx, urlBase+templateDB+urlQuery)
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	return db.Close()
}

// freePort returns a TCP port nobody listens on right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
