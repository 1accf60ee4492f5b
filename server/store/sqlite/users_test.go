package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/store/sqlite"
	"github.com/flooim/floo/server/store/storetest"
)

func TestOpenRejectsMemory(t *testing.T) {
	_, err := sqlite.Open(context.Background(), ":memory:")
	require.Error(t, err)
}

func TestMigrationsRecordedAndIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "floo.db")
	db, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	got, err := db.AppliedMigrations(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, got)
	assert.Equal(t, "0001_users", got[0])
	assert.IsIncreasing(t, got)
	u := storetest.NewUser(t, db, "storetest.Alice")
	require.NoError(t, db.Close())
	require.NoError(t, db.Close(), "Close is idempotent")

	// Reopening applies nothing twice and keeps the data.
	db, err = sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	again, err := db.AppliedMigrations(ctx)
	require.NoError(t, err)
	assert.Equal(t, got, again)
	back, err := db.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "storetest.Alice", back.Username)
}
