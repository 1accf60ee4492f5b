package core

import (
	"slices"
	"sort"
	"strconv"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/xsync"
)

// Dedup bound: the number of ids remembered above the floor of each stream.
// It also covers the "last 1000 operation metas per conversation" rule of
// PROTOCOL.md §6.6, since operations are metas of the same streams.
const seenPerStream = 1024

// syncState is the engine's incremental-sync state (PROTOCOL.md §6.2-§6.4,
// §6.6). streams is per connection; seen survives reconnects for the life of
// the session's client, so that a server redelivering unacknowledged items
// after a reconnect never makes the application see a message twice.
type syncState struct {
	streams map[uint64]*streamState
	seen    map[uint64]*seenIDs
}

// streamState: at most one SYNC exchange in flight per stream; a NOTICE
// arriving meanwhile sets dirty, and one more exchange runs when the current
// one ends (instead of the official clients' 3 s retry).
type streamState struct {
	inFlight bool
	dirty    bool
}

func (s *syncState) init() {
	s.streams = make(map[uint64]*streamState)
	s.seen = make(map[uint64]*seenIDs)
}

// reset forgets the exchanges of a connection that went away.
func (s *syncState) reset() { clear(s.streams) }

// forget also drops the dedup memory (logout).
func (s *syncState) forget() {
	clear(s.streams)
	clear(s.seen)
}

// seenIDs remembers delivered ids of one stream: every id <= floor counts as
// seen, and ids above it are kept sorted, at most seenPerStream of them.
// When the set overflows, the smallest id is dropped and becomes the floor.
// Server ids rise with time within a stream (PROTOCOL.md §8.4), so what
// falls below the floor is old data being redelivered.
type seenIDs struct {
	floor uint64
	ids   []uint64
}

func (s *seenIDs) has(id uint64) bool {
	if id <= s.floor {
		return true
	}
	i := sort.Search(len(s.ids), func(i int) bool { return s.ids[i] >= id })
	return i < len(s.ids) && s.ids[i] == id
}

// add records id and reports whether it was new.
func (s *seenIDs) add(id uint64) bool {
	if id <= s.floor {
		return false
	}
	n := len(s.ids)
	if n == 0 || s.ids[n-1] < id {
		s.ids = append(s.ids, id)
	} else {
		i := sort.Search(n, func(i int) bool { return s.ids[i] >= id })
		if s.ids[i] == id {
			return false
		}
		s.ids = append(s.ids, 0)
		copy(s.ids[i+1:], s.ids[i:])
		s.ids[i] = id
	}
	if len(s.ids) > seenPerStream {
		drop := len(s.ids) - seenPerStream
		s.floor = s.ids[drop-1]
		s.ids = append(s.ids[:0], s.ids[drop:]...)
	}
	return true
}

// markSeen records id as delivered in stream and reports whether it was
// new. Meta id 0 (never valid for stored items) is always processed.
func (c *Client) markSeen(stream, id uint64) bool {
	if id == 0 {
		return true
	}
	s := c.lp.sync.seen[stream]
	if s == nil {
		s = &seenIDs{}
		c.lp.sync.seen[stream] = s
	}
	if !s.add(id) {
		return false
	}
	c.ls.markSeen(stream)
	return true
}

// pageEvents coalesces the unread and conversation-list events of one page
// (a sync page or a history page, up to 50 messages from the reference
// server): while its metas are applied, each conversation gets one
// UnreadChanged and the list one RecentListUpdated, emitted after the
// page's message events, when the caches hold the state the whole page
// left. Message events stay one per message, in order. A 10,000-message
// offline sync thus raises some 200 of each instead of 10,000, and an
// application that re-renders its conversation list on recentlistUpdate
// does so once per page. A page of one live message emits what it did
// before: the message, then its unread and list events. Owned by the engine
// goroutine, like the rest of loopState.
type pageEvents struct {
	on     bool
	convs  []uint64 // conversations whose unread count may have changed, first change first
	recent bool     // the conversation list changed
}

