package core

import (
	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

// opData describes a message operation to apply to the local store, either
// one received (from a peer or another device of the user) or one of ours
// once acknowledged (PROTOCOL.md §9).
type opData struct {
	_                    noCompare
	typ                  xsync.OpType
	conv, mid            uint64
	content, config, ext string
	editTS               uint64
}

// submit builds an operation on the engine goroutine (build may read the
// engine state) and queues it; it waits for the ack unless wait is false.
func (c *Client) submit(ctx lite.Context, build func() (*outItem, *Error)) error {
	if !c.sessionActive() {
		return NewError(UserNotLogin, "operation needs a logged-in session")
	}
	done := make(chan sendResult, 1)
	c.post(func() {
		if c.lp.sess == nil {
			done <- sendResult{err: NewError(UserNotLogin, "not logged in")}
			return
		}
		it, err := build()
		if err != nil {
			done <- sendResult{err: err}
			return
		}
		if it == nil { // nothing to send
			done <- sendResult{}
			return
		}
		it.done = done
		c.enqueue(it)
	})
	r, err := waitResult(c, ctx, done)
	if err != nil {
		return err
	}
	if r.err != nil {
		return r.err
	}
	return nil
}

// opItem builds the outbox item of an operation. to is Meta.to; xid is the
// target conversation as seen by us, 0 to omit it.
func (c *Client) opItem(typ xsync.OpType, conv, mid, to, xid uint64, content, config, ext string) *outItem {
	cmid := c.nextClientMid()
	body := &xsync.MessageBody{
		Type:      xsync.MsgOper,
		Ctype:     xsync.CTypeCommand,
		Operation: &xsync.MessageOperation{Type: typ, Mid: mid},
	}
	if xid != 0 {
		body.Operation.Xid = &xsync.XID{Uid: xid}
	}
	if typ == xsync.OpAppend || typ == xsync.OpReplace {
		body.Ctype = xsync.CTypeText
		body.Content, body.Config, body.Ext = content, config, ext
	}
	meta := &xsync.Meta{Id: cmid, To: &xsync.XID{Uid: to}, Ns: xsync.NSMessage, Payload: body.Marshal()}
	return &outItem{
		cmid: cmid, kind: outOp, conv: conv, meta: meta, quiet: true,
		op: opData{typ: typ, conv: conv, mid: mid, content: content, config: config, ext: ext},
	}
}

// isGroup reports whether conv is a joined group (engine goroutine only).
func (c *Client) isGroup(conv uint64) bool { return c.lp.groups[conv] }

// ackTarget returns Meta.to of an acknowledgement (READ_ACK, DELIVER_ACK,
// PLAY_ACK): the target message's sender, also in groups (PROTOCOL.md
// §9.1). Without the message in the store, a one-to-one target is the peer.
func (c *Client) ackTarget(conv, mid uint64) (uint64, *Error) {
	if m, ok := c.cache.Get(conv, mid); ok {
		return m.From, nil
	}
	if c.isGroup(conv) {
		return 0, NewError(NotFound, "message not in the local store")
	}
	return conv, nil
}

func checkIDs(conv, mid uint64) error {
	if conv == 0 || mid == 0 {
		return ClientError("conversation id and message id are required")
	}
	return nil
}

// ReadMessage marks message mid of conversation conv read: it sends a
// READ_ACK to the message's sender and, once acknowledged, sets the local
// status to read.
func (c *Client) ReadMessage(ctx lite.Context, conv, mid uint64) error {
	return c.ackOp(ctx, xsync.OpReadAck, conv, mid)
}

// DeliveryAck sends a DELIVER_ACK for message mid (not sent by the official
// web client, accepted by servers).
func (c *Client) DeliveryAck(ctx lite.Context, conv, mid uint64) error {
	return c.ackOp(ctx, xsync.OpDeliverAck, conv, mid)
}

// PlayAck sends a PLAY_ACK for audio message mid and marks it played.
func (c *Client) PlayAck(ctx lite.Context, conv, mid uint64) error {
	return c.ackOp(ctx, xsync.OpPlayAck, conv, mid)
}

func (c *Client) ackOp(ctx lite.Context, typ xsync.OpType, conv, mid uint64) error {
	if err := checkIDs(conv, mid); err != nil {
		return err
	}
	return c.submit(ctx, func() (*outItem, *Error) {
		to, err := c.ackTarget(conv, mid)
		if err != nil {
			return nil, err
		}
		return c.opItem(typ, conv, mid, to, 0, "", "", ""), nil
	})
}

// ReadAll marks the whole conversation read as the official clients do
// (PROTOCOL.md §9.5): one READ_ACK per unread received message in the store
// (in groups only for messages that ask for read receipts), then one
// READ_ALL to the user's other devices with the last message id, which
// also covers unread messages the cache no longer holds. It waits for the
// READ_ALL's ack; the unread count is then zero.
func (c *Client) ReadAll(ctx lite.Context, conv uint64) error {
	if conv == 0 {
		return ClientError("conversation id is required")
	}
	return c.submit(ctx, func() (*outItem, *Error) {
		self := c.selfUID()
		group := c.isGroup(conv)
		msgs := c.cache.List(conv)
		// The newest unread message may have left the cache with the
		// rest of a long backlog: READ_ALL must still cover it.
		last := c.unread.maxID(conv)
		for _, m := range msgs {
			if m.ID > last {
				last = m.ID
			}
			if !m.countsUnread(self) || m.From == 0 {
				continue
			}
			if group && !configHasReadReceipts(m.Config) {
				continue
			}
			c.enqueue(c.opItem(xsync.OpReadAck, conv, m.ID, m.From, 0, "", "", ""))
		}
		if last == 0 {
			return nil, nil
		}
		return c.opItem(xsync.OpReadAll, conv, last, self, conv, "", "", ""), nil
	})
}

// MarkUnread marks message mid unread again on all the user's devices
// (READ_CANCEL); locally the message becomes unread and MessageCanceled is
// emitted once acknowledged.
func (c *Client) MarkUnread(ctx lite.Context, conv, mid uint64) error {
	return c.selfOp(ctx, xsync.OpReadCancel, conv, mid)
}

// DeleteMessage deletes message mid for this user on all devices (DELETE).
func (c *Client) DeleteMessage(ctx lite.Context, conv, mid uint64) error {
	return c.selfOp(ctx, xsync.OpDelete, conv, mid)
}

func (c *Client) selfOp(ctx lite.Context, typ xsync.OpType, conv, mid uint64) error {
	if err := checkIDs(conv, mid); err != nil {
		return err
	}
	return c.submit(ctx, func() (*outItem, *Error) {
		return c.opItem(typ, conv, mid, c.selfUID(), conv, "", "", ""), nil
	})
}

// Recall recalls message mid for everyone (RECALL; PROTOCOL.md §9.4 for the
// server's rules, e.g. MessageOutRecallTime after 5 minutes).
func (c *Client) Recall(ctx lite.Context, conv, mid uint64) error {
	if err := checkIDs(conv, mid); err != nil {
		return err
	}
	return c.submit(ctx, func() (*outItem, *Error) {
		return c.opItem(xsync.OpRecall, conv, mid, conv, conv, "", "", ""), nil
	})
}

// AppendContent appends content to message mid, deep-merging config and ext
// (APPEND, streaming text; PROTOCOL.md §9.3).
func (c *Client) AppendContent(ctx lite.Context, conv, mid uint64, content, config, ext string) error {
	if err := checkIDs(conv, mid); err != nil {
		return err
	}
	return c.editOp(ctx, xsync.OpAppend, conv, mid, content, config, ext)
}

// Replace replaces the content of message mid and deep-merges config and
// ext (REPLACE). It does nothing when all three are empty.
func (c *Client) Replace(ctx lite.Context, conv, mid uint64, content, config, ext string) error {
	if err := checkIDs(conv, mid); err != nil {
		return err
	}
	if content == "" && config == "" && ext == "" {
		return nil
	}
	return c.editOp(ctx, xsync.OpReplace, conv, mid, content, config, ext)
}

func (c *Client) editOp(ctx lite.Context, typ xsync.OpType, conv, mid uint64, content, config, ext string) error {
	if config != "" && config != "null" {
		if _, err := jsonv.ParseString(config); err != nil {
			return ClientError("config is not valid JSON: " + err.Error())
		}
	}
	return c.submit(ctx, func() (*outItem, *Error) {
		return c.opItem(typ, conv, mid, conv, conv, content, config, ext), nil
	})
}

// DeleteConversation deletes conversation conv (peer uid or gid) locally
// and on the server (PROTOCOL.md §10): everywhere true sends
// DELETE_EVERYWHERE (all devices of the user), false DELETE (this device
// only). Once acknowledged the messages and list entry go and a
// conversation_deleted notice with source user_operation is emitted.
func (c *Client) DeleteConversation(ctx lite.Context, conv uint64, everywhere bool) error {
	if conv == 0 {
		return ClientError("conversation id is required")
	}
	return c.submit(ctx, func() (*outItem, *Error) {
		typ := xsync.ConvOpDelete
		if everywhere {
			typ = xsync.ConvOpDeleteEverywhere
		}
		cv := &xsync.Conversation{Type: xsync.ConversationOper, Operation: &xsync.ConversationOperation{Type: typ, Xid: &xsync.XID{Uid: conv}}}
		cmid := c.nextClientMid()
		meta := &xsync.Meta{Id: cmid, Ns: xsync.NSConversation, Payload: cv.Marshal()}
		return &outItem{cmid: cmid, kind: outConvOp, conv: conv, meta: meta, quiet: true}, nil
	})
}

// applyRemoteOp applies an operation meta received from a peer or another
// device of the user (PROTOCOL.md §9.2).
func (c *Client) applyRemoteOp(stream uint64, meta *xsync.Meta, body *xsync.MessageBody) {
	op := body.Operation
	if op == nil {
		return
	}
	conv := c.opConversation(stream, meta, op)
	c.applyOp(opData{typ: op.Type, conv: conv, mid: op.Mid, content: body.Content, config: body.Config, ext: body.Ext, editTS: body.EditTimestamp})
}

// opConversation finds the conversation an operation applies to: the
// operation's xid for the self-addressed ones, the group xid for edits,
// then the stream it arrived in if the target is stored there, and
// otherwise the rule of §6.1 (a joined group, else the party that is not
// the local user).
func (c *Client) opConversation(stream uint64, meta *xsync.Meta, op *xsync.MessageOperation) uint64 {
	self := c.selfUID()
	opx := xidUID(op.Xid)
	switch op.Type {
	case xsync.OpReadAll, xsync.OpReadCancel, xsync.OpDelete:
		if opx != 0 {
			return opx // sent by another device of the user: its view is ours
		}
	case xsync.OpAppend, xsync.OpReplace:
		if opx != 0 && c.isGroup(opx) {
			if _, ok := c.cache.Get(opx, op.Mid); ok {
				return opx
			}
		}
	}
	if stream != 0 && stream != self {
		if _, ok := c.cache.Get(stream, op.Mid); ok {
			return stream
		}
	}
	to, from := xidUID(meta.To), xidUID(meta.From)
	if c.isGroup(to) || from == self {
		return to
	}
	return from
}

// applyOp applies an operation to the stored target and emits the events
// of JSAPI.md §8. A target that is not stored is ignored (history will
// reflect it), except for READ_ALL, which concerns the whole conversation,
// and for the unread count, which is kept for messages that left the cache
// too (unread.go).
func (c *Client) applyOp(d opData) {
	self := c.selfUID()
	changed := false
	unreadChanged := false
	var ev Event
	switch d.typ {
	case xsync.OpReadAck:
		_, changed = c.cache.Update(d.conv, d.mid, func(m *Message) bool {
			m.Status = MessageRead
			return true
		})
		// Our own READ_ACK, or one of another device of ours: the target
		// is a received message and no longer unread. A peer's READ_ACK
		// targets one of our messages, which never counted.
		unreadChanged = c.unread.set(d.conv, d.mid, false)
	case xsync.OpDeliverAck:
		_, changed = c.cache.Update(d.conv, d.mid, func(m *Message) bool {
			if m.Status != MessageUnread {
				return false
			}
			m.Status = MessageDelivered
			return true
		})
	case xsync.OpReadAll:
		c.cache.UpdateAll(d.conv, func(m *Message) bool {
			if m.From == self || m.Status == MessageRead || (d.mid != 0 && m.ID > d.mid) {
				return false
			}
			m.Status = MessageRead
			return true
		})
		unreadChanged = c.unread.readUpTo(d.conv, d.mid)
		changed = true
	case xsync.OpReadCancel:
		var m Message
		m, changed = c.cache.Update(d.conv, d.mid, func(m *Message) bool {
			m.Status = MessageUnread
			return true
		})
		if changed {
			unreadChanged = c.unread.set(d.conv, d.mid, m.countsUnread(self))
		}
		ev = MessageCanceled{UID: d.conv, Mid: d.mid}
	case xsync.OpRecall:
		_, changed = c.cache.Delete(d.conv, d.mid)
		unreadChanged = c.unread.set(d.conv, d.mid, false)
		ev = MessageRecalled{UID: d.conv, Mid: d.mid}
	case xsync.OpDelete:
		_, changed = c.cache.Delete(d.conv, d.mid)
		unreadChanged = c.unread.set(d.conv, d.mid, false)
		ev = MessageDeleted{UID: d.conv, Mid: d.mid}
	case xsync.OpPlayAck:
		_, changed = c.cache.Update(d.conv, d.mid, func(m *Message) bool {
			m.IsPlayed = true
			return true
		})
	case xsync.OpAppend:
		var m Message
		applied := false
		m, changed = c.cache.Update(d.conv, d.mid, func(m *Message) bool {
			if d.editTS < m.EditTimestamp || (m.ToType != ToGroup && d.editTS < m.Timestamp) {
				return false
			}
			m.Content += d.content
			m.Config = mergeJSON(m.Config, d.config)
			m.Ext = mergeJSON(m.Ext, d.ext)
			m.AppendedContent, m.AppendConfig, m.AppendExt = d.content, d.config, d.ext
			m.EditTimestamp = d.editTS
			applied = true
			return true
		})
		changed = changed && applied
		if changed {
			ev = ContentAppended{Message: m}
		}
	case xsync.OpReplace:
		var m Message
		applied := false
		m, changed = c.cache.Update(d.conv, d.mid, func(m *Message) bool {
			if d.editTS < m.Timestamp || d.editTS < m.EditTimestamp {
				return false
			}
			if d.content != "" {
				m.Content = d.content
			}
			m.Config = mergeJSON(m.Config, d.config)
			m.Ext = mergeJSON(m.Ext, d.ext)
			m.ReplaceConfig, m.ReplaceExt = d.config, d.ext
			m.EditTimestamp = d.editTS
			applied = true
			return true
		})
		changed = changed && applied
		if changed {
			ev = MessageReplaced{Message: m}
		}
	default:
		return // unknown operation types are ignored (PROTOCOL.md §6.6)
	}
	if !changed {
		if unreadChanged {
			// The target had left the cache, but it was still counted.
			c.emitUnread(d.conv)
		}
		return
	}
	if d.typ == xsync.OpRecall || d.typ == xsync.OpDelete {
		c.refreshListEntry(d.conv)
	}
	if ev != nil {
		c.emit(ev)
	}
	c.emit(MessageStatusChanged{UID: d.conv, Mid: d.mid})
	c.emitUnread(d.conv)
}

// mergeJSON deep-merges an edit's config or ext into the stored one
// (PROTOCOL.md §9.3): an empty, invalid or "null" src changes nothing.
func mergeJSON(dst, src string) string {
	if src == "" || src == "null" {
		return dst
	}
	if dst == "" {
		if _, err := jsonv.ParseString(src); err != nil {
			return dst
		}
		return src
	}
	return jsonv.MergeStrings(dst, src)
}

// refreshListEntry shows the newest stored message in the conversation's
// list entry after its last message went away.
func (c *Client) refreshListEntry(conv uint64) {
	msgs := c.cache.List(conv)
	changed := c.convs.update(conv, func(e *ConversationEntry) {
		if len(msgs) == 0 {
			e.Content, e.Ext = "", ""
			return
		}
		last := msgs[len(msgs)-1]
		e.Content, e.Ext = summary(&last), last.Ext
	})
	if changed {
		c.emitRecent()
	}
}
