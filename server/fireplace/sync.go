package fireplace

import (
	"context"
	"errors"
	"math"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// Paging limits of PROTOCOL.md §18.10.
const (
	syncPageSize       = 50
	historyDefaultSize = 20
	historyMaxSize     = 100
	recentListSize     = 100
)

// unread answers an UNREAD frame (PROTOCOL.md §6.2, §18.6): the first one
// after login lists the recent conversations too, later ones (heartbeats)
// only the streams with something waiting.
func (c *conn) unread() {
	uid, sn := c.session()
	recent := 0
	if c.unreadCount == 0 {
		recent = recentListSize
	}
	// The counts are computed by the store: write this device's
	// confirmations first.
	if c.g.cursors.hasPending(uid, sn) {
		c.g.flushCursors()
	}
	list, err := c.g.st.Unread(context.Background(), uid, sn, recent)
	if err != nil {
		c.g.log.Error("fireplace: unread", "uid", uid, "err", err)
		c.send(xsync.CommandUnread, &xsync.UnreadDL{Status: status(xsync.StatusFail, reasonInternal)})
		return
	}
	c.unreadCount++
	dl := &xsync.UnreadDL{Status: statusOK, Unread: make([]*xsync.ConversationUnread, 0, len(list))}
	for _, u := range list {
		typ := xsync.ConvUnknown
		switch u.Kind {
		case store.ConvChat:
			typ = xsync.ConvChat
		case store.ConvGroup:
			typ = xsync.ConvGroupChat
		}
		dl.Unread = append(dl.Unread, &xsync.ConversationUnread{
			Xid: &xsync.XID{Uid: uint64(u.Stream)}, N: uint32(min(u.N, math.MaxUint32)), Type: typ,
		})
	}
	c.send(xsync.CommandUnread, dl)
}

// streamOf returns the stream an xid names; ok is false for a missing or
// zero xid and for one beyond the int64 ids of the store.
func streamOf(x *xsync.XID) (stream int64, ok bool) {
	if x == nil || x.Uid == 0 || x.Uid > math.MaxInt64 {
		return 0, false
	}
	return int64(x.Uid), true
}

// pull answers an incremental SyncUL (PROTOCOL.md §6.3, §18.4). A non-zero
// key confirms everything this connection delivered up to it.
func (c *conn) pull(ul *xsync.SyncUL) {
	stream, ok := streamOf(ul.Xid)
	if !ok {
		c.send(xsync.CommandSync, &xsync.SyncDL{Status: status(xsync.StatusInvalidParameter, "xid is required"),
			Xid: ul.Xid})
		return
	}
	// Clear the Notice mark first: an entry committed from now on gets a
	// new Notice even if this page already includes it.
	c.clearNotice(stream)
	c.page(stream, ul.Key, nil)
}

// page builds the next page of stream for this connection: the reply to a
// pull (job = nil, key as the pull's), which it queues, or a push (push.go:
// the writer's job; key 0), which it returns encoded for the writer, nil
// when there is nothing in it. Pages of a connection are built one at a time
// (syncMu), so watermarks only move forward and pages leave in the order
// of their ids.
//
// The store is not read for a continuation (key ≠ 0) when the last read of
// the stream on this connection reached its end and no entry was signalled
// for the stream since that read began (streamSync.settled): the page is
// then empty, with next_key 0. Every entry committed for a live device is
// signalled to its connection (notice), after its commit; so an entry
// committed before that read is in it, and one committed after it is
// signalled after it, and makes the next pull read. A wake-up lost
// between nodes delays an entry until the next pull with key 0 (the
// client's UNREAD heartbeat lists the stream), as it delays a Notice.
func (c *conn) page(stream int64, key uint64, job *pushJob) (pushed []byte) {
	g := c.g
	ctx := context.Background()
	reply := job == nil
	xid := &xsync.XID{Uid: uint64(stream)}
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	uid, sn := c.session()
	st, signals, settled, skip := c.beginPage(stream, job)
	var sent, open, failed bool
	defer func() { c.endPage(stream, st, signals, sent, open, failed, skip) }()
	if skip {
		return nil
	}
	fail := func(err error) {
		g.log.Error("fireplace: sync", "uid", uid, "stream", stream, "err", err)
		failed = true
		if reply {
			c.send(xsync.CommandSync, &xsync.SyncDL{Status: status(xsync.StatusFail, reasonInternal), Xid: xid})
			sent = true
		}
	}

	// Only this connection moves its device's cursors, so the value read
	// once per stream stays right for the session.
	cursor, ok := c.cursors[stream]
	if !ok {
		var err error
		if cursor, err = g.cursor(ctx, uid, sn, stream); err != nil {
			fail(err)
			return nil
		}
		c.cursors[stream] = cursor
	}
	wm, ok := c.watermarks[stream]
	if !ok {
		wm = cursor
	}
	if key != 0 {
		// The key confirms what this connection delivered, never more: a
		// key from an older connection or a made-up one moves nothing.
		confirm := min(int64(min(key, math.MaxInt64)), wm)
		if confirm > cursor {
			g.cursors.confirm(uid, sn, stream, confirm)
			cursor = confirm
			c.cursors[stream] = cursor
		}
	}
	from := max(cursor, wm)
	var page store.SyncPage
	if key == 0 || settled != from {
		var err error
		if page, err = g.st.SyncPage(ctx, uid, sn, stream, from, syncPageSize); err != nil {
			fail(err)
			return nil
		}
	}
	if n := g.pageFits(page.Items); n < len(page.Items) {
		// The rest comes with the next request, which next_key asks for.
		page.Items = page.Items[:n]
		page.Last = page.Items[n-1].ID
		page.More = true
	}
	metas, err := g.metas(ctx, uid, page.Items, false)
	if err != nil {
		fail(err)
		return nil
	}
	dl := &xsync.SyncDL{Status: statusOK, Xid: xid, Metas: metas}
	end := from
	if page.Last != 0 {
		dl.NextKey = uint64(page.Last)
		end = page.Last
	}
	c.watermarks[stream] = end
	if !page.More {
		c.settle(st, signals, end)
	}
	dl.Metas = append(dl.Metas, c.takeTransient(stream, g.now())...)
	open = dl.NextKey != 0
	switch {
	case reply:
		c.send(xsync.CommandSync, dl)
		sent = true
	case len(dl.Metas) > 0 || open:
		pushed, sent = xsync.MarshalFrame(xsync.CommandSync, dl), true
	}
	return pushed
}

// history answers a history query (PROTOCOL.md §6.5): chat messages newest
// first, edits applied, status computed, with next_key the smallest id of
// the page when older ones exist.
func (c *conn) history(ul *xsync.SyncUL) {
	g := c.g
	ctx := context.Background()
	uid, sn := c.session()
	peer, ok := streamOf(ul.Xid)
	if !ok {
		c.send(xsync.CommandSync, &xsync.SyncDL{Status: status(xsync.StatusInvalidParameter, "xid is required"),
			Xid: ul.Xid, IsFullSync: true})
		return
	}
	dl := &xsync.SyncDL{Status: statusOK, Xid: &xsync.XID{Uid: ul.Xid.Uid}, IsFullSync: true}
	fail := func(err error) {
		g.log.Error("fireplace: history", "uid", uid, "conversation", peer, "err", err)
		dl.Status = status(xsync.StatusFail, reasonInternal)
		c.send(xsync.CommandSync, dl)
	}
	n := int(ul.FullSyncNum)
	if n <= 0 {
		n = historyDefaultSize
	}
	n = min(n, historyMaxSize)
	q := store.HistoryQuery{UID: uid, SN: sn, Stream: peer, Limit: n, Before: int64(min(ul.Key, math.MaxInt64))}
	conv, member, err := g.resolveConv(ctx, uid, peer)
	switch {
	case err != nil:
		fail(err)
		return
	case conv.Kind == store.ConvGroup && member == nil:
		// Not readable: an empty page, not an error.
		c.send(xsync.CommandSync, dl)
		return
	case conv.Kind == store.ConvGroup:
		grp, err := g.st.GetGroup(ctx, peer)
		if err != nil {
			fail(err)
			return
		}
		if !grp.HistoryVisible {
			q.Since = member.JoinTime
		}
	case conv.Kind == store.ConvPersonal:
		c.send(xsync.CommandSync, dl)
		return
	}
	q.Conv = conv
	items, more, err := g.st.History(ctx, q)
	if err != nil {
		fail(err)
		return
	}
	if n := g.pageFits(items); n < len(items) {
		items, more = items[:n], true
	}
	if dl.Metas, err = g.metas(ctx, uid, items, true); err != nil {
		fail(err)
		return
	}
	if more && len(items) > 0 {
		dl.NextKey = uint64(items[len(items)-1].ID)
	}
	c.send(xsync.CommandSync, dl)
}

// pageFits returns how many of items, from the first, make a page within
// Config.PageBytes; at least one, so that a page always moves forward.
// Together with the reader waiting for the write queue to drain, it bounds
// what one connection's replies hold at a time.
func (g *Gateway) pageFits(items []store.Item) int {
	total := 0
	for i := range items {
		it := &items[i]
		total += len(it.Body) + len(it.Content) + len(it.Config) + len(it.Ext)
		if total > g.cfg.PageBytes && i > 0 {
			return i
		}
	}
	return len(items)
}

// resolveConv names the conversation uid calls other: a group uid belongs
// to (with the membership), else the one-to-one conversation with that
// user, or uid's personal stream when other is uid. A group uid is not a
// member of resolves to that group with a nil member. The ids of users and
// groups never collide (PROTOCOL.md §17), which makes this unambiguous.
func (g *Gateway) resolveConv(ctx context.Context, uid, other int64) (store.Conv, *store.Member, error) {
	if other == uid {
		return store.PersonalConv(uid), nil, nil
	}
	grp, err := g.st.GetGroup(ctx, other)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.ChatConv(uid, other), nil, nil
	case err != nil:
		return store.Conv{}, nil, err
	}
	if grp.Status != store.GroupNormal {
		return store.GroupConv(other), nil, nil
	}
	m, err := g.st.GetMember(ctx, other, uid)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.GroupConv(other), nil, nil
	case err != nil:
		return store.Conv{}, nil, err
	}
	return store.GroupConv(other), m, nil
}