// emitUnread emits UnreadChanged for conv, or records it while a page is
// applied. Engine goroutine only.
func (c *Client) emitUnread(conv uint64) {
	p := &c.lp.page
	if !p.on {
		c.emit(UnreadChanged{ConversationID: conv})
		return
	}
	if !slices.Contains(p.convs, conv) {
		p.convs = append(p.convs, conv)
	}
}

// emitRecent emits RecentListUpdated, or records it while a page is
// applied. Engine goroutine only.
func (c *Client) emitRecent() {
	if c.lp.page.on {
		c.lp.page.recent = true
		return
	}
	c.emit(RecentListUpdated{})
}

// beginPage starts coalescing; endPage emits what the page changed.
func (c *Client) beginPage() { c.lp.page.on = true }

func (c *Client) endPage() {
	p := &c.lp.page
	p.on = false
	for _, conv := range p.convs {
		c.emit(UnreadChanged{ConversationID: conv})
	}
	p.convs = p.convs[:0]
	if p.recent {
		p.recent = false
		c.emit(RecentListUpdated{})
	}
}

// onUnread handles an UnreadDL: one SYNC per stream with pending items,
// all sent at once (no per-second throttle), and the conversation list
// entries of PROTOCOL.md §6.2.
func (c *Client) onUnread(dl *xsync.UnreadDL) {
	if e := statusError(dl.Status, StatusOther); e != nil {
		c.onSessionStatus(e)
		return
	}
	listChanged := false
	for _, u := range dl.Unread {
		uid := xidUID(u.Xid)
		if uid == 0 {
			continue
		}
		if u.N > 0 {
			c.startSync(uid)
		}
		// The official clients (re)insert every GROUPCHAT entry and every
		// CHAT entry with n = 0 at the top, in list order; the others move
		// when their messages arrive.
		switch {
		case u.Type == xsync.ConvGroupChat:
			c.lp.groups[uid] = true
			c.convs.touch(uid, ToGroup, nil)
			listChanged = true
		case u.Type == xsync.ConvChat && u.N == 0:
			c.convs.touch(uid, ToRoster, nil)
			listChanged = true
		}
	}
	if listChanged {
		c.emit(RecentListUpdated{})
	}
}

// startSync begins a SYNC exchange for stream uid, or marks the stream dirty
// when one is already in flight.
func (c *Client) startSync(uid uint64) {
	st := c.lp.sync.streams[uid]
	if st == nil {
		st = &streamState{}
		c.lp.sync.streams[uid] = st
	}
	if st.inFlight {
		st.dirty = true
		return
	}
	st.inFlight = true
	c.writeFrame(xsync.NewSyncFrame(&xsync.SyncUL{Xid: &xsync.XID{Uid: uid}}).Marshal())
}

// onNotice: the stream has new data (PROTOCOL.md §6.4).
func (c *Client) onNotice(n *xsync.Notice) {
	if uid := xidUID(n.Xid); uid != 0 {
		c.startSync(uid)
	}
}

// onSyncDL routes a SyncDL: send results, history pages and sync data are
// told apart by client_mid and is_full_sync (PROTOCOL.md §7.3).
func (c *Client) onSyncDL(dl *xsync.SyncDL) {
	switch {
	case dl.ClientMid > 0 && !dl.IsFullSync:
		c.onSendResult(dl)
	case dl.IsFullSync:
		c.onHistoryPage(dl)
	default:
		c.onSyncData(dl)
	}
}

