package core

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/flooim/floo/internal/lite"
)

// This file holds the platform fakes of the tests: an in-memory transport
// pipe (in the spirit of coder/websocket's wstest.Pipe), a fake Clock
// driven by Advance, and a scripted HTTPDoer.

// errPipeClosed is what a closed pipe end returns.
var errPipeClosed = errors.New("pipe closed")

// pipeQueue is an unbounded FIFO of binary messages with a wake-up signal.
type pipeQueue struct {
	mu   sync.Mutex
	msgs [][]byte
	sig  chan struct{}
}

func newPipeQueue() *pipeQueue { return &pipeQueue{sig: make(chan struct{}, 1)} }

func (q *pipeQueue) push(b []byte) {
	q.mu.Lock()
	q.msgs = append(q.msgs, b)
	q.mu.Unlock()
	select {
	case q.sig <- struct{}{}:
	default:
	}
}

func (q *pipeQueue) pop() ([]byte, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.msgs) == 0 {
		return nil, false
	}
	b := q.msgs[0]
	q.msgs[0] = nil
	q.msgs = q.msgs[1:]
	return b, true
}

// pipeShared is the state both ends of a pipe share.
type pipeShared struct {
	once   sync.Once
	closed chan struct{}
	code   atomic.Int64
	reason atomic.Value
}

// pipeCloseError is what Read returns once the pipe is closed: it carries
// the close code, as the real transports' errors do.
type pipeCloseError struct{ code int }

func (e *pipeCloseError) Error() string  { return "pipe closed: " + strconv.Itoa(e.code) }
func (e *pipeCloseError) CloseCode() int { return e.code }
func (e *pipeCloseError) Is(target error) bool {
	return target == errPipeClosed
}

// pipeConn is one end of an in-memory message pipe; it implements Conn.
// Messages written before a close are still read by the peer, as with a
// WebSocket close handshake.
type pipeConn struct {
	in     *pipeQueue // what this end reads
	out    *pipeQueue // the peer's in
	shared *pipeShared
}

func newPipe() (client, server *pipeConn) {
	a, b := newPipeQueue(), newPipeQueue()
	sh := &pipeShared{closed: make(chan struct{})}
	return &pipeConn{in: a, out: b, shared: sh}, &pipeConn{in: b, out: a, shared: sh}
}

func (p *pipeConn) Read(ctx lite.Context) ([]byte, error) {
	for {
		if b, ok := p.in.pop(); ok {
			return b, nil
		}
		select {
		case <-p.in.sig:
		case <-p.shared.closed:
			if b, ok := p.in.pop(); ok {
				return b, nil
			}
			return nil, &pipeCloseError{code: int(p.shared.code.Load())}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (p *pipeConn) Write(ctx lite.Context, b []byte) error {
	select {
	case <-p.shared.closed:
		return errPipeClosed
	default:
	}
	p.out.push(append([]byte(nil), b...))
	return nil
}

func (p *pipeConn) Close(code int, reason string) error {
	p.shared.once.Do(func() {
		p.shared.code.Store(int64(code))
		p.shared.reason.Store(reason)
		close(p.shared.closed)
	})
	return nil
}

func (p *pipeConn) isClosed() bool {
	select {
	case <-p.shared.closed:
		return true
	default:
		return false
	}
}

// fakeClock is a Clock whose time moves only with Advance.
type fakeClock struct {
	mu     sync.Mutex
	now    lite.Time
	timers []*fakeTimer
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: lite.Now()}
}

func (c *fakeClock) Now() lite.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d lite.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clk: c, ch: make(chan lite.Time, 1)}
	c.timers = append(c.timers, t)
	t.arm(d)
	return t
}

// Advance moves the clock forward and fires the timers that came due.
func (c *fakeClock) Advance(d lite.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for _, t := range c.timers {
		if t.active && !t.when.After(c.now) {
			t.fire()
		}
	}
}

