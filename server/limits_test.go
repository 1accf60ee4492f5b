package server_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/xsync"
)

// attackerAddr is a second loopback address, so that the attacks come from
// another client IP than the legitimate user (127.0.0.1). Linux routes all
// of 127/8 to the loopback interface; elsewhere the tests that need it are
// skipped.
var attackerAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}

// attackerDialer dials from attackerAddr, skipping the test where that
// address cannot be used.
func attackerDialer(t *testing.T, env *servertest.Env) *net.Dialer {
	t.Helper()
	d := &net.Dialer{LocalAddr: attackerAddr, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", hostOf(env))
	if err != nil {
		t.Skipf("cannot dial from %v: %v", attackerAddr, err)
	}
	c.Close()
	return d
}

func hostOf(env *servertest.Env) string { return strings.TrimPrefix(env.URL, "http://") }

// startSlowBody sends the headers of a POST and the first byte of its
// body, then stalls, as a slowloris client does.
func startSlowBody(t *testing.T, d *net.Dialer, env *servertest.Env) net.Conn {
	t.Helper()
	c, err := d.Dial("tcp", hostOf(env))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	_, err = io.WriteString(c, "POST /token/user HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
		"Content-Length: 200\r\n\r\n{")
	require.NoError(t, err)
	return c
}

// statusFrom does GET path with client and returns the HTTP status, 0 on
// a transport error.
func statusFrom(client *http.Client, env *servertest.Env, path string) int {
	resp, err := client.Get(env.URL + path)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func clientFrom(d *net.Dialer) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

// TestSlowBodiesAreCut trickles request bodies (one byte, then nothing):
// each is cut once it falls behind the body pacing, its connection closed,
// and logins keep working throughout.
func TestSlowBodiesAreCut(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
		c.BodyTimeout = 300 * time.Millisecond
	}))
	alice := env.NewUser(t, "alice")
	d := &net.Dialer{Timeout: 5 * time.Second}
	conns := make([]net.Conn, 20)
	for i := range conns {
		conns[i] = startSlowBody(t, d, env)
	}
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := io.ReadAll(c) // whatever the reply, the server closes the connection
		require.NoError(t, err, "slow body %d was not cut", i)
	}
	assert.NotEmpty(t, env.Token(t, "alice", alice.Password))
}

// TestBodyPacingLetsSlowUploadsThrough sends a body for longer than
// BodyTimeout, in small pieces well above the minimum rate: it is served.
func TestBodyPacingLetsSlowUploadsThrough(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
		c.BodyTimeout = time.Second
		c.BodyMinRate = 100
	}))
	body := `{"username":"nobody","password":"secret1"}` + strings.Repeat(" ", 2000)
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < len(body); i += 200 {
			time.Sleep(150 * time.Millisecond) // 1.5 s in all, 1333 B/s
			if _, err := io.WriteString(pw, body[i:min(i+200, len(body))]); err != nil {
				return
			}
		}
		pw.Close()
	}()
	req, err := http.NewRequest("POST", env.URL+"/token/user", pr)
	require.NoError(t, err)
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := env.Client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the body was read whole and answered")
}

// TestPerIPCapOnRequestsInFlight holds the per-IP slots of one address with
// stalled bodies: that address is refused with 503, another one logs in,
// and the first is served again once its slots are free.
func TestPerIPCapOnRequestsInFlight(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
		c.MaxUnauthPerIP = 4
		c.BodyTimeout = time.Minute // the slots stay held until the test lets go
	}))
	alice := env.NewUser(t, "alice")
	d := attackerDialer(t, env)
	attacker := clientFrom(d)
	var conns []net.Conn
	for range 4 {
		conns = append(conns, startSlowBody(t, d, env))
	}
	require.Eventually(t, func() bool { return statusFrom(attacker, env, "/api/health") == http.StatusServiceUnavailable },
		5*time.Second, 20*time.Millisecond, "a fifth request in flight from the same address is refused")
	resp, err := attacker.Get(env.URL + "/api/health")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.JSONEq(t, `{"code":503,"message":"server busy, try again later","data":null}`, string(b))

	assert.NotEmpty(t, env.Token(t, "alice", alice.Password), "another address logs in")
	for _, c := range conns {
		c.Close()
	}
	require.Eventually(t, func() bool { return statusFrom(attacker, env, "/api/health") == http.StatusOK },
		5*time.Second, 20*time.Millisecond)
}

