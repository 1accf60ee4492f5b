package fireplace

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/websocket"
)

// socket.io mode (PROTOCOL.md §3.2) is what the official web client speaks:
// socket.io 2.x over Engine.IO v3, WebSocket transport only. It is written
// here by hand over gorilla/websocket rather than taken from a socket.io
// server library, because the part of the protocol the clients use is
// small (an open packet, `40`, ping `2` / pong `3`, the binary event
// `frame` with one attachment, and the close packets) while the maintained
// Go server (github.com/zishang520/socket.io v3) is a port of socket.io 4
// with long-polling, WebTransport (quic-go), compression and msgpack. It
// would pull 19 modules into the server (a minimal server using it builds
// to 14.3 MB, against 8.7 MB with gorilla/websocket alone; this file adds
// 19 KB to floo-server), own the connection's goroutines and write
// buffering (so the bounded write queue, the backpressure and the close
// codes of conn.go would have to be rebuilt on its API), and put framing
// the spec fixes byte for byte out of our hands. Here a socket.io
// connection is an ordinary conn with sio set: the reader unwraps the
// frames, the writer wraps them, and everything in between (login, queue
// bounds, pacing, kicks, shutdown) is shared with raw mode.

// sioPath is the path prefix of socket.io mode; raw mode is served
// everywhere else.
const sioPath = "/socket.io/"

// sioFrameHeader is the text message that announces one Frame: Engine.IO
// MESSAGE (4), socket.io BINARY_EVENT (5) with one attachment, event
// "frame" whose argument is attachment 0. The attachment follows as a
// binary message: the byte 0x04 (Engine.IO MESSAGE) and the Frame.
const sioFrameHeader = `451-["frame",{"_placeholder":true,"num":0}]`

// sioMaxAttachments bounds the binary attachments one event may announce;
// the clients send one.
const sioMaxAttachments = 16

// isSocketIO reports whether a WebSocket request is for socket.io mode.
func isSocketIO(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, sioPath) || r.URL.Path == strings.TrimSuffix(sioPath, "/")
}

// sioRefusal returns why a socket.io request cannot be served ("" if it
// can): only Engine.IO v3 over the websocket transport is offered.
func sioRefusal(r *http.Request) string {
	q := r.URL.Query()
	if q.Get("EIO") != "3" {
		return "unsupported protocol version: EIO=3 only"
	}
	if q.Get("transport") != "websocket" {
		return "unsupported transport: websocket only"
	}
	return ""
}

// sioOpenPacket is the Engine.IO OPEN packet of a new connection: a random
// sid, no upgrades, and the ping timings the client must keep.
func (g *Gateway) sioOpenPacket() []byte {
	var id [15]byte
	rand.Read(id[:])
	b := make([]byte, 0, 96)
	b = append(b, `0{"sid":"`...)
	b = base64.RawURLEncoding.AppendEncode(b, id[:])
	b = append(b, `","upgrades":[],"pingInterval":`...)
	b = strconv.AppendInt(b, g.cfg.PingInterval.Milliseconds(), 10)
	b = append(b, `,"pingTimeout":`...)
	b = strconv.AppendInt(b, g.cfg.PingTimeout.Milliseconds(), 10)
	return append(b, '}')
}

// sioState is the reader's state of a socket.io connection: the binary
// event being assembled. Reader only.
type sioState struct {
	want    int    // attachments still to come
	got     int    // attachments received of the current event
	isFrame bool   // the event is "frame" with a placeholder argument
	index   int    // which attachment holds the Frame
	frame   []byte // the Frame, once its attachment arrived
}

// sioVerdict says what the reader does with one WebSocket message.
type sioVerdict int

const (
	sioNone  sioVerdict = iota // nothing to handle (ping, ignored packet, attachment pending)
	sioFrame                   // a complete Frame to handle
	sioClose                   // the client closed (`1`, `41`): close normally
	sioBad                     // not socket.io over Engine.IO v3: close with 1003
)

