package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/store"
)

func newUser(t *testing.T, db store.Users, name string) store.User {
	t.Helper()
	u := store.User{Username: name, PasswordHash: []byte("h-" + name), CreatedAt: 1, UpdatedAt: 1}
	require.NoError(t, db.CreateUser(context.Background(), &u))
	return u
}

// manyIDs returns more ids than one query chunk holds: 0…1199, with id at
// position 1100 so that the one real id sits in the third chunk.
func manyIDs(id int64) []int64 {
	ids := make([]int64, 1200)
	for i := range ids {
		ids[i] = int64(i)
	}
	ids[1100] = id
	return ids
}

func testClosedStore(t *testing.T, open Opener) {
	db := open(t)
	require.NoError(t, db.Close())
	require.NoError(t, db.Close(), "Close is idempotent")
	_, err := db.NextEntityID(context.Background())
	assert.ErrorIs(t, err, store.ErrClosed)
	_, err = db.UserByID(context.Background(), 1)
	assert.ErrorIs(t, err, store.ErrClosed)
}

func testEntityIDsShared(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	first, err := db.NextEntityID(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(store.FirstEntityID), first)
	u := newUser(t, db, "bob")
	assert.Equal(t, first+1, u.ID, "users draw from the same sequence")

	// Concurrent draws never collide.
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				id, err := db.NextEntityID(ctx)
				assert.NoError(t, err)
				mu.Lock()
				assert.False(t, seen[id], "duplicate id %d", id)
				seen[id] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Len(t, seen, 160)
}

func testCreateUserConflicts(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	a := newUser(t, db, "Alice")

	dup := store.User{Username: "alice", CreatedAt: 1, UpdatedAt: 1}
	assert.ErrorIs(t, db.CreateUser(ctx, &dup), store.ErrConflict, "names are case-insensitive")
	assert.Zero(t, dup.ID)

	got, err := db.UserByName(ctx, "ALICE")
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.ID)
	assert.Equal(t, []byte("h-Alice"), got.PasswordHash)

	s, err := db.UserSettings(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, store.DefaultUserSettings(a.ID), s, "settings are created with the user")

	m := "+86 138"
	require.NoError(t, db.UpdateProfile(ctx, a.ID, store.ProfilePatch{Mobile: &m}, 5))
	b := store.User{Username: "bob", Mobile: m, CreatedAt: 1, UpdatedAt: 1}
	assert.ErrorIs(t, db.CreateUser(ctx, &b), store.ErrConflict, "mobiles are unique")
	b.Mobile = ""
	require.NoError(t, db.CreateUser(ctx, &b))
	assert.ErrorIs(t, db.UpdateProfile(ctx, b.ID, store.ProfilePatch{Mobile: &m}, 6), store.ErrConflict)
	empty := ""
	require.NoError(t, db.UpdateProfile(ctx, b.ID, store.ProfilePatch{Mobile: &empty}, 6), "empty mobiles do not collide")

	byMobile, err := db.UserByMobile(ctx, m)
	require.NoError(t, err)
	assert.Equal(t, a.ID, byMobile.ID)
	_, err = db.UserByMobile(ctx, "")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testProfileAndLookups(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	a := newUser(t, db, "carol")
	nick, email := "Caro", "Carol@Example.com"
	require.NoError(t, db.UpdateProfile(ctx, a.ID, store.ProfilePatch{NickName: &nick, Email: &email}, 99))
	got, err := db.UserByID(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "Caro", got.NickName)
	assert.Equal(t, int64(99), got.UpdatedAt)
	assert.Equal(t, "", got.Description, "untouched fields stay")

	byMail, err := db.UserByEmail(ctx, "carol@example.com")
	require.NoError(t, err)
	assert.Equal(t, a.ID, byMail.ID)

	assert.ErrorIs(t, db.UpdateProfile(ctx, 1, store.ProfilePatch{NickName: &nick}, 1), store.ErrNotFound)
	_, err = db.UserByID(ctx, 1)
	assert.ErrorIs(t, err, store.ErrNotFound)

	b := newUser(t, db, "dave")
	list, err := db.UsersByIDs(ctx, []int64{a.ID, 12345, b.ID})
	require.NoError(t, err)
	assert.Len(t, list, 2)

	// More ids than one query chunk.
	list, err = db.UsersByIDs(ctx, manyIDs(b.ID))
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, b.ID, list[0].ID)

	require.NoError(t, db.SetPasswordHash(ctx, a.ID, []byte("new"), 100))
	got, _ = db.UserByID(ctx, a.ID)
	assert.Equal(t, []byte("new"), got.PasswordHash)
}

