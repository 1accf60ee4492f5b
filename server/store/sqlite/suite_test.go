package sqlite_test

import (
	"testing"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/server/store/sqlite/sqlitetest"
	"github.com/flooim/floo/server/store/storetest"
)

// TestStore runs the conformance suite shared by every store implementation.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return sqlitetest.Open(t) })
}
