package fireplace

import (
	"context"
	"errors"
	"math"

	"github.com/flooim/floo/server/bus"
	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// refusal is a send refused with a status (ERRORS.md §3.3).
type refusal struct {
	code   xsync.StatusCode
	reason string
}

func (r *refusal) Error() string { return r.code.String() + ": " + r.reason }

func refuse(code xsync.StatusCode, reason string) error { return &refusal{code, reason} }

// sender is the context of one send: who sends, when, and the meta.
type sender struct {
	c    *conn
	g    *Gateway
	ctx  context.Context
	uid  int64
	sn   uint32
	now  int64
	meta *xsync.Meta
	// unlock releases the message lock taken by an operation, if any.
	unlock func()
}

// handleSend processes a SyncUL carrying a meta (PROTOCOL.md §7) and
// answers it with exactly one ack. Validation follows §7.4; the ack goes
// out only after the store committed, and the notices after the ack.
//
// A new chat or group message is pipelined when the store commits in
// groups (asyncStore): it is validated here, in arrival order, and queued
// for the committer in that order, and the reader goes on with the next
// frame while it commits; its ack and notices follow its commit. Up to
// maxPipelined sends of a connection are in flight at once. Anything else
// (an operation, a conversation operation, a pull, UNREAD, a refused send,
// a typing indicator) first waits for the connection's sends in flight
// (waitSends), so it sees them stored and answers leave in the order of
// the frames, as if each frame had been handled to its end before the
// next.
func (c *conn) handleSend(m *xsync.Meta) {
	g := c.g
	uid, sn := c.session()
	s := &sender{c: c, g: g, ctx: context.Background(), uid: uid, sn: sn, now: g.now(), meta: m}
	req, transient, err := s.prepare()
	if s.unlock != nil {
		defer s.unlock()
	}
	as, async := g.st.(asyncStore)
	async = async && err == nil && req != nil && s.unlock == nil && len(req.Effects) == 0
	if !async {
		// Answers leave in the order of the sends, refusals included.
		c.waitSends()
	}
	var rf *refusal
	var dup *duplicate
	switch {
	case errors.As(err, &dup):
		c.replySend(m, statusOK, dup.ack)
		return
	case errors.As(err, &rf):
		c.replySend(m, status(rf.code, rf.reason), store.Ack{})
		return
	case err != nil:
		g.log.Error("fireplace: send", "uid", uid, "err", err)
		c.replySend(m, status(xsync.StatusFail, reasonInternal), store.Ack{})
		return
	case req == nil:
		// Not stored: typing indicators and INFO (§7.3 allows server_mid 0).
		c.replySend(m, statusOK, store.Ack{ServerTime: s.now})
		if transient != nil {
			transient()
		}
		return
	}
	req.Now = s.now
	req.Dedup = &store.DedupKey{UID: uid, SN: sn, ClientMID: m.Id}
	req.DedupSince = s.now - g.cfg.DedupWindow.Milliseconds()
	if async {
		c.sendSlots <- struct{}{}
		c.sends.Add(1)
		as.AppendAsync(s.ctx, req, func(res store.AppendResult, err error) {
			c.finishSend(m, req, res, err)
			<-c.sendSlots
			c.sends.Done()
		})
		return
	}
	res, err := g.st.Append(s.ctx, req)
	c.finishSend(m, req, res, err)
}

// asyncStore is implemented by stores that commit appends in groups
// (store/sqlstore): AppendAsync queues an append and calls done, in the
// order of the calls, once it committed.
type asyncStore interface {
	AppendAsync(ctx context.Context, r *store.AppendRequest, done func(store.AppendResult, error))
}

// maxPipelined bounds the sends of one connection waiting for their
// commit: beyond, the reader waits before it reads on.
const maxPipelined = 64

// waitSends waits until the connection's pipelined sends have committed
// and been answered. Reader only.
func (c *conn) waitSends() { c.sends.Wait() }

// finishSend answers a stored send once its append finished and, if it
// stored something new, notifies the devices it was delivered to. It may
// run on the store's committer goroutine (handleSend), so it only queues.
func (c *conn) finishSend(m *xsync.Meta, req *store.AppendRequest, res store.AppendResult, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		c.replySend(m, status(xsync.StatusInvalidParameter, reasonMsgNotFound), store.Ack{})
		return
	case err != nil:
		c.g.log.Error("fireplace: store send", "uid", req.Item.FromUID, "err", err)
		c.replySend(m, status(xsync.StatusFail, reasonInternal), store.Ack{})
		return
	}
	c.replySend(m, statusOK, res.Ack)
	if res.Duplicate {
		// A repeat answered from its record costs no token (§7.5).
		c.g.budgets.refund(req.Dedup.UID, req.Dedup.SN)
		return
	}
	c.g.notifyDeliveries(req.Deliveries)
}

