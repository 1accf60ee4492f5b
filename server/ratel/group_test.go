package ratel_test

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/ratel"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/xsync"
)

func groupNotices(t *testing.T, env *servertest.Env) []sentNotice {
	t.Helper()
	return notices(t, env, ratel.NSGroupNotice)
}

// expectGroupNotice checks one decoded group notice; recipients compare as
// a set.
func expectGroupNotice(t *testing.T, n sentNotice, typ xsync.GroupNoticeType, gid, from int64, to []int64, recipients ...int64) {
	t.Helper()
	assert.Equal(t, int32(typ), n.Type, "type %s", typ)
	assert.Equal(t, gid, n.Gid, "gid of %s", typ)
	assert.Equal(t, from, n.From, "from of %s", typ)
	assert.Equal(t, to, n.To, "to of %s", typ)
	assert.ElementsMatch(t, recipients, n.Recipients, "recipients of %s", typ)
}

func createGroup(t *testing.T, env *servertest.Env, owner servertest.User, params map[string]any) ratel.GroupInfo {
	t.Helper()
	var gi ratel.GroupInfo
	env.OK(t, "POST", "/group/create", owner.Token, params, &gi)
	require.NotZero(t, gi.GroupID)
	env.Notices.Reset()
	return gi
}

func groupInfo(t *testing.T, env *servertest.Env, u servertest.User, gid int64) ratel.GroupInfo {
	t.Helper()
	var gi ratel.GroupInfo
	env.OK(t, "GET", "/group/info", u.Token, url.Values{"group_id": {id(gid)}}, &gi)
	return gi
}

func joined(t *testing.T, env *servertest.Env, u servertest.User) []int64 {
	t.Helper()
	var ids []int64
	env.OK(t, "GET", "/group/user_joined", u.Token, nil, &ids)
	return ids
}

func results(t *testing.T, env *servertest.Env, u servertest.User, path string, params map[string]any) []ratel.GroupResult {
	t.Helper()
	var rs []ratel.GroupResult
	env.OK(t, "POST", path, u.Token, params, &rs)
	return rs
}

func users(t *testing.T, env *servertest.Env, names ...string) []servertest.User {
	t.Helper()
	out := make([]servertest.User, len(names))
	for i, n := range names {
		out[i] = env.NewUser(t, n)
	}
	return out
}

func TestGroupCreateInfoLists(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := users(t, env, "alice", "bob", "carol", "dave")
	alice, bob, carol, dave := u[0], u[1], u[2], u[3]
	assert.Empty(t, joined(t, env, alice), "an empty list, not null, for login")
	env.Notices.Reset()

	var gi ratel.GroupInfo
	env.OK(t, "POST", "/group/create", alice.Token, map[string]any{"name": "Team", "type": 1,
		"description": "d", "user_list": []any{bob.ID, id(carol.ID), bob.ID}}, &gi)
	assert.Equal(t, "Team", gi.Name)
	assert.Equal(t, alice.ID, gi.OwnerID)
	assert.Equal(t, 3, gi.Count)
	assert.Equal(t, 1, gi.Type)
	assert.Equal(t, 0, gi.Status)
	assert.Greater(t, gi.GroupID, dave.ID, "gids and uids share one sequence")
	ns := groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeCreated, gi.GroupID, alice.ID, nil, alice.ID, bob.ID, carol.ID)
	gid := gi.GroupID

	assert.Equal(t, ratel.CodeUserNotExist, code(t, env, "POST", "/group/create", alice.Token, map[string]any{"name": "x", "user_list": []any{42}}))
	assert.Equal(t, ratel.CodeBadParam, code(t, env, "POST", "/group/create", alice.Token, map[string]any{"name": "x", "type": 7}))
	assert.Equal(t, ratel.CodeBadParam, code(t, env, "POST", "/group/create", alice.Token, map[string]any{"type": 0}))
	assert.Equal(t, ratel.CodeGroupFull, code(t, env, "POST", "/group/create", alice.Token, map[string]any{"name": "x", "capacity": 2, "user_list": []any{bob.ID, carol.ID}}))
	assert.Empty(t, groupNotices(t, env))

	// Info is readable by non-members; the per-member fields are the caller's.
	other := groupInfo(t, env, dave, gid)
	assert.Equal(t, "d", other.Description)
	assert.Equal(t, ratel.CodeGroupNotExist, code(t, env, "GET", "/group/info", dave.Token, url.Values{"group_id": {"42"}}))
	assert.Equal(t, ratel.CodeNotGroupMember, code(t, env, "GET", "/group/settings", dave.Token, url.Values{"group_id": {id(gid)}}))
	assert.Equal(t, ratel.CodeGroupNotExist, code(t, env, "GET", "/group/settings", dave.Token, url.Values{"group_id": {"42"}}))
	var settings ratel.GroupInfo
	env.OK(t, "GET", "/group/settings", bob.Token, url.Values{"group_id": {id(gid)}}, &settings)
	assert.Equal(t, gid, settings.GroupID)

	// Batch info: ids as strings or numbers, unknown ones skipped; owner
	// (not owner_id) in each brief.
	var briefs []map[string]any
	env.OK(t, "POST", "/group/info/batch", bob.Token, map[string]any{"group_list": []any{id(gid), 42}}, &briefs)
	require.Len(t, briefs, 1)
	assert.EqualValues(t, alice.ID, briefs[0]["owner"])
	assert.EqualValues(t, 3, briefs[0]["count"])
	assert.NotContains(t, briefs[0], "owner_id")

	assert.Equal(t, []int64{gid}, joined(t, env, bob))
	assert.Empty(t, joined(t, env, dave))
	var pub []int64
	env.OK(t, "GET", "/group/public_list", dave.Token, nil, &pub)
	assert.Equal(t, []int64{gid}, pub)
}

