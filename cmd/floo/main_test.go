package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/flooim/floo/core/native"
	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/servertest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// buffer is a goroutine-safe output that tests can wait on.
type buffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	wake chan struct{}
}

func newBuffer() *buffer { return &buffer{wake: make(chan struct{})} }

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.wake)
	b.wake = make(chan struct{})
	return b.b.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// waitFor waits until the output contains s.
func (b *buffer) waitFor(t *testing.T, s string) {
	t.Helper()
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	for {
		b.mu.Lock()
		ok, wake := strings.Contains(b.b.String(), s), b.wake
		b.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-wake:
		case <-timeout.C:
			t.Fatalf("output never contained %q; got:\n%s", s, b.String())
		}
	}
}

// result is one run of the command.
type result struct {
	code           int
	stdout, stderr string
}

// floo runs the command with env as its whole environment.
func floo(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return flooIn(t, nil, env, args...)
}

// flooIn is floo with stdin as the standard input.
func flooIn(t *testing.T, stdin io.Reader, env map[string]string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	code := runIn(ctx, args, stdin, &out, &errOut, func(k string) string { return env[k] })
	return result{code, out.String(), errOut.String()}
}

// run is the program without standard input.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return runIn(ctx, args, nil, stdout, stderr, getenv)
}

func decode[T any](t *testing.T, line string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(line), &v), "output %q", line)
	return v
}

func lines(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestUsage(t *testing.T) {
	env := map[string]string{"FLOO_HOME": t.TempDir()}
	r := floo(t, env, "-h")
	assert.Equal(t, exitOK, r.code)
	for _, want := range []string{"register", "login", "send", "listen", "history", "logout",
		"-server", "-app-id", "-home", "-device", "-timeout", "-log-level", "-n N", "-before",
		"$FLOO_SERVER", "$FLOO_APP_ID", "$FLOO_HOME", "Exit status"} {
		assert.Contains(t, r.stdout, want)
	}
	assert.Equal(t, exitOK, floo(t, env, "help").code)
	assert.Equal(t, exitOK, floo(t, env, "send", "-h").code)

	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"send", "12"},
		{"send", "12", "a", "b"},
		{"send", "x12", "hi"},
		{"send", "group:", "hi"},
		{"login", "alice"},
		{"listen", "extra"},
		{"-bogus", "logout"},
		{"listen", "-before", "3"}, // -before belongs to history
		{"-server", "ftp://x", "logout"},
		{"-log-level", "loud", "logout"},
		{"history", "12", "-n", "-1"},
	} {
		r := floo(t, env, args...)
		assert.Equal(t, exitUsage, r.code, "args %q", args)
		assert.Contains(t, r.stderr, "floo:", "args %q", args)
		assert.Empty(t, r.stdout)
	}
}

func TestDNSURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080":                    "http://127.0.0.1:8080/v2/app_dns",
		"http://127.0.0.1:8080/":                   "http://127.0.0.1:8080/v2/app_dns",
		"https://im.example.com/floo":              "https://im.example.com/floo/v2/app_dns",
		"https://dns.lanyingim.com/v2/app_dns":     "https://dns.lanyingim.com/v2/app_dns",
		"http://10.0.0.2/custom/app_dns?source=me": "http://10.0.0.2/custom/app_dns?source=me",
	} {
		got, err := dnsURL(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"127.0.0.1:8080", "ws://x", "http://", "::"} {
		_, err := dnsURL(bad)
		assert.Error(t, err, bad)
	}
}

