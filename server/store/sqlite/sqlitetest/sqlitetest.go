package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/flooim/floo/server/store/sqlite"
)

// Open returns a fresh, fully migrated database in a temporary directory
// that is closed and removed when the test ends.
func Open(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "floo.db"))
	if err != nil {
		t.Fatalf("sqlitetest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