func TestGroupInfoAndSettings(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := users(t, env, "alice", "bob", "carol")
	alice, bob, carol := u[0], u[1], u[2]
	g := createGroup(t, env, alice, map[string]any{"name": "G", "user_list": []any{bob.ID, carol.ID}})
	gid := g.GroupID
	all := []int64{alice.ID, bob.ID, carol.ID}

	// member_modify is off: an ordinary member needs it (20011).
	assert.Equal(t, ratel.CodeMemberRequired, code(t, env, "POST", "/group/info/name", bob.Token, map[string]any{"group_id": gid, "value": "X"}))
	assert.Equal(t, ratel.CodeAdminRequired, code(t, env, "POST", "/group/settings/allow_member_modify", bob.Token, map[string]any{"group_id": gid, "value": true}))
	env.OK(t, "POST", "/group/settings/allow_member_modify", alice.Token, map[string]any{"group_id": id(gid), "value": "true"}, nil)
	ns := groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeInfoUpdated, gid, alice.ID, nil, all...)
	assert.JSONEq(t, `{"property":"member_modify","member_modify":true}`, ns[0].Content)

	for field, value := range map[string]string{"name": "New", "avatar": "obj1", "description": "about", "ext": `{"a":1}`} {
		env.OK(t, "POST", "/group/info/"+field, bob.Token, map[string]any{"group_id": gid, "value": value}, nil)
		ns = groupNotices(t, env)
		require.Len(t, ns, 1, field)
		expectGroupNotice(t, ns[0], xsync.GroupNoticeInfoUpdated, gid, bob.ID, nil, all...)
		want, _ := json.Marshal(map[string]any{"property": field, field: value})
		assert.JSONEq(t, string(want), ns[0].Content)
	}
	gi := groupInfo(t, env, carol, gid)
	assert.Equal(t, "New", gi.Name)
	assert.Equal(t, "obj1", gi.Avatar)
	assert.Equal(t, `{"a":1}`, gi.Ext)
	assert.Equal(t, ratel.CodeBadParam, code(t, env, "POST", "/group/info/name", bob.Token, map[string]any{"group_id": gid, "value": ""}))

	for path, prop := range map[string]string{"allow_member_invitation": "member_invite", "enable_read_ack": "read_ack",
		"history_visible": "history_visible", "hide_member_info": "hide_member_info"} {
		env.OK(t, "POST", "/group/settings/"+path, alice.Token, map[string]any{"group_id": gid, "value": false}, nil)
		ns = groupNotices(t, env)
		require.Len(t, ns, 1, path)
		assert.JSONEq(t, `{"property":"`+prop+`","`+prop+`":false}`, ns[0].Content)
	}
	env.OK(t, "POST", "/group/settings/enable_read_ack", alice.Token, map[string]any{"group_id": gid, "value": true}, nil)
	groupNotices(t, env)
	gi = groupInfo(t, env, bob, gid)
	assert.True(t, gi.ReadAck)
	assert.False(t, gi.MemberInvite)
	assert.False(t, gi.HistoryVisible)

	assert.Equal(t, ratel.CodeBadParam, code(t, env, "POST", "/group/settings/require_admin_approval", alice.Token, map[string]any{"group_id": gid, "apply_approval": 5}))
	env.OK(t, "POST", "/group/settings/require_admin_approval", alice.Token, map[string]any{"group_id": gid, "apply_approval": "2"}, nil)
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	assert.JSONEq(t, `{"property":"apply_approval","apply_approval":2}`, ns[0].Content)
	assert.Equal(t, 2, groupInfo(t, env, bob, gid).ApplyApproval)

	// Whole-group ban: INFO_UPDATED carries ban_expire_time as a number.
	before := time.Now().UnixMilli()
	var ban ratel.BanAllResult
	env.OK(t, "POST", "/group/settings/ban_all", alice.Token, map[string]any{"group_id": gid, "duration": 10}, &ban)
	assert.InDelta(t, before+600_000, ban.BanExpireTime, 5000)
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	var content map[string]any
	require.NoError(t, json.Unmarshal([]byte(ns[0].Content), &content))
	assert.Equal(t, "ban_expire_time", content["property"])
	assert.InDelta(t, float64(ban.BanExpireTime), content["ban_expire_time"], 0)
	env.OK(t, "POST", "/group/settings/ban_all", alice.Token, map[string]any{"group_id": gid}, &ban)
	assert.Equal(t, int64(-1), ban.BanExpireTime)
	assert.JSONEq(t, `{"property":"ban_expire_time","ban_expire_time":-1}`, groupNotices(t, env)[0].Content)
	assert.Equal(t, int64(-1), groupInfo(t, env, bob, gid).BanExpireTime)
	env.OK(t, "POST", "/group/settings/unban_all", alice.Token, map[string]any{"group_id": gid}, nil)
	assert.JSONEq(t, `{"property":"ban_expire_time","ban_expire_time":0}`, groupNotices(t, env)[0].Content)
	assert.Equal(t, ratel.CodeAdminRequired, code(t, env, "POST", "/group/settings/ban_all", bob.Token, map[string]any{"group_id": gid}))

	// Mute mode: MUTED/UNMUTED to the caller only, data null.
	c, data := env.Do(t, "POST", "/group/msg/mute_mode", bob.Token, map[string]any{"group_id": gid, "msg_mute_mode": 1})
	require.Equal(t, ratel.CodeOK, c)
	assert.Equal(t, "null", string(data))
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeMuted, gid, bob.ID, nil, bob.ID)
	assert.Equal(t, 1, groupInfo(t, env, bob, gid).MsgMuteMode)
	assert.Equal(t, 0, groupInfo(t, env, carol, gid).MsgMuteMode, "per member")
	env.OK(t, "POST", "/group/msg/mute_mode", bob.Token, map[string]any{"group_id": gid, "msg_mute_mode": 0}, nil)
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeUnmuted, gid, bob.ID, nil, bob.ID)
	assert.Equal(t, ratel.CodeBadParam, code(t, env, "POST", "/group/msg/mute_mode", bob.Token, map[string]any{"group_id": gid, "msg_mute_mode": 3}))

	assert.Equal(t, ratel.CodeBadPushMode, code(t, env, "POST", "/group/msg/push_mode", bob.Token, map[string]any{"group_id": gid, "msg_push_mode": 7}))
	env.OK(t, "POST", "/group/msg/push_mode", bob.Token, map[string]any{"group_id": gid, "msg_push_mode": 3}, nil)
	assert.Equal(t, 3, groupInfo(t, env, bob, gid).MsgPushMode)
	var ok bool
	env.OK(t, "POST", "/group/msg/not_disturb", bob.Token, map[string]any{"group_id": gid, "value": true}, &ok)
	assert.True(t, ok)
	assert.Empty(t, groupNotices(t, env))

	// Display names: INFO_UPDATED from the member whose card changed.
	env.OK(t, "POST", "/group/display_name", bob.Token, map[string]any{"group_id": gid, "value": "Bobby"}, nil)
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeInfoUpdated, gid, bob.ID, nil, all...)
	assert.JSONEq(t, `{"property":"display_name","display_name":"Bobby"}`, ns[0].Content)
	var ms []ratel.MemberInfo
	env.OK(t, "POST", "/group/members/display_name", carol.Token, map[string]any{"group_id": gid, "user_list": []any{id(bob.ID), 42}}, &ms)
	require.Len(t, ms, 1)
	assert.Equal(t, "Bobby", ms[0].DisplayName)

	env.OK(t, "GET", "/group/member_list", carol.Token, url.Values{"group_id": {id(gid)}}, &ms)
	require.Len(t, ms, 3)
	assert.Equal(t, []int64{alice.ID, bob.ID, carol.ID}, []int64{ms[0].UserID, ms[1].UserID, ms[2].UserID})
	assert.Greater(t, ms[0].JoinTime, int64(0))
	resp, reply := env.DoRaw(t, "GET", "/group/member_list", carol.Token, url.Values{"group_id": {id(gid)}, "limit": {"2"}})
	require.Equal(t, 200, resp.StatusCode)
	var page struct {
		Cursor string             `json:"cursor"`
		Data   []ratel.MemberInfo `json:"data"`
	}
	require.NoError(t, json.Unmarshal(reply.Raw, &page))
	assert.Len(t, page.Data, 2)
	env.OK(t, "GET", "/group/member_list", carol.Token, url.Values{"group_id": {id(gid)}, "limit": {"2"}, "cursor": {page.Cursor}}, &ms)
	require.Len(t, ms, 1)
	assert.Equal(t, carol.ID, ms[0].UserID)
}

