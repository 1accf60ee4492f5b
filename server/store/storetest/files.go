package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/store"
)

func testFileTickets(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	u := newUser(t, db, "u")

	f := store.File{ID: "f1", OwnerID: u.ID, Kind: store.FileChat, FileType: 102, ToType: store.ToUser, ToID: 7, CreatedAt: 1}
	require.NoError(t, db.CreateFile(ctx, f, store.UploadTicket{ID: "t1", ExpiresAt: 100}))
	assert.ErrorIs(t, db.CreateFile(ctx, f, store.UploadTicket{ID: "t2", ExpiresAt: 100}), store.ErrConflict)

	_, err := db.ClaimUploadTicket(ctx, "t1", 100)
	assert.ErrorIs(t, err, store.ErrNotFound, "expired at 100")
	got, err := db.ClaimUploadTicket(ctx, "t1", 99)
	require.NoError(t, err)
	assert.Equal(t, "f1", got.ID)
	assert.Equal(t, 102, got.FileType)
	assert.False(t, got.Uploaded)
	_, err = db.ClaimUploadTicket(ctx, "t1", 99)
	assert.ErrorIs(t, err, store.ErrNotFound, "one-time")

	require.NoError(t, db.CompleteFile(ctx, "f1", "pic.png", 1234, "image/png", 50))
	got, err = db.GetFile(ctx, "f1")
	require.NoError(t, err)
	assert.True(t, got.Uploaded)
	assert.Equal(t, int64(1234), got.Size)
	assert.Equal(t, "image/png", got.ContentType)
	assert.Equal(t, "pic.png", got.Name)
	assert.ErrorIs(t, db.CompleteFile(ctx, "nope", "", 1, "", 1), store.ErrNotFound)

	// Expired, unused tickets go, and their file rows after a day of grace.
	g := store.File{ID: "f2", OwnerID: u.ID, Kind: store.FileUserAvatar, CreatedAt: 10}
	require.NoError(t, db.CreateFile(ctx, g, store.UploadTicket{ID: "t3", ExpiresAt: 20}))
	n, err := db.DeleteExpiredTickets(ctx, 30)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	_, err = db.GetFile(ctx, "f2")
	require.NoError(t, err, "kept during the grace period")
	_, err = db.DeleteExpiredTickets(ctx, 10+25*60*60*1000)
	require.NoError(t, err)
	_, err = db.GetFile(ctx, "f2")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.GetFile(ctx, "f1")
	require.NoError(t, err, "uploaded files stay")
}
