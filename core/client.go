package core

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

// State is the connection state of a Client. It is a string so it crosses
// to JavaScript as is.
type State string

// Connection states.
const (
	StateIdle         State = "idle"         // no session: not logged in
	StateConnecting   State = "connecting"   // logging in: DNS, token, dial, Provision
	StateConnected    State = "connected"    // logged in and online
	StateReconnecting State = "reconnecting" // waiting to retry after a failure or drop
	StateDisconnected State = "disconnected" // session kept, not connecting (Disconnect, offline)
	StateClosed       State = "closed"       // Close was called
)

// phase is the engine's finer-grained view of State.
type phase uint8

const (
	phaseIdle         phase = iota // no session
	phasePreparing                 // DNS / token / prefetch task running
	phaseDialing                   // dial in flight
	phaseProvisioning              // connection open, Provision sent
	phaseOnline                    // Provision succeeded
	phaseWaiting                   // backoff timer before the next attempt
	phasePaused                    // offline or Disconnect: waits for SetOnline/Reconnect
)

func (p phase) state() State {
	switch p {
	case phaseIdle:
		return StateIdle
	case phasePreparing, phaseDialing, phaseProvisioning:
		return StateConnecting
	case phaseOnline:
		return StateConnected
	case phaseWaiting:
		return StateReconnecting
	}
	return StateDisconnected
}

// Client is the Floo client engine: one user session over one XSYNC
// connection at a time, with automatic reconnection, incremental sync, an
// outbox for sends and local caches for the conversation list and recent
// messages.
//
// All methods are safe for concurrent use. Blocking methods take a
// context first and return an *Error (ERRORS.md). Events are delivered
// through OnEvent.
//
// Concurrency: one engine goroutine (run) owns the protocol state (loopState
// below): the session, the current connection, sync and outbox state and
// all timers. Everything else reaches it by posting closures (post), which
// never blocks, or, for connection frames, through the inbound channel.
// Each connection adds a reader and a writer goroutine. The caches and the
// published snapshot have their own small mutexes so that the synchronous
// getters of the facade never wait for the engine. Events are emitted after
// state changes and delivered on the dispatcher goroutine of eventQueue,
// with no lock held.
type Client struct {
	cfg     Config // immutable after New
	clock   Clock
	log     logger
	rank    atomic.Int32 // current log threshold (SetLogLevel)
	rest    *restClient
	cache   MessageCache
	unread  unreadTracker
	convs   convList
	pre     prefetchCache
	notices noticeStore
	mgr     managerState // the managers' caches (managers.go)
	ls      storeHooks   // the local store (localstore_engine.go); noStore without one
	events  *eventQueue

	ctx       lite.Context // cancelled by Close; parent of every goroutine's context
	cancel    lite.CancelFunc
	wg        sync.WaitGroup // engine, connection, dial and task goroutines
	closeOnce sync.Once

	postMu sync.Mutex
	posted []func()      // guarded by postMu; closures for the engine, FIFO
	wake   chan struct{} // capacity 1: "posted is not empty"

	inbound chan inbound // frames, connection errors and dial results for the engine

	dnsMu sync.Mutex
	dns   *dnsResult // guarded by dnsMu; the DNS result in use, nil before the lookup

	mu  sync.Mutex
	pub published // guarded by mu; snapshot of engine state for the getters

	lp loopState // owned by the engine goroutine
}

// published is the part of the engine state readable without the engine.
type published struct {
	_        noCompare
	state    State
	sessID   uint64 // id of the current session, 0 when none
	uid      uint64
	deviceSN uint32
	token    string
	lastMid  uint64 // last client_mid handed out
	nextMid  uint64 // when not 0, the client_mid of the next send (UseClientMid)
	closed   bool
}

