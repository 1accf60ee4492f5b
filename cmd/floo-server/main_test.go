package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/store/postgres/pgtest"
)

// childEnv makes the test binary run main() instead of the tests: the
// signal tests start it as a real server process.
const childEnv = "FLOO_SERVER_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
		os.Exit(0)
	}
	// A throw-away PostgreSQL cluster for the tests of several nodes
	// (cluster_test.go).
	os.Exit(pgtest.Main(m))
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseDefaults(t *testing.T) {
	o, err := parse(nil, envOf(nil), &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, options{addr: "127.0.0.1:8080", data: "./data", appID: "welovemaxim", drainTimeout: 10 * time.Second,
		openRegistration: true, pushPages: true, maxUpload: 100 << 20, maxDevices: 10, logLevel: slog.LevelInfo, limits: defaultLimits,
		login: loginOptions{freeFailures: 5, lockout: time.Second, lockoutMax: 15 * time.Minute}}, o)
}

func TestParseLoginThrottle(t *testing.T) {
	env := envOf(map[string]string{"FLOO_LOGIN_FREE_FAILURES": "3", "FLOO_LOGIN_LOCKOUT": "2s",
		"FLOO_LOGIN_LOCKOUT_MAX": "1h"})
	o, err := parse(nil, env, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, loginOptions{freeFailures: 3, lockout: 2 * time.Second, lockoutMax: time.Hour}, o.login)
	o, err = parse([]string{"-login-free-failures", "-1", "-login-lockout-max", "10m"}, env, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, loginOptions{freeFailures: -1, lockout: 2 * time.Second, lockoutMax: 10 * time.Minute}, o.login)

	for _, bad := range [][]string{{"-login-free-failures", "0"}, {"-login-free-failures", "-2"},
		{"-login-lockout", "0s"}, {"-login-lockout", "1m", "-login-lockout-max", "30s"}, {"-login-lockout", "soon"}} {
		_, err := parse(bad, envOf(nil), &bytes.Buffer{})
		assert.Error(t, err, "%v", bad)
	}
}

func TestParseEnvAndFlags(t *testing.T) {
	env := envOf(map[string]string{
		"FLOO_ADDR": ":9000", "FLOO_DATA": "/tmp/x", "FLOO_APP_ID": "envapp",
		"FLOO_OPEN_REGISTRATION": "false", "FLOO_PUSH_PAGES": "false", "FLOO_WEB": "/srv/web",
		"FLOO_PUBLIC_URL": "https://im.example.com", "FLOO_LOG_LEVEL": "debug", "FLOO_MAX_UPLOAD": "5M",
		"FLOO_MAX_DEVICES": "3", "FLOO_DEVICE_RECLAIM_AFTER": "1h", "FLOO_DB": "postgres://floo@db/floo",
	})
	o, err := parse(nil, env, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, options{addr: ":9000", data: "/tmp/x", db: "postgres://floo@db/floo", appID: "envapp", openRegistration: false,
		drainTimeout: 10 * time.Second, web: "/srv/web", publicURL: "https://im.example.com", maxUpload: 5 << 20, maxDevices: 3,
		reclaimAfter: reclaimAfter(time.Hour), logLevel: slog.LevelDebug, limits: defaultLimits,
		login: loginOptions{freeFailures: 5, lockout: time.Second, lockoutMax: 15 * time.Minute}}, o)
	assert.Equal(t, 3, o.serverMaxDevices())

	// Flags win over the environment.
	o, err = parse([]string{"-addr", ":1", "-open-registration", "-log-level", "warn", "-max-upload", "2048",
		"-db", "postgres://other/floo"}, env, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, "postgres://other/floo", o.db)
	assert.Equal(t, ":1", o.addr)
	assert.Equal(t, byteSize(2048), o.maxUpload)
	assert.True(t, o.openRegistration)
	assert.Equal(t, slog.LevelWarn, o.logLevel)
	assert.Equal(t, "envapp", o.appID, "unset flags still fall back")

	o, err = parse([]string{"-max-devices", "0", "-device-reclaim-after", "never"}, env, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, -1, o.serverMaxDevices(), "0 is no limit")
	assert.Equal(t, reclaimAfter(-1), o.reclaimAfter)
	assert.Equal(t, "never", o.reclaimAfter.String())
}

