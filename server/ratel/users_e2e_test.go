package ratel_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/ratel"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/xsync"
)

// userNotices pulls the device's personal stream (after its Notice) and
// returns the user notices in it.
func (d device) userNotices(t *testing.T) []xsync.UserNotice {
	t.Helper()
	d.c.WaitNotice(d.user.ID)
	var out []xsync.UserNotice
	for _, m := range d.c.SyncAll(d.user.ID) {
		if un, err := m.UserNotice(); err == nil {
			out = append(out, *un)
		}
	}
	return out
}

// kicked waits for the unsolicited kick SyncDL a device gets before its
// connection is closed, and returns the notice type.
func (d device) kicked(t *testing.T) xsync.UserNoticeType {
	t.Helper()
	f, err := d.c.Take(3*time.Second, func(f *xsync.Frame) bool {
		if f.Command != xsync.CommandSync {
			return false
		}
		dl, err := f.SyncDL()
		return err == nil && dl.ClientMid == 0 && len(dl.Metas) == 1 && dl.Metas[0].Ns == xsync.NSUserNotice
	})
	require.NoError(t, err, "%s was not kicked", d.user.Name)
	dl, _ := f.SyncDL()
	assert.Equal(t, uint64(d.user.ID), dl.Xid.Uid, "kicks come on the personal stream")
	un, err := dl.Metas[0].UserNotice()
	require.NoError(t, err)
	_, err = d.c.WaitClosed(3 * time.Second)
	require.NoError(t, err, "a kicked connection is closed")
	return un.Type
}

// provisionStatus tries a login with token and returns the status.
func provisionStatus(t *testing.T, env *servertest.Env, uid int64, token, guid string) xsync.StatusCode {
	t.Helper()
	c := xsynctest.Dial(t, env.URL)
	reply := c.Provision(&xsync.Provision{Xid: &xsync.XID{Uid: uint64(uid)}, Token: token,
		OsType: xsync.OsWeb, DeviceGuid: guid})
	require.NotNil(t, reply.Status)
	return reply.Status.Code
}

