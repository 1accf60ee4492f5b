package core

import (
	"math/rand/v2"
	"strconv"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

// maxClientMid keeps client_mids below 2^53 so they survive a trip through
// a JavaScript number (PROTOCOL.md §7.2, §8.4).
const maxClientMid = 1<<53 - 1

// Delivery under faults (PROTOCOL.md §5, §7.5).
const (
	sendProbeAfter  = 3 * lite.Second  // unacknowledged this long after a write: probe
	sendStallAfter  = 10 * lite.Second // unacknowledged this long after a write: stalled, probe
	probeTimeout    = 10 * lite.Second // no frame this long after a probe's UNREAD: reconnect
	retryBackoffMax = 30 * lite.Second // cap of the backoff after a retryable refusal
	logoutFlushWait = 3 * lite.Second  // Logout waits this long for the acks of written sends
)

// outbox is the list of sends waiting for their ack, in send order
// (PROTOCOL.md §7.5). It is owned by the engine goroutine and survives
// reconnects: after every successful Provision its items are written again,
// in order, with the same client_mid, and the server's dedup by
// (uid, deviceSN, client_mid) makes the delivery exactly-once.
//
// Writes are paced by a token bucket kept as a GCRA "theoretical arrival
// time" (tat): rate Config.SendRate, burst Config.SendBurst, so that a
// backlog written after a reconnect stays under the server's send limit.
// The bucket is not reset by a reconnect, as the server's is not.
type outbox struct {
	items []*outItem
	tat   lite.Time
	pace  *task // pumps again once a token is free
	// flush is set by Logout until the session ends: items never written
	// stay so (they fail). flushTask, while set, is the bounded wait for
	// the written ones, which closes flush when it ends.
	flush     chan struct{}
	flushTask *task
	// typing holds the newest typing indicator per peer that found no token
	// of the pacing free; typingTask writes them when one is.
	typing     []pendingTyping
	typingTask *task
}

// pendingTyping is a typing indicator waiting for a token of the pacing.
type pendingTyping struct {
	peer uint64
	meta *xsync.Meta
	at   lite.Time
}

// typingPatience is how long an indicator may wait for a token: older
// ones are dropped, as the peer's display of them would be stale.
const typingPatience = 3 * lite.Second

type outKind uint8

const (
	outMessage outKind = iota // a chat message
	outOp                     // a message operation
	outConvOp                 // a conversation delete
)

// outItem is one pending send.
type outItem struct {
	_        noCompare
	cmid     uint64
	kind     outKind
	conv     uint64          // conversation, for events and local application
	meta     *xsync.Meta     // From is filled in at every write
	msg      Message         // outMessage: the message being sent
	op       opData          // outOp, outConvOp
	deadline *task           // Config.SendTimeout; cancelled at the first write
	done     chan sendResult // capacity 1; nil when nobody waits
	quiet    bool            // no sending-status events (operations)

	// A written item is never failed by time; it goes out again on every
	// connection until acknowledged. gen is the connection generation of
	// its last write: it is in flight while gen equals loopState.gen.
	written bool
	gen     uint64
	tries   int   // retryable refusals so far; > 0 holds back later items of conv
	retry   *task // backoff after a retryable refusal
	stall   *task // the stalled notification, armed at every write
}

type sendResult struct {
	msg Message
	err *Error
}

// SendOption adjusts one send.
type SendOption func(*sendOptions)

type sendOptions struct {
	priority   uint32
	senderName string
}

// WithPriority sets the group fan-out priority (MessageBody.priority;
// 0, the default, means always deliver).
func WithPriority(p uint32) SendOption { return func(o *sendOptions) { o.priority = p } }

// WithSenderName sets the optional display name of the sender.
func WithSenderName(name string) SendOption { return func(o *sendOptions) { o.senderName = name } }

// nextClientMid returns a new client_mid: strictly increasing, seeded from
// the clock in milliseconds × 1000 so that mids stay unique across restarts
// of the same device (PROTOCOL.md §7.2).
func (c *Client) nextClientMid() uint64 {
	seed := uint64(c.clock.Now().UnixMilli()) * 1000
	c.mu.Lock()
	defer c.mu.Unlock()
	next := c.pub.lastMid + 1
	if seed > next {
		next = seed
	}
	if next > maxClientMid {
		next = 1 // not reachable before the year 2255
	}
	c.pub.lastMid = next
	return next
}

// messageMid returns the client_mid of a new message send: the one set by
// UseClientMid, or a new one.
func (c *Client) messageMid() uint64 {
	c.mu.Lock()
	m := c.pub.nextMid
	c.pub.nextMid = 0
	c.mu.Unlock()
	if m != 0 {
		return m
	}
	return c.nextClientMid()
}

// UseClientMid makes the next message send (PostMessage, SendMessage,
// ReserveMessage) use client_mid cmid instead of drawing one, and returns
// the previous override (0 = none). The npm package's shared-tabs mode
// uses it: a tab without the engine hands out the client_mid of its send
// at once, as the official API requires, and the tab that runs the engine
// queues the send under it. cmid must be unique for this device (below
// 2^53, and not one the counter hands out: see PROTOCOL.md §7.2); a send
// whose client_mid is already in the outbox is dropped as a repeat (the
// same send asked for twice across a change of engine), so that it goes
// out once. UseClientMid(0) clears the override.
func (c *Client) UseClientMid(cmid uint64) uint64 {
	if cmid > maxClientMid {
		cmid = 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := c.pub.nextMid
	c.pub.nextMid = cmid
	return prev
}

// sessionActive reports whether a session exists; sends made without one
// fail with UserNotLogin (ERRORS.md §3.1).
func (c *Client) sessionActive() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pub.sessID != 0 && !c.pub.closed
}

// buildMessage validates m and returns the MessageBody to send.
func buildMessage(m *Message, o *sendOptions) (*xsync.MessageBody, error) {
	if m.To == 0 {
		return nil, ClientError("message: To is required")
	}
	body := &xsync.MessageBody{Content: m.Content, Ext: m.Ext, Config: m.Config, Priority: o.priority, SenderName: o.senderName}
	switch m.ToType {
	case "", ToRoster:
		m.ToType = ToRoster
		body.Type = xsync.MsgChat
	case ToGroup:
		body.Type = xsync.MsgGroupChat
	default:
		return nil, ClientError("message: ToType must be roster or group")
	}
	ct, ok := contentTypeByName(m.Type)
	if !ok {
		return nil, ClientError("message: unknown type " + m.Type)
	}
	m.Type = contentTypeName(ct)
	body.Ctype = ct
	if ct != xsync.CTypeText {
		body.Attachment = m.Attachment
	} else {
		m.Attachment = ""
	}
	for _, f := range [...]struct{ name, v string }{{"config", m.Config}, {"attachment", body.Attachment}} {
		if f.v != "" {
			if _, err := jsonv.ParseString(f.v); err != nil {
				return nil, ClientError("message: " + f.name + " is not valid JSON: " + err.Error())
			}
		}
	}
	return body, nil
}

// PostMessage queues m for sending and returns its client_mid at once
// (what the official sendRosterMessage returns). Progress is reported by
// SendingStatus events; on success the message is also delivered as a
// RosterMessage or GroupMessage event with its server id. m.To, m.ToType
// ("roster" or "group"), m.Type (content type name, "" = text), m.Content,
// m.Ext, m.Config and m.Attachment are used; the other fields are ignored.
//
// Without a session it fails with UserNotLogin; while disconnected the
// message waits in the outbox and is sent after the next login.
func (c *Client) PostMessage(m Message, opts ...SendOption) (uint64, error) {
	it, err := c.newMessageItem(m, opts, 0)
	if err != nil {
		return 0, err
	}
	c.post(func() { c.enqueue(it) })
	return it.cmid, nil
}

// SendMessage is PostMessage that waits for the outcome: it returns the
// stored message (server id and time) once acknowledged, or the send's
// error: a final refusal (mapped per ERRORS.md §3), ServerTimeOut when
// Config.SendTimeout passed before the send was ever written, or the error
// that ended the session (for a send already written, its outcome is then
// unknown: see Logout). If ctx ends first the send stays queued and
// SendMessage returns a UserCancel error.
func (c *Client) SendMessage(ctx lite.Context, m Message, opts ...SendOption) (Message, error) {
	it, err := c.newMessageItem(m, opts, 0)
	if err != nil {
		return Message{}, err
	}
	it.done = make(chan sendResult, 1)
	c.post(func() { c.enqueue(it) })
	r, err := waitResult(c, ctx, it.done)
	if err != nil {
		return Message{}, err
	}
	if r.err != nil {
		return Message{}, r.err
	}
	return r.msg, nil
}

// newMessageItem builds the outbox item of message m, under client_mid
// cmid, or when 0 the one messageMid returns.
func (c *Client) newMessageItem(m Message, opts []SendOption, cmid uint64) (*outItem, error) {
	var o sendOptions
	for _, opt := range opts {
		opt(&o)
	}
	body, err := buildMessage(&m, &o)
	if err != nil {
		return nil, err
	}
	if !c.sessionActive() {
		return nil, NewError(UserNotLogin, "send needs a logged-in session")
	}
	if cmid == 0 {
		cmid = c.messageMid()
	}
	now := uint64(c.clock.Now().UnixMilli())
	m.ID = cmid
	m.From = c.UID()
	m.Timestamp = now
	m.Status = MessageUnread
	m.IsHistory = false
	meta := &xsync.Meta{Id: cmid, To: &xsync.XID{Uid: m.To}, Timestamp: now, Ns: xsync.NSMessage, Payload: body.Marshal()}
	return &outItem{cmid: cmid, kind: outMessage, conv: m.To, meta: meta, msg: m}, nil
}

// SendInputStatus sends a typing indicator to peer uid: status "typing" or
// "nothing" (PROTOCOL.md §11). Indicators are AT_MOST_ONCE: not tracked,
// never retried once written, dropped while disconnected. They take a
// token of the send pacing, as the server counts them; when none is free
// the newest indicator per peer waits for one (a later one replaces it, so
// "nothing" after "typing" is what the peer gets), for at most
// typingPatience.
func (c *Client) SendInputStatus(uid uint64, status string) error {
	if uid == 0 || (status != "typing" && status != "nothing") {
		return ClientError("input status: a peer uid and status typing or nothing are required")
	}
	if !c.sessionActive() {
		return NewError(UserNotLogin, "send needs a logged-in session")
	}
	cmid := c.nextClientMid()
	body := &xsync.MessageBody{Type: xsync.MsgChat, Ctype: xsync.CTypeText, Ext: `{"input_status":"` + status + `"}`, Qos: xsync.QoSAtMostOnce}
	meta := &xsync.Meta{Id: cmid, To: &xsync.XID{Uid: uid}, Ns: xsync.NSMessage, Payload: body.Marshal()}
	c.post(func() { c.queueTyping(uid, meta) })
	return nil
}

// queueTyping makes meta its peer's pending typing indicator (replacing an
// older one) and writes it at once unless the pending ones wait for a
// token.
func (c *Client) queueTyping(peer uint64, meta *xsync.Meta) {
	ob := &c.lp.outbox
	if c.lp.phase != phaseOnline {
		return
	}
	for i := range ob.typing {
		if ob.typing[i].peer == peer {
			ob.typing[i].meta = meta
			return
		}
	}
	ob.typing = append(ob.typing, pendingTyping{peer: peer, meta: meta, at: c.clock.Now()})
	if !ob.typingTask.pending() {
		c.flushTyping()
	}
}

// dropTyping forgets the pending typing indicators.
func (c *Client) dropTyping() {
	ob := &c.lp.outbox
	c.lp.sched.cancel(ob.typingTask)
	ob.typingTask = nil
	clear(ob.typing)
	ob.typing = ob.typing[:0]
}

// flushTyping writes the pending typing indicators, oldest first, while
// tokens are free, and waits for the next token for the rest. It runs
// online only: teardownConn drops the indicators and their timer.
func (c *Client) flushTyping() {
	lp := &c.lp
	ob := &lp.outbox
	ob.typingTask = nil
	now := c.clock.Now()
	n := 0
	for n < len(ob.typing) {
		t := ob.typing[n]
		if now.Sub(t.at) > typingPatience {
			n++
			continue
		}
		wait := c.paceTake()
		if wait > 0 {
			ob.typingTask = lp.sched.after(wait, c.flushTyping)
			break
		}
		c.writeMeta(t.meta)
		n++
	}
	m := copy(ob.typing, ob.typing[n:])
	clear(ob.typing[m:])
	ob.typing = ob.typing[:m]
}

// enqueue adds it to the outbox and writes it when online.
func (c *Client) enqueue(it *outItem) {
	lp := &c.lp
	if lp.sess == nil {
		c.failItem(it, NewError(UserNotLogin, "not logged in"), 0, "")
		return
	}
	if it.kind == outMessage {
		it.msg.From = lp.sess.uid
	}
	if c.findItem(it.cmid) >= 0 {
		// The same send queued again under its client_mid (UseClientMid):
		// the one in the outbox goes out, and the server's dedup covers
		// a copy already written.
		return
	}
	lp.outbox.items = append(lp.outbox.items, it)
	c.ls.putOut(it.cmid)
	if d := c.cfg.SendTimeout; d > 0 {
		it.deadline = lp.sched.after(d, func() {
			it.deadline = nil
			if !it.written && c.removeItem(it.cmid) != nil {
				e := NewError(ServerTimeOut, "send not written within "+millis(d))
				c.failItem(it, e, 0, e.Message)
			}
		})
	}
	if !it.quiet {
		m := it.msg
		c.emit(SendingStatus{Status: SendStatusSending, Mid: it.cmid, UID: it.conv, Message: &m})
	}
	c.pumpOutbox()
}

// paceTake takes a token of the send pacing and returns 0, or returns how
// long until one is free (GCRA: a write is allowed while tat - tolerance is
// not after now; each write moves tat one interval on).
func (c *Client) paceTake() lite.Duration {
	ob := &c.lp.outbox
	now := c.clock.Now()
	step := lite.Second / lite.Duration(c.cfg.SendRate)
	if ob.tat.Before(now) {
		ob.tat = now
	}
	if wait := ob.tat.Sub(now) - step*lite.Duration(c.cfg.SendBurst-1); wait > 0 {
		return wait
	}
	ob.tat = ob.tat.Add(step)
	return 0
}

// pumpOutbox writes, in outbox order and under the pacing, every item that
// may go out now: not in flight on the current connection, not waiting out
// a backoff, and with no earlier item of its conversation refused and not
// yet acknowledged, which keeps the order of a conversation (items already
// written when a refusal arrives cannot be held back). While Logout flushes,
// only items written before go out.
func (c *Client) pumpOutbox() {
	lp := &c.lp
	ob := &lp.outbox
	if lp.phase != phaseOnline || ob.pace.pending() {
		return
	}
	var held []uint64 // conversations behind a refused item
	for _, it := range ob.items {
		skip := false
		for _, h := range held {
			skip = skip || h == it.conv
		}
		if skip {
			continue
		}
		if it.tries > 0 {
			held = append(held, it.conv)
		}
		if it.gen == lp.gen || it.retry.pending() || (ob.flush != nil && !it.written) {
			continue
		}
		if wait := c.paceTake(); wait > 0 {
			ob.pace = lp.sched.after(wait, c.pumpOutbox)
			return
		}
		c.writeItem(it)
	}
}

// writeItem writes it on the current connection and arms its checks: a
// probe of the connection after sendProbeAfter without an ack, then the
// stalled notification (and another probe) at sendStallAfter. PROTOCOL.md §5
// asks for a probe at 10 s; this SDK probes sooner because a probe costs one
// UNREAD frame and reconnects only when nothing at all answers it within
// probeTimeout, so a silently dead connection is replaced 13 s after the
// first send it swallowed instead of 20 s.
func (c *Client) writeItem(it *outItem) {
	lp := &c.lp
	if !it.written {
		it.written = true
		c.ls.putOut(it.cmid) // a send written once may be stored: it is never failed by time
	}
	it.gen = lp.gen
	lp.sched.cancel(it.deadline)
	lp.sched.cancel(it.stall)
	it.deadline = nil
	it.stall = lp.sched.after(sendProbeAfter, func() {
		it.stall = nil
		if it.gen != lp.gen {
			return
		}
		c.probe()
		it.stall = lp.sched.after(sendStallAfter-sendProbeAfter, func() {
			it.stall = nil
			if it.gen != lp.gen {
				return
			}
			if !it.quiet {
				c.emit(SendStalled{Mid: it.cmid, UID: it.conv})
			}
			c.probe()
		})
	})
	c.writeMeta(it.meta)
}

// retryable reports whether a send refused with code stays in the outbox
// and is written again after a backoff (PROTOCOL.md §7.5): the server's
// rate limit (RATE_LIMIT_EXCEEDED), and the codes that say the server was
// busy or timed out. Every other refusal is final.
func retryable(code Code) bool {
	switch code {
	case MessageRateLimitExceeded, ServerTooManyRequest, ServerBusy, ServerTimeOut:
		return true
	}
	return false
}

// holdItem keeps a send refused for a retryable reason at its place and
// writes it again after a backoff: exponential from 1 s, full jitter,
// capped at retryBackoffMax.
func (c *Client) holdItem(it *outItem, e *Error) {
	lp := &c.lp
	it.gen = 0
	lp.sched.cancel(it.stall)
	it.stall = nil
	it.tries++
	ceil := retryBackoffMax
	if it.tries <= 5 {
		ceil = lite.Second << (it.tries - 1)
	}
	d := lite.Duration(rand.Int64N(int64(ceil) + 1))
	c.log.info("send: refused for now: " + e.Message)
	it.retry = lp.sched.after(d, c.pumpOutbox)
}

// writeMeta writes a send with the current from XID: after a deviceSN
// change the resent item must carry the new one.
func (c *Client) writeMeta(meta *xsync.Meta) {
	s := c.lp.sess
	if s == nil {
		return
	}
	meta.From = &xsync.XID{Uid: s.uid, DeviceSN: s.deviceSN}
	c.writeFrame(xsync.NewSyncFrame(&xsync.SyncUL{Meta: meta}).Marshal())
}

// findItem returns the index of the item with client_mid cmid, or -1.
func (c *Client) findItem(cmid uint64) int {
	for i, it := range c.lp.outbox.items {
		if it.cmid == cmid {
			return i
		}
	}
	return -1
}

// removeItem takes the item with client_mid cmid out of the outbox.
func (c *Client) removeItem(cmid uint64) *outItem {
	ob := &c.lp.outbox
	i := c.findItem(cmid)
	if i < 0 {
		return nil
	}
	it := ob.items[i]
	copy(ob.items[i:], ob.items[i+1:])
	ob.items[len(ob.items)-1] = nil
	ob.items = ob.items[:len(ob.items)-1]
	c.stopItem(it)
	c.ls.delOut(cmid)
	if ob.flushTask != nil && c.writtenLeft() == 0 {
		c.endFlush()
	}
	return it
}

// stopItem cancels the timers of an item leaving the outbox.
func (c *Client) stopItem(it *outItem) {
	s := &c.lp.sched
	s.cancel(it.deadline)
	s.cancel(it.retry)
	s.cancel(it.stall)
}

// writtenLeft counts the items written at least once and not acknowledged.
func (c *Client) writtenLeft() int {
	n := 0
	for _, it := range c.lp.outbox.items {
		if it.written {
			n++
		}
	}
	return n
}

// flushWritten waits, while connected and at most logoutFlushWait, for the
// acks of the sends already written (Logout). Items never written are not
// written any more in this session.
func (c *Client) flushWritten(ctx lite.Context) {
	ch := make(chan struct{})
	c.post(func() {
		lp := &c.lp
		ob := &lp.outbox
		c.endFlush()
		ob.flush = ch
		ob.flushTask = lp.sched.after(logoutFlushWait, c.endFlush)
		if lp.phase != phaseOnline || c.writtenLeft() == 0 {
			c.endFlush()
		}
		c.pumpOutbox()
	})
	waitResult(c, ctx, ch)
}

// endFlush ends the wait of flushWritten, if one is running.
func (c *Client) endFlush() {
	ob := &c.lp.outbox
	if ob.flushTask != nil {
		c.lp.sched.cancel(ob.flushTask)
		ob.flushTask = nil
		close(ob.flush)
	}
}

// failItem reports a failed send. rawCode and reason are the XSYNC status
// and reason (0 and the message when the failure has no status).
func (c *Client) failItem(it *outItem, e *Error, rawCode int, reason string) {
	c.log.info("send: " + strconv.FormatUint(it.cmid, 10) + " failed: " + e.Error())
	if !it.quiet {
		m := it.msg
		c.emit(SendingStatus{Status: SendStatusFailed, Mid: it.cmid, UID: it.conv, Message: &m, ErrorCode: rawCode, ErrorReason: reason, Err: e})
	}
	if it.done != nil {
		it.done <- sendResult{err: e}
	}
}

// failOutbox empties the outbox when the session ends (logout, terminal
// error, Close). Sends never written fail with e; those written may have
// been stored, so they are not reported failed (PROTOCOL.md §7.5): their
// client_mids are returned as unknown, and a SendMessage waiting for one
// gets e. With a local store keeping the outbox (any end but a logout),
// no send fails: they stay stored and go out with the next session of the
// user, and a SendMessage waiting for one gets e.
func (c *Client) failOutbox(e *Error) (unknown []uint64) {
	c.endFlush()
	ob := &c.lp.outbox
	items := ob.items
	ob.items, ob.flush = nil, nil
	keep := c.ls.keepsOutbox()
	for _, it := range items {
		c.stopItem(it)
		if keep {
			if it.done != nil {
				it.done <- sendResult{err: e}
			}
			continue
		}
		if !it.written {
			c.failItem(it, e, 0, e.Message)
			continue
		}
		unknown = append(unknown, it.cmid)
		if it.done != nil {
			it.done <- sendResult{err: e}
		}
	}
	return unknown
}

// onSendResult applies the ack of a send (PROTOCOL.md §7.3). Results for
// client_mids that are not tracked (typing indicators) are ignored.
func (c *Client) onSendResult(dl *xsync.SyncDL) {
	i := c.findItem(dl.ClientMid)
	if i < 0 {
		return
	}
	e := statusError(dl.Status, StatusSend)
	if e != nil && retryable(e.Code) {
		c.holdItem(c.lp.outbox.items[i], e)
		return
	}
	it := c.removeItem(dl.ClientMid)
	c.pumpOutbox() // its conversation may have been held behind it
	if e != nil {
		c.failItem(it, e, int(dl.Status.Code), dl.Status.Reason)
		return
	}
	switch it.kind {
	case outMessage:
		msg := it.msg
		if dl.ServerMid != 0 {
			msg.ID = dl.ServerMid
		} else {
			c.log.warn("send: ack without server_mid for " + strconv.FormatUint(it.cmid, 10))
		}
		if dl.ServerTime != 0 {
			msg.Timestamp = dl.ServerTime
		}
		c.markSeen(it.conv, msg.ID)
		c.emit(SendingStatus{Status: SendStatusSent, Mid: it.cmid, UID: it.conv, Message: &msg})
		c.deliverMessage(it.conv, msg, false)
		if it.done != nil {
			it.done <- sendResult{msg: msg}
		}
	case outOp:
		op := it.op
		op.editTS = dl.EditTimestamp
		if op.editTS == 0 && (op.typ == xsync.OpAppend || op.typ == xsync.OpReplace) {
			op.editTS = uint64(c.clock.Now().UnixMilli())
		}
		c.markSeen(it.conv, dl.ServerMid)
		c.applyOp(op)
		if it.done != nil {
			it.done <- sendResult{}
		}
	case outConvOp:
		c.onConversationDeleted(it.conv, ConversationDeletedByUser)
		if it.done != nil {
			it.done <- sendResult{}
		}
	}
}

// PendingSends returns the client_mids waiting in the outbox, in order.
func (c *Client) PendingSends(ctx lite.Context) ([]uint64, error) {
	ch := make(chan []uint64, 1)
	c.post(func() {
		out := make([]uint64, 0, len(c.lp.outbox.items))
		for _, it := range c.lp.outbox.items {
			out = append(out, it.cmid)
		}
		ch <- out
	})
	return waitResult(c, ctx, ch)
}
