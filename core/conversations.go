package core

import "sync"

// ConversationEntry is one item of the local conversation list (JSAPI.md
// §12). The list is kept on the client only, filled from received messages
// and from UNREAD entries (PROTOCOL.md §6.2).
type ConversationEntry struct {
	_              noCompare
	Type           string // ToRoster or ToGroup
	ID             uint64 // peer uid or gid
	Content        string // last message text, or its type name for non-text messages
	Ext            string // last message's ext
	Timestamp      uint64 // last activity, ms; 0 for entries created from UNREAD
	HasAt          bool   // a mention of the local user arrived since ConsumeMention
	Draft          string
	DraftTimestamp uint64
	Unread         int // unread count (Client.UnreadCount) when listed
}

// convList is the conversation list, newest first. It has its own mutex
// because the application reads it synchronously while the engine updates
// it; no other lock is taken while mu is held.
type convList struct {
	mu      sync.Mutex
	entries []ConversationEntry // guarded by mu; newest first
	j       storeHooks          // the local store's journal, nil without one; marked with mu held (the journal reads the state later, under mu)
}

// index returns the position of id, or -1.
func (l *convList) index(id uint64) int {
	for i := range l.entries {
		if l.entries[i].ID == id {
			return i
		}
	}
	return -1
}

// touch moves (or adds) the conversation id to the top and lets fn update
// it.
func (l *convList) touch(id uint64, typ string, fn func(e *ConversationEntry)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.j != nil {
		l.j.markConv(id)
	}
	var e ConversationEntry
	if i := l.index(id); i >= 0 {
		e = l.entries[i]
		copy(l.entries[1:i+1], l.entries[:i])
	} else {
		e = ConversationEntry{ID: id, Type: typ}
		l.entries = append(l.entries, ConversationEntry{})
		copy(l.entries[1:], l.entries[:len(l.entries)-1])
	}
	if typ != "" {
		e.Type = typ
	}
	if fn != nil {
		fn(&e)
	}
	l.entries[0] = e
}

// update changes the entry id in place, without moving it; it reports
// whether the entry exists.
func (l *convList) update(id uint64, fn func(e *ConversationEntry)) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.j != nil {
		l.j.markConv(id)
	}
	i := l.index(id)
	if i < 0 {
		return false
	}
	fn(&l.entries[i])
	return true
}

// remove deletes the entry id and reports whether it existed.
func (l *convList) remove(id uint64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.j != nil {
		l.j.markConv(id)
	}
	i := l.index(id)
	if i < 0 {
		return false
	}
	l.entries = append(l.entries[:i], l.entries[i+1:]...)
	return true
}

func (l *convList) get(id uint64) (ConversationEntry, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := l.index(id); i >= 0 {
		return l.entries[i], true
	}
	return ConversationEntry{}, false
}

func (l *convList) list() []ConversationEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]ConversationEntry, len(l.entries))
	copy(out, l.entries)
	return out
}

func (l *convList) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
}

// summary returns the list text of a message: its content for text, its
// type name otherwise (JSAPI.md §12).
func summary(m *Message) string {
	if m.Type == TypeText || m.Type == "" {
		return m.Content
	}
	return m.Type
}

// Messages returns the stored messages of conversation conv (peer uid or
// gid), oldest first (getRosterMessageByRid, getGruopMessage).
func (c *Client) Messages(conv uint64) []Message { return c.cache.List(conv) }

// Message returns stored message mid of conversation conv.
func (c *Client) Message(conv, mid uint64) (Message, bool) { return c.cache.Get(conv, mid) }

// UnreadCount returns the local unread count of conversation conv: the
// messages received (not sent by the user), not read, and not call control
// (PROTOCOL.md §9.5). It is kept apart from the message cache, so it counts
// every such message delivered since login, not just the newest ones the
// cache keeps; ReadAll, READ_ALL from the user's other devices, read acks,
// recalls and deletes lower it, READ_CANCEL raises it (unread.go).
func (c *Client) UnreadCount(conv uint64) int { return c.unread.count(conv) }

// Conversations returns the conversation list, newest first, with unread
// counts (getConversationList).
func (c *Client) Conversations() []ConversationEntry {
	list := c.convs.list()
	for i := range list {
		list[i].Unread = c.UnreadCount(list[i].ID)
	}
	return list
}

// Conversation returns the list entry of conv.
func (c *Client) Conversation(conv uint64) (ConversationEntry, bool) {
	e, ok := c.convs.get(conv)
	if ok {
		e.Unread = c.UnreadCount(conv)
	}
	return e, ok
}

// SaveDraft stores a draft on the list entry of conv, creating the entry
// when needed (saveConversationDraft). typ is ToRoster or ToGroup.
func (c *Client) SaveDraft(conv uint64, typ, draft string, timestamp uint64) {
	if !c.convs.update(conv, func(e *ConversationEntry) { e.Draft, e.DraftTimestamp = draft, timestamp }) {
		c.convs.touch(conv, typ, func(e *ConversationEntry) { e.Draft, e.DraftTimestamp = draft, timestamp })
	}
	c.emit(RecentListUpdated{})
}

// Draft returns the draft of conv (getConversationDraft).
func (c *Client) Draft(conv uint64) string {
	e, _ := c.convs.get(conv)
	return e.Draft
}

// TouchConversation moves (or adds) conv to the top of the list
// (touchConversation). A zero timestamp keeps the entry's own.
func (c *Client) TouchConversation(conv uint64, typ string, timestamp uint64) {
	c.convs.touch(conv, typ, func(e *ConversationEntry) {
		if timestamp != 0 {
			e.Timestamp = timestamp
		}
	})
	c.emit(RecentListUpdated{})
}

// ConsumeMention clears the "mentioned" flag of a group conversation
// (consumeGroupAtStatus).
func (c *Client) ConsumeMention(gid uint64) {
	if c.convs.update(gid, func(e *ConversationEntry) { e.HasAt = false }) {
		c.emit(RecentListUpdated{})
	}
}

// MarkMessageUnreadLocal marks a stored message unread locally only, with
// no server operation (markMessageUnread); it returns the changed message.
func (c *Client) MarkMessageUnreadLocal(conv, mid uint64) (Message, bool) {
	m, ok := c.cache.Update(conv, mid, func(m *Message) bool {
		m.Status = MessageUnread
		return true
	})
	if ok {
		c.unread.set(conv, mid, m.countsUnread(c.UID()))
		c.emit(UnreadChanged{ConversationID: conv})
	}
	return m, ok
}