func (c *Client) onSyncData(dl *xsync.SyncDL) {
	lp := &c.lp
	stream := xidUID(dl.Xid)
	st := lp.sync.streams[stream]
	if e := statusError(dl.Status, StatusOther); e != nil {
		if st != nil {
			st.inFlight, st.dirty = false, false
		}
		c.onSessionStatus(e)
		return
	}
	gen := lp.gen
	c.beginPage()
	for _, m := range dl.Metas {
		if m == nil || !c.markSeen(stream, m.Id) {
			continue
		}
		c.handleMeta(stream, m, false)
		if lp.gen != gen || lp.phase != phaseOnline {
			c.endPage()
			return // a meta ended the connection or the session (kick)
		}
	}
	c.endPage()
	if dl.NextKey != 0 {
		// Asking for the next page is also the acknowledgement of this
		// one (PROTOCOL.md §6.3), so it goes out after processing.
		if st == nil {
			st = &streamState{}
			lp.sync.streams[stream] = st
		}
		st.inFlight = true
		c.writeFrame(xsync.NewSyncFrame(&xsync.SyncUL{Xid: &xsync.XID{Uid: stream}, Key: dl.NextKey}).Marshal())
		return
	}
	if st != nil {
		st.inFlight = false
		if st.dirty {
			st.dirty = false
			c.startSync(stream)
		}
	}
}

// statusError maps a reply status; nil and OK are success.
func statusError(s *xsync.Status, ctx StatusContext) *Error {
	if s == nil {
		return nil
	}
	return FromStatus(uint32(s.Code), s.Reason, ctx)
}

// onSessionStatus handles a non-OK status of an UnreadDL or sync reply
// (ERRORS.md §6.2): INVALID_TOKEN is recoverable with credentials, "you must
// login first" means the server lost the session, anything else is logged
// and reported.
func (c *Client) onSessionStatus(e *Error) {
	lp := &c.lp
	s := lp.sess
	switch {
	case e.Code == InvalidToken:
		c.emit(FlooNotice{Category: NoticeCategoryAction, Desc: NoticeRelogin})
		if s == nil || s.creds == nil {
			c.forgetToken()
			c.failSession(e, "")
			return
		}
		c.teardownConn(1000, "new token")
		s.token = ""
		c.rest.setToken("")
		c.forgetToken()
		c.startPrepare()
	case e.Code == UserNotLogin:
		c.emit(FlooNotice{Category: NoticeCategoryAction, Desc: NoticeRelogin})
		c.teardownConn(1000, "re-provision")
		lp.attempt = 1
		c.scheduleRetry(-1, e)
	default:
		c.log.warn("sync: server status: " + e.Error())
		if cat := e.FlooErrorCategory(); cat != "" {
			c.emit(FlooError{Category: cat, Desc: e.Message, Err: e})
		}
		c.emit(SessionError{Err: e})
	}
}

// handleMeta applies one downlink meta and returns the chat message it
// carried, if any.
func (c *Client) handleMeta(stream uint64, m *xsync.Meta, history bool) (Message, bool) {
	switch m.Ns {
	case xsync.NSMessage:
		body, err := m.MessageBody()
		if err != nil {
			c.log.warn("sync: bad message body in meta " + strconv.FormatUint(m.Id, 10) + ": " + err.Error())
			return Message{}, false
		}
		if body.Type == xsync.MsgOper {
			if !history {
				c.applyRemoteOp(stream, m, body)
			}
			return Message{}, false
		}
		return c.onChatMessage(m, body, history)
	case xsync.NSGroupNotice:
		if n, err := m.GroupNotice(); err == nil {
			c.onGroupNotice(m, n)
		}
	case xsync.NSRosterNotice:
		if n, err := m.RosterNotice(); err == nil {
			c.onRosterNotice(m, n)
		}
	case xsync.NSUserNotice:
		if n, err := m.UserNotice(); err == nil {
			c.onUserNotice(n)
		}
	case xsync.NSConversation:
		if cv, err := m.Conversation(); err == nil && cv.Operation != nil {
			c.onConversationDeleted(xidUID(cv.Operation.Xid), ConversationDeletedByOtherOperation)
		}
	case xsync.NSRtcSignal:
		if r, err := m.RtcSignal(); err == nil {
			c.emit(RTCSignal{ID: m.Id, From: xidUID(m.From), To: xidUID(m.To), Content: r.Content, MediaServer: r.MediaServer})
		}
	default:
		// PUSH, INFO and namespaces newer than this version are ignored
		// (PROTOCOL.md §6.6).
	}
	return Message{}, false
}

