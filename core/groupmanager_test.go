package core

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

func TestGroupManagerWrappers(t *testing.T) {
	g := func(c *Client) *GroupManager { return c.Group() }
	gq := url.Values{"group_id": {"12"}}
	res := `[{"user_id":3,"result":"success"}]`
	one := `{"user_id":3,"result":"success"}`
	runWrapperCases(t, []mgrWrapperCase{
		{"Create", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Create(ctx, GroupCreate{Name: "team", Type: GroupTypePublic, Description: "d", UserList: []uint64{3, 4}})
			return err
		}, "POST", "/group/create", nil, `{"name":"team","type":1,"description":"d","user_list":[3,4]}`, `{"group_id":12}`},
		{"Destroy", func(ctx lite.Context, c *Client) error {
			return g(c).Destroy(ctx, 12)
		}, "POST", "/group/destroy", gq, `{}`, ""},
		{"Info", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Info(ctx, 12, true)
			return err
		}, "GET", "/group/info", gq, "", `{"group_id":12}`},
		{"ListDetail", func(ctx lite.Context, c *Client) error {
			_, err := g(c).ListDetail(ctx, []uint64{12, 13})
			return err
		}, "POST", "/group/info/batch", nil, `{"group_list":[12,13]}`, `[]`},
		{"Joined", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Joined(ctx, true)
			return err
		}, "GET", "/group/user_joined", nil, "", `[12]`},
		{"PublicList", func(ctx lite.Context, c *Client) error {
			_, err := g(c).PublicList(ctx)
			return err
		}, "GET", "/group/public_list", nil, "", `[12]`},
		{"UpdateName", func(ctx lite.Context, c *Client) error {
			return g(c).UpdateName(ctx, 12, "n")
		}, "POST", "/group/info/name", nil, `{"group_id":12,"value":"n"}`, ""},
		{"UpdateAvatar", func(ctx lite.Context, c *Client) error {
			return g(c).UpdateAvatar(ctx, 12, "a")
		}, "POST", "/group/info/avatar", nil, `{"group_id":12,"value":"a"}`, ""},
		{"UpdateDescription", func(ctx lite.Context, c *Client) error {
			return g(c).UpdateDescription(ctx, 12, "d")
		}, "POST", "/group/info/description", nil, `{"group_id":12,"value":"d"}`, ""},
		{"UpdateExt", func(ctx lite.Context, c *Client) error {
			return g(c).UpdateExt(ctx, 12, "e")
		}, "POST", "/group/info/ext", nil, `{"group_id":12,"value":"e"}`, ""},
		{"Settings", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Settings(ctx, 12)
			return err
		}, "GET", "/group/settings", gq, "", `{"group_id":12}`},
		{"SetAllowMemberInvitation", func(ctx lite.Context, c *Client) error {
			return g(c).SetAllowMemberInvitation(ctx, 12, true)
		}, "POST", "/group/settings/allow_member_invitation", nil, `{"group_id":12,"value":true}`, ""},
		{"SetAllowMemberModify", func(ctx lite.Context, c *Client) error {
			return g(c).SetAllowMemberModify(ctx, 12, false)
		}, "POST", "/group/settings/allow_member_modify", nil, `{"group_id":12,"value":false}`, ""},
		{"SetEnableReadAck", func(ctx lite.Context, c *Client) error {
			return g(c).SetEnableReadAck(ctx, 12, true)
		}, "POST", "/group/settings/enable_read_ack", nil, `{"group_id":12,"value":true}`, ""},
		{"SetHistoryVisible", func(ctx lite.Context, c *Client) error {
			return g(c).SetHistoryVisible(ctx, 12, true)
		}, "POST", "/group/settings/history_visible", nil, `{"group_id":12,"value":true}`, ""},
		{"SetHideMemberInfo", func(ctx lite.Context, c *Client) error {
			return g(c).SetHideMemberInfo(ctx, 12, true)
		}, "POST", "/group/settings/hide_member_info", nil, `{"group_id":12,"value":true}`, ""},
		{"SetRequireAdminApproval", func(ctx lite.Context, c *Client) error {
			return g(c).SetRequireAdminApproval(ctx, 12, 2)
		}, "POST", "/group/settings/require_admin_approval", nil, `{"group_id":12,"apply_approval":2}`, ""},
		{"BanAll", func(ctx lite.Context, c *Client) error {
			_, err := g(c).BanAll(ctx, 12, 30)
			return err
		}, "POST", "/group/settings/ban_all", nil, `{"group_id":12,"duration":30}`, `{"ban_expire_time":99}`},
		{"UnbanAll", func(ctx lite.Context, c *Client) error {
			return g(c).UnbanAll(ctx, 12)
		}, "POST", "/group/settings/unban_all", nil, `{"group_id":12}`, ""},
		{"SetMsgMuteMode", func(ctx lite.Context, c *Client) error {
			return g(c).SetMsgMuteMode(ctx, 12, 2)
		}, "POST", "/group/msg/mute_mode", nil, `{"group_id":12,"msg_mute_mode":2}`, "null"},
		{"SetMsgPushMode", func(ctx lite.Context, c *Client) error {
			return g(c).SetMsgPushMode(ctx, 12, 4)
		}, "POST", "/group/msg/push_mode", nil, `{"group_id":12,"msg_push_mode":4}`, "null"},
		{"SetMsgNotDisturb", func(ctx lite.Context, c *Client) error {
			return g(c).SetMsgNotDisturb(ctx, 12, true)
		}, "POST", "/group/msg/not_disturb", nil, `{"group_id":12,"value":true}`, ""},
		{"Members", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Members(ctx, 12)
			return err
		}, "GET", "/group/member_list", gq, "", `[]`},
		{"MemberDisplayNames", func(ctx lite.Context, c *Client) error {
			_, err := g(c).MemberDisplayNames(ctx, 12, []uint64{3})
			return err
		}, "POST", "/group/members/display_name", nil, `{"group_id":12,"user_list":[3]}`, `[]`},
		{"UpdateDisplayName", func(ctx lite.Context, c *Client) error {
			return g(c).UpdateDisplayName(ctx, 12, "me")
		}, "POST", "/group/display_name", nil, `{"group_id":12,"value":"me"}`, ""},
		{"AdminList", func(ctx lite.Context, c *Client) error {
			_, err := g(c).AdminList(ctx, 12)
			return err
		}, "GET", "/group/admin_list", gq, "", `[]`},
		{"AddAdmins", func(ctx lite.Context, c *Client) error {
			_, err := g(c).AddAdmins(ctx, 12, []uint64{3})
			return err
		}, "POST", "/group/admin/add", nil, `{"group_id":12,"user_list":[3]}`, res},
		{"RemoveAdmins", func(ctx lite.Context, c *Client) error {
			_, err := g(c).RemoveAdmins(ctx, 12, []uint64{3})
			return err
		}, "POST", "/group/admin/remove", nil, `{"group_id":12,"user_list":[3]}`, res},
		{"TransferOwner", func(ctx lite.Context, c *Client) error {
			_, err := g(c).TransferOwner(ctx, 12, 3)
			return err
		}, "POST", "/group/transfer", nil, `{"group_id":12,"new_owner":3}`, one},
		{"Apply", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Apply(ctx, 12, "let me in")
			return err
		}, "POST", "/group/apply", nil, `{"group_id":12,"reason":"let me in"}`, one},
		{"HandleApply", func(ctx lite.Context, c *Client) error {
			_, err := g(c).HandleApply(ctx, 12, 3, true)
			return err
		}, "POST", "/group/apply/handle", nil, `{"group_id":12,"user_id":3,"approval":true}`, one},
		{"ApplicationList", func(ctx lite.Context, c *Client) error {
			_, err := g(c).ApplicationList(ctx, []uint64{12, 13}, ListOptions{Limit: 10})
			return err
		}, "POST", "/group/application_list", url.Values{"limit": {"10"}}, `{"group_list":[12,13]}`, `[]`},
		{"Invite", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Invite(ctx, 12, []uint64{3, 4}, "join")
			return err
		}, "POST", "/group/invite", nil, `{"group_id":12,"user_list":[3,4],"reason":"join"}`, res},
		{"HandleInvite", func(ctx lite.Context, c *Client) error {
			return g(c).HandleInvite(ctx, 12, 3, false)
		}, "POST", "/group/invite/handle", nil, `{"group_id":12,"user_id":3,"approval":false}`, ""},
		{"InvitationList", func(ctx lite.Context, c *Client) error {
			_, err := g(c).InvitationList(ctx, ListOptions{Cursor: "c", Version: 2})
			return err
		}, "GET", "/group/invitation_list", url.Values{"cursor": {"c"}, "version": {"2"}}, "", `[]`},
		{"Kick", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Kick(ctx, 12, []uint64{3})
			return err
		}, "POST", "/group/kick", nil, `{"group_id":12,"user_list":[3]}`, res},
		{"Leave", func(ctx lite.Context, c *Client) error {
			return g(c).Leave(ctx, 12)
		}, "POST", "/group/leave", gq, `{}`, ""},
		{"Block", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Block(ctx, 12, []uint64{3})
			return err
		}, "POST", "/group/block", nil, `{"group_id":12,"user_list":[3]}`, res},
		{"Unblock", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Unblock(ctx, 12, []uint64{3})
			return err
		}, "POST", "/group/unblock", nil, `{"group_id":12,"user_list":[3]}`, res},
		{"BlockedList", func(ctx lite.Context, c *Client) error {
			_, err := g(c).BlockedList(ctx, 12)
			return err
		}, "GET", "/group/blocked_list", gq, "", `[]`},
		{"Ban", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Ban(ctx, 12, []uint64{3}, 60)
			return err
		}, "POST", "/group/ban", nil, `{"group_id":12,"user_list":[3],"duration":60}`, res},
		{"Unban", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Unban(ctx, 12, []uint64{3})
			return err
		}, "POST", "/group/unban", nil, `{"group_id":12,"user_list":[3]}`, res},
		{"BannedList", func(ctx lite.Context, c *Client) error {
			_, err := g(c).BannedList(ctx, 12)
			return err
		}, "GET", "/group/banned_list", gq, "", `[]`},
		{"Announcements", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Announcements(ctx, 12)
			return err
		}, "GET", "/group/announcement/list", gq, "", `[]`},
		{"Announcement", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Announcement(ctx, 12, 7)
			return err
		}, "GET", "/group/announcement", url.Values{"group_id": {"12"}, "announcement_id": {"7"}}, "", `{"id":7}`},
		{"EditAnnouncement", func(ctx lite.Context, c *Client) error {
			_, err := g(c).EditAnnouncement(ctx, 12, "t", "c")
			return err
		}, "POST", "/group/announcement/edit", nil, `{"group_id":12,"title":"t","content":"c"}`, `{"id":7}`},
		{"DeleteAnnouncement", func(ctx lite.Context, c *Client) error {
			return g(c).DeleteAnnouncement(ctx, 12, 7)
		}, "POST", "/group/announcement/delete", url.Values{"group_id": {"12"}, "announcement_id": {"7"}}, `{}`, "null"},
		{"Files", func(ctx lite.Context, c *Client) error {
			_, err := g(c).Files(ctx, 12)
			return err
		}, "GET", "/group/file/list", gq, "", `[]`},
		{"RegisterFile", func(ctx lite.Context, c *Client) error {
			_, err := g(c).RegisterFile(ctx, 12, SharedFileUpload{Name: "a.pdf", Size: 1024, Type: "pdf", URL: "https://x/y"})
			return err
		}, "POST", "/group/file/upload", nil, `{"group_id":12,"name":"a.pdf","size":1024,"type":"pdf","url":"https://x/y"}`, `{"file_id":1}`},
		{"DeleteFiles", func(ctx lite.Context, c *Client) error {
			_, err := g(c).DeleteFiles(ctx, 12, []uint64{1, 2})
			return err
		}, "POST", "/group/file/delete", nil, `{"group_id":12,"file_list":[1,2]}`, `[]`},
	})
}

