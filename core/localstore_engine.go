package core

import (
	"errors"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
)

// storeLink writes the engine's state through Config.LocalStore and reads
// it back at the start of a session (localstore.go says what is kept).
//
// Ownership: the in-memory structures stay the owners of the running
// state (the conversation list, the unread tracker, the message cache,
// the sync dedup and the outbox); the store is their durable copy, read
// once per session and written behind them. Nothing reads the store while
// a session runs.
//
// Writing: the structures mark what changed in a journal (a conversation,
// a message, a stream, an outbox item) as they change, from whichever
// goroutine changes them. The first mark after a flush posts one flush to
// the engine goroutine, which runs once the engine has finished what it
// was doing (a whole sync page, a burst of sends or events): the flush
// reads the current state of every marked key, builds one StoreBatch and
// hands it to the store goroutine, which applies it as one transaction.
// A message is therefore never written on its own on a hot path, and the
// engine never waits for the store.
//
// Reading: when the user of a session becomes known, the store goroutine
// loads the user's records; the engine then fills its structures (when they
// do not hold this user's data already), restores the outbox, fires
// recentlistUpdate and onUnreadChange, and only then dials: the first
// connection attempt waits for the load, so the application sees its
// conversation list, unread counts and last messages before sync corrects
// them.
//
// Locks: mu guards the journal; the conversation list and the unread
// tracker mark with their own mutex held (so a flush, which reads them
// after releasing mu, sees the change done), so mu nests inside theirs and
// never the other way round; while it is held only Client.postMu may be
// taken (posting the flush). jmu guards the job queue of the store
// goroutine and is a leaf lock.
type storeLink struct {
	c    *Client
	st   LocalStore
	raw  MessageCache // the message cache behind the journal, for loading
	keep int          // messages kept per conversation

	mu     sync.Mutex
	user   string                 // guarded by mu; namespace written to, "" when none
	posted bool                   // guarded by mu; a flush is posted
	convs  map[uint64]bool        // guarded by mu; list entries and unread sets to write
	msgs   map[storeKey]msgChange // guarded by mu; messages to write or delete
	drop   []uint64               // guarded by mu; conversations whose messages all go
	seen   map[uint64]bool        // guarded by mu; dedup streams to write
	out    map[uint64][]byte      // guarded by mu; outbox items (nil: delete)
	pre    bool                   // guarded by mu; the prefetched lists to write

	// Owned by the engine goroutine.
	off         bool   // a Load failed: memory only for the life of the Client
	seq         uint64 // the load in flight; older results are dropped
	loading     bool
	dialWaiting bool   // startDial waits for the load
	begun       uint64 // the session whose load was started
	loadedUID   uint64 // the user whose data the structures were filled with

	jmu     sync.Mutex
	jobs    []func()      // guarded by jmu; for the store goroutine, in order
	closing bool          // guarded by jmu; no more jobs after these
	wake    chan struct{} // capacity 1

	reported atomic.Bool // a failure was reported (once per Client)
}

// storeHooks is how the engine and its structures reach the storeLink:
// through an interface, so that without a store (noStore) none of the
// storeLink code is linked (see LocalStoreBase).
type storeHooks interface {
	markConv(conv uint64)
	markSeen(stream uint64)
	markPrefetch()
	putOut(cmid uint64) // by client_mid: *outItem in a signature would link xsync's String methods
	delOut(cmid uint64)
	keepsOutbox() bool
	begin(sid, uid uint64)
	holdDial() bool
	wipe(uid uint64)
	detach()
	close()
}

// noStore is the storeHooks of a Client without a local store.
type noStore struct{}

func (*noStore) markConv(uint64)      {}
func (*noStore) markSeen(uint64)      {}
func (*noStore) markPrefetch()        {}
func (*noStore) putOut(uint64)        {}
func (*noStore) delOut(uint64)        {}
func (*noStore) keepsOutbox() bool    { return false }
func (*noStore) begin(uint64, uint64) {}
func (*noStore) holdDial() bool       { return false }
func (*noStore) wipe(uint64)          {}
func (*noStore) detach()              {}
func (*noStore) close()               {}

type msgChange struct {
	m   Message
	del bool
}

