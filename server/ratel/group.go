package ratel

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// Group limits and defaults.
const (
	defaultGroupCapacity = 2000
	maxGroupCapacity     = 100000
	maxGroupNameLen      = 64                      // characters
	groupRequestTTL      = 7 * 24 * 60 * 60 * 1000 // ms: join requests and invitations
)

// GroupInfo is the GroupInfo entity of REST.md §12 (also the /group/settings
// reply). msg_mute_mode and msg_push_mode are the caller's own settings.
type GroupInfo struct {
	GroupID        int64  `json:"group_id"`
	Name           string `json:"name"`
	Avatar         string `json:"avatar"`
	Description    string `json:"description"`
	Ext            string `json:"ext"`
	OwnerID        int64  `json:"owner_id"`
	Type           int    `json:"type"`
	Status         int    `json:"status"`
	CreatedAt      int64  `json:"created_at"`
	UpdatedAt      int64  `json:"updated_at"`
	Capacity       int    `json:"capacity"`
	Count          int    `json:"count"`
	ApplyApproval  int    `json:"apply_approval"`
	MemberInvite   bool   `json:"member_invite"`
	MemberModify   bool   `json:"member_modify"`
	HistoryVisible bool   `json:"history_visible"`
	HideMemberInfo bool   `json:"hide_member_info"`
	ReadAck        bool   `json:"read_ack"`
	MsgMuteMode    int    `json:"msg_mute_mode"`
	MsgPushMode    int    `json:"msg_push_mode"`
	BanExpireTime  int64  `json:"ban_expire_time"`
}

// GroupBrief is an item of /group/info/batch (REST.md §12). Note owner, not
// owner_id.
type GroupBrief struct {
	GroupID       int64  `json:"group_id"`
	Name          string `json:"name"`
	Avatar        string `json:"avatar"`
	Owner         int64  `json:"owner"`
	Type          int    `json:"type"`
	Status        int    `json:"status"`
	Capacity      int    `json:"capacity"`
	Count         int    `json:"count"`
	ApplyApproval int    `json:"apply_approval"`
	MsgMuteMode   int    `json:"msg_mute_mode"`
	MsgPushMode   int    `json:"msg_push_mode"`
}

// GroupResult is the per-user outcome of a batch group action.
type GroupResult struct {
	UserID int64  `json:"user_id"`
	Result string `json:"result"` // "success" or "fail"
	Reason string `json:"reason"`
}

func okResult(uid int64) GroupResult { return GroupResult{UserID: uid, Result: "success"} }

func failResult(uid int64, reason string) GroupResult {
	return GroupResult{UserID: uid, Result: "fail", Reason: reason}
}

// banValue is a ban expiry as clients should see it at now: a past expiry
// reads 0 (no ban).
func banValue(v, now int64) int64 {
	if v > 0 && v <= now {
		return 0
	}
	return v
}

func (a *API) groupInfo(g *store.Group, me *store.Member) GroupInfo {
	gi := GroupInfo{GroupID: g.ID, Name: g.Name, Avatar: g.Avatar, Description: g.Description,
		Ext: g.Ext, OwnerID: g.OwnerID, Type: g.Type, Status: g.Status, CreatedAt: g.CreatedAt,
		UpdatedAt: g.UpdatedAt, Capacity: g.Capacity, Count: g.MemberCount,
		ApplyApproval: g.ApplyApproval, MemberInvite: g.MemberInvite, MemberModify: g.MemberModify,
		HistoryVisible: g.HistoryVisible, HideMemberInfo: g.HideMemberInfo, ReadAck: g.ReadAck,
		BanExpireTime: banValue(g.BanExpireTime, a.now().UnixMilli())}
	if me != nil {
		gi.MsgMuteMode, gi.MsgPushMode = me.MsgMuteMode, me.MsgPushMode
	}
	return gi
}