// onChatMessage stores a received chat message and emits its events.
func (c *Client) onChatMessage(meta *xsync.Meta, body *xsync.MessageBody, history bool) (Message, bool) {
	self := c.selfUID()
	msg := messageFromBody(meta, body)
	msg.IsHistory = history
	if body.Type == xsync.MsgChat && isTypingExt(msg.Ext) {
		// Typing indicators are not stored (PROTOCOL.md §11).
		if msg.From != self && !history {
			c.emit(InputStatus{Ext: msg.Ext, From: msg.From, To: msg.To})
		}
		return Message{}, false
	}
	if msg.ToType == ToGroup {
		c.lp.groups[msg.To] = true
	}
	conv := msg.ConversationID(self)
	c.deliverMessage(conv, msg, history)
	return msg, true
}

// deliverMessage stores msg (unless it is a command or forward message,
// which are delivered but not kept, JSAPI.md §10), updates the
// conversation list for live messages and emits the message events.
//
// The unread count follows the stored messages, history pages included:
// a history page may show a message as read that was counted (read on
// another device, which sends READ_ALL only for whole conversations), or
// an unread one that sync has not delivered (PROTOCOL.md §9.5).
func (c *Client) deliverMessage(conv uint64, msg Message, history bool) {
	self := c.selfUID()
	unreadChanged := false
	if msg.Type != TypeCommand && msg.Type != TypeForward {
		c.cache.Put(conv, msg)
		unreadChanged = c.unread.set(conv, msg.ID, msg.countsUnread(self))
	}
	mention := msg.ToType == ToGroup && msg.From != self && configMentions(msg.Config, self)
	if !history {
		c.convs.touch(conv, msg.ToType, func(e *ConversationEntry) {
			e.Content = summary(&msg)
			e.Ext = msg.Ext
			e.Timestamp = msg.Timestamp
			if mention {
				e.HasAt = true
			}
		})
	}
	switch {
	case msg.ToType == ToGroup:
		c.emit(GroupMessage{Message: msg})
	case msg.Type == TypeRTC:
		c.emit(RosterRTCMessage{Message: msg})
	default:
		c.emit(RosterMessage{Message: msg})
	}
	if mention {
		c.emit(MentionMessage{Message: msg})
	}
	if !history || unreadChanged {
		c.emitUnread(conv)
	}
	if !history {
		c.emitRecent()
	}
}

// selfUID returns the uid of the session, 0 when none.
func (c *Client) selfUID() uint64 {
	if s := c.lp.sess; s != nil {
		return s.uid
	}
	return 0
}

// noticeMetaOf converts a notice meta for the events.
func noticeMetaOf(m *xsync.Meta, p NoticePayload) NoticeMeta {
	return NoticeMeta{ID: m.Id, From: xidOf(m.From), To: xidOf(m.To), Timestamp: m.Timestamp, NS: int32(m.Ns), Payload: p}
}

// groupNoticeEvents names the event of each group notice type; an array
// indexed by the enum, not a map: a map literal compiles to initialization
// code, an array to data.
var groupNoticeEvents = [...]string{
	xsync.GroupNoticeCreated:             EventGroupCreated,
	xsync.GroupNoticeDestroyed:           EventGroupDestroyed,
	xsync.GroupNoticeJoined:              EventGroupJoined,
	xsync.GroupNoticeLeaved:              EventGroupLeft,
	xsync.GroupNoticeApplyAccepted:       EventGroupApplyAccepted,
	xsync.GroupNoticeApplyDeclined:       EventGroupApplyDeclined,
	xsync.GroupNoticeInvited:             EventGroupNotice,
	xsync.GroupNoticeInviteAccepted:      EventGroupInvitedAccepted,
	xsync.GroupNoticeInviteDeclined:      EventGroupInvitedDeclined,
	xsync.GroupNoticeKicked:              EventGroupKicked,
	xsync.GroupNoticeUnblocked:           EventGroupUnblocked,
	xsync.GroupNoticeOwnerAssigned:       EventGroupOwnerAssigned,
	xsync.GroupNoticeAdminGranted:        EventGroupAdminGranted,
	xsync.GroupNoticeAdminRevoked:        EventGroupAdminRevoked,
	xsync.GroupNoticeMuted:               EventGroupMuted,
	xsync.GroupNoticeUnmuted:             EventGroupUnmuted,
	xsync.GroupNoticeAnnouncementUpdated: EventGroupAnnouncementUpdated,
}