// DefaultStoreMessages is the default of Config.StoreMessages.
const DefaultStoreMessages = 200

func newStoreLink(c *Client, st LocalStore, keep int) storeHooks {
	l := &storeLink{c: c, st: st, raw: c.cache, keep: keep, wake: make(chan struct{}, 1)}
	l.resetJournal()
	c.cache = journalCache{MessageCache: c.cache, l: l}
	c.convs.j = l
	c.unread.j = l
	c.wg.Add(1)
	go l.run()
	return l
}

// resetJournal forgets every mark. Called with mu held (or before use).
func (l *storeLink) resetJournal() {
	l.convs = map[uint64]bool{}
	l.msgs = map[storeKey]msgChange{}
	l.drop = nil
	l.seen = map[uint64]bool{}
	l.out = map[uint64][]byte{}
	l.pre = false
}

// mark runs fn on the journal and posts a flush when it is the first
// change since the last one. Marks are dropped while no user is attached.
func (l *storeLink) mark(fn func()) {
	if l == nil {
		return
	}
	l.mu.Lock()
	if l.user == "" {
		l.mu.Unlock()
		return
	}
	fn()
	post := !l.posted
	l.posted = true
	l.mu.Unlock()
	if post {
		l.c.post(l.flush)
	}
}

func (l *storeLink) markConv(conv uint64) {
	l.mark(func() { l.convs[conv] = true })
}

func (l *storeLink) markSeen(stream uint64) {
	l.mark(func() { l.seen[stream] = true })
}

func (l *storeLink) markPrefetch() {
	l.mark(func() { l.pre = true })
}

// putOut stores the outbox item cmid as it is now (engine goroutine).
func (l *storeLink) putOut(cmid uint64) {
	i := l.c.findItem(cmid)
	if i < 0 {
		return
	}
	v := encodeOutItem(l.c.lp.outbox.items[i])
	l.mark(func() { l.out[cmid] = v })
}

func (l *storeLink) delOut(cmid uint64) {
	l.mark(func() { l.out[cmid] = nil })
}

// keepsOutbox reports whether the outbox is persisted for the session's
// user: a session ending without a logout then leaves its sends to the next
// one instead of failing them.
func (l *storeLink) keepsOutbox() bool {
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.user != ""
}

// flush writes what the journal marked as one batch (engine goroutine).
func (l *storeLink) flush() {
	l.mu.Lock()
	user := l.user
	convs, msgs, drop, seen, out, pre := l.convs, l.msgs, l.drop, l.seen, l.out, l.pre
	l.resetJournal()
	l.posted = false
	l.mu.Unlock()
	if user == "" {
		return
	}
	b := &StoreBatch{Drop: drop, Keep: l.keep}
	for conv := range convs {
		var v []byte
		if e, ok := l.c.convs.get(conv); ok {
			v = encodeConversation(&e)
		}
		b.Records = append(b.Records, StoreRecord{Kind: StoreConversation, A: conv, Value: v},
			StoreRecord{Kind: StoreUnread, A: conv, Value: l.c.unread.encoded(conv)})
	}
	start := len(b.Records)
	for k, ch := range msgs {
		r := StoreRecord{Kind: StoreMessage, A: k.a, B: k.b}
		if !ch.del {
			e := newStoreEnc()
			encodeMessage(&e, &ch.m)
			r.Value = e
		}
		b.Records = append(b.Records, r)
	}
	// Grouped by conversation, so that stores trimming per conversation
	// see each once.
	recs := b.Records[start:]
	sort.Slice(recs, func(i, j int) bool {
		return recs[i].A < recs[j].A || recs[i].A == recs[j].A && recs[i].B < recs[j].B
	})
	for stream := range seen {
		if s := l.c.lp.sync.seen[stream]; s != nil {
			b.Records = append(b.Records, StoreRecord{Kind: StoreSeen, A: stream, Value: encodeSeen(s)})
		}
	}
	for cmid, v := range out {
		b.Records = append(b.Records, StoreRecord{Kind: StoreOutbox, B: cmid, Value: v})
	}
	if pre {
		p := l.c.Prefetched()
		b.Records = append(b.Records, StoreRecord{Kind: StorePrefetch, Value: encodePrefetch(&p)})
	}
	if len(b.Records) == 0 && len(b.Drop) == 0 {
		return
	}
	l.enqueue(func() {
		if err := l.st.Apply(user, b); err != nil {
			l.report("writing the local store", err)
		}
	})
}