func TestGroupManagerInfoCache(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	mgrPrefetch(t, c, nil, `[]`, []uint64{12}, `[{"group_id":12,"name":"brief","owner":3,"msg_mute_mode":1}]`)
	g, err := c.Group().Info(ctx, 12, false)
	require.NoError(t, err)
	assert.Equal(t, "brief", g.Name, "a prefetched brief counts as cached")
	assert.Empty(t, h.all())

	h.ok("GET /group/info", `{"group_id":12,"name":"full","owner_id":3,"type":1,"capacity":200,"count":3,"apply_approval":1,"member_invite":true,"read_ack":"true","ban_expire_time":-1,"created_at":1700000000000}`)
	g, err = c.Group().Info(ctx, 12, true)
	require.NoError(t, err)
	assert.Equal(t, GroupInfo{GroupID: 12, Name: "full", OwnerID: 3, Type: GroupTypePublic, Capacity: 200, Count: 3, ApplyApproval: 1,
		MemberInvite: true, ReadAck: true, BanExpireTime: -1, CreatedAt: 1700000000000, Raw: g.Raw}, g)
	cached, ok := c.Group().Cached(12)
	require.True(t, ok)
	assert.Equal(t, "full", cached.Name)
	assert.Equal(t, 1, cached.MsgMuteMode, "fields only the brief had are kept")

	// Local changes are mirrored once the server accepted them.
	h.ok("POST /group/info/name", "true")
	h.ok("POST /group/settings/hide_member_info", "true")
	h.ok("POST /group/msg/mute_mode", "null")
	h.ok("POST /group/transfer", `{"user_id":4,"result":"success"}`)
	h.ok("POST /group/settings/ban_all", `{"ban_expire_time":1700000001}`)
	require.NoError(t, c.Group().UpdateName(ctx, 12, "renamed"))
	require.NoError(t, c.Group().SetHideMemberInfo(ctx, 12, true))
	require.NoError(t, c.Group().SetMsgMuteMode(ctx, 12, 2))
	r, err := c.Group().TransferOwner(ctx, 12, 4)
	require.NoError(t, err)
	assert.True(t, r.OK())
	exp, err := c.Group().BanAll(ctx, 12, 10)
	require.NoError(t, err)
	assert.Equal(t, int64(1700000001), exp)
	cached, _ = c.Group().Cached(12)
	assert.Equal(t, "renamed", cached.Name)
	assert.True(t, cached.HideMemberInfo)
	assert.Equal(t, 2, cached.MsgMuteMode)
	assert.Equal(t, uint64(4), cached.OwnerID)
	assert.Equal(t, int64(1700000001), cached.BanExpireTime)
	h.fail("POST /group/info/name", 20012, "no permission")
	requireCode(t, c.Group().UpdateName(ctx, 12, "x"), errRESTCode(20012))
	cached, _ = c.Group().Cached(12)
	assert.Equal(t, "renamed", cached.Name, "a refused change is not applied")
	assert.Len(t, c.Group().All(), 1)
}

