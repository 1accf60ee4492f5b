package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/dns"
	"github.com/flooim/floo/server/ratel"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/server/store"
)

func send(t *testing.T, method, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func TestCORS(t *testing.T) {
	env := servertest.Start(t)
	resp, _ := send(t, "OPTIONS", env.URL+"/user/profile", map[string]string{
		"Origin":                         "https://app.example",
		"Access-Control-Request-Method":  "POST",
		"Access-Control-Request-Headers": "app_id, access-token, content-type, x-custom",
	})
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "https://app.example", resp.Header.Get("Access-Control-Allow-Origin"))
	allowH := resp.Header.Get("Access-Control-Allow-Headers")
	for _, h := range []string{"app_id", "access-token", "content-type", "x-custom"} {
		assert.Contains(t, allowH, h)
	}
	allowM := resp.Header.Get("Access-Control-Allow-Methods")
	for _, m := range []string{"GET", "POST", "PUT", "DELETE", "OPTIONS"} {
		assert.Contains(t, allowM, m)
	}

	// Actual responses of every kind carry the header.
	for _, p := range []string{"/", "/api/health", "/v2/app_dns?app_id=welovemaxim", "/user/profile", "/app/config", "/nope"} {
		resp, _ := send(t, "GET", env.URL+p, map[string]string{"Origin": "http://localhost:5173"})
		assert.Equal(t, "http://localhost:5173", resp.Header.Get("Access-Control-Allow-Origin"), p)
		resp, _ = send(t, "GET", env.URL+p, nil)
		assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"), p)
	}
	resp, _ = send(t, "OPTIONS", env.URL+"/anything", nil)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode, "bare OPTIONS")
}

func TestRootAndHealth(t *testing.T) {
	env := servertest.Start(t)
	start := time.Now()
	resp, body := send(t, "GET", env.URL+"/", nil)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "floo\n", body)
	assert.Less(t, time.Since(start), 2*time.Second)
	resp, _ = send(t, "GET", env.URL+"/api/health", nil)
	assert.Equal(t, 200, resp.StatusCode)
	var data map[string]any
	env.OK(t, "GET", "/v2/app_dns", "", map[string]any{"app_id": env.AppID}, &data)
	assert.Contains(t, data, "dns_list")
}

func TestStaticWebDir(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>hi</h1>"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "assets"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "assets", "app.js"), []byte("console.log(1)"), 0o644))
	// A file shadowing a REST path must not win over the API.
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "app"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app", "config"), []byte("static"), 0o644))
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.WebDir = dir }))

	resp, body := send(t, "GET", env.URL+"/", nil)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "<h1>hi</h1>", body)
	resp, body = send(t, "GET", env.URL+"/assets/app.js", nil)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "console.log(1)", body)
	assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
	code, _ := env.Do(t, "GET", "/app/config", "", nil)
	assert.Equal(t, ratel.CodeOK, code, "REST routes win over files")
	resp, body = send(t, "GET", env.URL+"/missing.js", nil)
	assert.Equal(t, 404, resp.StatusCode)
	assert.Contains(t, body, `"code":404`, "missing files get the JSON 404")
	resp, _ = send(t, "GET", env.URL+"/../../etc/passwd", nil)
	assert.NotEqual(t, 200, resp.StatusCode)

	_, err := server.New(server.Config{DataDir: t.TempDir(), WebDir: filepath.Join(dir, "nope")})
	assert.Error(t, err)
}

