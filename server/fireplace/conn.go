package fireplace

import (
	"errors"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/flooim/floo/xsync"
)

// Close codes the gateway uses besides those gorilla sends by itself (1009
// for an oversized message).
const (
	closeNormal      = websocket.CloseNormalClosure     // idle, kicked, failed login
	closeUnsupported = websocket.CloseUnsupportedData   // a text message in raw mode
	closeTryLater    = websocket.CloseTryAgainLater     // queue overflow: too slow
	closeGoingAway   = websocket.CloseGoingAway         // shutdown
	closeInternal    = websocket.CloseInternalServerErr // a bug: the frame's handler panicked
	closeNoFrame     = websocket.CloseAbnormalClosure   // peer gone: no close frame is sent
)

// conn is one WebSocket. The reader goroutine owns the fields marked
// "reader only"; the others are guarded by mu because fan-out from other
// connections reaches them.
type conn struct {
	g    *Gateway
	ws   *websocket.Conn
	done chan struct{}
	once sync.Once

	// The write queue is a slice rather than a buffered channel so that an
	// idle connection holds no buffer: a 512-slot channel would cost 12 KB
	// per connection.
	qmu    sync.Mutex
	queue  [][]byte
	signal chan struct{} // 1-buffered: the queue is not empty

	mu        sync.Mutex
	uid       int64  // 0 until a Provision succeeds
	sn        uint32 // the device's SN once logged in
	closing   bool   // kicked or failed login: no more frames are processed
	timer     *time.Timer
	noticed   map[int64]bool            // streams with an outstanding Notice
	transient map[int64][]transientItem // typing indicators waiting to be pulled

	// reader only
	watermarks  map[int64]int64 // highest id delivered per stream on this connection
	cursors     map[int64]int64 // the device's confirmed position per stream, once read
	unreadCount int             // UNREAD frames answered since login
	rateGate    uint64          // client_mid of the send refused for rate that holds later ones back (budget.go)
	gateUntil   time.Time       // when rateGate stops holding sends back
}

// transientItem is a meta that is delivered once and never stored.
type transientItem struct {
	meta    *xsync.Meta
	expires int64 // ms
}

func newConn(g *Gateway, ws *websocket.Conn) *conn {
	return &conn{
		g:          g,
		ws:         ws,
		signal:     make(chan struct{}, 1),
		done:       make(chan struct{}),
		noticed:    map[int64]bool{},
		transient:  map[int64][]transientItem{},
		watermarks: map[int64]int64{},
		cursors:    map[int64]int64{},
	}
}

// session returns the logged-in (uid, sn), or (0, 0).
func (c *conn) session() (int64, uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.uid, c.sn
}

// isClosing reports whether the connection only waits to be closed.
func (c *conn) isClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closing
}

// readLoop reads and handles frames until the connection ends.
func (c *conn) readLoop() {
	defer c.g.wg.Done()
	defer c.g.forget(c)
	ws := c.ws
	ws.SetReadLimit(c.g.cfg.MaxFrameBytes)
	idle := c.g.cfg.IdleTimeout
	ws.SetPingHandler(func(data string) error {
		// A ping is a frame too: it keeps an otherwise quiet client alive.
		ws.SetReadDeadline(time.Now().Add(idle))
		err := ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(c.g.cfg.WriteTimeout))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	for {
		ws.SetReadDeadline(time.Now().Add(idle))
		typ, data, err := ws.ReadMessage()
		if err != nil {
			var ne net.Error
			switch {
			case errors.Is(err, websocket.ErrReadLimit):
				// gorilla has sent 1009 already.
				c.close(closeNoFrame, "")
			case errors.As(err, &ne) && ne.Timeout():
				c.close(closeNormal, "idle timeout")
			default:
				c.close(closeNoFrame, "")
			}
			return
		}
		if typ != websocket.BinaryMessage {
			c.close(closeUnsupported, "binary frames only")
			return
		}
		if c.isClosing() {
			continue
		}
		if !c.safeHandle(data) {
			return
		}
	}
}

// safeHandle handles one frame and reports whether the connection lives on.
// A bug reached by a client's frame must not take the whole server down: the
// panic is logged and only this connection is closed (1011), since its
// session state may be half updated.
func (c *conn) safeHandle(data []byte) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			c.g.log.Error("fireplace: panic handling a frame", "uid", c.uidForLog(), "panic", p,
				"stack", string(debug.Stack()))
			c.close(closeInternal, "internal error")
			ok = false
		}
	}()
	c.handle(data)
	return true
}