// begin attaches the user of session sid and loads what the store holds
// for it (engine goroutine); called when the uid becomes known.
func (l *storeLink) begin(sid, uid uint64) {
	if l == nil || l.off || uid == 0 || (l.begun == sid && l.loadedUID == uid) {
		return
	}
	// What is pending goes first, so that the load sees it: the sends of a
	// session that just ended belong to the next one.
	l.flush()
	user := l.c.cfg.AppID + "/" + strconv.FormatUint(uid, 10)
	full := l.loadedUID != uid
	l.begun, l.loadedUID = sid, uid
	l.mu.Lock()
	l.user = user
	l.mu.Unlock()
	l.seq++
	seq := l.seq
	l.loading = true
	l.enqueue(func() {
		recs, err := l.st.Load(user)
		l.c.post(func() { l.loaded(seq, sid, uid, full, recs, err) })
	})
}

// holdDial reports whether a connection attempt must wait for the load
// (startDial); the load's end starts it.
func (l *storeLink) holdDial() bool {
	if l == nil || !l.loading {
		return false
	}
	l.dialWaiting = true
	return true
}

// loaded applies the records of a load (engine goroutine).
func (l *storeLink) loaded(seq, sid, uid uint64, full bool, recs []StoreRecord, err error) {
	if seq != l.seq {
		return
	}
	l.loading = false
	c := l.c
	lp := &c.lp
	defer func() {
		if l.dialWaiting {
			l.dialWaiting = false
			if lp.sess != nil && (lp.phase == phasePreparing || lp.phase == phaseWaiting) {
				c.startDial()
			}
		}
	}()
	if err != nil {
		l.report("reading the local store", err)
		if !errors.Is(err, ErrStoreReset) {
			l.off = true
			l.mu.Lock()
			l.user = ""
			l.resetJournal()
			l.mu.Unlock()
			return
		}
	}
	if lp.sess == nil || lp.sess.id != sid || lp.sess.uid != uid {
		return
	}
	var entries []ConversationEntry
	var items []*outItem
	var unread []uint64
	bad := 0
	for _, r := range recs {
		ok := true
		switch r.Kind {
		case StoreOutbox:
			var it *outItem
			if it, ok = decodeOutItem(r.B, r.Value); ok {
				items = append(items, it)
			}
		}
		if !full {
			if !ok {
				bad++
			}
			continue
		}
		switch r.Kind {
		case StoreConversation:
			var e ConversationEntry
			if e, ok = decodeConversation(r.A, r.Value); ok {
				entries = append(entries, e)
			}
		case StoreUnread:
			var s *unreadSet
			if s, ok = decodeUnread(r.Value); ok && c.unread.restore(r.A, s) {
				unread = append(unread, r.A)
			}
		case StoreMessage:
			d := newStoreDec(r.Value)
			m := decodeMessage(d)
			if ok = !d.bad && m.ID == r.B; ok {
				l.raw.Put(r.A, m)
			}
		case StoreSeen:
			var s *seenIDs
			if s, ok = decodeSeen(r.Value); ok && lp.sync.seen[r.A] == nil {
				lp.sync.seen[r.A] = s
			}
		case StorePrefetch:
			var p Prefetched
			if p, ok = decodePrefetch(r.Value); ok {
				c.restorePrefetch(p)
			}
		}
		if !ok {
			bad++
		}
	}
	if bad > 0 {
		c.log.warn("store: skipped " + strconv.Itoa(bad) + " unreadable records")
	}
	if full {
		// Newest first, as the list is kept; entries created from UNREAD
		// (no timestamp) last.
		sort.SliceStable(entries, func(i, j int) bool { return entryTime(&entries[i]) > entryTime(&entries[j]) })
		if c.convs.restore(entries) {
			c.emit(RecentListUpdated{})
		}
		sort.Slice(unread, func(i, j int) bool { return unread[i] < unread[j] })
		for _, conv := range unread {
			c.emit(UnreadChanged{ConversationID: conv})
		}
	}
	c.restoreOutbox(items)
}