// A file with a .br or .gz sibling is sent precompressed to clients that
// accept the encoding, with the type of the file itself; hashed names are
// cached for a year, the rest revalidated.
func TestStaticPrecompressed(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	write("index.html", "<h1>hi</h1>")
	write("floo.wasm", "\x00asm raw")
	write("floo.wasm.br", "brotli bytes")
	write("floo.wasm.gz", "gzip bytes")
	write("assets/index-B1x9a_Qz.js", "js")
	write("assets/index-B1x9a_Qz.js.gz", "js gzip")
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.WebDir = dir }))

	cases := []struct {
		path, accept, body, encoding, ctype, cache string
	}{
		{"/floo.wasm", "gzip, deflate, br, zstd", "brotli bytes", "br", "application/wasm", "no-cache"},
		{"/floo.wasm", "gzip", "gzip bytes", "gzip", "application/wasm", "no-cache"},
		{"/floo.wasm", "br;q=0, gzip;q=0.5", "gzip bytes", "gzip", "application/wasm", "no-cache"},
		{"/floo.wasm", "identity", "\x00asm raw", "", "application/wasm", "no-cache"},
		{"/assets/index-B1x9a_Qz.js", "br, gzip", "js gzip", "gzip", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"/assets/index-B1x9a_Qz.js", "identity", "js", "", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"/", "br", "<h1>hi</h1>", "", "text/html; charset=utf-8", "no-cache"},
	}
	for _, c := range cases {
		// Set explicitly, so that Go's client does not ask for gzip and decode it itself.
		resp, body := send(t, "GET", env.URL+c.path, map[string]string{"Accept-Encoding": c.accept})
		what := c.path + " with " + c.accept
		require.Equal(t, 200, resp.StatusCode, what)
		assert.Equal(t, c.body, body, what)
		assert.Equal(t, c.encoding, resp.Header.Get("Content-Encoding"), what)
		assert.Equal(t, c.ctype, resp.Header.Get("Content-Type"), what)
		assert.Equal(t, c.cache, resp.Header.Get("Cache-Control"), what)
		if c.path != "/" {
			assert.Equal(t, "Accept-Encoding", resp.Header.Get("Vary"), what)
		} else {
			assert.Empty(t, resp.Header.Get("Vary"), "no sibling, no Vary")
		}
	}
	// The siblings themselves stay reachable as plain files.
	resp, body := send(t, "GET", env.URL+"/floo.wasm.br", nil)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "brotli bytes", body)
	assert.Empty(t, resp.Header.Get("Content-Encoding"))
}

func TestNewErrors(t *testing.T) {
	_, err := server.New(server.Config{DataDir: t.TempDir(), PublicURL: "not a url"})
	assert.Error(t, err)
	_, err = server.New(server.Config{DataDir: t.TempDir(), MaxUploadBytes: -1})
	assert.Error(t, err)
	_, err = server.New(server.Config{DataDir: t.TempDir(), NewGateway: func(server.GatewayDeps) (server.Gateway, error) {
		return nil, errors.New("no gateway today")
	}})
	assert.ErrorContains(t, err, "no gateway today")
}

func TestWebSocketWithoutGateway(t *testing.T) {
	env := servertest.Start(t, servertest.WithGateway(func(server.GatewayDeps) (server.Gateway, error) { return nil, nil }))
	upgrade := map[string]string{"Connection": "keep-alive, Upgrade", "Upgrade": "websocket"}
	resp, _ := send(t, "GET", env.URL+"/", upgrade)
	assert.Equal(t, http.StatusNotImplemented, resp.StatusCode)

	// The default gateway (fireplace) takes upgrades; this one lacks a key.
	def := servertest.Start(t)
	resp, _ = send(t, "GET", def.URL+"/", upgrade)
	assert.NotEqual(t, http.StatusNotImplemented, resp.StatusCode)
}

// fakeGateway records what the server routes to it.
type fakeGateway struct {
	ratel.NopNotifier
	served atomic.Int32
	closed atomic.Bool
	deps   server.GatewayDeps
}

func (g *fakeGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.served.Add(1)
	w.WriteHeader(http.StatusTeapot)
}

func (g *fakeGateway) Close() error { g.closed.Store(true); return nil }

func TestGatewayHook(t *testing.T) {
	gw := &fakeGateway{}
	env := servertest.Start(t, servertest.WithGateway(func(d server.GatewayDeps) (server.Gateway, error) {
		gw.deps = d
		return gw, nil
	}))
	assert.NotNil(t, gw.deps.Store)
	assert.Equal(t, "welovemaxim", gw.deps.AppID)

	resp, _ := send(t, "GET", env.URL+"/", map[string]string{"Connection": "Upgrade", "Upgrade": "WebSocket"})
	assert.Equal(t, http.StatusTeapot, resp.StatusCode)
	resp, _ = send(t, "GET", env.URL+"/socket.io/?EIO=3&transport=websocket", map[string]string{"Connection": "Upgrade", "Upgrade": "websocket"})
	assert.Equal(t, http.StatusTeapot, resp.StatusCode, "any path upgrades")
	assert.Equal(t, int32(2), gw.served.Load())

	// REST notices reach both the gateway and the test recorder.
	u := env.NewUser(t, "pat")
	env.OK(t, "POST", "/user/nickname", u.Token, map[string]any{"nick_name": "P"}, nil)
	assert.Len(t, gw.Notices(), 1)
	assert.Len(t, env.Notices.Notices(), 1)

	require.NoError(t, env.Server.Close())
	assert.True(t, gw.closed.Load())
}

