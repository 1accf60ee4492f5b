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
	// sio is set for socket.io mode (PROTOCOL.md §3.2, sio.go): the same
	// session wrapped in Engine.IO v3 / socket.io 2 packets. Fixed at the
	// upgrade.
	sio bool

	// The write queue is a slice rather than a buffered channel so that an
	// idle connection holds no buffer: a 512-slot channel would cost 12 KB
	// per connection. qbytes and qframes count what is queued or being
	// written, so the bounds of Config.QueueBytes and Config.QueueSize
	// hold until a frame has left.
	qmu     sync.Mutex
	queue   [][]byte
	jobs    []pushJob // the pushes queued, in order; each stands in queue as an empty frame
	qbytes  int
	qframes int
	signal  chan struct{} // 1-buffered: the queue is not empty
	drained chan struct{} // 1-buffered: the writer wrote a frame
	// pong is the Engine.IO pong the writer owes a socket.io client ("3"
	// and the ping's data), nil when none is due.
	pong []byte
	// release gives back the unauthenticated slot taken at the upgrade
	// (Config.Admit); run once, at the first login or at close.
	release func()

	mu        sync.Mutex
	uid       int64  // 0 until a Provision succeeds
	sn        uint32 // the device's SN once logged in
	closing   bool   // kicked or failed login: no more frames are processed
	draining  bool   // Gateway.Drain: no frame is read after the one being handled
	timer     *time.Timer
	tokenHash []byte                // the session's token (store.HashToken), checked on revocation
	tokenExp  int64                 // when the session's token expires, Unix ms
	loginAt   int64                 // when the session logged in, Unix ms (the gateway clock)
	expiry    *time.Timer           // fires at tokenExp (real time; every frame checks too)
	noticed   map[int64]bool        // streams with an outstanding Notice
	syncs     map[int64]*streamSync // per stream: signals, pages being built, exchange open (push.go)
	transient []transientItem       // typing indicators waiting to be pulled, oldest first
	tbytes    int                   // the size of transient

	// pushPages: new entries of idle streams are pushed as pages rather
	// than noticed (push.go). Fixed at the upgrade.
	pushPages bool

	// syncMu serializes the building of pages (sync.go page), by the
	// reader's pulls and by pushes, and guards watermarks and cursors.
	syncMu     sync.Mutex
	watermarks map[int64]int64 // highest id delivered per stream on this connection
	cursors    map[int64]int64 // the device's confirmed position per stream, once read

	// reader only
	unreadCount int       // UNREAD frames answered since login
	rateGate    uint64    // client_mid of the send refused for rate that holds later ones back (budget.go)
	gateUntil   time.Time // when rateGate stops holding sends back
	sioIn       sioState  // the socket.io event being read

	// Pipelined sends (handleSend): the reader takes a slot and adds to
	// sends before queuing an append, the store's committer gives both
	// back after answering it.
	sendSlots chan struct{} // capacity maxPipelined
	sends     sync.WaitGroup
}

// transientItem is a meta that is delivered once and never stored.
type transientItem struct {
	stream  int64
	meta    *xsync.Meta
	expires int64 // ms
}

// size is what the item counts against Config.TransientBytes: its payload
// and a rough allowance for the meta around it.
func (it *transientItem) size() int { return len(it.meta.Payload) + 64 }

func newConn(g *Gateway, ws *websocket.Conn, release func(), sio bool) *conn {
	return &conn{
		g:          g,
		ws:         ws,
		sio:        sio,
		pushPages:  !sio && !g.cfg.NoPush,
		signal:     make(chan struct{}, 1),
		drained:    make(chan struct{}, 1),
		sendSlots:  make(chan struct{}, maxPipelined),
		release:    release,
		done:       make(chan struct{}),
		noticed:    map[int64]bool{},
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

// loginTime returns when the session logged in (Unix ms), 0 before.
func (c *conn) loginTime() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loginAt
}

// isClosing reports whether the connection only waits to be closed.
func (c *conn) isClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closing
}