// metas turns stored items into downlink metas as viewer sees them. Chat
// messages get their status; history (edited = true) also applies edits,
// sync delivers the original form (PROTOCOL.md §6.3, §9.3).
func (g *Gateway) metas(ctx context.Context, viewer int64, items []store.Item, edited bool) ([]*xsync.Meta, error) {
	if len(items) == 0 {
		return nil, nil
	}
	sc := newStatusCalc(g, viewer)
	var chatIDs []int64
	for i := range items {
		if items[i].Chat {
			chatIDs = append(chatIDs, items[i].ID)
		}
	}
	if len(chatIDs) > 0 {
		var err error
		if sc.marks, err = g.st.Marks(ctx, chatIDs); err != nil {
			return nil, err
		}
	}
	out := make([]*xsync.Meta, 0, len(items))
	for i := range items {
		it := &items[i]
		m := &xsync.Meta{
			Id:        uint64(it.ID),
			From:      &xsync.XID{Uid: uint64(it.FromUID), DeviceSN: it.FromSN},
			To:        &xsync.XID{Uid: uint64(it.ToUID), DeviceSN: it.ToSN},
			Timestamp: uint64(it.Timestamp),
			Ns:        xsync.NameSpace(it.NS),
			Payload:   it.Body,
		}
		if it.Conv.Kind == store.ConvPersonal && it.ToUID == 0 {
			// Notices are stored once for all their recipients.
			m.To = &xsync.XID{Uid: uint64(viewer)}
		}
		if it.Chat {
			st, err := sc.status(ctx, it)
			if err != nil {
				return nil, err
			}
			if edited && it.Edited {
				body, err := decodeBody(it.Body)
				if err != nil {
					return nil, err
				}
				body.Content, body.Config, body.Ext = it.Content, it.Config, it.Ext
				body.EditTimestamp = uint64(it.EditTimestamp)
				body.Status = st
				m.Payload = body.Marshal()
			} else {
				m.Payload = withStatus(it.Body, st)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// withStatus returns body with MessageBody.status (field 14) appended. A
// later occurrence of a scalar field wins when decoding, so the message goes
// out exactly as sent plus the status, without a decode/encode round trip.
func withStatus(body []byte, st xsync.MessageStatus) []byte {
	b := make([]byte, len(body), len(body)+2)
	copy(b, body)
	return append(b, 14<<3, byte(st))
}

func decodeBody(b []byte) (*xsync.MessageBody, error) {
	body := new(xsync.MessageBody)
	if err := body.Unmarshal(b); err != nil {
		return nil, err
	}
	return body, nil
}

// statusCalc computes MessageBody.status for one viewer (PROTOCOL.md §9.5),
// caching read positions across a page.
type statusCalc struct {
	g      *Gateway
	viewer int64
	rps    map[[2]int64]store.ReadPositions
	marks  map[int64][]store.Mark
}

func newStatusCalc(g *Gateway, viewer int64) *statusCalc {
	return &statusCalc{g: g, viewer: viewer, rps: map[[2]int64]store.ReadPositions{}}
}

func (s *statusCalc) readPositions(ctx context.Context, uid, stream int64) (store.ReadPositions, error) {
	k := [2]int64{uid, stream}
	if rp, ok := s.rps[k]; ok {
		return rp, nil
	}
	rp, err := s.g.readPositions(ctx, uid, stream)
	if err != nil {
		return rp, err
	}
	s.rps[k] = rp
	return rp, nil
}

func hasMark(ms []store.Mark, uid int64, kind store.MarkKind) bool {
	for _, m := range ms {
		if m.UID == uid && m.Kind == kind {
			return true
		}
	}
	return false
}

func (s *statusCalc) status(ctx context.Context, it *store.Item) (xsync.MessageStatus, error) {
	marks := s.marks[it.ID]
	// One user's view of a message sent to them: read if acked (and not
	// cancelled since) or covered by their READ_ALL; delivered if a device
	// of theirs confirmed it or they acked delivery.
	seenBy := func(uid, stream int64) (xsync.MessageStatus, error) {
		rp, err := s.readPositions(ctx, uid, stream)
		if err != nil {
			return 0, err
		}
		switch {
		case hasMark(marks, uid, store.MarkRead),
			rp.ReadAll >= it.ID && !hasMark(marks, uid, store.MarkUnread):
			return xsync.MsgStatusRead, nil
		case rp.Delivered >= it.ID, hasMark(marks, uid, store.MarkDelivered):
			return xsync.MsgStatusDelivered, nil
		}
		return xsync.MsgStatusUnread, nil
	}
	switch {
	case it.FromUID != s.viewer:
		return seenBy(s.viewer, it.Conv.Stream(s.viewer))
	case it.Conv.Kind == store.ConvChat:
		return seenBy(it.Conv.Stream(s.viewer), s.viewer)
	}
	// A group message of the viewer: read when every member it asked for
	// a receipt acknowledged it.
	config := it.Config
	if !it.Edited {
		body, err := decodeBody(it.Body)
		if err != nil {
			return xsync.MsgStatusDelivered, nil
		}
		config = body.Config
	}
	want := groupMemberList(config)
	if len(want) == 0 {
		return xsync.MsgStatusDelivered, nil
	}
	for _, uid := range want {
		if !hasMark(marks, uid, store.MarkRead) {
			return xsync.MsgStatusDelivered, nil
		}
	}
	return xsync.MsgStatusRead, nil
}
