package ratel_test

import (
	"encoding/json"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/ratel"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/xsync"
)

// sentNotice is a recorded ratel.Notice with its payload decoded.
type sentNotice struct {
	Recipients []int64
	SkipDevice uint32
	Type       int32
	Gid        int64 // group notices only
	From       int64
	To         []int64
	Content    string
}

func xids(xs []*xsync.XID) []int64 {
	var out []int64
	for _, x := range xs {
		out = append(out, int64(x.Uid))
	}
	return out
}

// notices decodes the recorded notices of one namespace, in order, and
// forgets everything recorded so far.
func notices(t *testing.T, env *servertest.Env, ns int32) []sentNotice {
	t.Helper()
	var out []sentNotice
	for _, n := range env.Notices.Notices() {
		if n.NS != ns {
			continue
		}
		s := sentNotice{Recipients: n.To, SkipDevice: n.SkipDevice}
		switch ns {
		case ratel.NSRosterNotice:
			var rn xsync.RosterNotice
			require.NoError(t, rn.Unmarshal(n.Payload))
			require.NotNil(t, rn.From, "every RosterNotice carries from (PROTOCOL.md §17)")
			s.Type, s.From, s.To, s.Content = int32(rn.Type), int64(rn.From.Uid), xids(rn.To), rn.Content
		case ratel.NSGroupNotice:
			var gn xsync.GroupNotice
			require.NoError(t, gn.Unmarshal(n.Payload))
			require.NotNil(t, gn.Gid, "every GroupNotice carries gid")
			require.NotNil(t, gn.From, "every GroupNotice carries from")
			s.Type, s.Gid, s.From, s.To, s.Content = int32(gn.Type), int64(gn.Gid.Uid), int64(gn.From.Uid), xids(gn.To), gn.Content
		}
		assert.Equal(t, s.From, n.From, "Notice.From matches the payload's from")
		out = append(out, s)
	}
	env.Notices.Reset()
	return out
}

func rosterNotices(t *testing.T, env *servertest.Env) []sentNotice {
	t.Helper()
	return notices(t, env, ratel.NSRosterNotice)
}

func id(v int64) string { return strconv.FormatInt(v, 10) }

func code(t *testing.T, env *servertest.Env, method, path, token string, params any) int {
	t.Helper()
	c, _ := env.Do(t, method, path, token, params)
	return c
}

func setAuthMode(t *testing.T, env *servertest.Env, u servertest.User, mode int, question, answer string) {
	t.Helper()
	env.OK(t, "POST", "/user/settings", u.Token, map[string]any{"user_id": u.ID, "auth_mode": mode,
		"auth_question": question, "auth_answer": answer}, nil)
}

func friendsOf(t *testing.T, env *servertest.Env, u servertest.User) []int64 {
	t.Helper()
	var ids []int64
	env.OK(t, "GET", "/roster/list", u.Token, nil, &ids)
	return ids
}

func rosterItem(t *testing.T, env *servertest.Env, u servertest.User, other int64) ratel.RosterItem {
	t.Helper()
	var it ratel.RosterItem
	env.OK(t, "GET", "/roster/id", u.Token, url.Values{"user_id": {id(other)}}, &it)
	return it
}

