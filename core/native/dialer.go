//go:build !js

package native

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	neturl "net/url"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"github.com/flooim/floo/core"
)

// Defaults of Dialer.
const (
	// DefaultReadLimit bounds one inbound message. The server accepts
	// frames of 1 MiB from clients, but its replies can be larger: a
	// history page holds up to 100 messages of up to 64 KiB each, a sync
	// page 50, so 16 MiB leaves room without letting a broken peer make
	// the client buffer without limit.
	DefaultReadLimit = 16 << 20
	// DefaultDialTimeout bounds the TCP, TLS and WebSocket handshakes when
	// the caller's context has no earlier deadline.
	DefaultDialTimeout = 30 * time.Second
	// DefaultCloseTimeout bounds the close handshake: after it the socket
	// is closed without waiting for the peer's close frame, so that a dead
	// network never makes core.Client.Close hang.
	DefaultCloseTimeout = 2 * time.Second
)

// Dialer is the native core.Dialer: it opens XSYNC connections (binary
// WebSocket messages, one Frame each, no subprotocol) with
// github.com/coder/websocket. The zero value is ready to use; a Dialer is
// safe for concurrent use and may be shared by several clients.
type Dialer struct {
	// Header is added to the handshake request (for example a
	// User-Agent, or credentials of a proxy in front of the server).
	Header http.Header
	// TLSConfig is used for wss:// URLs. Zero (nil) means the system's
	// roots and default settings.
	TLSConfig *tls.Config
	// Proxy selects a proxy for a request, as http.Transport.Proxy. Zero
	// (nil) means http.ProxyFromEnvironment.
	Proxy func(*http.Request) (*neturl.URL, error)
	// ReadLimit is the largest inbound message accepted, in bytes; a
	// larger one fails the connection (close code 1009). Zero means
	// DefaultReadLimit.
	ReadLimit int64
	// DialTimeout bounds the handshakes. Zero means DefaultDialTimeout.
	DialTimeout time.Duration
	// CloseTimeout bounds the close handshake. Zero means
	// DefaultCloseTimeout.
	CloseTimeout time.Duration
	// NetDialer opens the TCP connections. Zero (nil) means a net.Dialer
	// with a 30 s keep-alive.
	NetDialer *net.Dialer
}

var _ core.Dialer = (*Dialer)(nil)

// Dial opens a WebSocket to url (ws:// or wss://, as given by the DNS
// reply) and returns once the handshake is done. Errors are *core.Error
// (see the package documentation); a canceled ctx gives UserCancel.
func (d *Dialer) Dial(ctx context.Context, url string) (core.Conn, error) {
	timeout := d.DialTimeout
	if timeout <= 0 {
		timeout = DefaultDialTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	// Each connection gets its own transport so that the TCP connection
	// under the WebSocket is known: Close needs it to end a close
	// handshake the peer never answers. The transport carries one
	// handshake and is then dropped; the hijacked connection is not
	// pooled.
	var raw atomic.Pointer[net.Conn]
	nd := d.NetDialer
	if nd == nil {
		nd = &net.Dialer{KeepAlive: 30 * time.Second}
	}
	proxy := http.ProxyFromEnvironment
	if d.Proxy != nil {
		proxy = d.Proxy
	}
	tr := &http.Transport{
		Proxy: proxy,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := nd.DialContext(ctx, network, addr)
			if err == nil {
				raw.Store(&c)
			}
			return c, err
		},
		TLSClientConfig:     d.TLSConfig,
		TLSHandshakeTimeout: timeout,
		ForceAttemptHTTP2:   false, // WebSocket upgrades need HTTP/1.1
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPClient:      &http.Client{Transport: tr},
		HTTPHeader:      d.Header,
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		return nil, handshakeError(url, resp, err)
	}
	limit := d.ReadLimit
	if limit <= 0 {
		limit = DefaultReadLimit
	}
	ws.SetReadLimit(limit)
	closeTimeout := d.CloseTimeout
	if closeTimeout <= 0 {
		closeTimeout = DefaultCloseTimeout
	}
	c := &conn{
		ws:           ws,
		closeTimeout: closeTimeout,
		avail:        make(chan struct{}, 1),
		taken:        make(chan struct{}, 1),
		readDone:     make(chan struct{}),
		closing:      make(chan struct{}),
	}
	if p := raw.Load(); p != nil {
		c.raw = *p
	}
	// Reads need no cancellation of their own when the TCP connection is
	// known (Close cuts it), which spares coder/websocket a context
	// callback per message.
	c.readCtx, c.endLife = context.WithCancel(context.Background())
	if c.raw != nil {
		c.readCtx = context.Background()
	}
	go c.readLoop()
	return c, nil
}

