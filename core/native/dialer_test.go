//go:build !js

package native

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
)

// wsServer runs handler for every WebSocket accepted by an httptest server
// and returns its ws:// URL.
//
// The handlers still running are counted under a mutex rather than with a
// WaitGroup: a handler starts on a server goroutine with no
// happens-before edge to the test's cleanup (the client learns of it
// through the socket), and the race detector rightly flags a
// WaitGroup.Add that is concurrent with Wait.
func wsServer(t *testing.T, handler func(ctx context.Context, c *websocket.Conn)) string {
	t.Helper()
	var mu sync.Mutex
	idle := sync.NewCond(&mu)
	running := 0 // guarded by mu
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		running++
		mu.Unlock()
		defer func() {
			mu.Lock()
			running--
			idle.Broadcast()
			mu.Unlock()
		}()
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		c.SetReadLimit(32 << 20)
		handler(r.Context(), c)
		c.CloseNow()
	}))
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		mu.Lock()
		for running > 0 {
			idle.Wait()
		}
		mu.Unlock()
	})
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dial(t *testing.T, d *Dialer, url string) core.Conn {
	t.Helper()
	c, err := d.Dial(testCtx(t), url)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close(1000, "") })
	return c
}

func requireCode(t *testing.T, err error, code core.Code) *core.Error {
	t.Helper()
	require.Error(t, err)
	var e *core.Error
	require.True(t, errors.As(err, &e), "not a *core.Error: %T %v", err, err)
	require.Equal(t, code, e.Code, "error: %v", err)
	return e
}

func TestDialEcho(t *testing.T) {
	url := wsServer(t, func(ctx context.Context, c *websocket.Conn) {
		for {
			typ, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			if c.Write(ctx, typ, b) != nil {
				return
			}
		}
	})
	c := dial(t, &Dialer{}, url)
	ctx := testCtx(t)
	// An empty message is a valid Frame (PROTOCOL.md §3.1); a 2 MiB one
	// is above the server's 1 MiB client limit but allowed downlink.
	big := bytes.Repeat([]byte{0xAB}, 2<<20)
	for _, msg := range [][]byte{{0x08, 0x00, 0x18, 0x03}, {}, big} {
		require.NoError(t, c.Write(ctx, msg))
		got, err := c.Read(ctx)
		require.NoError(t, err)
		assert.Equal(t, len(msg), len(got))
		assert.True(t, bytes.Equal(msg, got))
	}
}

func TestReadContextDoesNotCloseTheConnection(t *testing.T) {
	release := make(chan struct{})
	url := wsServer(t, func(ctx context.Context, c *websocket.Conn) {
		select {
		case <-release:
		case <-ctx.Done():
			return
		}
		c.Write(ctx, websocket.MessageBinary, []byte("late"))
		c.Read(ctx) // wait for the client to go
	})
	c := dial(t, &Dialer{}, url)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Read(ctx)
	requireCode(t, err, core.UserCancel)

	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	_, err = c.Read(ctx2)
	requireCode(t, err, core.ServerTimeOut)

	// The connection survived both: the next message still arrives.
	close(release)
	got, err := c.Read(testCtx(t))
	require.NoError(t, err)
	assert.Equal(t, "late", string(got))
}

func TestServerCloseCodesAreMapped(t *testing.T) {
	for _, tc := range []struct {
		code websocket.StatusCode
		want core.Code
	}{
		{websocket.StatusNormalClosure, core.ServerConnectFailed},
		{websocket.StatusGoingAway, core.ServerConnectFailed},
		{websocket.StatusPolicyViolation, core.ServerConnectFailed},
		{websocket.StatusTryAgainLater, core.ServerBusy},
		{4001, core.ServerConnectFailed},
	} {
		t.Run(tc.code.String(), func(t *testing.T) {
			url := wsServer(t, func(ctx context.Context, c *websocket.Conn) {
				c.Close(tc.code, "bye now")
			})
			c := dial(t, &Dialer{}, url)
			_, err := c.Read(testCtx(t))
			e := requireCode(t, err, tc.want)
			assert.Equal(t, int(tc.code), CloseCode(err))
			assert.Equal(t, core.SourceTransport, e.Source)
			assert.True(t, e.Temporary, "a dropped connection is retryable")
			assert.Contains(t, e.Message, "bye now")
			// The failure is sticky.
			_, err = c.Read(testCtx(t))
			requireCode(t, err, tc.want)
		})
	}
}

func TestTextMessageIsAProtocolError(t *testing.T) {
	gotClose := make(chan websocket.StatusCode, 1)
	url := wsServer(t, func(ctx context.Context, c *websocket.Conn) {
		c.Write(ctx, websocket.MessageText, []byte("hello"))
		_, _, err := c.Read(ctx)
		gotClose <- websocket.CloseStatus(err)
	})
	c := dial(t, &Dialer{}, url)
	_, err := c.Read(testCtx(t))
	e := requireCode(t, err, core.ServerConnectFailed)
	assert.Contains(t, e.Message, "text message")
	select {
	case code := <-gotClose:
		assert.Equal(t, websocket.StatusUnsupportedData, code)
	case <-time.After(5 * time.Second):
		t.Fatal("the server saw no close frame")
	}
}