func TestGroupManagerListDetailBatches(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	h.set("POST /group/info/batch", mgrReply{fn: func(call mgrCall) (*HTTPResponse, error) {
		var out []byte
		out = append(out, '[')
		for i, e := range call.bodyValue(t).Get("group_list").Elements() {
			id, _ := e.Uint64()
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, `{"group_id":`+strconv.FormatUint(id, 10)+`,"name":"g`+strconv.FormatUint(id, 10)+`"}`...)
		}
		out = append(out, ']')
		return mgrEnvelope(200, "", string(out)), nil
	}})
	gids := make([]uint64, 45)
	for i := range gids {
		gids[i] = uint64(i + 1)
	}
	infos, err := c.Group().ListDetail(ctx, gids)
	require.NoError(t, err)
	require.Len(t, infos, 45)
	assert.Equal(t, "g45", infos[44].Name)
	calls := h.all()
	require.Len(t, calls, 3, "batches of at most 20")
	assert.Equal(t, 20, calls[0].bodyValue(t).Get("group_list").Len())
	assert.Equal(t, 5, calls[2].bodyValue(t).Get("group_list").Len())
	assert.Len(t, c.Group().All(), 45)
}

func TestGroupManagerMembers(t *testing.T) {
	c, h, rec := newMgrClient(t)
	ctx := mgrCtx(t)
	h.ok("GET /group/member_list", `[{"user_id":100,"display_name":"me","join_time":1},{"user_id":3,"join_time":2,"avatar":"a"},{"user_id":4}]`)
	require.NoError(t, c.Group().OpenGroup(ctx, 12))
	ev := rec.waitFor(t, "onGroupMemberChanged", func(ev Event) bool { _, ok := ev.(GroupMemberChanged); return ok })
	assert.Equal(t, uint64(12), ev.(GroupMemberChanged).GroupID)
	ms, ok := c.Group().CachedMembers(12)
	require.True(t, ok)
	require.Len(t, ms, 3)
	assert.Equal(t, Member{UserID: 3, JoinTime: 2, Avatar: "a", Raw: ms[1].Raw}, ms[1])

	h.ok("POST /group/kick", `[{"user_id":3,"result":"success"},{"user_id":4,"result":"fail","reason":"owner"}]`)
	res, err := c.Group().Kick(ctx, 12, []uint64{3, 4})
	require.NoError(t, err)
	require.Len(t, res, 2)
	assert.False(t, res[1].OK())
	assert.Equal(t, "owner", res[1].Reason)
	ms, _ = c.Group().CachedMembers(12)
	assert.Equal(t, []uint64{100, 4}, memberIDs(ms), "only the successful kick is applied")

	h.ok("POST /group/display_name", "true")
	require.NoError(t, c.Group().UpdateDisplayName(ctx, 12, "boss"))
	ms, _ = c.Group().CachedMembers(12)
	assert.Equal(t, "boss", ms[0].DisplayName)
	dn, _ := ms[0].Raw.Get("display_name").Str()
	assert.Equal(t, "boss", dn, "Raw follows the change")

	_, ok = c.Group().CachedMembers(13)
	assert.False(t, ok)
}

