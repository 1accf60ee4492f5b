package fireplace

import (
	"errors"
	"math"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// operation handles MessageBody{type: OPER} (PROTOCOL.md §9).
func (s *sender) operation(body *xsync.MessageBody) (*store.AppendRequest, func(), error) {
	op := body.Operation
	if op == nil {
		return nil, nil, refuse(xsync.StatusInvalidParameter, "operation is required")
	}
	switch op.Type {
	case xsync.OpReadAck:
		return s.ackOp(op, store.MarkRead)
	case xsync.OpDeliverAck:
		return s.ackOp(op, store.MarkDelivered)
	case xsync.OpPlayAck:
		return s.ackOp(op, store.MarkPlayed)
	case xsync.OpReadAll, xsync.OpReadCancel, xsync.OpDelete:
		return s.selfOp(op)
	case xsync.OpRecall:
		return s.recall(body)
	case xsync.OpAppend, xsync.OpReplace:
		return s.edit(body)
	}
	return nil, nil, refuse(xsync.StatusInvalidParameter, "unknown operation")
}

// target loads the chat message an operation names.
func (s *sender) target(mid uint64) (store.Item, error) {
	if mid == 0 || mid > math.MaxInt64 {
		return store.Item{}, refuse(xsync.StatusInvalidParameter, reasonMsgNotFound)
	}
	it, err := s.g.st.Item(s.ctx, int64(mid))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return it, refuse(xsync.StatusInvalidParameter, reasonMsgNotFound)
	case err != nil:
		return it, err
	case !it.Chat:
		return it, refuse(xsync.StatusInvalidParameter, reasonMsgNotFound)
	}
	return it, nil
}

// ackOp is READ_ACK, DELIVER_ACK or PLAY_ACK: the reader marks a message it
// received, and the message's sender hears of it on all devices.
func (s *sender) ackOp(op *xsync.MessageOperation, mark store.MarkKind) (*store.AppendRequest, func(), error) {
	t, err := s.target(op.Mid)
	if err != nil {
		return nil, nil, err
	}
	// The reader must have received it: the peer of a one-to-one message,
	// or a member of the group.
	if t.FromUID == s.uid {
		return nil, nil, refuse(xsync.StatusInvalidParameter, reasonMsgNotFound)
	}
	var stream int64
	switch t.Conv.Kind {
	case store.ConvChat:
		if t.Conv != store.ChatConv(s.uid, t.FromUID) {
			return nil, nil, refuse(xsync.StatusInvalidParameter, reasonMsgNotFound)
		}
		stream = s.uid
	case store.ConvGroup:
		// The client names only the message, so a refusal here must not
		// tell a non-member that the id exists in some group.
		var rf *refusal
		if _, _, err := s.groupMember(t.Conv.A); errors.As(err, &rf) {
			return nil, nil, refuse(xsync.StatusInvalidParameter, reasonMsgNotFound)
		} else if err != nil {
			return nil, nil, err
		}
		stream = t.Conv.A
	default:
		return nil, nil, refuse(xsync.StatusInvalidParameter, reasonMsgNotFound)
	}
	// Meta.to is the message's sender whatever the client wrote.
	s.meta.To = &xsync.XID{Uid: uint64(t.FromUID)}
	req := &store.AppendRequest{
		Item:       s.item(t.Conv, t.FromUID, s.meta.Payload, false),
		Deliveries: []store.Delivery{{UID: t.FromUID, Stream: stream, Kind: t.Conv.Kind}},
		Effects:    []store.Effect{{Kind: store.EffectMark, Target: t.ID, UID: s.uid, Mark: mark}},
	}
	return req, nil, nil
}

// opConversation resolves the conversation an operation's xid names, as the
// sender sees it: its stream and conversation, never the personal stream.
func (s *sender) opConversation(xid *xsync.XID) (int64, store.Conv, error) {
	stream, ok := streamOf(xid)
	if !ok {
		return 0, store.Conv{}, refuse(xsync.StatusInvalidParameter, "operation xid is required")
	}
	conv, _, err := s.g.resolveConv(s.ctx, s.uid, stream)
	if err != nil {
		return 0, store.Conv{}, err
	}
	if conv.Kind == store.ConvPersonal {
		return 0, store.Conv{}, refuse(xsync.StatusInvalidParameter, "operation xid is not a conversation")
	}
	return stream, conv, nil
}

