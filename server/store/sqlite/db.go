package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/server/store/sqlstore"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations is the schema's history (see doc.go).
var migrations = sqlstore.Migrations{Files: migrationFS, Dir: "migrations",
	Table: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`}

// readPoolSize is the number of reader connections. Reads are short indexed
// lookups; a handful of connections covers a reference server's load.
const readPoolSize = 4

// DB is the SQLite store. It is safe for concurrent use.
type DB struct {
	*sqlstore.DB
	w    *sql.DB // exactly one connection: all writes
	r    *sql.DB // query_only connections: plain reads
	path string
}

var _ store.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and applies
// pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.Contains(path, "mode=memory") {
		// Two pools cannot share an in-memory database; tests use temporary
		// files instead (see sqlitetest).
		return nil, errors.New("sqlite: a file path is required")
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := sqlstore.Migrate(ctx, dialect{}, w, migrations); err != nil {
		w.Close()
		return nil, err
	}
	// The reader pool opens after migrating so that it never sees a
	// half-built schema.
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(readPoolSize)
	r.SetMaxIdleConns(readPoolSize)
	return &DB{DB: sqlstore.New(dialect{}, w, r), w: w, r: r, path: path}, nil
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", "5000")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "1")
	// BEGIN IMMEDIATE takes the write lock up front, so a transaction never
	// fails half-way when upgrading from a read lock.
	q.Set("_txlock", "immediate")
	if readOnly {
		q.Set("_query_only", "1")
	}
	return "file:" + path + "?" + q.Encode()
}

// Path returns the database file path.
func (db *DB) Path() string { return db.path }

// Close folds the write-ahead log back into the database file and closes
// both pools. It is safe to call more than once.
func (db *DB) Close() error {
	var ckpt error
	if !db.Closed() {
		_, ckpt = db.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	return errors.Join(ckpt, db.DB.Close())
}

// dialect is SQLite's sqlstore.Dialect.
type dialect struct{}

func (dialect) Name() string { return "sqlite" }

// Rebind keeps the queries as written: "?" and "?N" are SQLite's own.
func (dialect) Rebind(q string) string { return q }

// BeginWrite runs on the writer pool's single connection, whose DSN makes
// every transaction BEGIN IMMEDIATE: writers queue on that connection, and
// SQLite allows no other writer anyway.
func (dialect) BeginWrite(ctx context.Context, pool *sql.DB) (*sql.Tx, error) {
	return pool.BeginTx(ctx, nil)
}

func (dialect) IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return true
		}
	}
	return false
}

// FoldEqual uses the COLLATE NOCASE indexes of the schema.
func (dialect) FoldEqual(column string) string { return column + " = ? COLLATE NOCASE" }

// Greatest is SQLite's max with several arguments (a scalar function, not
// the aggregate).
func (dialect) Greatest() string { return "max" }

func (dialect) EmptyBytes() string { return "x''" }

func (dialect) MemberOrder() string { return "rowid" }

// PrepareStatements is true: parsing the short queries of a sync costs more
// than running them.
func (dialect) PrepareStatements() bool { return true }

// BatchDeliveries is empty: SQLite has no array parameters, and a prepared
// statement run per row is cheap in process.
func (dialect) BatchDeliveries() (inbox, state string) { return "", "" }