// New creates a Client from cfg. It returns a *ConfigurationError for a
// configuration it cannot use and never panics. With cfg.AutoLogin set and
// a stored session for cfg.AppID, New starts logging in in the background;
// the outcome is reported by the loginSuccess or loginFail events.
func New(cfg Config) (*Client, error) {
	c2, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:     c2,
		clock:   c2.Clock,
		cache:   c2.Cache,
		wake:    make(chan struct{}, 1),
		inbound: make(chan inbound, 64),
	}
	r, _ := logRank(c2.LogLevel)
	c.rank.Store(int32(r))
	c.log = logger{out: c2.Logger, rank: func() int { return int(c.rank.Load()) }}
	c.rest = &restClient{
		doer:    c2.HTTP,
		appID:   c2.AppID,
		timeout: c2.RequestTimeout,
		clock:   c2.Clock,
		log:     c.log,
	}
	c.rest.onInvalidToken = c.onRESTInvalidToken
	c.rest.onHostsExhausted = func() { c.post(c.refreshDNSInBackground) }
	c.ctx, c.cancel = lite.WithCancel(lite.Background())
	c.events = newEventQueue()
	c.ls = &noStore{}
	if c2.LocalStore != nil {
		c.ls = c2.LocalStore.storeLinker()(c, c2.LocalStore, c2.StoreMessages)
	}
	c.lp.init(c)
	c.pub.state = StateIdle
	c.wg.Add(1)
	go c.run()
	if c2.AutoLogin {
		c.post(c.autoLogin)
	}
	if c2.EagerDNS {
		c.post(c.prefetchDNS)
	}
	return c, nil
}

// Close stops the client: it closes the connection without logging out
// (the stored session stays for the next start), fails pending sends and
// calls, waits for every goroutine of the client to exit, and delivers the
// events already emitted. It is safe to call more than once and from an
// event handler (which then does not wait for the handler's own
// goroutine).
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.pub.closed = true
		c.mu.Unlock()
		c.cancel()
		c.wg.Wait()
		c.events.close()
	})
	return nil
}

// OnEvent registers fn for every event and returns a function that removes
// it. Handlers run one at a time on a dedicated goroutine, in emission
// order; a panicking handler is reported as an ErrorEvent and does not stop
// delivery. Handlers may call any Client method.
func (c *Client) OnEvent(fn func(Event)) (remove func()) {
	if fn == nil {
		return func() {}
	}
	return c.events.add(fn)
}

// State returns the connection state.
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pub.closed {
		return StateClosed
	}
	return c.pub.state
}

// UID returns the logged-in user id, 0 when there is no session.
func (c *Client) UID() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pub.uid
}

// DeviceSN returns the deviceSN of the session (0 before the first
// successful Provision of a new device).
func (c *Client) DeviceSN() uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pub.deviceSN
}

// Token returns the access token of the session, "" when there is none.
func (c *Client) Token() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pub.token
}

// AppID returns the configured app id.
func (c *Client) AppID() string { return c.cfg.AppID }

// IsLogin reports whether a session exists: a login was started (or
// resumed) and has not ended by logout or a terminal error, and a token is
// known (JSAPI.md §3 isLogin).
func (c *Client) IsLogin() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pub.sessID != 0 && c.pub.token != "" && !c.pub.closed
}

// SetLogLevel changes the log threshold at run time.
func (c *Client) SetLogLevel(level LogLevel) error {
	r, ok := logRank(level)
	if !ok {
		return ClientError("unknown log level " + string(level))
	}
	c.rank.Store(int32(r))
	return nil
}

// Servers returns the URLs in use: the ratel base URL, the fireplace URL and
// the RTC URL ("" before DNS is resolved).
func (c *Client) Servers() (ratel, fireplace, rtc string) {
	d := c.currentDNS()
	if d == nil {
		return "", "", ""
	}
	ratel = c.rest.baseURL()
	if len(d.fireplace) > 0 {
		fireplace = d.fireplace[0]
	}
	if len(d.rtc) > 0 {
		rtc = d.rtc[0]
	}
	return ratel, fireplace, rtc
}

// IsReady reports whether service discovery has completed (isReady).
func (c *Client) IsReady() bool { return c.currentDNS() != nil }

// emit queues ev for the handlers. It must not be called with c.mu held.
func (c *Client) emit(ev Event) { c.events.emit(ev) }

// post queues fn to run on the engine goroutine. It never blocks. Closures
// posted after Close never run, so callers waiting for a result must also
// watch c.ctx.
func (c *Client) post(fn func()) {
	c.postMu.Lock()
	c.posted = append(c.posted, fn)
	c.postMu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *Client) runPosted() {
	for {
		c.postMu.Lock()
		batch := c.posted
		c.posted = nil
		c.postMu.Unlock()
		if len(batch) == 0 {
			return
		}
		for i, fn := range batch {
			batch[i] = nil
			fn()
		}
	}
}

// run is the engine goroutine.
func (c *Client) run() {
	defer c.wg.Done()
	lp := &c.lp
	for {
		select {
		case <-c.ctx.Done():
			c.shutdown()
			return
		case <-c.wake:
			c.runPosted()
		case in := <-c.inbound:
			c.handleInbound(in)
		case <-lp.sched.c():
			lp.sched.runDue()
		}
	}
}

