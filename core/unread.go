package core

import (
	"sort"
	"sync"
)

// maxTrackedUnread bounds the unread message ids remembered per
// conversation. Past it the oldest ids are forgotten but still counted
// (unreadSet.untracked), so a conversation with a huge backlog costs at most
// 80 KB and still reports its full count.
const maxTrackedUnread = 10000

// unreadTracker keeps the unread count of every conversation independently
// of the message cache, which holds only the newest messages of each
// conversation: after an offline burst of 1,000 messages the cache keeps
// 100 of them, but all 1,000 are unread (PROTOCOL.md §9.5, JSAPI.md §5
// getUnreadCount, §12).
//
// A message counts when it is received (not sent by the user, system
// messages from uid 0 included), its status is not READ, it is stored
// (command and forward messages are not) and it is not RTC call control.
// The tracker keeps the ids of those messages, not just a number, so that
// every change can be applied exactly once whatever order it comes in: a
// message delivered again by a history page, a READ_ACK of a message that
// left the cache, a READ_ALL up to some id, a recall.
//
// mu is a leaf lock: the engine updates the tracker and the application
// reads counts from any goroutine; no other lock is taken and no event is
// emitted while it is held.
type unreadTracker struct {
	mu    sync.Mutex
	convs map[uint64]*unreadSet // guarded by mu; conversation id -> unread ids
	j     storeHooks            // the local store's journal, nil without one; marked with mu held (the journal reads the state later, under mu)
}

// unreadSet is the unread state of one conversation.
type unreadSet struct {
	ids []uint64 // ascending ids of the unread messages still tracked
	// untracked counts unread messages whose ids were dropped to keep ids
	// within maxTrackedUnread; they are all older than floor.
	untracked int
	floor     uint64 // the largest dropped id; 0 when none was dropped
}

func (s *unreadSet) count() int { return len(s.ids) + s.untracked }

// set records whether message id of conv is unread and reports whether the
// count changed. Ids at or below the floor are no longer known one by one
// and are left alone, except by readUpTo.
func (t *unreadTracker) set(conv, id uint64, unread bool) bool {
	if conv == 0 || id == 0 {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.j != nil {
		t.j.markConv(conv)
	}
	s := t.convs[conv]
	if s == nil {
		if !unread {
			return false
		}
		if t.convs == nil {
			t.convs = make(map[uint64]*unreadSet)
		}
		s = &unreadSet{}
		t.convs[conv] = s
	}
	if id <= s.floor {
		return false
	}
	i := sort.Search(len(s.ids), func(i int) bool { return s.ids[i] >= id })
	found := i < len(s.ids) && s.ids[i] == id
	switch {
	case unread && !found:
		s.ids = append(s.ids, 0)
		copy(s.ids[i+1:], s.ids[i:])
		s.ids[i] = id
		if len(s.ids) > maxTrackedUnread {
			drop := len(s.ids) - maxTrackedUnread
			s.floor = s.ids[drop-1]
			s.untracked += drop
			s.ids = append(s.ids[:0], s.ids[drop:]...)
		}
		return true
	case !unread && found:
		s.ids = append(s.ids[:i], s.ids[i+1:]...)
		if s.count() == 0 {
			delete(t.convs, conv)
		}
		return true
	}
	return false
}

// readUpTo marks every unread message of conv up to id read (READ_ALL);
// id 0 means all of them. It reports whether the count changed.
func (t *unreadTracker) readUpTo(conv, id uint64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.j != nil {
		t.j.markConv(conv)
	}
	s := t.convs[conv]
	if s == nil {
		return false
	}
	before := s.count()
	if id == 0 {
		delete(t.convs, conv)
		return before > 0
	}
	if id >= s.floor {
		s.untracked = 0
	}
	n := sort.Search(len(s.ids), func(i int) bool { return s.ids[i] > id })
	s.ids = append(s.ids[:0], s.ids[n:]...)
	if s.count() == 0 {
		delete(t.convs, conv)
	}
	return s.count() != before
}

// clear forgets the unread messages of conv (conversation deleted, group
// left, friend removed) and reports whether there were any.
func (t *unreadTracker) clear(conv uint64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.j != nil {
		t.j.markConv(conv)
	}
	s := t.convs[conv]
	delete(t.convs, conv)
	return s != nil && s.count() > 0
}

// clearAll forgets everything (logout).
func (t *unreadTracker) clearAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.convs = nil
}

// count returns the unread count of conv.
func (t *unreadTracker) count(conv uint64) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.convs[conv]; s != nil {
		return s.count()
	}
	return 0
}

// maxID returns the newest unread id of conv, 0 when none is tracked.
func (t *unreadTracker) maxID(conv uint64) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.convs[conv]; s != nil {
		if n := len(s.ids); n > 0 {
			return s.ids[n-1]
		}
		return s.floor
	}
	return 0
}
