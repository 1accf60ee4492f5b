package core

// FakeServer is a protocol-level XSYNC server for the core tests, speaking
// the wire format through the xsync package over in-memory pipes, with the
// REST endpoints a login needs (DNS, tokens, prefetch, devices) served by a
// fakeHTTP. It follows the reference design of PROTOCOL.md §18 closely
// enough for the client's behaviour to be meaningful: per-device cursors
// and delivered watermarks (§18.4), at most one outstanding Notice per
// (connection, stream) (§18.5), fan-out to the other devices of the sender
// (§18.3), send dedup by (uid, deviceSN, client_mid) (§7.3), history newest
// first (§6.5), edit timestamps (§9.3) and KICK_BY_SAME_DEVICE (§14).
//
// How to extend:
//
//   - New server behaviour for one test: set a hook (through Set once
//     connections exist). OnProvision, OnUnread,
//     OnSend and OnFrame run on the connection's goroutine before the
//     default handling, with the server lock NOT held; returning true means
//     "handled, skip the default". DialHook can fail or delay dials.
//   - Server-originated data: Push stores a meta in a user's stream and
//     notices the live devices, exactly as a fan-out would; SendText and
//     Deliver build on it. Unsolicited writes go through conn.sendFrame.
//   - New REST endpoints: srv.HTTP.handle("POST /path", fn).
//   - Inspection: Uplinks records every frame clients sent, per command;
//     Conns lists live connections; the pipe ends record close codes.
//
// Keep the default paths spec-conformant: a test that wants the server to
// misbehave should say so with a hook, so that the other tests keep testing
// the client against a correct peer.

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

const (
	fakeAppID     = "testapp"
	fakeDNSURL    = "https://dns.test/v2/app_dns"
	fakeRatel     = "https://ratel.test"
	fakeFireplace = "wss://fire.test"
)

type FakeServer struct {
	t     testing.TB
	HTTP  *fakeHTTP
	Clock *fakeClock

	// PageSize is the number of stored entries examined per sync reply.
	PageSize int

	// Hooks; see "How to extend".
	OnProvision func(c *fsConn, p *xsync.Provision) bool
	OnUnread    func(c *fsConn) bool
	OnSend      func(c *fsConn, ul *xsync.SyncUL) bool
	OnFrame     func(c *fsConn, f *xsync.Frame) bool
	DialHook    func(url string) error

	mu      sync.Mutex
	users   map[uint64]*fsUser
	byName  map[string]uint64
	tokens  map[string]uint64
	groups  map[uint64][]uint64
	nextID  uint64
	conns   map[*fsConn]bool
	dedup   map[dedupKey]*xsync.SyncDL
	logs    map[convKey][]*xsync.Meta // chat messages per conversation, for history
	edits   map[uint64]uint64         // message id -> last edit_timestamp
	groupOf map[uint64]uint64         // message id -> gid, for group messages
	uplinks []*xsync.Frame
	dials   []string
	wg      sync.WaitGroup
	closed  bool
}

type dedupKey struct {
	uid  uint64
	sn   uint32
	cmid uint64
}

type convKey struct{ a, b uint64 } // a <= b for pairs; {gid, 0} for groups

type fsUser struct {
	uid      uint64
	name     string
	password string
	nextSN   uint32
	devices  map[uint32]*fsDevice
	inbox    map[uint64][]fsEntry // stream -> entries, ascending id
}

type fsDevice struct {
	sn         uint32
	guid       string
	registered uint64            // id current at registration: the default cursor
	cursor     map[uint64]uint64 // confirmed position per stream
}

// pos returns the confirmed position of the device in stream.
func (d *fsDevice) pos(stream uint64) uint64 {
	if p := d.cursor[stream]; p > d.registered {
		return p
	}
	return d.registered
}

type fsEntry struct {
	meta   *xsync.Meta
	origin xsync.XID // sending device, zero for server-originated entries
	target uint32    // device the entry is for, 0 = all
}

