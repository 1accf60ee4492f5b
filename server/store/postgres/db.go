package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/server/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations is the schema's history (see doc.go).
var migrations = sqlstore.Migrations{Files: migrationFS, Dir: "migrations",
	Table: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`}

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
	*sqlstore.DB
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
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := sqlstore.Migrate(ctx, dialect{}, sdb, migrations); err != nil {
		sdb.Close()
		return nil, err
	}
	return &DB{sqlstore.New(dialect{}, sdb, sdb)}, nil
}

// dialect is PostgreSQL's sqlstore.Dialect.
type dialect struct{}

func (dialect) Name() string { return "postgres" }

// Rebind turns "?" into "$1", "$2", … in order and "?N" into "$N". The
// store's SQL has no "?" inside string literals.
func (dialect) Rebind(q string) string {
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

// BeginWrite starts a transaction that first takes the store's advisory
// write lock, which PostgreSQL holds until commit or rollback: writers queue
// one behind the other, across every process using the database, exactly as
// they do on SQLite's single writer connection. With READ COMMITTED every
// statement after the lock sees all earlier writes, so the read-modify-write
// code keeps the meaning it has on SQLite.
func (dialect) BeginWrite(ctx context.Context, pool *sql.DB) (*sql.Tx, error) {
	t, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if _, err := t.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(writeLockKey)); err != nil {
		t.Rollback()
		return nil, err
	}
	return t, nil
}

func (dialect) IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" // unique_violation
}

// FoldEqual uses the lower(column) indexes of the schema.
func (dialect) FoldEqual(column string) string { return "lower(" + column + ") = lower(?)" }

func (dialect) Greatest() string { return "greatest" }

func (dialect) EmptyBytes() string { return "''" }

// MemberOrder is an identity column: PostgreSQL rows have no stable rowid.
func (dialect) MemberOrder() string { return "seq" }

// PrepareStatements is false: pgx prepares and caches each query text per
// connection itself.
func (dialect) PrepareStatements() bool { return false }

// BatchDeliveries unnests the arrays, so a message to a group of hundreds
// costs two round trips under the write lock.
func (dialect) BatchDeliveries() (inbox, state string) {
	return `INSERT INTO msg_inbox (uid, stream, id, origin_sn, target_sn)
		SELECT d.uid, d.stream, ?1, d.origin_sn, d.target_sn
		FROM unnest(?2::bigint[], ?3::bigint[], ?4::bigint[], ?5::bigint[]) AS d(uid, stream, origin_sn, target_sn)
		ON CONFLICT DO NOTHING`,
		`INSERT INTO msg_conv_state (uid, stream, kind, last_entry, last_activity)
		SELECT d.uid, d.stream, d.kind, ?1, d.act
		FROM unnest(?2::bigint[], ?3::bigint[], ?4::bigint[], ?5::bigint[]) AS d(uid, stream, kind, act)
		ON CONFLICT (uid, stream) DO UPDATE SET kind = excluded.kind, last_entry = excluded.last_entry,
		last_activity = greatest(msg_conv_state.last_activity, excluded.last_activity)`
}
