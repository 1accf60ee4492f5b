package bus

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// NATSOptions configures a NATS bus.
type NATSOptions struct {
	// URL is the NATS server, nats://host:4222 (several, comma-separated,
	// for a NATS cluster). Required.
	URL string
	// Prefix starts every subject, so that deployments can share a NATS
	// server. "" = "floo".
	Prefix string
	// Name is the connection name NATS monitoring shows. "" =
	// "floo-server".
	Name string
	// Logger receives connection changes. nil = slog.Default().
	Logger *slog.Logger
	// PresenceWait bounds how long Online waits for the other nodes'
	// answers. 0 = 100 ms.
	PresenceWait time.Duration
	// ReconnectWait is the pause between reconnection attempts; they go on
	// forever. 0 = 250 ms.
	ReconnectWait time.Duration
	// ConnectTimeout bounds the first connection, which must succeed for
	// Join to. 0 = 5 s.
	ConnectTimeout time.Duration
}

// natsQueue is how many received events wait for the node's goroutine;
// beyond, NATS drops them as a slow consumer and the node resyncs.
const natsQueue = 8192

// NATS is a Bus over a NATS server (core NATS, no JetStream: the bus keeps
// nothing, the database does). Each Join opens one connection.
type NATS struct {
	opts NATSOptions
}

// NewNATS returns a bus over the NATS server of opts. Nothing connects
// until Join.
func NewNATS(opts NATSOptions) (*NATS, error) {
	if opts.URL == "" {
		return nil, errors.New("bus: NATS URL is required")
	}
	if opts.Prefix == "" {
		opts.Prefix = "floo"
	}
	if strings.ContainsAny(opts.Prefix, " \t*>") || strings.HasPrefix(opts.Prefix, ".") || strings.HasSuffix(opts.Prefix, ".") {
		return nil, errors.New("bus: subject prefix must be plain tokens separated by dots")
	}
	if opts.Name == "" {
		opts.Name = "floo-server"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.PresenceWait == 0 {
		opts.PresenceWait = 100 * time.Millisecond
	}
	if opts.ReconnectWait == 0 {
		opts.ReconnectWait = 250 * time.Millisecond
	}
	if opts.ConnectTimeout == 0 {
		opts.ConnectTimeout = 5 * time.Second
	}
	return &NATS{opts: opts}, nil
}

// Join implements Bus: it connects to NATS and fails if that is not
// possible now. Once connected, the node reconnects by itself for ever and
// resyncs after each reconnection.
func (b *NATS) Join(h Handler) (Node, error) {
	n := &natsNode{
		opts:   b.opts,
		log:    b.opts.Logger,
		id:     newNodeID(),
		h:      h,
		subs:   map[int64]*natsWatch{},
		ch:     make(chan *nats.Msg, natsQueue),
		resync: make(chan struct{}, 1),
		done:   make(chan struct{}),
		ended:  make(chan struct{}),
	}
	nc, err := nats.Connect(b.opts.URL,
		nats.Name(b.opts.Name),
		// A node never needs its own events: it delivered them locally.
		nats.NoEcho(),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(b.opts.ReconnectWait),
		nats.Timeout(b.opts.ConnectTimeout),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				n.log.Warn("bus: NATS connection lost", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			n.log.Info("bus: NATS reconnected", "server", nc.ConnectedUrlRedacted())
			n.askResync()
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			if errors.Is(err, nats.ErrSlowConsumer) {
				// Events were dropped on the way in.
				n.askResync()
				return
			}
			n.log.Warn("bus: NATS error", "err", err)
		}),
	)
	if err != nil {
		return nil, err
	}
	n.nc = nc
	go n.run()
	return n, nil
}

type natsWatch struct {
	count int
	sub   *nats.Subscription
}

type natsNode struct {
	opts NATSOptions
	log  *slog.Logger
	id   uint64
	h    Handler
	nc   *nats.Conn

	mu   sync.Mutex
	subs map[int64]*natsWatch // by uid; guarded by mu

	ch     chan *nats.Msg // every subscription's messages
	resync chan struct{}  // 1-buffered: events may have been lost
	done   chan struct{}  // closed by Close
	ended  chan struct{}  // closed when run returns
	once   sync.Once
}

// subject is where the events of uid go: one subject per user, which a
// node subscribes to while it holds a live device of that user. So an
// event reaches only the nodes concerned, and NATS drops those for users
// online nowhere else without any node hearing of them.
func (n *natsNode) subject(uid int64) string {
	return n.opts.Prefix + ".u." + strconv.FormatInt(uid, 10)
}

