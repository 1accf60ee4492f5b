package sqlite_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/store/sqlite/sqlitetest"
)

func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	require.NoError(t, db.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&v))
	return v
}

// TestConnectionSettings pins the durability and concurrency choices in doc.go.
func TestConnectionSettings(t *testing.T) {
	db := sqlitetest.Open(t)
	w, r := db.Pools()
	for name, pool := range map[string]*sql.DB{"writer": w, "reader": r} {
		assert.Equal(t, "wal", pragma(t, pool, "journal_mode"), name)
		assert.Equal(t, "2", pragma(t, pool, "synchronous"), name+": FULL")
		assert.Equal(t, "1", pragma(t, pool, "foreign_keys"), name)
		assert.Equal(t, "5000", pragma(t, pool, "busy_timeout"), name)
	}
	assert.Equal(t, "0", pragma(t, w, "query_only"))
	assert.Equal(t, "1", pragma(t, r, "query_only"))
	assert.Equal(t, 1, w.Stats().MaxOpenConnections, "one writer")

	_, err := r.Exec(`UPDATE entity_seq SET next = next + 1`)
	assert.Error(t, err, "the reader pool cannot write")
}