// TestUserNoticesReachDevices drives the user endpoints against live XSYNC
// connections: profile and settings changes reach the caller's other
// devices (and friends, for the public profile), a password change kicks
// the other devices, and deleting the account kicks every device.
func TestUserNoticesReachDevices(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	setAuthMode(t, env, bob, 0, "", "")
	env.OK(t, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": bob.ID}, nil)
	a1 := connect(t, env, alice, "alice-1")
	a2 := connect(t, env, alice, "alice-2")
	b1 := connect(t, env, bob, "bob-1")
	a1.userNotices(t) // DEVICE_ADDED of alice-2
	for _, d := range []device{a1, a2, b1} {
		d.c.SyncAll(d.user.ID) // the roster notices of the friendship
	}

	env.OK(t, "POST", "/user/profile", a1.token, map[string]any{"nick_name": "Alice", "private_info": "p"}, nil)
	uns := a2.userNotices(t)
	require.Len(t, uns, 1)
	assert.Equal(t, xsync.UserNoticeInfoUpdated, uns[0].Type)
	assert.JSONEq(t, `{"nick_name":"Alice","private_info":"p"}`, uns[0].Content)
	rs, _ := b1.personal(t)
	require.Len(t, rs, 1, "friends hear of public profile changes")
	assert.Equal(t, xsync.RosterNoticeInfoUpdated, rs[0].Type)
	assert.Equal(t, uint64(alice.ID), rs[0].From.Uid)
	assert.NotContains(t, rs[0].Content, "private", "private fields stay private")
	a1.quiet(t)

	env.OK(t, "POST", "/user/settings", a2.token, map[string]any{"no_sounds": true}, nil)
	uns = a1.userNotices(t)
	require.Len(t, uns, 1)
	assert.Equal(t, xsync.UserNoticeInfoUpdated, uns[0].Type)
	assert.JSONEq(t, `{"no_sounds":true}`, uns[0].Content)
	a2.quiet(t)
	b1.quiet(t)

	// A password change keeps the caller and kicks the other device, whose
	// token no longer logs in.
	env.OK(t, "POST", "/user/change_password", a1.token,
		map[string]any{"old_password": alice.Password, "new_password": "changed-pw"}, nil)
	assert.Equal(t, xsync.UserNoticePasswordChanged, a2.kicked(t))
	requireUnreadOK(t, a1.c)
	assert.Equal(t, xsync.StatusInvalidToken, provisionStatus(t, env, alice.ID, a2.token, "alice-2"))
	assert.Equal(t, xsync.StatusOK, provisionStatus(t, env, alice.ID, a1.token, "alice-1"))

	// Deleting the account kicks every device, the caller's included.
	a3 := connect(t, env, servertest.User{ID: alice.ID, Name: "alice", Password: "changed-pw"}, "alice-3")
	env.OK(t, "POST", "/user/delete", a3.token, map[string]any{"password": "changed-pw"}, nil)
	assert.Equal(t, xsync.UserNoticeRemoved, a3.kicked(t))
	assert.Equal(t, xsync.StatusInvalidToken, provisionStatus(t, env, alice.ID, a3.token, "alice-3"))
	requireUnreadOK(t, b1.c)
}

func requireUnreadOK(t *testing.T, c *xsynctest.Client) {
	t.Helper()
	dl := c.Unread()
	require.NotNil(t, dl.Status)
	require.Equal(t, xsync.StatusOK, dl.Status.Code)
}

// TestSendRulesFollowREST changes relationships through the REST API and
// checks that the XSYNC gateway enforces them at once: a block stops one
// direction of a one-to-one conversation; a group ban, a ban of everyone, a
// kick and a destroyed group stop group messages.
func TestSendRulesFollowREST(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := users(t, env, "alice", "bob", "carol")
	alice, bob, carol := u[0], u[1], u[2]
	a := connect(t, env, alice, "a")
	b := connect(t, env, bob, "b")
	c := connect(t, env, carol, "c")
	status := func(d device, m *xsync.Meta) *xsync.Status {
		t.Helper()
		st := d.c.Send(m).Status
		require.NotNil(t, st)
		return st
	}
	ok := func(d device, m *xsync.Meta) {
		t.Helper()
		st := status(d, m)
		require.Equal(t, xsync.StatusOK, st.Code, st.Reason)
	}
	refused := func(d device, m *xsync.Meta, code xsync.StatusCode, reason string) {
		t.Helper()
		st := status(d, m)
		assert.Equal(t, code, st.Code)
		assert.Equal(t, reason, st.Reason)
	}

	ok(a, xsynctest.Text(bob.ID, "hi bob"))
	env.OK(t, "POST", "/roster/block", bob.Token, url.Values{"user_id": {id(alice.ID)}}, nil)
	refused(a, xsynctest.Text(bob.ID, "hi again"), xsync.StatusUnauthorized, "blocked")
	ok(b, xsynctest.Text(alice.ID, "the blocker may still write"))
	env.OK(t, "POST", "/roster/unblock", bob.Token, url.Values{"user_id": {id(alice.ID)}}, nil)
	ok(a, xsynctest.Text(bob.ID, "unblocked"))

	g := createGroup(t, env, alice, map[string]any{"name": "G", "user_list": []any{bob.ID, carol.ID}})
	gid := g.GroupID
	ok(b, xsynctest.GroupText(gid, "member speaks"))
	results(t, env, alice, "/group/ban", map[string]any{"group_id": gid, "user_list": []any{bob.ID}, "duration": 10})
	refused(b, xsynctest.GroupText(gid, "banned"), xsync.StatusUserBanned, "group banned")
	ok(c, xsynctest.GroupText(gid, "others still speak"))
	results(t, env, alice, "/group/unban", map[string]any{"group_id": gid, "user_list": []any{bob.ID}})
	ok(b, xsynctest.GroupText(gid, "unbanned"))

	env.OK(t, "POST", "/group/settings/ban_all", alice.Token, map[string]any{"group_id": gid, "duration": 10}, nil)
	refused(c, xsynctest.GroupText(gid, "all banned"), xsync.StatusUserBanned, "group banned")
	ok(a, xsynctest.GroupText(gid, "the owner is exempt"))
	env.OK(t, "POST", "/group/settings/unban_all", alice.Token, map[string]any{"group_id": gid}, nil)
	ok(c, xsynctest.GroupText(gid, "free again"))

	results(t, env, alice, "/group/kick", map[string]any{"group_id": gid, "user_list": []any{carol.ID}})
	refused(c, xsynctest.GroupText(gid, "kicked"), xsync.StatusUnauthorized, "not group member")
	env.OK(t, "POST", "/group/destroy", alice.Token, url.Values{"group_id": {id(gid)}}, nil)
	refused(a, xsynctest.GroupText(gid, "anyone?"), xsync.StatusUnauthorized, "group not exist")

	// Only accepted messages were stored: bob's conversation with alice
	// holds the three accepted ones.
	var contents []string
	for _, m := range b.c.History(alice.ID, 0, 20).Metas {
		contents = append(contents, xsynctest.Body(t, m).Content)
	}
	assert.Equal(t, []string{"unblocked", "the blocker may still write", "hi bob"}, contents)
}

// TestPasswordsAreBcryptHashed checks the stored credentials at the
// production cost: a bcrypt hash of the password, never the password.
func TestPasswordsAreBcryptHashed(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.BcryptCost = 0 })) // 0 = production default
	uid := env.Register(t, "vera", "correct horse")
	u, err := env.Server.Store().UserByID(context.Background(), uid)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(u.PasswordHash), "$2"), "a bcrypt hash")
	assert.NotContains(t, string(u.PasswordHash), "correct horse")
	cost, err := bcrypt.Cost(u.PasswordHash)
	require.NoError(t, err)
	assert.Equal(t, 10, cost)
	require.NoError(t, bcrypt.CompareHashAndPassword(u.PasswordHash, []byte("correct horse")))
}

