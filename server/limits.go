package server

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the connection limits (server/README.md, "Memory and
// connection limits").
const (
	defaultMaxUnauthPerIP = 64
	defaultBodyTimeout    = 10 * time.Second
	defaultBodyMinRate    = 1 << 10 // bytes per second
	// fdHeadroom is what the derived MaxConns leaves of the open-file
	// limit for the database, uploaded files and refusals: an eighth, at
	// least 64.
	fdHeadroomMin = 64
	// maxRefusing bounds the refusals being written at once; beyond, a
	// connection over the cap is closed without a reply.
	maxRefusing = 32
)

// busyBody is the envelope of every "at capacity" refusal: HTTP 503, code
// 503, which the SDK retries as ServerBusy.
const busyBody = `{"code":503,"message":"server busy, try again later","data":null}`

// writeBusy answers 503 with busyBody.
func writeBusy(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Retry-After", "10")
	h.Set("Connection", "close")
	w.WriteHeader(http.StatusServiceUnavailable)
	io.WriteString(w, busyBody)
}

// clientIP is the TCP peer's address without the port. X-Forwarded-For is
// not trusted, as for the REST rate limit.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ipSlots counts, per client IP, the REST requests in flight and the
// WebSockets not yet logged in, and refuses more than max of them: one
// address cannot hold the server's connections while the others wait.
type ipSlots struct {
	max    int // <= 0: no cap
	log    *slog.Logger
	logged atomic.Int64 // Unix seconds of the last refusal logged

	mu sync.Mutex
	n  map[string]int // guarded by mu; addresses holding at least one slot
}

// acquire takes a slot for ip; release gives it back and may be called
// more than once.
func (s *ipSlots) acquire(ip string) (release func(), ok bool) {
	if s.max <= 0 {
		return func() {}, true
	}
	s.mu.Lock()
	if s.n[ip] >= s.max {
		s.mu.Unlock()
		s.report(ip)
		return nil, false
	}
	s.n[ip]++
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.n[ip]--; s.n[ip] <= 0 {
				delete(s.n, ip)
			}
			s.mu.Unlock()
		})
	}, true
}

// report logs a refusal, at most once a minute: behind a reverse proxy
// every client has the proxy's address, and this line says why they are
// refused.
func (s *ipSlots) report(ip string) {
	now := time.Now().Unix()
	last := s.logged.Load()
	if now-last < 60 || !s.logged.CompareAndSwap(last, now) {
		return
	}
	s.log.Warn("server: per-IP cap on unauthenticated connections reached, refusing with 503",
		"ip", ip, "max_unauth_per_ip", s.max)
}

// pacedBody is a request body that must keep arriving: each read must
// come within timeout of the previous one (or of the request's start), and
// after the first timeout the body must average at least rate bytes per
// second. Either rule broken, the connection's read deadline passes and
// the handler's read fails, which ends the request and its connection. A
// slow link uploading a large file at rate or better is never cut; a
// client trickling a byte now and then is, within timeout.
type pacedBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	start   time.Time
	timeout time.Duration
	rate    int64 // bytes per second; <= 0: no minimum rate
	read    int64
	ended   bool
}

// pace wraps r.Body in a pacedBody when it has one and the connection
// supports read deadlines.
func pace(w http.ResponseWriter, r *http.Request, timeout time.Duration, rate int64) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 || timeout <= 0 {
		return
	}
	rc := http.NewResponseController(w)
	now := time.Now()
	if rc.SetReadDeadline(now.Add(timeout)) != nil {
		return
	}
	r.Body = &pacedBody{ReadCloser: r.Body, rc: rc, start: now, timeout: timeout, rate: rate}
}

func (b *pacedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if b.ended {
		return n, err
	}
	b.read += int64(n)
	if err == io.EOF {
		// The body is over: lift the deadline so that it does not cut a
		// long response. net/http sets its own before the next request.
		b.ended = true
		b.rc.SetReadDeadline(time.Time{})
		return n, err
	}
	if err != nil {
		// Past the deadline (or broken): the deadline stays, so that
		// net/http, discarding the rest of the body after the handler,
		// fails at once too and closes the connection.
		b.ended = true
		return n, err
	}
	now := time.Now()
	next := now.Add(b.timeout)
	if b.rate > 0 {
		earned := b.start.Add(b.timeout + time.Duration(float64(b.read)/float64(b.rate)*float64(time.Second)))
		if earned.Before(next) {
			next = earned
		}
	}
	b.rc.SetReadDeadline(next)
	return n, err
}

// capListener accepts at most max connections open at once. One more is
// answered with HTTP 503 and closed, rather than left to fail accept when
// the process runs out of file descriptors: the headroom between max and
// the open-file limit keeps the database, files and these refusals
// working.
type capListener struct {
	net.Listener
	max      int64
	log      *slog.Logger
	open     atomic.Int64
	refusing atomic.Int64
	refused  atomic.Int64 // since the last log line
	logged   atomic.Int64 // Unix seconds of the last log line
}

func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) <= l.max {
			return &capConn{Conn: c, l: l}, nil
		}
		l.open.Add(-1)
		l.refused.Add(1)
		l.report()
		if l.refusing.Add(1) > maxRefusing {
			l.refusing.Add(-1)
			c.Close()
			continue
		}
		go l.refuse(c)
	}
}

// report logs the refusals at most once a minute.
func (l *capListener) report() {
	now := time.Now().Unix()
	last := l.logged.Load()
	if now-last < 60 || !l.logged.CompareAndSwap(last, now) {
		return
	}
	l.log.Warn("server: connection cap reached, refusing connections with 503",
		"max_conns", l.max, "refused", l.refused.Swap(0))
}

// refuse answers c with 503 and closes it, reading what the client sent
// meanwhile so that the close does not reset the connection before the
// client has read the reply.
func (l *capListener) refuse(c net.Conn) {
	defer l.refusing.Add(-1)
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	io.WriteString(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"+
		"Retry-After: 10\r\nConnection: close\r\nContent-Length: "+strconv.Itoa(len(busyBody))+"\r\n\r\n"+busyBody)
	if tc, ok := c.(interface{ CloseWrite() error }); ok {
		tc.CloseWrite()
	}
	io.Copy(io.Discard, io.LimitReader(c, 64<<10))
}

// capConn gives its slot back when closed, once.
type capConn struct {
	net.Conn
	l    *capListener
	once sync.Once
}

func (c *capConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.open.Add(-1) })
	return err
}
