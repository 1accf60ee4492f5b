package fireplace

import (
	"context"
	"sync"
	"time"

	"github.com/flooim/floo/server/store"
)

// cursorFlushInterval bounds how long a confirmation stays in memory only.
const cursorFlushInterval = 50 * time.Millisecond

// cursorFlushBatch wakes the flusher early when this many are pending.
const cursorFlushBatch = 1024

type cursorKey struct {
	uid    int64
	sn     uint32
	stream int64
}

// cursorBook holds device confirmations (§18.4) not written yet. Writing
// each one in its own transaction would cost a disk sync per pull, per
// receiver: a group message would then need hundreds of syncs. Instead
// confirmations are written in batches every cursorFlushInterval, and every
// read of a cursor or a delivered position looks here too, so the delay is
// invisible to clients. A crash loses at most the last interval's
// confirmations, and those entries are delivered again: at-least-once
// delivery allows it, and clients de-duplicate by id (§6.6).
type cursorBook struct {
	mu       sync.Mutex
	pending  map[cursorKey]int64
	byStream map[[2]int64]int64 // (uid, stream) → highest pending position of any device
	flushMu  sync.Mutex         // one flush at a time
	wake     chan struct{}
}

func newCursorBook() *cursorBook {
	return &cursorBook{
		pending:  map[cursorKey]int64{},
		byStream: map[[2]int64]int64{},
		wake:     make(chan struct{}, 1),
	}
}

// confirm records that (uid, sn) has everything of stream up to pos.
func (b *cursorBook) confirm(uid int64, sn uint32, stream, pos int64) {
	b.mu.Lock()
	k := cursorKey{uid, sn, stream}
	if pos > b.pending[k] {
		b.pending[k] = pos
	}
	sk := [2]int64{uid, stream}
	if pos > b.byStream[sk] {
		b.byStream[sk] = pos
	}
	n := len(b.pending)
	b.mu.Unlock()
	if n >= cursorFlushBatch {
		select {
		case b.wake <- struct{}{}:
		default:
		}
	}
}

// pendingPos returns the unwritten position of (uid, sn, stream), 0 if none.
func (b *cursorBook) pendingPos(uid int64, sn uint32, stream int64) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pending[cursorKey{uid, sn, stream}]
}

// hasPending reports whether (uid, sn) has unwritten confirmations. The
// map holds at most one flush interval's worth, so a scan is cheap.
func (b *cursorBook) hasPending(uid int64, sn uint32) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k := range b.pending {
		if k.uid == uid && k.sn == sn {
			return true
		}
	}
	return false
}

// pendingDelivered returns the highest unwritten position of any device of
// uid in stream, 0 if none.
func (b *cursorBook) pendingDelivered(uid, stream int64) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.byStream[[2]int64{uid, stream}]
}

// flush writes the pending confirmations in one transaction.
func (b *cursorBook) flush(ctx context.Context, st store.Messages) error {
	b.flushMu.Lock()
	defer b.flushMu.Unlock()
	b.mu.Lock()
	if len(b.pending) == 0 {
		b.mu.Unlock()
		return nil
	}
	batch := make([]store.CursorPos, 0, len(b.pending))
	for k, pos := range b.pending {
		batch = append(batch, store.CursorPos{UID: k.uid, SN: k.sn, Stream: k.stream, Pos: pos})
	}
	b.mu.Unlock()
	if err := st.AdvanceCursors(ctx, batch); err != nil {
		return err
	}
	// Forget what is now stored, keeping what moved on meanwhile.
	b.mu.Lock()
	for _, c := range batch {
		k := cursorKey{c.UID, c.SN, c.Stream}
		if b.pending[k] <= c.Pos {
			delete(b.pending, k)
		}
		sk := [2]int64{c.UID, c.Stream}
		if b.byStream[sk] <= c.Pos {
			delete(b.byStream, sk)
		}
	}
	b.mu.Unlock()
	return nil
}

// cursorFlusher writes confirmations until stop, then once more.
func (g *Gateway) cursorFlusher() {
	defer g.bg.Done()
	t := time.NewTicker(cursorFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-g.stop:
			g.flushCursors()
			return
		case <-t.C:
		case <-g.cursors.wake:
		}
		g.flushCursors()
	}
}

func (g *Gateway) flushCursors() {
	if err := g.cursors.flush(context.Background(), g.st); err != nil {
		g.log.Error("fireplace: write cursors", "err", err)
	}
}

// cursor returns the confirmed position of (uid, sn) in stream, written or
// not.
func (g *Gateway) cursor(ctx context.Context, uid int64, sn uint32, stream int64) (int64, error) {
	pos, err := g.st.Cursor(ctx, uid, sn, stream)
	if err != nil {
		return 0, err
	}
	return max(pos, g.cursors.pendingPos(uid, sn, stream)), nil
}

// readPositions is store.ReadPositions including unwritten confirmations.
func (g *Gateway) readPositions(ctx context.Context, uid, stream int64) (store.ReadPositions, error) {
	rp, err := g.st.ReadPositions(ctx, uid, stream)
	if err != nil {
		return rp, err
	}
	rp.Delivered = max(rp.Delivered, g.cursors.pendingDelivered(uid, stream))
	return rp, nil
}
