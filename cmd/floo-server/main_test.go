package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseDefaults(t *testing.T) {
	o, err := parse(nil, envOf(nil), &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, options{addr: "127.0.0.1:8080", data: "./data", appID: "welovemaxim",
		openRegistration: true, logLevel: slog.LevelInfo}, o)
}

func TestParseEnvAndFlags(t *testing.T) {
	env := envOf(map[string]string{
		"FLOO_ADDR": ":9000", "FLOO_DATA": "/tmp/x", "FLOO_APP_ID": "envapp",
		"FLOO_OPEN_REGISTRATION": "false", "FLOO_WEB": "/srv/web",
		"FLOO_PUBLIC_URL": "https://im.example.com", "FLOO_LOG_LEVEL": "debug",
	})
	o, err := parse(nil, env, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, options{addr: ":9000", data: "/tmp/x", appID: "envapp", openRegistration: false,
		web: "/srv/web", publicURL: "https://im.example.com", logLevel: slog.LevelDebug}, o)

	// Flags win over the environment.
	o, err = parse([]string{"-addr", ":1", "-open-registration", "-log-level", "warn"}, env, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, ":1", o.addr)
	assert.True(t, o.openRegistration)
	assert.Equal(t, slog.LevelWarn, o.logLevel)
	assert.Equal(t, "envapp", o.appID, "unset flags still fall back")
}

func TestParseErrors(t *testing.T) {
	var out bytes.Buffer
	_, err := parse([]string{"-h"}, envOf(nil), &out)
	assert.ErrorIs(t, err, flag.ErrHelp)
	for _, want := range []string{"-addr", "FLOO_ADDR", "FLOO_DATA", "FLOO_APP_ID", "FLOO_OPEN_REGISTRATION",
		"FLOO_WEB", "FLOO_PUBLIC_URL", "FLOO_LOG_LEVEL"} {
		assert.Contains(t, out.String(), want, "-h documents every flag and its variable")
	}
	_, err = parse(nil, envOf(map[string]string{"FLOO_OPEN_REGISTRATION": "maybe"}), &bytes.Buffer{})
	assert.ErrorContains(t, err, "FLOO_OPEN_REGISTRATION")
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

func TestRunBadConfig(t *testing.T) {
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-web", "/does/not/exist", "-data", t.TempDir()}, envOf(nil), &bytes.Buffer{}, nil)
	assert.Error(t, err)
	err = run(context.Background(), []string{"-addr", "256.0.0.1:99999", "-data", t.TempDir()}, envOf(nil), &bytes.Buffer{}, nil)
	assert.Error(t, err)
}