func TestParseClusterFlags(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "peers")
	require.NoError(t, os.WriteFile(list, []byte("# the nodes\nhttps://a.example.com\n\n  https://b.example.com:8443 \n"), 0o644))
	env := envOf(map[string]string{"FLOO_PEERS": "http://10.0.0.1:8080, http://10.0.0.2:8080", "FLOO_FILES": "/mnt/shared/files",
		"FLOO_DRAIN_TIMEOUT": "30s"})
	o, err := parse(nil, env, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, peerList{"http://10.0.0.1:8080", "http://10.0.0.2:8080"}, o.peers)
	assert.Equal(t, "/mnt/shared/files", o.files)
	assert.Equal(t, 30*time.Second, o.drainTimeout)
	o, err = parse([]string{"-peers", "@" + list, "-drain-timeout", "2s"}, env, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, peerList{"https://a.example.com", "https://b.example.com:8443"}, o.peers, "one per line, comments skipped")
	assert.Equal(t, 2*time.Second, o.drainTimeout)
	for _, bad := range [][]string{{"-drain-timeout", "0s"}, {"-peers", "@" + filepath.Join(dir, "missing")}} {
		_, err := parse(bad, envOf(nil), &bytes.Buffer{})
		assert.Error(t, err, "%v", bad)
	}
	// Bad URLs are refused when the server starts.
	err = run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data", dir, "-peers", "ftp://x"}, envOf(nil), &bytes.Buffer{}, nil)
	assert.ErrorContains(t, err, "peer")
}

func TestParseLimits(t *testing.T) {
	env := envOf(map[string]string{
		"FLOO_MAX_CONNS": "500", "FLOO_MAX_UNAUTH_PER_IP": "8", "FLOO_BODY_TIMEOUT": "30s",
		"FLOO_BODY_MIN_RATE": "4K", "FLOO_LOGIN_TIMEOUT": "5s", "FLOO_WS_QUEUE_FRAMES": "100",
		"FLOO_WS_QUEUE_BYTES": "8M", "FLOO_PAGE_BYTES": "512K", "FLOO_TYPING_ITEMS": "10", "FLOO_TYPING_BYTES": "64K",
		"FLOO_SEND_RATE": "200", "FLOO_AUTH_RATE": "600",
	})
	o, err := parse(nil, env, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, limits{maxConns: 500, maxUnauthPerIP: 8, bodyTimeout: 30 * time.Second, bodyMinRate: 4 << 10,
		loginTimeout: 5 * time.Second, queueFrames: 100, queueBytes: 8 << 20, pageBytes: 512 << 10,
		typingItems: 10, typingBytes: 64 << 10, sendRate: 200, authRate: 600}, o.limits)

	o, err = parse([]string{"-max-conns", "-1", "-max-unauth-per-ip", "-1", "-ws-queue-bytes", "1M"}, env, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, -1, o.limits.maxConns)
	assert.Equal(t, -1, o.limits.maxUnauthPerIP)
	assert.Equal(t, byteSize(1<<20), o.limits.queueBytes, "flags win over the environment")
	assert.Equal(t, 10, o.limits.typingItems)
	o, err = parse([]string{"-send-rate", "-1"}, env, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, -1.0, o.limits.sendRate)
	assert.Equal(t, 0, sendBurst(o.limits.sendRate))
	assert.Equal(t, 400, sendBurst(200))

	for _, args := range [][]string{
		{"-max-conns", "-2"}, {"-max-unauth-per-ip", "0"}, {"-body-timeout", "0s"}, {"-login-timeout", "-1s"},
		{"-ws-queue-frames", "0"}, {"-typing-items", "0"}, {"-page-bytes", "0"}, {"-body-min-rate", "fast"},
		{"-send-rate", "0"}, {"-send-rate", "-2"}, {"-auth-rate", "0"},
	} {
		_, err := parse(args, envOf(nil), &bytes.Buffer{})
		assert.Error(t, err, "%v", args)
	}
}

func TestParseErrors(t *testing.T) {
	var out bytes.Buffer
	_, err := parse([]string{"-h"}, envOf(nil), &out)
	assert.ErrorIs(t, err, flag.ErrHelp)
	for _, want := range []string{"-addr", "FLOO_ADDR", "FLOO_DATA", "FLOO_APP_ID", "FLOO_OPEN_REGISTRATION",
		"FLOO_WEB", "FLOO_PUBLIC_URL", "FLOO_LOG_LEVEL", "-max-upload size", "FLOO_MAX_UPLOAD", "(default 100M)",
		"-max-devices", "FLOO_MAX_DEVICES", "(default 10)", "-device-reclaim-after duration", "FLOO_DEVICE_RECLAIM_AFTER",
		"FLOO_MAX_CONNS", "FLOO_MAX_UNAUTH_PER_IP", "(default 64)", "FLOO_BODY_TIMEOUT", "(default 10s)",
		"-body-min-rate size", "(default 1K)", "FLOO_LOGIN_TIMEOUT", "FLOO_WS_QUEUE_FRAMES", "(default 512)",
		"FLOO_WS_QUEUE_BYTES", "(default 4M)", "FLOO_PAGE_BYTES", "FLOO_TYPING_ITEMS", "FLOO_TYPING_BYTES",
		"(default 256K)",
		"FLOO_LOGIN_FREE_FAILURES", "FLOO_LOGIN_LOCKOUT", "FLOO_LOGIN_LOCKOUT_MAX", "(default 15m0s)"} {

		assert.Contains(t, out.String(), want, "-h documents every flag and its variable")
	}
	_, err = parse(nil, envOf(map[string]string{"FLOO_OPEN_REGISTRATION": "maybe"}), &bytes.Buffer{})
	assert.ErrorContains(t, err, "FLOO_OPEN_REGISTRATION")
	_, err = parse(nil, envOf(map[string]string{"FLOO_MAX_UPLOAD": "lots"}), &bytes.Buffer{})
	assert.ErrorContains(t, err, "FLOO_MAX_UPLOAD")
	_, err = parse(nil, envOf(map[string]string{"FLOO_DEVICE_RECLAIM_AFTER": "-5m"}), &bytes.Buffer{})
	assert.ErrorContains(t, err, "FLOO_DEVICE_RECLAIM_AFTER")
	_, err = parse([]string{"-max-devices", "-2"}, envOf(nil), &bytes.Buffer{})
	assert.ErrorContains(t, err, "-max-devices")
	_, err = parse([]string{"-log-level", "loud"}, envOf(nil), &bytes.Buffer{})
	assert.Error(t, err)
	_, err = parse([]string{"extra"}, envOf(nil), &bytes.Buffer{})
	assert.Error(t, err)
}