// selfOp is READ_ALL, READ_CANCEL or DELETE: addressed to the sender
// itself, about conversation operation.xid, and delivered to the sender's
// other devices only. The item is stored in the conversation's log, so a
// group needs the membership a message there needs, checked before the
// target is looked up: a non-member learns nothing about message ids.
func (s *sender) selfOp(op *xsync.MessageOperation) (*store.AppendRequest, func(), error) {
	stream, conv, err := s.opConversation(op.Xid)
	if err != nil {
		return nil, nil, err
	}
	if conv.Kind == store.ConvGroup {
		if _, _, err := s.groupMember(stream); err != nil {
			return nil, nil, err
		}
	}
	var effect store.Effect
	switch op.Type {
	case xsync.OpReadAll:
		mid := int64(min(op.Mid, math.MaxInt64))
		if mid == 0 {
			// No position given: everything so far.
			if mid, err = s.g.st.LastItemID(s.ctx); err != nil {
				return nil, nil, err
			}
		}
		effect = store.Effect{Kind: store.EffectReadAll, Target: mid, UID: s.uid, Stream: stream, Conv: conv}
	default:
		t, err := s.target(op.Mid)
		if err != nil {
			return nil, nil, err
		}
		if t.Conv != conv {
			return nil, nil, refuse(xsync.StatusInvalidParameter, reasonMsgNotFound)
		}
		mark := store.MarkUnread
		if op.Type == xsync.OpDelete {
			mark = store.MarkDeleted
		}
		effect = store.Effect{Kind: store.EffectMark, Target: t.ID, UID: s.uid, Mark: mark}
	}
	s.meta.To = &xsync.XID{Uid: uint64(s.uid)}
	return &store.AppendRequest{
		Item:       s.item(conv, s.uid, s.meta.Payload, false),
		Deliveries: []store.Delivery{{UID: s.uid, Stream: stream, Kind: conv.Kind, OriginSN: s.sn}},
		Effects:    []store.Effect{effect},
	}, nil, nil
}

// convTarget resolves the conversation an operation on a message addresses
// (Meta.to, else operation.xid), fills operation.xid when it was omitted
// (§9.1: the official clients look there first) and loads the target under
// its lock.
func (s *sender) convTarget(body *xsync.MessageBody) (store.Conv, *store.Member, store.Item, error) {
	op := body.Operation
	to := s.to()
	if to == 0 && op.Xid != nil && op.Xid.Uid <= math.MaxInt64 {
		to = int64(op.Xid.Uid)
	}
	if to == 0 {
		return store.Conv{}, nil, store.Item{}, refuse(xsync.StatusInvalidParameter, "meta to is required")
	}
	s.meta.To = &xsync.XID{Uid: uint64(to)}
	if op.Xid == nil {
		op.Xid = &xsync.XID{Uid: uint64(to)}
	}
	conv, member, err := s.g.resolveConv(s.ctx, s.uid, to)
	if err != nil {
		return conv, nil, store.Item{}, err
	}
	if conv.Kind == store.ConvGroup {
		if _, member, err = s.groupMember(to); err != nil {
			return conv, nil, store.Item{}, err
		}
	}
	if op.Mid != 0 && op.Mid <= math.MaxInt64 {
		s.unlock = s.g.lockMessage(int64(op.Mid))
	}
	t, err := s.target(op.Mid)
	if err != nil {
		return conv, nil, t, err
	}
	if t.Conv != conv {
		return conv, nil, t, refuse(xsync.StatusInvalidParameter, reasonMsgNotFound)
	}
	if t.Recalled {
		return conv, nil, t, refuse(xsync.StatusInvalidParameter, reasonRecalled)
	}
	return conv, member, t, nil
}

