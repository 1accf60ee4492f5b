package postgres_test

import (
	"os"
	"testing"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/server/store/postgres/pgtest"
	"github.com/flooim/floo/server/store/storetest"
)

// One cluster serves the whole package; every test gets its own database.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestStore runs the conformance suite shared by every store implementation.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return pgtest.Open(t) })
}
