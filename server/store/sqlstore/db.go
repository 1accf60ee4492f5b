package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/flooim/floo/server/store"
)

// DB is the store on one database. It is safe for concurrent use.
type DB struct {
	d      Dialect
	w      *sql.DB // write transactions, begun by d.BeginWrite
	r      *sql.DB // plain reads; may be w
	rp     pool    // r with the dialect, handed out by reader
	q      queries
	closed atomic.Bool

	prepare                bool   // d.PrepareStatements()
	batchInbox, batchState string // d.BatchDeliveries()

	// stmts caches prepared statements by pool and query text (see stmt)
	// when the dialect asks for it.
	stmts sync.Map

	commit committer // group commit of Append (commit.go)
}

var _ store.Store = (*DB)(nil)

// New returns the store on an opened, migrated database: writes go through
// writer, plain reads through reader, which may be the same pool. The pools
// belong to the store from then on: Close closes them.
func New(d Dialect, writer, reader *sql.DB) *DB {
	db := &DB{d: d, w: writer, r: reader, rp: pool{reader, d}, q: newQueries(d), prepare: d.PrepareStatements()}
	db.batchInbox, db.batchState = d.BatchDeliveries()
	return db
}

// Close closes the reader pool, then the writer pool. Calls after the first
// do nothing; every other method then fails with store.ErrClosed.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	var errs []error
	if db.r != db.w {
		errs = append(errs, db.r.Close())
	}
	errs = append(errs, db.w.Close())
	return errors.Join(errs...)
}

// Closed reports whether Close has been called.
func (db *DB) Closed() bool { return db.closed.Load() }

// errorf makes one of the store's own errors, named after the dialect.
func (db *DB) errorf(format string, args ...any) error {
	return fmt.Errorf(db.d.Name()+": "+format, args...)
}

// write runs fn in a write transaction and commits it if fn returns nil.
// fn must use only tx: on SQLite the writer pool has one connection, so
// touching the pool inside fn would deadlock.
func (db *DB) write(ctx context.Context, fn func(tx *txn) error) error {
	return db.writePrepared(ctx, nil, fn)
}

// writePrepared is write for the hot paths: when the dialect asks for
// prepared statements, the queries named are prepared (once per DB) before
// the transaction begins, since the single writer connection is busy inside
// it, and tx runs them through their preparation.
func (db *DB) writePrepared(ctx context.Context, prepared []string, fn func(tx *txn) error) error {
	if db.closed.Load() {
		return store.ErrClosed
	}
	var stmts []txnStmt
	if db.prepare && len(prepared) > 0 {
		stmts = make([]txnStmt, len(prepared))
		for i, q := range prepared {
			st, err := db.stmt(ctx, db.w, q)
			if err != nil {
				return err
			}
			stmts[i] = txnStmt{q, st}
		}
	}
	t, err := db.d.BeginWrite(ctx, db.w)
	if err != nil {
		return err
	}
	for i := range stmts {
		stmts[i].st = t.StmtContext(ctx, stmts[i].st)
	}
	tx := &txn{t: t, d: db.d, stmts: stmts}
	if err := fn(tx); err != nil {
		t.Rollback()
		return err
	}
	return t.Commit()
}

// reader returns the pool for plain reads.
func (db *DB) reader() (*pool, error) {
	if db.closed.Load() {
		return nil, store.ErrClosed
	}
	return &db.rp, nil
}

type stmtKey struct {
	pool  *sql.DB
	query string
}

// stmt returns query prepared on pool, once per DB.
func (db *DB) stmt(ctx context.Context, pool *sql.DB, query string) (*sql.Stmt, error) {
	k := stmtKey{pool, query}
	if st, ok := db.stmts.Load(k); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := pool.PrepareContext(ctx, db.d.Rebind(query))
	if err != nil {
		return nil, err
	}
	if old, loaded := db.stmts.LoadOrStore(k, st); loaded {
		st.Close()
		return old.(*sql.Stmt), nil
	}
	return st, nil
}

