//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/native"
	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/server/store/postgres/pgtest"
)

// The tests of this file run several nodes on one PostgreSQL database
// (server/README.md "Running several nodes"); pgtest starts a throw-away
// cluster for the test binary (TestMain).

// freeAddr returns a loopback address with a port free a moment ago: the
// nodes must know each other's URLs (-peers) before they start.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// rest sends a REST request to base and returns the envelope's code and
// data; it fails the test unless the answer is HTTP 200.
func rest(t *testing.T, base, method, path, token string, body any) (int, json.RawMessage) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("access-token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s", method, path)
	var env struct {
		Code int             `json:"code"`
		Data json.RawMessage `json:"data"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
	return env.Code, env.Data
}

// account registers name through base and returns its id and a token.
func account(t *testing.T, base, name, password string) (int64, string) {
	t.Helper()
	code, _ := rest(t, base, "POST", "/user/register/v2", "", map[string]any{"username": name, "password": password})
	require.Equal(t, 200, code)
	code, data := rest(t, base, "POST", "/token/user", "", map[string]any{"name": name, "password": password})
	require.Equal(t, 200, code)
	var td struct {
		Token  string `json:"token"`
		UserID int64  `json:"user_id"`
	}
	require.NoError(t, json.Unmarshal(data, &td))
	return td.UserID, td.Token
}

// uploadChatFile gets a chat-file slot for a message to peer through base,
// uploads content to it and returns the download URL.
func uploadChatFile(t *testing.T, base, token string, peer int64, content []byte) string {
	t.Helper()
	code, data := rest(t, base, "GET", "/file/upload/chat?file_type=102&to_type=1&to_id="+strconv.FormatInt(peer, 10), token, nil)
	require.Equal(t, 200, code, string(data))
	var slot struct {
		UploadURL   string `json:"upload_url"`
		DownloadURL string `json:"download_url"`
	}
	require.NoError(t, json.Unmarshal(data, &slot))
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "notes.txt")
	require.NoError(t, err)
	fw.Write(content)
	require.NoError(t, mw.Close())
	req, err := http.NewRequest("POST", slot.UploadURL, &buf)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("access-token", token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return slot.DownloadURL
}

// download fetches url through the node at base (the URL names the node
// it was issued by) and returns the status and body.
func download(t *testing.T, url, from, base, token string) (int, []byte) {
	t.Helper()
	require.True(t, strings.HasPrefix(url, from), url)
	req, err := http.NewRequest("GET", base+strings.TrimPrefix(url, from), nil)
	require.NoError(t, err)
	req.Header.Set("access-token", token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// TestFilesAcrossNodes: with -files on one shared folder, a file uploaded
// through one node downloads through the other; with each node's own
// folder (the default, data/files) it does not, which is why the shared
// folder is needed.
func TestFilesAcrossNodes(t *testing.T) {
	content := []byte("uploaded through node A, read through node B")
	for _, shared := range []bool{true, false} {
		t.Run("shared="+strconv.FormatBool(shared), func(t *testing.T) {
			url := pgtest.NewDatabase(t)
			files := t.TempDir()
			node := func() *servertest.Env {
				return servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
					c.Database = url
					if shared {
						c.FilesDir = files
					}
				}))
			}
			a, b := node(), node()
			alice := a.NewUser(t, "alice")
			bob := a.NewUser(t, "bob")
			dl := uploadChatFile(t, a.URL, alice.Token, bob.ID, content)
			status, got := download(t, dl, a.URL, b.URL, bob.Token)
			if shared {
				assert.Equal(t, http.StatusOK, status)
				assert.Equal(t, content, got)
			} else {
				assert.Equal(t, http.StatusNotFound, status, "node B has the metadata but not the bytes")
			}
			status, got = download(t, dl, a.URL, a.URL, bob.Token)
			assert.Equal(t, http.StatusOK, status)
			assert.Equal(t, content, got)
		})
	}
}

// urlDialer records the URL of every connection attempt.
type urlDialer struct {
	native.Dialer
	mu   sync.Mutex
	urls []string
}

func (d *urlDialer) Dial(ctx context.Context, url string) (core.Conn, error) {
	d.mu.Lock()
	d.urls = append(d.urls, url)
	d.mu.Unlock()
	return d.Dialer.Dial(ctx, url)
}

func (d *urlDialer) dials() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.urls...)
}

// events collects a client's events for the test to wait on.
type events struct {
	mu  sync.Mutex
	evs []core.Event
}

func (e *events) add(ev core.Event) {
	e.mu.Lock()
	e.evs = append(e.evs, ev)
	e.mu.Unlock()
}

// wait waits for an event that pred accepts, from index from on, and
// returns its index.
func (e *events) wait(t *testing.T, from int, what string, pred func(core.Event) bool) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		e.mu.Lock()
		for i := from; i < len(e.evs); i++ {
			if pred(e.evs[i]) {
				e.mu.Unlock()
				return i
			}
		}
		e.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
	return 0
}

func (e *events) mark() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.evs)
}

// nativeClient logs name in with the SDK on the native transports, using
// the DNS of the node at base.
func nativeClient(t *testing.T, base, name, password string) (*core.Client, *urlDialer, *events) {
	t.Helper()
	d := &urlDialer{}
	evs := &events{}
	cfg, err := native.Defaults(core.Config{
		AppID:          "welovemaxim",
		DNSServer:      base + "/v2/app_dns",
		LogLevel:       core.LogInfo,
		Logger:         clientLog{t},
		RequestTimeout: 10 * time.Second,
		Dialer:         d,
	}, t.TempDir())
	require.NoError(t, err)
	c, err := core.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	c.OnEvent(evs.add)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, c.Login(ctx, name, password))
	return c, d, evs
}

type clientLog struct{ t *testing.T }

func (l clientLog) Log(level core.LogLevel, msg string) { l.t.Logf("client [%s] %s", level, msg) }

// onlineOn reports whether uid has a device with an open session on the
// node at base (presence is per node).
func onlineOn(t *testing.T, base, token string) bool {
	t.Helper()
	code, data := rest(t, base, "GET", "/user/device/list", token, nil)
	require.Equal(t, 200, code)
	var devs []struct {
		Online bool `json:"online"`
	}
	require.NoError(t, json.Unmarshal(data, &devs))
	for _, d := range devs {
		if d.Online {
			return true
		}
	}
	return false
}

// TestDrainMovesClientsToAnotherNode runs two real floo-server processes
// on one PostgreSQL database, with -peers naming both and one shared
// -files folder. A native SDK client logged in through node A is moved to
// node B when A gets SIGTERM: A closes its connection with 1001 and the
// SDK's next attempt goes straight to B (never back to A), its REST calls
// follow, A exits with status 0, and messaging goes on through B. A file
// uploaded through A downloads through B.
func TestDrainMovesClientsToAnotherNode(t *testing.T) {
	dbURL := pgtest.NewDatabase(t)
	files := t.TempDir()
	addrA, addrB := freeAddr(t), freeAddr(t)
	baseA, baseB := "http://"+addrA, "http://"+addrB
	start := func(addr string) *serverProcess {
		return startServerProcess(t, "-addr", addr, "-data", t.TempDir(), "-db", dbURL, "-files", files,
			"-peers", baseA+","+baseB, "-drain-timeout", "10s")
	}
	a := start(addrA)
	b := start(addrB)
	assert.Contains(t, a.Logs(), "peers="+baseA+","+baseB)

	for _, base := range []string{baseA, baseB} {
		resp, err := http.Get(base + "/api/health")
		require.NoError(t, err)
		var h server.Health
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&h))
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, server.Health{Status: "ok", Database: server.ComponentHealth{Status: "ok"},
			Bus: server.ComponentHealth{Status: "in-process"}, Connections: &server.ConnectionCounts{}}, h,
			"healthy, and no connections yet")
	}

	aliceID, aliceTok := account(t, baseA, "alice", "secret-a")
	bobID, bobTok := account(t, baseB, "bob", "secret-b")
	content := []byte("a file of node A")
	dl := uploadChatFile(t, baseA, aliceTok, bobID, content)
	status, got := download(t, dl, baseA, baseB, bobTok)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, content, got, "the shared folder serves A's upload through B")

	alice, aliceDials, aliceEvs := nativeClient(t, baseA, "alice", "secret-a")
	bob, _, bobEvs := nativeClient(t, baseB, "bob", "secret-b")
	require.Equal(t, []string{"ws://" + addrA}, aliceDials.dials(), "A's DNS reply lists A first")
	require.True(t, onlineOn(t, baseA, aliceTok))
	require.True(t, onlineOn(t, baseB, bobTok))
	ratel, _, _ := alice.Servers()
	require.Equal(t, baseA, ratel)

	mark := aliceEvs.mark()
	require.NoError(t, a.cmd.Process.Signal(syscall.SIGTERM))
	aliceEvs.wait(t, mark, "alice logged in again", func(ev core.Event) bool {
		ls, ok := ev.(core.LoginSuccess)
		return ok && ls.Reconnect
	})
	assert.Equal(t, []string{"ws://" + addrA, "ws://" + addrB}, aliceDials.dials(),
		"the first attempt after the drain goes to B")
	require.NoError(t, a.wait(t), "A exits with status 0:\n%s", a.Logs())
	logs := a.Logs()
	assert.Contains(t, logs, "draining")
	assert.NotContains(t, logs, "level=ERROR")
	assert.True(t, onlineOn(t, baseB, aliceTok), "alice is online on B")

	// REST moved with the socket: A is gone, and the call succeeds.
	ratel, _, _ = alice.Servers()
	assert.Equal(t, baseB, ratel)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := alice.Call(ctx, core.RESTRequest{Method: "GET", Path: "/user/profile"})
	require.NoError(t, err)

	bobMark := bobEvs.mark()
	sent, err := alice.SendMessage(ctx, core.Message{To: uint64(bobID), Content: "after the move"})
	require.NoError(t, err)
	assert.NotZero(t, sent.ID)
	bobEvs.wait(t, bobMark, "bob receives the message", func(ev core.Event) bool {
		m, ok := ev.(core.RosterMessage)
		return ok && m.Message.From == uint64(aliceID) && m.Message.Content == "after the move"
	})
	assert.True(t, bob.IsLogin())
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, b.wait(t), "B exits with status 0:\n%s", b.Logs())
}