// sioRead interprets one WebSocket message of a socket.io connection. It
// returns the Frame the message completes, if any. A ping queues its pong.
func (c *conn) sioRead(typ int, data []byte) ([]byte, sioVerdict) {
	st := &c.sioIn
	if typ == websocket.BinaryMessage {
		// An attachment: 0x04 and the bytes.
		if st.want == 0 || len(data) == 0 || data[0] != '\x04' {
			return nil, sioBad
		}
		if st.isFrame && st.got == st.index {
			st.frame = data[1:]
		}
		st.got++
		st.want--
		if st.want > 0 {
			return nil, sioNone
		}
		// A placeholder naming an attachment that never came is no Frame.
		frame, ok := st.frame, st.isFrame && st.index < st.got
		*st = sioState{}
		if !ok {
			return nil, sioNone
		}
		return frame, sioFrame
	}
	if len(data) == 0 || st.want > 0 {
		// Engine.IO has no empty packet, and socket.io sends an event's
		// attachments right after its header.
		return nil, sioBad
	}
	switch data[0] {
	case '2': // ping: answer with pong and the same data
		c.queuePong(data[1:])
		return nil, sioNone
	case '1': // close
		return nil, sioClose
	case '3', '5', '6': // pong, upgrade, noop
		return nil, sioNone
	case '4':
	default:
		return nil, sioBad
	}
	p := data[1:]
	if len(p) == 0 {
		return nil, sioBad
	}
	switch p[0] {
	case '1': // DISCONNECT
		if len(p) == 1 || string(p[1:]) == "/" || string(p[1:]) == "/," {
			return nil, sioClose
		}
		return nil, sioNone
	case '5', '6': // BINARY_EVENT, BINARY_ACK
		n, rest, ok := sioAttachments(p[1:])
		if !ok {
			return nil, sioBad
		}
		*st = sioState{want: n}
		if p[0] == '5' {
			st.index, st.isFrame = sioFrameArg(rest)
		}
		return nil, sioNone
	}
	// CONNECT (the default namespace is connected already), EVENT and ACK
	// (no frame is ever text), ERROR: nothing to do.
	return nil, sioNone
}

// sioAttachments reads the `<n>-` that starts a binary packet.
func sioAttachments(p []byte) (n int, rest []byte, ok bool) {
	i := bytes.IndexByte(p, '-')
	if i <= 0 || i > 3 {
		return 0, nil, false
	}
	n, err := strconv.Atoi(string(p[:i]))
	if err != nil || n < 1 || n > sioMaxAttachments {
		return 0, nil, false
	}
	return n, p[i+1:], true
}

// sioFrameArg reads the rest of a binary event (an optional namespace, an
// optional ack id, the JSON array) and reports whether it is the event
// "frame" of the default namespace whose first argument is a placeholder,
// and the attachment number that placeholder names.
func sioFrameArg(p []byte) (index int, ok bool) {
	if string(p) == sioFrameHeader[4:] {
		return 0, true // what the clients send
	}
	if len(p) > 0 && p[0] == '/' {
		i := bytes.IndexByte(p, ',')
		if i < 0 || string(p[:i]) != "/" {
			return 0, false
		}
		p = p[i+1:]
	}
	for len(p) > 0 && p[0] >= '0' && p[0] <= '9' {
		p = p[1:] // an ack id: acks are never used
	}
	var args []json.RawMessage
	if json.Unmarshal(p, &args) != nil || len(args) < 2 {
		return 0, false
	}
	var name string
	var ph struct {
		Placeholder bool `json:"_placeholder"`
		Num         int  `json:"num"`
	}
	if json.Unmarshal(args[0], &name) != nil || name != "frame" ||
		json.Unmarshal(args[1], &ph) != nil || !ph.Placeholder || ph.Num < 0 {
		return 0, false
	}
	return ph.Num, true
}

// queuePong asks the writer to answer a ping. Pongs do not count against
// the queue bounds: at most one is pending, the latest ping's.
func (c *conn) queuePong(data []byte) {
	c.qmu.Lock()
	c.pong = append(append(c.pong[:0], '3'), data...)
	c.qmu.Unlock()
	select {
	case c.signal <- struct{}{}:
	default:
	}
}

// takePong returns the pending pong, if any.
func (c *conn) takePong() []byte {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if len(c.pong) == 0 {
		return nil
	}
	p := c.pong
	c.pong = nil
	return p
}

// writeSIOFrame writes one Frame as the binary event "frame": the header
// text message, then 0x04 and the Frame as one binary message (written
// through NextWriter, so the Frame is not copied).
func writeSIOFrame(ws *websocket.Conn, b []byte) error {
	if err := ws.WriteMessage(websocket.TextMessage, sioHeaderBytes); err != nil {
		return err
	}
	w, err := ws.NextWriter(websocket.BinaryMessage)
	if err != nil {
		return err
	}
	if _, err := w.Write(sioMessageType); err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return err
	}
	return w.Close()
}

var (
	sioHeaderBytes = []byte(sioFrameHeader)
	sioMessageType = []byte{'\x04'}
	sioConnect     = []byte("40")
)
