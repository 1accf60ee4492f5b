package servertest

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/ratel"
	"golang.org/x/crypto/bcrypt"
)

// Env is a running server. Its fields stay valid across Restart except
// Server, which is replaced.
type Env struct {
	// URL is the base URL, e.g. "http://127.0.0.1:41234". Restart keeps it.
	URL string
	// AppID is the app id the server accepts.
	AppID string
	// DataDir is the server's data directory.
	DataDir string
	// Server is the running server (its Store, API…).
	Server *server.Server
	// Notices records every notice and kick the REST API emits.
	Notices *ratel.NopNotifier
	// Client is the HTTP client the helpers use.
	Client *http.Client

	cfg  server.Config
	http *httptest.Server
	addr string
}

// Option adjusts the server configuration before Start.
type Option func(*server.Config)

// WithConfig lets a test change any server.Config field (DataDir, Notifier
// and the logger are set by Start unless the option sets them).
func WithConfig(f func(*server.Config)) Option { return Option(f) }

// WithGateway plugs an XSYNC gateway constructor into the server.
func WithGateway(f func(server.GatewayDeps) (server.Gateway, error)) Option {
	return func(c *server.Config) { c.NewGateway = f }
}

// Start runs a server for the duration of the test. Defaults that differ
// from production: bcrypt at its minimum cost, no per-IP rate limit, logs
// at Warn level through t.Log, and the gateway tells new entries with
// Notices only (fireplace.Config.NoPush), since the xsynctest clients of
// these tests script the Notice → pull exchange step by step (a test of
// pushes, or one whose gateway is built by WithGateway, decides for
// itself). The per-account login throttle keeps its production setting
// (5 free failures per account).
func Start(t testing.TB, opts ...Option) *Env {
	t.Helper()
	e := &Env{Notices: &ratel.NopNotifier{}, Client: &http.Client{Timeout: 30 * time.Second}}
	e.cfg = server.Config{
		DataDir:    t.TempDir(),
		BcryptCost: bcrypt.MinCost,
		RateLimit:  -1,
		Logger:     slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	e.cfg.Fireplace.NoPush = true
	for _, o := range opts {
		o(&e.cfg)
	}
	if e.cfg.Notifier != nil {
		e.cfg.Notifier = ratel.MultiNotifier(e.Notices, e.cfg.Notifier)
	} else {
		e.cfg.Notifier = e.Notices
	}
	if e.cfg.AppID == "" {
		e.cfg.AppID = "welovemaxim"
	}
	e.AppID, e.DataDir = e.cfg.AppID, e.cfg.DataDir
	e.start(t, "127.0.0.1:0")
	t.Cleanup(func() { e.stop() })
	return e
}

func (e *Env) start(t testing.TB, addr string) {
	t.Helper()
	srv, err := server.New(e.cfg)
	if err != nil {
		t.Fatalf("servertest: server.New: %v", err)
	}
	var ln net.Listener
	// Restart reuses the port so clients can reconnect to the same URL;
	// the old socket may linger a moment.
	for i := 0; ; i++ {
		ln, err = net.Listen("tcp", addr)
		if err == nil || i == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		srv.Close()
		t.Fatalf("servertest: listen %s: %v", addr, err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Listener.Close()
	hs.Listener = srv.Listener(ln)
	hs.Start()
	e.Server, e.http, e.addr, e.URL = srv, hs, ln.Addr().String(), hs.URL
}

func (e *Env) stop() {
	if e.http == nil {
		return
	}
	e.http.CloseClientConnections()
	e.http.Close()
	e.Server.Close()
	e.http = nil
	e.Client.CloseIdleConnections()
}

// Restart closes the server and opens a new one on the same data directory
// and address, as after a crash-free restart (durability tests).
func (e *Env) Restart(t testing.TB) {
	t.Helper()
	e.stop()
	e.start(t, e.addr)
}

// Do sends a REST request with the app_id header and, when token is not
// empty, the access-token header. params go in the query string for GET and
// as a JSON body otherwise (a url.Values always goes in the query string).
// It fails the test unless the reply is HTTP 200 with a JSON envelope, and
// returns the envelope's code and raw data.
func (e *Env) Do(t testing.TB, method, path, token string, params any) (code int, data json.RawMessage) {
	t.Helper()
	resp, env := e.DoRaw(t, method, path, token, params)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("servertest: %s %s: HTTP %d: %s", method, path, resp.StatusCode, env.Message)
	}
	return env.Code, env.Data
}

// Reply is a decoded envelope.
type Reply struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
	// Raw is the whole body, for envelope siblings (cursor…).
	Raw json.RawMessage `json:"-"`
}

// DoRaw is Do without the HTTP 200 requirement: it returns the response
// (body already read) and the decoded envelope.
func (e *Env) DoRaw(t testing.TB, method, path, token string, params any) (*http.Response, Reply) {
	t.Helper()
	u := e.URL + path
	var body io.Reader
	if vals, ok := params.(url.Values); ok {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + vals.Encode()
	} else if params != nil && (method == http.MethodGet || method == http.MethodHead) {
		b, err := json.Marshal(params)
		if err != nil {
			t.Fatalf("servertest: params: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("servertest: GET params must be an object: %v", err)
		}
		q := url.Values{}
		for k, v := range m {
			q.Set(k, scalar(v))
		}
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + q.Encode()
	} else if params != nil {
		b, err := json.Marshal(params)
		if err != nil {
			t.Fatalf("servertest: params: %v", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatalf("servertest: %v", err)
	}
	req.Header.Set("app_id", e.AppID)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("access-token", token)
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatalf("servertest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("servertest: %s %s: read: %v", method, path, err)
	}
	var env Reply
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("servertest: %s %s: HTTP %d, not a JSON envelope: %q", method, path, resp.StatusCode, raw)
	}
	env.Raw = raw
	return resp, env
}

// scalar renders a JSON value for a query string (numbers without exponent).
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconvFloat(x)
	case nil:
		return ""
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// OK is Do that also requires code 200 and decodes data into out (if not nil).
func (e *Env) OK(t testing.TB, method, path, token string, params, out any) {
	t.Helper()
	code, data := e.Do(t, method, path, token, params)
	if code != ratel.CodeOK {
		t.Fatalf("servertest: %s %s: code %d, data %s", method, path, code, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("servertest: %s %s: decode data %s: %v", method, path, data, err)
		}
	}
}

// Register creates an account through /user/register/v2 and returns its uid.
func (e *Env) Register(t testing.TB, name, password string) int64 {
	t.Helper()
	var s struct {
		UserID int64 `json:"user_id"`
	}
	e.OK(t, "POST", "/user/register/v2", "", map[string]any{"username": name, "password": password}, &s)
	if s.UserID == 0 {
		t.Fatalf("servertest: register %s: no user_id", name)
	}
	return s.UserID
}

// Token logs in through /token/user and returns the access token.
func (e *Env) Token(t testing.TB, name, password string) string {
	t.Helper()
	return e.Login(t, name, password, "").Token
}

// Login logs in through /token/user with an optional device_guid.
func (e *Env) Login(t testing.TB, name, password, deviceGUID string) ratel.TokenData {
	t.Helper()
	p := map[string]any{"name": name, "password": password}
	if deviceGUID != "" {
		p["device_guid"] = deviceGUID
	}
	var td ratel.TokenData
	e.OK(t, "POST", "/token/user", "", p, &td)
	if td.Token == "" {
		t.Fatalf("servertest: login %s: empty token", name)
	}
	return td
}

// User is a registered, logged-in test user.
type User struct {
	ID       int64
	Name     string
	Password string
	Token    string
}

// NewUser registers name (password "secret-<name>") and logs it in.
func (e *Env) NewUser(t testing.TB, name string) User {
	t.Helper()
	pw := "secret-" + name
	id := e.Register(t, name, pw)
	return User{ID: id, Name: name, Password: pw, Token: e.Token(t, name, pw)}
}

// tWriter sends log lines to t.Log.
type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