// readLoop reads and handles frames until the connection ends.
//
// Before reading the next frame it waits for the replies already queued to
// drain below a quarter of the queue's byte budget (waitRoom): a client
// that asks and does not read stops being read, and holds at most that
// plus one reply, however many requests it sends.
//
// Until a Provision succeeds, the connection has Config.LoginTimeout from
// the upgrade to log in; pings do not extend it (PROTOCOL.md §18.10).
// Afterwards any frame, pings included, restarts the idle timeout. In
// socket.io mode that timeout is pingInterval + pingTimeout, as the client
// pings every pingInterval, and any message counts (PROTOCOL.md §3.2).
func (c *conn) readLoop() {
	defer c.g.wg.Done()
	defer c.g.forget(c)
	// The sends still committing are answered (or find the connection
	// closed) before the connection counts as gone.
	defer c.waitSends()
	ws := c.ws
	idle := c.g.cfg.IdleTimeout
	if c.sio {
		// 0x04 before each Frame.
		ws.SetReadLimit(c.g.cfg.MaxFrameBytes + 1)
		idle = c.g.cfg.PingInterval + c.g.cfg.PingTimeout
	} else {
		ws.SetReadLimit(c.g.cfg.MaxFrameBytes)
	}
	loginBy := time.Now().Add(c.g.cfg.LoginTimeout)
	ws.SetPingHandler(func(data string) error {
		// A ping is a frame too: it keeps an otherwise quiet client alive,
		// once logged in.
		c.armRead(idle, time.Time{})
		err := ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(c.g.cfg.WriteTimeout))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	for {
		if !c.waitRoom() {
			return
		}
		if !c.armRead(idle, loginBy) {
			c.leave()
			return
		}
		typ, data, err := ws.ReadMessage()
		if err != nil {
			var ne net.Error
			switch {
			case c.isDraining():
				// Woken by Drain (a deadline in the past), or the peer
				// went away meanwhile; leave writes what is queued.
				c.leave()
			case errors.Is(err, websocket.ErrReadLimit):
				// gorilla has sent 1009 already.
				c.close(closeNoFrame, "")
			case errors.As(err, &ne) && ne.Timeout():
				if uid, _ := c.session(); uid == 0 {
					c.close(closeNormal, "login timeout")
				} else {
					c.close(closeNormal, "idle timeout")
				}
			default:
				c.close(closeNoFrame, "")
			}
			return
		}
		if c.sio {
			var v sioVerdict
			switch data, v = c.sioRead(typ, data); v {
			case sioNone:
				continue
			case sioClose:
				c.close(closeNormal, "")
				return
			case sioBad:
				c.close(closeUnsupported, "not a socket.io 2 packet")
				return
			}
		} else if typ != websocket.BinaryMessage {
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

// armRead sets the read deadline for the next frame: idle after login,
// loginBy before it (a zero loginBy leaves that deadline alone, for the
// ping handler). It reports false, setting nothing, once the connection is
// draining. Drain sets its deadline under the same lock, so a reader can
// never push the deadline back after Drain woke it.
func (c *conn) armRead(idle time.Duration, loginBy time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.draining:
		return false
	case c.uid != 0:
		c.ws.SetReadDeadline(time.Now().Add(idle))
	case !loginBy.IsZero():
		c.ws.SetReadDeadline(loginBy)
	}
	return true
}

// drain marks the connection as leaving and wakes its reader if it waits
// for a frame (Gateway.Drain). A reader handling a frame finishes it first.
func (c *conn) drain() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.draining = true
	c.ws.SetReadDeadline(time.Now())
}

func (c *conn) isDraining() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.draining
}

// leave ends a draining connection from its reader: it waits until the
// writer has sent everything queued (replies to the frames handled, acks
// above all) or until the drain's deadline, then closes with 1001, which
// the SDK takes as "reconnect to another node".
func (c *conn) leave() {
	c.waitSends() // their acks must be queued before the queue can be empty
	end := c.g.drainDeadline()
	for {
		c.qmu.Lock()
		empty := c.qframes == 0
		c.qmu.Unlock()
		if empty {
			break
		}
		select {
		case <-c.done:
			return
		case <-end:
			c.close(closeGoingAway, "server going away")
			return
		case <-c.drained:
		}
	}
	c.close(closeGoingAway, "server going away")
}

// waitRoom blocks until the write queue is below its pause mark (a quarter
// of Config.QueueBytes and half of Config.QueueSize) and reports false if
// the connection ended meanwhile. A writer stuck on a client that does not
// read ends the connection after Config.WriteTimeout.
func (c *conn) waitRoom() bool {
	cfg := &c.g.cfg
	for {
		c.qmu.Lock()
		room := c.qbytes <= cfg.QueueBytes/4 && c.qframes <= cfg.QueueSize/2
		c.qmu.Unlock()
		if room {
			return true
		}
		select {
		case <-c.done:
			return false
		case <-c.drained:
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

// writeLoop writes queued frames until the connection ends. In socket.io
// mode it first opens the session (the Engine.IO OPEN packet, then `40`),
// writes each frame as the binary event "frame" (two messages) and answers
// pings before the frames queued with them.
func (c *conn) writeLoop() {
	defer c.g.wg.Done()
	if c.sio {
		c.ws.SetWriteDeadline(time.Now().Add(c.g.cfg.WriteTimeout))
		if c.ws.WriteMessage(websocket.TextMessage, c.g.sioOpenPacket()) != nil ||
			c.ws.WriteMessage(websocket.TextMessage, sioConnect) != nil {
			c.close(closeNoFrame, "")
			return
		}
	}
	var batch [][]byte
	var jobs []pushJob
	for {
		select {
		case <-c.done:
			return
		case <-c.signal:
		}
		if c.sio {
			if pong := c.takePong(); pong != nil {
				c.ws.SetWriteDeadline(time.Now().Add(c.g.cfg.WriteTimeout))
				if c.ws.WriteMessage(websocket.TextMessage, pong) != nil {
					c.close(closeNoFrame, "")
					return
				}
			}
		}
		c.qmu.Lock()
		batch, c.queue = c.queue, batch[:0]
		jobs, c.jobs = c.jobs, jobs[:0]
		c.qmu.Unlock()
		for i, b := range batch {
			queued := len(b)
			if queued == 0 {
				// A push (push.go): its page is built now.
				b = c.page(jobs[0].stream, 0, &jobs[0])
				jobs[0] = pushJob{}
				jobs = jobs[1:]
				if b == nil {
					c.qmu.Lock()
					c.qframes--
					c.qmu.Unlock()
					continue
				}
			}
			c.ws.SetWriteDeadline(time.Now().Add(c.g.cfg.WriteTimeout))
			var err error
			if c.sio {
				err = writeSIOFrame(c.ws, b)
			} else {
				err = c.ws.WriteMessage(websocket.BinaryMessage, b)
			}
			if err != nil {
				c.close(closeNoFrame, "")
				return
			}
			batch[i] = nil
			c.qmu.Lock()
			c.qbytes -= queued
			c.qframes--
			c.qmu.Unlock()
			select {
			case c.drained <- struct{}{}:
			default:
			}
		}
		if cap(batch) > 64 {
			batch = nil // do not keep a burst's backing array around
		}
		if cap(jobs) > 64 {
			jobs = nil
		}
	}
}

// enqueue queues an encoded frame without blocking. A reply to the
// connection's own request (reply = true) is always queued: the reader
// bounds those by waiting for room before it reads the next request. Any
// other frame (a Notice, a kick) that would take the queue past
// Config.QueueSize frames or Config.QueueBytes bytes means the client does
// not keep up: it is disconnected (1013) rather than slowing the sender
// down or holding memory for it, and syncs what it missed when it comes
// back.
func (c *conn) enqueue(b []byte, reply bool) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	cfg := &c.g.cfg
	c.qmu.Lock()
	full := !reply && (c.qframes >= cfg.QueueSize || c.qbytes+len(b) > cfg.QueueBytes)
	if !full {
		c.queue = append(c.queue, b)
		c.qbytes += len(b)
		c.qframes++
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

// send queues Frame{cmd, payload} as a reply to the frame the reader is
// handling.
func (c *conn) send(cmd xsync.Command, payload xsync.Marshaler) {
	c.enqueue(xsync.MarshalFrame(cmd, payload), true)
}

// push queues Frame{cmd, payload} that no request of this connection asked
// for (a Notice, a kick), under the queue's hard bounds.
func (c *conn) push(cmd xsync.Command, payload xsync.Marshaler) {
	c.enqueue(xsync.MarshalFrame(cmd, payload), false)
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
		c.transient, c.tbytes = nil, 0
		if c.expiry != nil {
			c.expiry.Stop()
		}
		c.mu.Unlock()
		c.admitted()
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
// notice) reaches the client first. It reports whether this call started
// the closing.
func (c *conn) closeLater(reason string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return false
	}
	c.closing = true
	c.timer = time.AfterFunc(c.g.cfg.CloseDelay, func() { c.close(closeNormal, reason) })
	return true
}

// admitted gives back the connection's unauthenticated slot, once.
func (c *conn) admitted() {
	c.mu.Lock()
	release := c.release
	c.release = nil
	c.mu.Unlock()
	if release != nil {
		release()
	}
}

// addTransient queues a typing indicator for stream and notices it. The
// queue holds at most Config.TransientItems items and
// Config.TransientBytes bytes per connection, across streams: expired
// items go first, then the oldest, so a flood costs its target a bounded
// amount and the newest indicators still arrive.
func (c *conn) addTransient(stream int64, m *xsync.Meta, expires int64) {
	it := transientItem{stream: stream, meta: m, expires: expires}
	cfg := &c.g.cfg
	if it.size() > cfg.TransientBytes {
		return
	}
	now := c.g.now()
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	kept := c.transient[:0]
	c.tbytes = 0
	for _, old := range c.transient {
		if old.expires > now {
			kept = append(kept, old)
			c.tbytes += old.size()
		}
	}
	clear(c.transient[len(kept):])
	drop := 0
	for len(kept)-drop >= cfg.TransientItems || c.tbytes+it.size() > cfg.TransientBytes {
		c.tbytes -= kept[drop].size()
		drop++
	}
	// Copy down rather than reslice, so the dropped metas are freed and the
	// backing array does not creep forward.
	n := copy(kept, kept[drop:])
	clear(kept[n:])
	c.transient = append(kept[:n], it)
	c.tbytes += it.size()
	c.mu.Unlock()
	c.notice(stream)
}

// takeTransient removes and returns the unexpired transient items of stream.
func (c *conn) takeTransient(stream int64, now int64) []*xsync.Meta {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*xsync.Meta
	kept := c.transient[:0]
	c.tbytes = 0
	for _, it := range c.transient {
		switch {
		case it.stream != stream:
			kept = append(kept, it)
			c.tbytes += it.size()
		case it.expires > now:
			out = append(out, it.meta)
		}
	}
	clear(c.transient[len(kept):])
	c.transient = kept
	return out
}