func TestNotLoggedIn(t *testing.T) {
	srv := servertest.Start(t)
	env := map[string]string{"FLOO_HOME": t.TempDir(), "FLOO_SERVER": srv.URL}
	r := floo(t, env, "send", "12", "hi")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "not logged in")
	r = floo(t, env, "login", "nobody", "pw")
	assert.Equal(t, exitError, r.code)
	assert.Empty(t, r.stdout)
	// The engine reports the failure to the command, which prints it; the
	// engine's own log does not print it a second time.
	require.Len(t, lines(r.stderr), 1, r.stderr)
	assert.Contains(t, r.stderr, "UserNotExist")
	r = floo(t, env, "-timeout", "1ns", "login", "nobody", "pw")
	assert.Equal(t, exitError, r.code)
	require.Len(t, lines(r.stderr), 1, r.stderr)
	assert.True(t, strings.HasPrefix(r.stderr, "floo: login failed: login did not complete within 0ms"), r.stderr)
	assert.Contains(t, r.stderr, "(SignInTimeout, see -timeout)")
}

// TestEndToEnd drives the command against the reference server the way a
// script would: register, login, a listener in the background, sends from
// another home and from the listener's own home, history, group messages
// and logout.
func TestEndToEnd(t *testing.T) {
	srv := servertest.Start(t)
	aliceEnv := map[string]string{"FLOO_HOME": t.TempDir(), "FLOO_SERVER": srv.URL, "FLOO_APP_ID": srv.AppID}
	bobEnv := map[string]string{"FLOO_HOME": t.TempDir(), "FLOO_SERVER": srv.URL}

	r := floo(t, aliceEnv, "register", "alice", "alice-pw")
	require.Equal(t, exitOK, r.code, r.stderr)
	alice := decode[struct {
		UserID   uint64 `json:"user_id"`
		Username string `json:"username"`
	}](t, r.stdout)
	require.NotZero(t, alice.UserID)
	assert.Equal(t, "alice", alice.Username)
	r = floo(t, bobEnv, "register", "bob", "bob-pw")
	require.Equal(t, exitOK, r.code, r.stderr)
	bobID := decode[struct {
		UserID uint64 `json:"user_id"`
	}](t, r.stdout).UserID
	r = floo(t, aliceEnv, "register", "alice", "again")
	assert.Equal(t, exitError, r.code, "the name is taken")

	r = floo(t, aliceEnv, "login", "alice", "wrong")
	assert.Equal(t, exitError, r.code)
	r = floo(t, aliceEnv, "login", "alice", "alice-pw")
	require.Equal(t, exitOK, r.code, r.stderr)
	login := decode[struct {
		UserID   uint64 `json:"user_id"`
		DeviceSN uint32 `json:"device_sn"`
		AppID    string `json:"app_id"`
	}](t, r.stdout)
	assert.Equal(t, alice.UserID, login.UserID)
	assert.NotZero(t, login.DeviceSN)
	assert.Equal(t, srv.AppID, login.AppID)
	_, err := os.Stat(filepath.Join(aliceEnv["FLOO_HOME"], native.StorageFile))
	require.NoError(t, err, "the session is stored under FLOO_HOME")

	// bob logs in with -server given once; later commands find it stored.
	bobLoginEnv := map[string]string{"FLOO_HOME": bobEnv["FLOO_HOME"]}
	r = floo(t, bobLoginEnv, "login", "-server", srv.URL+"/v2/app_dns", "bob", "bob-pw")
	require.Equal(t, exitOK, r.code, r.stderr)

	// bob listens in the background for three messages.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, errOut := newBuffer(), newBuffer()
	listenCode := make(chan int, 1)
	go func() {
		listenCode <- run(ctx, []string{"listen", "-n", "3"}, out, errOut, func(k string) string { return bobLoginEnv[k] })
	}()
	errOut.waitFor(t, "listening as "+strconv.FormatUint(bobID, 10))

	r = floo(t, aliceEnv, "send", strconv.FormatUint(bobID, 10), "hello bob")
	require.Equal(t, exitOK, r.code, r.stderr)
	sent := decode[message](t, r.stdout)
	assert.NotZero(t, sent.ID)
	assert.Equal(t, "hello bob", sent.Content)
	assert.True(t, sent.Outgoing)
	r = floo(t, aliceEnv, "send", strconv.FormatUint(bobID, 10), "--", "-starts with a dash")
	require.Equal(t, exitOK, r.code, r.stderr)
	out.waitFor(t, "-starts with a dash")
	// bob sends from the listener's own home: another device slot, so
	// the listener is not kicked, and it sees bob's message as outgoing.
	r = floo(t, bobLoginEnv, "send", strconv.FormatUint(alice.UserID, 10), "hi alice")
	require.Equal(t, exitOK, r.code, r.stderr)

	select {
	case code := <-listenCode:
		require.Equal(t, exitOK, code, errOut.String())
	case <-ctx.Done():
		t.Fatalf("listen did not exit; stderr:\n%s", errOut.String())
	}
	got := lines(out.String())
	require.Len(t, got, 3, out.String())
	m0, m1, m2 := decode[message](t, got[0]), decode[message](t, got[1]), decode[message](t, got[2])
	assert.Equal(t, "hello bob", m0.Content)
	assert.Equal(t, sent.ID, m0.ID)
	assert.Equal(t, alice.UserID, m0.From)
	assert.Equal(t, bobID, m0.To)
	assert.Equal(t, "roster", m0.ToType)
	assert.Equal(t, "text", m0.Type)
	assert.False(t, m0.Outgoing)
	assert.Equal(t, "-starts with a dash", m1.Content)
	assert.Equal(t, "hi alice", m2.Content)
	assert.True(t, m2.Outgoing)
	assert.Equal(t, bobID, m2.From)

	r = floo(t, bobLoginEnv, "history", strconv.FormatUint(alice.UserID, 10), "-n", "2")
	require.Equal(t, exitOK, r.code, r.stderr)
	hist := lines(r.stdout)
	require.Len(t, hist, 2)
	assert.Equal(t, "-starts with a dash", decode[message](t, hist[0]).Content, "oldest first")
	assert.Equal(t, "hi alice", decode[message](t, hist[1]).Content)
	r = floo(t, bobLoginEnv, "history", strconv.FormatUint(alice.UserID, 10), "-before", strconv.FormatUint(decode[message](t, hist[0]).ID, 10))
	require.Equal(t, exitOK, r.code, r.stderr)
	older := lines(r.stdout)
	require.Len(t, older, 1)
	assert.Equal(t, "hello bob", decode[message](t, older[0]).Content)

	// Groups: alice sends to a group she created; bob reads its history.
	var info struct {
		GroupID uint64 `json:"group_id"`
	}
	srv.OK(t, "POST", "/group/create", srv.Token(t, "alice", "alice-pw"), map[string]any{"name": "g", "user_list": []uint64{bobID}}, &info)
	group := "group:" + strconv.FormatUint(info.GroupID, 10)
	r = floo(t, aliceEnv, "-log-level", "off", "send", group, "hello group")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "group", decode[message](t, r.stdout).ToType)
	r = floo(t, bobLoginEnv, "history", group)
	require.Equal(t, exitOK, r.code, r.stderr)
	hist = lines(r.stdout)
	require.Len(t, hist, 1)
	gm := decode[message](t, hist[0])
	assert.Equal(t, "hello group", gm.Content)
	assert.Equal(t, info.GroupID, gm.To)
	assert.Equal(t, "group", gm.ToType)

	// logout forgets the session.
	r = floo(t, bobLoginEnv, "logout")
	require.Equal(t, exitOK, r.code, r.stderr)
	r = floo(t, bobLoginEnv, "history", strconv.FormatUint(alice.UserID, 10))
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "not logged in")
}