func entryTime(e *ConversationEntry) uint64 { return max(e.Timestamp, e.DraftTimestamp) }

// wipe deletes the stored data of uid (logout), or of the stored
// session's user when uid is 0: the journal is dropped, the user detached,
// and the store goroutine wipes the namespace.
func (l *storeLink) wipe(uid uint64) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.user = ""
	l.resetJournal()
	l.mu.Unlock()
	l.seq++ // a load in flight is for data going away
	l.loading = false
	l.loadedUID, l.begun = 0, 0
	if uid == 0 {
		if v, ok := l.c.cfg.Storage.Get(keyUID); ok {
			uid, _ = parseDecimal(v, 1<<64-1)
		}
	}
	if uid == 0 || l.off {
		return
	}
	user := l.c.cfg.AppID + "/" + strconv.FormatUint(uid, 10)
	l.enqueue(func() {
		if err := l.st.Wipe(user); err != nil {
			l.report("wiping the local store", err)
		}
	})
}

// wipeStore deletes the local store's data of the session's user, or of the
// stored session's user when there is no session (a logout of a program
// that did not log in first, as the CLI's).
func (c *Client) wipeStore() { c.ls.wipe(c.selfUID()) }

// detach writes what is pending for the current user and stops writing
// for it: the structures are about to hold another user's data.
func (l *storeLink) detach() {
	if l == nil {
		return
	}
	l.flush()
	l.mu.Lock()
	l.user = ""
	l.mu.Unlock()
	l.loadedUID, l.begun = 0, 0
}

// close writes what is pending and lets the store goroutine end once it
// has done every job (engine goroutine, at Close).
func (l *storeLink) close() {
	if l == nil {
		return
	}
	l.flush()
	l.jmu.Lock()
	l.closing = true
	l.jmu.Unlock()
	l.signal()
}

func (l *storeLink) report(what string, err error) {
	l.c.log.warn("store: " + what + ": " + err.Error())
	if l.reported.CompareAndSwap(false, true) {
		// WrapError, not Errorf: its formatting would link strconv's
		// float and quoting tables into the wasm build.
		e := WrapError(DbOperationFailed, SourceClient, err)
		e.Message = what + ": " + err.Error()
		l.c.emit(ErrorEvent{Err: e})
	}
}

func (l *storeLink) enqueue(job func()) {
	l.jmu.Lock()
	l.jobs = append(l.jobs, job)
	l.jmu.Unlock()
	l.signal()
}

func (l *storeLink) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// run is the store goroutine: it runs the jobs in order and ends after
// close once none is left.
func (l *storeLink) run() {
	defer l.c.wg.Done()
	for range l.wake {
		for {
			l.jmu.Lock()
			jobs, closing := l.jobs, l.closing
			l.jobs = nil
			l.jmu.Unlock()
			if len(jobs) == 0 {
				if closing {
					return
				}
				break
			}
			for _, job := range jobs {
				job()
			}
		}
	}
}

// restoreOutbox puts the sends of a previous process back in the outbox,
// in client_mid order, ahead of those queued since: they go out with the
// same client_mid, so that the server's dedup keeps a send written before
// the restart from being stored twice (PROTOCOL.md §7.5).
func (c *Client) restoreOutbox(items []*outItem) {
	lp := &c.lp
	ob := &lp.outbox
	var top uint64
	n := 0
	for _, it := range items {
		if c.findItem(it.cmid) >= 0 {
			continue
		}
		it.msg.From = lp.sess.uid
		ob.items = append(ob.items, it)
		top = max(top, it.cmid)
		n++
		if d := c.cfg.SendTimeout; d > 0 && !it.written {
			it.deadline = lp.sched.after(d, func() {
				it.deadline = nil
				if !it.written && c.removeItem(it.cmid) != nil {
					e := NewError(ServerTimeOut, "send not written within "+millis(d))
					c.failItem(it, e, 0, e.Message)
				}
			})
		}
	}
	if n == 0 {
		return
	}
	sort.SliceStable(ob.items, func(i, j int) bool { return ob.items[i].cmid < ob.items[j].cmid })
	c.mu.Lock()
	c.pub.lastMid = max(c.pub.lastMid, top)
	c.mu.Unlock()
	c.log.info("store: " + strconv.Itoa(n) + " pending sends restored")
	c.pumpOutbox()
}