// fsConn is the server side of one client connection.
type fsConn struct {
	srv       *FakeServer
	pipe      *pipeConn
	url       string
	uid       uint64
	sn        uint32
	loggedIn  bool
	watermark map[uint64]uint64
	noticed   map[uint64]bool
}

func newFakeServer(t testing.TB) *FakeServer {
	s := &FakeServer{
		t:        t,
		HTTP:     newFakeHTTP(),
		Clock:    newFakeClock(),
		PageSize: 50,
		users:    make(map[uint64]*fsUser),
		byName:   make(map[string]uint64),
		tokens:   make(map[string]uint64),
		groups:   make(map[uint64][]uint64),
		nextID:   uint64(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()) << 10,
		conns:    make(map[*fsConn]bool),
		dedup:    make(map[dedupKey]*xsync.SyncDL),
		logs:     make(map[convKey][]*xsync.Meta),
		edits:    make(map[uint64]uint64),
		groupOf:  make(map[uint64]uint64),
	}
	s.installREST()
	t.Cleanup(s.Close)
	return s
}

// Set runs fn with the server lock held: hooks must be (re)assigned through
// it once connections exist, since connection goroutines read them.
func (s *FakeServer) Set(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
}

// Close closes every connection and waits for the server goroutines.
func (s *FakeServer) Close() {
	s.mu.Lock()
	s.closed = true
	conns := make([]*fsConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.pipe.Close(1001, "server closing")
	}
	s.wg.Wait()
}

// AddUser registers a user; its token is "tok-<name>".
func (s *FakeServer) AddUser(uid uint64, name, password string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[uid] = &fsUser{uid: uid, name: name, password: password, devices: make(map[uint32]*fsDevice), inbox: make(map[uint64][]fsEntry)}
	s.byName[name] = uid
	tok := "tok-" + name
	s.tokens[tok] = uid
	return tok
}

// AddGroup creates a group with members.
func (s *FakeServer) AddGroup(gid uint64, members ...uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[gid] = members
}

// RevokeTokens invalidates every token of uid and issues a new one.
func (s *FakeServer) RevokeTokens(uid uint64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, u := range s.tokens {
		if u == uid {
			delete(s.tokens, t)
		}
	}
	tok := "tok2-" + s.users[uid].name
	s.tokens[tok] = uid
	return tok
}

func (s *FakeServer) newID() uint64 {
	s.nextID++
	return s.nextID
}

func (s *FakeServer) now() uint64 { return uint64(s.Clock.Now().UnixMilli()) }

// Dialer returns the Dialer of this server.
func (s *FakeServer) Dialer() Dialer { return fsDialer{s} }

type fsDialer struct{ s *FakeServer }

func (d fsDialer) Dial(ctx lite.Context, url string) (Conn, error) {
	s := d.s
	s.mu.Lock()
	s.dials = append(s.dials, url)
	hook := s.DialHook
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, errPipeClosed
	}
	if hook != nil {
		if err := hook(url); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	client, server := newPipe()
	c := &fsConn{srv: s, pipe: server, url: url, watermark: make(map[uint64]uint64), noticed: make(map[uint64]bool)}
	s.mu.Lock()
	s.conns[c] = true
	s.wg.Add(1)
	s.mu.Unlock()
	go c.serve()
	return client, nil
}

// Dials returns the URLs dialed so far.
func (s *FakeServer) Dials() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.dials...)
}

// Conns returns the live, logged-in connections of uid.
func (s *FakeServer) Conns(uid uint64) []*fsConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*fsConn
	for c := range s.conns {
		if c.loggedIn && c.uid == uid && !c.pipe.isClosed() {
			out = append(out, c)
		}
	}
	return out
}

// Drop closes every connection of uid, as a network failure would.
func (s *FakeServer) Drop(uid uint64) {
	for _, c := range s.Conns(uid) {
		c.pipe.Close(1006, "dropped")
	}
}