func TestListenStopsOnInterrupt(t *testing.T) {
	srv := servertest.Start(t)
	env := map[string]string{"FLOO_HOME": t.TempDir(), "FLOO_SERVER": srv.URL}
	srv.Register(t, "carol", "carol-pw")
	r := floo(t, env, "login", "carol", "carol-pw")
	require.Equal(t, exitOK, r.code, r.stderr)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errOut := newBuffer()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"listen"}, newBuffer(), errOut, func(k string) string { return env[k] })
	}()
	errOut.waitFor(t, "listening as")
	cancel()
	select {
	case c := <-code:
		assert.Equal(t, exitOK, c, "an interrupted listen is a normal end")
	case <-time.After(30 * time.Second):
		t.Fatal("listen did not stop")
	}

	// A -timeout bounds listen too, and is a normal end as well.
	r = floo(t, env, "listen", "-timeout", "200ms")
	assert.Equal(t, exitOK, r.code, r.stderr)
}

// closedPort returns a local address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// blackhole returns a local address that accepts connections and never
// answers.
func blackhole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// TestLoginUnreachable: a login that cannot complete prints one line
// saying why, with the SDK code, and exits 1 without waiting for the
// login timeout when the failure is immediate (PROTOCOL.md §5 "Initial
// login"). The engine's retries are not printed as warnings.
func TestLoginUnreachable(t *testing.T) {
	t.Run("DNS refused", func(t *testing.T) {
		addr := closedPort(t)
		env := map[string]string{"FLOO_HOME": t.TempDir()}
		start := time.Now()
		r := floo(t, env, "-server", "http://"+addr, "login", "alice", "alice-pw")
		elapsed := time.Since(start)
		assert.Equal(t, exitError, r.code)
		assert.Empty(t, r.stdout)
		assert.Equal(t, []string{"floo: login failed: DNS lookup failed: http://" + addr + "/v2/app_dns: connection refused (ServerDNSFailed)"}, lines(r.stderr))
		assert.Less(t, elapsed, defaultTimeout, "an immediate failure does not wait for the login timeout")
	})

	t.Run("fireplace refused", func(t *testing.T) {
		// A server whose DNS reply points at a closed port: the token
		// request of a name login, and the connection of a stored session,
		// are refused.
		addr := closedPort(t)
		srv := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.PublicURL = "http://" + addr }))
		srv.Register(t, "alice", "alice-pw")
		env := map[string]string{"FLOO_HOME": t.TempDir(), "FLOO_SERVER": srv.URL}
		start := time.Now()
		r := floo(t, env, "login", "alice", "alice-pw")
		assert.Equal(t, exitError, r.code)
		assert.Equal(t, []string{"floo: login failed: cannot connect to http://" + addr + "/token/user: connection refused (ServerConnectFailed)"}, lines(r.stderr))

		// A stored session (as a login to a working server leaves it) skips
		// the token request: the WebSocket itself is refused.
		st, err := native.OpenFileStorage(env["FLOO_HOME"])
		require.NoError(t, err)
		for k, v := range map[string]string{"floo.uid": "10000001", "floo.token": "tok", "floo.token_app": srv.AppID} {
			require.NoError(t, st.Set(k, v))
		}
		// send keeps its message for the next command that connects.
		r = floo(t, env, "-app-id", srv.AppID, "send", "10000002", "hi")
		elapsed := time.Since(start)
		assert.Equal(t, exitQueued, r.code)
		q := decode[struct {
			Queued    bool   `json:"queued"`
			ClientMid uint64 `json:"client_mid"`
			Content   string `json:"content"`
		}](t, r.stdout)
		assert.True(t, q.Queued)
		assert.Equal(t, "hi", q.Content)
		assert.Equal(t, []string{"floo: not sent yet (login failed: cannot connect to ws://" + addr + ": connection refused (ServerConnectFailed)); message " +
			strconv.FormatUint(q.ClientMid, 10) + " is queued and goes out with the next floo command that connects"}, lines(r.stderr))
		assert.Less(t, elapsed, defaultTimeout, "immediate failures do not wait for the login timeout")
	})

	t.Run("blackhole", func(t *testing.T) {
		addr := blackhole(t)
		env := map[string]string{"FLOO_HOME": t.TempDir()}
		start := time.Now()
		r := floo(t, env, "-timeout", "1500ms", "-server", "http://"+addr, "login", "alice", "alice-pw")
		elapsed := time.Since(start)
		assert.Equal(t, exitError, r.code)
		assert.Equal(t, []string{"floo: login failed: login did not complete within 1500ms: no answer to the DNS lookup, token request or prefetch (SignInTimeout, see -timeout)"}, lines(r.stderr))
		assert.GreaterOrEqual(t, elapsed, 1500*time.Millisecond, "the login timeout is -timeout")
		assert.Less(t, elapsed, defaultTimeout)
	})
}

