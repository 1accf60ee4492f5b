package jsbridge

import (
	"syscall/js"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/jsonv"
)

// groupManage holds the methods of im.groupManage (JSAPI.md §6). The REST
// wrappers take the request's parameter object, under the field names of
// REST.md §8, and resolve with the reply's data.
var groupManage = []entry{
	{"asyncGetGroupInfo", kAsync, func(a *call) (any, error) {
		return groupInfo(a.group().Info(a.ctx, a.gid(), a.flag(a.arg(1), "force", false)))
	}},
	{"asyncGetJoinedGroups", kAsync, func(a *call) (any, error) {
		return idList(a.group().Joined(a.ctx, a.flag(a.arg(0), "force", false)))
	}},
	{"openGroup", kAsync, func(a *call) (any, error) { return nil, a.group().OpenGroup(a.ctx, a.gid()) }},
	{"getAllGroupDetail", kSync, func(a *call) (any, error) {
		all := a.group().All()
		ids := sortedKeys(all)
		return rawMap(ids, func(i int) jsonv.Value { return all[ids[i]].Raw }), nil
	}},
	{"asyncGetGroupMembers", kAsync, func(a *call) (any, error) {
		list, err := a.group().Members(a.ctx, a.gid())
		ids := make([]uint64, len(list))
		for i := range list {
			ids[i] = list[i].UserID
		}
		return uidsValue(ids), err
	}},
	{"getGroupMembers", kSync, func(a *call) (any, error) {
		list, _ := a.group().CachedMembers(a.gid())
		return members(list), nil
	}},
	{"asyncGetGroupListDetail", kAsync, func(a *call) (any, error) {
		list, err := a.group().ListDetail(a.ctx, a.ids(a.arg(0), "gids"))
		return rawList(len(list), func(i int) jsonv.Value { return list[i].Raw }), err
	}},
	{"getGruopMessage", kSync, storedMessages},
	{"readGroupMessage", kAsync, readMessages},
	{"recallMessage", kAsync, recallMessage},
	{"deleteMessage", kAsync, deleteMessage},
	{"appendMessageContent", kAsync, appendContent},
	{"replaceMessage", kAsync, replaceMessage},
	{"getUnreadCount", kSync, unreadCount},
	{"consumeGroupAtStatus", kSync, func(a *call) (any, error) { a.core().ConsumeMention(a.conv()); return nil, nil }},
	{"asyncGetInfo", kAsync, func(a *call) (any, error) { return groupInfo(a.group().Info(a.ctx, a.gid(), true)) }},
	{"asyncGetMemberList", kAsync, func(a *call) (any, error) { return memberList(a.group().Members(a.ctx, a.gid())) }},

	{"asyncCreate", kAsync, func(a *call) (any, error) {
		return groupInfo(a.group().Create(a.ctx, core.GroupCreate{Name: a.fstr("name"), Type: a.fnum("type", core.GroupTypeTemporary),
			Avatar: a.ftext("avatar"), Description: a.ftext("description"), UserList: a.fids("user_list")}))
	}},
	{"asyncDestroy", kAsync, func(a *call) (any, error) { return done(a.group().Destroy(a.ctx, a.gid())) }},
	{"asyncGetPublicList", kAsync, func(a *call) (any, error) { return idList(a.group().PublicList(a.ctx)) }},
	{"asyncGetUserJoined", kAsync, func(a *call) (any, error) { return idList(a.group().Joined(a.ctx, true)) }},
	{"asyncUpdateName", kAsync, func(a *call) (any, error) {
		return done(a.group().UpdateName(a.ctx, a.fid("group_id"), a.fstr("value")))
	}},
	{"asyncUpdateAvatar", kAsync, func(a *call) (any, error) {
		return done(a.group().UpdateAvatar(a.ctx, a.fid("group_id"), a.ftext("value")))
	}},
	{"asyncUpdateDescription", kAsync, func(a *call) (any, error) {
		return done(a.group().UpdateDescription(a.ctx, a.fid("group_id"), a.ftext("value")))
	}},
	{"asyncUpdateExt", kAsync, func(a *call) (any, error) {
		return done(a.group().UpdateExt(a.ctx, a.fid("group_id"), a.ftext("value")))
	}},
	{"asyncGetSettings", kAsync, func(a *call) (any, error) { return groupInfo(a.group().Settings(a.ctx, a.gid())) }},
	{"asyncUpdateAllowMemberInvitation", kAsync, func(a *call) (any, error) {
		return done(a.group().SetAllowMemberInvitation(a.ctx, a.fid("group_id"), a.fflag("value")))
	}},
	{"asyncUpdateAllowMemberModify", kAsync, func(a *call) (any, error) {
		return done(a.group().SetAllowMemberModify(a.ctx, a.fid("group_id"), a.fflag("value")))
	}},
	{"asyncUpdateEnableReadack", kAsync, func(a *call) (any, error) {
		return done(a.group().SetEnableReadAck(a.ctx, a.fid("group_id"), a.fflag("value")))
	}},
	{"asyncUpdateHistoryVisible", kAsync, func(a *call) (any, error) {
		return done(a.group().SetHistoryVisible(a.ctx, a.fid("group_id"), a.fflag("value")))
	}},
	{"asyncHideMemberInfo", kAsync, func(a *call) (any, error) {
		return done(a.group().SetHideMemberInfo(a.ctx, a.fid("group_id"), a.fflag("value")))
	}},
	{"asyncUpdateMsgNotDisturb", kAsync, func(a *call) (any, error) {
		return done(a.group().SetMsgNotDisturb(a.ctx, a.fid("group_id"), a.fflag("value")))
	}},
	{"asyncUpdateRequireadminapproval", kAsync, func(a *call) (any, error) {
		return done(a.group().SetRequireAdminApproval(a.ctx, a.fid("group_id"), a.num(a.f("apply_approval"), "apply_approval", -1, 0, 2)))
	}},
	{"asyncBanAll", kAsync, func(a *call) (any, error) {
		exp, err := a.group().BanAll(a.ctx, a.fid("group_id"), a.minutes())
		return raw(jsonv.Object(jsonv.Field("ban_expire_time", jsonv.Int(exp)))), err
	}},
	{"asyncUnBanAll", kAsync, func(a *call) (any, error) { return done(a.group().UnbanAll(a.ctx, a.gid())) }},
	{"asyncGroupMsgMutemode", kAsync, func(a *call) (any, error) {
		// The endpoint answers null (REST.md §8), and so does the method.
		return js.Null(), a.group().SetMsgMuteMode(a.ctx, a.fid("group_id"), a.num(a.f("msg_mute_mode"), "msg_mute_mode", -1, 0, 2))
	}},
	{"asyncGetAdminList", kAsync, func(a *call) (any, error) { return memberList(a.group().AdminList(a.ctx, a.gid())) }},
	{"asyncAdminAdd", kAsync, func(a *call) (any, error) {
		return groupResultsOf(a.group().AddAdmins(a.ctx, a.fid("group_id"), a.fids("user_list")))
	}},
	{"asyncAdminRemove", kAsync, func(a *call) (any, error) {
		return groupResultsOf(a.group().RemoveAdmins(a.ctx, a.fid("group_id"), a.fids("user_list")))
	}},
	{"asyncOwnerTransfer", kAsync, func(a *call) (any, error) {
		return groupResult(a.group().TransferOwner(a.ctx, a.fid("group_id"), a.fid("new_owner")))
	}},
	{"asyncApply", kAsync, func(a *call) (any, error) {
		return groupResult(a.group().Apply(a.ctx, a.fid("group_id"), a.fstr("reason")))
	}},
	{"asyncApplyHandle", kAsync, func(a *call) (any, error) {
		return groupResult(a.group().HandleApply(a.ctx, a.fid("group_id"), a.fid("user_id"), a.fflag("approval")))
	}},
	{"asncGetApplicationList", kAsync, func(a *call) (any, error) {
		list, err := a.group().ApplicationList(a.ctx, a.fids("group_list"), a.listOptions())
		return rawList(len(list), func(i int) jsonv.Value { return list[i].Raw }), err
	}},
	{"asyncInvite", kAsync, func(a *call) (any, error) {
		return groupResultsOf(a.group().Invite(a.ctx, a.fid("group_id"), a.fids("user_list"), a.fstr("reason")))
	}},
	{"asyncInviteHandle", kAsync, func(a *call) (any, error) {
		return done(a.group().HandleInvite(a.ctx, a.fid("group_id"), a.fid("user_id"), a.fflag("approval")))
	}},
	{"asyncGetInvitationList", kAsync, func(a *call) (any, error) {
		list, err := a.group().InvitationList(a.ctx, a.listOptions())
		return rawList(len(list), func(i int) jsonv.Value { return list[i].Raw }), err
	}},
	{"asyncKick", kAsync, func(a *call) (any, error) {
		return groupResultsOf(a.group().Kick(a.ctx, a.fid("group_id"), a.fids("user_list")))
	}},
	{"asyncLeave", kAsync, func(a *call) (any, error) { return done(a.group().Leave(a.ctx, a.gid())) }},
	{"asyncGroupBlock", kAsync, func(a *call) (any, error) {
		return groupResultsOf(a.group().Block(a.ctx, a.fid("group_id"), a.fids("user_list")))
	}},
	{"asyncGroupUnblock", kAsync, func(a *call) (any, error) {
		return groupResultsOf(a.group().Unblock(a.ctx, a.fid("group_id"), a.fids("user_list")))
	}},
	{"asyncGroupBockedlist", kAsync, func(a *call) (any, error) {
		list, err := a.group().BlockedList(a.ctx, a.gid())
		return rawList(len(list), func(i int) jsonv.Value { return list[i].Raw }), err
	}},
	{"asyncGroupBab", kAsync, func(a *call) (any, error) {
		return groupResultsOf(a.group().Ban(a.ctx, a.fid("group_id"), a.fids("user_list"), a.minutes()))
	}},
	{"asyncGroupUnban", kAsync, func(a *call) (any, error) {
		return groupResultsOf(a.group().Unban(a.ctx, a.fid("group_id"), a.fids("user_list")))
	}},
	{"asyncGroupBannedList", kAsync, func(a *call) (any, error) { return memberList(a.group().BannedList(a.ctx, a.gid())) }},
	{"asyncGetMemberDisplayName", kAsync, func(a *call) (any, error) {
		return memberList(a.group().MemberDisplayNames(a.ctx, a.fid("group_id"), a.fids("user_list")))
	}},
	{"asyncUpdateDisplayName", kAsync, func(a *call) (any, error) {
		return done(a.group().UpdateDisplayName(a.ctx, a.fid("group_id"), a.fstr("value")))
	}},
	{"asyncGetAnnouncementList", kAsync, func(a *call) (any, error) {
		list, err := a.group().Announcements(a.ctx, a.gid())
		return rawList(len(list), func(i int) jsonv.Value { return list[i].Raw }), err
	}},
	{"asyncGetAnouncementById", kAsync, func(a *call) (any, error) {
		an, err := a.group().Announcement(a.ctx, a.fid("group_id"), a.fid("announcement_id"))
		return raw(an.Raw), err
	}},
	{"asyncAnnouncementEdit", kAsync, func(a *call) (any, error) {
		an, err := a.group().EditAnnouncement(a.ctx, a.fid("group_id"), a.fstr("title"), a.ftext("content"))
		return raw(an.Raw), err
	}},
	{"asyncAnouncementDelete", kAsync, func(a *call) (any, error) {
		return js.Null(), a.group().DeleteAnnouncement(a.ctx, a.fid("group_id"), a.fid("announcement_id"))
	}},
	{"asyncGetFileList", kAsync, func(a *call) (any, error) {
		list, err := a.group().Files(a.ctx, a.gid())
		return rawList(len(list), func(i int) jsonv.Value { return list[i].Raw }), err
	}},
	{"asyncFileUpload", kAsync, func(a *call) (any, error) {
		f, err := a.group().RegisterFile(a.ctx, a.fid("group_id"), core.SharedFileUpload{Name: a.fstr("name"),
			Size: int64(a.idOpt(a.f("size"), "size")), Type: a.fstr("type"), URL: a.ftext("url")})
		return raw(f.Raw), err
	}},
	{"asyncFileDelete", kAsync, func(a *call) (any, error) {
		list, err := a.group().DeleteFiles(a.ctx, a.fid("group_id"), a.fids("file_list"))
		return rawList(len(list), func(i int) jsonv.Value { return list[i].Raw }), err
	}},
}

// Result adapters for the group calls: each takes a core method's results
// as they are, so that a table entry is a single return statement.

func groupInfo(i core.GroupInfo, err error) (any, error) { return raw(i.Raw), err }

func groupResult(r core.GroupResult, err error) (any, error) { return raw(r.Raw), err }

func groupResultsOf(r []core.GroupResult, err error) (any, error) { return groupResults(r), err }

func memberList(r []core.Member, err error) (any, error) { return members(r), err }

// done resolves REST calls whose reply data is true (REST.md §8) with true.
func done(err error) (any, error) { return true, err }