func containsUID(xs []*xsync.XID, uid uint64) bool {
	for _, x := range xs {
		if x != nil && x.Uid == uid {
			return true
		}
	}
	return false
}

func uidsOf(xs []*xsync.XID) []uint64 {
	out := make([]uint64, 0, len(xs))
	for _, x := range xs {
		if x != nil {
			out = append(out, x.Uid)
		}
	}
	return out
}

// onGroupNotice keeps the joined-group set (needed to resolve the
// conversation of operations, PROTOCOL.md §9.2) and emits the group events
// of PROTOCOL.md §13.1. Caches of group details belong to the managers.
func (c *Client) onGroupNotice(m *xsync.Meta, n *xsync.GroupNotice) {
	lp := &c.lp
	self := c.selfUID()
	gid := xidUID(n.Gid)
	nm := noticeMetaOf(m, NoticePayload{Type: int32(n.Type), Gid: xidOf(n.Gid), From: xidOf(n.From), To: xidsOf(n.To), Content: n.Content})
	fromSelf := xidUID(n.From) == self
	toSelf := containsUID(n.To, self)
	// The managers' caches first, so handlers of the events below read
	// updated data.
	c.applyGroupNotice(nm)
	switch n.Type {
	case xsync.GroupNoticeCreated:
		lp.groups[gid] = true
		c.emit(GroupListUpdated{Notice: &nm})
	case xsync.GroupNoticeDestroyed:
		c.removeGroup(gid, &nm)
	case xsync.GroupNoticeJoined, xsync.GroupNoticeInviteAccepted:
		if fromSelf {
			lp.groups[gid] = true
			c.emit(GroupListUpdated{Notice: &nm})
		} else {
			c.emit(GroupMemberChanged{GroupID: gid})
		}
	case xsync.GroupNoticeApplyAccepted:
		if toSelf {
			lp.groups[gid] = true
			c.emit(GroupListUpdated{Notice: &nm})
		} else {
			c.emit(GroupMemberChanged{GroupID: gid})
		}
	case xsync.GroupNoticeLeaved:
		if fromSelf {
			c.removeGroup(gid, &nm)
		} else {
			c.emit(GroupMemberChanged{GroupID: gid})
		}
	case xsync.GroupNoticeKicked, xsync.GroupNoticeBlocked:
		if toSelf {
			c.removeGroup(gid, &nm)
		} else {
			c.emit(GroupMemberChanged{GroupID: gid})
		}
	case xsync.GroupNoticeOwnerAssigned, xsync.GroupNoticeAdminGranted, xsync.GroupNoticeAdminRevoked:
		c.emit(GroupMemberChanged{GroupID: gid})
	case xsync.GroupNoticeBanned:
		c.emit(GroupBanned{GroupID: gid, ToUIDs: uidsOf(n.To), Content: n.Content})
	case xsync.GroupNoticeUnbanned:
		c.emit(GroupUnbanned{GroupID: gid, ToUIDs: uidsOf(n.To)})
	case xsync.GroupNoticeInfoUpdated:
		c.emit(GroupListUpdated{Notice: &nm})
		if v, err := jsonv.ParseString(n.Content); err == nil {
			if p, _ := v.Get("property").Str(); p == "ban_expire_time" {
				if t, ok := v.Get("ban_expire_time").AsInt64(); ok {
					switch t {
					case -1:
						c.emit(GroupBanned{GroupID: gid, All: true})
					case 0:
						c.emit(GroupUnbanned{GroupID: gid, All: true})
					}
				}
			}
		}
	case xsync.GroupNoticeApplyed, xsync.GroupNoticeInvited:
		c.notices.add(nm)
	}
	if name := enumName(groupNoticeEvents[:], n.Type); name != "" {
		c.emit(GroupNotice{Name: name, Notice: nm})
	}
}