func (a *API) registerGroupRoutes() {
	a.handle("POST /group/create", authed, a.groupCreate)
	a.handle("POST /group/destroy", authed, a.groupDestroy)
	a.handle("GET /group/info", authed, a.groupGetInfo)
	a.handle("POST /group/info/batch", authed, a.groupInfoBatch)
	a.handle("GET /group/user_joined", authed, a.groupUserJoined)
	a.handle("GET /group/public_list", authed, a.groupPublicList)
	a.handle("POST /group/info/name", authed, a.groupInfoField("name"))
	a.handle("POST /group/info/avatar", authed, a.groupInfoField("avatar"))
	a.handle("POST /group/info/description", authed, a.groupInfoField("description"))
	a.handle("POST /group/info/ext", authed, a.groupInfoField("ext"))
	a.handle("GET /group/settings", authed, a.groupSettings)
	a.handle("POST /group/settings/allow_member_invitation", authed, a.groupBoolSetting("member_invite"))
	a.handle("POST /group/settings/allow_member_modify", authed, a.groupBoolSetting("member_modify"))
	a.handle("POST /group/settings/enable_read_ack", authed, a.groupBoolSetting("read_ack"))
	a.handle("POST /group/settings/history_visible", authed, a.groupBoolSetting("history_visible"))
	a.handle("POST /group/settings/hide_member_info", authed, a.groupBoolSetting("hide_member_info"))
	a.handle("POST /group/settings/require_admin_approval", authed, a.groupApplyApproval)
	a.handle("POST /group/settings/ban_all", authed, a.groupBanAll)
	a.handle("POST /group/settings/unban_all", authed, a.groupUnbanAll)
	a.handle("POST /group/msg/mute_mode", authed, a.groupMuteMode)
	a.handle("POST /group/msg/push_mode", authed, a.groupPushMode)
	a.handle("POST /group/msg/not_disturb", authed, a.groupNotDisturb)

	a.registerGroupMemberRoutes()  // group_members.go
	a.registerGroupRequestRoutes() // group_requests.go
	a.registerGroupContentRoutes() // group_content.go
}

// errNoGroup is the answer for an unknown or destroyed group.
var errNoGroup = Fail(CodeGroupNotExist, "group does not exist")

// liveGroup loads the group named by the group_id parameter; 20001 if it is
// unknown or destroyed.
func (a *API) liveGroup(c *Call) (*store.Group, error) {
	gid, err := c.Int("group_id")
	if err != nil {
		return nil, err
	}
	g, err := a.st.GetGroup(c.Ctx, gid)
	if errors.Is(err, store.ErrNotFound) || err == nil && g.Status != store.GroupNormal {
		return nil, errNoGroup
	}
	return g, err
}