// syncBuffer is a bytes.Buffer safe for the server's log goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunServesAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	var logs syncBuffer
	data := filepath.Join(t.TempDir(), "data")
	go func() {
		errc <- run(ctx, []string{"-addr", "127.0.0.1:0"}, envOf(map[string]string{"FLOO_DATA": data, "FLOO_APP_ID": "testapp"}), &logs, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-errc:
		t.Fatalf("run: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	base := "http://" + addr

	resp, err := http.Get(base + "/api/health")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)

	resp, err = http.Get(base + "/v2/app_dns?app_id=testapp&source=sdk")
	require.NoError(t, err)
	var rep struct {
		Code int
		Data struct {
			DNSList []struct {
				Clusters []struct {
					Ratel []struct{ Protocol, Host string }
				}
			} `json:"dns_list"`
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rep))
	resp.Body.Close()
	assert.Equal(t, 200, rep.Code)
	require.NotEmpty(t, rep.Data.DNSList)
	assert.Equal(t, addr, rep.Data.DNSList[0].Clusters[0].Ratel[0].Host, "DNS points at the address used")

	resp, err = http.Get(base + "/v2/app_dns?app_id=welovemaxim")
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rep))
	resp.Body.Close()
	assert.Equal(t, 40000, rep.Code, "the configured app id replaces the default")

	cancel()
	select {
	case err := <-errc:
		assert.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("no shutdown")
	}
	assert.Contains(t, logs.String(), "listening")
	assert.Contains(t, logs.String(), "shutting down")
	assert.FileExists(t, filepath.Join(data, "floo.db"))
}

func TestByteSize(t *testing.T) {
	good := map[string]int64{
		"1": 1, "104857600": 100 << 20, "512B": 512, "64K": 64 << 10, "64kb": 64 << 10, "64KiB": 64 << 10,
		"100M": 100 << 20, "100MiB": 100 << 20, " 2G ": 2 << 30, "3gib": 3 << 30,
	}
	for in, want := range good {
		var b byteSize
		require.NoError(t, b.Set(in), in)
		assert.Equal(t, byteSize(want), b, in)
	}
	for _, in := range []string{"", "0", "-1", "M", "1.5M", "10T", "1e6", "9223372036854775807G", "ten"} {
		var b byteSize
		assert.Error(t, b.Set(in), in)
	}
	for v, want := range map[byteSize]string{100 << 20: "100M", 2 << 30: "2G", 3 << 10: "3K", 1000: "1000", 0: "0"} {
		assert.Equal(t, want, v.String())
	}
}

func TestRunBadConfig(t *testing.T) {
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-web", "/does/not/exist", "-data", t.TempDir()}, envOf(nil), &bytes.Buffer{}, nil)
	assert.Error(t, err)
	err = run(context.Background(), []string{"-addr", "256.0.0.1:99999", "-data", t.TempDir()}, envOf(nil), &bytes.Buffer{}, nil)
	assert.Error(t, err)
}

func TestParseBus(t *testing.T) {
	env := envOf(map[string]string{"FLOO_DB": "postgres://floo@db/floo", "FLOO_BUS": "nats://nats:4222"})
	o, err := parse(nil, env, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, "nats://nats:4222", o.bus)
	o, err = parse([]string{"-bus", "nats://a:4222,nats://b:4222"}, env, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, "nats://a:4222,nats://b:4222", o.bus, "the flag wins over the environment")

	_, err = parse([]string{"-bus", "nats://nats:4222"}, envOf(nil), &bytes.Buffer{})
	assert.ErrorContains(t, err, "-db", "the nodes of a bus share a PostgreSQL database")

	var out bytes.Buffer
	_, err = parse([]string{"-h"}, envOf(nil), &out)
	assert.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, out.String(), "-bus url")
	assert.Contains(t, out.String(), "FLOO_BUS")
	assert.Equal(t, "none", busKind(""))
	assert.Equal(t, "nats", busKind("nats://user:secret@nats:4222"), "the log line never shows the URL")
}