// restorePrefetch fills the prefetched lists when this session has not
// fetched them yet (the prefetch replaces them once it succeeds).
func (c *Client) restorePrefetch(p Prefetched) {
	c.pre.mu.Lock()
	if !c.pre.rosters.Exists() && !c.pre.groups.Exists() && c.pre.rosterIDs == nil && c.pre.groupIDs == nil {
		c.pre.rosterIDs, c.pre.groupIDs = p.RosterIDs, p.GroupIDs
		c.pre.rosters, c.pre.groups = p.Rosters, p.Groups
		if !c.pre.appConfig.Exists() {
			c.pre.appConfig = p.AppConfig
		}
	}
	c.pre.mu.Unlock()
	for _, g := range p.GroupIDs {
		c.lp.groups[g] = true
	}
}

// restore adds stored entries missing from the list, after those present
// (already updated by this session); it reports whether it added any.
func (l *convList) restore(es []ConversationEntry) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.entries)
	for _, e := range es {
		if l.index(e.ID) < 0 {
			l.entries = append(l.entries, e)
		}
	}
	return len(l.entries) > n
}

// restore sets the stored unread set of conv unless the session already
// counts unread messages there; it reports whether it set it.
func (t *unreadTracker) restore(conv uint64, s *unreadSet) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.convs[conv] != nil {
		return false
	}
	if t.convs == nil {
		t.convs = make(map[uint64]*unreadSet)
	}
	t.convs[conv] = s
	return true
}

// encoded returns the stored form of conv's unread set, nil when nothing
// is unread there.
func (t *unreadTracker) encoded(conv uint64) []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.convs[conv]; s != nil && s.count() > 0 {
		return encodeUnread(s)
	}
	return nil
}

// journalCache is the MessageCache of a Client with a local store: each
// change is passed on and marked in the journal with the message's new
// value. Messages the cache drops to stay within its bounds are not
// deleted from the store, which keeps its own number per conversation.
type journalCache struct {
	MessageCache
	l *storeLink
}

func (j journalCache) putMsg(conv uint64, m Message) {
	j.l.mark(func() { j.l.msgs[storeKey{StoreMessage, conv, m.ID}] = msgChange{m: m} })
}

func (j journalCache) delMsg(conv, id uint64) {
	j.l.mark(func() { j.l.msgs[storeKey{StoreMessage, conv, id}] = msgChange{del: true} })
}

func (j journalCache) Put(conv uint64, m Message) {
	j.MessageCache.Put(conv, m)
	j.putMsg(conv, m)
}

func (j journalCache) Update(conv, id uint64, fn func(*Message) bool) (Message, bool) {
	changed := false
	m, ok := j.MessageCache.Update(conv, id, func(m *Message) bool {
		changed = fn(m)
		return changed
	})
	switch {
	case ok && changed:
		j.putMsg(conv, m)
	case !ok:
		// A message the cache dropped may still be stored, and would
		// come back unchanged: it goes (a history page brings it back).
		j.delMsg(conv, id)
	}
	return m, ok
}

func (j journalCache) UpdateAll(conv uint64, fn func(*Message) bool) int {
	var changed []Message
	n := j.MessageCache.UpdateAll(conv, func(m *Message) bool {
		if fn(m) {
			changed = append(changed, *m)
			return true
		}
		return false
	})
	for _, m := range changed {
		j.putMsg(conv, m)
	}
	return n
}

func (j journalCache) Delete(conv, id uint64) (Message, bool) {
	// Also when the cache no longer holds it: the store keeps more.
	m, ok := j.MessageCache.Delete(conv, id)
	j.delMsg(conv, id)
	return m, ok
}

func (j journalCache) DeleteConversation(conv uint64) {
	j.MessageCache.DeleteConversation(conv)
	j.l.mark(func() {
		for k := range j.l.msgs {
			if k.a == conv {
				delete(j.l.msgs, k)
			}
		}
		j.l.drop = append(j.l.drop, conv)
	})
}