// recall is RECALL (§9.4): the sender within the recall window, the group
// owner and admins at any time.
func (s *sender) recall(body *xsync.MessageBody) (*store.AppendRequest, func(), error) {
	if s.g.cfg.RecallDisabled {
		return nil, nil, refuse(xsync.StatusFail, reasonRecallDisabled)
	}
	conv, member, t, err := s.convTarget(body)
	if err != nil {
		return nil, nil, err
	}
	inTime := s.now-t.Timestamp <= s.g.cfg.RecallWindow.Milliseconds()
	admin := member != nil && member.Role != store.RoleMember
	switch {
	case admin, t.FromUID == s.uid && inTime:
	case t.FromUID == s.uid:
		return nil, nil, refuse(xsync.StatusFail, reasonRecallTimeLimit)
	default:
		return nil, nil, refuse(xsync.StatusUnauthorized, reasonPermission)
	}
	return s.appendRequest(conv, int64(s.meta.To.Uid), body.Marshal(), false,
		store.Effect{Kind: store.EffectRecall, Target: t.ID})
}

// edit is APPEND or REPLACE (§9.3): only the sender edits, edit timestamps
// strictly increase per message, and the current state is kept for history.
func (s *sender) edit(body *xsync.MessageBody) (*store.AppendRequest, func(), error) {
	conv, _, t, err := s.convTarget(body)
	if err != nil {
		return nil, nil, err
	}
	if t.FromUID != s.uid {
		return nil, nil, refuse(xsync.StatusUnauthorized, reasonPermission)
	}
	content, config, ext := t.Content, t.Config, t.Ext
	if !t.Edited {
		orig, err := decodeBody(t.Body)
		if err != nil {
			return nil, nil, err
		}
		content, config, ext = orig.Content, orig.Config, orig.Ext
	}
	if body.Operation.Type == xsync.OpAppend {
		content += body.Content
	} else if body.Content != "" {
		content = body.Content
	}
	config = mergeJSON(config, body.Config)
	ext = mergeJSON(ext, body.Ext)
	// What means "no change" here is relayed as empty: a receiving official
	// client would store the literal null and then fail on every later read
	// of the conversation.
	if absentJSON(body.Config) {
		body.Config = ""
	}
	if absentJSON(body.Ext) {
		body.Ext = ""
	}
	editTS := max(s.now, t.EditTimestamp+1, t.Timestamp)
	body.EditTimestamp = uint64(editTS)
	return s.appendRequest(conv, int64(s.meta.To.Uid), body.Marshal(), false, store.Effect{Kind: store.EffectEdit,
		Target: t.ID, Content: content, Config: config, Ext: ext, EditTimestamp: editTS})
}

// conversationOp is a conversation delete (§10). DELETE_EVERYWHERE clears
// the conversation for the user and tells the user's other devices through
// the personal stream; DELETE clears it for the sending device only.
// It needs no group membership: nothing goes into the group's log (the
// item is stored in the user's personal stream), it reveals nothing, and a
// user must be able to delete the conversation of a group it has left.
func (s *sender) conversationOp(cv *xsync.Conversation) (*store.AppendRequest, func(), error) {
	op := cv.Operation
	if op == nil {
		return nil, nil, refuse(xsync.StatusInvalidParameter, "operation xid is required")
	}
	stream, conv, err := s.opConversation(op.Xid)
	if err != nil {
		return nil, nil, err
	}
	s.meta.To = &xsync.XID{Uid: uint64(s.uid)}
	req := &store.AppendRequest{Item: s.item(store.PersonalConv(s.uid), s.uid, s.meta.Payload, false)}
	switch op.Type {
	case xsync.ConvOpDeleteEverywhere:
		req.Effects = []store.Effect{{Kind: store.EffectClearConv, UID: s.uid, Stream: stream, Conv: conv}}
		req.Deliveries = []store.Delivery{{UID: s.uid, Stream: s.uid, Kind: store.ConvPersonal, OriginSN: s.sn}}
	case xsync.ConvOpDelete:
		req.Effects = []store.Effect{{Kind: store.EffectClearConv, UID: s.uid, SN: s.sn, Stream: stream, Conv: conv}}
		// The store moves this device's cursor: read it again next time.
		s.c.syncMu.Lock()
		delete(s.c.cursors, stream)
		s.c.syncMu.Unlock()
	default:
		return nil, nil, refuse(xsync.StatusInvalidParameter, "unknown conversation operation")
	}
	return req, nil, nil
}