func testSettingsPatch(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	a := newUser(t, db, "erin")
	mode, q, yes, hour := int32(2), "color?", true, int32(22)
	s, err := db.UpdateUserSettings(ctx, a.ID, store.SettingsPatch{AuthMode: &mode, AuthQuestion: &q,
		NoPush: &yes, NoPushStartHour: &hour})
	require.NoError(t, err)
	assert.Equal(t, int32(2), s.AuthMode)
	assert.Equal(t, "color?", s.AuthQuestion)
	assert.True(t, s.NoPush)
	assert.Equal(t, int32(22), s.NoPushStartHour)
	assert.True(t, s.Vibratory, "untouched default kept")

	s2, err := db.UpdateUserSettings(ctx, a.ID, store.SettingsPatch{})
	require.NoError(t, err)
	assert.Equal(t, s, s2, "an empty patch changes nothing")

	_, err = db.UpdateUserSettings(ctx, 1, store.SettingsPatch{AuthMode: &mode})
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testUserSettingsByIDs(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	a, b := newUser(t, db, "fay"), newUser(t, db, "gus")
	mode := int32(3)
	_, err := db.UpdateUserSettings(ctx, b.ID, store.SettingsPatch{AuthMode: &mode})
	require.NoError(t, err)

	got, err := db.UserSettingsByIDs(ctx, []int64{b.ID, 42, a.ID})
	require.NoError(t, err)
	byID := map[int64]store.UserSettings{}
	for _, s := range got {
		byID[s.UserID] = s
	}
	require.Len(t, byID, 2, "unknown ids are skipped")
	for _, u := range []store.User{a, b} {
		one, err := db.UserSettings(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, one, byID[u.ID], "the batch reads what the single lookup reads")
	}
	assert.Equal(t, int32(3), byID[b.ID].AuthMode)

	got, err = db.UserSettingsByIDs(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, got)

	// More ids than one chunk of bound parameters.
	got, err = db.UserSettingsByIDs(ctx, manyIDs(a.ID))
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, a.ID, got[0].UserID)
}

func testDeleteUserFreesNameAndDropsCredentials(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	a := newUser(t, db, "frank")
	require.NoError(t, db.CreateToken(ctx, store.Token{Hash: store.HashToken("t"), UserID: a.ID, CreatedAt: 1, ExpiresAt: 1000}))
	_, _, err := db.RegisterDevice(ctx, store.DeviceRegistration{UserID: a.ID, GUID: "g", Now: 1})
	require.NoError(t, err)

	require.NoError(t, db.DeleteUser(ctx, a.ID, 50))
	assert.ErrorIs(t, db.DeleteUser(ctx, a.ID, 51), store.ErrNotFound, "already deleted")

	got, err := db.UserByID(ctx, a.ID)
	require.NoError(t, err, "the row stays")
	assert.True(t, got.Deleted())
	assert.Empty(t, got.PasswordHash)
	_, err = db.UserByName(ctx, "frank")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.LookupToken(ctx, store.HashToken("t"), 2)
	assert.ErrorIs(t, err, store.ErrNotFound)
	devs, err := db.ListDevices(ctx, a.ID)
	require.NoError(t, err)
	assert.Empty(t, devs)

	again := newUser(t, db, "frank")
	assert.NotEqual(t, a.ID, again.ID, "the name is free again, with a new id")
}

func testTokens(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	a := newUser(t, db, "gina")
	b := newUser(t, db, "hank")
	mk := func(tok string, uid int64, guid string, exp int64) {
		require.NoError(t, db.CreateToken(ctx, store.Token{Hash: store.HashToken(tok), UserID: uid,
			DeviceGUID: guid, CreatedAt: 1, ExpiresAt: exp}))
	}
	mk("a1", a.ID, "ga", 100)
	mk("a2", a.ID, "gb", 200)
	mk("a3", a.ID, "", 300)
	mk("b1", b.ID, "ga", 100)
	assert.ErrorIs(t, db.CreateToken(ctx, store.Token{Hash: store.HashToken("a1"), UserID: a.ID}), store.ErrConflict)
	assert.Error(t, db.CreateToken(ctx, store.Token{UserID: a.ID}), "empty hash")
	assert.Error(t, db.CreateToken(ctx, store.Token{Hash: store.HashToken("x"), UserID: 42}), "foreign key to users")

	tk, err := db.LookupToken(ctx, store.HashToken("a2"), 199)
	require.NoError(t, err)
	assert.Equal(t, a.ID, tk.UserID)
	assert.Equal(t, "gb", tk.DeviceGUID)
	_, err = db.LookupToken(ctx, store.HashToken("a2"), 200)
	assert.ErrorIs(t, err, store.ErrNotFound, "expired at expires_at")
	_, err = db.LookupToken(ctx, store.HashToken("nope"), 0)
	assert.ErrorIs(t, err, store.ErrNotFound)

	mk("a4", a.ID, "gb", 400)
	n, err := db.DeleteToken(ctx, store.HashToken("a4"))
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	_, err = db.LookupToken(ctx, store.HashToken("a4"), 0)
	assert.ErrorIs(t, err, store.ErrNotFound, "deleted")
	n, err = db.DeleteToken(ctx, store.HashToken("a4"))
	require.NoError(t, err)
	assert.Zero(t, n, "already gone")
	_, err = db.LookupToken(ctx, store.HashToken("a2"), 0)
	require.NoError(t, err, "the other token of the same device stays")

	n, err = db.DeleteDeviceTokens(ctx, a.ID, "ga")
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	n, err = db.DeleteDeviceTokens(ctx, a.ID, "")
	require.NoError(t, err)
	assert.Zero(t, n, "tokens without a guid belong to no device")
	_, err = db.LookupToken(ctx, store.HashToken("b1"), 0)
	require.NoError(t, err, "other users' tokens untouched")

	n, err = db.DeleteUserTokens(ctx, a.ID, store.HashToken("a3"))
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	_, err = db.LookupToken(ctx, store.HashToken("a3"), 0)
	require.NoError(t, err, "the kept token survives")

	n, err = db.DeleteExpiredTokens(ctx, 100)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "b1 expired")
	n, err = db.DeleteUserTokens(ctx, a.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
}