// GoAway closes every connection of uid with 1001, as a server draining
// before a shutdown does.
func (s *FakeServer) GoAway(uid uint64) {
	for _, c := range s.Conns(uid) {
		c.pipe.Close(1001, "server going away")
	}
}

// Uplinks returns the frames clients sent with command cmd.
func (s *FakeServer) Uplinks(cmd xsync.Command) []*xsync.Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*xsync.Frame
	for _, f := range s.uplinks {
		if f.Command == cmd {
			out = append(out, f)
		}
	}
	return out
}

// SyncULs returns the decoded SyncULs clients sent, filtered by pred.
func (s *FakeServer) SyncULs(pred func(*xsync.SyncUL) bool) []*xsync.SyncUL {
	var out []*xsync.SyncUL
	for _, f := range s.Uplinks(xsync.CommandSync) {
		ul, err := f.SyncUL()
		if err == nil && (pred == nil || pred(ul)) {
			out = append(out, ul)
		}
	}
	return out
}

func (c *fsConn) serve() {
	s := c.srv
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	for {
		b, err := c.pipe.Read(lite.Background())
		if err != nil {
			return
		}
		f, err := xsync.DecodeFrame(b)
		if err != nil {
			s.t.Errorf("fake server: bad frame from client: %v", err)
			return
		}
		s.mu.Lock()
		s.uplinks = append(s.uplinks, f)
		hook := s.OnFrame
		s.mu.Unlock()
		if hook != nil && hook(c, f) {
			continue
		}
		switch f.Command {
		case xsync.CommandProvision:
			p, err := f.Provision()
			if err != nil {
				s.t.Errorf("fake server: bad provision: %v", err)
				return
			}
			c.handleProvision(p)
		case xsync.CommandUnread:
			c.handleUnread()
		case xsync.CommandSync:
			ul, err := f.SyncUL()
			if err != nil {
				s.t.Errorf("fake server: bad SyncUL: %v", err)
				return
			}
			c.handleSync(ul)
		}
	}
}

func (c *fsConn) sendFrame(f *xsync.Frame) { c.pipe.Write(lite.Background(), f.Marshal()) }

func okStatus() *xsync.Status { return &xsync.Status{Code: xsync.StatusOK} }

func (c *fsConn) handleProvision(p *xsync.Provision) {
	s := c.srv
	s.mu.Lock()
	hook := s.OnProvision
	s.mu.Unlock()
	if hook != nil && hook(c, p) {
		return
	}
	s.mu.Lock()
	uid, ok := s.tokens[p.Token]
	if !ok || p.Xid == nil || p.Xid.Uid != uid {
		s.mu.Unlock()
		c.sendFrame(xsync.NewProvisionFrame(&xsync.Provision{Status: &xsync.Status{Code: xsync.StatusInvalidToken, Reason: "invalid token"}}))
		return
	}
	u := s.users[uid]
	var dev *fsDevice
	for _, d := range u.devices {
		if d.guid == p.DeviceGuid {
			dev = d
		}
	}
	if dev == nil {
		sn := p.Xid.DeviceSN
		if _, taken := u.devices[sn]; sn == 0 || taken {
			u.nextSN++
			sn = u.nextSN
			for u.devices[sn] != nil {
				sn++
			}
		}
		// A new device starts at the present (PROTOCOL.md §18.2).
		dev = &fsDevice{sn: sn, guid: p.DeviceGuid, registered: s.nextID, cursor: make(map[uint64]uint64)}
		u.devices[sn] = dev
	}
	var old []*fsConn
	for o := range s.conns {
		if o != c && o.loggedIn && o.uid == uid && o.sn == dev.sn {
			old = append(old, o)
		}
	}
	c.uid, c.sn, c.loggedIn = uid, dev.sn, true
	clear(c.watermark)
	clear(c.noticed)
	s.mu.Unlock()
	for _, o := range old {
		o.kick(xsync.UserNoticeKickBySameDevice)
	}
	c.sendFrame(xsync.NewProvisionFrame(&xsync.Provision{Status: okStatus(), Xid: &xsync.XID{Uid: uid, DeviceSN: dev.sn}}))
}

