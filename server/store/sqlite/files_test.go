package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/store/sqlite"
)

func TestSigningKeyPersists(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "floo.db")
	db, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	calls := 0
	gen := func() ([]byte, error) { calls++; return []byte("0123456789abcdef0123456789abcdef"), nil }
	k1, err := db.SigningKey(ctx, gen)
	require.NoError(t, err)
	k2, err := db.SigningKey(ctx, func() ([]byte, error) { return nil, errors.New("must not be called") })
	require.NoError(t, err)
	assert.Equal(t, k1, k2)
	assert.Equal(t, 1, calls)
	require.NoError(t, db.Close())

	db, err = sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	k3, err := db.SigningKey(ctx, func() ([]byte, error) { return nil, errors.New("must not be called") })
	require.NoError(t, err)
	assert.Equal(t, k1, k3)
}