func TestGroupAdminsTransferKickLeaveDestroy(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := users(t, env, "alice", "bob", "carol", "dave")
	alice, bob, carol, dave := u[0], u[1], u[2], u[3]
	g := createGroup(t, env, alice, map[string]any{"name": "G", "user_list": []any{bob.ID, carol.ID, dave.ID}})
	gid := g.GroupID

	rs := results(t, env, alice, "/group/admin/add", map[string]any{"group_id": gid, "user_list": []any{bob.ID, dave.ID, 42, alice.ID}})
	require.Len(t, rs, 4)
	assert.Equal(t, []string{"success", "success", "fail", "fail"}, []string{rs[0].Result, rs[1].Result, rs[2].Result, rs[3].Result})
	assert.NotEmpty(t, rs[2].Reason)
	ns := groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeAdminGranted, gid, alice.ID, []int64{bob.ID, dave.ID}, alice.ID, bob.ID, carol.ID, dave.ID)
	assert.Equal(t, ratel.CodeOwnerRequired, code(t, env, "POST", "/group/admin/add", bob.Token, map[string]any{"group_id": gid, "user_list": []any{carol.ID}}))
	var admins []ratel.MemberInfo
	env.OK(t, "GET", "/group/admin_list", carol.Token, url.Values{"group_id": {id(gid)}}, &admins)
	assert.Len(t, admins, 2)

	// An admin kicks ordinary members, not other admins or the owner.
	rs = results(t, env, bob, "/group/kick", map[string]any{"group_id": gid, "user_list": []any{carol.ID, dave.ID, alice.ID, bob.ID}})
	assert.Equal(t, []string{"success", "fail", "fail", "fail"}, []string{rs[0].Result, rs[1].Result, rs[2].Result, rs[3].Result})
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeKicked, gid, bob.ID, []int64{carol.ID}, alice.ID, bob.ID, dave.ID, carol.ID)
	assert.Empty(t, joined(t, env, carol))
	assert.Equal(t, ratel.CodeNotGroupMember, code(t, env, "GET", "/group/member_list", carol.Token, url.Values{"group_id": {id(gid)}}))
	assert.Equal(t, ratel.CodeNotGroupMember, code(t, env, "POST", "/group/kick", carol.Token, map[string]any{"group_id": gid, "user_list": []any{dave.ID}}))

	rs = results(t, env, alice, "/group/admin/remove", map[string]any{"group_id": gid, "user_list": []any{dave.ID}})
	assert.Equal(t, "success", rs[0].Result)
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeAdminRevoked, gid, alice.ID, []int64{dave.ID}, alice.ID, bob.ID, dave.ID)

	assert.Equal(t, ratel.CodeTransferNotMember, code(t, env, "POST", "/group/transfer", alice.Token, map[string]any{"group_id": gid, "new_owner": carol.ID}))
	assert.Equal(t, ratel.CodeOwnerRequired, code(t, env, "POST", "/group/transfer", bob.Token, map[string]any{"group_id": gid, "new_owner": bob.ID}))
	var tr ratel.GroupResult
	env.OK(t, "POST", "/group/transfer", alice.Token, map[string]any{"group_id": id(gid), "new_owner": id(bob.ID)}, &tr)
	assert.Equal(t, ratel.GroupResult{UserID: bob.ID, Result: "success"}, tr)
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeOwnerAssigned, gid, alice.ID, []int64{bob.ID}, alice.ID, bob.ID, dave.ID)
	assert.Equal(t, bob.ID, groupInfo(t, env, dave, gid).OwnerID)

	// leave is a (q) endpoint.
	assert.Equal(t, ratel.CodeOwnerCannotLeave, code(t, env, "POST", "/group/leave", bob.Token, url.Values{"group_id": {id(gid)}}))
	env.OK(t, "POST", "/group/leave?group_id="+id(gid), alice.Token, map[string]any{}, nil)
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeLeaved, gid, alice.ID, nil, alice.ID, bob.ID, dave.ID)
	assert.Equal(t, ratel.CodeNotGroupMember, code(t, env, "POST", "/group/leave", alice.Token, url.Values{"group_id": {id(gid)}}))

	assert.Equal(t, ratel.CodeOwnerRequired, code(t, env, "POST", "/group/destroy", dave.Token, url.Values{"group_id": {id(gid)}}))
	env.OK(t, "POST", "/group/destroy", bob.Token, url.Values{"group_id": {id(gid)}}, nil)
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeDestroyed, gid, bob.ID, nil, bob.ID, dave.ID)
	assert.Equal(t, 1, groupInfo(t, env, dave, gid).Status, "a destroyed group still answers info")
	assert.Empty(t, joined(t, env, dave))
	assert.Equal(t, ratel.CodeGroupNotExist, code(t, env, "GET", "/group/member_list", dave.Token, url.Values{"group_id": {id(gid)}}))
	assert.Equal(t, ratel.CodeGroupNotExist, code(t, env, "POST", "/group/destroy", bob.Token, url.Values{"group_id": {id(gid)}}))
}