// kick delivers a user notice as an unsolicited SyncDL and closes the
// connection (PROTOCOL.md §14).
func (c *fsConn) kick(t xsync.UserNoticeType) {
	n := &xsync.UserNotice{Type: t}
	m := &xsync.Meta{Id: 0, From: &xsync.XID{}, To: &xsync.XID{Uid: c.uid}, Ns: xsync.NSUserNotice, Payload: n.Marshal()}
	c.sendFrame(xsync.NewSyncDLFrame(&xsync.SyncDL{Status: okStatus(), Xid: &xsync.XID{Uid: c.uid}, Metas: []*xsync.Meta{m}}))
	c.srv.mu.Lock()
	c.loggedIn = false
	c.srv.mu.Unlock()
	c.pipe.Close(1000, "kicked")
}

// Kick sends user notice t to every connection of uid and closes them.
func (s *FakeServer) Kick(uid uint64, t xsync.UserNoticeType) {
	for _, c := range s.Conns(uid) {
		c.kick(t)
	}
}

func streamType(s *FakeServer, uid, stream uint64) xsync.ConvType {
	if stream == uid {
		return xsync.ConvUnknown
	}
	if _, ok := s.groups[stream]; ok {
		return xsync.ConvGroupChat
	}
	return xsync.ConvChat
}

// deliverable reports whether entry e goes to device (uid, sn): never back
// to the device it came from (§18.3).
func deliverable(e fsEntry, uid uint64, sn uint32) bool {
	return !(e.origin.Uid == uid && e.origin.DeviceSN == sn) && (e.target == 0 || e.target == sn)
}

func (c *fsConn) handleUnread() {
	s := c.srv
	s.mu.Lock()
	hook := s.OnUnread
	s.mu.Unlock()
	if hook != nil && hook(c) {
		return
	}
	s.mu.Lock()
	if !c.loggedIn {
		s.mu.Unlock()
		c.sendFrame(xsync.NewUnreadDLFrame(&xsync.UnreadDL{Status: &xsync.Status{Code: xsync.StatusUnauthorized, Reason: "you must login first"}}))
		return
	}
	u := s.users[c.uid]
	dev := u.devices[c.sn]
	dl := &xsync.UnreadDL{Status: okStatus()}
	for stream, entries := range u.inbox {
		n := 0
		for _, e := range entries {
			if e.meta.Id > dev.pos(stream) && deliverable(e, c.uid, c.sn) {
				n++
			}
		}
		if n > 0 {
			dl.Unread = append(dl.Unread, &xsync.ConversationUnread{Xid: &xsync.XID{Uid: stream}, N: uint32(n), Type: streamType(s, c.uid, stream)})
		}
	}
	s.mu.Unlock()
	c.sendFrame(xsync.NewUnreadDLFrame(dl))
}

func (c *fsConn) handleSync(ul *xsync.SyncUL) {
	s := c.srv
	s.mu.Lock()
	loggedIn := c.loggedIn
	s.mu.Unlock()
	if !loggedIn {
		c.sendFrame(xsync.NewSyncDLFrame(&xsync.SyncDL{Status: &xsync.Status{Code: xsync.StatusUnauthorized, Reason: "you must login first"}, Xid: ul.Xid}))
		return
	}
	switch {
	case ul.Meta != nil:
		c.handleSend(ul)
	case ul.IsFullSync:
		c.handleHistory(ul)
	default:
		c.handlePull(ul)
	}
}

