package core

import (
	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

// groupBatchSize is the number of groups per POST /group/info/batch after
// login (REST.md §8: the official clients send up to 20).
const groupBatchSize = 20

// GroupManager manages groups (REST.md §8; the official groupManage,
// JSAPI.md §6): a typed method per REST endpoint, plus caches of the joined
// group ids, group information and member lists. Obtain it with
// Client.Group; it is a view over the client's caches and safe for
// concurrent use.
//
// The caches are seeded from the login prefetch (PROTOCOL.md §4.5), kept
// current by group notices (applyGroupNotice) and by the manager's own
// calls, and emptied when a new session starts. The group message
// operations of groupManage are methods of Client.
type GroupManager struct{ c *Client }

// Group returns the group manager of c.
func (c *Client) Group() *GroupManager { return &GroupManager{c: c} }

// Info returns the information of group gid (asyncGetGroupInfo): the
// cached copy, or with force (or when it is not cached, or an
// announcement changed it) a fresh GET /group/info, which is cached.
func (g *GroupManager) Info(ctx lite.Context, gid uint64, force bool) (GroupInfo, error) {
	if err := needID("group id", gid); err != nil {
		return GroupInfo{}, err
	}
	if !force {
		st, _ := g.c.mgrView()
		v, ok := st.groups[gid]
		stale := st.groupStale[gid]
		st.mu.Unlock()
		if ok && !stale {
			return parseGroupInfo(v), nil
		}
	}
	return g.fetchInfo(ctx, "/group/info", gid)
}

// Settings fetches the settings of group gid (GET /group/settings,
// asyncGetSettings); the reply is a GroupInfo and refreshes the cache.
func (g *GroupManager) Settings(ctx lite.Context, gid uint64) (GroupInfo, error) {
	if err := needID("group id", gid); err != nil {
		return GroupInfo{}, err
	}
	return g.fetchInfo(ctx, "/group/settings", gid)
}

func (g *GroupManager) fetchInfo(ctx lite.Context, path string, gid uint64) (GroupInfo, error) {
	sess := g.c.mgrSession()
	data, err := g.c.mcall(ctx, mgrGet(path, qID("group_id", gid)))
	if err != nil {
		return GroupInfo{}, err
	}
	g.c.mgrUpdate(sess, func(st *managerState) { st.mergeGroup(gid, data) })
	return parseGroupInfo(data), nil
}

// mergeGroup merges a GroupInfo or GroupBrief object into the cache:
// fields of v win, fields only the cache has (a brief lacks most) stay.
func (st *managerState) mergeGroup(gid uint64, v jsonv.Value) {
	if v.Kind() != jsonv.KindObject {
		return
	}
	if old, ok := st.groups[gid]; ok {
		v = jsonv.Merge(old, v)
	}
	st.groups[gid] = v
	delete(st.groupStale, gid)
}

// patchGroup merges fields into the cached info of gid, if cached.
func (st *managerState) patchGroup(gid uint64, fields ...jsonv.Member) {
	if old, ok := st.groups[gid]; ok {
		st.groups[gid] = jsonv.Merge(old, jsonv.Object(fields...))
	}
}

// dropGroup forgets everything cached about gid.
func (st *managerState) dropGroup(gid uint64) {
	st.groupIDs = mgrRemoveID(st.groupIDs, gid)
	delete(st.groups, gid)
	delete(st.groupStale, gid)
	delete(st.members, gid)
}

// Cached returns the cached information of gid without I/O. Groups seeded
// from the login prefetch have the GroupBrief fields only until fetched.
func (g *GroupManager) Cached(gid uint64) (GroupInfo, bool) {
	st, _ := g.c.mgrView()
	v, ok := st.groups[gid]
	st.mu.Unlock()
	if !ok {
		return GroupInfo{}, false
	}
	return parseGroupInfo(v), true
}

// All returns every cached GroupInfo by gid (getAllGroupDetail).
func (g *GroupManager) All() map[uint64]GroupInfo {
	st, _ := g.c.mgrView()
	raw := make(map[uint64]jsonv.Value, len(st.groups))
	for k, v := range st.groups {
		raw[k] = v
	}
	st.mu.Unlock()
	out := make(map[uint64]GroupInfo, len(raw))
	for k, v := range raw {
		out[k] = parseGroupInfo(v)
	}
	return out
}

// Joined returns the joined group ids (asyncGetJoinedGroups): the cached
// list, or with force (or when nothing is cached) a fresh
// GET /group/user_joined (asyncGetUserJoined), which replaces the cache.
func (g *GroupManager) Joined(ctx lite.Context, force bool) ([]uint64, error) {
	st, sess := g.c.mgrView()
	if st.groupIDsKnown && !force {
		ids := append([]uint64(nil), st.groupIDs...)
		st.mu.Unlock()
		return ids, nil
	}
	st.mu.Unlock()
	data, err := g.c.mcall(ctx, mgrGet("/group/user_joined"))
	if err != nil {
		return nil, err
	}
	ids := idList(data, "group_id")
	g.c.mgrUpdate(sess, func(st *managerState) {
		st.groupIDs, st.groupIDsKnown = append([]uint64(nil), ids...), true
	})
	return ids, nil
}

// CachedJoined returns the cached joined group ids without I/O.
func (g *GroupManager) CachedJoined() []uint64 {
	st, _ := g.c.mgrView()
	defer st.mu.Unlock()
	return append([]uint64(nil), st.groupIDs...)
}

// ListDetail fetches the briefs of groups gids with POST /group/info/batch,
// up to 20 groups per call (asyncGetGroupListDetail), merges them into the
// cache and returns them.
func (g *GroupManager) ListDetail(ctx lite.Context, gids []uint64) ([]GroupInfo, error) {
	if len(gids) == 0 {
		return nil, nil
	}
	if err := needIDs("group ids", gids); err != nil {
		return nil, err
	}
	sess := g.c.mgrSession()
	var out []GroupInfo
	for start := 0; start < len(gids); start += groupBatchSize {
		chunk := gids[start:min(start+groupBatchSize, len(gids))]
		data, err := g.c.mcall(ctx, mgrPost("/group/info/batch", newMgrBody().ids("group_list", chunk).bytes()))
		if err != nil {
			return nil, err
		}
		briefs := data
		g.c.mgrUpdate(sess, func(st *managerState) {
			for _, v := range briefs.Elements() {
				if gid := jID(v, "group_id"); gid != 0 {
					st.mergeGroup(gid, v)
				}
			}
		})
		out = append(out, parseList(data, parseGroupInfo)...)
	}
	return out, nil
}

// Members fetches the member list of gid (GET /group/member_list;
// asyncGetGroupMembers, asyncGetMemberList) and caches it.
func (g *GroupManager) Members(ctx lite.Context, gid uint64) ([]Member, error) {
	if err := needID("group id", gid); err != nil {
		return nil, err
	}
	sess := g.c.mgrSession()
	data, err := g.c.mcall(ctx, mgrGet("/group/member_list", qID("group_id", gid)))
	if err != nil {
		return nil, err
	}
	members := parseList(data, parseMember)
	g.c.mgrUpdate(sess, func(st *managerState) { st.members[gid] = members })
	return append([]Member(nil), members...), nil
}

// CachedMembers returns the cached member list of gid (getGroupMembers).
func (g *GroupManager) CachedMembers(gid uint64) ([]Member, bool) {
	st, _ := g.c.mgrView()
	defer st.mu.Unlock()
	m, ok := st.members[gid]
	return append([]Member(nil), m...), ok
}

// OpenGroup fetches and caches the member list of gid, then emits
// GroupMemberChanged (openGroup).
func (g *GroupManager) OpenGroup(ctx lite.Context, gid uint64) error {
	if _, err := g.Members(ctx, gid); err != nil {
		return err
	}
	g.c.emit(GroupMemberChanged{GroupID: gid})
	return nil
}

// GroupCreate describes a group to create (POST /group/create).
type GroupCreate struct {
	Name        string   // name, required
	Type        int      // type: GroupTypePrivate (default) ... GroupTypeTemporary
	Avatar      string   // avatar, optional
	Description string   // description, optional
	UserList    []uint64 // user_list: initial members besides the creator, optional
}

// Create creates a group (asyncCreate) and caches it as joined.
func (g *GroupManager) Create(ctx lite.Context, req GroupCreate) (GroupInfo, error) {
	if err := needText("group name", req.Name); err != nil {
		return GroupInfo{}, err
	}
	if err := needRange("group type", req.Type, GroupTypePrivate, GroupTypeTemporary); err != nil {
		return GroupInfo{}, err
	}
	b := newMgrBody().str("name", req.Name).num("type", int64(req.Type)).
		optStr("avatar", req.Avatar).optStr("description", req.Description)
	if len(req.UserList) > 0 {
		if err := needIDs("user list", req.UserList); err != nil {
			return GroupInfo{}, err
		}
		b.ids("user_list", req.UserList)
	}
	sess := g.c.mgrSession()
	data, err := g.c.mcall(ctx, mgrPost("/group/create", b.bytes()))
	if err != nil {
		return GroupInfo{}, err
	}
	info := parseGroupInfo(data)
	if info.GroupID != 0 {
		g.c.mgrUpdate(sess, func(st *managerState) {
			st.mergeGroup(info.GroupID, data)
			st.groupIDs = mgrAddID(st.groupIDs, info.GroupID)
		})
	}
	return info, nil
}

// Destroy dissolves group gid, owner only (POST /group/destroy, query;
// asyncDestroy), and forgets it locally. Its messages and conversation go
// when the DESTROYED notice arrives.
func (g *GroupManager) Destroy(ctx lite.Context, gid uint64) error {
	return g.leaveCall(ctx, "/group/destroy", gid)
}

// Leave leaves group gid (POST /group/leave, query; asyncLeave); the owner
// cannot (20004). The group is forgotten locally.
func (g *GroupManager) Leave(ctx lite.Context, gid uint64) error {
	return g.leaveCall(ctx, "/group/leave", gid)
}

func (g *GroupManager) leaveCall(ctx lite.Context, path string, gid uint64) error {
	if err := needID("group id", gid); err != nil {
		return err
	}
	sess := g.c.mgrSession()
	if _, err := g.c.mcall(ctx, mgrPostQuery(path, qID("group_id", gid))); err != nil {
		return err
	}
	g.c.mgrUpdate(sess, func(st *managerState) { st.dropGroup(gid) })
	return nil
}

// PublicList returns the ids of public groups (GET /group/public_list,
// asyncGetPublicList).
func (g *GroupManager) PublicList(ctx lite.Context) ([]uint64, error) {
	data, err := g.c.mcall(ctx, mgrGet("/group/public_list"))
	if err != nil {
		return nil, err
	}
	return idList(data, "group_id"), nil
}

// UpdateName renames group gid (POST /group/info/name, asyncUpdateName).
func (g *GroupManager) UpdateName(ctx lite.Context, gid uint64, name string) error {
	if err := needText("group name", name); err != nil {
		return err
	}
	return g.setInfo(ctx, "/group/info/name", gid, "name", jsonv.String(name))
}

// UpdateAvatar sets the avatar of group gid, an object name or the URL of
// an UploadToGroupAvatar upload (POST /group/info/avatar, asyncUpdateAvatar).
func (g *GroupManager) UpdateAvatar(ctx lite.Context, gid uint64, avatar string) error {
	return g.setInfo(ctx, "/group/info/avatar", gid, "avatar", jsonv.String(avatar))
}

// UpdateDescription sets the description of group gid
// (POST /group/info/description, asyncUpdateDescription).
func (g *GroupManager) UpdateDescription(ctx lite.Context, gid uint64, description string) error {
	return g.setInfo(ctx, "/group/info/description", gid, "description", jsonv.String(description))
}

// UpdateExt sets the extension data of group gid (POST /group/info/ext,
// asyncUpdateExt).
func (g *GroupManager) UpdateExt(ctx lite.Context, gid uint64, ext string) error {
	return g.setInfo(ctx, "/group/info/ext", gid, "ext", jsonv.String(ext))
}

// SetAllowMemberInvitation lets members invite others or not
// (POST /group/settings/allow_member_invitation,
// asyncUpdateAllowMemberInvitation).
func (g *GroupManager) SetAllowMemberInvitation(ctx lite.Context, gid uint64, allow bool) error {
	return g.setSetting(ctx, "/group/settings/allow_member_invitation", gid, "member_invite", allow)
}

// SetAllowMemberModify lets members edit the group info or not
// (POST /group/settings/allow_member_modify, asyncUpdateAllowMemberModify).
func (g *GroupManager) SetAllowMemberModify(ctx lite.Context, gid uint64, allow bool) error {
	return g.setSetting(ctx, "/group/settings/allow_member_modify", gid, "member_modify", allow)
}

// SetEnableReadAck turns group read receipts on or off
// (POST /group/settings/enable_read_ack, asyncUpdateEnableReadack).
func (g *GroupManager) SetEnableReadAck(ctx lite.Context, gid uint64, enable bool) error {
	return g.setSetting(ctx, "/group/settings/enable_read_ack", gid, "read_ack", enable)
}

// SetHistoryVisible lets new members see earlier history or not
// (POST /group/settings/history_visible, asyncUpdateHistoryVisible).
func (g *GroupManager) SetHistoryVisible(ctx lite.Context, gid uint64, visible bool) error {
	return g.setSetting(ctx, "/group/settings/history_visible", gid, "history_visible", visible)
}

// SetHideMemberInfo hides member details from ordinary members or not
// (POST /group/settings/hide_member_info, asyncHideMemberInfo).
func (g *GroupManager) SetHideMemberInfo(ctx lite.Context, gid uint64, hide bool) error {
	return g.setSetting(ctx, "/group/settings/hide_member_info", gid, "hide_member_info", hide)
}

func (g *GroupManager) setSetting(ctx lite.Context, path string, gid uint64, field string, v bool) error {
	if err := needID("group id", gid); err != nil {
		return err
	}
	return g.call(ctx, mgrPost(path, newMgrBody().id("group_id", gid).boolean("value", v).bytes()), gid,
		jsonv.Field(field, jsonv.Bool(v)))
}

// setInfo posts {group_id, value} to an info endpoint and mirrors the
// change in the cached field.
func (g *GroupManager) setInfo(ctx lite.Context, path string, gid uint64, field string, v jsonv.Value) error {
	if err := needID("group id", gid); err != nil {
		return err
	}
	return g.call(ctx, mgrPost(path, newMgrBody().id("group_id", gid).value("value", v).bytes()), gid,
		jsonv.Field(field, v))
}

// call performs req and, on success, merges fields into the cached info of
// gid.
func (g *GroupManager) call(ctx lite.Context, req RESTRequest, gid uint64, fields ...jsonv.Member) error {
	sess := g.c.mgrSession()
	if _, err := g.c.mcall(ctx, req); err != nil {
		return err
	}
	if len(fields) > 0 {
		g.c.mgrUpdate(sess, func(st *managerState) { st.patchGroup(gid, fields...) })
	}
	return nil
}

// SetRequireAdminApproval sets how join requests are handled: 0 accept
// all, 1 an admin approves, 2 reject all
// (POST /group/settings/require_admin_approval,
// asyncUpdateRequireadminapproval).
func (g *GroupManager) SetRequireAdminApproval(ctx lite.Context, gid uint64, approval int) error {
	if err := needID("group id", gid); err != nil {
		return err
	}
	if err := needRange("apply approval", approval, 0, 2); err != nil {
		return err
	}
	body := newMgrBody().id("group_id", gid).num("apply_approval", int64(approval)).bytes()
	return g.call(ctx, mgrPost("/group/settings/require_admin_approval", body), gid,
		jsonv.Field("apply_approval", jsonv.Int(int64(approval))))
}

// BanAll bans every ordinary member of gid for minutes minutes
// (POST /group/settings/ban_all, asyncBanAll) and returns the ban's
// ban_expire_time.
func (g *GroupManager) BanAll(ctx lite.Context, gid uint64, minutes int64) (int64, error) {
	if err := needID("group id", gid); err != nil {
		return 0, err
	}
	if minutes <= 0 {
		return 0, ClientError("ban duration must be positive")
	}
	sess := g.c.mgrSession()
	body := newMgrBody().id("group_id", gid).num("duration", minutes).bytes()
	data, err := g.c.mcall(ctx, mgrPost("/group/settings/ban_all", body))
	if err != nil {
		return 0, err
	}
	exp := jInt(data, "ban_expire_time")
	g.c.mgrUpdate(sess, func(st *managerState) {
		st.patchGroup(gid, jsonv.Field("ban_expire_time", jsonv.Int(exp)))
	})
	return exp, nil
}

// UnbanAll lifts the whole-group ban (POST /group/settings/unban_all,
// asyncUnBanAll).
func (g *GroupManager) UnbanAll(ctx lite.Context, gid uint64) error {
	if err := needID("group id", gid); err != nil {
		return err
	}
	return g.call(ctx, mgrPost("/group/settings/unban_all", newMgrBody().id("group_id", gid).bytes()), gid,
		jsonv.Field("ban_expire_time", jsonv.Int(0)))
}

// SetMsgMuteMode sets the user's message mute mode for gid: 0 normal, 1 no
// local notification, 2 do not receive (POST /group/msg/mute_mode,
// asyncGroupMsgMutemode).
func (g *GroupManager) SetMsgMuteMode(ctx lite.Context, gid uint64, mode int) error {
	if err := needID("group id", gid); err != nil {
		return err
	}
	if err := needRange("mute mode", mode, 0, 2); err != nil {
		return err
	}
	body := newMgrBody().id("group_id", gid).num("msg_mute_mode", int64(mode)).bytes()
	return g.call(ctx, mgrPost("/group/msg/mute_mode", body), gid, jsonv.Field("msg_mute_mode", jsonv.Int(int64(mode))))
}

// SetMsgPushMode sets the user's push mode for gid: 0 all, 1 none, 2
// admins and mentions, 3 admins only, 4 mentions only
// (POST /group/msg/push_mode).
func (g *GroupManager) SetMsgPushMode(ctx lite.Context, gid uint64, mode int) error {
	if err := needID("group id", gid); err != nil {
		return err
	}
	if err := needRange("push mode", mode, 0, 4); err != nil {
		return err
	}
	body := newMgrBody().id("group_id", gid).num("msg_push_mode", int64(mode)).bytes()
	return g.call(ctx, mgrPost("/group/msg/push_mode", body), gid, jsonv.Field("msg_push_mode", jsonv.Int(int64(mode))))
}

// SetMsgNotDisturb sets the do-not-disturb switch of gid
// (POST /group/msg/not_disturb {group_id, value}, asyncUpdateMsgNotDisturb).
func (g *GroupManager) SetMsgNotDisturb(ctx lite.Context, gid uint64, value bool) error {
	if err := needID("group id", gid); err != nil {
		return err
	}
	return g.call(ctx, mgrPost("/group/msg/not_disturb", newMgrBody().id("group_id", gid).boolean("value", value).bytes()), gid)
}

// AdminList returns the admins of gid (GET /group/admin_list,
// asyncGetAdminList).
func (g *GroupManager) AdminList(ctx lite.Context, gid uint64) ([]Member, error) {
	return g.memberList(ctx, "/group/admin_list", gid)
}

// BannedList returns the banned members of gid with the end of their ban
// in ExpiredTime (GET /group/banned_list, asyncGroupBannedList).
func (g *GroupManager) BannedList(ctx lite.Context, gid uint64) ([]Member, error) {
	return g.memberList(ctx, "/group/banned_list", gid)
}

func (g *GroupManager) memberList(ctx lite.Context, path string, gid uint64) ([]Member, error) {
	if err := needID("group id", gid); err != nil {
		return nil, err
	}
	data, err := g.c.mcall(ctx, mgrGet(path, qID("group_id", gid)))
	if err != nil {
		return nil, err
	}
	return parseList(data, parseMember), nil
}

// AddAdmins makes uids admins of gid (POST /group/admin/add, asyncAdminAdd).
func (g *GroupManager) AddAdmins(ctx lite.Context, gid uint64, uids []uint64) ([]GroupResult, error) {
	return g.userListCall(ctx, "/group/admin/add", gid, uids, nil)
}

// RemoveAdmins revokes the admin role of uids in gid
// (POST /group/admin/remove, asyncAdminRemove).
func (g *GroupManager) RemoveAdmins(ctx lite.Context, gid uint64, uids []uint64) ([]GroupResult, error) {
	return g.userListCall(ctx, "/group/admin/remove", gid, uids, nil)
}

// Kick removes uids from gid (POST /group/kick, asyncKick); the members
// removed successfully leave the cached member list.
func (g *GroupManager) Kick(ctx lite.Context, gid uint64, uids []uint64) ([]GroupResult, error) {
	return g.removeMembers(ctx, "/group/kick", gid, uids)
}

// Block removes uids from gid and bars them from rejoining
// (POST /group/block, asyncGroupBlock).
func (g *GroupManager) Block(ctx lite.Context, gid uint64, uids []uint64) ([]GroupResult, error) {
	return g.removeMembers(ctx, "/group/block", gid, uids)
}

// Unblock lifts the block of uids in gid (POST /group/unblock,
// asyncGroupUnblock).
func (g *GroupManager) Unblock(ctx lite.Context, gid uint64, uids []uint64) ([]GroupResult, error) {
	return g.userListCall(ctx, "/group/unblock", gid, uids, nil)
}

// Ban bans uids of gid from speaking for minutes minutes (POST /group/ban,
// asyncGroupBab).
func (g *GroupManager) Ban(ctx lite.Context, gid uint64, uids []uint64, minutes int64) ([]GroupResult, error) {
	if minutes <= 0 {
		return nil, ClientError("ban duration must be positive")
	}
	return g.userListCall(ctx, "/group/ban", gid, uids, func(b *mgrBody) { b.num("duration", minutes) })
}

// Unban lifts the ban of uids in gid (POST /group/unban, asyncGroupUnban).
func (g *GroupManager) Unban(ctx lite.Context, gid uint64, uids []uint64) ([]GroupResult, error) {
	return g.userListCall(ctx, "/group/unban", gid, uids, nil)
}

// Invite invites uids to gid (POST /group/invite, asyncInvite). Users
// whose settings need consent get an invitation; the others join at once.
func (g *GroupManager) Invite(ctx lite.Context, gid uint64, uids []uint64, reason string) ([]GroupResult, error) {
	return g.userListCall(ctx, "/group/invite", gid, uids, func(b *mgrBody) { b.optStr("reason", reason) })
}

// userListCall posts {group_id, user_list, ...extra} and parses the
// per-user results.
func (g *GroupManager) userListCall(ctx lite.Context, path string, gid uint64, uids []uint64, extra func(*mgrBody)) ([]GroupResult, error) {
	if err := needID("group id", gid); err != nil {
		return nil, err
	}
	if err := needIDs("user list", uids); err != nil {
		return nil, err
	}
	b := newMgrBody().id("group_id", gid).ids("user_list", uids)
	if extra != nil {
		extra(b)
	}
	data, err := g.c.mcall(ctx, mgrPost(path, b.bytes()))
	if err != nil {
		return nil, err
	}
	return parseList(data, parseGroupResult), nil
}

func (g *GroupManager) removeMembers(ctx lite.Context, path string, gid uint64, uids []uint64) ([]GroupResult, error) {
	sess := g.c.mgrSession()
	res, err := g.userListCall(ctx, path, gid, uids, nil)
	if err != nil {
		return nil, err
	}
	var gone []uint64
	for _, r := range res {
		if r.OK() {
			gone = append(gone, r.UserID)
		}
	}
	g.c.mgrUpdate(sess, func(st *managerState) { st.removeMembers(gid, gone) })
	return res, nil
}

// removeMembers drops uids from the cached member list of gid.
func (st *managerState) removeMembers(gid uint64, uids []uint64) {
	list, ok := st.members[gid]
	if !ok || len(uids) == 0 {
		return
	}
	out := make([]Member, 0, len(list))
	for _, m := range list {
		keep := true
		for _, u := range uids {
			if m.UserID == u {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, m)
		}
	}
	st.members[gid] = out
}

// addMembers appends uids that are not yet in the cached member list of
// gid, with join time ts.
func (st *managerState) addMembers(gid uint64, uids []uint64, ts int64) {
	list, ok := st.members[gid]
	if !ok {
		return
	}
	out := append([]Member(nil), list...)
next:
	for _, u := range uids {
		if u == 0 {
			continue
		}
		for _, m := range out {
			if m.UserID == u {
				continue next
			}
		}
		raw := jsonv.Object(jsonv.Field("user_id", jsonv.Uint(u)), jsonv.Field("join_time", jsonv.Int(ts)))
		out = append(out, parseMember(raw))
	}
	st.members[gid] = out
}

// BlockedList returns the block list of gid (GET /group/blocked_list,
// asyncGroupBockedlist).
func (g *GroupManager) BlockedList(ctx lite.Context, gid uint64) ([]BlockedMember, error) {
	if err := needID("group id", gid); err != nil {
		return nil, err
	}
	data, err := g.c.mcall(ctx, mgrGet("/group/blocked_list", qID("group_id", gid)))
	if err != nil {
		return nil, err
	}
	return parseList(data, parseBlockedMember), nil
}

// TransferOwner hands gid to newOwner (POST /group/transfer,
// asyncOwnerTransfer).
func (g *GroupManager) TransferOwner(ctx lite.Context, gid, newOwner uint64) (GroupResult, error) {
	if err := needID("group id", gid); err != nil {
		return GroupResult{}, err
	}
	if err := needID("new owner", newOwner); err != nil {
		return GroupResult{}, err
	}
	sess := g.c.mgrSession()
	data, err := g.c.mcall(ctx, mgrPost("/group/transfer", newMgrBody().id("group_id", gid).id("new_owner", newOwner).bytes()))
	if err != nil {
		return GroupResult{}, err
	}
	g.c.mgrUpdate(sess, func(st *managerState) { st.patchGroup(gid, jsonv.Field("owner_id", jsonv.Uint(newOwner))) })
	return parseGroupResult(data), nil
}

// Apply asks to join gid (POST /group/apply, asyncApply).
func (g *GroupManager) Apply(ctx lite.Context, gid uint64, reason string) (GroupResult, error) {
	if err := needID("group id", gid); err != nil {
		return GroupResult{}, err
	}
	data, err := g.c.mcall(ctx, mgrPost("/group/apply", newMgrBody().id("group_id", gid).optStr("reason", reason).bytes()))
	if err != nil {
		return GroupResult{}, err
	}
	return parseGroupResult(data), nil
}

// HandleApply approves or declines the join request of applicant
// (POST /group/apply/handle, asyncApplyHandle).
func (g *GroupManager) HandleApply(ctx lite.Context, gid, applicant uint64, approve bool) (GroupResult, error) {
	if err := needID("group id", gid); err != nil {
		return GroupResult{}, err
	}
	if err := needID("applicant", applicant); err != nil {
		return GroupResult{}, err
	}
	body := newMgrBody().id("group_id", gid).id("user_id", applicant).boolean("approval", approve).bytes()
	data, err := g.c.mcall(ctx, mgrPost("/group/apply/handle", body))
	if err != nil {
		return GroupResult{}, err
	}
	return parseGroupResult(data), nil
}

// ApplicationList returns the join requests of groups gids
// (POST /group/application_list with the ids in the body and the page in
// the query; asncGetApplicationList).
func (g *GroupManager) ApplicationList(ctx lite.Context, gids []uint64, opts ListOptions) ([]GroupApplication, error) {
	if err := needIDs("group list", gids); err != nil {
		return nil, err
	}
	req := mgrPost("/group/application_list", newMgrBody().ids("group_list", gids).bytes())
	req.Query = opts.query(false)
	data, err := g.c.mcall(ctx, req)
	if err != nil {
		return nil, err
	}
	return parseList(data, parseGroupApplication), nil
}

// HandleInvite accepts or declines the invitation of inviter to gid
// (POST /group/invite/handle, asyncInviteHandle).
func (g *GroupManager) HandleInvite(ctx lite.Context, gid, inviter uint64, accept bool) error {
	if err := needID("group id", gid); err != nil {
		return err
	}
	if err := needID("inviter", inviter); err != nil {
		return err
	}
	body := newMgrBody().id("group_id", gid).id("user_id", inviter).boolean("approval", accept).bytes()
	_, err := g.c.mcall(ctx, mgrPost("/group/invite/handle", body))
	return err
}

// InvitationList returns the user's group invitations
// (GET /group/invitation_list, asyncGetInvitationList).
func (g *GroupManager) InvitationList(ctx lite.Context, opts ListOptions) ([]GroupInvitation, error) {
	data, err := g.c.mcall(ctx, mgrGet("/group/invitation_list", opts.query(false)...))
	if err != nil {
		return nil, err
	}
	return parseList(data, parseGroupInvitation), nil
}

// MemberDisplayNames returns the card names of uids in gid
// (POST /group/members/display_name, asyncGetMemberDisplayName).
func (g *GroupManager) MemberDisplayNames(ctx lite.Context, gid uint64, uids []uint64) ([]Member, error) {
	if err := needID("group id", gid); err != nil {
		return nil, err
	}
	if err := needIDs("user list", uids); err != nil {
		return nil, err
	}
	data, err := g.c.mcall(ctx, mgrPost("/group/members/display_name", newMgrBody().id("group_id", gid).ids("user_list", uids).bytes()))
	if err != nil {
		return nil, err
	}
	return parseList(data, parseMember), nil
}

// UpdateDisplayName sets the user's own card name in gid
// (POST /group/display_name, asyncUpdateDisplayName) and in the cached
// member list.
func (g *GroupManager) UpdateDisplayName(ctx lite.Context, gid uint64, name string) error {
	if err := needID("group id", gid); err != nil {
		return err
	}
	sess := g.c.mgrSession()
	self := g.c.UID()
	if _, err := g.c.mcall(ctx, mgrPost("/group/display_name", newMgrBody().id("group_id", gid).str("value", name).bytes())); err != nil {
		return err
	}
	g.c.mgrUpdate(sess, func(st *managerState) { st.setDisplayName(gid, self, name) })
	return nil
}

// setDisplayName changes the card name of uid in the cached members of gid.
func (st *managerState) setDisplayName(gid, uid uint64, name string) {
	list, ok := st.members[gid]
	if !ok {
		return
	}
	out := append([]Member(nil), list...)
	for i := range out {
		if out[i].UserID == uid {
			out[i].DisplayName = name
			out[i].Raw = out[i].Raw.Set("display_name", jsonv.String(name))
		}
	}
	st.members[gid] = out
}

// Announcements lists the announcements of gid
// (GET /group/announcement/list, asyncGetAnnouncementList).
func (g *GroupManager) Announcements(ctx lite.Context, gid uint64) ([]Announcement, error) {
	if err := needID("group id", gid); err != nil {
		return nil, err
	}
	data, err := g.c.mcall(ctx, mgrGet("/group/announcement/list", qID("group_id", gid)))
	if err != nil {
		return nil, err
	}
	return parseList(data, parseAnnouncement), nil
}

// Announcement returns announcement id of gid (GET /group/announcement,
// asyncGetAnouncementById).
func (g *GroupManager) Announcement(ctx lite.Context, gid, id uint64) (Announcement, error) {
	if err := needID("group id", gid); err != nil {
		return Announcement{}, err
	}
	if err := needID("announcement id", id); err != nil {
		return Announcement{}, err
	}
	data, err := g.c.mcall(ctx, mgrGet("/group/announcement", qID("group_id", gid), qID("announcement_id", id)))
	if err != nil {
		return Announcement{}, err
	}
	return parseAnnouncement(data), nil
}

// EditAnnouncement publishes a new announcement in gid
// (POST /group/announcement/edit, asyncAnnouncementEdit).
func (g *GroupManager) EditAnnouncement(ctx lite.Context, gid uint64, title, content string) (Announcement, error) {
	if err := needID("group id", gid); err != nil {
		return Announcement{}, err
	}
	if title == "" && content == "" {
		return Announcement{}, ClientError("announcement needs a title or content")
	}
	body := newMgrBody().id("group_id", gid).str("title", title).str("content", content).bytes()
	data, err := g.c.mcall(ctx, mgrPost("/group/announcement/edit", body))
	if err != nil {
		return Announcement{}, err
	}
	return parseAnnouncement(data), nil
}

// DeleteAnnouncement deletes announcement id of gid
// (POST /group/announcement/delete, query; asyncAnouncementDelete).
func (g *GroupManager) DeleteAnnouncement(ctx lite.Context, gid, id uint64) error {
	if err := needID("group id", gid); err != nil {
		return err
	}
	if err := needID("announcement id", id); err != nil {
		return err
	}
	_, err := g.c.mcall(ctx, mgrPostQuery("/group/announcement/delete", qID("group_id", gid), qID("announcement_id", id)))
	return err
}

// Files lists the shared files of gid (GET /group/file/list,
// asyncGetFileList).
func (g *GroupManager) Files(ctx lite.Context, gid uint64) ([]SharedFile, error) {
	if err := needID("group id", gid); err != nil {
		return nil, err
	}
	data, err := g.c.mcall(ctx, mgrGet("/group/file/list", qID("group_id", gid)))
	if err != nil {
		return nil, err
	}
	return parseList(data, parseSharedFile), nil
}

// SharedFileUpload describes a file already uploaded (SysManager.Upload
// with a share file type) to register in a group.
type SharedFileUpload struct {
	Name string // name
	Size int64  // size in bytes
	Type string // type, e.g. a MIME type or extension
	URL  string // url: the download URL returned by the upload
}

// RegisterFile registers an uploaded file as shared in gid
// (POST /group/file/upload, asyncFileUpload).
func (g *GroupManager) RegisterFile(ctx lite.Context, gid uint64, f SharedFileUpload) (SharedFile, error) {
	if err := needID("group id", gid); err != nil {
		return SharedFile{}, err
	}
	if f.Name == "" || f.URL == "" {
		return SharedFile{}, ClientError("shared file needs a name and a URL")
	}
	if f.Size < 0 {
		return SharedFile{}, ClientError("shared file size is negative")
	}
	body := newMgrBody().id("group_id", gid).str("name", f.Name).num("size", f.Size).str("type", f.Type).str("url", f.URL).bytes()
	data, err := g.c.mcall(ctx, mgrPost("/group/file/upload", body))
	if err != nil {
		return SharedFile{}, err
	}
	return parseSharedFile(data), nil
}

// DeleteFiles deletes shared files of gid (POST /group/file/delete,
// asyncFileDelete).
func (g *GroupManager) DeleteFiles(ctx lite.Context, gid uint64, fileIDs []uint64) ([]SharedFileResult, error) {
	if err := needID("group id", gid); err != nil {
		return nil, err
	}
	if err := needIDs("file list", fileIDs); err != nil {
		return nil, err
	}
	data, err := g.c.mcall(ctx, mgrPost("/group/file/delete", newMgrBody().id("group_id", gid).ids("file_list", fileIDs).bytes()))
	if err != nil {
		return nil, err
	}
	return parseList(data, parseSharedFileResult), nil
}

// applyGroupNotice updates the group caches for a group notice
// (PROTOCOL.md §13.1). It is the hook for the sync code, which should call
// it for every GroupNotice before emitting the notice's events, so that
// handlers of those events read updated caches. It does no I/O, takes only
// the managers' own lock and emits nothing.
func (c *Client) applyGroupNotice(n NoticeMeta) {
	self := c.UID()
	p := n.Payload
	gid := p.Gid.UID
	from := p.From.UID
	to := make([]uint64, 0, len(p.To))
	toSelf := false
	for _, x := range p.To {
		to = append(to, x.UID)
		toSelf = toSelf || x.UID == self
	}
	ts := int64(n.Timestamp)
	st, _ := c.mgrView()
	defer st.mu.Unlock()
	if st.sess == 0 || gid == 0 {
		return
	}
	join := func() {
		st.groupIDs = mgrAddID(st.groupIDs, gid)
		// The cached info, if any, predates the membership; fetch again.
		if _, ok := st.groups[gid]; ok {
			st.groupStale[gid] = true
		}
	}
	switch xsync.GroupNoticeType(p.Type) {
	case xsync.GroupNoticeCreated:
		join()
	case xsync.GroupNoticeDestroyed:
		st.dropGroup(gid)
	case xsync.GroupNoticeJoined, xsync.GroupNoticeInviteAccepted:
		if from == self {
			join()
		} else {
			st.addMembers(gid, []uint64{from}, ts)
		}
	case xsync.GroupNoticeApplyAccepted:
		if toSelf {
			join()
		} else {
			st.addMembers(gid, to, ts)
		}
	case xsync.GroupNoticeLeaved:
		if from == self {
			st.dropGroup(gid)
		} else {
			st.removeMembers(gid, []uint64{from})
		}
	case xsync.GroupNoticeKicked, xsync.GroupNoticeBlocked:
		if toSelf {
			st.dropGroup(gid)
		} else {
			st.removeMembers(gid, to)
		}
	case xsync.GroupNoticeOwnerAssigned:
		if len(to) > 0 {
			st.patchGroup(gid, jsonv.Field("owner_id", jsonv.Uint(to[0])))
		}
	case xsync.GroupNoticeInfoUpdated:
		st.applyGroupInfoUpdate(gid, from, p.Content)
	case xsync.GroupNoticeAnnouncementUpdated:
		if _, ok := st.groups[gid]; ok {
			st.groupStale[gid] = true
		}
	}
}

// applyGroupInfoUpdate merges the content of an INFO_UPDATED notice,
// {"property": name, name: value} (PROTOCOL.md §12.4), into the cache: a
// display_name change is the card name of the notice's sender, anything
// else a GroupInfo field.
func (st *managerState) applyGroupInfoUpdate(gid, from uint64, content string) {
	v, err := jsonv.ParseString(content)
	if err != nil || v.Kind() != jsonv.KindObject {
		return
	}
	prop, _ := v.Get("property").Str()
	if prop == "display_name" {
		if name, ok := v.Get("display_name").AsString(); ok {
			st.setDisplayName(gid, from, name)
		}
		return
	}
	patch := v.Delete("property").Delete("group_id")
	if old, ok := st.groups[gid]; ok && patch.Len() > 0 {
		st.groups[gid] = jsonv.Merge(old, patch)
	}
}

// The group caches for a facade that makes the REST calls itself (the npm
// package, as for the roster: RosterManager.Keep): the engine's caches are
// the only copy; the facade reads and updates them through these methods,
// which take the current session.

// RawIDs returns the cached joined gids and whether they are known.
func (g *GroupManager) RawIDs() ([]uint64, bool) {
	st, _ := g.c.mgrView()
	defer st.mu.Unlock()
	return append([]uint64(nil), st.groupIDs...), st.groupIDsKnown
}

// Raw returns the cached GroupInfo object of gid as merged, and whether it
// is stale (to fetch again before use: a join, an announcement).
func (g *GroupManager) Raw(gid uint64) (v jsonv.Value, stale, ok bool) {
	st, _ := g.c.mgrView()
	defer st.mu.Unlock()
	v, ok = st.groups[gid]
	return v, st.groupStale[gid], ok
}

// RawAll returns the gids of every cached group, in increasing order, and
// their objects.
func (g *GroupManager) RawAll() ([]uint64, []jsonv.Value) {
	st, _ := g.c.mgrView()
	ids, items := sortedByID(st.groups)
	st.mu.Unlock()
	return ids, items
}

// RawMembers returns the cached member objects of gid as received.
func (g *GroupManager) RawMembers(gid uint64) ([]jsonv.Value, bool) {
	st, _ := g.c.mgrView()
	defer st.mu.Unlock()
	list, ok := st.members[gid]
	out := make([]jsonv.Value, len(list))
	for i, m := range list {
		out[i] = m.Raw
	}
	return out, ok
}

// KeepIDs replaces the cached joined gids (a GET /group/user_joined reply).
func (g *GroupManager) KeepIDs(ids []uint64) {
	g.c.mgrUpdate(g.c.mgrSession(), func(st *managerState) {
		st.groupIDs, st.groupIDsKnown = append([]uint64(nil), ids...), true
	})
}

// Keep merges a GroupInfo, settings or GroupBrief object into the cached
// info of gid (its fields win), which is then current; with join, gid is
// also a joined group (a group just created).
func (g *GroupManager) Keep(gid uint64, v jsonv.Value, join bool) {
	g.c.mgrUpdate(g.c.mgrSession(), func(st *managerState) {
		st.mergeGroup(gid, v)
		if join {
			st.groupIDs = mgrAddID(st.groupIDs, gid)
		}
	})
}

// KeepFields merges the members of the object fields into the cached info
// of gid, if cached (a setting changed).
func (g *GroupManager) KeepFields(gid uint64, fields jsonv.Value) {
	g.c.mgrUpdate(g.c.mgrSession(), func(st *managerState) {
		if old, ok := st.groups[gid]; ok && fields.Kind() == jsonv.KindObject {
			st.groups[gid] = jsonv.Merge(old, fields)
		}
	})
}

// KeepMembers replaces the cached member list of gid (a
// GET /group/member_list reply).
func (g *GroupManager) KeepMembers(gid uint64, list jsonv.Value) {
	// A loop rather than parseList: its instantiation for Member is not
	// otherwise linked into the wasm build.
	members := make([]Member, 0, list.Len())
	for _, v := range list.Elements() {
		members = append(members, parseMember(v))
	}
	g.c.mgrUpdate(g.c.mgrSession(), func(st *managerState) { st.members[gid] = members })
}

// KeepRemoved drops uids from the cached member list of gid (kicked,
// blocked).
func (g *GroupManager) KeepRemoved(gid uint64, uids []uint64) {
	g.c.mgrUpdate(g.c.mgrSession(), func(st *managerState) { st.removeMembers(gid, uids) })
}

// KeepDisplayName sets the card name of uid in the cached members of gid.
func (g *GroupManager) KeepDisplayName(gid, uid uint64, name string) {
	g.c.mgrUpdate(g.c.mgrSession(), func(st *managerState) { st.setDisplayName(gid, uid, name) })
}

// Forget drops everything cached about gid (the user left it or
// destroyed it).
func (g *GroupManager) Forget(gid uint64) {
	g.c.mgrUpdate(g.c.mgrSession(), func(st *managerState) { st.dropGroup(gid) })
}
