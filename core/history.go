package core

import (
	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

// maxHistoryPage caps a history page; the reference server caps at 100 too
// (PROTOCOL.md §6.5).
const maxHistoryPage = 100

// HistoryPage is one page of a conversation's history, oldest first.
type HistoryPage struct {
	Messages []Message
	// Next is the id to pass as beforeID for the next older page, 0 when
	// there is nothing older.
	Next uint64
}

// historyState holds the history queries waiting for their page. Replies
// carry no request id: they are matched by conversation, in order
// (PROTOCOL.md §3.3), so each conversation has a FIFO.
type historyState struct {
	pending map[uint64][]*historyReq
}

func (h *historyState) init() { h.pending = make(map[uint64][]*historyReq) }

type historyReq struct {
	conv, before uint64
	n            int32
	done         chan historyResult // capacity 1
	deadline     *task
}

type historyResult struct {
	page HistoryPage
	err  error
}

// History requests the page of conversation conv (peer uid or gid) older
// than message beforeID (0 = the newest), n messages (n <= 0 means
// Config.HistoryPageSize). The messages are also stored in the cache and
// delivered as message events with IsHistory set, followed by a
// HistoryReceived event, as the official requireHistoryMessage does.
//
// A query made while disconnected is sent after the next login; once sent
// it fails with ServerTimeOut after Config.RequestTimeout without a reply.
func (c *Client) History(ctx lite.Context, conv, beforeID uint64, n int) (HistoryPage, error) {
	if conv == 0 {
		return HistoryPage{}, ClientError("history: conversation id is required")
	}
	if n <= 0 {
		n = c.cfg.HistoryPageSize
	}
	if n > maxHistoryPage {
		n = maxHistoryPage
	}
	req := &historyReq{conv: conv, before: beforeID, n: int32(n), done: make(chan historyResult, 1)}
	c.post(func() { c.startHistory(req) })
	r, err := waitResult(c, ctx, req.done)
	if err != nil {
		c.post(func() { c.dropHistory(req) })
		return HistoryPage{}, err
	}
	return r.page, r.err
}

func (c *Client) startHistory(req *historyReq) {
	lp := &c.lp
	if lp.sess == nil {
		req.done <- historyResult{err: NewError(UserNotLogin, "not logged in")}
		return
	}
	lp.history.pending[req.conv] = append(lp.history.pending[req.conv], req)
	if lp.phase == phaseOnline {
		c.sendHistory(req)
	}
}

func (c *Client) sendHistory(req *historyReq) {
	lp := &c.lp
	ul := &xsync.SyncUL{Xid: &xsync.XID{Uid: req.conv}, Key: req.before, IsFullSync: true, FullSyncNum: req.n}
	c.writeFrame(xsync.NewSyncFrame(ul).Marshal())
	lp.sched.cancel(req.deadline)
	req.deadline = lp.sched.after(c.cfg.RequestTimeout, func() {
		req.deadline = nil
		if c.dropHistory(req) {
			e := NewError(ServerTimeOut, "no history reply in time")
			req.done <- historyResult{err: e}
		}
	})
}

// dropHistory removes req from the pending queries and reports whether it
// was there.
func (c *Client) dropHistory(req *historyReq) bool {
	lp := &c.lp
	q := lp.history.pending[req.conv]
	for i, r := range q {
		if r == req {
			lp.sched.cancel(req.deadline)
			req.deadline = nil
			q = append(q[:i], q[i+1:]...)
			if len(q) == 0 {
				delete(lp.history.pending, req.conv)
			} else {
				lp.history.pending[req.conv] = q
			}
			return true
		}
	}
	return false
}

// resendHistory sends the pending queries again on a new connection: the
// replies of the old one can no longer arrive.
func (c *Client) resendHistory() {
	for _, q := range c.lp.history.pending {
		for _, req := range q {
			c.sendHistory(req)
		}
	}
}

func (c *Client) failHistory(err error) {
	lp := &c.lp
	for conv, q := range lp.history.pending {
		for _, req := range q {
			lp.sched.cancel(req.deadline)
			req.done <- historyResult{err: err}
		}
		delete(lp.history.pending, conv)
	}
}

// onHistoryPage handles a history reply (PROTOCOL.md §6.5): metas come
// newest first and are processed oldest first.
func (c *Client) onHistoryPage(dl *xsync.SyncDL) {
	lp := &c.lp
	conv := xidUID(dl.Xid)
	q := lp.history.pending[conv]
	if len(q) == 0 {
		c.log.debug("history: unexpected page ignored")
		return
	}
	req := q[0]
	c.dropHistory(req)
	if e := statusError(dl.Status, StatusOther); e != nil {
		req.done <- historyResult{err: e}
		return
	}
	page := HistoryPage{Next: dl.NextKey, Messages: make([]Message, 0, len(dl.Metas))}
	c.beginPage()
	for i := len(dl.Metas) - 1; i >= 0; i-- {
		m := dl.Metas[i]
		if m == nil || m.Ns != xsync.NSMessage {
			continue
		}
		c.markSeen(conv, m.Id)
		if msg, ok := c.handleMeta(conv, m, true); ok {
			page.Messages = append(page.Messages, msg)
		}
	}
	c.endPage()
	c.emit(HistoryReceived{ConversationID: conv, Next: dl.NextKey})
	req.done <- historyResult{page: page}
}