func memberIDs(ms []Member) []uint64 {
	var out []uint64
	for _, m := range ms {
		out = append(out, m.UserID)
	}
	return out
}

func TestGroupManagerJoinAndLeave(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	h.ok("GET /group/user_joined", `[10]`)
	ids, err := c.Group().Joined(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, []uint64{10}, ids)
	h.ok("POST /group/create", `{"group_id":11,"name":"new","owner_id":100}`)
	g, err := c.Group().Create(ctx, GroupCreate{Name: "new"})
	require.NoError(t, err)
	assert.Equal(t, uint64(11), g.GroupID)
	assert.Equal(t, []uint64{10, 11}, c.Group().CachedJoined())
	h.ok("POST /group/leave", "true")
	require.NoError(t, c.Group().Leave(ctx, 10))
	h.ok("POST /group/destroy", "true")
	require.NoError(t, c.Group().Destroy(ctx, 11))
	assert.Empty(t, c.Group().CachedJoined())
	assert.Empty(t, c.Group().All())
	assert.Len(t, h.all(), 4)
}

func TestGroupManagerResults(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	h.ok("GET /group/blocked_list", `[{"user_id":3,"group_id":12,"created_at":"2024-01-01T00:00:00Z"}]`)
	bl, err := c.Group().BlockedList(ctx, 12)
	require.NoError(t, err)
	assert.Equal(t, []BlockedMember{{UserID: 3, GroupID: 12, CreatedAt: "2024-01-01T00:00:00Z", Raw: bl[0].Raw}}, bl)

	h.ok("GET /group/invitation_list", `[{"group_id":12,"inviter_id":3,"invitee_id":100,"reason":"r","status":0,"expired_time":5,"updated_at":"t"}]`)
	inv, err := c.Group().InvitationList(ctx, ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, GroupInvitation{GroupID: 12, InviterID: 3, InviteeID: 100, Reason: "r", ExpiredTime: 5, UpdatedAt: "t", Raw: inv[0].Raw}, inv[0])

	h.ok("POST /group/application_list", `[{"group_id":12,"applicant_id":8,"reason":"r","status":2,"expired_time":5}]`)
	apps, err := c.Group().ApplicationList(ctx, []uint64{12}, ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, GroupApplication{GroupID: 12, ApplicantID: 8, Reason: "r", Status: RequestDeclined, ExpiredTime: 5, Raw: apps[0].Raw}, apps[0])

	h.ok("GET /group/banned_list", `[{"user_id":3,"expired_time":1700000000000}]`)
	banned, err := c.Group().BannedList(ctx, 12)
	require.NoError(t, err)
	assert.Equal(t, int64(1700000000000), banned[0].ExpiredTime)

	h.ok("POST /group/announcement/edit", `{"id":7,"group_id":12,"author":100,"title":"t","content":"c","created_at":9}`)
	an, err := c.Group().EditAnnouncement(ctx, 12, "t", "c")
	require.NoError(t, err)
	assert.Equal(t, Announcement{ID: 7, GroupID: 12, Author: 100, Title: "t", Content: "c", CreatedAt: 9, Raw: an.Raw}, an)

	h.ok("GET /group/file/list", `[{"file_id":1,"group_id":12,"name":"a.pdf","size":"2048","type":"pdf","url":"u","uploader":3,"created_at":1,"updated_at":2}]`)
	files, err := c.Group().Files(ctx, 12)
	require.NoError(t, err)
	assert.Equal(t, SharedFile{FileID: 1, GroupID: 12, Name: "a.pdf", Size: 2048, Type: "pdf", URL: "u", Uploader: 3, CreatedAt: 1, UpdatedAt: 2, Raw: files[0].Raw}, files[0])

	h.ok("POST /group/file/delete", `[{"file_id":1,"result":"success"},{"file_id":2,"result":"fail","reason":"gone"}]`)
	del, err := c.Group().DeleteFiles(ctx, 12, []uint64{1, 2})
	require.NoError(t, err)
	assert.True(t, del[0].OK())
	assert.Equal(t, "gone", del[1].Reason)
}