// TestPingedUnauthenticatedSocketIsClosed keeps WebSockets open without
// logging in, pinging them all along: they are closed at the login
// timeout all the same, and logins keep working.
func TestPingedUnauthenticatedSocketIsClosed(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
		c.Fireplace.LoginTimeout = 500 * time.Millisecond
	}))
	alice := env.NewUser(t, "alice")
	var idle []*xsynctest.Client
	for range 5 {
		idle = append(idle, xsynctest.Dial(t, env.URL))
	}
	// A logged-in connection pinged the same way stays open.
	a := xsynctest.Dial(t, env.URL)
	a.Login(t, alice.Token, alice.ID, 0, "a")

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			for _, c := range append(idle, a) {
				c.Ping()
			}
		}
	})
	defer wg.Wait()
	defer close(stop)
	for i, c := range idle {
		code, err := c.WaitClosed(10 * time.Second)
		require.NoError(t, err, "unauthenticated socket %d is still open", i)
		assert.Equal(t, websocket.CloseNormalClosure, code)
	}
	assert.NotNil(t, a.Unread().Status, "the logged-in connection is still served")
	b := xsynctest.Dial(t, env.URL)
	b.Login(t, alice.Token, alice.ID, 0, "b")
}

// TestPerIPCapOnUnauthenticatedSockets fills an address's slots with
// WebSockets that do not log in: the next upgrade from that address is
// refused with 503, a login frees a slot, and other addresses are not
// affected.
func TestPerIPCapOnUnauthenticatedSockets(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
		c.MaxUnauthPerIP = 3
	}))
	alice := env.NewUser(t, "alice")
	d := attackerDialer(t, env)
	wsd := websocket.Dialer{HandshakeTimeout: 5 * time.Second, NetDialContext: d.DialContext}
	dial := func() (*websocket.Conn, int, error) {
		ws, resp, err := wsd.Dial(xsynctest.WSURL(env.URL), nil)
		status := 0
		if resp != nil {
			status = resp.StatusCode
			resp.Body.Close()
		}
		if ws != nil {
			t.Cleanup(func() { ws.Close() })
		}
		return ws, status, err
	}
	var held []*websocket.Conn
	for range 3 {
		ws, _, err := dial()
		require.NoError(t, err)
		held = append(held, ws)
	}
	_, status, err := dial()
	require.Error(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, status)

	// Another address still connects and logs in.
	a := xsynctest.Dial(t, env.URL)
	a.Login(t, alice.Token, alice.ID, 0, "a")

	// A login on one of the held sockets gives its slot back.
	p := &xsync.Provision{Xid: &xsync.XID{Uid: uint64(alice.ID)}, Token: alice.Token, OsType: xsync.OsWeb,
		DeviceGuid: "held"}
	require.NoError(t, held[0].WriteMessage(websocket.BinaryMessage, xsync.NewProvisionFrame(p).Marshal()))
	held[0].SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := held[0].ReadMessage()
	require.NoError(t, err)
	f, err := xsync.DecodeFrame(data)
	require.NoError(t, err)
	reply, err := f.Provision()
	require.NoError(t, err)
	require.Equal(t, xsync.StatusOK, reply.Status.Code)
	_, _, err = dial()
	require.NoError(t, err, "the logged-in socket no longer counts")
}

// TestConnectionCapRefusesGracefully lowers the connection cap instead of
// exhausting file descriptors: once the cap is reached, new connections
// get HTTP 503 rather than an accept failure, and service resumes as soon
// as connections close.
func TestConnectionCapRefusesGracefully(t *testing.T) {
	t.Parallel()
	const maxConns = 8
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.MaxConns = maxConns }))
	alice := env.NewUser(t, "alice")
	require.Equal(t, maxConns, env.Server.MaxConns())
	env.Client.CloseIdleConnections()

	// Keep-alive connections, each having made one request, until one is
	// refused.
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	refusedAt := 0
	for i := 1; i <= maxConns+4 && refusedAt == 0; i++ {
		c, err := net.Dial("tcp", hostOf(env))
		require.NoError(t, err)
		held = append(held, c)
		_, err = io.WriteString(c, "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err, "connection %d got no HTTP reply", i)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			refusedAt = i
			assert.JSONEq(t, `{"code":503,"message":"server busy, try again later","data":null}`, string(b))
			assert.Equal(t, "10", resp.Header.Get("Retry-After"))
		} else {
			require.Equal(t, http.StatusOK, resp.StatusCode)
		}
	}
	require.NotZero(t, refusedAt, "the cap never refused a connection")
	assert.LessOrEqual(t, refusedAt, maxConns+1)

	// A WebSocket upgrade at the cap is refused the same way.
	_, resp, err := websocket.DefaultDialer.Dial(xsynctest.WSURL(env.URL), nil)
	require.Error(t, err)
	if resp != nil {
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	}

	for _, c := range held {
		c.Close()
	}
	held = nil
	require.Eventually(t, func() bool { return statusFrom(env.Client, env, "/api/health") == http.StatusOK },
		5*time.Second, 20*time.Millisecond)
	assert.NotEmpty(t, env.Token(t, "alice", alice.Password), "logins work again")
	c := xsynctest.Dial(t, env.URL)
	c.Login(t, alice.Token, alice.ID, 0, "a")
}
