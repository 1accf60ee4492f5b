package core

import (
	"sync"

	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

// connection is one open XSYNC transport with its reader and writer
// goroutines. gen is the engine's generation counter at the time the
// attempt started: everything the goroutines report carries it, and the
// engine ignores reports whose gen is not the current one, so replies that
// arrive after a teardown can never be mistaken for replies on the new
// connection (STYLE.md §12).
type connection struct {
	gen    uint64
	url    string
	conn   Conn
	ctx    lite.Context // cancelled on teardown; reader and writer exit
	cancel lite.CancelFunc

	wmu  sync.Mutex
	wq   [][]byte      // guarded by wmu; frames waiting for the writer
	wsig chan struct{} // capacity 1: "wq is not empty"

	closeOnce sync.Once
}

// inbound is what connection goroutines hand to the engine.
type inbound struct {
	_     noCompare
	gen   uint64
	kind  inboundKind
	frame *decodedFrame // inFrame
	conn  Conn          // inDialed, nil on failure
	err   error         // inClosed, inDialed
}

type inboundKind uint8

const (
	inFrame  inboundKind = iota // a decoded frame
	inClosed                    // the connection failed (read or write error)
	inDialed                    // result of a dial
)

// decodedFrame is a Frame with its payload decoded by command, done on the
// reader goroutine so the engine only applies it.
type decodedFrame struct {
	cmd    xsync.Command
	unread *xsync.UnreadDL
	sync   *xsync.SyncDL
	notice *xsync.Notice
	prov   *xsync.Provision
}

func decodeInbound(b []byte) (*decodedFrame, error) {
	f, err := xsync.DecodeFrame(b)
	if err != nil {
		return nil, err
	}
	d := &decodedFrame{cmd: f.Command}
	switch f.Command {
	case xsync.CommandUnread:
		d.unread, err = f.UnreadDL()
	case xsync.CommandSync:
		d.sync, err = f.SyncDL()
	case xsync.CommandNotice:
		d.notice, err = f.Notice()
	case xsync.CommandProvision:
		d.prov, err = f.Provision()
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// send queues frame for the writer. It never blocks.
func (cn *connection) send(frame []byte) {
	cn.wmu.Lock()
	cn.wq = append(cn.wq, frame)
	cn.wmu.Unlock()
	select {
	case cn.wsig <- struct{}{}:
	default:
	}
}

func (cn *connection) take() [][]byte {
	cn.wmu.Lock()
	defer cn.wmu.Unlock()
	q := cn.wq
	cn.wq = nil
	return q
}

// dial starts a connection attempt on its own goroutine; the result comes
// back as an inDialed inbound with generation gen. The returned function
// abandons the attempt.
func (c *Client) dial(gen uint64, url string) lite.CancelFunc {
	ctx, cancel := lite.WithCancel(c.ctx)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		conn, err := c.cfg.Dialer.Dial(ctx, url)
		if err == nil && conn == nil {
			err = NewError(ServerConnectFailed, "dialer returned no connection")
		}
		select {
		case c.inbound <- inbound{gen: gen, kind: inDialed, conn: conn, err: err}:
		case <-c.ctx.Done():
			if conn != nil {
				conn.Close(1001, "client closed")
			}
		}
	}()
	return cancel
}

// startConnection wraps an open Conn and starts its reader and writer.
func (c *Client) startConnection(gen uint64, url string, conn Conn) *connection {
	ctx, cancel := lite.WithCancel(c.ctx)
	cn := &connection{gen: gen, url: url, conn: conn, ctx: ctx, cancel: cancel, wsig: make(chan struct{}, 1)}
	c.wg.Add(2)
	go c.readLoop(cn)
	go c.writeLoop(cn)
	return cn
}

// readLoop is the one reader of a connection: it reads, decodes and hands
// frames to the engine in order. A frame that does not decode is logged
// and skipped: one bad frame from a server should not cost the session.
func (c *Client) readLoop(cn *connection) {
	defer c.wg.Done()
	for {
		b, err := cn.conn.Read(cn.ctx)
		if err != nil {
			c.report(cn, inbound{gen: cn.gen, kind: inClosed, err: err})
			return
		}
		f, err := decodeInbound(b)
		if err != nil {
			c.log.warn("conn: dropping undecodable frame: " + err.Error())
			continue
		}
		if !c.report(cn, inbound{gen: cn.gen, kind: inFrame, frame: f}) {
			return
		}
	}
}

// writeLoop is the one writer of a connection: frames go out in the order
// the engine queued them. Each write is bounded by RequestTimeout so that a
// stalled socket is detected even without the liveness rule. A failed write
// closes the transport; the reader then reports the loss.
func (c *Client) writeLoop(cn *connection) {
	defer c.wg.Done()
	for {
		select {
		case <-cn.wsig:
		case <-cn.ctx.Done():
			return
		}
		for _, frame := range cn.take() {
			ctx, cancel := lite.WithTimeout(cn.ctx, c.cfg.RequestTimeout)
			err := cn.conn.Write(ctx, frame)
			cancel()
			if err != nil {
				// The reader is the one that reports the loss: closing
				// the transport makes its Read fail once the messages
				// already received are consumed, so a notice sent just
				// before the server closed (a kick) is not lost to a
				// write racing the close.
				if cn.ctx.Err() == nil {
					c.log.info("conn: write failed: " + err.Error())
					cn.conn.Close(1000, "write failed")
				}
				return
			}
		}
	}
}

// report hands in to the engine unless the connection was torn down.
func (c *Client) report(cn *connection, in inbound) bool {
	select {
	case c.inbound <- in:
		return true
	case <-cn.ctx.Done():
		return false
	}
}

// close tears the connection down: the goroutines stop, and the transport
// is closed on a goroutine of its own since a close handshake may block.
func (c *Client) closeConnection(cn *connection, code int, reason string) {
	cn.closeOnce.Do(func() {
		cn.cancel()
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			cn.conn.Close(code, reason)
		}()
	})
}
