package fireplace

import "github.com/flooim/floo/xsync"

// Telling a connection about new entries (PROTOCOL.md §6.3, §6.4, §18.5).
//
// By default the server sends Notice{xid} and the client pulls the page:
// a round trip and the reader's turn before the first byte of the message
// leaves. A connection in raw WebSocket mode instead gets the page itself
// when its stream is idle on it (no page being built, no exchange open: the
// last page sent ended it with next_key 0, or none was sent): the server
// builds it as for a SyncUL{xid, key: 0} and sends it unasked, as §6.3
// allows ("clients MUST process every SyncDL on its own content"). The
// page carries next_key like any other, so the client's next SyncUL
// acknowledges it and ends the exchange, and nothing changes for the
// cursors: what is confirmed is still what the device processed.
//
// While an exchange is open (the last page sent carried next_key ≠ 0), a
// new entry needs neither a Notice nor a push: the client asks again, and
// that pull reads past the entry. While a page is being built, the entry
// may be in it or not; when the page ends the exchange and entries were
// signalled during its build, the stream is treated as idle again right
// away (endPage). A push is queued like a frame and built by the writer
// when it comes to it, so no goroutine stands between the commit and the
// socket; a page that could not be built falls back to a Notice.
//
// The project SDK (core/sync.go) handles an unasked page whatever its
// state: it processes the metas (deduplicated by id), asks for next_key,
// and a SyncUL of its own that crossed the page is answered by a page that
// starts after it. The official clients treat a SyncDL on its content too
// (§6.4: an exchange ends on next_key = 0, however it began), but their
// web client's socket.io mode keeps Notices, and Config.NoPush turns pushes
// off for every connection (floo-server -push-pages=false).

// streamSync is what a connection knows about the exchanges of one stream.
// Guarded by conn.mu.
type streamSync struct {
	// signals counts the entries signalled for the stream (notice).
	signals uint64
	// snap is signals when the last page built began.
	snap uint64
	// pages counts the pages begun; a push finds out with it whether a
	// page was built since it was decided.
	pages uint64
	// building counts the pages being built, pushes queued included.
	building int
	// open: the last page queued carried next_key ≠ 0, so the client asks
	// again.
	open bool
	// settledAt is the watermark at which a read of the stream found
	// nothing more while signals was settledSignals; -1 when unknown.
	settledAt      int64
	settledSignals uint64
}

// pushJob is a push decided for stream and queued for the writer, which
// builds the page when it comes to it (writeLoop): the page is read and
// written without a goroutine of its own between the commit and the
// socket. pages is the stream's page count when it was decided.
type pushJob struct {
	stream int64
	st     *streamSync
	pages  uint64
}

// syncOf returns the state of stream, creating it. c.mu must be held.
func (c *conn) syncOf(stream int64) *streamSync {
	st := c.syncs[stream]
	if st == nil {
		if c.syncs == nil {
			c.syncs = map[int64]*streamSync{}
		}
		st = &streamSync{settledAt: -1}
		c.syncs[stream] = st
	}
	return st
}

// beginPage starts building a page of stream: it returns the stream's
// state, its signal count now (before the store is read) and the
// watermark at which the stream is known to hold nothing more, or -1. A
// push passes its job; skip is true when a page of the stream was built
// since the push was decided: that page began after the entries the push
// was for were signalled, so it carried them, and the push is dropped.
func (c *conn) beginPage(stream int64, job *pushJob) (st *streamSync, signals uint64, settled int64, skip bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if job != nil {
		st = job.st
		if st.pages != job.pages {
			return st, 0, -1, true
		}
	} else {
		st = c.syncOf(stream)
		st.building++
	}
	st.pages++
	settled = -1
	if st.settledAt >= 0 && st.settledSignals == st.signals {
		settled = st.settledAt
	}
	return st, st.signals, settled, false
}

// settle records that a read begun at signals found nothing after wm.
func (c *conn) settle(st *streamSync, signals uint64, wm int64) {
	c.mu.Lock()
	st.settledAt, st.settledSignals = wm, signals
	c.mu.Unlock()
}

// endPage ends the build begun at signals (skipped: a push dropped by
// beginPage): sent says whether a page was queued or handed to the writer,
// and open whether it carried next_key ≠ 0; failed, that it could not be
// built. An entry signalled since the last page began that it may have
// missed, or a push that failed, is told to the client now.
func (c *conn) endPage(stream int64, st *streamSync, signals uint64, sent, open, failed, skipped bool) {
	c.mu.Lock()
	st.building--
	if !skipped {
		st.snap = signals
	}
	if sent {
		st.open = open
	}
	notice := false
	switch {
	case c.uid == 0 || c.closing || c.syncs[stream] != st:
		// Closed, or a new session: its own state decides.
	case failed && !sent:
		notice = c.markNoticed(stream)
	case st.building == 0 && !st.open && st.signals != st.snap:
		notice = c.idle(stream, st)
	}
	c.mu.Unlock()
	if notice {
		c.queueNotice(stream)
	}
}

// notice tells the connection that stream has a new entry (or transient
// item): a push or a Notice when the stream is idle on it, nothing more
// while a page is being built or an exchange is open (see above). Without
// pushes, a Notice unless one is outstanding (§18.5).
func (c *conn) notice(stream int64) {
	c.mu.Lock()
	if c.uid == 0 || c.closing {
		c.mu.Unlock()
		return
	}
	st := c.syncOf(stream)
	st.signals++
	notice := false
	switch {
	case c.noticed[stream]:
	case !c.pushPages:
		notice = c.markNoticed(stream)
	case st.building == 0 && !st.open:
		notice = c.idle(stream, st)
	}
	c.mu.Unlock()
	if notice {
		c.queueNotice(stream)
	}
}

// idle delivers a new entry of an idle stream: it queues a push for the
// writer, or, when the write queue already holds more than a little,
// marks a Notice and reports that one must be queued. c.mu must be held.
func (c *conn) idle(stream int64, st *streamSync) (notice bool) {
	if c.noticed[stream] {
		return false
	}
	if !c.pushPages || !c.queuePush(pushJob{stream: stream, st: st, pages: st.pages}) {
		return c.markNoticed(stream)
	}
	st.building++
	return false
}

// queuePush queues j for the writer (an empty frame in the queue stands
// for the next job) and reports true, or reports false when the queue
// already holds more than a little: a client that does not keep up gets
// Notices, which cost its queue almost nothing.
func (c *conn) queuePush(j pushJob) bool {
	c.qmu.Lock()
	light := c.qframes < 8 && c.qbytes < c.g.cfg.QueueBytes/16
	if light {
		c.queue = append(c.queue, nil)
		c.jobs = append(c.jobs, j)
		c.qframes++
	}
	c.qmu.Unlock()
	if light {
		select {
		case c.signal <- struct{}{}:
		default:
		}
	}
	return light
}

// markNoticed records an outstanding Notice for stream and reports whether
// one must be queued. c.mu must be held.
func (c *conn) markNoticed(stream int64) bool {
	if c.noticed[stream] {
		return false
	}
	c.noticed[stream] = true
	return true
}

// queueNotice queues Notice{stream}.
func (c *conn) queueNotice(stream int64) {
	c.push(xsync.CommandNotice, &xsync.Notice{Xid: &xsync.XID{Uid: uint64(stream)}})
}

// clearNotice forgets the outstanding Notice of stream: the client is
// pulling it now.
func (c *conn) clearNotice(stream int64) {
	c.mu.Lock()
	delete(c.noticed, stream)
	c.mu.Unlock()
}