func (n *natsNode) ID() uint64 { return n.id }

// CheckHealth reports whether the node's NATS connection is up and the
// NATS server answers: one round trip (a flush), bounded by ctx.
func (n *natsNode) CheckHealth(ctx context.Context) error {
	if !n.nc.IsConnected() {
		return errors.New("bus: NATS not connected (" + n.nc.Status().String() + ")")
	}
	return n.nc.FlushWithContext(ctx)
}

func (n *natsNode) Watch(uid int64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	w := n.subs[uid]
	if w == nil {
		w = &natsWatch{}
		n.subs[uid] = w
	}
	w.count++
	n.settle(uid, w)
}

func (n *natsNode) Unwatch(uid int64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	w := n.subs[uid]
	if w == nil {
		// An Unwatch before its Watch (they raced): count below zero.
		w = &natsWatch{}
		n.subs[uid] = w
	}
	w.count--
	n.settle(uid, w)
}

// settle makes the subscription of uid match its count. n.mu is held. The
// client library only buffers the SUB and UNSUB; while disconnected it
// sends the subscriptions it has when it reconnects.
func (n *natsNode) settle(uid int64, w *natsWatch) {
	switch {
	case w.count > 0 && w.sub == nil:
		sub, err := n.nc.ChanSubscribe(n.subject(uid), n.ch)
		if err != nil {
			n.log.Warn("bus: subscribe", "uid", uid, "err", err)
			return
		}
		w.sub = sub
	case w.count <= 0 && w.sub != nil:
		w.sub.Unsubscribe()
		w.sub = nil
	}
	if w.count == 0 {
		delete(n.subs, uid)
	}
}

// Sync implements Node: a round trip to the NATS server, after which it
// has every subscription sent before.
func (n *natsNode) Sync(ctx context.Context) {
	if !n.nc.IsConnected() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	n.nc.FlushWithContext(ctx)
}

func (n *natsNode) Publish(ev Event) {
	ev.Node = n.id
	// While disconnected the library buffers publications (8 MiB) and
	// sends them on reconnection; past that they fail and are dropped.
	if err := n.nc.Publish(n.subject(ev.UID), Encode(ev)); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		n.log.Debug("bus: publish", "uid", ev.UID, "err", err)
	}
}

// Online implements Node: a query on the user's subject, answered by each
// node watching it; the answers are collected for PresenceWait (NATS says
// at once when no node watches the user).
func (n *natsNode) Online(ctx context.Context, uid int64) []uint32 {
	if !n.nc.IsConnected() {
		return nil
	}
	inbox := n.nc.NewInbox()
	sub, err := n.nc.SubscribeSync(inbox)
	if err != nil {
		return nil
	}
	defer sub.Unsubscribe()
	if err := n.nc.PublishRequest(n.subject(uid), inbox, Encode(Event{Kind: query, Node: n.id, UID: uid})); err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, n.opts.PresenceWait)
	defer cancel()
	var out []uint32
	for {
		m, err := sub.NextMsgWithContext(ctx)
		if err != nil {
			// The wait is over, or no node watches uid.
			return out
		}
		out = append(out, decodeSNs(m.Data)...)
	}
}

func (n *natsNode) askResync() {
	select {
	case n.resync <- struct{}{}:
	default:
	}
}

// run hands the received events to the handler, one at a time.
func (n *natsNode) run() {
	defer close(n.ended)
	for {
		select {
		case <-n.done:
			return
		case <-n.resync:
			n.h.Resync()
		case m := <-n.ch:
			ev, err := Decode(m.Data)
			switch {
			case err != nil:
				n.log.Debug("bus: dropping an undecodable event", "subject", m.Subject)
			case ev.Kind == query:
				if m.Reply != "" {
					if sns := n.h.Online(ev.UID); len(sns) > 0 {
						m.Respond(encodeSNs(sns))
					}
				}
			default:
				n.h.Deliver(ev)
			}
		}
	}
}

// Close implements Node: the connection closes (what was published is
// flushed first) and the node's goroutine ends.
func (n *natsNode) Close() error {
	n.once.Do(func() {
		if n.nc.IsConnected() {
			n.nc.FlushTimeout(time.Second)
		}
		n.nc.Close()
		close(n.done)
	})
	<-n.ended
	return nil
}