func TestReadLimit(t *testing.T) {
	url := wsServer(t, func(ctx context.Context, c *websocket.Conn) {
		c.Write(ctx, websocket.MessageBinary, make([]byte, 2048))
		c.Read(ctx)
	})
	c := dial(t, &Dialer{ReadLimit: 1024}, url)
	_, err := c.Read(testCtx(t))
	requireCode(t, err, core.ServerConnectFailed)
}

func TestCloseIsConcurrentRepeatableAndSendsTheCode(t *testing.T) {
	got := make(chan websocket.CloseError, 1)
	url := wsServer(t, func(ctx context.Context, c *websocket.Conn) {
		_, _, err := c.Read(ctx)
		var ce websocket.CloseError
		errors.As(err, &ce)
		got <- ce
	})
	c := dial(t, &Dialer{}, url)
	readErr := make(chan error, 1)
	go func() {
		_, err := c.Read(context.Background())
		readErr <- err
	}()

	long := strings.Repeat("é", 100) // 200 bytes: must be cut on a rune boundary
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.Close(4000, long)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	assert.NoError(t, c.Close(1000, "again"))

	select {
	case ce := <-got:
		assert.Equal(t, websocket.StatusCode(4000), ce.Code)
		assert.LessOrEqual(t, len(ce.Reason), 123)
		assert.True(t, strings.HasPrefix(long, ce.Reason))
		assert.NotEmpty(t, ce.Reason)
	case <-time.After(5 * time.Second):
		t.Fatal("the server saw no close frame")
	}
	select {
	case err := <-readErr:
		requireCode(t, err, core.ServerConnectFailed)
	case <-time.After(5 * time.Second):
		t.Fatal("a pending Read did not return after Close")
	}
	requireCode(t, c.Write(testCtx(t), []byte{1}), core.ServerConnectFailed)
	_, err := c.Read(testCtx(t))
	requireCode(t, err, core.ServerConnectFailed)
}

func TestCloseCodesThatCannotBeSent(t *testing.T) {
	for _, code := range []int{0, 999, 1004, 1005, 1006, 1015, 2000, 5000} {
		assert.Equal(t, websocket.StatusNormalClosure, sendableCode(code), "code %d", code)
	}
	for _, code := range []int{1000, 1001, 1011, 1014, 3000, 4999} {
		assert.Equal(t, websocket.StatusCode(code), sendableCode(code), "code %d", code)
	}
	assert.Equal(t, "short", truncateReason("short"))
}

func TestCloseDoesNotWaitForASilentPeer(t *testing.T) {
	stop := make(chan struct{})
	url := wsServer(t, func(ctx context.Context, c *websocket.Conn) {
		// Never read: the client's close frame is never answered.
		select {
		case <-stop:
		case <-ctx.Done():
		}
	})
	defer close(stop)
	c := dial(t, &Dialer{CloseTimeout: 100 * time.Millisecond}, url)
	start := time.Now()
	require.NoError(t, c.Close(1000, "bye"))
	assert.Less(t, time.Since(start), 3*time.Second)
}

func TestDialErrors(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		ln.Close()
		_, err = (&Dialer{}).Dial(testCtx(t), "ws://"+addr)
		e := requireCode(t, err, core.ServerConnectFailed)
		assert.Equal(t, "ws://"+addr, e.URL)
		assert.True(t, e.Temporary)
	})
	t.Run("unresolvable", func(t *testing.T) {
		d := &Dialer{NetDialer: &net.Dialer{Resolver: &net.Resolver{
			PreferGo: true,
			Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
				return nil, errors.New("no DNS here")
			},
		}}}
		_, err := d.Dial(testCtx(t), "ws://floo.invalid:80")
		requireCode(t, err, core.ServerNotReachable)
	})
	t.Run("http status", func(t *testing.T) {
		for _, tc := range []struct {
			status int
			want   core.Code
		}{
			{503, core.ServerBusy},
			{429, core.ServerTooManyRequest},
			{404, core.ServerConnectFailed},
			{501, core.ServerBusy},
		} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "no", tc.status)
			}))
			_, err := (&Dialer{}).Dial(testCtx(t), "ws"+strings.TrimPrefix(srv.URL, "http"))
			srv.Close()
			e := requireCode(t, err, tc.want)
			assert.Contains(t, e.Message, "HTTP status")
		}
	})
	t.Run("canceled", func(t *testing.T) {
		hang := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(hang)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := (&Dialer{}).Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"))
		requireCode(t, err, core.UserCancel)
	})
	t.Run("timeout", func(t *testing.T) {
		hang := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(hang)
		_, err := (&Dialer{DialTimeout: 50 * time.Millisecond}).Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"))
		requireCode(t, err, core.ServerTimeOut)
	})
}

func TestDialSendsHeaders(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		c.CloseNow()
	}))
	defer srv.Close()
	c, err := (&Dialer{Header: http.Header{"User-Agent": {"floo-test"}}}).Dial(testCtx(t), "ws"+strings.TrimPrefix(srv.URL, "http"))
	require.NoError(t, err)
	defer c.Close(1000, "")
	h := <-got
	assert.Equal(t, "floo-test", h.Get("User-Agent"))
	assert.Empty(t, h.Get("Sec-WebSocket-Protocol"), "no subprotocol is negotiated (PROTOCOL.md §3.1)")
	assert.Empty(t, h.Get("Sec-WebSocket-Extensions"), "no compression extension is offered")
}