// readAheadBytes bounds the received messages a connection holds for Read:
// past it the reader stops reading the socket until Read catches up, so a
// client that cannot keep up slows the server down (through TCP) instead of
// buffering without limit. XSYNC traffic is mostly pulled by the client
// (sync and history pages come when asked for), so the bound is rarely
// reached.
const readAheadBytes = 4 << 20

// conn is a core.Conn over a coder/websocket connection.
//
// A goroutine reads the socket ahead of Read and queues the messages, for
// two reasons. coder/websocket closes the whole connection when the
// context of a Read ends, which would make a graceful close (with the
// engine's close code) impossible once the engine stops reading, so the
// reader's context lives as long as the connection. And a message that has
// arrived must not be lost to a close: a server kicking a device sends the
// notice and closes the connection a moment later (PROTOCOL.md §14); when
// the engine's write fails meanwhile it closes the transport, and
// coder/websocket discards the data messages it reads during a close
// handshake. Reading ahead takes the notice off the socket as soon as it
// arrives, and Read returns every queued message before the error that
// ended the connection (the core.Conn contract).
type conn struct {
	ws           *websocket.Conn
	raw          net.Conn // the TCP connection under ws
	closeTimeout time.Duration

	readCtx context.Context    // the reader's context
	endLife context.CancelFunc // ends readCtx when it is cancellable

	mu     sync.Mutex
	queue  [][]byte // guarded by mu; received messages not yet returned by Read, oldest first
	queued int      // guarded by mu; bytes held in queue

	avail    chan struct{} // capacity 1: a message was queued
	taken    chan struct{} // capacity 1: Read took a message, there may be room again
	readDone chan struct{} // closed when the reader exits; readErr is set then
	readErr  error         // written by the reader before readDone is closed

	closing   chan struct{} // closed when Close starts
	closeOnce sync.Once
	closeErr  error // result of the first Close
}

// readLoop is the connection's only reader of ws.
func (c *conn) readLoop() {
	defer close(c.readDone)
	for {
		if !c.waitRoom() {
			c.readErr = closedError(nil)
			return
		}
		typ, b, err := c.ws.Read(c.readCtx)
		if err != nil {
			select {
			case <-c.closing:
				c.readErr = closedError(err)
			default:
				c.readErr = mapError(err)
			}
			return
		}
		if typ != websocket.MessageBinary {
			// PROTOCOL.md §3.1: binary only. The server broke the
			// protocol; drop the connection as it would (1003).
			e := core.NewError(core.ServerConnectFailed, "websocket: text message received in raw mode")
			e.Source = core.SourceTransport
			c.readErr = e
			go c.Close(int(websocket.StatusUnsupportedData), "binary messages only")
			return
		}
		c.mu.Lock()
		c.queue = append(c.queue, b)
		c.queued += len(b)
		c.mu.Unlock()
		signal(c.avail)
	}
}

// waitRoom waits while the queue holds readAheadBytes or more; it reports
// false when Close started meanwhile.
func (c *conn) waitRoom() bool {
	for {
		c.mu.Lock()
		full := c.queued >= readAheadBytes
		c.mu.Unlock()
		if !full {
			return true
		}
		select {
		case <-c.taken:
		case <-c.closing:
			return false
		}
	}
}