func TestGroupManagerBadArguments(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	g := c.Group()
	for name, err := range map[string]error{
		"info":        func() error { _, err := g.Info(ctx, 0, false); return err }(),
		"createName":  func() error { _, err := g.Create(ctx, GroupCreate{}); return err }(),
		"createType":  func() error { _, err := g.Create(ctx, GroupCreate{Name: "x", Type: 4}); return err }(),
		"createUsers": func() error { _, err := g.Create(ctx, GroupCreate{Name: "x", UserList: []uint64{0}}); return err }(),
		"destroy":     g.Destroy(ctx, 0),
		"name":        g.UpdateName(ctx, 12, ""),
		"approval":    g.SetRequireAdminApproval(ctx, 12, 3),
		"banAll":      func() error { _, err := g.BanAll(ctx, 12, 0); return err }(),
		"mute":        g.SetMsgMuteMode(ctx, 12, 3),
		"push":        g.SetMsgPushMode(ctx, 12, 5),
		"kickEmpty":   func() error { _, err := g.Kick(ctx, 12, nil); return err }(),
		"ban":         func() error { _, err := g.Ban(ctx, 12, []uint64{3}, 0); return err }(),
		"transfer":    func() error { _, err := g.TransferOwner(ctx, 12, 0); return err }(),
		"appList":     func() error { _, err := g.ApplicationList(ctx, nil, ListOptions{}); return err }(),
		"announce":    func() error { _, err := g.EditAnnouncement(ctx, 12, "", ""); return err }(),
		"delAnn":      g.DeleteAnnouncement(ctx, 12, 0),
		"file":        func() error { _, err := g.RegisterFile(ctx, 12, SharedFileUpload{Name: "a"}); return err }(),
		"delFiles":    func() error { _, err := g.DeleteFiles(ctx, 12, []uint64{}); return err }(),
	} {
		assert.True(t, IsCode(err, InvalidParam), "%s: %v", name, err)
	}
	assert.Empty(t, h.all())
}

