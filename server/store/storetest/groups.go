package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/store"
)

func testGroupCreateAndMembers(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	o, m1, m2 := newUser(t, db, "o"), newUser(t, db, "m1"), newUser(t, db, "m2")

	g := store.Group{OwnerID: o.ID, Name: "team", Type: store.GroupPublic, Capacity: 3,
		ReadAck: true, CreatedAt: 5, UpdatedAt: 5}
	require.NoError(t, db.CreateGroup(ctx, &g, []store.Member{{UserID: m1.ID}, {UserID: o.ID}, {UserID: m1.ID}}))
	assert.Greater(t, g.ID, m2.ID, "gids come from the uid sequence")
	assert.Equal(t, 2, g.MemberCount)

	got, err := db.GetGroup(ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, "team", got.Name)
	assert.True(t, got.ReadAck)
	assert.Equal(t, 2, got.MemberCount)
	_, err = db.GetGroup(ctx, 42)
	assert.ErrorIs(t, err, store.ErrNotFound)

	owner, err := db.GetMember(ctx, g.ID, o.ID)
	require.NoError(t, err)
	assert.Equal(t, store.RoleOwner, owner.Role)
	assert.Equal(t, int64(5), owner.JoinTime)
	_, err = db.GetMember(ctx, g.ID, m2.ID)
	assert.ErrorIs(t, err, store.ErrNotFound)

	require.ErrorIs(t, db.AddMember(ctx, store.Member{GroupID: g.ID, UserID: m1.ID, JoinTime: 6}), store.ErrConflict)
	require.NoError(t, db.AddMember(ctx, store.Member{GroupID: g.ID, UserID: m2.ID, JoinTime: 6}))
	x := newUser(t, db, "x")
	require.ErrorIs(t, db.AddMember(ctx, store.Member{GroupID: g.ID, UserID: x.ID, JoinTime: 7}), store.ErrGroupFull)

	ms, err := db.ListMembers(ctx, g.ID)
	require.NoError(t, err)
	require.Len(t, ms, 3)
	assert.Equal(t, []int64{o.ID, m1.ID, m2.ID}, []int64{ms[0].UserID, ms[1].UserID, ms[2].UserID})

	joined, err := db.JoinedGroups(ctx, m2.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{g.ID}, joined)
	pub, err := db.PublicGroups(ctx)
	require.NoError(t, err)
	assert.Equal(t, []int64{g.ID}, pub)

	// Creating over capacity fails as a whole.
	small := store.Group{OwnerID: o.ID, Name: "s", Capacity: 1, CreatedAt: 1, UpdatedAt: 1}
	require.ErrorIs(t, db.CreateGroup(ctx, &small, []store.Member{{UserID: m1.ID}}), store.ErrGroupFull)
	joined, err = db.JoinedGroups(ctx, m1.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{g.ID}, joined)
}

func testGroupUpdateTransferDestroy(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	o, m := newUser(t, db, "o"), newUser(t, db, "m")
	g := store.Group{OwnerID: o.ID, Name: "g", Capacity: 10, CreatedAt: 1, UpdatedAt: 1}
	require.NoError(t, db.CreateGroup(ctx, &g, []store.Member{{UserID: m.ID}}))

	name, ban, approval := "renamed", int64(-1), 2
	require.NoError(t, db.UpdateGroup(ctx, g.ID, store.GroupPatch{Name: &name, BanExpireTime: &ban, ApplyApproval: &approval}, 9))
	got, err := db.GetGroup(ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, "renamed", got.Name)
	assert.True(t, got.Banned(1e15))
	assert.Equal(t, 2, got.ApplyApproval)
	assert.Equal(t, int64(9), got.UpdatedAt)

	dn, mute, until := "card", 2, int64(500)
	require.NoError(t, db.UpdateMember(ctx, g.ID, m.ID, store.MemberPatch{DisplayName: &dn, MsgMuteMode: &mute, BanExpireTime: &until}))
	mem, err := db.GetMember(ctx, g.ID, m.ID)
	require.NoError(t, err)
	assert.Equal(t, "card", mem.DisplayName)
	assert.Equal(t, 2, mem.MsgMuteMode)
	assert.True(t, mem.Banned(499))
	assert.False(t, mem.Banned(500))
	assert.ErrorIs(t, db.UpdateMember(ctx, g.ID, 4242, store.MemberPatch{DisplayName: &dn}), store.ErrNotFound)

	assert.ErrorIs(t, db.TransferOwner(ctx, g.ID, 4242, 10), store.ErrNotFound)
	require.NoError(t, db.TransferOwner(ctx, g.ID, m.ID, 10))
	got, err = db.GetGroup(ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, m.ID, got.OwnerID)
	old, err := db.GetMember(ctx, g.ID, o.ID)
	require.NoError(t, err)
	assert.Equal(t, store.RoleMember, old.Role)

	require.NoError(t, db.DestroyGroup(ctx, g.ID, 11))
	assert.ErrorIs(t, db.DestroyGroup(ctx, g.ID, 12), store.ErrNotFound)
	got, err = db.GetGroup(ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, store.GroupDestroyed, got.Status)
	joined, err := db.JoinedGroups(ctx, m.ID)
	require.NoError(t, err)
	assert.Empty(t, joined)
	assert.ErrorIs(t, db.UpdateGroup(ctx, g.ID, store.GroupPatch{Name: &name}, 13), store.ErrNotFound)
	assert.ErrorIs(t, db.AddMember(ctx, store.Member{GroupID: g.ID, UserID: o.ID}), store.ErrNotFound)
}