// TestPasswordInput gives register and login their password on standard
// input, as scripts do, and checks the ways it can be missing.
func TestPasswordInput(t *testing.T) {
	srv := servertest.Start(t)
	env := map[string]string{"FLOO_HOME": t.TempDir(), "FLOO_SERVER": srv.URL}

	r := flooIn(t, strings.NewReader("erin-pw\n"), env, "register", "erin")
	require.Equal(t, exitOK, r.code, r.stderr)
	erin := decode[struct {
		UserID uint64 `json:"user_id"`
	}](t, r.stdout).UserID
	require.NotZero(t, erin)
	// The password registered is the line without its newline: the
	// server accepts it as given on the command line.
	r = floo(t, env, "login", "erin", "erin-pw")
	require.Equal(t, exitOK, r.code, r.stderr)

	// Only the first line is read, "\r\n" ends it too, and the end of the
	// input ends a last line without a newline.
	stdin := strings.NewReader("erin-pw\r\nnot read\n")
	r = flooIn(t, stdin, env, "login", "erin")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, erin, decode[struct {
		UserID uint64 `json:"user_id"`
	}](t, r.stdout).UserID)
	rest, _ := io.ReadAll(stdin)
	assert.Equal(t, "not read\n", string(rest))
	r = flooIn(t, strings.NewReader("erin-pw"), env, "login", "erin", "-password-stdin")
	require.Equal(t, exitOK, r.code, r.stderr)
	r = flooIn(t, strings.NewReader("erin-pw\n"), env, "login", "--password-stdin", "erin")
	require.Equal(t, exitOK, r.code, r.stderr)

	// A wrong password on standard input is a refusal like any other.
	r = flooIn(t, strings.NewReader("wrong\n"), env, "login", "erin")
	assert.Equal(t, exitError, r.code)
	assert.Empty(t, r.stdout)

	for _, c := range []struct {
		stdin io.Reader
		args  []string
		want  string
	}{
		{nil, []string{"login", "erin"}, "no password"},
		{strings.NewReader(""), []string{"login", "erin"}, "no password on standard input"},
		{strings.NewReader("\n"), []string{"register", "frank"}, "no password on standard input"},
		{strings.NewReader("pw\n"), []string{"login", "erin", "pw", "-password-stdin"}, "not both"},
		{strings.NewReader("pw\n"), []string{"login"}, "usage: floo login"},
		{strings.NewReader("pw\n"), []string{"send", "1", "hi", "-password-stdin"}, "password-stdin"},
	} {
		r := flooIn(t, c.stdin, env, c.args...)
		assert.Equal(t, exitUsage, r.code, "args %q", c.args)
		assert.Contains(t, r.stderr, c.want, "args %q", c.args)
		assert.Empty(t, r.stdout, "args %q", c.args)
	}
	r = flooIn(t, strings.NewReader(strings.Repeat("x", maxPasswordLine+1)), env, "login", "erin")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "longer than")

	r = floo(t, env, "-h")
	assert.Contains(t, r.stdout, "-password-stdin")
	assert.Contains(t, r.stdout, "(ps)", "the usage warns that an argument is visible")
}