func groupNotice(typ int32, gid, from uint64, content string, to ...uint64) NoticeMeta {
	var xs []XID
	for _, u := range to {
		xs = append(xs, XID{UID: u})
	}
	return NoticeMeta{ID: 1, NS: 2, Timestamp: 777, Payload: NoticePayload{Type: typ, Gid: XID{UID: gid}, From: XID{UID: from}, To: xs, Content: content}}
}

func TestApplyGroupNotice(t *testing.T) {
	c, h, _ := newMgrClient(t) // the user is 100
	ctx := mgrCtx(t)
	mgrPrefetch(t, c, nil, `[]`, []uint64{12, 13}, `[{"group_id":12,"name":"a","owner":100},{"group_id":13,"name":"b"}]`)
	h.ok("GET /group/member_list", `[{"user_id":100},{"user_id":3}]`)
	_, err := c.Group().Members(ctx, 12)
	require.NoError(t, err)

	c.applyGroupNotice(groupNotice(5, 12, 4, ""))       // JOINED: 4
	c.applyGroupNotice(groupNotice(8, 12, 100, "", 5))  // APPLY_ACCEPTED by us: 5 joins
	c.applyGroupNotice(groupNotice(11, 12, 6, "", 100)) // INVITE_ACCEPTED: 6 joins
	ms, _ := c.Group().CachedMembers(12)
	assert.Equal(t, []uint64{100, 3, 4, 5, 6}, memberIDs(ms))
	assert.Equal(t, int64(777), ms[2].JoinTime)
	c.applyGroupNotice(groupNotice(6, 12, 4, ""))          // LEAVED: 4
	c.applyGroupNotice(groupNotice(13, 12, 100, "", 5, 6)) // KICKED: 5, 6
	ms, _ = c.Group().CachedMembers(12)
	assert.Equal(t, []uint64{100, 3}, memberIDs(ms))

	c.applyGroupNotice(groupNotice(23, 12, 3, `{"property":"name","name":"Team"}`))
	c.applyGroupNotice(groupNotice(23, 12, 3, `{"property":"ban_expire_time","ban_expire_time":-1}`))
	c.applyGroupNotice(groupNotice(23, 12, 3, `{"property":"display_name","display_name":"three"}`))
	c.applyGroupNotice(groupNotice(16, 12, 100, "", 3)) // OWNER_ASSIGNED to 3
	g, _ := c.Group().Cached(12)
	assert.Equal(t, "Team", g.Name)
	assert.Equal(t, int64(-1), g.BanExpireTime)
	assert.Equal(t, uint64(3), g.OwnerID)
	ms, _ = c.Group().CachedMembers(12)
	assert.Equal(t, "three", ms[1].DisplayName)

	// An announcement makes the cached info stale: the next Info fetches.
	c.applyGroupNotice(groupNotice(24, 12, 3, ""))
	h.ok("GET /group/info", `{"group_id":12,"name":"fresh"}`)
	g, err = c.Group().Info(ctx, 12, false)
	require.NoError(t, err)
	assert.Equal(t, "fresh", g.Name)
	h.reset()
	_, err = c.Group().Info(ctx, 12, false)
	require.NoError(t, err)
	assert.Empty(t, h.all(), "fresh again after the fetch")

	c.applyGroupNotice(groupNotice(3, 20, 100, "")) // CREATED
	c.applyGroupNotice(groupNotice(5, 21, 100, "")) // JOINED ourselves
	c.applyGroupNotice(groupNotice(8, 22, 3, "", 100))
	assert.Equal(t, []uint64{12, 13, 20, 21, 22}, c.Group().CachedJoined())

	c.applyGroupNotice(groupNotice(4, 13, 3, ""))       // DESTROYED
	c.applyGroupNotice(groupNotice(6, 20, 100, ""))     // we LEAVED
	c.applyGroupNotice(groupNotice(13, 21, 3, "", 100)) // we were KICKED
	c.applyGroupNotice(groupNotice(14, 22, 3, "", 100)) // we were BLOCKED
	assert.Equal(t, []uint64{12}, c.Group().CachedJoined())
	_, ok := c.Group().Cached(13)
	assert.False(t, ok)

	c.applyGroupNotice(groupNotice(23, 12, 3, `[1]`)) // malformed content: ignored
	g, _ = c.Group().Cached(12)
	assert.Equal(t, "fresh", g.Name)
}

