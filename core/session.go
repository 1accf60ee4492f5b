package core

import (
	"math/rand/v2"
	"strconv"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

// Storage keys. Everything the engine persists lives under the "floo."
// prefix:
//
//	floo.uid              user id of the stored session (decimal)
//	floo.token            its access token
//	floo.token_app        the app id the token belongs to
//	floo.sn.<uid>         the deviceSN confirmed by the last Provision of <uid>
//	floo.guid.<uid>       the device_guid of this installation for <uid>
//	floo.dns.<app id>     the last DNS reply (DnsData JSON)
const (
	keyUID      = "floo.uid"
	keyToken    = "floo.token"
	keyTokenApp = "floo.token_app"
)

func keyDeviceSN(uid uint64) string { return "floo.sn." + strconv.FormatUint(uid, 10) }
func keyGUID(uid uint64) string     { return "floo.guid." + strconv.FormatUint(uid, 10) }

// Wait before logging in again after CLUSTER_CHANGED / DNS_UPDATE
// (PROTOCOL.md §13.3).
const clusterChangeDelay = 2 * lite.Second

// session is one login: from Login (or auto-login) until Logout, a terminal
// error or Close. It is owned by the engine goroutine.
type session struct {
	id       uint64
	uid      uint64 // 0 until the token of a name login is known
	token    string
	creds    *credentials // nil for token logins: INVALID_TOKEN is then terminal
	deviceSN uint32
	guid     string

	waiters    []chan error // Login calls waiting for the first outcome
	loggedIn   bool         // a Provision succeeded in this session
	prefetched bool

	// Recoverable errors are repaired once (ERRORS.md §6.1); the flags
	// reset after a successful Provision.
	triedToken, triedGUID, triedReprovision bool

	// Settling the first login (login.go): the login timeout, the count of
	// immediate failures in a row, and the last failure for the messages.
	auto       bool // started by auto-login: failures are reported, not final
	reported   bool // an auto-login already reported loginFail
	loginTask  *task
	failStreak int
	lastErr    *Error
	lastText   string
	lastStep   loginStep
}

// loopState is the protocol state owned by the engine goroutine.
type loopState struct {
	c     *Client
	sched scheduler
	phase phase

	sessSeq uint64
	sess    *session // nil when idle

	gen        uint64      // generation of the current attempt / connection
	conn       *connection // current connection, nil when none
	dialCancel lite.CancelFunc
	prepID     uint64 // id of the running prepare task; other results are stale
	prepCancel lite.CancelFunc

	attempt   int // consecutive failed attempts (0 after a success)
	hostFails int // failed attempts on the current fireplace host
	// hostImmediate: the next attempt is the first on a new fireplace
	// host after the last one failed too often; it is not delayed.
	hostImmediate bool
	fireIdx       int

	refreshDNS    bool // every fireplace host failed: look DNS up before the next attempt
	dnsRefreshing bool // a background DNS refresh for the REST client is running

	online bool // the platform's network signal; true unless told otherwise
	paused bool // Disconnect was called

	retryTask, connectTask, hbTask, liveTask *task

	// dataUID is the user whose messages, conversation list, unread
	// counts and notices the local caches hold, 0 when they are empty. A
	// login of another user without a logout in between clears them.
	dataUID uint64

	groups  map[uint64]bool // joined groups (prefetch + group notices)
	sync    syncState
	page    pageEvents // the unread and list events of the page being applied
	outbox  outbox
	history historyState
}

func (lp *loopState) init(c *Client) {
	lp.c = c
	lp.sched.clock = c.clock
	lp.online = true
	lp.groups = make(map[uint64]bool)
	lp.sync.init()
	lp.history.init()
}

// LogoutOptions are the options of Logout (JSAPI.md §3 logout).
type LogoutOptions struct {
	// QuitAllWeb also kicks the user's other web devices (platform 6).
	QuitAllWeb bool
}

// Login logs in with a user name (or mobile) and password: DNS, token from
// POST /token/user, prefetch, connect and Provision (PROTOCOL.md §4). It
// blocks until the login succeeded, failed for good, or ctx ended; in the
// last case the login is abandoned. Retryable failures are retried with
// backoff meanwhile and only reported through events. A login started while
// another session exists replaces it.
func (c *Client) Login(ctx lite.Context, name, password string) error {
	if name == "" || password == "" {
		return NewError(SignInInvalidParam, "name and password are required")
	}
	return c.startLogin(ctx, &credentials{name: name, password: password}, 0, "")
}

// IDLogin is Login with a user id, through POST /token/id.
func (c *Client) IDLogin(ctx lite.Context, uid uint64, password string) error {
	if uid == 0 || password == "" {
		return NewError(SignInInvalidParam, "user id and password are required")
	}
	return c.startLogin(ctx, &credentials{uid: uid, password: password}, uid, "")
}

// TokenLogin logs in with a token obtained elsewhere, skipping the token
// request. Without credentials an INVALID_TOKEN reply is terminal.
func (c *Client) TokenLogin(ctx lite.Context, uid uint64, token string) error {
	if uid == 0 || token == "" {
		return NewError(SignInInvalidParam, "user id and token are required")
	}
	return c.startLogin(ctx, nil, uid, token)
}

func (c *Client) startLogin(ctx lite.Context, cr *credentials, uid uint64, token string) error {
	ch := make(chan error, 1)
	var sid uint64
	idc := make(chan uint64, 1)
	c.post(func() {
		s := c.newSession(cr, uid, token)
		s.waiters = append(s.waiters, ch)
		idc <- s.id
	})
	select {
	case sid = <-idc:
	case <-ctx.Done():
		return loginCtxError(ctx)
	case <-c.ctx.Done():
		return NewError(SignInCancelled, "client closed")
	}
	select {
	case err := <-ch:
		if err != nil {
			return err
		}
		return nil
	case <-ctx.Done():
		c.post(func() { c.abandonLogin(sid) })
		return loginCtxError(ctx)
	case <-c.ctx.Done():
		return NewError(SignInCancelled, "client closed")
	}
}

func loginCtxError(ctx lite.Context) *Error {
	if ctx.Err() == lite.DeadlineExceeded {
		return WrapError(SignInTimeout, SourceClient, ctx.Err())
	}
	return WrapError(SignInCancelled, SourceClient, ctx.Err())
}

// abandonLogin ends session sid if it has not logged in yet: the caller of
// Login gave up.
func (c *Client) abandonLogin(sid uint64) {
	s := c.lp.sess
	if s == nil || s.id != sid || s.loggedIn {
		return
	}
	c.endSession(NewError(SignInCancelled, "login abandoned"), false)
}

// autoLogin resumes the stored session of this app, if any (PROTOCOL.md
// §4.1, JSAPI.md §2 autoLogin).
func (c *Client) autoLogin() {
	st := c.cfg.Storage
	uidS, ok1 := st.Get(keyUID)
	token, ok2 := st.Get(keyToken)
	app, ok3 := st.Get(keyTokenApp)
	if !ok1 || !ok2 || !ok3 || token == "" || app != c.cfg.AppID {
		return
	}
	uid, ok := parseDecimal(uidS, 1<<64-1)
	if !ok || uid == 0 {
		return
	}
	c.log.info("session: resuming the stored session of user " + uidS)
	c.newSession(nil, uid, token).auto = true
}

// newSession replaces any current session with a new one and starts it.
func (c *Client) newSession(cr *credentials, uid uint64, token string) *session {
	lp := &c.lp
	if lp.sess != nil {
		c.endSession(NewError(SignInCancelled, "replaced by a new login"), false)
	}
	lp.sessSeq++
	s := &session{id: lp.sessSeq, uid: uid, token: token, creds: cr}
	if uid != 0 {
		c.loadDevice(s)
	}
	lp.sess = s
	lp.paused = false
	lp.attempt, lp.hostFails, lp.hostImmediate = 0, 0, false
	c.armLoginTimeout(s)
	c.pre.clear() // the previous session's prefetch belongs to its user
	c.adoptUser(uid)
	c.ls.begin(s.id, uid)
	c.rest.setToken(token)
	if token != "" {
		c.storeSession(s)
	}
	c.setPhase(phasePreparing, nil)
	c.startPrepare()
	return s
}

// loadDevice reads the persisted deviceSN and guid of s.uid, creating the
// guid when there is none: "<uid>_<random 0…2147483647>" as the official
// clients do (PROTOCOL.md §4.6).
func (c *Client) loadDevice(s *session) {
	st := c.cfg.Storage
	s.deviceSN = 0
	if v, ok := st.Get(keyDeviceSN(s.uid)); ok {
		if sn, ok := parseDecimal(v, 1<<32-1); ok {
			s.deviceSN = uint32(sn)
		}
	}
	if g, ok := st.Get(keyGUID(s.uid)); ok && g != "" {
		s.guid = g
		return
	}
	c.newGUID(s)
}

// parseDecimal parses s as strconv.ParseUint(s, 10, 64) does, with max as
// the largest accepted value: ASCII digits only, no sign, nothing empty. It
// exists because strconv's parse errors format with strconv.Quote, whose
// Unicode printability tables cost the wasm build ~5 KB brotli.
func parseDecimal(s string, max uint64) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		d := uint64(s[i] - '0')
		if d > 9 || v > (max-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

func (c *Client) newGUID(s *session) {
	s.guid = strconv.FormatUint(s.uid, 10) + "_" + strconv.FormatInt(rand.Int64N(2147483648), 10)
	c.cfg.Storage.Set(keyGUID(s.uid), s.guid)
}

func (c *Client) storeSession(s *session) {
	st := c.cfg.Storage
	st.Set(keyUID, strconv.FormatUint(s.uid, 10))
	st.Set(keyToken, s.token)
	st.Set(keyTokenApp, c.cfg.AppID)
}

// DeleteToken forgets the stored token (the official userManage.deleteToken):
// the current session goes on, but the next start does not auto-login.
func (c *Client) DeleteToken() { c.post(c.forgetToken) }

// forgetToken drops the stored token, which disables auto-login.
func (c *Client) forgetToken() {
	c.cfg.Storage.Delete(keyToken)
	c.cfg.Storage.Delete(keyTokenApp)
}

// forgetDevice drops the stored deviceSN of uid, so that the next Provision
// registers a new device; with guid it also draws a new device_guid
// (PROTOCOL.md §13.3 KICK_BY_SAME_DEVICE).
func (c *Client) forgetDevice(uid uint64, guid bool) {
	c.cfg.Storage.Delete(keyDeviceSN(uid))
	if guid {
		c.cfg.Storage.Delete(keyGUID(uid))
	}
}

// prepResult is the outcome of a prepare task.
type prepResult struct {
	dns       *dnsResult
	token     *TokenData
	groups    []uint64
	prefetch  bool  // the prefetch ran and succeeded
	prefErr   error // prefetch failure (not fatal)
	err       error
	tokenStep bool // err comes from the token request
	lookedUp  bool // dns comes from a new lookup
}

// startPrepare runs, off the engine goroutine, what a connection needs
// first: DNS, a token if there is none, and the prefetch once per session.
func (c *Client) startPrepare() {
	lp := &c.lp
	s := lp.sess
	if lp.prepCancel != nil {
		lp.prepCancel()
	}
	lp.prepID++
	id := lp.prepID
	ctx, cancel := lite.WithCancel(c.ctx)
	lp.prepCancel = cancel
	c.setPhase(phasePreparing, nil)
	needToken := s.token == ""
	needPrefetch := !s.prefetched
	cr := s.creds
	uid := s.uid
	guid := s.guid
	token := s.token
	dns := c.currentDNS()
	if lp.refreshDNS {
		lp.refreshDNS = false
		dns = nil // a fresh lookup (the stored reply only when it fails)
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer cancel()
		var r prepResult
		r.dns, r.err = c.resolveDNS(ctx, dns)
		r.lookedUp = dns == nil
		if r.err == nil && dns == nil {
			c.setDNS(r.dns)
		}
		if r.err == nil && needToken {
			if cr == nil {
				r.err = NewError(InvalidToken, "no token and no credentials to get one")
			} else {
				c.post(func() { c.emit(FlooNotice{Category: NoticeCategoryLoginMessage, Desc: "getting token..."}) })
				var t TokenData
				t, r.err = c.fetchToken(ctx, cr, guid)
				r.tokenStep = true
				if r.err == nil {
					r.token = &t
					uid, token = t.UserID, t.Token
				}
			}
		}
		if r.err == nil && needPrefetch {
			r.groups, r.prefErr = c.prefetch(ctx, uid, token)
			r.prefetch = r.prefErr == nil
		}
		c.post(func() { c.onPrepared(id, r) })
	}()
}

// onPrepared applies the outcome of prepare task id.
func (c *Client) onPrepared(id uint64, r prepResult) {
	lp := &c.lp
	if id != lp.prepID || lp.sess == nil || lp.phase != phasePreparing {
		return
	}
	lp.prepCancel = nil
	s := lp.sess
	if r.err != nil {
		c.onPrepareError(r.err, r.tokenStep)
		return
	}
	if r.lookedUp {
		lp.fireIdx, lp.hostFails = 0, 0 // a new reply: start from its first host
	}
	if r.token != nil {
		if s.uid != r.token.UserID {
			s.uid = r.token.UserID
			c.loadDevice(s)
		}
		c.adoptUser(s.uid)
		c.ls.begin(s.id, s.uid)
		s.token = r.token.Token
		c.rest.setToken(s.token)
		c.storeSession(s)
	}
	if r.prefErr != nil && CodeOf(r.prefErr) == InvalidToken && !r.tokenStep && s.creds != nil && !s.triedToken {
		// The stored token no longer works for REST: get a new one first.
		s.triedToken = true
		s.token = ""
		c.forgetToken()
		c.emit(FlooNotice{Category: NoticeCategoryAction, Desc: NoticeRelogin})
		c.startPrepare()
		return
	}
	if r.prefErr != nil {
		e := asSDKError(r.prefErr)
		c.retryLog("prefetch failed, connecting anyway: " + e.Error())
		c.emit(FlooNotice{Category: NoticeCategoryLoginMessage, Desc: "get roster list failure:" + e.Message})
		c.emit(SessionError{Err: e})
	}
	if r.prefetch {
		s.prefetched = true
		for _, g := range r.groups {
			lp.groups[g] = true
		}
		c.ls.markPrefetch()
	}
	c.publish()
	c.startDial()
}

// onPrepareError handles a failed DNS or token step.
func (c *Client) onPrepareError(err error, tokenStep bool) {
	e := asSDKError(err)
	if e.Code == UserCancel {
		return // abandoned
	}
	if e.Class() == Retryable {
		step := stepDNS
		if tokenStep {
			step = stepToken
		}
		if c.loginAttemptFailed(e, step, "") {
			return // the first login ended
		}
		if cat := e.FlooErrorCategory(); cat != "" {
			c.emit(FlooError{Category: cat, Desc: e.Message, Err: e})
		}
		c.retryLog("login: " + e.Error() + "; retrying")
		c.emit(SessionError{Err: e})
		c.lp.attempt++ // not the fireplace host's fault: no host rotation
		c.scheduleRetry(-1, e)
		return
	}
	reason := ""
	if tokenStep {
		reason = LoginFailTokenPrefix + e.Message
	}
	c.failSession(e, reason)
}

// startDial starts a connection attempt to the current fireplace host.
func (c *Client) startDial() {
	lp := &c.lp
	d := c.currentDNS()
	s := lp.sess
	if d == nil || s == nil || s.token == "" {
		c.startPrepare()
		return
	}
	if c.ls.holdDial() {
		return // the local store's data first (localstore_engine.go)
	}
	lp.gen++
	gen := lp.gen
	url := d.fireplace[lp.fireIdx%len(d.fireplace)]
	c.setPhase(phaseDialing, nil)
	c.emit(FlooNotice{Category: NoticeCategoryLoginMessage, Desc: "socket connecting..."})
	lp.sched.cancel(lp.connectTask)
	lp.connectTask = lp.sched.after(c.cfg.connectTimeout(lp.attempt), func() { c.onConnectTimeout(gen) })
	lp.dialCancel = c.dial(gen, url)
}

// connectNow starts an attempt right away (retry timer, SetOnline,
// Reconnect).
func (c *Client) connectNow() {
	lp := &c.lp
	if lp.sess == nil {
		return
	}
	switch lp.phase {
	case phaseDialing, phaseProvisioning, phaseOnline, phasePreparing:
		return
	}
	lp.sched.cancel(lp.retryTask)
	lp.retryTask = nil
	if c.currentDNS() == nil || lp.sess.token == "" || lp.refreshDNS {
		c.startPrepare()
		return
	}
	c.startDial()
}

func (c *Client) onConnectTimeout(gen uint64) {
	lp := &c.lp
	lp.connectTask = nil
	if gen != lp.gen {
		return
	}
	var e *Error
	switch lp.phase {
	case phaseDialing:
		e = NewError(ServerTimeOut, "connect timed out")
		e.Source = SourceTransport
	case phaseProvisioning:
		e = NewError(SignInTimeout, "no Provision reply in time")
	default:
		return
	}
	c.retryLog("conn: " + e.Message)
	url := c.fireplaceURL()
	c.teardownConn(1000, "timeout")
	c.emit(FlooNotice{Category: NoticeCategoryLoginMessage, Desc: "login socket failure ......"})
	c.loginAttemptFailed(e, stepProvision, url) // a timeout: never ends the login
	c.noteAttemptFailure()
	c.scheduleRetry(-1, e)
}

// handleInbound applies what a connection goroutine reported.
func (c *Client) handleInbound(in inbound) {
	lp := &c.lp
	switch in.kind {
	case inDialed:
		if in.gen != lp.gen || lp.phase != phaseDialing {
			if in.conn != nil {
				c.wg.Add(1)
				go func() {
					defer c.wg.Done()
					in.conn.Close(1000, "attempt abandoned")
				}()
			}
			return
		}
		lp.dialCancel = nil
		if in.err != nil {
			e := FromTransportError(in.err)
			c.emit(FlooNotice{Category: NoticeCategoryLoginMessage, Desc: "login socket failure ......"})
			if c.loginAttemptFailed(e, stepConnect, c.fireplaceURL()) {
				return // the first login ended
			}
			c.retryLog("conn: dial failed: " + e.Error())
			if d := c.currentDNS(); d != nil && len(d.fireplace) > 1 && !lp.sess.loggedIn {
				// Before a first login, each failed dial tries the next
				// host: the login ends after loginFailLimit refusals, and
				// a dead first host must not end it with the others
				// never tried.
				lp.hostFails = fireplaceFailLimit - 1
			}
			c.noteAttemptFailure()
			c.scheduleRetry(-1, e)
			return
		}
		d := c.currentDNS()
		url := ""
		if d != nil {
			url = d.fireplace[lp.fireIdx%len(d.fireplace)]
		}
		lp.conn = c.startConnection(in.gen, url, in.conn)
		c.emit(FlooNotice{Category: NoticeCategoryLoginMessage, Desc: "socket connect success..."})
		c.sendProvision()
	case inClosed:
		if lp.conn == nil || in.gen != lp.conn.gen {
			return
		}
		c.connectionLost(FromTransportError(in.err))
	case inFrame:
		if lp.conn == nil || in.gen != lp.conn.gen {
			return // a reply of a torn-down connection
		}
		c.onFrame(in.frame)
	}
}

func (c *Client) sendProvision() {
	lp := &c.lp
	s := lp.sess
	c.setPhase(phaseProvisioning, nil)
	c.emit(FlooNotice{Category: NoticeCategoryLoginMessage, Desc: "logining socket service..."})
	p := &xsync.Provision{
		Xid:        &xsync.XID{Uid: s.uid, DeviceSN: s.deviceSN},
		Token:      s.token,
		OsType:     xsync.OsWeb,
		SdkVsn:     c.cfg.SDKVersion,
		DeviceGuid: s.guid,
		DeviceInfo: c.cfg.DeviceInfo,
	}
	lp.conn.send(xsync.NewProvisionFrame(p).Marshal())
}

// onFrame dispatches a frame of the current connection.
func (c *Client) onFrame(f *decodedFrame) {
	lp := &c.lp
	// Any frame proves the connection alive (liveness rule, PROTOCOL.md §5).
	lp.sched.cancel(lp.liveTask)
	lp.liveTask = nil
	switch f.cmd {
	case xsync.CommandProvision:
		if lp.phase == phaseProvisioning {
			c.onProvisionReply(f.prov)
		}
	case xsync.CommandUnread:
		if lp.phase == phaseOnline {
			c.onUnread(f.unread)
		}
	case xsync.CommandSync:
		if lp.phase == phaseOnline {
			c.onSyncDL(f.sync)
		}
	case xsync.CommandNotice:
		if lp.phase == phaseOnline {
			c.onNotice(f.notice)
		}
	default:
		c.log.debug("conn: ignoring frame with command " + f.cmd.String())
	}
}

// onProvisionReply handles the login result (PROTOCOL.md §4.7, ERRORS.md
// §6.1).
func (c *Client) onProvisionReply(p *xsync.Provision) {
	lp := &c.lp
	s := lp.sess
	lp.sched.cancel(lp.connectTask)
	lp.connectTask = nil
	var code uint32
	var reason string
	if p.Status != nil {
		code, reason = uint32(p.Status.Code), p.Status.Reason
	}
	if e := FromStatus(code, reason, StatusLogin); e != nil {
		c.onProvisionFailure(e)
		return
	}
	if p.Xid != nil && p.Xid.DeviceSN != 0 {
		s.deviceSN = p.Xid.DeviceSN
	}
	c.cfg.Storage.Set(keyDeviceSN(s.uid), strconv.FormatUint(uint64(s.deviceSN), 10))
	s.triedToken, s.triedGUID, s.triedReprovision = false, false, false
	reconnect := s.loggedIn
	s.loggedIn = true
	lp.sched.cancel(s.loginTask)
	s.loginTask = nil
	lp.attempt, lp.hostFails, lp.hostImmediate = 0, 0, false
	c.setPhase(phaseOnline, nil)
	c.log.info("session: logged in as " + strconv.FormatUint(s.uid, 10) + " device " + strconv.FormatUint(uint64(s.deviceSN), 10))
	c.emit(FlooNotice{Category: NoticeCategoryLoginMessage, Desc: "login socket success....."})
	c.emit(LoginSuccess{UID: s.uid, DeviceSN: s.deviceSN, Reconnect: reconnect})
	c.resolveWaiters(s, nil)
	// PROTOCOL.md §4.8: UNREAD right away, then the heartbeat.
	lp.sync.reset()
	c.writeFrame(xsync.NewUnreadFrame().Marshal())
	c.scheduleHeartbeat()
	c.pumpOutbox()
	c.resendHistory()
}

func (c *Client) onProvisionFailure(e *Error) {
	lp := &c.lp
	s := lp.sess
	c.emit(FlooNotice{Category: NoticeCategoryLoginMessage, Desc: "login socket failure ......"})
	// Logged per outcome: a terminal failure is logged once by failSession.
	switch {
	case (e.Code == InvalidToken || e.Code == ServerNeedReconnected) && s.creds != nil && !s.triedToken:
		// Recoverable once: fetch a new token and log in again.
		c.log.info("session: Provision failed, getting a new token: " + e.Error())
		s.triedToken = true
		c.emit(FlooNotice{Category: NoticeCategoryAction, Desc: NoticeRelogin})
		c.teardownConn(1000, "new token")
		s.token = ""
		c.rest.setToken("")
		c.forgetToken()
		c.startPrepare()
	case e.Code == ServerCannotCreateDeviceSn && !s.triedGUID:
		// Recoverable once: register as a new device.
		c.log.info("session: Provision failed, registering a new device: " + e.Error())
		s.triedGUID = true
		c.teardownConn(1000, "new device")
		s.deviceSN = 0
		c.forgetDevice(s.uid, true)
		c.newGUID(s)
		c.startDial()
	case e.Code == UserNotLogin && !s.triedReprovision:
		c.log.info("session: Provision failed, sending it again: " + e.Error())
		s.triedReprovision = true
		c.teardownConn(1000, "re-provision")
		c.startDial()
	case e.Class() == Retryable:
		c.retryLog("session: Provision failed, retrying: " + e.Error())
		c.loginAttemptFailed(e, stepProvision, c.fireplaceURL()) // the server answered: not immediate
		c.teardownConn(1000, "retry")
		c.noteAttemptFailure()
		delay := lite.Duration(-1)
		if e.Code == ServerTooManyRequest {
			delay = c.rateLimitDelay(lp.attempt)
		}
		c.scheduleRetry(delay, e)
	default:
		if e.Code == InvalidToken {
			c.forgetToken()
		}
		c.failSession(e, LoginFailSocket)
	}
}

// connectionLost handles a read or write failure of the current connection.
func (c *Client) connectionLost(e *Error) {
	lp := &c.lp
	was := lp.phase
	c.log.warn("conn: lost: " + e.Error())
	c.teardownConn(1000, "")
	switch was {
	case phaseProvisioning:
		c.emit(FlooNotice{Category: NoticeCategoryLoginMessage, Desc: "login socket failure ......"})
		c.loginAttemptFailed(e, stepProvision, c.fireplaceURL()) // the server was reached: not immediate
		c.noteAttemptFailure()
		c.scheduleRetry(-1, e)
	case phaseOnline:
		lp.attempt = 1 // first retry after a drop is immediate
		if serverGoingAway(e) {
			c.leaveHost()
		}
		c.scheduleRetry(-1, e)
	}
}

// teardownConn closes the current connection (if any) and stops its
// timers. The generation moves on, so whatever the old connection still
// reports is ignored.
func (c *Client) teardownConn(code int, reason string) {
	lp := &c.lp
	lp.gen++
	if lp.dialCancel != nil {
		lp.dialCancel()
		lp.dialCancel = nil
	}
	if lp.conn != nil {
		c.closeConnection(lp.conn, code, reason)
		lp.conn = nil
	}
	for _, t := range []**task{&lp.connectTask, &lp.hbTask, &lp.liveTask} {
		lp.sched.cancel(*t)
		*t = nil
	}
	lp.sync.reset()
	c.endFlush() // no acks can come any more
}

// writeFrame queues a frame on the current connection; it reports false
// when there is none.
func (c *Client) writeFrame(frame []byte) bool {
	if c.lp.conn == nil {
		return false
	}
	c.lp.conn.send(frame)
	return true
}

// scheduleHeartbeat arms the next UNREAD heartbeat (PROTOCOL.md §5).
func (c *Client) scheduleHeartbeat() {
	lp := &c.lp
	lp.sched.cancel(lp.hbTask)
	gen := lp.gen
	lp.hbTask = lp.sched.after(c.cfg.HeartbeatInterval, func() {
		lp.hbTask = nil
		if gen != lp.gen || lp.phase != phaseOnline {
			return
		}
		c.writeFrame(xsync.NewUnreadFrame().Marshal())
		if lp.liveTask == nil {
			c.armLiveness(c.cfg.LivenessTimeout)
		}
		c.scheduleHeartbeat()
	})
}

// armLiveness replaces the connection when no frame at all arrives within
// d (after a heartbeat or a probe, PROTOCOL.md §5); any frame cancels it
// (onFrame). The first retry after that is immediate.
func (c *Client) armLiveness(d lite.Duration) {
	lp := &c.lp
	gen := lp.gen
	lp.sched.cancel(lp.liveTask)
	lp.liveTask = lp.sched.after(d, func() {
		lp.liveTask = nil
		if gen != lp.gen || lp.phase != phaseOnline {
			return
		}
		e := NewError(ServerTimeOut, "no frame within "+millis(d)+" of an UNREAD")
		e.Source = SourceTransport
		c.connectionLost(e)
	})
}

// probe checks the connection at once (PROTOCOL.md §5): an UNREAD, and a
// new connection when no frame answers within probeTimeout, unless a check
// (a probe, or the liveness rule after a heartbeat) is already running.
func (c *Client) probe() {
	lp := &c.lp
	if lp.phase != phaseOnline || lp.liveTask.pending() {
		return
	}
	c.writeFrame(xsync.NewUnreadFrame().Marshal())
	c.armLiveness(probeTimeout)
}

// Probe checks the connection now: while connected it sends an UNREAD and
// reconnects at once when no frame arrives within 10 s; while waiting to
// reconnect it reconnects now (PROTOCOL.md §5). The engine probes by itself
// when a send stays unacknowledged for 3 s (and again at 10 s); platforms call Probe when the
// app returns to the foreground (SetOnline(true) probes as well). It never
// blocks and does nothing after Disconnect.
func (c *Client) Probe() { c.post(c.check) }

func (c *Client) check() {
	lp := &c.lp
	switch {
	case lp.phase == phaseOnline:
		c.probe()
	case lp.sess != nil && !lp.paused && lp.online && (lp.phase == phaseWaiting || lp.phase == phasePaused):
		lp.attempt = 0
		c.connectNow()
	}
}

// resolveWaiters answers every Login call waiting on s.
func (c *Client) resolveWaiters(s *session, err *Error) {
	for _, ch := range s.waiters {
		if err == nil {
			ch <- nil
		} else {
			ch <- err
		}
	}
	s.waiters = nil
}

// failSession ends the session on a terminal error (ERRORS.md §6): no
// reconnect, pending sends fail, and the error is reported once.
// loginFailReason, when not empty, also fires loginFail.
func (c *Client) failSession(e *Error, loginFailReason string) {
	if c.lp.sess == nil {
		return
	}
	// The error reaches the application anyway (the result of Login, the
	// loginFail, flooError and sessionError events), so it is logged once,
	// at info: a program that reports what it is given would otherwise
	// print it twice.
	c.log.info("session: ended: " + e.Error())
	if loginFailReason != "" {
		c.emit(LoginFail{Reason: loginFailReason, Err: e})
	}
	if cat := e.FlooErrorCategory(); cat != "" {
		c.emit(FlooError{Category: cat, Desc: e.Message, Err: e})
	}
	if n := e.ReloginNotice(); n != "" {
		c.emit(FlooNotice{Category: NoticeCategoryAction, Desc: n})
	}
	c.emit(SessionError{Err: e})
	c.endSession(e, false)
}

// endSession stops the session: connection, timers, tasks; waiters get err;
// pending sends and history queries fail, except sends already written,
// whose client_mids it returns (failOutbox). With clear it also drops the
// caches (logout).
func (c *Client) endSession(err *Error, clear bool) (unknown []uint64) {
	lp := &c.lp
	s := lp.sess
	if s == nil {
		return nil
	}
	c.teardownConn(1000, "session ended")
	lp.sched.cancel(lp.retryTask)
	lp.retryTask = nil
	lp.sched.cancel(s.loginTask)
	s.loginTask = nil
	if lp.prepCancel != nil {
		lp.prepCancel()
		lp.prepCancel = nil
	}
	lp.prepID++
	unknown = c.failOutbox(err)
	c.failHistory(err)
	lp.sess = nil
	lp.paused = false
	lp.attempt, lp.hostFails, lp.hostImmediate = 0, 0, false
	c.rest.setToken("")
	if clear {
		c.clearLocalData()
		c.pre.clear()
	}
	c.setPhase(phaseIdle, err)
	// After the phase: a Login call that returns its error sees State() idle,
	// as one that returns success sees connected.
	c.resolveWaiters(s, err)
	return unknown
}

// clearLocalData drops what the client keeps of the user's data: joined
// groups, dedup memory, messages, unread counts, the conversation list and
// stored notices.
func (c *Client) clearLocalData() {
	lp := &c.lp
	c.ls.detach()
	lp.dataUID = 0
	lp.groups = make(map[uint64]bool)
	lp.sync.forget()
	c.cache.Clear()
	c.unread.clearAll()
	c.convs.clear()
	c.notices.clear()
}

// adoptUser is called when the user of the session becomes known: the local
// data of another user, left by a session that ended without a logout (a
// terminal error, or a login replacing it), must not show through.
func (c *Client) adoptUser(uid uint64) {
	lp := &c.lp
	if uid == 0 || uid == lp.dataUID {
		return
	}
	if lp.dataUID != 0 {
		c.log.info("session: user changed, dropping the local data of user " + strconv.FormatUint(lp.dataUID, 10))
		c.clearLocalData()
		c.emit(RecentListUpdated{})
	}
	lp.dataUID = uid
}

// LogoutResult is what Logout reports of the outbox.
type LogoutResult struct {
	// Unknown lists the client_mids of sends that were written but not
	// acknowledged when the session ended: they may have been stored, so
	// they are not reported failed (PROTOCOL.md §7.5). Sends never written
	// fail with UserNotLogin as before.
	Unknown []uint64
}

// Logout ends the session: it closes the connection, forgets the stored
// token (no auto-login), clears the caches and fires logout. Sends already
// written are first given up to 3 s (while connected) to be acknowledged;
// those still pending are reported in the result, the others fail. With
// opts.QuitAllWeb the user's other web devices are kicked first
// (PROTOCOL.md §14). Logging out without a session only fires logout.
func (c *Client) Logout(ctx lite.Context, opts LogoutOptions) (LogoutResult, error) {
	defer c.revokeToken(ctx, c.Token(), c.DeviceSN())
	var kickErr error
	if opts.QuitAllWeb && c.IsLogin() {
		kickErr = c.KickOtherWebDevices(ctx)
	}
	c.flushWritten(ctx)
	var r LogoutResult
	done := make(chan struct{}, 1)
	c.post(func() {
		c.wipeStore()
		c.forgetToken()
		r.Unknown = c.endSession(NewError(UserNotLogin, "logged out"), true)
		c.emit(Logout{})
		done <- struct{}{}
	})
	if _, err := waitResult(c, ctx, done); err != nil {
		return LogoutResult{}, err
	}
	return r, kickErr
}

// KickOtherWebDevices kicks every other device of the user whose platform
// is web (6) through GET /user/device/list and POST /user/kick (the
// official kickAllWeb and "quit all web").
func (c *Client) KickOtherWebDevices(ctx lite.Context) error {
	list, err := c.Call(ctx, RESTRequest{Method: "GET", Path: "/user/device/list"})
	if err != nil {
		return err
	}
	self := uint64(c.DeviceSN())
	var first error
	for _, d := range list.Elements() {
		sn, ok := d.Get("device_sn").AsUint64()
		platform, _ := d.Get("platform").AsInt64()
		if !ok || platform != int64(xsync.OsWeb) || sn == self {
			continue
		}
		var w jsonv.Writer
		w.BeginObject()
		w.Key("device_sn")
		w.Uint(sn)
		w.EndObject()
		if _, err := c.Call(ctx, RESTRequest{Method: "POST", Path: "/user/kick", Body: w.Bytes()}); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Disconnect closes the connection without logging out; there is no
// automatic reconnect until Reconnect or SetOnline(true) (JSAPI.md §3
// disConnect).
func (c *Client) Disconnect() {
	c.post(func() {
		lp := &c.lp
		if lp.sess == nil {
			return
		}
		lp.paused = true
		c.teardownConn(1000, "disconnect")
		if lp.prepCancel != nil {
			lp.prepCancel()
			lp.prepCancel = nil
			lp.prepID++
		}
		lp.sched.cancel(lp.retryTask)
		lp.retryTask = nil
		c.setPhase(phasePaused, nil)
	})
}

// Reconnect connects again at once after Disconnect or while waiting for a
// retry. It does nothing without a session or while connected.
func (c *Client) Reconnect() {
	c.post(func() {
		lp := &c.lp
		lp.paused = false
		lp.attempt = 0
		c.connectNow()
	})
}

// SetOnline tells the engine whether the device has network (browser
// online/offline events, wx.onNetworkStatusChange). Offline pauses
// reconnecting; online reconnects at once, or probes the connection when
// connected (Probe): a network that comes back may have silently killed
// it. It implements NetworkSignal.
func (c *Client) SetOnline(online bool) {
	c.post(func() {
		lp := &c.lp
		lp.online = online
		if online {
			c.check()
		} else if lp.phase == phaseWaiting {
			lp.sched.cancel(lp.retryTask)
			lp.retryTask = nil
			c.setPhase(phasePaused, nil)
		}
	})
}

// onUserNotice applies a user notice (PROTOCOL.md §13.3, ERRORS.md §6.2).
func (c *Client) onUserNotice(n *xsync.UserNotice) {
	lp := &c.lp
	s := lp.sess
	c.emit(FlooNotice{Category: NoticeCategoryUserNotice, Desc: n.Type.String()})
	e := FromUserNotice(uint32(n.Type))
	if e == nil || s == nil {
		return
	}
	switch e.Code {
	case ServerNeedReconnected:
		// The user moved to another cluster: drop the token and DNS, and
		// log in again after 2 s when credentials allow it.
		c.emit(FlooNotice{Category: NoticeCategoryAction, Desc: NoticeRelogin})
		c.emit(SessionError{Err: e})
		c.forgetToken()
		c.cfg.Storage.Delete(dnsStorageKey(c.cfg.AppID))
		c.setDNS(nil)
		if s.creds == nil {
			c.endSession(e, false)
			return
		}
		c.teardownConn(1000, "cluster changed")
		s.token = ""
		c.rest.setToken("")
		sid := s.id
		c.setWaiting(clusterChangeDelay, e)
		lp.sched.cancel(lp.retryTask)
		lp.retryTask = lp.sched.after(clusterChangeDelay, func() {
			lp.retryTask = nil
			if lp.sess != nil && lp.sess.id == sid && lp.phase == phaseWaiting {
				c.startPrepare()
			}
		})
	default:
		// Terminal: kicked, frozen, removed, password changed.
		c.forgetToken()
		c.forgetDevice(s.uid, e.Code == UserKickedBySameDevice)
		c.failSession(e, "")
	}
}

// onRESTInvalidToken is called by the REST client on the first 402 for a
// token: ask for a new login, and get a new token at once when the SDK
// holds credentials (ERRORS.md §4.1, §6.2).
func (c *Client) onRESTInvalidToken(token string) {
	c.emit(FlooNotice{Category: NoticeCategoryAction, Desc: NoticeRelogin})
	c.post(func() {
		lp := &c.lp
		s := lp.sess
		if s == nil || s.token != token || s.creds == nil || lp.phase == phasePreparing {
			return
		}
		c.wg.Add(1)
		cr, guid, sid := s.creds, s.guid, s.id
		go func() {
			defer c.wg.Done()
			t, err := c.fetchToken(c.ctx, cr, guid)
			c.post(func() {
				if lp.sess == nil || lp.sess.id != sid || err != nil {
					if err != nil {
						c.emit(SessionError{Err: asSDKError(err)})
					}
					return
				}
				lp.sess.token = t.Token
				c.rest.setToken(t.Token)
				c.storeSession(lp.sess)
				c.publish()
			})
		}()
	})
}

// asSDKError returns the *Error in err's chain, or wraps err.
func asSDKError(err error) *Error {
	var e *Error
	if asError(err, &e) {
		return e
	}
	return WrapError(GeneralError, SourceClient, err)
}