// shutdown runs on the engine goroutine when Close is called.
func (c *Client) shutdown() {
	lp := &c.lp
	err := NewError(UserNotLogin, "client closed")
	if lp.sess != nil {
		c.resolveWaiters(lp.sess, NewError(SignInCancelled, "client closed"))
	}
	c.teardownConn(1000, "client closed")
	c.failOutbox(err)
	c.failHistory(err)
	c.ls.close()
	lp.sched.stop()
	c.mu.Lock()
	c.pub.state = StateClosed
	c.mu.Unlock()
}

// waitResult waits for a result posted by the engine, the caller's ctx or
// Close.
func waitResult[T any](c *Client, ctx lite.Context, ch <-chan T) (T, error) {
	var zero T
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return zero, WrapError(UserCancel, SourceClient, ctx.Err())
	case <-c.ctx.Done():
		return zero, NewError(UserNotLogin, "client closed")
	}
}

// asError is errors.As for *Error without its reflection (see
// FromTransportError): it sets *target to the first *Error in err's chain.
func asError(err error, target **Error) bool {
	e, ok := errors.AsType[*Error](err)
	if ok {
		*target = e
	}
	return ok && e != nil
}

// publish copies the engine state that the getters read.
func (c *Client) publish() {
	lp := &c.lp
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pub.closed {
		return
	}
	c.pub.state = lp.phase.state()
	if s := lp.sess; s != nil {
		c.pub.sessID = s.id
		c.pub.uid = s.uid
		c.pub.deviceSN = s.deviceSN
		c.pub.token = s.token
	} else {
		c.pub.sessID, c.pub.uid, c.pub.deviceSN, c.pub.token = 0, 0, 0, ""
	}
}

// setPhase changes the engine phase, publishes it and reports a change of
// State with a StateChanged event.
func (c *Client) setPhase(p phase, cause *Error) {
	c.changePhase(p, cause, 0)
}

// setWaiting enters the backoff phase: the next attempt starts after delay,
// which the StateChanged event reports.
func (c *Client) setWaiting(delay lite.Duration, cause *Error) {
	c.changePhase(phaseWaiting, cause, delay)
}

func (c *Client) changePhase(p phase, cause *Error, retryIn lite.Duration) {
	lp := &c.lp
	old := lp.phase.state()
	lp.phase = p
	c.publish()
	if p.state() != old {
		c.emit(StateChanged{State: p.state(), Err: cause, RetryIn: retryIn})
	}
}

func (c *Client) currentDNS() *dnsResult {
	c.dnsMu.Lock()
	defer c.dnsMu.Unlock()
	return c.dns
}

func (c *Client) setDNS(d *dnsResult) {
	c.dnsMu.Lock()
	c.dns = d
	c.dnsMu.Unlock()
	if d != nil {
		c.rest.setHosts(d.ratel)
	}
}

// prefetchDNS starts the lookup of Config.EagerDNS on the engine goroutine,
// unless a session (the auto-login's) already looks DNS up as it prepares.
// A login started meanwhile may look up too; both replies are good.
func (c *Client) prefetchDNS() {
	if c.lp.sess != nil || c.currentDNS() != nil {
		return
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if err := c.waitDNS(c.ctx); err != nil {
			c.log.info("dns: early lookup failed, the login looks up again: " + err.Error())
		}
	}()
}

// waitDNS makes sure the ratel host is known, looking DNS up if needed, for
// REST calls made outside a login (registration, token calls).
func (c *Client) waitDNS(ctx lite.Context) error {
	if c.currentDNS() != nil {
		return nil
	}
	d, err := c.resolveDNS(ctx, nil)
	if err != nil {
		return err
	}
	if c.currentDNS() == nil {
		c.setDNS(d)
	}
	return nil
}

// Call performs a REST call against the ratel host of the session and
// returns the envelope's data (REST.md §2). It looks DNS up first when
// needed. REST business errors come back as *Error with Source "rest" and
// the server's code in ServerCode; a 402 also triggers the relogin handling
// of the session (ERRORS.md §6.2).
func (c *Client) Call(ctx lite.Context, req RESTRequest) (jsonv.Value, error) {
	if req.Method == "" || req.Path == "" || req.Path[0] != '/' {
		return jsonv.Value{}, ClientError("REST request needs a method and a path starting with /")
	}
	if err := c.waitDNS(ctx); err != nil {
		return jsonv.Value{}, err
	}
	return c.rest.call(ctx, req, false)
}