// queryer is what pool and txn have in common, so read helpers can run
// inside or outside a write transaction.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// pool and txn run the shared queries on a pool or in a write transaction,
// with the placeholders rewritten by the dialect and the arguments by bind.
type pool struct {
	d  *sql.DB
	dl Dialect
}

func (p *pool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return p.d.QueryRowContext(ctx, p.dl.Rebind(q), bind(args)...)
}

func (p *pool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return p.d.QueryContext(ctx, p.dl.Rebind(q), bind(args)...)
}

func (p *pool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return p.d.ExecContext(ctx, p.dl.Rebind(q), bind(args)...)
}

// txn is a write transaction. Queries prepared for it (see writePrepared)
// run through their statements, the others are sent as text.
type txn struct {
	t     *sql.Tx
	d     Dialect
	stmts []txnStmt
}

// txnStmt is a query prepared for a transaction. A transaction has a
// handful, and the queries are the same strings as the callers', so a scan
// compares pointers and lengths, not text.
type txnStmt struct {
	query string
	st    *sql.Stmt
}

// stmt returns q's statement in t, or nil if q was not prepared for t.
func (t *txn) stmt(q string) *sql.Stmt {
	for _, s := range t.stmts {
		if s.query == q {
			return s.st
		}
	}
	return nil
}

func (t *txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.stmt(q); st != nil {
		return st.QueryRowContext(ctx, bind(args)...)
	}
	return t.t.QueryRowContext(ctx, t.d.Rebind(q), bind(args)...)
}

func (t *txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(q); st != nil {
		return st.QueryContext(ctx, bind(args)...)
	}
	return t.t.QueryContext(ctx, t.d.Rebind(q), bind(args)...)
}

func (t *txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.stmt(q); st != nil {
		return st.ExecContext(ctx, bind(args)...)
	}
	return t.t.ExecContext(ctx, t.d.Rebind(q), bind(args)...)
}

// isConstraint reports whether err is a UNIQUE or PRIMARY KEY violation.
func (t *txn) isConstraint(err error) bool {
	return err != nil && t.d.IsUniqueViolation(err)
}

// bind converts the argument types the schema stores differently from Go:
// bool as 0/1 (the schema keeps integer flags), unsigned SNs as int64.
func bind(args []any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case bool:
			if v {
				args[i] = int64(1)
			} else {
				args[i] = int64(0)
			}
		case uint32:
			args[i] = int64(v)
		}
	}
	return args
}

// notFound maps sql.ErrNoRows to store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// scanner is what *sql.Row and *sql.Rows have in common, so one scan function
// serves a single-row lookup and a list alike.
type scanner = interface{ Scan(dest ...any) error }

// appendRows reads every row with scan, appends the values to out and closes
// rows. Callers pass their own out so an empty result stays what they
// promise: []T{} for the lists that reach JSON as [], nil elsewhere.
func appendRows[T any](out []T, rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// scanOne reads a one-column row.
func scanOne[T any](row scanner) (T, error) {
	var v T
	err := row.Scan(&v)
	return v, err
}

// NextEntityID implements store.IDs.
func (db *DB) NextEntityID(ctx context.Context) (int64, error) {
	var id int64
	err := db.write(ctx, func(tx *txn) error {
		var err error
		id, err = db.nextEntityID(ctx, tx)
		return err
	})
	return id, err
}

// nextEntityID draws an id inside an existing write transaction, so a row and
// its id commit (or roll back) together. The id comes from a row of the
// database, never from a process's memory, so two servers sharing the
// database cannot hand out the same one.
func (db *DB) nextEntityID(ctx context.Context, tx *txn) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx,
		`UPDATE entity_seq SET next = next + 1 WHERE id = 1 RETURNING next - 1`).Scan(&id)
	if err != nil {
		return 0, db.errorf("entity id: %w", err)
	}
	if id > store.MaxEntityID {
		return 0, db.errorf("entity id space exhausted")
	}
	return id, nil
}