// writeLoop writes queued frames until the connection ends.
func (c *conn) writeLoop() {
	defer c.g.wg.Done()
	var batch [][]byte
	for {
		select {
		case <-c.done:
			return
		case <-c.signal:
		}
		c.qmu.Lock()
		batch, c.queue = c.queue, batch[:0]
		c.qmu.Unlock()
		for i, b := range batch {
			c.ws.SetWriteDeadline(time.Now().Add(c.g.cfg.WriteTimeout))
			if err := c.ws.WriteMessage(websocket.BinaryMessage, b); err != nil {
				c.close(closeNoFrame, "")
				return
			}
			batch[i] = nil
		}
		if cap(batch) > 64 {
			batch = nil // do not keep a burst's backing array around
		}
	}
}

// enqueue queues an encoded frame without blocking. A full queue means the
// client does not keep up: it is disconnected rather than slowing the
// sender down.
func (c *conn) enqueue(b []byte) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	c.qmu.Lock()
	full := len(c.queue) >= c.g.cfg.QueueSize
	if !full {
		c.queue = append(c.queue, b)
	}
	c.qmu.Unlock()
	if full {
		c.g.log.Info("fireplace: dropping slow connection", "uid", c.uidForLog())
		c.close(closeTryLater, "too slow")
		return false
	}
	select {
	case c.signal <- struct{}{}:
	default:
	}
	return true
}

func (c *conn) uidForLog() int64 {
	uid, _ := c.session()
	return uid
}

// send queues Frame{cmd, payload}.
func (c *conn) send(cmd xsync.Command, payload xsync.Marshaler) {
	c.enqueue(xsync.MarshalFrame(cmd, payload))
}

// close ends the connection once, with a close frame unless code is
// closeNoFrame. It never blocks for long: the close frame gets a short
// deadline, and a connection dropped for being slow gets none.
func (c *conn) close(code int, reason string) {
	c.once.Do(func() {
		c.mu.Lock()
		c.closing = true
		if c.timer != nil {
			c.timer.Stop()
		}
		c.mu.Unlock()
		close(c.done)
		if code != closeNoFrame && code != closeTryLater {
			c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason),
				time.Now().Add(time.Second))
		}
		c.ws.Close()
	})
}

// closeLater stops processing frames now and closes the connection after
// the configured delay, so the frame just queued (a failed login, a kick
// notice) reaches the client first.
func (c *conn) closeLater(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return
	}
	c.closing = true
	c.timer = time.AfterFunc(c.g.cfg.CloseDelay, func() { c.close(closeNormal, reason) })
}

// notice queues a Notice for stream unless one is outstanding (§18.5).
func (c *conn) notice(stream int64) {
	c.mu.Lock()
	if c.uid == 0 || c.closing || c.noticed[stream] {
		c.mu.Unlock()
		return
	}
	c.noticed[stream] = true
	c.mu.Unlock()
	c.send(xsync.CommandNotice, &xsync.Notice{Xid: &xsync.XID{Uid: uint64(stream)}})
}

// clearNotice forgets the outstanding Notice of stream: the client is
// pulling it now.
func (c *conn) clearNotice(stream int64) {
	c.mu.Lock()
	delete(c.noticed, stream)
	c.mu.Unlock()
}

// addTransient queues a typing indicator for stream and notices it.
func (c *conn) addTransient(stream int64, m *xsync.Meta, expires int64) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.transient[stream] = append(c.transient[stream], transientItem{meta: m, expires: expires})
	c.mu.Unlock()
	c.notice(stream)
}

// takeTransient removes and returns the unexpired transient items of stream.
func (c *conn) takeTransient(stream int64, now int64) []*xsync.Meta {
	c.mu.Lock()
	defer c.mu.Unlock()
	items := c.transient[stream]
	if len(items) == 0 {
		return nil
	}
	delete(c.transient, stream)
	var out []*xsync.Meta
	for _, it := range items {
		if it.expires > now {
			out = append(out, it.meta)
		}
	}
	return out
}