func testRegisterDevice(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	u := newUser(t, db, "ivy")
	reg := func(guid string, offered uint32, max int) (store.Device, bool, error) {
		return db.RegisterDevice(ctx, store.DeviceRegistration{UserID: u.ID, GUID: guid, OfferedSN: offered,
			Platform: 6, UserAgent: "Web", Now: 10, MaxDevices: max})
	}
	d1, created, err := reg("g1", 0, 3)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, uint32(1), d1.SN, "smallest free SN")

	d2, created, err := reg("g2", 7, 3)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, uint32(7), d2.SN, "a free offered SN is taken")

	d3, _, err := reg("g3", 7, 3)
	require.NoError(t, err)
	assert.Equal(t, uint32(2), d3.SN, "a taken offered SN is replaced by the smallest free one")

	again, created, err := db.RegisterDevice(ctx, store.DeviceRegistration{UserID: u.ID, GUID: "g2",
		OfferedSN: 99, Platform: 1, UserAgent: "iOS", Now: 20, MaxDevices: 3})
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, uint32(7), again.SN, "a known installation keeps its SN")
	assert.Equal(t, int64(20), again.LastSeen)

	_, _, err = reg("g4", 0, 3)
	assert.ErrorIs(t, err, store.ErrTooManyDevices)
	_, _, err = reg("", 0, 0)
	assert.Error(t, err, "a guid is required")

	devs, err := db.ListDevices(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, devs, 3)
	assert.Equal(t, []uint32{1, 2, 7}, []uint32{devs[0].SN, devs[1].SN, devs[2].SN})
	assert.Equal(t, "iOS", devs[2].UserAgent)

	byGUID, err := db.DeviceByGUID(ctx, u.ID, "g3")
	require.NoError(t, err)
	assert.Equal(t, uint32(2), byGUID.SN)

	require.NoError(t, db.SetDevicePushToken(ctx, u.ID, 1, "tok", "apns"))
	d, err := db.Device(ctx, u.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, "tok", d.PushToken)
	assert.Equal(t, "apns", d.NotifierName)
	assert.ErrorIs(t, db.SetDevicePushToken(ctx, u.ID, 50, "t", "n"), store.ErrNotFound)

	require.NoError(t, db.TouchDevice(ctx, u.ID, 1, 1000))
	require.NoError(t, db.RemoveDevice(ctx, u.ID, 2))
	assert.ErrorIs(t, db.RemoveDevice(ctx, u.ID, 2), store.ErrNotFound)
	d4, _, err := reg("g4", 0, 3)
	require.NoError(t, err)
	assert.Equal(t, uint32(2), d4.SN, "freed SNs are reused")

	stale, err := db.RemoveStaleDevices(ctx, 100)
	require.NoError(t, err)
	require.Len(t, stale, 2, "g2 (seen 20) and g4 (seen 10)")
	devs, _ = db.ListDevices(ctx, u.ID)
	require.Len(t, devs, 1)
	assert.Equal(t, uint32(1), devs[0].SN)
}

func testRegisterDeviceConcurrentSameUser(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	u := newUser(t, db, "jack")
	var wg sync.WaitGroup
	sns := make([]uint32, 10)
	for i := range sns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, _, err := db.RegisterDevice(ctx, store.DeviceRegistration{UserID: u.ID,
				GUID: string(rune('a' + i)), Now: 1})
			assert.NoError(t, err)
			sns[i] = d.SN
		}()
	}
	wg.Wait()
	seen := map[uint32]bool{}
	for _, sn := range sns {
		assert.False(t, seen[sn], "SN %d assigned twice", sn)
		seen[sn] = true
	}
}