// nextDeadline returns the deadline of the earliest armed timer, for tests
// that wait for the engine to arm one before advancing.
func (c *fakeClock) nextDeadline() (lite.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var best lite.Time
	ok := false
	for _, t := range c.timers {
		if t.active && (!ok || t.when.Before(best)) {
			best, ok = t.when, true
		}
	}
	return best, ok
}

// armedTimers counts the timers that are armed: created or reset and
// neither stopped nor fired since. A closed client must leave none, since on
// js/wasm every armed Go timer keeps a JavaScript timeout pending.
func (c *fakeClock) armedTimers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if t.active {
			n++
		}
	}
	return n
}

type fakeTimer struct {
	clk    *fakeClock
	ch     chan lite.Time
	when   lite.Time
	active bool
}

// arm and fire are called with clk.mu held.
func (t *fakeTimer) arm(d lite.Duration) {
	t.when = t.clk.now.Add(d)
	t.active = true
	if d <= 0 {
		t.fire()
	}
}

func (t *fakeTimer) fire() {
	t.active = false
	select {
	case t.ch <- t.clk.now:
	default:
	}
}

func (t *fakeTimer) C() <-chan lite.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.clk.mu.Lock()
	defer t.clk.mu.Unlock()
	was := t.active
	t.active = false
	select {
	case <-t.ch:
	default:
	}
	return was
}

func (t *fakeTimer) Reset(d lite.Duration) {
	t.clk.mu.Lock()
	defer t.clk.mu.Unlock()
	select {
	case <-t.ch:
	default:
	}
	t.arm(d)
}

// fakeHTTP is a scripted HTTPDoer: handlers by "METHOD path" (path without
// the query), falling back to by path alone. Every request is recorded.
type fakeHTTP struct {
	mu       sync.Mutex
	handlers map[string]func(*HTTPRequest) (*HTTPResponse, error)
	reqs     []*HTTPRequest
}

func newFakeHTTP() *fakeHTTP {
	return &fakeHTTP{handlers: make(map[string]func(*HTTPRequest) (*HTTPResponse, error))}
}

// handle registers fn for key: "GET /roster/list", or a path alone for any
// method. A key may also be a full URL prefix ("https://dns.example/").
func (h *fakeHTTP) handle(key string, fn func(*HTTPRequest) (*HTTPResponse, error)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.handlers[key] = fn
}

func splitURL(u string) (host, path, query string) {
	rest := u
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest, query = rest[:i], rest[i+1:]
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[:i], rest[i:], query
	}
	return rest, "/", query
}

func (h *fakeHTTP) Do(ctx lite.Context, req *HTTPRequest) (*HTTPResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.reqs = append(h.reqs, req)
	_, path, _ := splitURL(req.URL)
	fn := h.handlers[req.Method+" "+path]
	if fn == nil {
		fn = h.handlers[path]
	}
	h.mu.Unlock()
	if fn == nil {
		return &HTTPResponse{Status: 404, Body: []byte("not found")}, nil
	}
	return fn(req)
}

func (h *fakeHTTP) Upload(ctx lite.Context, req *UploadRequest) (*HTTPResponse, error) {
	return nil, errors.New("upload not supported by the fake")
}

// requests returns the recorded requests whose URL contains substr.
func (h *fakeHTTP) requests(substr string) []*HTTPRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*HTTPRequest
	for _, r := range h.reqs {
		if strings.Contains(r.URL, substr) {
			out = append(out, r)
		}
	}
	return out
}

// envelope renders a REST envelope.
func envelope(code int, message, data string) *HTTPResponse {
	if data == "" {
		data = "null"
	}
	msg := "null"
	if message != "" {
		msg = `"` + message + `"`
	}
	return &HTTPResponse{Status: 200, Body: []byte(`{"code":` + itoa(code) + `,"message":` + msg + `,"data":` + data + `}`)}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}