func setGroupConfirm(t *testing.T, env *servertest.Env, u servertest.User, on bool) {
	t.Helper()
	env.OK(t, "POST", "/user/settings", u.Token, map[string]any{"user_id": u.ID, "group_confirm": on}, nil)
}

func TestGroupApply(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := users(t, env, "alice", "bob", "carol", "dave", "erin", "frank")
	alice, bob, carol, dave, erin, frank := u[0], u[1], u[2], u[3], u[4], u[5]
	open := createGroup(t, env, alice, map[string]any{"name": "open", "apply_approval": 0, "capacity": 3, "user_list": []any{bob.ID}})

	var r ratel.GroupResult
	env.OK(t, "POST", "/group/apply", carol.Token, map[string]any{"group_id": id(open.GroupID), "reason": "hi"}, &r)
	assert.Equal(t, ratel.GroupResult{UserID: carol.ID, Result: "success"}, r)
	ns := groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeJoined, open.GroupID, carol.ID, nil, alice.ID, bob.ID, carol.ID)
	assert.Equal(t, ratel.CodeAlreadyMember, code(t, env, "POST", "/group/apply", carol.Token, map[string]any{"group_id": open.GroupID}))
	assert.Equal(t, ratel.CodeGroupFull, code(t, env, "POST", "/group/apply", dave.Token, map[string]any{"group_id": open.GroupID}))
	assert.Equal(t, ratel.CodeGroupNotExist, code(t, env, "POST", "/group/apply", dave.Token, map[string]any{"group_id": 42}))

	g := createGroup(t, env, alice, map[string]any{"name": "closed", "user_list": []any{bob.ID, carol.ID}})
	gid := g.GroupID
	assert.Equal(t, 1, g.ApplyApproval, "approval needed by default")
	rs := results(t, env, alice, "/group/admin/add", map[string]any{"group_id": gid, "user_list": []any{bob.ID}})
	require.Equal(t, "success", rs[0].Result)
	env.Notices.Reset()

	env.OK(t, "POST", "/group/apply", erin.Token, map[string]any{"group_id": gid, "reason": "please"}, &r)
	assert.Equal(t, "success", r.Result)
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeApplyed, gid, erin.ID, nil, alice.ID, bob.ID)
	assert.Equal(t, "please", ns[0].Content)
	env.OK(t, "POST", "/group/apply", frank.Token, map[string]any{"group_id": gid}, nil)
	groupNotices(t, env)

	var apps []ratel.GroupApplicationInfo
	env.OK(t, "POST", "/group/application_list", bob.Token, map[string]any{"group_list": []any{id(gid), open.GroupID}}, &apps)
	require.Len(t, apps, 2)
	assert.Equal(t, ratel.GroupApplicationInfo{GroupID: gid, ApplicantID: erin.ID, Reason: "please", Status: 0, ExpiredTime: apps[0].ExpiredTime}, apps[0])
	env.OK(t, "POST", "/group/application_list", carol.Token, map[string]any{"group_list": []any{gid}}, &apps)
	assert.Empty(t, apps, "only admins see applications")
	env.OK(t, "POST", "/group/application_list", alice.Token, map[string]any{}, &apps)
	assert.Len(t, apps, 2, "without group_list: every group the caller administers")

	assert.Equal(t, ratel.CodeAdminRequired, code(t, env, "POST", "/group/apply/handle", carol.Token, map[string]any{"group_id": gid, "user_id": erin.ID, "approval": true}))
	env.OK(t, "POST", "/group/apply/handle", bob.Token, map[string]any{"group_id": gid, "user_id": id(erin.ID), "approval": "true"}, &r)
	assert.Equal(t, ratel.GroupResult{UserID: erin.ID, Result: "success"}, r)
	ns = groupNotices(t, env)
	require.Len(t, ns, 2)
	// APPLY_ACCEPTED only to the approver and the applicant (§17.14).
	expectGroupNotice(t, ns[0], xsync.GroupNoticeApplyAccepted, gid, bob.ID, []int64{erin.ID}, bob.ID, erin.ID)
	expectGroupNotice(t, ns[1], xsync.GroupNoticeJoined, gid, erin.ID, nil, alice.ID, carol.ID)
	assert.Contains(t, joined(t, env, erin), gid)
	assert.Equal(t, ratel.CodeApplicationHandled, code(t, env, "POST", "/group/apply/handle", alice.Token, map[string]any{"group_id": gid, "user_id": erin.ID, "approval": true}))

	env.OK(t, "POST", "/group/apply/handle", alice.Token, map[string]any{"group_id": gid, "user_id": frank.ID, "approval": false}, &r)
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeApplyDeclined, gid, alice.ID, []int64{frank.ID}, alice.ID, frank.ID)
	assert.Empty(t, joined(t, env, frank))
	env.OK(t, "POST", "/group/application_list", alice.Token, map[string]any{"group_list": []any{gid}}, &apps)
	require.Len(t, apps, 2)
	assert.Equal(t, []int{1, 2}, []int{apps[0].Status, apps[1].Status})

	env.OK(t, "POST", "/group/settings/require_admin_approval", alice.Token, map[string]any{"group_id": gid, "apply_approval": 2}, nil)
	assert.Equal(t, ratel.CodeNoPermission, code(t, env, "POST", "/group/apply", frank.Token, map[string]any{"group_id": gid}))

	// A blocked user cannot apply.
	rs = results(t, env, alice, "/group/block", map[string]any{"group_id": open.GroupID, "user_list": []any{dave.ID}})
	require.Equal(t, "success", rs[0].Result)
	assert.Equal(t, ratel.CodeGroupBlocked, code(t, env, "POST", "/group/apply", dave.Token, map[string]any{"group_id": open.GroupID}))
}