// membership returns uid's membership of g, nil if none.
func (a *API) membership(c *Call, gid, uid int64) (*store.Member, error) {
	m, err := a.st.GetMember(c.Ctx, gid, uid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return m, err
}

// Permission levels of a group action.
const (
	needMember = iota
	needAdmin
	needOwner
)

// groupFor loads the live group of the request and the caller's membership,
// requiring the given level: 20001 unknown group, 20002 not a member, 20012
// admin required, 20013 owner required.
func (a *API) groupFor(c *Call, level int) (*store.Group, *store.Member, error) {
	g, err := a.liveGroup(c)
	if err != nil {
		return nil, nil, err
	}
	me, err := a.membership(c, g.ID, c.UID)
	if err != nil {
		return nil, nil, err
	}
	if me == nil {
		return nil, nil, Fail(CodeNotGroupMember, "not a group member")
	}
	switch {
	case level == needAdmin && me.Role < store.RoleAdmin:
		return nil, nil, Fail(CodeAdminRequired, "admin permission required")
	case level == needOwner && me.Role < store.RoleOwner:
		return nil, nil, Fail(CodeOwnerRequired, "owner permission required")
	}
	return g, me, nil
}

// membersWhere returns the current members of gid for which keep is true.
func (a *API) membersWhere(c *Call, gid int64, keep func(store.Member) bool) ([]store.Member, error) {
	ms, err := a.st.ListMembers(c.Ctx, gid)
	if err != nil {
		return nil, err
	}
	var out []store.Member
	for _, m := range ms {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out, nil
}

// userIDs returns the uid of each membership, in order.
func userIDs(ms []store.Member) []int64 {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.UserID
	}
	return ids
}

// memberIDs returns the uids of the current members of gid.
func (a *API) memberIDs(c *Call, gid int64) ([]int64, error) {
	ms, err := a.st.ListMembers(c.Ctx, gid)
	if err != nil {
		return nil, err
	}
	return userIDs(ms), nil
}

// adminIDs returns the owner and admins of gid.
func (a *API) adminIDs(c *Call, gid int64) ([]int64, error) {
	ms, err := a.membersWhere(c, gid, func(m store.Member) bool { return m.Role >= store.RoleAdmin })
	if err != nil {
		return nil, err
	}
	return userIDs(ms), nil
}

// union returns the distinct ids of the lists in first-seen order.
func union(lists ...[]int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, l := range lists {
		for _, id := range l {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// without returns ids minus the given ones.
func without(ids []int64, drop ...int64) []int64 {
	out := make([]int64, 0, len(ids))
next:
	for _, id := range ids {
		for _, d := range drop {
			if id == d {
				continue next
			}
		}
		out = append(out, id)
	}
	return out
}

// notifyGroup stores a GroupNotice {typ, gid, from, to, content} for the
// recipients (PROTOCOL.md §13.1). Failures are logged: the change is
// already committed.
func (a *API) notifyGroup(c *Call, typ xsync.GroupNoticeType, gid, from int64, to []int64, content string, recipients []int64) {
	recipients = union(recipients)
	if len(recipients) == 0 {
		return
	}
	gn := xsync.GroupNotice{Type: typ, Gid: &xsync.XID{Uid: uint64(gid)},
		From: &xsync.XID{Uid: uint64(from)}, Content: content}
	for _, uid := range to {
		gn.To = append(gn.To, &xsync.XID{Uid: uint64(uid)})
	}
	n := Notice{To: recipients, From: from, NS: NSGroupNotice, Payload: gn.Marshal()}
	if from == c.UID {
		n.FromDevice = a.CallerDevice(c)
	}
	if err := a.notify.Notify(c.Ctx, n); err != nil {
		a.log.Warn("ratel: group notify failed", "uid", c.UID, "gid", gid, "type", typ.String(), "err", err)
	}
}

// notifyMembers sends a notice to every current member of gid plus extra.
func (a *API) notifyMembers(c *Call, typ xsync.GroupNoticeType, gid, from int64, to []int64, content string, extra ...int64) error {
	ids, err := a.memberIDs(c, gid)
	if err != nil {
		return err
	}
	a.notifyGroup(c, typ, gid, from, to, content, union(ids, extra))
	return nil
}

// infoUpdated announces one changed GroupInfo property to all members
// (content per PROTOCOL.md §12.4).
func (a *API) infoUpdated(c *Call, gid int64, property string, value any) error {
	b, err := json.Marshal(map[string]any{"property": property, property: value})
	if err != nil {
		return err
	}
	return a.notifyMembers(c, xsync.GroupNoticeInfoUpdated, gid, c.UID, nil, string(b))
}

func (a *API) groupCreate(c *Call) (any, error) {
	name, err := c.Str("name")
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, badParam("name", "empty")
	}
	if err := checkNickLen("name", name, maxGroupNameLen); err != nil {
		return nil, err
	}
	g := store.Group{OwnerID: c.UID, Name: name, Capacity: defaultGroupCapacity,
		ApplyApproval: 1, MemberInvite: true, HistoryVisible: true}
	typ, err := c.OptInt("type", store.GroupPrivate)
	if err != nil {
		return nil, err
	}
	if typ < store.GroupPrivate || typ > store.GroupTemporary {
		return nil, badParam("type", "must be 0, 1, 2 or 3")
	}
	g.Type = int(typ)
	for _, f := range []struct {
		name string
		dst  *string
		max  int
	}{{"avatar", &g.Avatar, maxAvatarLen}, {"description", &g.Description, maxTextLen}, {"ext", &g.Ext, maxTextLen}} {
		if *f.dst, err = c.OptStr(f.name, ""); err != nil {
			return nil, err
		}
		if err := checkText(f.name, *f.dst, f.max); err != nil {
			return nil, err
		}
	}
	capacity, err := c.OptInt("capacity", defaultGroupCapacity)
	if err != nil {
		return nil, err
	}
	if capacity < 1 || capacity > maxGroupCapacity {
		return nil, badParam("capacity", "out of range")
	}
	g.Capacity = int(capacity)
	approval, err := c.OptInt("apply_approval", int64(g.ApplyApproval))
	if err != nil {
		return nil, err
	}
	if approval < 0 || approval > 2 {
		return nil, badParam("apply_approval", "must be 0, 1 or 2")
	}
	g.ApplyApproval = int(approval)
	for _, f := range []struct {
		name string
		dst  *bool
	}{{"member_invite", &g.MemberInvite}, {"member_modify", &g.MemberModify},
		{"history_visible", &g.HistoryVisible}, {"read_ack", &g.ReadAck}, {"hide_member_info", &g.HideMemberInfo}} {
		if *f.dst, err = c.OptBool(f.name, *f.dst); err != nil {
			return nil, err
		}
	}
	list, err := c.OptIntList("user_list")
	if err != nil {
		return nil, err
	}
	list = without(union(list), c.UID)
	if len(list) > 0 {
		users, err := a.st.UsersByIDs(c.Ctx, list)
		if err != nil {
			return nil, err
		}
		live := map[int64]bool{}
		for _, u := range users {
			live[u.ID] = !u.Deleted()
		}
		for _, id := range list {
			if !live[id] {
				return nil, Fail(CodeUserNotExist, "user "+strconv.FormatInt(id, 10)+" does not exist")
			}
		}
	}
	if len(list)+1 > g.Capacity {
		return nil, Fail(CodeGroupFull, "group member limit reached")
	}
	now := a.now().UnixMilli()
	g.CreatedAt, g.UpdatedAt = now, now
	members := make([]store.Member, len(list))
	for i, uid := range list {
		members[i] = store.Member{UserID: uid, Role: store.RoleMember, JoinTime: now}
	}
	if err := a.st.CreateGroup(c.Ctx, &g, members); err != nil {
		if errors.Is(err, store.ErrGroupFull) {
			return nil, Fail(CodeGroupFull, "group member limit reached")
		}
		return nil, err
	}
	a.notifyGroup(c, xsync.GroupNoticeCreated, g.ID, c.UID, nil, "", union([]int64{c.UID}, list))
	me := store.Member{Role: store.RoleOwner}
	return a.groupInfo(&g, &me), nil
}

// checkNickLen bounds a display string in characters.
func checkNickLen(field, s string, max int) error {
	if err := checkText(field, s, 4*max); err != nil {
		return err
	}
	n := 0
	for range s {
		n++
	}
	if n > max {
		return badParam(field, "too long")
	}
	return nil
}

func (a *API) groupDestroy(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needOwner)
	if err != nil {
		return nil, err
	}
	ids, err := a.memberIDs(c, g.ID)
	if err != nil {
		return nil, err
	}
	if err := a.st.DestroyGroup(c.Ctx, g.ID, a.now().UnixMilli()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errNoGroup
		}
		return nil, err
	}
	a.notifyGroup(c, xsync.GroupNoticeDestroyed, g.ID, c.UID, nil, "", ids)
	return true, nil
}

// groupGetInfo answers for any signed-in user, members or not, so a
// client can show a group it was invited to; a destroyed group answers with
// status 1 so a client can clean up.
func (a *API) groupGetInfo(c *Call) (any, error) {
	gid, err := c.Int("group_id")
	if err != nil {
		return nil, err
	}
	g, err := a.st.GetGroup(c.Ctx, gid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoGroup
	}
	if err != nil {
		return nil, err
	}
	me, err := a.membership(c, gid, c.UID)
	if err != nil {
		return nil, err
	}
	return a.groupInfo(g, me), nil
}

func (a *API) groupInfoBatch(c *Call) (any, error) {
	gids, err := c.IntList("group_list")
	if err != nil {
		return nil, err
	}
	gids = union(gids)
	groups, err := a.st.GroupsByIDs(c.Ctx, gids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*store.Group, len(groups))
	for i := range groups {
		byID[groups[i].ID] = &groups[i]
	}
	out := make([]GroupBrief, 0, len(groups))
	for _, gid := range gids {
		g, ok := byID[gid]
		if !ok {
			continue
		}
		b := GroupBrief{GroupID: g.ID, Name: g.Name, Avatar: g.Avatar, Owner: g.OwnerID,
			Type: g.Type, Status: g.Status, Capacity: g.Capacity, Count: g.MemberCount,
			ApplyApproval: g.ApplyApproval}
		me, err := a.membership(c, g.ID, c.UID)
		if err != nil {
			return nil, err
		}
		if me != nil {
			b.MsgMuteMode, b.MsgPushMode = me.MsgMuteMode, me.MsgPushMode
		}
		out = append(out, b)
	}
	return out, nil
}

func (a *API) groupUserJoined(c *Call) (any, error) {
	ids, err := a.st.JoinedGroups(c.Ctx, c.UID)
	if err != nil {
		return nil, err
	}
	return pageInt64s(c, ids)
}

func (a *API) groupPublicList(c *Call) (any, error) {
	ids, err := a.st.PublicGroups(c.Ctx)
	if err != nil {
		return nil, err
	}
	return pageInt64s(c, ids)
}

// canModifyInfo applies the member_modify rule: owner and admins always,
// other members only when the group allows it (else 20011).
func canModifyInfo(g *store.Group, me *store.Member) error {
	if me.Role >= store.RoleAdmin || g.MemberModify {
		return nil
	}
	return Fail(CodeMemberRequired, "members may not modify this group")
}

func (a *API) groupInfoField(field string) HandlerFunc {
	return func(c *Call) (any, error) {
		g, me, err := a.groupFor(c, needMember)
		if err != nil {
			return nil, err
		}
		if err := canModifyInfo(g, me); err != nil {
			return nil, err
		}
		v, err := c.Str("value")
		if err != nil {
			return nil, err
		}
		var p store.GroupPatch
		switch field {
		case "name":
			p.Name = &v
			if v == "" {
				err = badParam("value", "empty name")
			} else {
				err = checkNickLen("value", v, maxGroupNameLen)
			}
		case "avatar":
			p.Avatar = &v
			err = checkText("value", v, maxAvatarLen)
		case "description":
			p.Description = &v
			err = checkText("value", v, maxTextLen)
		case "ext":
			p.Ext = &v
			err = checkText("value", v, maxTextLen)
		}
		if err != nil {
			return nil, err
		}
		if err := a.updateGroup(c, g.ID, p); err != nil {
			return nil, err
		}
		return true, a.infoUpdated(c, g.ID, field, v)
	}
}

func (a *API) updateGroup(c *Call, gid int64, p store.GroupPatch) error {
	err := a.st.UpdateGroup(c.Ctx, gid, p, a.now().UnixMilli())
	if errors.Is(err, store.ErrNotFound) {
		return errNoGroup
	}
	return err
}

func (a *API) groupSettings(c *Call) (any, error) {
	g, me, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	return a.groupInfo(g, me), nil
}

// groupBoolSetting serves the boolean /group/settings/* endpoints; property
// is the GroupInfo field the value lands in, also used in INFO_UPDATED.
func (a *API) groupBoolSetting(property string) HandlerFunc {
	return func(c *Call) (any, error) {
		g, _, err := a.groupFor(c, needAdmin)
		if err != nil {
			return nil, err
		}
		v, err := c.Bool("value")
		if err != nil {
			return nil, err
		}
		var p store.GroupPatch
		switch property {
		case "member_invite":
			p.MemberInvite = &v
		case "member_modify":
			p.MemberModify = &v
		case "read_ack":
			p.ReadAck = &v
		case "history_visible":
			p.HistoryVisible = &v
		case "hide_member_info":
			p.HideMemberInfo = &v
		}
		if err := a.updateGroup(c, g.ID, p); err != nil {
			return nil, err
		}
		return true, a.infoUpdated(c, g.ID, property, v)
	}
}

func (a *API) groupApplyApproval(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needAdmin)
	if err != nil {
		return nil, err
	}
	v, err := c.Int("apply_approval")
	if err != nil {
		return nil, err
	}
	if v < 0 || v > 2 {
		return nil, badParam("apply_approval", "must be 0, 1 or 2")
	}
	n := int(v)
	if err := a.updateGroup(c, g.ID, store.GroupPatch{ApplyApproval: &n}); err != nil {
		return nil, err
	}
	return true, a.infoUpdated(c, g.ID, "apply_approval", n)
}