// handlePull serves incremental sync per PROTOCOL.md §18.4.
func (c *fsConn) handlePull(ul *xsync.SyncUL) {
	s := c.srv
	stream := xidUID(ul.Xid)
	s.mu.Lock()
	u := s.users[c.uid]
	dev := u.devices[c.sn]
	delete(c.noticed, stream)
	if ul.Key != 0 {
		ack := ul.Key
		if wm := c.watermark[stream]; ack > wm {
			ack = wm
		}
		if ack > dev.pos(stream) {
			dev.cursor[stream] = ack
		}
	}
	from := dev.pos(stream)
	if wm := c.watermark[stream]; wm > from {
		from = wm
	}
	dl := &xsync.SyncDL{Status: okStatus(), Xid: &xsync.XID{Uid: stream}}
	examined := 0
	for _, e := range u.inbox[stream] {
		if e.meta.Id <= from {
			continue
		}
		if examined == s.PageSize {
			break
		}
		examined++
		dl.NextKey = e.meta.Id
		if deliverable(e, c.uid, c.sn) {
			dl.Metas = append(dl.Metas, e.meta)
		}
	}
	if examined > 0 {
		c.watermark[stream] = dl.NextKey
	}
	s.mu.Unlock()
	c.sendFrame(xsync.NewSyncDLFrame(dl))
}

func pairKey(a, b uint64) convKey {
	if a > b {
		a, b = b, a
	}
	return convKey{a, b}
}

func (c *fsConn) handleHistory(ul *xsync.SyncUL) {
	s := c.srv
	conv := xidUID(ul.Xid)
	n := int(ul.FullSyncNum)
	if n <= 0 {
		n = 20
	}
	s.mu.Lock()
	key := pairKey(c.uid, conv)
	if _, ok := s.groups[conv]; ok {
		key = convKey{conv, 0}
	}
	log := s.logs[key]
	dl := &xsync.SyncDL{Status: okStatus(), Xid: &xsync.XID{Uid: conv}, IsFullSync: true}
	i := len(log) - 1
	for i >= 0 && ul.Key != 0 && log[i].Id >= ul.Key {
		i--
	}
	for ; i >= 0 && len(dl.Metas) < n; i-- {
		dl.Metas = append(dl.Metas, log[i])
	}
	if i >= 0 && len(dl.Metas) > 0 {
		dl.NextKey = dl.Metas[len(dl.Metas)-1].Id
	}
	s.mu.Unlock()
	c.sendFrame(xsync.NewSyncDLFrame(dl))
}

// handleSend stores and fans out a send, then acks it (PROTOCOL.md §7).
func (c *fsConn) handleSend(ul *xsync.SyncUL) {
	s := c.srv
	s.mu.Lock()
	hook := s.OnSend
	s.mu.Unlock()
	if hook != nil && hook(c, ul) {
		return
	}
	c.sendFrame(xsync.NewSyncDLFrame(c.processSend(ul)))
}

// processSend is the default handling of a send without writing the ack:
// dedup, store, fan out. OnSend hooks call it to store a send and then
// lose the ack.
func (c *fsConn) processSend(ul *xsync.SyncUL) *xsync.SyncDL {
	s := c.srv
	meta := ul.Meta
	s.mu.Lock()
	dk := dedupKey{c.uid, c.sn, meta.Id}
	if ack, ok := s.dedup[dk]; ok {
		s.mu.Unlock()
		return ack
	}
	s.mu.Unlock()
	ack := &xsync.SyncDL{Status: okStatus(), ClientMid: meta.Id}
	switch meta.Ns {
	case xsync.NSMessage:
		body, err := meta.MessageBody()
		if err != nil {
			ack.Status = &xsync.Status{Code: xsync.StatusPBParserError}
			break
		}
		if body.Qos == xsync.QoSAtMostOnce {
			c.relayTyping(meta)
			break
		}
		ack.ServerMid, ack.ServerTime, ack.EditTimestamp = c.storeMessage(meta, body)
	case xsync.NSConversation:
		s.mu.Lock()
		id := s.newID()
		down := &xsync.Meta{Id: id, From: &xsync.XID{Uid: c.uid, DeviceSN: c.sn}, To: &xsync.XID{Uid: c.uid}, Timestamp: s.now(), Ns: meta.Ns, Payload: meta.Payload}
		s.mu.Unlock()
		s.push(c.uid, c.uid, fsEntry{meta: down, origin: c.xid()})
		ack.ServerMid, ack.ServerTime = id, down.Timestamp
	default:
		ack.Status = &xsync.Status{Code: xsync.StatusInvalidParameter, Reason: "invalid message type"}
	}
	if ack.Status.Code == xsync.StatusOK {
		s.mu.Lock()
		s.dedup[dk] = ack
		s.mu.Unlock()
	}
	return ack
}