func TestGroupInvite(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := users(t, env, "alice", "bob", "carol", "dave", "erin")
	alice, bob, carol, dave, erin := u[0], u[1], u[2], u[3], u[4]
	setGroupConfirm(t, env, dave, true)
	setGroupConfirm(t, env, erin, true)
	g := createGroup(t, env, alice, map[string]any{"name": "G", "user_list": []any{bob.ID}})
	gid := g.GroupID

	rs := results(t, env, bob, "/group/invite", map[string]any{"group_id": gid, "reason": "join us",
		"user_list": []any{id(carol.ID), dave.ID, 42, alice.ID, erin.ID}})
	require.Len(t, rs, 5)
	assert.Equal(t, []string{"success", "success", "fail", "fail", "success"},
		[]string{rs[0].Result, rs[1].Result, rs[2].Result, rs[3].Result, rs[4].Result})
	ns := groupNotices(t, env)
	require.Len(t, ns, 2)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeInvited, gid, bob.ID, []int64{dave.ID, erin.ID}, bob.ID, dave.ID, erin.ID)
	assert.Equal(t, "join us", ns[0].Content)
	// carol has group_confirm off: she joins at once.
	expectGroupNotice(t, ns[1], xsync.GroupNoticeInviteAccepted, gid, carol.ID, []int64{bob.ID}, alice.ID, bob.ID, carol.ID)
	assert.Equal(t, []int64{gid}, joined(t, env, carol))
	assert.Empty(t, joined(t, env, dave))

	var invs []ratel.GroupInvitationInfo
	env.OK(t, "GET", "/group/invitation_list", dave.Token, nil, &invs)
	require.Len(t, invs, 1)
	assert.Equal(t, gid, invs[0].GroupID)
	assert.Equal(t, bob.ID, invs[0].InviterID)
	assert.Equal(t, dave.ID, invs[0].InviteeID)
	assert.Equal(t, 0, invs[0].Status)
	_, err := time.Parse(time.RFC3339, invs[0].UpdatedAt)
	assert.NoError(t, err, "updated_at is a date-time string")

	var ok bool
	env.OK(t, "POST", "/group/invite/handle", dave.Token, map[string]any{"group_id": gid, "user_id": bob.ID, "approval": true}, &ok)
	assert.True(t, ok)
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeInviteAccepted, gid, dave.ID, []int64{bob.ID}, alice.ID, bob.ID, carol.ID, dave.ID)
	assert.Equal(t, ratel.CodeInvitationHandled, code(t, env, "POST", "/group/invite/handle", dave.Token, map[string]any{"group_id": gid, "user_id": bob.ID, "approval": true}))
	assert.Equal(t, ratel.CodeInvitationHandled, code(t, env, "POST", "/group/invite/handle", erin.Token, map[string]any{"group_id": gid, "user_id": alice.ID, "approval": true}))

	env.OK(t, "POST", "/group/invite/handle", erin.Token, map[string]any{"group_id": gid, "user_id": bob.ID, "approval": false}, nil)
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeInviteDeclined, gid, erin.ID, []int64{bob.ID}, erin.ID, bob.ID)
	env.OK(t, "GET", "/group/invitation_list", erin.Token, nil, &invs)
	require.Len(t, invs, 1)
	assert.Equal(t, 2, invs[0].Status)

	// member_invite off: ordinary members may not invite (20011), admins may.
	env.OK(t, "POST", "/group/settings/allow_member_invitation", alice.Token, map[string]any{"group_id": gid, "value": false}, nil)
	assert.Equal(t, ratel.CodeMemberRequired, code(t, env, "POST", "/group/invite", bob.Token, map[string]any{"group_id": gid, "user_list": []any{erin.ID}}))
	setGroupConfirm(t, env, erin, false)
	rs = results(t, env, alice, "/group/invite", map[string]any{"group_id": gid, "user_list": []any{erin.ID}})
	assert.Equal(t, "success", rs[0].Result)
	assert.Equal(t, ratel.CodeNotGroupMember, code(t, env, "POST", "/group/invite", u[0].Token, map[string]any{"group_id": createGroup(t, env, bob, map[string]any{"name": "x"}).GroupID, "user_list": []any{erin.ID}}))

	// Capacity counts for direct joins: the item fails.
	small := createGroup(t, env, alice, map[string]any{"name": "small", "capacity": 1})
	rs = results(t, env, alice, "/group/invite", map[string]any{"group_id": small.GroupID, "user_list": []any{carol.ID}})
	assert.Equal(t, "fail", rs[0].Result)
	assert.Empty(t, groupNotices(t, env))
}

