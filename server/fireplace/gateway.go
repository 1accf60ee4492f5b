package fireplace

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/flooim/floo/server/bus"
	"github.com/flooim/floo/server/store"
)

// Store is the part of store.Store the gateway uses. store.Store satisfies
// it; unit tests may pass something smaller.
type Store interface {
	store.Messages
	LookupToken(ctx context.Context, hash []byte, now int64) (store.Token, error)
	UserByID(ctx context.Context, id int64) (store.User, error)
	RegisterDevice(ctx context.Context, reg store.DeviceRegistration) (store.Device, bool, error)
	DeviceByGUID(ctx context.Context, uid int64, guid string) (store.Device, error)
	Device(ctx context.Context, uid int64, sn uint32) (store.Device, error)
	ListDevices(ctx context.Context, uid int64) ([]store.Device, error)
	RemoveDevice(ctx context.Context, uid int64, sn uint32) error
	TouchDevice(ctx context.Context, uid int64, sn uint32, now int64) error
	GetGroup(ctx context.Context, gid int64) (*store.Group, error)
	GetMember(ctx context.Context, gid, uid int64) (*store.Member, error)
	ListMembers(ctx context.Context, gid int64) ([]store.Member, error)
	Recipient(ctx context.Context, to, from int64) (exists, blocked bool, err error)
	IsFriend(ctx context.Context, uid, other int64) (bool, error)
}

// Config configures a Gateway. Zero values select the defaults of
// PROTOCOL.md §18.10 given in each field's doc.
type Config struct {
	// Store is required.
	Store Store
	// Logger receives the gateway's logs. nil = slog.Default().
	Logger *slog.Logger
	// Now is the clock. nil = time.Now. Tests move it to cross the recall
	// window.
	Now func() time.Time

	// MaxDevices is the per-user device limit. 0 = 10 (PROTOCOL.md
	// §18.9); negative = no limit.
	MaxDevices int
	// DeviceReclaimAfter decides what a login does at the device limit. A
	// new device takes over the slot of the least recently seen device
	// that has no open session here and was last seen (logged in or
	// disconnected) at least DeviceReclaimAfter ago; without such a
	// device the login fails with TOO_MANY_DEVICES. An online device is
	// never reclaimed. 0 = any offline device; negative = never reclaim
	// (slots are then freed only by /user/kick, /user/device/remove and
	// the 90-day janitor).
	DeviceReclaimAfter time.Duration
	// MaxFrameBytes is the largest binary message accepted. 0 = 1 MiB.
	MaxFrameBytes int64
	// MaxMessageBytes bounds content+config+ext+attachment of one send.
	// 0 = 64 KiB.
	MaxMessageBytes int
	// SendRate and SendBurst are the token bucket of sends per device,
	// keyed by (uid, deviceSN) and kept across reconnects (PROTOCOL.md
	// §7.5, §18.10): a client that reconnects gets no fresh burst. Only
	// sends use tokens: pulls and heartbeats are always answered, and a
	// repeated send answered from the dedup record costs nothing.
	// 0 = 50 per second and a burst of 100; a negative SendRate disables
	// the limit.
	SendRate  float64
	SendBurst int
	// IdleTimeout closes a connection that sent nothing for that long.
	// 0 = 120 s.
	IdleTimeout time.Duration
	// QueueSize and QueueBytes bound the frames waiting to be written to
	// one connection, in number and in bytes. 0 = 512 frames and 4 MiB.
	// Replies to the connection's own requests are paced instead: the
	// connection's frames are not read while more than half of QueueSize
	// or a quarter of QueueBytes is waiting (backpressure). Frames nobody
	// on the connection asked for (Notices, kicks) that would pass either
	// bound close it with 1013 as too slow; it syncs what it missed when
	// it comes back.
	QueueSize  int
	QueueBytes int
	// PageBytes ends a sync or history page early, with a next_key to
	// continue from, once its payloads reach that many bytes (a page keeps
	// at least one item). 0 = 1 MiB.
	PageBytes int
	// TransientItems and TransientBytes bound the typing indicators and
	// other at-most-once items waiting for one connection to pull them;
	// beyond, the oldest are dropped. 0 = 32 items and 256 KiB.
	TransientItems int
	TransientBytes int
	// PingInterval and PingTimeout are the Engine.IO timings announced to
	// socket.io clients (PROTOCOL.md §3.2): the client pings every
	// PingInterval, and a socket.io connection that sent nothing for
	// PingInterval + PingTimeout after login is closed. 0 = 25 s and 5 s.
	PingInterval time.Duration
	PingTimeout  time.Duration
	// LoginTimeout closes a connection that has not logged in that long
	// after the upgrade; pings do not extend it. 0 = 10 s.
	LoginTimeout time.Duration
	// Admit, when set, is asked before each upgrade. ok = false refuses it
	// with HTTP 503; otherwise release is called once, when the connection
	// logs in or closes, whichever comes first. The server uses it to cap
	// the unauthenticated connections of one IP address.
	Admit func(r *http.Request) (release func(), ok bool)
	// WriteTimeout bounds the write of one frame. 0 = 10 s.
	WriteTimeout time.Duration
	// CloseDelay is how long a failed login or a kicked connection stays
	// open so the client can read why. 0 = 1 s.
	CloseDelay time.Duration
	// RecallWindow is how long a sender may recall a message. 0 = 5 min.
	RecallWindow time.Duration
	// RecallDisabled refuses every recall ("recall disabled").
	RecallDisabled bool
	// RequireFriend refuses one-to-one messages between non-friends
	// ("not friend"). The default lets anyone write to anyone not blocking
	// them.
	RequireFriend bool
	// Censor, when set, is asked about the text of every chat message; true
	// refuses it with WORD_CENSORED.
	Censor func(content string) bool
	// DedupWindow is how long a send's ack is kept for repeats. 0 = 24 h.
	DedupWindow time.Duration
	// TypingLifetime is how long a typing indicator waits for its
	// recipient to pull it. 0 = 10 s.
	TypingLifetime time.Duration
	// NoPush turns off pushing pages (push.go): every new entry is told
	// with a Notice and pulled by the client, as socket.io connections
	// always are. The default pushes the page of an idle stream to raw
	// WebSocket connections, which saves the client's pull round trip.
	NoPush bool
	// Bus connects this gateway to the other nodes on the same database
	// (server/bus, cluster.go): wake-ups, typing indicators, kicks and
	// revocations reach their devices on any node. nil = a bus of its own
	// (bus.NewLocal): a single node, as without a bus.
	Bus bus.Bus
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.MaxDevices, 10)
	if c.MaxDevices < 0 {
		c.MaxDevices = 0 // the store's "no limit"
	}
	def(&c.MaxMessageBytes, 64<<10)
	def(&c.QueueSize, 512)
	def(&c.QueueBytes, 4<<20)
	def(&c.PageBytes, 1<<20)
	def(&c.TransientItems, 32)
	def(&c.TransientBytes, 256<<10)
	def(&c.SendBurst, 100)
	if c.MaxFrameBytes == 0 {
		c.MaxFrameBytes = 1 << 20
	}
	if c.SendRate == 0 {
		c.SendRate = 50
	}
	defDur(&c.IdleTimeout, 120*time.Second)
	defDur(&c.WriteTimeout, 10*time.Second)
	defDur(&c.CloseDelay, time.Second)
	defDur(&c.RecallWindow, 5*time.Minute)
	defDur(&c.DedupWindow, 24*time.Hour)
	defDur(&c.TypingLifetime, 10*time.Second)
	defDur(&c.LoginTimeout, 10*time.Second)
	defDur(&c.PingInterval, 25*time.Second)
	defDur(&c.PingTimeout, 5*time.Second)
	return c
}

