//go:build !js

package native

import (
	"path/filepath"
	"testing"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/storetest"
)

func TestSQLiteStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.LocalStore {
		s := NewSQLiteStore(filepath.Join(t.TempDir(), "store.db"))
		t.Cleanup(func() { s.Close() })
		return s
	}, func(t *testing.T, s core.LocalStore) core.LocalStore {
		old := s.(*SQLiteStore)
		old.Close()
		n := NewSQLiteStore(old.Path())
		t.Cleanup(func() { n.Close() })
		return n
	})
}