// removeGroup forgets a group the user left or lost: its messages and list
// entry go (PROTOCOL.md §13.1).
func (c *Client) removeGroup(gid uint64, nm *NoticeMeta) {
	delete(c.lp.groups, gid)
	c.cache.DeleteConversation(gid)
	if c.unread.clear(gid) {
		c.emitUnread(gid)
	}
	if c.convs.remove(gid) {
		c.emitRecent()
	}
	c.emit(GroupListUpdated{Notice: nm})
}

// rosterNoticeEvents names the event of each roster notice type (an array
// for the reason given at groupNoticeEvents).
var rosterNoticeEvents = [...]string{
	xsync.RosterNoticeApplied:  EventRosterApplied,
	xsync.RosterNoticeAccepted: EventRosterAccepted,
	xsync.RosterNoticeDeclined: EventRosterDeclined,
	xsync.RosterNoticeRemoved:  EventRosterRemoved,
}

// onRosterNotice emits the roster events of PROTOCOL.md §13.2.
func (c *Client) onRosterNotice(m *xsync.Meta, n *xsync.RosterNotice) {
	self := c.selfUID()
	nm := noticeMetaOf(m, NoticePayload{Type: int32(n.Type), From: xidOf(n.From), To: xidsOf(n.To), Content: n.Content, RosterVsn: n.RosterVsn})
	c.applyRosterNotice(nm)
	switch n.Type {
	case xsync.RosterNoticeAdded, xsync.RosterNoticeAccepted:
		c.emit(RosterListUpdated{Notice: &nm})
	case xsync.RosterNoticeRemoved:
		if xidUID(n.From) == self && len(n.To) > 0 && n.To[0] != nil {
			peer := n.To[0].Uid
			c.cache.DeleteConversation(peer)
			if c.unread.clear(peer) {
				c.emitUnread(peer)
			}
			if c.convs.remove(peer) {
				c.emitRecent()
			}
		}
		c.emit(RosterListUpdated{Notice: &nm})
	case xsync.RosterNoticeInfoUpdated:
		uid := xidUID(n.From)
		if uid == self && len(n.To) > 0 && n.To[0] != nil {
			uid = n.To[0].Uid
		}
		c.emit(RosterInfoUpdated{UIDs: []uint64{uid}})
		c.emit(RosterListUpdated{Notice: &nm})
	case xsync.RosterNoticeApplied, xsync.RosterNoticeDeclined:
		c.notices.add(nm)
	}
	if name := enumName(rosterNoticeEvents[:], n.Type); name != "" {
		c.emit(RosterNotice{Name: name, Notice: nm})
	}
}

// onConversationDeleted applies a conversation delete (PROTOCOL.md §10).
func (c *Client) onConversationDeleted(conv uint64, source string) {
	if conv == 0 {
		return
	}
	c.cache.DeleteConversation(conv)
	c.unread.clear(conv)
	c.convs.remove(conv)
	c.emit(FlooNotice{Category: NoticeCategoryConversationDeleted, ConversationID: conv, Source: source})
	c.emitUnread(conv)
	c.emitRecent()
}

// enumName returns names[v], or "" when v is outside the table.
func enumName[E ~int32](names []string, v E) string {
	if v < 0 || int(v) >= len(names) {
		return ""
	}
	return names[v]
}
