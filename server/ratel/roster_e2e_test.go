package ratel_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/xsync"
)

// device is one logged-in XSYNC connection of a test user.
type device struct {
	user  servertest.User
	token string // issued for this device's guid, so REST knows the caller's device
	c     *xsynctest.Client
}

func connect(t *testing.T, env *servertest.Env, u servertest.User, guid string) device {
	t.Helper()
	td := env.Login(t, u.Name, u.Password, guid)
	c := xsynctest.Dial(t, env.URL)
	c.Login(t, td.Token, u.ID, 0, guid)
	c.Unread()
	return device{user: u, token: td.Token, c: c}
}

// personal pulls the device's personal stream (after its Notice) and
// returns the roster and group notices in it.
func (d device) personal(t *testing.T) (roster []xsync.RosterNotice, group []xsync.GroupNotice) {
	t.Helper()
	d.c.WaitNotice(d.user.ID)
	for _, m := range d.c.SyncAll(d.user.ID) {
		switch m.Ns {
		case xsync.NSRosterNotice:
			var rn xsync.RosterNotice
			require.NoError(t, rn.Unmarshal(m.Payload))
			roster = append(roster, rn)
		case xsync.NSGroupNotice:
			var gn xsync.GroupNotice
			require.NoError(t, gn.Unmarshal(m.Payload))
			group = append(group, gn)
		}
	}
	return roster, group
}

// quiet asserts that no Notice for the personal stream is waiting.
func (d device) quiet(t *testing.T) {
	t.Helper()
	assert.False(t, d.c.TakeNotice(d.user.ID, 300*time.Millisecond), "no notice expected for %s", d.user.Name)
}

// TestRosterNoticesReachDevices runs roster actions against live XSYNC
// connections and checks what lands in each personal stream.
func TestRosterNoticesReachDevices(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	setAuthMode(t, env, bob, 0, "", "")
	a1 := connect(t, env, alice, "alice-1")
	a2 := connect(t, env, alice, "alice-2")
	b1 := connect(t, env, bob, "bob-1")

	env.OK(t, "POST", "/roster/apply", a1.token, map[string]any{"user_id": bob.ID}, nil)
	rs, _ := b1.personal(t)
	require.Len(t, rs, 1)
	assert.Equal(t, xsync.RosterNoticeAdded, rs[0].Type)
	assert.Equal(t, uint64(alice.ID), rs[0].From.Uid)
	assert.Equal(t, []int64{bob.ID}, xids(rs[0].To))
	for _, d := range []device{a1, a2} {
		rs, _ := d.personal(t)
		require.Len(t, rs, 1)
		assert.Equal(t, xsync.RosterNoticeAccepted, rs[0].Type)
		assert.Equal(t, uint64(bob.ID), rs[0].From.Uid)
	}

	// An alias change goes to alice's other device only.
	env.OK(t, "POST", "/roster/ext", a1.token, map[string]any{"user_id": bob.ID, "alias": "B"}, nil)
	rs, _ = a2.personal(t)
	require.Len(t, rs, 1)
	assert.Equal(t, xsync.RosterNoticeInfoUpdated, rs[0].Type)
	assert.JSONEq(t, `{"alias":"B"}`, rs[0].Content)
	a1.quiet(t)
	b1.quiet(t)
}

// TestGroupNoticesReachDevices checks the delicate group rule end to end:
// APPLY_ACCEPTED reaches only the approver and the applicant, while the other
// members learn of the join through JOINED (PROTOCOL.md §13.1, §17.14).
func TestGroupNoticesReachDevices(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := users(t, env, "alice", "bob", "carol")
	alice, bob, carol := u[0], u[1], u[2]
	a := connect(t, env, alice, "a")
	b := connect(t, env, bob, "b")
	c := connect(t, env, carol, "c")

	var gi struct {
		GroupID int64 `json:"group_id"`
	}
	env.OK(t, "POST", "/group/create", a.token, map[string]any{"name": "G", "user_list": []any{bob.ID}}, &gi)
	for _, d := range []device{a, b} {
		_, gs := d.personal(t)
		require.Len(t, gs, 1, d.user.Name)
		assert.Equal(t, xsync.GroupNoticeCreated, gs[0].Type)
		assert.Equal(t, uint64(gi.GroupID), gs[0].Gid.Uid)
	}
	results(t, env, alice, "/group/admin/add", map[string]any{"group_id": gi.GroupID, "user_list": []any{bob.ID}})
	a.personal(t)
	b.personal(t)

	env.OK(t, "POST", "/group/apply", c.token, map[string]any{"group_id": gi.GroupID, "reason": "hi"}, nil)
	for _, d := range []device{a, b} {
		_, gs := d.personal(t)
		require.Len(t, gs, 1)
		assert.Equal(t, xsync.GroupNoticeApplyed, gs[0].Type)
		assert.Equal(t, uint64(carol.ID), gs[0].From.Uid)
	}
	c.quiet(t)

	env.OK(t, "POST", "/group/apply/handle", a.token, map[string]any{"group_id": gi.GroupID, "user_id": carol.ID, "approval": true}, nil)
	for _, d := range []device{a, c} {
		_, gs := d.personal(t)
		require.Len(t, gs, 1, d.user.Name)
		assert.Equal(t, xsync.GroupNoticeApplyAccepted, gs[0].Type)
		assert.Equal(t, []int64{carol.ID}, xids(gs[0].To))
	}
	_, gs := b.personal(t)
	require.Len(t, gs, 1)
	assert.Equal(t, xsync.GroupNoticeJoined, gs[0].Type, "the other admin gets JOINED, not APPLY_ACCEPTED")
	assert.Equal(t, uint64(carol.ID), gs[0].From.Uid)
}