// replySend queues the ack of the send m.
func (c *conn) replySend(m *xsync.Meta, st *xsync.Status, a store.Ack) {
	c.send(xsync.CommandSync, &xsync.SyncDL{
		Status: st, ClientMid: m.Id,
		ServerMid: uint64(a.ServerMID), ServerTime: uint64(a.ServerTime), EditTimestamp: uint64(a.EditTimestamp),
	})
}

// prepare validates a send in the order of §7.4 and returns what to store,
// or, for items that are not stored, nil and what to do after the ack.
func (s *sender) prepare() (*store.AppendRequest, func(), error) {
	m := s.meta
	if m.Id == 0 {
		return nil, nil, refuse(xsync.StatusInvalidParameter, reasonNoClientMID)
	}
	// 2. The payload decodes and its namespace is one a client may send.
	var body *xsync.MessageBody
	var conv *xsync.Conversation
	var err error
	switch m.Ns {
	case xsync.NSMessage:
		body, err = m.MessageBody()
	case xsync.NSConversation:
		conv, err = m.Conversation()
	case xsync.NSRtcSignal:
		_, err = m.RtcSignal()
	case xsync.NSInfo:
		_, err = m.Info()
	default:
		return nil, nil, refuse(xsync.StatusInvalidParameter, reasonBadNS)
	}
	if err != nil {
		return nil, nil, refuse(xsync.StatusPBParserError, reasonBadPayload)
	}
	if body != nil && len(body.Content)+len(body.Config)+len(body.Ext)+len(body.Attachment) > s.g.cfg.MaxMessageBytes {
		return nil, nil, refuse(xsync.StatusInvalidParameter, reasonTooLarge)
	}
	// 3. The sender is the session, whatever the meta says.
	if m.From != nil && m.From.Uid != 0 && m.From.Uid != uint64(s.uid) {
		return nil, nil, refuse(xsync.StatusUnauthorized, reasonPermission)
	}
	m.From = &xsync.XID{Uid: uint64(s.uid), DeviceSN: s.sn}
	switch m.Ns {
	case xsync.NSInfo:
		return nil, nil, nil // accepted and ignored
	case xsync.NSRtcSignal:
		return nil, nil, refuse(xsync.StatusFail, reasonRTC)
	}
	// A repeat gets the original ack even if the state changed since (the
	// recall window passed, the rate limit is hit): the SDK's outbox
	// re-sends after every reconnect and relies on it (§7.3, §7.5). The
	// dedup record is not looked up before the checks: a send that passes
	// them meets its record inside the append's transaction (store.Append
	// answers Duplicate; its rate token is given back, finishSend), so the
	// common case, a new send, costs no lookup. Only a send about to be
	// refused looks for its record first.
	req, after, err := s.check(body, conv)
	var rf *refusal
	if errors.As(err, &rf) {
		a, lerr := s.g.st.LookupAck(s.ctx, store.DedupKey{UID: s.uid, SN: s.sn, ClientMID: m.Id},
			s.now-s.g.cfg.DedupWindow.Milliseconds())
		switch {
		case lerr == nil:
			return nil, nil, &duplicate{a}
		case !errors.Is(lerr, store.ErrNotFound):
			return nil, nil, lerr
		}
		if rf.code == xsync.StatusRateLimitExceeded {
			// Not a repeat: this refusal holds the connection's later
			// sends back (budget.go).
			s.c.closeRateGate(m.Id, s.g.cfg.Now())
		}
	}
	return req, after, err
}