// relayTyping hands a typing indicator to the peer's live connections as an
// unsolicited SyncDL (never stored, PROTOCOL.md §11).
func (c *fsConn) relayTyping(meta *xsync.Meta) {
	s := c.srv
	peer := xidUID(meta.To)
	down := &xsync.Meta{Id: 0, From: &xsync.XID{Uid: c.uid, DeviceSN: c.sn}, To: meta.To, Ns: meta.Ns, Payload: meta.Payload}
	for _, pc := range s.Conns(peer) {
		pc.sendFrame(xsync.NewSyncDLFrame(&xsync.SyncDL{Status: okStatus(), Xid: &xsync.XID{Uid: c.uid}, Metas: []*xsync.Meta{down}}))
	}
}

// storeMessage assigns an id to a chat message or operation from c and
// fans it out (PROTOCOL.md §18.3).
func (c *fsConn) storeMessage(meta *xsync.Meta, body *xsync.MessageBody) (id, ts, editTS uint64) {
	s := c.srv
	s.mu.Lock()
	id = s.newID()
	ts = s.now()
	if body.Type == xsync.MsgOper && body.Operation != nil &&
		(body.Operation.Type == xsync.OpAppend || body.Operation.Type == xsync.OpReplace) {
		editTS = ts
		if prev := s.edits[body.Operation.Mid]; editTS <= prev {
			editTS = prev + 1
		}
		s.edits[body.Operation.Mid] = editTS
		body.EditTimestamp = editTS
		if body.Operation.Xid == nil {
			body.Operation.Xid = meta.To
		}
	}
	down := &xsync.Meta{Id: id, From: &xsync.XID{Uid: c.uid, DeviceSN: c.sn}, To: meta.To, Timestamp: ts, Ns: meta.Ns, Payload: body.Marshal()}
	to := xidUID(meta.To)
	members, isGroup := s.groups[to]
	s.mu.Unlock()

	if body.Type == xsync.MsgOper && body.Operation != nil {
		op := body.Operation
		switch op.Type {
		case xsync.OpReadAll, xsync.OpReadCancel, xsync.OpDelete:
			s.push(c.uid, xidUID(op.Xid), fsEntry{meta: down, origin: c.xid()})
			return id, ts, editTS
		case xsync.OpReadAck, xsync.OpDeliverAck, xsync.OpPlayAck:
			// In the reader's stream of the sender, or in the group's
			// stream when the target is a group message (§18.3).
			stream := c.uid
			s.mu.Lock()
			if gid, ok := s.groupOf[op.Mid]; ok {
				stream = gid
			}
			s.mu.Unlock()
			s.push(to, stream, fsEntry{meta: down, origin: c.xid()})
			return id, ts, editTS
		}
	}
	if isGroup {
		for _, m := range members {
			s.push(m, to, fsEntry{meta: down, origin: c.xid()})
		}
		if body.Type != xsync.MsgOper {
			s.appendLog(convKey{to, 0}, down)
			s.mu.Lock()
			s.groupOf[id] = to
			s.mu.Unlock()
		}
		return id, ts, editTS
	}
	s.push(to, c.uid, fsEntry{meta: down})
	s.push(c.uid, to, fsEntry{meta: down, origin: c.xid()})
	if body.Type != xsync.MsgOper {
		s.appendLog(pairKey(c.uid, to), down)
	}
	return id, ts, editTS
}