// Gateway is the XSYNC gateway. It serves WebSocket upgrades as an
// http.Handler and implements ratel.Notifier for the REST API.
type Gateway struct {
	cfg      Config
	st       Store
	log      *slog.Logger
	upgrader websocket.Upgrader

	mu       sync.RWMutex
	closed   bool
	draining bool                       // Drain was called: no new connections
	drainEnd <-chan struct{}            // Drain's deadline: connections stop waiting for their replies to leave
	conns    map[*conn]struct{}         // every open connection
	live     map[int64]map[uint32]*conn // logged-in connections by uid and deviceSN
	wg       sync.WaitGroup             // connection goroutines
	bg       sync.WaitGroup             // the janitor and the cursor flusher
	stop     chan struct{}              // closed by Close once the connections are gone
	locks    [64]sync.Mutex             // striped by target message id
	cursors  *cursorBook
	// devLocks, striped by uid, serialize the device registry changes of
	// one user made here: a login's registration (with any reclaim) up to
	// its entry in live, and a disconnect's last-seen update. So a reclaim
	// never takes the slot of a device that is logging in or has just left
	// without its last-seen time written.
	devLocks [16]sync.Mutex

	budgets *sendBudgets

	// node is this gateway on the bus (cluster.go). Watch and Unwatch are
	// called under mu, as the live set changes.
	node bus.Node
	// resyncMu guards resyncRunning and resyncAgain: one resync runs at a
	// time, and requests during it cause one more run.
	resyncMu      sync.Mutex
	resyncRunning bool
	resyncAgain   bool
	resyncWG      sync.WaitGroup
}

