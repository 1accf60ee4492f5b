package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/flooim/floo/server/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// writeLockKey is the transaction-level advisory lock every write
// transaction takes first (see doc.go). Any constant works; this one spells
// "floo".
const writeLockKey = 0x666c6f6f

// MaxConns bounds the connections one store (one server process) opens:
// writes queue on the write lock anyway, and several servers must fit in
// the database's max_connections.
const MaxConns = 16

// DB is the PostgreSQL store. It is safe for concurrent use, also by several
// processes sharing one database.
type DB struct {
	db     *sql.DB
	closed atomic.Bool
}

var _ store.Store = (*DB)(nil)

// Open connects to the database named by url (a postgres:// URL or a
// key=value connection string) and applies pending migrations.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	sdb := stdlib.OpenDB(*cfg)
	sdb.SetMaxOpenConns(MaxConns)
	sdb.SetMaxIdleConns(MaxConns)
	db := &DB{db: sdb}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the pool. It is safe to call more than once.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	return db.db.Close()
}

// write runs fn in a transaction and commits it if fn returns nil.
//
// The transaction first takes the store's advisory write lock, which
// PostgreSQL holds until commit or rollback: writers queue one behind the
// other, across every process using the database, exactly as they do on
// SQLite's single writer connection. With READ COMMITTED every statement
// after the lock sees all earlier writes, so the read-modify-write code
// (max+1 message ids, the smallest free device SN, "is the group full")
// keeps the meaning it has on SQLite.
func (db *DB) write(ctx context.Context, fn func(tx *txn) error) error {
	if db.closed.Load() {
		return store.ErrClosed
	}
	t, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(writeLockKey)); err != nil {
		t.Rollback()
		return err
	}
	if err := fn(&txn{t}); err != nil {
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
	return &pool{db.db}, nil
}

// queryer is what pool and txn have in common, so read helpers can run
// inside or outside a write transaction.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// pool and txn run queries written with SQLite-style placeholders ("?" and
// "?N"), rewritten to PostgreSQL's "$N" by rebind, so both stores read the
// same. Booleans go in as 0/1: the schema keeps SQLite's integer flags.
type pool struct{ d *sql.DB }

func (p *pool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return p.d.QueryRowContext(ctx, rebind(q), bind(args)...)
}

func (p *pool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return p.d.QueryContext(ctx, rebind(q), bind(args)...)
}

func (p *pool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return p.d.ExecContext(ctx, rebind(q), bind(args)...)
}

type txn struct{ t *sql.Tx }

func (t *txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.t.QueryRowContext(ctx, rebind(q), bind(args)...)
}

func (t *txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.t.QueryContext(ctx, rebind(q), bind(args)...)
}

func (t *txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.t.ExecContext(ctx, rebind(q), bind(args)...)
}

// rebind turns "?" into "$1", "$2", … in order and "?N" into "$N". The
// store's SQL has no "?" inside string literals.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c != '?' {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(q) && q[j] >= '0' && q[j] <= '9' {
			j++
		}
		b.WriteByte('$')
		if j > i+1 {
			b.WriteString(q[i+1 : j])
			i = j - 1
		} else {
			n++
			b.WriteString(strconv.Itoa(n))
		}
	}
	return b.String()
}

// bind converts the argument types the schema stores differently: bool as
// 0/1, unsigned SNs as int64.
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

// isConstraint reports whether err is a UNIQUE or PRIMARY KEY violation.
func isConstraint(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" // unique_violation
}

// notFound maps sql.ErrNoRows to store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// scanner is what *sql.Row and *sql.Rows have in common.
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
		id, err = nextEntityID(ctx, tx)
		return err
	})
	return id, err
}

// nextEntityID draws an id inside an existing write transaction, so a row and
// its id commit (or roll back) together. The id comes from a row of the
// database, never from a process's memory, so two servers sharing the
// database cannot hand out the same one.
func nextEntityID(ctx context.Context, tx *txn) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx,
		`UPDATE entity_seq SET next = next + 1 WHERE id = 1 RETURNING next - 1`).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("postgres: entity id: %w", err)
	}
	if id > store.MaxEntityID {
		return 0, errors.New("postgres: entity id space exhausted")
	}
	return id, nil
}

// migration is one embedded schema file.
type migration struct {
	version string // file name without .sql, e.g. "0001_schema"
	sql     string
}

func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]migration, 0, len(names))
	for _, n := range names {
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		v := strings.TrimSuffix(strings.TrimPrefix(n, "migrations/"), ".sql")
		out = append(out, migration{version: v, sql: string(b)})
	}
	return out, nil
}

// migrate applies pending migrations in lexical order, one transaction each.
// The write lock makes servers starting together against a new database
// apply each file once.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		err := db.write(ctx, func(tx *txn) error {
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
				version    TEXT PRIMARY KEY,
				applied_at BIGINT NOT NULL
			)`); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx,
				`SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
				m.version, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.version, err)
		}
	}
	return nil
}

// AppliedMigrations lists the recorded migration versions in order.
func (db *DB) AppliedMigrations(ctx context.Context) ([]string, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	rows, err := r.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	return appendRows(nil, rows, scanOne[string])
}