// check is steps 4 to 7 of §7.4 for a send that decoded as body or conv.
func (s *sender) check(body *xsync.MessageBody, conv *xsync.Conversation) (*store.AppendRequest, func(), error) {
	m := s.meta
	// 4. Rate limit, per device across connections, and in order on each
	// connection (budget.go).
	if now := s.g.cfg.Now(); !s.c.passRateGate(m.Id, now) || !s.g.budgets.take(s.uid, s.sn, now) {
		return nil, nil, refuse(xsync.StatusRateLimitExceeded, reasonRateLimit)
	}
	if conv != nil {
		s.c.waitSends()
		return s.conversationOp(conv)
	}
	switch body.Type {
	case xsync.MsgChat:
		return s.chat(body)
	case xsync.MsgGroupChat:
		return s.groupChat(body)
	case xsync.MsgOper:
		// An operation may name a message this connection just sent.
		s.c.waitSends()
		return s.operation(body)
	}
	return nil, nil, refuse(xsync.StatusInvalidParameter, reasonInvalidType)
}

// duplicate carries the recorded ack of a repeated send through prepare.
type duplicate struct{ ack store.Ack }

func (d *duplicate) Error() string { return "duplicate send" }

// to returns Meta.to as a positive id, or 0.
func (s *sender) to() int64 {
	if s.meta.To == nil || s.meta.To.Uid > math.MaxInt64 {
		return 0
	}
	return int64(s.meta.To.Uid)
}

// transientSend reports whether body is a typing indicator or another
// at-most-once item, which is delivered to connected devices only and
// never stored (§11, §17.13).
func transientSend(body *xsync.MessageBody) bool {
	return body.Qos == xsync.QoSAtMostOnce ||
		(body.Content == "" && body.Ctype == xsync.CTypeText && isTyping(body.Ext))
}

// chat is a one-to-one message (§8.2).
func (s *sender) chat(body *xsync.MessageBody) (*store.AppendRequest, func(), error) {
	to := s.to()
	switch {
	case to == 0:
		return nil, nil, refuse(xsync.StatusInvalidParameter, "meta to is required")
	case to == s.uid:
		return nil, nil, refuse(xsync.StatusInvalidParameter, "cannot send to yourself")
	}
	// 5. Permission: the target exists and has not blocked the sender
	// (one read).
	exists, blocked, err := s.g.st.Recipient(s.ctx, to, s.uid)
	switch {
	case err != nil:
		return nil, nil, err
	case !exists:
		return nil, nil, refuse(xsync.StatusUnauthorized, reasonUserNotExist)
	case blocked:
		return nil, nil, refuse(xsync.StatusUnauthorized, reasonBlocked)
	}
	if s.g.cfg.RequireFriend {
		friend, err := s.g.st.IsFriend(s.ctx, s.uid, to)
		if err != nil {
			return nil, nil, err
		}
		if !friend {
			return nil, nil, refuse(xsync.StatusUnauthorized, reasonNotFriend)
		}
	}
	if transientSend(body) {
		return nil, func() { s.deliverTransient([]int64{to}, s.uid) }, nil
	}
	// 6. Content filter.
	if s.censored(body) {
		return nil, nil, refuse(xsync.StatusWordCensored, reasonCensored)
	}
	return s.appendRequest(store.ChatConv(s.uid, to), to, s.meta.Payload, true)
}

// groupChat is a group message (§8.2).
func (s *sender) groupChat(body *xsync.MessageBody) (*store.AppendRequest, func(), error) {
	gid := s.to()
	if gid == 0 {
		return nil, nil, refuse(xsync.StatusInvalidParameter, "meta to is required")
	}
	grp, mem, err := s.groupMember(gid)
	if err != nil {
		return nil, nil, err
	}
	// Owner and admins may speak during a ban (§7.4 step 5).
	if mem.Role == store.RoleMember && (mem.Banned(s.now) || grp.Banned(s.now)) {
		return nil, nil, refuse(xsync.StatusUserBanned, reasonGroupBanned)
	}
	if transientSend(body) {
		return nil, func() {
			members, err := s.g.st.ListMembers(s.ctx, gid)
			if err != nil {
				return
			}
			uids := make([]int64, 0, len(members))
			for _, m := range members {
				if m.UserID != s.uid && m.MsgMuteMode != 2 {
					uids = append(uids, m.UserID)
				}
			}
			s.deliverTransient(uids, gid)
		}, nil
	}
	if s.censored(body) {
		return nil, nil, refuse(xsync.StatusWordCensored, reasonCensored)
	}
	return s.appendRequest(store.GroupConv(gid), gid, s.meta.Payload, true)
}