func TestGroupBlockBan(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := users(t, env, "alice", "bob", "carol", "dave")
	alice, bob, carol, dave := u[0], u[1], u[2], u[3]
	g := createGroup(t, env, alice, map[string]any{"name": "G", "apply_approval": 0, "user_list": []any{bob.ID, carol.ID, dave.ID}})
	gid := g.GroupID
	results(t, env, alice, "/group/admin/add", map[string]any{"group_id": gid, "user_list": []any{bob.ID, dave.ID}})
	env.Notices.Reset()

	rs := results(t, env, bob, "/group/block", map[string]any{"group_id": gid, "user_list": []any{carol.ID, dave.ID}})
	assert.Equal(t, []string{"success", "fail"}, []string{rs[0].Result, rs[1].Result}, "an admin cannot block an admin")
	ns := groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeBlocked, gid, bob.ID, []int64{carol.ID}, alice.ID, bob.ID, dave.ID, carol.ID)
	assert.Empty(t, joined(t, env, carol))
	var bl []ratel.BlockedMember
	env.OK(t, "GET", "/group/blocked_list", alice.Token, url.Values{"group_id": {id(gid)}}, &bl)
	require.Len(t, bl, 1)
	assert.Equal(t, carol.ID, bl[0].UserID)
	assert.Equal(t, gid, bl[0].GroupID)
	_, err := time.Parse(time.RFC3339, bl[0].CreatedAt)
	assert.NoError(t, err)
	assert.Equal(t, ratel.CodeGroupBlocked, code(t, env, "POST", "/group/apply", carol.Token, map[string]any{"group_id": gid}))
	rs = results(t, env, alice, "/group/invite", map[string]any{"group_id": gid, "user_list": []any{carol.ID}})
	assert.Equal(t, "fail", rs[0].Result)

	rs = results(t, env, alice, "/group/unblock", map[string]any{"group_id": gid, "user_list": []any{carol.ID, bob.ID}})
	assert.Equal(t, []string{"success", "fail"}, []string{rs[0].Result, rs[1].Result})
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeUnblocked, gid, alice.ID, []int64{carol.ID}, alice.ID, bob.ID, dave.ID)
	env.OK(t, "POST", "/group/apply", carol.Token, map[string]any{"group_id": gid}, nil)
	env.Notices.Reset()

	// Bans: BANNED content is the duration in minutes.
	now := time.Now().UnixMilli()
	rs = results(t, env, bob, "/group/ban", map[string]any{"group_id": gid, "user_list": []any{carol.ID, alice.ID}, "duration": "5"})
	assert.Equal(t, []string{"success", "fail"}, []string{rs[0].Result, rs[1].Result})
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeBanned, gid, bob.ID, []int64{carol.ID}, alice.ID, bob.ID, carol.ID, dave.ID)
	assert.Equal(t, "5", ns[0].Content)
	var banned []ratel.MemberInfo
	env.OK(t, "GET", "/group/banned_list", dave.Token, url.Values{"group_id": {id(gid)}}, &banned)
	require.Len(t, banned, 1)
	assert.Equal(t, carol.ID, banned[0].UserID)
	assert.InDelta(t, now+5*60_000, banned[0].ExpiredTime, 5000)
	assert.Equal(t, ratel.CodeAdminRequired, code(t, env, "POST", "/group/ban", carol.Token, map[string]any{"group_id": gid, "user_list": []any{bob.ID}}))

	rs = results(t, env, alice, "/group/unban", map[string]any{"group_id": gid, "user_list": []any{carol.ID, dave.ID}})
	assert.Equal(t, []string{"success", "fail"}, []string{rs[0].Result, rs[1].Result})
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeUnbanned, gid, alice.ID, []int64{carol.ID}, alice.ID, bob.ID, carol.ID, dave.ID)
	env.OK(t, "GET", "/group/banned_list", dave.Token, url.Values{"group_id": {id(gid)}}, &banned)
	assert.Empty(t, banned)

	rs = results(t, env, alice, "/group/ban", map[string]any{"group_id": gid, "user_list": []any{dave.ID}})
	assert.Equal(t, "success", rs[0].Result, "the owner may ban an admin")
	assert.Equal(t, "-1", groupNotices(t, env)[0].Content, "no duration: without end")
	env.OK(t, "GET", "/group/banned_list", dave.Token, url.Values{"group_id": {id(gid)}}, &banned)
	require.Len(t, banned, 1)
	assert.Equal(t, int64(-1), banned[0].ExpiredTime)
}

