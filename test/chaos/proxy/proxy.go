// Package proxy is a TCP proxy for fault-injection tests: it sits between
// clients and a server on loopback and, on command, cuts every connection,
// stalls traffic (a blackhole: nothing is forwarded either way and every
// socket stays open, as on a network that silently stops), delays it, or
// splits it into small writes, so that both ends see frames arrive in
// pieces.
//
// It is test code of the project (test/chaos uses it); it listens on the
// address it is given and forwards to one target.
//
// A Proxy is safe for concurrent use. Each accepted connection is served
// by two goroutines, one per direction, that copy in chunks and consult the
// proxy's current mode before every read and every write: a stall holds
// both copies where they are (data already read waits in the proxy), a
// cut closes both sockets at once.
package proxy

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy forwards TCP connections from its listener to a target address.
type Proxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	pairs   map[*pair]struct{} // open connections
	resume  chan struct{}      // non-nil while stalled; closed by Resume
	delay   time.Duration      // added before forwarding each chunk
	split   int                // > 0: write chunks of 1..split bytes
	rng     *rand.Rand         // chunk sizes; guarded by mu
	refused bool               // new connections are closed at once

	// Accepted counts the connections accepted so far.
	Accepted atomic.Int64
}

// pair is one proxied connection: the client's socket and the server's.
type pair struct {
	client, server net.Conn
	once           sync.Once
	done           chan struct{} // closed when both sockets are closed
	dead           atomic.Bool   // blackholed: nothing is forwarded, ever again
}

func (p *pair) close() {
	p.once.Do(func() {
		close(p.done)
		p.client.Close()
		p.server.Close()
	})
}

// Listen starts a proxy on addr (e.g. "127.0.0.1:0") that forwards to
// target. seed makes the chunk sizes of Split reproducible.
func Listen(addr, target string, seed uint64) (*Proxy, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, pairs: map[*pair]struct{}{}, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// Addr returns the address the proxy listens on.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		p.Accepted.Add(1)
		p.mu.Lock()
		refused := p.refused || p.closed
		p.mu.Unlock()
		if refused {
			c.Close()
			continue
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// serve connects to the target and copies both ways until either side
// ends or the proxy cuts the pair. During a stall the connection to the
// target is still made (the client's SYN was answered by the proxy), but
// nothing flows until Resume.
func (p *Proxy) serve(c net.Conn) {
	defer p.wg.Done()
	s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	pr := &pair{client: c, server: s, done: make(chan struct{})}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		pr.close()
		return
	}
	p.pairs[pr] = struct{}{}
	p.mu.Unlock()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.copy(pr, s, c) }()
	go func() { defer wg.Done(); p.copy(pr, c, s) }()
	wg.Wait()
	p.mu.Lock()
	delete(p.pairs, pr)
	p.mu.Unlock()
}

// copy forwards src to dst until an error, then closes the pair: a TCP
// half-close is not propagated, which the WebSocket protocol never needs.
func (p *Proxy) copy(pr *pair, dst, src net.Conn) {
	defer pr.close()
	buf := make([]byte, 32<<10)
	for {
		if !p.gate(pr) {
			return
		}
		n, err := src.Read(buf)
		// A blackholed pair still reads both ends, so that a close by
		// either is noticed, but drops what it reads.
		if n > 0 && !pr.dead.Load() {
			if !p.gate(pr) || !p.forward(pr, dst, buf[:n]) {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// gate waits while the proxy is stalled and reports whether the pair is
// still open.
func (p *Proxy) gate(pr *pair) bool {
	for {
		p.mu.Lock()
		resume := p.resume
		p.mu.Unlock()
		if resume == nil {
			select {
			case <-pr.done:
				return false
			default:
				return true
			}
		}
		select {
		case <-resume:
		case <-pr.done:
			return false
		}
	}
}

// forward writes b to dst with the current delay and split.
func (p *Proxy) forward(pr *pair, dst net.Conn, b []byte) bool {
	p.mu.Lock()
	delay, split := p.delay, p.split
	p.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-pr.done:
			t.Stop()
			return false
		}
	}
	if split <= 0 {
		_, err := dst.Write(b)
		return err == nil
	}
	for len(b) > 0 {
		p.mu.Lock()
		n := 1 + p.rng.IntN(split)
		p.mu.Unlock()
		n = min(n, len(b))
		if _, err := dst.Write(b[:n]); err != nil {
			return false
		}
		b = b[n:]
		if len(b) > 0 {
			// A pause between pieces makes them separate segments, so the
			// reader really sees a frame arrive in parts.
			time.Sleep(200 * time.Microsecond)
		}
	}
	return true
}

// Cut closes every open connection, both sockets, and returns how many
// there were. New connections are accepted as before.
func (p *Proxy) Cut() int {
	p.mu.Lock()
	pairs := make([]*pair, 0, len(p.pairs))
	for pr := range p.pairs {
		pairs = append(pairs, pr)
	}
	p.mu.Unlock()
	for _, pr := range pairs {
		pr.close()
	}
	return len(pairs)
}

// Refuse makes the proxy close new connections at once (on) or accept
// them again (off), as when the network is down but the device's stack
// still answers.
func (p *Proxy) Refuse(on bool) {
	p.mu.Lock()
	p.refused = on
	p.mu.Unlock()
}

// Stall stops forwarding in both directions on every connection, current
// and new, until Resume. Sockets stay open and nothing is closed: neither
// end learns anything, exactly as with a network that drops packets.
func (p *Proxy) Stall() {
	p.mu.Lock()
	if p.resume == nil {
		p.resume = make(chan struct{})
	}
	p.mu.Unlock()
}

// Blackhole makes every open connection silent for good: nothing more is
// forwarded either way and both sockets stay open until an end closes
// them, as when a NAT or a mobile network drops a flow without telling
// anyone. New connections are forwarded as usual, so a client that notices
// the silence and reconnects gets through.
func (p *Proxy) Blackhole() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for pr := range p.pairs {
		pr.dead.Store(true)
	}
	return len(p.pairs)
}

// Resume ends a stall: what was held is forwarded, then traffic flows.
func (p *Proxy) Resume() {
	p.mu.Lock()
	if p.resume != nil {
		close(p.resume)
		p.resume = nil
	}
	p.mu.Unlock()
}

// SetDelay delays every chunk by d before it is forwarded (0 = none).
func (p *Proxy) SetDelay(d time.Duration) {
	p.mu.Lock()
	p.delay = d
	p.mu.Unlock()
}

// SetSplit writes every chunk as pieces of 1..n bytes (0 = whole).
func (p *Proxy) SetSplit(n int) {
	p.mu.Lock()
	p.split = n
	p.mu.Unlock()
}

// Conns returns the number of open proxied connections.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pairs)
}

// Close stops accepting, resumes any stall, closes every connection and
// waits for the proxy's goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.Resume()
	p.Cut()
	p.wg.Wait()
	return err
}

var _ io.Closer = (*Proxy)(nil)