// groupMember is the membership check of every write to a group's log,
// messages and operations alike: the group exists and is not dismissed
// ("group not exist"), and the sender is a member ("not group member").
func (s *sender) groupMember(gid int64) (*store.Group, *store.Member, error) {
	grp, err := s.g.st.GetGroup(s.ctx, gid)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, refuse(xsync.StatusUnauthorized, reasonGroupNotExist)
	case err != nil:
		return nil, nil, err
	case grp.Status != store.GroupNormal:
		return nil, nil, refuse(xsync.StatusUnauthorized, reasonGroupNotExist)
	}
	mem, err := s.g.st.GetMember(s.ctx, gid, s.uid)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, refuse(xsync.StatusUnauthorized, reasonNotMember)
	case err != nil:
		return nil, nil, err
	}
	return grp, mem, nil
}

func (s *sender) censored(body *xsync.MessageBody) bool {
	return s.g.cfg.Censor != nil && body.Content != "" && s.g.cfg.Censor(body.Content)
}

// appendRequest stores body as an item of conv addressed to to, with its
// fan-out and effects. chat is true for a chat message, false for an
// operation on one: only chat messages count as conversation activity.
func (s *sender) appendRequest(conv store.Conv, to int64, body []byte, chat bool, effects ...store.Effect) (*store.AppendRequest, func(), error) {
	ds, err := s.fanout(conv, chat)
	if err != nil {
		return nil, nil, err
	}
	return &store.AppendRequest{Item: s.item(conv, to, body, chat), Deliveries: ds, Effects: effects}, nil, nil
}

// item returns the log item of this send.
func (s *sender) item(conv store.Conv, to int64, body []byte, chat bool) store.Item {
	return store.Item{
		Conv: conv, FromUID: s.uid, FromSN: s.sn, ToUID: to,
		NS: int32(s.meta.Ns), Body: body, Chat: chat,
	}
}

// fanout returns the inbox entries of an item in conv sent by this device
// (§18.3): the peer and the sender's other devices, or every group member
// except those who chose not to receive, and the sender's other devices.
func (s *sender) fanout(conv store.Conv, activity bool) ([]store.Delivery, error) {
	if conv.Kind == store.ConvChat {
		peer := conv.Stream(s.uid)
		return []store.Delivery{
			{UID: peer, Stream: s.uid, Kind: store.ConvChat, Activity: activity},
			{UID: s.uid, Stream: peer, Kind: store.ConvChat, OriginSN: s.sn, Activity: activity},
		}, nil
	}
	gid := conv.A
	members, err := s.g.st.ListMembers(s.ctx, gid)
	if err != nil {
		return nil, err
	}
	ds := make([]store.Delivery, 0, len(members)+1)
	for _, m := range members {
		if m.UserID == s.uid || m.MsgMuteMode == 2 {
			continue
		}
		ds = append(ds, store.Delivery{UID: m.UserID, Stream: gid, Kind: store.ConvGroup, Activity: activity})
	}
	ds = append(ds, store.Delivery{UID: s.uid, Stream: gid, Kind: store.ConvGroup, OriginSN: s.sn, Activity: activity})
	return ds, nil
}

// deliverTransient hands the meta to the connected devices of each uid, in
// stream (the sender for one-to-one, the gid for groups). The sender's
// other devices never get it (§11).
func (s *sender) deliverTransient(uids []int64, stream int64) {
	m := *s.meta
	m.Id = 0 // not stored, so no server id
	m.Timestamp = uint64(s.now)
	m.To = &xsync.XID{Uid: s.meta.To.Uid}
	expires := s.now + s.g.cfg.TypingLifetime.Milliseconds()
	var enc []byte
	for _, uid := range uids {
		for _, c := range s.g.liveConns(uid) {
			c.addTransient(stream, &m, expires)
		}
		if enc == nil {
			enc = m.Marshal()
		}
		s.g.node.Publish(bus.Event{Kind: bus.Transient, UID: uid, Stream: stream, At: expires, Data: enc})
	}
}