// userLine is the JSON of search and friends.
type userLine struct {
	UserID   uint64 `json:"user_id"`
	Username string `json:"username"`
	Relation string `json:"relation"`
}

// TestFriends finds users by name, asks for friendship (a request the
// other accepts, and a user who lets anyone add them), lists friends and
// requests, and removes a friend.
func TestFriends(t *testing.T) {
	srv := servertest.Start(t)
	ann := uint64(srv.Register(t, "ann", "ann-pw"))
	ben := uint64(srv.Register(t, "ben", "ben-pw"))
	cid := uint64(srv.Register(t, "cid", "cid-pw"))
	// cid lets anyone add him; the others approve requests (the default).
	srv.OK(t, "POST", "/user/authmode", srv.Token(t, "cid", "cid-pw"), url.Values{"value": {"0"}}, nil)
	annEnv := map[string]string{"FLOO_HOME": t.TempDir(), "FLOO_SERVER": srv.URL}
	benEnv := map[string]string{"FLOO_HOME": t.TempDir(), "FLOO_SERVER": srv.URL}
	require.Equal(t, exitOK, floo(t, annEnv, "login", "ann", "ann-pw").code)
	require.Equal(t, exitOK, floo(t, benEnv, "login", "ben", "ben-pw").code)
	id := func(u uint64) string { return strconv.FormatUint(u, 10) }
	users := func(r result) []userLine {
		t.Helper()
		require.Equal(t, exitOK, r.code, r.stderr)
		var out []userLine
		for _, l := range lines(r.stdout) {
			out = append(out, decode[userLine](t, l))
		}
		return out
	}

	assert.Equal(t, []userLine{{ben, "ben", "stranger"}}, users(floo(t, annEnv, "search", "ben")))
	r := floo(t, annEnv, "search", "nobody")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "UserNotExist")
	assert.Empty(t, users(floo(t, annEnv, "friends")))

	// ben approves requests: ann's is pending until he accepts it.
	r = floo(t, annEnv, "friends", "add", id(ben), "hi ben, it is ann")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.JSONEq(t, `{"user_id":`+id(ben)+`,"status":"requested"}`, r.stdout)
	assert.Empty(t, users(floo(t, annEnv, "friends")))
	r = floo(t, benEnv, "friends", "requests")
	require.Equal(t, exitOK, r.code, r.stderr)
	reqs := lines(r.stdout)
	require.Len(t, reqs, 1)
	req := decode[request](t, reqs[0])
	assert.Equal(t, request{UserID: ann, Username: "ann", Reason: "hi ben, it is ann", Status: "pending", ExpiresAt: req.ExpiresAt}, req)
	assert.Greater(t, req.ExpiresAt, time.Now().UnixMilli())
	r = floo(t, benEnv, "friends", "accept", id(ann))
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.JSONEq(t, `{"user_id":`+id(ann)+`,"status":"friend"}`, r.stdout)
	r = floo(t, benEnv, "friends", "accept", id(ann))
	assert.Equal(t, exitError, r.code, "the request was accepted already")
	assert.Equal(t, []userLine{{ben, "ben", "friend"}}, users(floo(t, annEnv, "friends")))
	assert.Equal(t, []userLine{{ann, "ann", "friend"}}, users(floo(t, benEnv, "friends")))

	// cid lets anyone add him: a friend at once.
	r = floo(t, annEnv, "friends", "add", id(cid))
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.JSONEq(t, `{"user_id":`+id(cid)+`,"status":"friend"}`, r.stdout)
	assert.Equal(t, []userLine{{ben, "ben", "friend"}, {cid, "cid", "friend"}}, users(floo(t, annEnv, "friends")))
	r = floo(t, annEnv, "friends", "add", id(cid))
	assert.Equal(t, exitError, r.code, "already a friend")

	r = floo(t, annEnv, "friends", "remove", id(ben))
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.JSONEq(t, `{"removed":`+id(ben)+`}`, r.stdout)
	assert.Equal(t, []userLine{{cid, "cid", "friend"}}, users(floo(t, annEnv, "friends")))

	for _, args := range [][]string{
		{"search"},
		{"friends", "add"},
		{"friends", "add", "x1"},
		{"friends", "accept", "0"},
		{"friends", "remove", "1", "2"},
		{"friends", "requests", "1"},
		{"friends", "frobnicate"},
	} {
		r := floo(t, annEnv, args...)
		assert.Equal(t, exitUsage, r.code, "args %q", args)
		assert.Empty(t, r.stdout, "args %q", args)
	}
}