// TestGroupFacadeCache: the cache methods of a facade that makes its own
// REST calls read and update the one copy the notices also keep current.
func TestGroupFacadeCache(t *testing.T) {
	c, h, _ := newMgrClient(t) // the user is 100
	mgrPrefetch(t, c, nil, `[]`, []uint64{50}, `[{"group_id":50,"name":"team"}]`)
	g := c.Group()
	parse := func(s string) jsonv.Value {
		v, err := jsonv.ParseString(s)
		require.NoError(t, err)
		return v
	}

	ids, known := g.RawIDs()
	assert.True(t, known)
	assert.Equal(t, []uint64{50}, ids)
	g.Keep(50, parse(`{"group_id":50,"read_ack":true}`), false)
	g.Keep(60, parse(`{"group_id":60,"name":"new"}`), true)
	ids, _ = g.RawIDs()
	assert.Equal(t, []uint64{50, 60}, ids, "a created group is joined")
	g.KeepFields(50, parse(`{"name":"crew"}`))
	g.KeepFields(70, parse(`{"name":"none"}`))
	v, stale, ok := g.Raw(50)
	require.True(t, ok)
	assert.False(t, stale)
	assert.Equal(t, `{"group_id":50,"name":"crew","read_ack":true}`, v.String(), "merged, the fields of the newer win")
	gids, _ := g.RawAll()
	assert.Equal(t, []uint64{50, 60}, gids, "nothing cached for 70")

	_, ok = g.RawMembers(50)
	assert.False(t, ok)
	g.KeepMembers(50, parse(`[{"user_id":100},{"user_id":5,"join_time":1},{"user_id":6}]`))
	g.KeepRemoved(50, []uint64{6})
	g.KeepDisplayName(50, 5, "five")
	// Notices change the same copy.
	c.applyGroupNotice(groupNotice(5, 50, 7, ""))  // 7 JOINED
	c.applyGroupNotice(groupNotice(24, 50, 7, "")) // ANNOUNCEMENT_UPDATED
	list, ok := g.RawMembers(50)
	require.True(t, ok)
	require.Len(t, list, 3)
	assert.Equal(t, `{"user_id":5,"join_time":1,"display_name":"five"}`, list[1].String())
	assert.Equal(t, "7", list[2].Get("user_id").String())
	_, stale, _ = g.Raw(50)
	assert.True(t, stale, "an announcement makes the info stale")
	g.Keep(50, parse(`{"group_id":50}`), false)
	_, stale, _ = g.Raw(50)
	assert.False(t, stale, "fetched again")

	g.Forget(60)
	ids, _ = g.RawIDs()
	assert.Equal(t, []uint64{50}, ids)
	_, _, ok = g.Raw(60)
	assert.False(t, ok)
	g.KeepIDs([]uint64{80})
	ids, _ = g.RawIDs()
	assert.Equal(t, []uint64{80}, ids)
	assert.Empty(t, h.all(), "no request")
}