// BanAllResult is the /group/settings/ban_all reply.
type BanAllResult struct {
	BanExpireTime int64 `json:"ban_expire_time"`
}

// banExpiry turns a duration in minutes into an expiry: absent, zero or
// negative means without end (-1).
func (a *API) banExpiry(c *Call) (expiry, minutes int64, err error) {
	minutes, err = c.OptInt("duration", 0)
	if err != nil {
		return 0, 0, err
	}
	if minutes <= 0 {
		return -1, minutes, nil
	}
	if minutes > 100*365*24*60 {
		return 0, 0, badParam("duration", "too long")
	}
	return a.now().UnixMilli() + minutes*60_000, minutes, nil
}

func (a *API) groupBanAll(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needAdmin)
	if err != nil {
		return nil, err
	}
	exp, _, err := a.banExpiry(c)
	if err != nil {
		return nil, err
	}
	if err := a.updateGroup(c, g.ID, store.GroupPatch{BanExpireTime: &exp}); err != nil {
		return nil, err
	}
	return BanAllResult{BanExpireTime: exp}, a.infoUpdated(c, g.ID, "ban_expire_time", exp)
}

func (a *API) groupUnbanAll(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needAdmin)
	if err != nil {
		return nil, err
	}
	var zero int64
	if err := a.updateGroup(c, g.ID, store.GroupPatch{BanExpireTime: &zero}); err != nil {
		return nil, err
	}
	return true, a.infoUpdated(c, g.ID, "ban_expire_time", zero)
}