func (c *fsConn) xid() xsync.XID { return xsync.XID{Uid: c.uid, DeviceSN: c.sn} }

func (s *FakeServer) appendLog(k convKey, m *xsync.Meta) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logs[k] = append(s.logs[k], m)
}

// push stores e in stream of user uid and notices its live devices.
func (s *FakeServer) push(uid, stream uint64, e fsEntry) {
	s.mu.Lock()
	u := s.users[uid]
	if u == nil {
		s.mu.Unlock()
		return
	}
	u.inbox[stream] = append(u.inbox[stream], e)
	var notify []*fsConn
	for c := range s.conns {
		if c.loggedIn && c.uid == uid && deliverable(e, c.uid, c.sn) && !c.noticed[stream] {
			c.noticed[stream] = true
			notify = append(notify, c)
		}
	}
	s.mu.Unlock()
	for _, c := range notify {
		c.sendFrame(xsync.NewNoticeFrame(&xsync.Notice{Xid: &xsync.XID{Uid: stream}}))
	}
}

// Push stores a server-built meta in stream of uid (Id assigned when 0).
func (s *FakeServer) Push(uid, stream uint64, m *xsync.Meta) uint64 {
	s.mu.Lock()
	if m.Id == 0 {
		m.Id = s.newID()
	}
	if m.Timestamp == 0 {
		m.Timestamp = s.now()
	}
	s.mu.Unlock()
	s.push(uid, stream, fsEntry{meta: m})
	return m.Id
}

// SendText delivers a one-to-one text from user from (sent by a device that
// is not connected here) to user to, storing it as a send would.
func (s *FakeServer) SendText(from, to uint64, text string) uint64 {
	return s.SendBody(from, to, &xsync.MessageBody{Type: xsync.MsgChat, Ctype: xsync.CTypeText, Content: text})
}

// SendBody delivers a message body from user from to user or group to.
func (s *FakeServer) SendBody(from, to uint64, body *xsync.MessageBody) uint64 {
	s.mu.Lock()
	id := s.newID()
	ts := s.now()
	members, isGroup := s.groups[to]
	s.mu.Unlock()
	m := &xsync.Meta{Id: id, From: &xsync.XID{Uid: from, DeviceSN: 99}, To: &xsync.XID{Uid: to}, Timestamp: ts, Ns: xsync.NSMessage, Payload: body.Marshal()}
	if isGroup {
		for _, u := range members {
			s.push(u, to, fsEntry{meta: m, origin: xsync.XID{Uid: from, DeviceSN: 99}})
		}
		if body.Type != xsync.MsgOper {
			s.appendLog(convKey{to, 0}, m)
			s.mu.Lock()
			s.groupOf[id] = to
			s.mu.Unlock()
		}
		return id
	}
	s.push(to, from, fsEntry{meta: m})
	s.push(from, to, fsEntry{meta: m, origin: xsync.XID{Uid: from, DeviceSN: 99}})
	if body.Type != xsync.MsgOper {
		s.appendLog(pairKey(from, to), m)
	}
	return id
}