func TestRestartKeepsData(t *testing.T) {
	env := servertest.Start(t)
	u := env.NewUser(t, "quinn")
	env.OK(t, "POST", "/user/nickname", u.Token, map[string]any{"nick_name": "Q"}, nil)
	url := env.URL
	env.Restart(t)
	assert.Equal(t, url, env.URL, "the address is kept")
	var p ratel.Profile
	env.OK(t, "GET", "/user/profile", u.Token, nil, &p)
	assert.Equal(t, "Q", p.NickName, "tokens and data survive a restart")
	assert.Equal(t, u.ID, p.UserID)
	id, err := env.Server.Store().NextEntityID(context.Background())
	require.NoError(t, err)
	assert.Greater(t, id, u.ID, "the id sequence continues")
}

func TestJanitorSweepsAtStart(t *testing.T) {
	now := time.Now()
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.Now = func() time.Time { return now } }))
	u := env.NewUser(t, "rex")
	st := env.Server.Store()
	ctx := context.Background()
	require.NoError(t, st.CreateToken(ctx, store.Token{Hash: store.HashToken("old"), UserID: u.ID,
		CreatedAt: 1, ExpiresAt: now.Add(-time.Minute).UnixMilli()}))
	_, _, err := st.RegisterDevice(ctx, store.DeviceRegistration{UserID: u.ID, GUID: "stale",
		Now: now.Add(-91 * 24 * time.Hour).UnixMilli()})
	require.NoError(t, err)
	_, _, err = st.RegisterDevice(ctx, store.DeviceRegistration{UserID: u.ID, GUID: "fresh",
		Now: now.Add(-89 * 24 * time.Hour).UnixMilli()})
	require.NoError(t, err)

	env.Restart(t)
	st = env.Server.Store()
	require.Eventually(t, func() bool {
		devs, err := st.ListDevices(ctx, u.ID)
		return err == nil && len(devs) == 1 && devs[0].GUID == "fresh"
	}, 10*time.Second, 20*time.Millisecond)
	n, err := st.DeleteExpiredTokens(ctx, now.UnixMilli())
	require.NoError(t, err)
	assert.Zero(t, n, "the expired token was already swept")
	code, _ := env.Do(t, "GET", "/user/profile", u.Token, nil)
	assert.Equal(t, ratel.CodeOK, code, "valid tokens are kept")
}

// TestAdvertisedAddressesAgree checks that the DNS reply and the upload and
// download URLs the REST API hands out name the same base address: the one
// the client used (through a proxy's forwarded headers), or the configured
// public URL.
func TestAdvertisedAddressesAgree(t *testing.T) {
	get := func(t *testing.T, env *servertest.Env, path, token string, hdr map[string]string, out any) {
		t.Helper()
		req, err := http.NewRequest("GET", env.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("app_id", env.AppID)
		if token != "" {
			req.Header.Set("access-token", token)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := env.Client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var reply struct {
			Code int
			Data json.RawMessage
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&reply))
		require.Equal(t, 200, reply.Code, path)
		require.NoError(t, json.Unmarshal(reply.Data, out))
	}
	users := 0
	check := func(t *testing.T, env *servertest.Env, hdr map[string]string, wantBase string) {
		t.Helper()
		users++
		u := env.NewUser(t, "user"+strconv.Itoa(users))
		var d dns.Data
		get(t, env, "/v2/app_dns?app_id="+env.AppID, "", hdr, &d)
		c := d.DNSList[0].Clusters[0]
		for _, h := range [][]dns.Host{c.Ratel, c.Webim, c.RTC} {
			assert.Equal(t, wantBase, h[0].Protocol+"://"+h[0].Host)
		}
		var slot ratel.UploadSlot
		get(t, env, "/file/upload/avatar/user", u.Token, hdr, &slot)
		assert.True(t, strings.HasPrefix(slot.UploadURL, wantBase+"/file/upload/put/"), slot.UploadURL)
		assert.True(t, strings.HasPrefix(slot.DownloadURL, wantBase+"/file/download/avatar?"), slot.DownloadURL)
	}

	t.Run("as the client connected", func(t *testing.T) {
		env := servertest.Start(t)
		check(t, env, nil, env.URL)
		check(t, env, map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "chat.example.com, proxy"},
			"https://chat.example.com")
	})
	t.Run("public URL", func(t *testing.T) {
		env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
			c.PublicURL = "https://im.example.com:8443/floo/"
		}))
		check(t, env, map[string]string{"X-Forwarded-Host": "ignored.example.com"}, "https://im.example.com:8443/floo")
	})
}