// New returns a gateway using cfg.Store.
func New(cfg Config) (*Gateway, error) {
	if cfg.Store == nil {
		return nil, errors.New("fireplace: Config.Store is required")
	}
	cfg = cfg.withDefaults()
	g := &Gateway{
		cfg:   cfg,
		st:    cfg.Store,
		log:   cfg.Logger,
		conns: map[*conn]struct{}{},
		live:  map[int64]map[uint32]*conn{},
		stop:  make(chan struct{}),

		cursors: newCursorBook(),
		budgets: newSendBudgets(cfg.SendRate, cfg.SendBurst),
	}
	b := cfg.Bus
	if b == nil {
		b = bus.NewLocal()
	}
	node, err := b.Join(peers{g})
	if err != nil {
		return nil, fmt.Errorf("fireplace: join the bus: %w", err)
	}
	g.node = node
	g.upgrader = websocket.Upgrader{
		// Client frames are small: a 1 KB read buffer reads most of them
		// in one go and keeps idle connections light.
		ReadBufferSize:  1024,
		WriteBufferSize: 2048,
		// A pool keeps idle connections from each holding a write buffer.
		WriteBufferPool: &sync.Pool{},
		// Browser clients connect from any origin, as with the REST API.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	g.bg.Add(2)
	go g.janitor()
	go g.cursorFlusher()
	return g, nil
}

// now returns the gateway clock in Unix ms.
func (g *Gateway) now() int64 { return g.cfg.Now().UnixMilli() }

// ServeHTTP upgrades the request to a WebSocket and runs the connection
// until it closes: in socket.io mode under /socket.io/ (PROTOCOL.md §3.2;
// 400 unless EIO=3 and transport=websocket), in raw mode on any other path
// (§3.1). It answers 503 after Close and when Config.Admit refuses the
// connection.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sio := isSocketIO(r)
	if sio {
		if why := sioRefusal(r); why != "" {
			http.Error(w, why, http.StatusBadRequest)
			return
		}
	}
	g.mu.RLock()
	closed := g.closed || g.draining
	g.mu.RUnlock()
	if closed {
		w.Header().Set("Retry-After", "10")
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	release := func() {}
	if g.cfg.Admit != nil {
		var ok bool
		if release, ok = g.cfg.Admit(r); !ok {
			w.Header().Set("Retry-After", "10")
			http.Error(w, "too many connections", http.StatusServiceUnavailable)
			return
		}
	}
	ws, err := g.upgrader.Upgrade(w, r, nil)
	if err != nil {
		release()
		return // the upgrader already answered
	}
	c := newConn(g, ws, release, sio)
	g.mu.Lock()
	if g.closed || g.draining {
		g.mu.Unlock()
		release()
		ws.Close()
		return
	}
	g.conns[c] = struct{}{}
	g.wg.Add(2)
	g.mu.Unlock()
	// Returning lets net/http drop the request and its buffers, which it
	// would otherwise hold for the connection's whole life (about 10 KB).
	go c.writeLoop()
	go c.readLoop()
}

// Drain starts a graceful shutdown: new WebSockets are refused (503), and
// every connection finishes the frame it is handling, writes the replies
// already queued (the ack of a message being stored included) and is
// closed with 1001 (going away), which the SDK takes as a sign to
// reconnect to another node of the DNS reply. A connection waiting for a
// frame is woken at once; a frame half received is dropped (it was not
// acknowledged, so the client sends it again). Drain returns when every
// connection has ended, or ctx's error when it ends first; Close then
// closes whatever is left. It is safe to call more than once, and Close
// may follow at any time.
func (g *Gateway) Drain(ctx context.Context) error {
	g.mu.Lock()
	var conns []*conn
	if !g.closed && !g.draining {
		g.draining = true
		g.drainEnd = ctx.Done()
		conns = make([]*conn, 0, len(g.conns))
		for c := range g.conns {
			conns = append(conns, c)
		}
	}
	g.mu.Unlock()
	for _, c := range conns {
		c.drain()
	}
	// No connection is added once draining is set (under mu), so the
	// wait cannot race an Add from zero.
	done := make(chan struct{})
	go func() {
		g.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drainDeadline returns the channel that ends the wait of draining
// connections for their queued replies (nil before Drain: never).
func (g *Gateway) drainDeadline() <-chan struct{} {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.drainEnd
}

// Close closes every connection with 1001, waits for their goroutines,
// leaves the bus, then writes the pending confirmations and stops the
// background work. It is safe to call more than once.
func (g *Gateway) Close() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		g.wg.Wait()
		g.bg.Wait()
		return nil
	}
	g.closed = true
	conns := make([]*conn, 0, len(g.conns))
	for c := range g.conns {
		conns = append(conns, c)
	}
	g.mu.Unlock()
	for _, c := range conns {
		c.close(closeGoingAway, "server shutting down")
	}
	g.wg.Wait()
	g.node.Close()
	g.resyncWG.Wait()
	close(g.stop)
	g.bg.Wait()
	return nil
}

// janitor drops expired dedup records once an hour.
func (g *Gateway) janitor() {
	defer g.bg.Done()
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-g.stop:
			return
		case <-t.C:
			cutoff := g.now() - g.cfg.DedupWindow.Milliseconds()
			if _, err := g.st.PurgeAcks(context.Background(), cutoff); err != nil {
				g.log.Warn("fireplace: purge dedup records", "err", err)
			}
		}
	}
}

