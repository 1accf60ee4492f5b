package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/store"
)

func testRosterFriendshipIsSymmetric(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	a, b, c := newUser(t, db, "a"), newUser(t, db, "b"), newUser(t, db, "c")

	ok, err := db.IsFriend(ctx, a.ID, b.ID)
	require.NoError(t, err)
	assert.False(t, ok)
	_, err = db.RosterEntry(ctx, a.ID, b.ID)
	assert.ErrorIs(t, err, store.ErrNotFound)

	created, err := db.AddFriendship(ctx, a.ID, b.ID, 10)
	require.NoError(t, err)
	assert.True(t, created)
	created, err = db.AddFriendship(ctx, b.ID, a.ID, 11)
	require.NoError(t, err)
	assert.False(t, created, "already friends")
	for _, p := range [][2]int64{{a.ID, b.ID}, {b.ID, a.ID}} {
		ok, err := db.IsFriend(ctx, p[0], p[1])
		require.NoError(t, err)
		assert.True(t, ok)
	}
	_, err = db.AddFriendship(ctx, a.ID, c.ID, 12)
	require.NoError(t, err)
	friends, err := db.Friends(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{b.ID, c.ID}, friends)

	require.NoError(t, db.RemoveFriendship(ctx, b.ID, a.ID, 20))
	assert.ErrorIs(t, db.RemoveFriendship(ctx, a.ID, b.ID, 21), store.ErrNotFound)
	e, err := db.RosterEntry(ctx, a.ID, b.ID)
	require.NoError(t, err)
	assert.False(t, e.Friend)
	assert.Equal(t, store.RelationDeletedFriend, e.Relation())
	friends, err = db.Friends(ctx, b.ID)
	require.NoError(t, err)
	assert.Empty(t, friends)
}

func testRosterBlockAndAnnotations(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	a, b := newUser(t, db, "a"), newUser(t, db, "b")

	changed, err := db.SetBlocked(ctx, a.ID, b.ID, true, 1)
	require.NoError(t, err)
	assert.True(t, changed)
	changed, err = db.SetBlocked(ctx, a.ID, b.ID, true, 2)
	require.NoError(t, err)
	assert.False(t, changed)
	blocked, err := db.IsBlocked(ctx, a.ID, b.ID)
	require.NoError(t, err)
	assert.True(t, blocked)
	blocked, err = db.IsBlocked(ctx, b.ID, a.ID)
	require.NoError(t, err)
	assert.False(t, blocked, "blocking is one-sided")
	list, err := db.BlockedUsers(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{b.ID}, list)

	// Recipient: the send check in one read.
	exists, blocked, err := db.Recipient(ctx, a.ID, b.ID)
	require.NoError(t, err)
	assert.True(t, exists)
	assert.True(t, blocked, "a blocks b")
	exists, blocked, err = db.Recipient(ctx, b.ID, a.ID)
	require.NoError(t, err)
	assert.True(t, exists)
	assert.False(t, blocked, "b blocks no one")
	exists, _, err = db.Recipient(ctx, 424242, a.ID)
	require.NoError(t, err)
	assert.False(t, exists, "unknown user")
	c := newUser(t, db, "c")
	require.NoError(t, db.DeleteUser(ctx, c.ID, 5))
	exists, _, err = db.Recipient(ctx, c.ID, a.ID)
	require.NoError(t, err)
	assert.False(t, exists, "deleted user")

	alias, mute := "bee", true
	require.NoError(t, db.UpdateRosterEntry(ctx, a.ID, b.ID, store.RosterPatch{Alias: &alias, MuteNotification: &mute}, 3))
	ext := `{"k":1}`
	require.NoError(t, db.UpdateRosterEntry(ctx, a.ID, b.ID, store.RosterPatch{Ext: &ext}, 4))
	es, err := db.RosterEntries(ctx, a.ID, []int64{b.ID, 424242})
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.Equal(t, "bee", es[0].Alias)
	assert.Equal(t, ext, es[0].Ext)
	assert.True(t, es[0].MuteNotification)
	assert.Equal(t, store.RelationBlocked, es[0].Relation())

	_, err = db.SetBlocked(ctx, a.ID, b.ID, false, 5)
	require.NoError(t, err)
	e, err := db.RosterEntry(ctx, a.ID, b.ID)
	require.NoError(t, err)
	assert.Equal(t, store.RelationStranger, e.Relation())
}

func testRosterApplications(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	a, b, c := newUser(t, db, "a"), newUser(t, db, "b"), newUser(t, db, "c")

	app := store.RosterApplication{ApplicantID: a.ID, TargetID: b.ID, Alias: "bob", Reason: "hi",
		ExpiresAt: 100, CreatedAt: 1, UpdatedAt: 1}
	require.NoError(t, db.PutRosterApplication(ctx, &app))
	first := app.ID
	require.NotZero(t, first)
	// A repeated request replaces the old one with a later id.
	app.Reason = "hello"
	require.NoError(t, db.PutRosterApplication(ctx, &app))
	assert.Greater(t, app.ID, first)
	app2 := store.RosterApplication{ApplicantID: c.ID, TargetID: b.ID, ExpiresAt: 100, CreatedAt: 2, UpdatedAt: 2}
	require.NoError(t, db.PutRosterApplication(ctx, &app2))

	list, err := db.RosterApplications(ctx, b.ID, 0, 0)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "hello", list[0].Reason)
	page, err := db.RosterApplications(ctx, b.ID, list[0].ID, 1)
	require.NoError(t, err)
	require.Len(t, page, 1)
	assert.Equal(t, c.ID, page[0].ApplicantID)
	none, err := db.RosterApplications(ctx, a.ID, 0, 0)
	require.NoError(t, err)
	assert.Empty(t, none, "only received requests are listed")

	// Expired requests cannot be handled.
	assert.ErrorIs(t, db.SetRosterApplicationStatus(ctx, c.ID, b.ID, store.StatusDeclined, 100), store.ErrNotFound)
	require.NoError(t, db.SetRosterApplicationStatus(ctx, c.ID, b.ID, store.StatusDeclined, 50))
	assert.ErrorIs(t, db.SetRosterApplicationStatus(ctx, c.ID, b.ID, store.StatusAccepted, 51), store.ErrNotFound)

	// Befriending accepts the pending request and carries its alias over.
	_, err = db.AddFriendship(ctx, b.ID, a.ID, 60)
	require.NoError(t, err)
	got, err := db.GetRosterApplication(ctx, a.ID, b.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StatusAccepted, got.Status)
	e, err := db.RosterEntry(ctx, a.ID, b.ID)
	require.NoError(t, err)
	assert.Equal(t, "bob", e.Alias)
	_, err = db.GetRosterApplication(ctx, b.ID, a.ID)
	assert.ErrorIs(t, err, store.ErrNotFound)
}
