package sqlstore

import (
	"context"
	"sync"

	"github.com/flooim/floo/server/store"
)

// maxBatch bounds the appends one group commit writes, so a burst does not
// hold the write lock (and the other writers) for long.
const maxBatch = 256

// Savepoints isolate the appends of a batch from each other.
const (
	qSavepoint         = `SAVEPOINT floo_append`
	qRollbackSavepoint = `ROLLBACK TO SAVEPOINT floo_append`
	qReleaseSavepoint  = `RELEASE SAVEPOINT floo_append`
)

// appendOp is one Append waiting for its group commit.
type appendOp struct {
	ctx  context.Context
	r    *store.AppendRequest
	res  store.AppendResult
	err  error
	done chan struct{}                   // closed when finished (Append)
	then func(store.AppendResult, error) // called when finished (AppendAsync)
}

// committer makes the appends of many connections share write
// transactions, and so their fsyncs (group commit). An Append queues its
// request and waits; while no commit runs, a goroutine is started that
// takes everything queued (up to maxBatch), writes it in one transaction
// and commits, then takes what arrived meanwhile, until the queue is
// empty. Nothing waits for more to arrive: a lone append is committed at
// once, and under load the batches grow by themselves to what arrived
// during the previous commit.
type committer struct {
	mu      sync.Mutex // guards queue and running
	queue   []*appendOp
	running bool // a commitLoop goroutine is draining queue
}

// submit queues op and makes sure a commit loop runs.
func (db *DB) submit(op *appendOp) {
	c := &db.commit
	c.mu.Lock()
	c.queue = append(c.queue, op)
	start := !c.running
	c.running = true
	c.mu.Unlock()
	if start {
		go db.commitLoop()
	}
}

// AppendAsync is Append without the wait: it queues r for the group
// committer and returns at once; done is called with the outcome once the
// transaction holding r committed or failed. Calls to done come in the
// order of the AppendAsync calls (and of Append's returns), one at a time,
// on the committer's goroutine: done must be quick and must not block or
// call the store, or the next commit waits. The appends are written in
// that order too, so a caller that queues in order gets increasing ids.
//
// The gateway uses it to keep several sends of one connection in flight
// (pipelining) while their acks still follow their commits.
func (db *DB) AppendAsync(ctx context.Context, r *store.AppendRequest, done func(store.AppendResult, error)) {
	if db.closed.Load() {
		done(store.AppendResult{}, store.ErrClosed)
		return
	}
	db.submit(&appendOp{ctx: ctx, r: r, then: done})
}

// commitLoop commits batches until the queue is empty.
func (db *DB) commitLoop() {
	c := &db.commit
	for {
		c.mu.Lock()
		n := min(len(c.queue), maxBatch)
		if n == 0 {
			c.running = false
			c.queue = nil // do not keep a burst's backing array
			c.mu.Unlock()
			return
		}
		batch := make([]*appendOp, n)
		copy(batch, c.queue)
		clear(c.queue[:n])
		c.queue = c.queue[n:]
		c.mu.Unlock()
		db.commitBatch(batch)
		for _, op := range batch {
			if op.then != nil {
				if op.err != nil {
					op.then(store.AppendResult{}, op.err)
				} else {
					op.then(op.res, nil)
				}
				continue
			}
			close(op.done)
		}
	}
}

// commitBatch writes ops in one transaction and sets each one's outcome.
//
// An append with effects runs inside a savepoint when the batch holds
// several: one that fails (an effect on an unknown message:
// store.ErrNotFound) is rolled back to its savepoint and fails alone, the
// others commit. A plain append (a new message) cannot fail on its own,
// only with the database, and saves the two statements: if it fails, the
// transaction fails. When the transaction as a whole fails (begin, commit,
// a plain append: the database is gone, the disk full), nothing of it was
// stored, and each append that had not failed on its own is retried in a
// transaction of its own, so that its error, if any, is its own.
//
// The transaction runs on a context of its own: an append whose caller
// gave up before the batch began is left out (its context's error), but
// once written it is committed with the others; its caller no longer
// waits, and a repeat of the send finds the dedup record.
func (db *DB) commitBatch(ops []*appendOp) {
	live := ops[:0:0]
	for _, op := range ops {
		if err := op.ctx.Err(); err != nil {
			op.err = err
			continue
		}
		live = append(live, op)
	}
	if len(live) == 0 {
		return
	}
	ctx := context.Background()
	multi := len(live) > 1
	err := db.writePrepared(ctx, db.q.append, func(tx *txn) error {
		var last int64 // the highest id in the table, once read
		for _, op := range live {
			op.res, op.err = store.AppendResult{}, nil
			// Only an append with effects can fail on its own (an unknown
			// target); a plain one fails only with the transaction, so it
			// needs no savepoint of its own.
			if !multi || len(op.r.Effects) == 0 {
				if op.err = db.appendIn(ctx, tx, op.r, &op.res, &last); op.err != nil {
					return op.err
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, qSavepoint); err != nil {
				return err
			}
			if op.err = db.appendIn(ctx, tx, op.r, &op.res, &last); op.err != nil {
				if _, err := tx.ExecContext(ctx, qRollbackSavepoint); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, qReleaseSavepoint); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if !multi {
			live[0].err = err
			return
		}
		for _, op := range live {
			if op.err == nil || len(op.r.Effects) == 0 {
				db.commitBatch([]*appendOp{op})
			}
		}
		return
	}
	for _, op := range live {
		if op.err == nil && !op.res.Duplicate {
			op.r.Item.ID, op.r.Item.Timestamp = op.res.ServerMID, op.res.ServerTime
		}
	}
}