// installREST serves DNS, tokens, prefetch and the device endpoints.
func (s *FakeServer) installREST() {
	h := s.HTTP
	h.handle("GET /v2/app_dns", func(r *HTTPRequest) (*HTTPResponse, error) {
		if !strings.Contains(r.URL, "app_id="+fakeAppID) {
			return envelope(40000, "app id does not exist", ""), nil
		}
		return envelope(200, "", `{"version":2,"app_status":"normal","dns_server_list":[{"domain":"dns.test"}],"dns_list":[{"group_level":0,"clusters":[{"ratel":[{"protocol":"https","host":"ratel.test"}],"webim":[{"protocol":"https","host":"fire.test"}],"rtc":[{"protocol":"https","host":"rtc.test"}]}]}]}`), nil
	})
	token := func(r *HTTPRequest, byID bool) (*HTTPResponse, error) {
		v, err := jsonv.Parse(r.Body)
		if err != nil {
			return envelope(10002, "bad json", ""), nil
		}
		pw, _ := v.Get("password").Str()
		s.mu.Lock()
		defer s.mu.Unlock()
		var uid uint64
		if byID {
			uid, _ = v.Get("user_id").AsUint64()
		} else {
			name, _ := v.Get("name").Str()
			uid = s.byName[name]
		}
		u := s.users[uid]
		if u == nil {
			return envelope(10000, "user not exist", ""), nil
		}
		if u.password != pw {
			return envelope(10002, "wrong password", ""), nil
		}
		tok := ""
		for t, id := range s.tokens {
			if id == uid && (tok == "" || t > tok) {
				tok = t
			}
		}
		return envelope(200, "", `{"token":"`+tok+`","user_id":`+itoa(int(uid))+`,"expire":0}`), nil
	}
	h.handle("POST /token/user", func(r *HTTPRequest) (*HTTPResponse, error) { return token(r, false) })
	h.handle("POST /token/id", func(r *HTTPRequest) (*HTTPResponse, error) { return token(r, true) })
	auth := func(r *HTTPRequest) (uint64, bool) {
		s.mu.Lock()
		defer s.mu.Unlock()
		uid, ok := s.tokens[r.Header["access-token"]]
		return uid, ok
	}
	h.handle("GET /roster/list", func(r *HTTPRequest) (*HTTPResponse, error) {
		if _, ok := auth(r); !ok {
			return envelope(402, "token invalid", ""), nil
		}
		return envelope(200, "", `[]`), nil
	})
	h.handle("POST /roster/list", func(r *HTTPRequest) (*HTTPResponse, error) {
		return envelope(200, "", `[]`), nil
	})
	h.handle("GET /group/user_joined", func(r *HTTPRequest) (*HTTPResponse, error) {
		uid, ok := auth(r)
		if !ok {
			return envelope(402, "token invalid", ""), nil
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		var w jsonv.Writer
		w.BeginArray()
		for gid, members := range s.groups {
			for _, m := range members {
				if m == uid {
					w.Uint(gid)
				}
			}
		}
		w.EndArray()
		return envelope(200, "", string(w.Bytes())), nil
	})
	h.handle("POST /group/info/batch", func(r *HTTPRequest) (*HTTPResponse, error) {
		return envelope(200, "", `[]`), nil
	})
	h.handle("GET /app/config", func(r *HTTPRequest) (*HTTPResponse, error) {
		return envelope(200, "", `{"feature":true}`), nil
	})
	h.handle("GET /user/device/list", func(r *HTTPRequest) (*HTTPResponse, error) {
		uid, ok := auth(r)
		if !ok {
			return envelope(402, "token invalid", ""), nil
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		var w jsonv.Writer
		w.BeginArray()
		for sn := range s.users[uid].devices {
			w.BeginObject()
			w.Key("device_sn")
			w.Uint(uint64(sn))
			w.Key("platform")
			w.Int(6)
			w.EndObject()
		}
		w.EndArray()
		return envelope(200, "", string(w.Bytes())), nil
	})
	h.handle("POST /user/kick", func(r *HTTPRequest) (*HTTPResponse, error) {
		uid, ok := auth(r)
		if !ok {
			return envelope(402, "token invalid", ""), nil
		}
		v, _ := jsonv.Parse(r.Body)
		sn, _ := v.Get("device_sn").AsUint64()
		var kick []*fsConn
		s.mu.Lock()
		delete(s.users[uid].devices, uint32(sn))
		for c := range s.conns {
			if c.loggedIn && c.uid == uid && c.sn == uint32(sn) {
				kick = append(kick, c)
			}
		}
		s.mu.Unlock()
		for _, c := range kick {
			c.kick(xsync.UserNoticeKickedByOtherDevice)
		}
		return envelope(200, "", `true`), nil
	})
}
