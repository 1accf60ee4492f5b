package core

import "sync"

// maxStoredNotices bounds the pending notices kept for Notices, as the
// official getNoticeMessage does (JSAPI.md §7).
const maxStoredNotices = 50

// noticeStore keeps the roster and group notices that await the user
// (applications, invitations, declines), newest last. It has its own
// mutex; no other lock is taken while it is held.
type noticeStore struct {
	mu    sync.Mutex
	items []NoticeMeta // guarded by mu
}

func (s *noticeStore) add(n NoticeMeta) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = append(s.items, n)
	if over := len(s.items) - maxStoredNotices; over > 0 {
		s.items = append(s.items[:0], s.items[over:]...)
	}
}

func (s *noticeStore) list() []NoticeMeta {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]NoticeMeta(nil), s.items...)
}

func (s *noticeStore) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = nil
}

// Notices returns the stored roster and group notices awaiting the user
// (applications, invitations, declines), at most 50, oldest first
// (getNoticeMessage).
func (c *Client) Notices() []NoticeMeta { return c.notices.list() }
