package bus

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"sync"
)

// localQueue is how many events wait for one node of a Local bus before
// further ones are dropped (and the node resyncs).
const localQueue = 4096

// Local is the in-process bus: the nodes that joined it are gateways of
// this process. With one node (the default of a server without a bus) it
// carries nothing and costs nothing; with several it behaves as NATS
// does, events going only to the other nodes watching their uid, in order,
// through a bounded queue per node. Its zero value is not usable: call
// NewLocal.
type Local struct {
	mu    sync.Mutex
	nodes map[*localNode]struct{}
}

// NewLocal returns an empty in-process bus.
func NewLocal() *Local { return &Local{nodes: map[*localNode]struct{}{}} }

// Join implements Bus.
func (l *Local) Join(h Handler) (Node, error) {
	n := &localNode{
		hub:   l,
		id:    newNodeID(),
		h:     h,
		watch: map[int64]int{},
		q:     make(chan Event, localQueue),
		lost:  make(chan struct{}, 1),
		done:  make(chan struct{}),
		ended: make(chan struct{}),
	}
	l.mu.Lock()
	l.nodes[n] = struct{}{}
	l.mu.Unlock()
	go n.run()
	return n, nil
}

// peers returns the other nodes watching uid.
func (l *Local) peers(self *localNode, uid int64) []*localNode {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.nodes) < 2 {
		return nil
	}
	var out []*localNode
	for n := range l.nodes {
		if n != self && n.watches(uid) {
			out = append(out, n)
		}
	}
	return out
}

type localNode struct {
	hub *Local
	id  uint64
	h   Handler

	mu    sync.Mutex
	watch map[int64]int // live devices per uid; guarded by mu

	q      chan Event
	lost   chan struct{} // 1-buffered: an event was dropped, resync
	done   chan struct{} // closed by Close
	ended  chan struct{} // closed when run returns
	closed sync.Once
}

func newNodeID() uint64 {
	var b [8]byte
	rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

func (n *localNode) ID() uint64 { return n.id }

func (n *localNode) Watch(uid int64) {
	n.mu.Lock()
	n.watch[uid]++
	if n.watch[uid] == 0 {
		delete(n.watch, uid)
	}
	n.mu.Unlock()
}

func (n *localNode) Unwatch(uid int64) {
	n.mu.Lock()
	n.watch[uid]--
	if n.watch[uid] == 0 {
		delete(n.watch, uid)
	}
	n.mu.Unlock()
}

func (n *localNode) watches(uid int64) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.watch[uid] > 0
}

// Sync implements Node: Watch takes effect at once here.
func (n *localNode) Sync(context.Context) {}

func (n *localNode) Publish(ev Event) {
	ev.Node = n.id
	for _, p := range n.hub.peers(n, ev.UID) {
		p.enqueue(ev)
	}
}

// enqueue hands ev to the node's goroutine, or drops it and asks for a
// resync when the queue is full.
func (n *localNode) enqueue(ev Event) {
	select {
	case <-n.done:
	case n.q <- ev:
	default:
		n.markLost()
	}
}

func (n *localNode) markLost() {
	select {
	case n.lost <- struct{}{}:
	default:
	}
}

func (n *localNode) run() {
	defer close(n.ended)
	for {
		select {
		case <-n.done:
			return
		case ev := <-n.q:
			n.h.Deliver(ev)
		case <-n.lost:
			n.h.Resync()
		}
	}
}

func (n *localNode) Online(_ context.Context, uid int64) []uint32 {
	var out []uint32
	for _, p := range n.hub.peers(n, uid) {
		out = append(out, p.h.Online(uid)...)
	}
	return out
}

func (n *localNode) Close() error {
	n.closed.Do(func() {
		n.hub.mu.Lock()
		delete(n.hub.nodes, n)
		n.hub.mu.Unlock()
		close(n.done)
	})
	<-n.ended
	return nil
}