// TestGroups creates a group with a member, invites another user, lists
// the groups of each and leaves one.
func TestGroups(t *testing.T) {
	srv := servertest.Start(t)
	gus := uint64(srv.Register(t, "gus", "gus-pw"))
	hal := uint64(srv.Register(t, "hal", "hal-pw"))
	ivy := uint64(srv.Register(t, "ivy", "ivy-pw"))
	gusEnv := map[string]string{"FLOO_HOME": t.TempDir(), "FLOO_SERVER": srv.URL}
	halEnv := map[string]string{"FLOO_HOME": t.TempDir(), "FLOO_SERVER": srv.URL}
	require.Equal(t, exitOK, floo(t, gusEnv, "login", "gus", "gus-pw").code)
	require.Equal(t, exitOK, floo(t, halEnv, "login", "hal", "hal-pw").code)
	id := func(u uint64) string { return strconv.FormatUint(u, 10) }
	groups := func(r result) []group {
		t.Helper()
		require.Equal(t, exitOK, r.code, r.stderr)
		var out []group
		for _, l := range lines(r.stdout) {
			out = append(out, decode[group](t, l))
		}
		return out
	}

	assert.Empty(t, groups(floo(t, halEnv, "groups")))
	created := groups(floo(t, gusEnv, "groups", "create", "team", id(hal)))
	require.Len(t, created, 1)
	team := created[0]
	require.NotZero(t, team.GroupID)
	assert.Equal(t, "team", team.Name)
	assert.Equal(t, gus, team.OwnerID)
	gid := id(team.GroupID)
	solo := groups(floo(t, gusEnv, "groups", "create", "solo"))
	require.Len(t, solo, 1)

	// hal joined at creation and sees the group; a message reaches him.
	assert.Equal(t, []group{{GroupID: team.GroupID, Name: "team", OwnerID: gus, Members: 2}}, groups(floo(t, halEnv, "groups")))
	require.Equal(t, exitOK, floo(t, gusEnv, "send", "group:"+gid, "hello team").code)
	r := floo(t, halEnv, "history", "group:"+gid)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "hello team")

	r = floo(t, gusEnv, "groups", "invite", gid, id(ivy))
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, []groupResult{{GroupID: team.GroupID, UserID: ivy, OK: true}}, []groupResult{decode[groupResult](t, r.stdout)})
	// Inviting a member again fails for that user, and the command says so.
	r = floo(t, gusEnv, "groups", "invite", gid, id(ivy), id(hal))
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "2 of 2 users could not be invited")
	invited := lines(r.stdout)
	require.Len(t, invited, 2)
	for _, l := range invited {
		res := decode[groupResult](t, l)
		assert.False(t, res.OK)
		assert.NotEmpty(t, res.Reason)
	}
	assert.Equal(t, []group{{GroupID: team.GroupID, Name: "team", OwnerID: gus, Members: 3}, solo[0]},
		groups(floo(t, gusEnv, "groups")), "ordered by group id")

	r = floo(t, halEnv, "groups", "leave", gid)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.JSONEq(t, `{"left":`+gid+`}`, r.stdout)
	assert.Empty(t, groups(floo(t, halEnv, "groups")))
	r = floo(t, gusEnv, "groups", "leave", gid)
	assert.Equal(t, exitError, r.code, "the owner cannot leave")

	for _, args := range [][]string{
		{"groups", "create"},
		{"groups", "create", "x", "bob"},
		{"groups", "invite", gid},
		{"groups", "invite", "g1", "2"},
		{"groups", "leave"},
		{"groups", "leave", "0"},
		{"groups", "frobnicate"},
	} {
		r := floo(t, gusEnv, args...)
		assert.Equal(t, exitUsage, r.code, "args %q", args)
		assert.Empty(t, r.stdout, "args %q", args)
	}
}
