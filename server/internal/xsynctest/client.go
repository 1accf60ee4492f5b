package xsynctest

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/flooim/floo/xsync"
)

// DefaultTimeout bounds every wait of a Client unless Client.Timeout is set.
const DefaultTimeout = 5 * time.Second

// Client is one WebSocket connection to the gateway.
type Client struct {
	// UID and SN are the session after a successful Login.
	UID int64
	SN  uint32
	// Timeout bounds each wait; 0 = DefaultTimeout.
	Timeout time.Duration

	t  testing.TB
	ws *websocket.Conn

	mu       sync.Mutex
	queue    []*xsync.Frame
	readErr  error // why the read loop ended
	signal   chan struct{}
	done     chan struct{}
	writeMu  sync.Mutex
	lastMID  atomic.Uint64
	closeErr *websocket.CloseError
}

// WSURL turns an http(s) base URL into the ws(s) URL of the gateway.
func WSURL(base string) string {
	switch {
	case strings.HasPrefix(base, "https://"):
		return "wss://" + strings.TrimPrefix(base, "https://") + "/"
	case strings.HasPrefix(base, "http://"):
		return "ws://" + strings.TrimPrefix(base, "http://") + "/"
	}
	return base
}

// Dial connects to the gateway at baseURL (http://host:port) and closes the
// connection when the test ends.
func Dial(t testing.TB, baseURL string) *Client {
	t.Helper()
	c, err := TryDial(t, baseURL)
	if err != nil {
		t.Fatalf("xsynctest: dial %s: %v", baseURL, err)
	}
	return c
}

// TryDial is Dial returning the error instead of failing the test.
func TryDial(t testing.TB, baseURL string) (*Client, error) {
	d := websocket.Dialer{HandshakeTimeout: DefaultTimeout, WriteBufferPool: &sync.Pool{}}
	ws, resp, err := d.Dial(WSURL(baseURL), http.Header{})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	c := &Client{t: t, ws: ws, signal: make(chan struct{}, 1), done: make(chan struct{})}
	// Start the mids at a clock-derived value like the SDK (§7.2).
	c.lastMID.Store(uint64(time.Now().UnixMilli()) * 1000)
	go c.readLoop()
	t.Cleanup(c.Close)
	return c, nil
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c *Client) readLoop() {
	defer close(c.done)
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				c.closeErr = ce
			}
			c.mu.Unlock()
			c.wake()
			return
		}
		if typ != websocket.BinaryMessage {
			c.mu.Lock()
			c.readErr = errors.New("xsynctest: server sent a text message")
			c.mu.Unlock()
			c.wake()
			return
		}
		f, err := xsync.DecodeFrame(data)
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			c.mu.Unlock()
			c.wake()
			return
		}
		c.mu.Lock()
		c.queue = append(c.queue, f)
		c.mu.Unlock()
		c.wake()
	}
}

func (c *Client) wake() {
	select {
	case c.signal <- struct{}{}:
	default:
	}
}

// Close closes the connection (idempotent).
func (c *Client) Close() {
	c.writeMu.Lock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(time.Second))
	c.writeMu.Unlock()
	c.ws.Close()
	<-c.done
}

// WriteRaw sends one binary message as is.
func (c *Client) WriteRaw(b []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.ws.WriteMessage(websocket.BinaryMessage, b)
}

// WriteMessage sends one message of any type (text messages are a
// protocol violation the tests provoke).
func (c *Client) WriteMessage(typ int, b []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.ws.WriteMessage(typ, b)
}

// Ping sends a WebSocket ping.
func (c *Client) Ping() error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second))
}

// Write sends a frame, failing the test on error.
func (c *Client) Write(f *xsync.Frame) {
	c.t.Helper()
	if err := c.WriteRaw(f.Marshal()); err != nil {
		c.t.Fatalf("xsynctest: write: %v", err)
	}
}

// Take removes and returns the first queued frame for which match is true,
// waiting up to timeout; frames that do not match stay queued in order.
func (c *Client) Take(timeout time.Duration, match func(*xsync.Frame) bool) (*xsync.Frame, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		for i, f := range c.queue {
			if match(f) {
				c.queue = append(c.queue[:i:i], c.queue[i+1:]...)
				c.mu.Unlock()
				return f, nil
			}
		}
		err := c.readErr
		c.mu.Unlock()
		if err != nil {
			return nil, err
		}
		select {
		case <-c.signal:
		case <-deadline.C:
			return nil, errTimeout
		}
	}
}

var errTimeout = errors.New("xsynctest: timeout")

// IsTimeout reports whether err is a wait that ran out of time.
func IsTimeout(err error) bool { return errors.Is(err, errTimeout) }

// Next returns the next frame from the server, waiting up to timeout.
func (c *Client) Next(timeout time.Duration) (*xsync.Frame, error) {
	return c.Take(timeout, func(*xsync.Frame) bool { return true })
}

// Pending returns the number of queued frames not consumed yet.
func (c *Client) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

// WaitClosed waits until the server closed the connection and returns the
// close frame's code (1006 when the connection ended without one).
func (c *Client) WaitClosed(timeout time.Duration) (int, error) {
	select {
	case <-c.done:
	case <-time.After(timeout):
		return 0, errTimeout
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeErr != nil {
		return c.closeErr.Code, nil
	}
	return websocket.CloseAbnormalClosure, nil
}

// mustTake is Take with the client's timeout that fails the test when
// nothing matching arrives.
func (c *Client) mustTake(what string, match func(*xsync.Frame) bool) *xsync.Frame {
	c.t.Helper()
	f, err := c.Take(c.timeout(), match)
	if err != nil {
		c.t.Fatalf("xsynctest: %s: %v", what, err)
	}
	return f
}

// NextMID returns a new client_mid.
func (c *Client) NextMID() uint64 { return c.lastMID.Add(1) }