// TestRESTConventions checks the envelope and parameter rules of REST.md §2
// on real endpoints.
func TestRESTConventions(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	alice := env.NewUser(t, "alice")

	// Success: exactly {code: 200, message: null, data}.
	resp, reply := env.DoRaw(t, "GET", "/user/profile", alice.Token, nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	var raw map[string]any
	require.NoError(t, json.Unmarshal(reply.Raw, &raw))
	assert.Len(t, raw, 3)
	assert.Equal(t, float64(200), raw["code"])
	assert.Contains(t, raw, "message")
	assert.Nil(t, raw["message"])
	assert.IsType(t, map[string]any{}, raw["data"])

	// A business error is HTTP 200 with its code, a message and null data.
	resp, reply = env.DoRaw(t, "GET", "/roster/id", alice.Token, url.Values{"user_id": {"42"}})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, ratel.CodeUserNotExist, reply.Code)
	assert.NotEmpty(t, reply.Message)
	assert.Equal(t, "null", string(reply.Data))
	// A bad token is 402, also in the query string.
	resp, reply = env.DoRaw(t, "GET", "/user/profile?access-token=expired-or-bogus", "", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, ratel.CodeTokenInvalid, reply.Code)

	// A (q) endpoint: parameters in the query string with an empty JSON body.
	env.OK(t, "POST", "/user/nickname?nick_name=FromQuery", alice.Token, map[string]any{}, nil)
	var p ratel.Profile
	env.OK(t, "GET", "/user/profile", alice.Token, nil, &p)
	assert.Equal(t, "FromQuery", p.NickName)
	// Both present: the body wins.
	env.OK(t, "POST", "/user/nickname?nick_name=FromQuery", alice.Token, map[string]any{"nick_name": "FromBody"}, nil)
	env.OK(t, "GET", "/user/profile", alice.Token, nil, &p)
	assert.Equal(t, "FromBody", p.NickName)

	// Numbers and booleans as strings.
	var gi ratel.GroupInfo
	env.OK(t, "POST", "/group/create", alice.Token, map[string]any{"name": "G", "type": "1"}, &gi)
	assert.Equal(t, 1, gi.Type)
	env.OK(t, "POST", "/group/settings/history_visible", alice.Token,
		map[string]any{"group_id": id(gi.GroupID), "value": "false"}, nil)
	env.OK(t, "GET", "/group/info", alice.Token, url.Values{"group_id": {id(gi.GroupID)}}, &gi)
	assert.False(t, gi.HistoryVisible)
	env.OK(t, "POST", "/group/settings/history_visible?group_id="+id(gi.GroupID)+"&value=true", alice.Token, map[string]any{}, nil)
	env.OK(t, "GET", "/group/info", alice.Token, url.Values{"group_id": {id(gi.GroupID)}}, &gi)
	assert.True(t, gi.HistoryVisible)
	assert.Equal(t, ratel.CodeBadParam, code(t, env, "POST", "/group/settings/history_visible", alice.Token,
		map[string]any{"group_id": gi.GroupID, "value": "perhaps"}))
}