func TestGroupAnnouncementsAndSharedFiles(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := users(t, env, "alice", "bob", "carol", "dave")
	alice, bob, carol, dave := u[0], u[1], u[2], u[3]
	g := createGroup(t, env, alice, map[string]any{"name": "G", "user_list": []any{bob.ID, carol.ID}})
	gid := g.GroupID
	all := []int64{alice.ID, bob.ID, carol.ID}

	assert.Equal(t, ratel.CodeAdminRequired, code(t, env, "POST", "/group/announcement/edit", bob.Token, map[string]any{"group_id": gid, "title": "t", "content": "c"}))
	var an ratel.AnnouncementInfo
	env.OK(t, "POST", "/group/announcement/edit", alice.Token, map[string]any{"group_id": gid, "title": "Rules", "content": "be nice"}, &an)
	assert.Equal(t, "Rules", an.Title)
	assert.Equal(t, alice.ID, an.Author)
	assert.NotZero(t, an.ID)
	ns := groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeAnnouncementUpdated, gid, alice.ID, nil, all...)
	var an2 ratel.AnnouncementInfo
	env.OK(t, "POST", "/group/announcement/edit", alice.Token, map[string]any{"group_id": gid, "title": "v2", "content": "newer"}, &an2)
	env.Notices.Reset()

	var list []ratel.AnnouncementInfo
	env.OK(t, "GET", "/group/announcement/list", bob.Token, url.Values{"group_id": {id(gid)}}, &list)
	require.Len(t, list, 2)
	assert.Equal(t, an2.ID, list[0].ID, "newest first")
	var got ratel.AnnouncementInfo
	env.OK(t, "GET", "/group/announcement", bob.Token, url.Values{"group_id": {id(gid)}, "announcement_id": {id(an.ID)}}, &got)
	assert.Equal(t, an, got)
	assert.Equal(t, ratel.CodeAnnouncementNotFound, code(t, env, "GET", "/group/announcement", bob.Token, url.Values{"group_id": {id(gid)}, "announcement_id": {"999"}}))
	assert.Equal(t, ratel.CodeNotGroupMember, code(t, env, "GET", "/group/announcement/list", dave.Token, url.Values{"group_id": {id(gid)}}))

	c, data := env.Do(t, "POST", "/group/announcement/delete", alice.Token, url.Values{"group_id": {id(gid)}, "announcement_id": {id(an.ID)}})
	require.Equal(t, ratel.CodeOK, c)
	assert.Equal(t, "null", string(data))
	assert.Len(t, groupNotices(t, env), 1)
	assert.Equal(t, ratel.CodeAnnouncementNotFound, code(t, env, "POST", "/group/announcement/delete", alice.Token, url.Values{"group_id": {id(gid)}, "announcement_id": {id(an.ID)}}))

	var sf ratel.SharedFileInfo
	env.OK(t, "POST", "/group/file/upload", bob.Token, map[string]any{"group_id": gid, "name": "a.pdf", "size": "1024",
		"type": "application/pdf", "url": "http://x/file/download/chat?file_sign=abc"}, &sf)
	assert.Equal(t, "a.pdf", sf.Name)
	assert.Equal(t, int64(1024), sf.Size)
	assert.Equal(t, bob.ID, sf.Uploader)
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeFileUploaded, gid, bob.ID, nil, all...)
	var files []ratel.SharedFileInfo
	env.OK(t, "GET", "/group/file/list", carol.Token, url.Values{"group_id": {id(gid)}}, &files)
	require.Len(t, files, 1)
	assert.Equal(t, sf, files[0])
	assert.Equal(t, ratel.CodeBadParam, code(t, env, "POST", "/group/file/upload", bob.Token, map[string]any{"group_id": gid, "name": "x"}))

	var frs []ratel.SharedFileResult
	env.OK(t, "POST", "/group/file/delete", carol.Token, map[string]any{"group_id": gid, "file_list": []any{sf.FileID, 999}}, &frs)
	require.Len(t, frs, 2)
	assert.Equal(t, "fail", frs[0].Result, "neither uploader nor admin")
	assert.Equal(t, "fail", frs[1].Result)
	assert.Empty(t, groupNotices(t, env))
	env.OK(t, "POST", "/group/file/delete", bob.Token, map[string]any{"group_id": gid, "file_list": []any{id(sf.FileID)}}, &frs)
	assert.Equal(t, []ratel.SharedFileResult{{FileID: sf.FileID, Result: "success"}}, frs)
	ns = groupNotices(t, env)
	require.Len(t, ns, 1)
	expectGroupNotice(t, ns[0], xsync.GroupNoticeFileDeleted, gid, bob.ID, nil, all...)
	env.OK(t, "GET", "/group/file/list", carol.Token, url.Values{"group_id": {id(gid)}}, &files)
	assert.Empty(t, files)
}