func TestRosterApplyAutoAccept(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	setAuthMode(t, env, bob, 0, "", "")
	env.Notices.Reset()

	assert.Empty(t, friendsOf(t, env, alice), "an empty list, not null, for login")

	// user_id as a string: number coercion (REST.md §2.3).
	env.OK(t, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": id(bob.ID), "alias": "Bobby"}, nil)
	ns := rosterNotices(t, env)
	require.Len(t, ns, 2)
	assert.Equal(t, sentNotice{Recipients: []int64{bob.ID}, Type: int32(xsync.RosterNoticeAdded),
		From: alice.ID, To: []int64{bob.ID}}, ns[0])
	assert.Equal(t, sentNotice{Recipients: []int64{alice.ID}, Type: int32(xsync.RosterNoticeAccepted),
		From: bob.ID, To: []int64{alice.ID}}, ns[1])

	assert.Equal(t, []int64{bob.ID}, friendsOf(t, env, alice))
	assert.Equal(t, []int64{alice.ID}, friendsOf(t, env, bob))
	it := rosterItem(t, env, alice, bob.ID)
	assert.Equal(t, "Bobby", it.Alias)
	assert.Equal(t, 0, it.Relation)
	assert.Equal(t, "bob", it.Username)
	assert.Equal(t, int32(0), it.AuthMode)

	assert.Equal(t, ratel.CodeAlreadyInRoster, code(t, env, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": bob.ID}))
	assert.Equal(t, ratel.CodeAlreadyInRoster, code(t, env, "POST", "/roster/apply", bob.Token, map[string]any{"user_id": alice.ID}))
	assert.Equal(t, ratel.CodeBadParam, code(t, env, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": alice.ID}))
	assert.Equal(t, ratel.CodeUserNotExist, code(t, env, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": 42}))
	assert.Equal(t, ratel.CodeBadParam, code(t, env, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": "x"}))
	assert.Equal(t, ratel.CodeMissingToken, code(t, env, "POST", "/roster/apply", "", map[string]any{"user_id": bob.ID}))
}

func TestRosterApplyAcceptDecline(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	alice, bob, carol := env.NewUser(t, "alice"), env.NewUser(t, "bob"), env.NewUser(t, "carol")
	env.Notices.Reset()

	// Default auth_mode 1: the request waits for bob.
	env.OK(t, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": bob.ID, "alias": "B", "reason": "hi bob"}, nil)
	assert.Equal(t, []sentNotice{{Recipients: []int64{bob.ID}, Type: int32(xsync.RosterNoticeApplied),
		From: alice.ID, To: []int64{bob.ID}, Content: "hi bob"}}, rosterNotices(t, env))
	assert.Empty(t, friendsOf(t, env, alice))
	env.OK(t, "POST", "/roster/apply", carol.Token, map[string]any{"user_id": bob.ID, "reason": "carol here"}, nil)
	env.Notices.Reset()

	var apps []ratel.RosterApplicationInfo
	env.OK(t, "GET", "/roster/apply/list", bob.Token, url.Values{"cursor": {""}}, &apps)
	require.Len(t, apps, 2)
	assert.Equal(t, alice.ID, apps[0].UserID)
	assert.Equal(t, "hi bob", apps[0].Reason)
	assert.Equal(t, 0, apps[0].Status)
	assert.Greater(t, apps[0].ExpiredTime, int64(0))

	// Paging: limit 1 gives a cursor for the rest.
	resp, reply := env.DoRaw(t, "GET", "/roster/apply/list", bob.Token, url.Values{"limit": {"1"}})
	require.Equal(t, 200, resp.StatusCode)
	var env1 struct {
		Cursor string                        `json:"cursor"`
		Data   []ratel.RosterApplicationInfo `json:"data"`
	}
	require.NoError(t, json.Unmarshal(reply.Raw, &env1))
	require.Len(t, env1.Data, 1)
	require.NotEmpty(t, env1.Cursor)
	env.OK(t, "GET", "/roster/apply/list", bob.Token, url.Values{"cursor": {env1.Cursor}, "limit": {"1"}}, &apps)
	require.Len(t, apps, 1)
	assert.Equal(t, carol.ID, apps[0].UserID)

	// accept is a (q) endpoint: parameters in the query string, body {}.
	env.OK(t, "POST", "/roster/accept?user_id="+id(alice.ID), bob.Token, map[string]any{}, nil)
	assert.Equal(t, []sentNotice{{Recipients: []int64{bob.ID, alice.ID}, Type: int32(xsync.RosterNoticeAccepted),
		From: bob.ID, To: []int64{alice.ID}}}, rosterNotices(t, env))
	assert.Equal(t, []int64{alice.ID}, friendsOf(t, env, bob))
	assert.Equal(t, "B", rosterItem(t, env, alice, bob.ID).Alias, "the alias given when applying")
	assert.Equal(t, ratel.CodeApplicationMissing, code(t, env, "POST", "/roster/accept", bob.Token, url.Values{"user_id": {id(alice.ID)}}))

	env.OK(t, "POST", "/roster/decline", bob.Token, map[string]any{"user_id": carol.ID, "reason": "no"}, nil)
	assert.Equal(t, []sentNotice{{Recipients: []int64{bob.ID, carol.ID}, Type: int32(xsync.RosterNoticeDeclined),
		From: bob.ID, To: []int64{carol.ID}, Content: "no"}}, rosterNotices(t, env))
	assert.Equal(t, ratel.CodeApplicationMissing, code(t, env, "POST", "/roster/decline", bob.Token, map[string]any{"user_id": carol.ID}))
	assert.Equal(t, ratel.CodeApplicationMissing, code(t, env, "POST", "/roster/accept", bob.Token, url.Values{"user_id": {id(carol.ID)}}))
	env.OK(t, "GET", "/roster/apply/list", bob.Token, nil, &apps)
	require.Len(t, apps, 2)
	assert.Equal(t, []int{1, 2}, []int{apps[0].Status, apps[1].Status})
}

func TestRosterAuthModes(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	alice, bob, carol := env.NewUser(t, "alice"), env.NewUser(t, "bob"), env.NewUser(t, "carol")
	setAuthMode(t, env, bob, 2, "color?", "Blue")
	setAuthMode(t, env, carol, 3, "", "")

	it := rosterItem(t, env, alice, bob.ID)
	assert.Equal(t, int32(2), it.AuthMode)
	assert.Equal(t, "color?", it.AuthQuestion)
	assert.Equal(t, 2, it.Relation)

	assert.Equal(t, ratel.CodeApplicationMissing, code(t, env, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": bob.ID, "auth_answer": "red"}))
	assert.Equal(t, ratel.CodeApplicationMissing, code(t, env, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": bob.ID}))
	env.Notices.Reset()
	env.OK(t, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": bob.ID, "auth_answer": " blue "}, nil)
	assert.Len(t, rosterNotices(t, env), 2, "ADDED and ACCEPTED")
	assert.Equal(t, []int64{bob.ID}, friendsOf(t, env, alice))

	assert.Equal(t, ratel.CodeRejectsApplications, code(t, env, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": carol.ID}))
	assert.Empty(t, rosterNotices(t, env))
}

func TestRosterBlockDelete(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	setAuthMode(t, env, bob, 0, "", "")
	env.Notices.Reset()

	env.OK(t, "POST", "/roster/block", bob.Token, url.Values{"user_id": {id(alice.ID)}}, nil)
	assert.Equal(t, []sentNotice{{Recipients: []int64{bob.ID}, Type: int32(xsync.RosterNoticeBlocked),
		From: bob.ID, To: []int64{alice.ID}}}, rosterNotices(t, env))
	env.OK(t, "POST", "/roster/block", bob.Token, url.Values{"user_id": {id(alice.ID)}}, nil)
	assert.Empty(t, rosterNotices(t, env), "no change, no notice")
	var blocked []int64
	env.OK(t, "GET", "/roster/blocked_list", bob.Token, nil, &blocked)
	assert.Equal(t, []int64{alice.ID}, blocked)
	assert.Equal(t, 3, rosterItem(t, env, bob, alice.ID).Relation)
	assert.Equal(t, ratel.CodeInBlockList, code(t, env, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": bob.ID}))

	env.OK(t, "POST", "/roster/unblock", bob.Token, url.Values{"user_id": {id(alice.ID)}}, nil)
	assert.Equal(t, []sentNotice{{Recipients: []int64{bob.ID}, Type: int32(xsync.RosterNoticeUnblocked),
		From: bob.ID, To: []int64{alice.ID}}}, rosterNotices(t, env))
	env.OK(t, "GET", "/roster/blocked_list", bob.Token, nil, &blocked)
	assert.Empty(t, blocked)

	env.OK(t, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": bob.ID}, nil)
	env.Notices.Reset()
	env.OK(t, "POST", "/roster/delete", alice.Token, url.Values{"user_id": {id(bob.ID)}}, nil)
	assert.Equal(t, []sentNotice{{Recipients: []int64{alice.ID}, Type: int32(xsync.RosterNoticeRemoved),
		From: alice.ID, To: []int64{bob.ID}}}, rosterNotices(t, env))
	assert.Empty(t, friendsOf(t, env, alice))
	assert.Empty(t, friendsOf(t, env, bob), "friendship ends on both sides")
	assert.Equal(t, 1, rosterItem(t, env, alice, bob.ID).Relation, "deleted friend")
	env.OK(t, "POST", "/roster/delete", alice.Token, url.Values{"user_id": {id(bob.ID)}}, nil)
	assert.Empty(t, rosterNotices(t, env))
	assert.Equal(t, ratel.CodeUserNotExist, code(t, env, "POST", "/roster/block", alice.Token, url.Values{"user_id": {"42"}}))
}

func TestRosterListBatchAndLookup(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	alice, bob, carol := env.NewUser(t, "alice"), env.NewUser(t, "bob"), env.NewUser(t, "carol")
	setAuthMode(t, env, bob, 0, "", "")
	env.OK(t, "POST", "/user/profile", bob.Token, map[string]any{"nick_name": "Bob B", "public_info": "pub", "private_info": "secret"}, nil)
	env.OK(t, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": bob.ID}, nil)

	// list mixes strings and numbers, repeats and unknown ids (§17.19).
	var items []ratel.RosterItem
	env.OK(t, "POST", "/roster/list", alice.Token, map[string]any{
		"list": []any{id(bob.ID), carol.ID, alice.ID, 42, bob.ID}}, &items)
	require.Len(t, items, 3)
	assert.Equal(t, []int64{bob.ID, carol.ID, alice.ID}, []int64{items[0].UserID, items[1].UserID, items[2].UserID})
	assert.Equal(t, 0, items[0].Relation)
	assert.Equal(t, "Bob B", items[0].NickName)
	assert.Equal(t, "pub", items[0].PublicInfo)
	assert.NotContains(t, string(mustJSON(t, items)), "secret", "private info stays private")
	assert.Equal(t, 2, items[1].Relation, "a stranger")
	// Each item carries that user's own auth settings.
	assert.Equal(t, []int32{0, 1, 1}, []int32{items[0].AuthMode, items[1].AuthMode, items[2].AuthMode})
	setAuthMode(t, env, carol, 2, "color?", "blue")
	env.OK(t, "POST", "/roster/list", alice.Token, map[string]any{"list": []any{carol.ID, bob.ID}}, &items)
	require.Len(t, items, 2)
	assert.Equal(t, int32(2), items[0].AuthMode)
	assert.Equal(t, "color?", items[0].AuthQuestion)
	assert.NotContains(t, string(mustJSON(t, items)), "blue", "the answer is not shown")
	assert.Equal(t, int32(0), items[1].AuthMode)
	env.OK(t, "POST", "/roster/list", alice.Token, map[string]any{"list": []any{}}, &items)
	assert.Empty(t, items)
	assert.Equal(t, ratel.CodeBadParam, code(t, env, "POST", "/roster/list", alice.Token, map[string]any{"list": []any{"x"}}))

	var it ratel.RosterItem
	env.OK(t, "GET", "/roster/name", alice.Token, url.Values{"username": {"CAROL"}}, &it)
	assert.Equal(t, carol.ID, it.UserID)
	assert.Equal(t, ratel.CodeUserNotExist, code(t, env, "GET", "/roster/name", alice.Token, url.Values{"username": {"nobody"}}))
	assert.Equal(t, ratel.CodeUserNotExist, code(t, env, "GET", "/roster/id", alice.Token, url.Values{"user_id": {"42"}}))

	// GET /roster/list pages only when asked.
	setAuthMode(t, env, carol, 0, "", "")
	env.OK(t, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": carol.ID}, nil)
	resp, reply := env.DoRaw(t, "GET", "/roster/list", alice.Token, url.Values{"limit": {"1"}})
	require.Equal(t, 200, resp.StatusCode)
	var page struct {
		Cursor string  `json:"cursor"`
		Data   []int64 `json:"data"`
	}
	require.NoError(t, json.Unmarshal(reply.Raw, &page))
	assert.Equal(t, []int64{bob.ID}, page.Data)
	var rest []int64
	env.OK(t, "GET", "/roster/list", alice.Token, url.Values{"limit": {"1"}, "cursor": {page.Cursor}}, &rest)
	assert.Equal(t, []int64{carol.ID}, rest)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestRosterExtAndProfileNotices(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	td := env.Login(t, "alice", alice.Password, "guid-a")
	sn := registerDevice(t, env, alice.ID, "guid-a")
	setAuthMode(t, env, bob, 0, "", "")
	env.OK(t, "POST", "/roster/apply", alice.Token, map[string]any{"user_id": bob.ID}, nil)
	env.Notices.Reset()

	env.OK(t, "POST", "/roster/ext", td.Token, map[string]any{"user_id": id(bob.ID), "alias": "bobby"}, nil)
	ns := rosterNotices(t, env)
	require.Len(t, ns, 1)
	assert.Equal(t, int32(xsync.RosterNoticeInfoUpdated), ns[0].Type)
	assert.Equal(t, []int64{alice.ID}, ns[0].Recipients)
	assert.Equal(t, sn, ns[0].SkipDevice, "the caller's other devices")
	assert.Equal(t, []int64{bob.ID}, ns[0].To)
	assert.JSONEq(t, `{"alias":"bobby"}`, ns[0].Content)

	env.OK(t, "POST", "/roster/ext", td.Token, map[string]any{"user_id": bob.ID, "ext": `{"x":1}`, "mute_notification": "true"}, nil)
	ns = rosterNotices(t, env)
	require.Len(t, ns, 2)
	assert.JSONEq(t, `{"ext":"{\"x\":1}","mute_notification":true}`, ns[0].Content)
	assert.Equal(t, int32(xsync.RosterNoticeMuted), ns[1].Type)
	it := rosterItem(t, env, alice, bob.ID)
	assert.Equal(t, "bobby", it.Alias)
	assert.Equal(t, `{"x":1}`, it.Ext)
	assert.True(t, it.MuteNotification)
	assert.Equal(t, ratel.CodeBadParam, code(t, env, "POST", "/roster/ext", alice.Token, map[string]any{"user_id": bob.ID}))

	// bob's public profile change reaches his friends.
	env.OK(t, "POST", "/user/nickname", bob.Token, url.Values{"nick_name": {"B2"}}, nil)
	ns = rosterNotices(t, env)
	require.Len(t, ns, 1)
	assert.Equal(t, sentNotice{Recipients: []int64{alice.ID}, Type: int32(xsync.RosterNoticeInfoUpdated),
		From: bob.ID, To: []int64{bob.ID}, Content: `{"nick_name":"B2"}`}, ns[0])
}