// register makes c the live connection of (uid, sn) and returns the
// connection it replaces, if any.
func (g *Gateway) register(c *conn, uid int64, sn uint32) (old *conn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	devs := g.live[uid]
	if devs == nil {
		devs = map[uint32]*conn{}
		g.live[uid] = devs
	}
	old = devs[sn]
	devs[sn] = c
	if old == nil {
		g.node.Watch(uid)
	}
	if old == c {
		old = nil
	}
	return old
}

// unregister removes c from the live set if it is still the live connection
// of its device, and reports whether it was.
func (g *Gateway) unregister(c *conn, uid int64, sn uint32) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if devs := g.live[uid]; devs != nil && devs[sn] == c {
		delete(devs, sn)
		if len(devs) == 0 {
			delete(g.live, uid)
		}
		g.node.Unwatch(uid)
		return true
	}
	return false
}

// OnlineDevices returns the deviceSNs of uid that have a logged-in
// connection on any node, in no particular order (ratel.Presence: the
// device list's "online"; the device limit's reclaim). With other nodes
// on the bus it waits for their answers (bus.NATSOptions.PresenceWait).
func (g *Gateway) OnlineDevices(uid int64) []uint32 {
	out := g.localOnline(uid)
	ctx, cancel := context.WithTimeout(context.Background(), presenceWait)
	defer cancel()
	for _, sn := range g.node.Online(ctx, uid) {
		if !slices.Contains(out, sn) {
			out = append(out, sn)
		}
	}
	return out
}

// deviceLock returns the lock of uid's device registry (devLocks).
func (g *Gateway) deviceLock(uid int64) *sync.Mutex {
	return &g.devLocks[uint64(uid)%uint64(len(g.devLocks))]
}

// forget removes a closed connection from every set. A device whose live
// connection this was is now offline: its last-seen time becomes now, the
// start of its offline time for the reclaim rule and the device list.
func (g *Gateway) forget(c *conn) {
	uid, sn := c.session()
	if uid != 0 {
		lk := g.deviceLock(uid)
		lk.Lock()
		if g.unregister(c, uid, sn) {
			err := g.st.TouchDevice(context.Background(), uid, sn, g.now())
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				g.log.Warn("fireplace: device last seen", "uid", uid, "sn", sn, "err", err)
			}
		}
		lk.Unlock()
	}
	g.mu.Lock()
	delete(g.conns, c)
	g.mu.Unlock()
}

// liveConns returns the live connections of uid.
func (g *Gateway) liveConns(uid int64) []*conn {
	g.mu.RLock()
	defer g.mu.RUnlock()
	devs := g.live[uid]
	if len(devs) == 0 {
		return nil
	}
	out := make([]*conn, 0, len(devs))
	for _, c := range devs {
		out = append(out, c)
	}
	return out
}

// liveConn returns the live connection of (uid, sn), or nil.
func (g *Gateway) liveConn(uid int64, sn uint32) *conn {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.live[uid][sn]
}

// lockMessage serializes changes to one stored message.
func (g *Gateway) lockMessage(id int64) func() {
	m := &g.locks[uint64(id)%uint64(len(g.locks))]
	m.Lock()
	return m.Unlock
}

// notifyDeliveries tells every live device concerned by ds, on this node
// and through the bus on the others, that its stream has new data
// (PROTOCOL.md §18.5).
func (g *Gateway) notifyDeliveries(ds []store.Delivery) {
	for _, d := range ds {
		g.noticeLocal(d)
	}
	g.publishDeliveries(ds)
}

// Stats is a snapshot of the gateway's connections.
type Stats struct {
	Conns int // open WebSockets
	Live  int // logged-in devices
}

// Stats returns the current connection counts.
func (g *Gateway) Stats() Stats {
	g.mu.RLock()
	defer g.mu.RUnlock()
	s := Stats{Conns: len(g.conns)}
	for _, devs := range g.live {
		s.Live += len(devs)
	}
	return s
}

// CheckBus reports on the bus between nodes for GET /api/health: the
// node's own check when its bus has one (NATS: a round trip to the NATS
// server), nil otherwise (the in-process bus cannot fail).
func (g *Gateway) CheckBus(ctx context.Context) error {
	if h, ok := g.node.(interface{ CheckHealth(context.Context) error }); ok {
		return h.CheckHealth(ctx)
	}
	return nil
}