// pop takes the oldest queued message.
func (c *conn) pop() ([]byte, bool) {
	c.mu.Lock()
	if len(c.queue) == 0 {
		c.mu.Unlock()
		return nil, false
	}
	b := c.queue[0]
	c.queue[0] = nil
	c.queue = c.queue[1:]
	if len(c.queue) == 0 {
		c.queue = nil // let the backing array of a burst go
	}
	c.queued -= len(b)
	c.mu.Unlock()
	signal(c.taken)
	return b, true
}

// signal wakes the waiter of ch, if any, without blocking.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func closedError(cause error) *core.Error {
	if cause == nil {
		cause = errClosed
	}
	e := core.NewError(core.ServerConnectFailed, "websocket: connection closed")
	e.Source = core.SourceTransport
	e.Cause = cause
	return e
}

// Read returns the next binary message. Every message received before the
// connection failed or was closed (by either side) is returned, in order,
// before the error that ended it; the error is then returned by every
// later call. When ctx ends first Read returns a UserCancel or
// ServerTimeOut *core.Error without closing the connection.
func (c *conn) Read(ctx context.Context) ([]byte, error) {
	for {
		if b, ok := c.pop(); ok {
			return b, nil
		}
		select {
		case <-c.avail:
		case <-c.readDone:
			// The reader queued its last message before exiting.
			if b, ok := c.pop(); ok {
				return b, nil
			}
			return nil, c.readErr
		case <-ctx.Done():
			return nil, core.FromTransportError(ctx.Err())
		}
	}
}

// Write sends frame as one binary message. When ctx ends during the
// write, coder/websocket closes the connection: a frame half written
// cannot be taken back.
func (c *conn) Write(ctx context.Context, frame []byte) error {
	select {
	case <-c.closing:
		return closedError(nil)
	default:
	}
	if err := c.ws.Write(ctx, websocket.MessageBinary, frame); err != nil {
		select {
		case <-c.closing:
			return closedError(err)
		default:
		}
		return mapError(err)
	}
	return nil
}

// Close sends a close frame with code and reason, waits up to the close
// timeout for the peer's, then releases everything. Codes that may not be
// sent on the wire (1005, 1006, 1015, out of range) are replaced by 1000,
// and the reason is cut to the 123 bytes a close frame holds. Close is
// safe to call concurrently and repeatedly; every call returns the first
// one's result once it is done. Pending and later Write calls fail; Read
// still returns the messages received before the close, then fails.
func (c *conn) Close(code int, reason string) error {
	c.closeOnce.Do(func() {
		close(c.closing)
		c.closeErr = c.close(sendableCode(code), truncateReason(reason))
	})
	return c.closeErr
}

func (c *conn) close(code websocket.StatusCode, reason string) error {
	done := make(chan error, 1)
	go func() { done <- c.ws.Close(code, reason) }()
	t := time.NewTimer(c.closeTimeout)
	defer t.Stop()
	var err error
	select {
	case err = <-done:
	case <-t.C:
		// The peer does not answer: cut the socket, which makes ws.Close
		// return at once.
		if c.raw != nil {
			c.raw.Close()
		}
		c.endLife()
		err = <-done
	}
	c.endLife()
	<-c.readDone
	if err == nil || errors.Is(err, net.ErrClosed) || CloseCode(err) != -1 {
		// Already closed by the peer, or the peer answered with its own
		// code: the connection is closed either way.
		return nil
	}
	return mapError(err)
}

// sendableCode returns code if a close frame may carry it, else 1000.
func sendableCode(code int) websocket.StatusCode {
	switch {
	case code == 1005 || code == 1006 || code == 1015 || code == 1004:
		return websocket.StatusNormalClosure
	case code >= 1000 && code <= 1014, code >= 3000 && code <= 4999:
		return websocket.StatusCode(code)
	}
	return websocket.StatusNormalClosure
}

// truncateReason cuts reason to the 123 bytes a close frame can carry,
// on a UTF-8 boundary.
func truncateReason(reason string) string {
	const max = 123
	if len(reason) <= max {
		return reason
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(reason[cut]) {
		cut--
	}
	return reason[:cut]
}