func testGroupBlocksRequestsContent(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	o, m, x := newUser(t, db, "o"), newUser(t, db, "m"), newUser(t, db, "x")
	g := store.Group{OwnerID: o.ID, Name: "g", Capacity: 10, CreatedAt: 1, UpdatedAt: 1}
	require.NoError(t, db.CreateGroup(ctx, &g, []store.Member{{UserID: m.ID}}))

	changed, err := db.BlockGroupMember(ctx, g.ID, m.ID, 3)
	require.NoError(t, err)
	assert.True(t, changed)
	_, err = db.GetMember(ctx, g.ID, m.ID)
	assert.ErrorIs(t, err, store.ErrNotFound, "blocking removes the membership")
	blocked, err := db.IsGroupBlocked(ctx, g.ID, m.ID)
	require.NoError(t, err)
	assert.True(t, blocked)
	bs, err := db.GroupBlocks(ctx, g.ID)
	require.NoError(t, err)
	require.Len(t, bs, 1)
	assert.Equal(t, int64(3), bs[0].CreatedAt)
	require.NoError(t, db.UnblockGroupMember(ctx, g.ID, m.ID))
	assert.ErrorIs(t, db.UnblockGroupMember(ctx, g.ID, m.ID), store.ErrNotFound)

	ap := store.GroupApplication{GroupID: g.ID, ApplicantID: x.ID, Reason: "let me in", ExpiresAt: 100, CreatedAt: 1, UpdatedAt: 1}
	require.NoError(t, db.PutGroupApplication(ctx, &ap))
	got, err := db.GetGroupApplication(ctx, g.ID, x.ID)
	require.NoError(t, err)
	assert.Equal(t, "let me in", got.Reason)
	apps, err := db.GroupApplications(ctx, []int64{g.ID})
	require.NoError(t, err)
	require.Len(t, apps, 1)
	require.NoError(t, db.SetGroupApplicationStatus(ctx, g.ID, x.ID, store.StatusAccepted, 5))
	assert.ErrorIs(t, db.SetGroupApplicationStatus(ctx, g.ID, x.ID, store.StatusDeclined, 6), store.ErrNotFound)

	inv := store.GroupInvitation{GroupID: g.ID, InviterID: o.ID, InviteeID: x.ID, ExpiresAt: 100, CreatedAt: 1, UpdatedAt: 1}
	require.NoError(t, db.PutGroupInvitation(ctx, &inv))
	invs, err := db.GroupInvitations(ctx, x.ID)
	require.NoError(t, err)
	require.Len(t, invs, 1)
	assert.Equal(t, o.ID, invs[0].InviterID)
	assert.ErrorIs(t, db.SetGroupInvitationStatus(ctx, g.ID, o.ID, x.ID, store.StatusAccepted, 100), store.ErrNotFound, "expired")
	require.NoError(t, db.SetGroupInvitationStatus(ctx, g.ID, o.ID, x.ID, store.StatusAccepted, 99))

	an := store.Announcement{GroupID: g.ID, Author: o.ID, Title: "t1", Content: "c1", CreatedAt: 1}
	require.NoError(t, db.CreateAnnouncement(ctx, &an))
	an2 := store.Announcement{GroupID: g.ID, Author: o.ID, Title: "t2", Content: "c2", CreatedAt: 2}
	require.NoError(t, db.CreateAnnouncement(ctx, &an2))
	list, err := db.Announcements(ctx, g.ID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "t2", list[0].Title, "newest first")
	require.NoError(t, db.DeleteAnnouncement(ctx, g.ID, an.ID))
	_, err = db.GetAnnouncement(ctx, g.ID, an.ID)
	assert.ErrorIs(t, err, store.ErrNotFound)

	f := store.SharedFile{GroupID: g.ID, Name: "a.txt", Size: 3, Type: "text/plain", URL: "u", Uploader: o.ID, CreatedAt: 1, UpdatedAt: 1}
	require.NoError(t, db.CreateSharedFile(ctx, &f))
	sf, err := db.GetSharedFile(ctx, g.ID, f.ID)
	require.NoError(t, err)
	assert.Equal(t, "a.txt", sf.Name)
	files, err := db.SharedFiles(ctx, g.ID)
	require.NoError(t, err)
	assert.Len(t, files, 1)
	require.NoError(t, db.DeleteSharedFile(ctx, g.ID, f.ID))
	assert.ErrorIs(t, db.DeleteSharedFile(ctx, g.ID, f.ID), store.ErrNotFound)

	// Destroying removes pending requests.
	require.NoError(t, db.PutGroupApplication(ctx, &ap))
	require.NoError(t, db.DestroyGroup(ctx, g.ID, 7))
	apps, err = db.GroupApplications(ctx, []int64{g.ID})
	require.NoError(t, err)
	assert.Empty(t, apps)
}