// updateSelf applies p to the caller's own membership.
func (a *API) updateSelf(c *Call, gid int64, p store.MemberPatch) error {
	err := a.st.UpdateMember(c.Ctx, gid, c.UID, p)
	if errors.Is(err, store.ErrNotFound) {
		return Fail(CodeNotGroupMember, "not a group member")
	}
	return err
}

func (a *API) groupMuteMode(c *Call) (any, error) {
	g, me, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	v, err := c.Int("msg_mute_mode")
	if err != nil {
		return nil, err
	}
	if v < 0 || v > 2 {
		return nil, badParam("msg_mute_mode", "must be 0, 1 or 2")
	}
	mode := int(v)
	if err := a.updateSelf(c, g.ID, store.MemberPatch{MsgMuteMode: &mode}); err != nil {
		return nil, err
	}
	if mode != me.MsgMuteMode {
		typ := xsync.GroupNoticeMuted
		if mode == 0 {
			typ = xsync.GroupNoticeUnmuted
		}
		a.notifyGroup(c, typ, g.ID, c.UID, nil, strconv.Itoa(mode), []int64{c.UID})
	}
	return nil, nil
}

func (a *API) groupPushMode(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	v, err := c.Int("msg_push_mode")
	if err != nil {
		return nil, err
	}
	if v < 0 || v > 4 {
		return nil, Fail(CodeBadPushMode, "invalid msg_push_mode")
	}
	mode := int(v)
	return nil, a.updateSelf(c, g.ID, store.MemberPatch{MsgPushMode: &mode})
}

func (a *API) groupNotDisturb(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	v, err := c.Bool("value")
	if err != nil {
		return nil, err
	}
	return true, a.updateSelf(c, g.ID, store.MemberPatch{NotDisturb: &v})
}
