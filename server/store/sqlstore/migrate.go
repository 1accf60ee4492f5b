package sqlstore

import (
	"context"
	"database/sql"
	"io/fs"
	"sort"
	"strings"
	"time"
)

// Migrations is one database's schema history: files named NNNN_name.sql
// (the version is the name without .sql), applied in lexical order and
// recorded in the schema_migrations table. Applied files must never be
// edited; the schema changes by adding a file.
type Migrations struct {
	// Files holds the .sql files in Dir.
	Files fs.FS
	Dir   string
	// Table is the statement creating schema_migrations if it is missing,
	// in the database's own column types.
	Table string
}

// Migrate applies the pending migrations on writer, each in its own write
// transaction (so servers starting together against a new database apply
// each file once). It runs before New: a reader pool never sees a
// half-built schema.
func Migrate(ctx context.Context, d Dialect, writer *sql.DB, m Migrations) error {
	files, err := fs.Sub(m.Files, m.Dir)
	if err != nil {
		return err
	}
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	db := New(d, writer, writer)
	for _, n := range names {
		body, err := fs.ReadFile(files, n)
		if err != nil {
			return err
		}
		version := strings.TrimSuffix(n, ".sql")
		err = db.write(ctx, func(tx *txn) error {
			if _, err := tx.ExecContext(ctx, m.Table); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx,
				`SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.t.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
				version, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return db.errorf("migration %s: %w", version, err)
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
