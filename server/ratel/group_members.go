package ratel

import (
	"errors"
	"strconv"
	"time"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// MemberInfo is the Member entity of REST.md §12.
type MemberInfo struct {
	UserID      int64  `json:"user_id"`
	DisplayName string `json:"display_name"`
	JoinTime    int64  `json:"join_time"`
	ExpiredTime int64  `json:"expired_time"` // the end of the member's ban; 0 none, -1 without end
	Avatar      string `json:"avatar"`
}

// BlockedMember is the BlockedMember entity of REST.md §12.
type BlockedMember struct {
	UserID    int64  `json:"user_id"`
	GroupID   int64  `json:"group_id"`
	CreatedAt string `json:"created_at"` // date-time string
}

func (a *API) registerGroupMemberRoutes() {
	a.handle("GET /group/member_list", authed, a.groupMemberList)
	a.handle("POST /group/members/display_name", authed, a.groupMembersDisplayName)
	a.handle("POST /group/display_name", authed, a.groupDisplayName)
	a.handle("GET /group/admin_list", authed, a.groupAdminList)
	a.handle("POST /group/admin/add", authed, a.groupAdmin(true))
	a.handle("POST /group/admin/remove", authed, a.groupAdmin(false))
	a.handle("POST /group/transfer", authed, a.groupTransfer)
	a.handle("POST /group/kick", authed, a.groupKick)
	a.handle("POST /group/leave", authed, a.groupLeave)
	a.handle("POST /group/block", authed, a.groupBlock)
	a.handle("POST /group/unblock", authed, a.groupUnblock)
	a.handle("GET /group/blocked_list", authed, a.groupBlockedList)
	a.handle("POST /group/ban", authed, a.groupBan)
	a.handle("POST /group/unban", authed, a.groupUnban)
	a.handle("GET /group/banned_list", authed, a.groupBannedList)
}

// memberInfos converts memberships, adding each user's avatar.
func (a *API) memberInfos(c *Call, ms []store.Member) ([]MemberInfo, error) {
	users, err := a.st.UsersByIDs(c.Ctx, userIDs(ms))
	if err != nil {
		return nil, err
	}
	avatar := make(map[int64]string, len(users))
	for _, u := range users {
		avatar[u.ID] = u.Avatar
	}
	now := a.now().UnixMilli()
	out := make([]MemberInfo, len(ms))
	for i, m := range ms {
		out[i] = MemberInfo{UserID: m.UserID, DisplayName: m.DisplayName, JoinTime: m.JoinTime,
			ExpiredTime: banValue(m.BanExpireTime, now), Avatar: avatar[m.UserID]}
	}
	return out, nil
}

func (a *API) groupMemberList(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	ms, err := a.st.ListMembers(c.Ctx, g.ID)
	if err != nil {
		return nil, err
	}
	// Optional paging: cursor is the offset of the next page.
	limit, err := c.OptInt("limit", 0)
	if err != nil {
		return nil, err
	}
	offset, err := c.OptInt("cursor", 0)
	if err != nil {
		return nil, err
	}
	if offset < 0 || offset > int64(len(ms)) {
		return nil, badParam("cursor", "out of range")
	}
	ms = ms[offset:]
	next := ""
	if limit > 0 && int64(len(ms)) > limit {
		ms = ms[:limit]
		next = strconv.FormatInt(offset+limit, 10)
	}
	infos, err := a.memberInfos(c, ms)
	if err != nil {
		return nil, err
	}
	if next != "" {
		return Envelope{Data: infos, Extra: map[string]any{"cursor": next}}, nil
	}
	return infos, nil
}

func (a *API) groupMembersDisplayName(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	ids, err := c.IntList("user_list")
	if err != nil {
		return nil, err
	}
	var ms []store.Member
	for _, uid := range union(ids) {
		m, err := a.membership(c, g.ID, uid)
		if err != nil {
			return nil, err
		}
		if m != nil {
			ms = append(ms, *m)
		}
	}
	return a.memberInfos(c, ms)
}

func (a *API) groupDisplayName(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	v, err := c.Str("value")
	if err != nil {
		return nil, err
	}
	if err := checkNick("value", v); err != nil {
		return nil, err
	}
	if err := a.updateSelf(c, g.ID, store.MemberPatch{DisplayName: &v}); err != nil {
		return nil, err
	}
	// display_name refers to the member in GroupNotice.from (§12.4).
	return true, a.infoUpdated(c, g.ID, "display_name", v)
}

func (a *API) groupAdminList(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	admins, err := a.membersWhere(c, g.ID, func(m store.Member) bool { return m.Role == store.RoleAdmin })
	if err != nil {
		return nil, err
	}
	return a.memberInfos(c, admins)
}

// batchTargets reads user_list and, for each distinct uid, calls fn with its
// membership of g (nil if none); fn returns "" for success or a failure
// reason. It returns the per-user results and the uids that succeeded.
func (a *API) batchTargets(c *Call, g *store.Group, fn func(uid int64, m *store.Member) (string, error)) ([]GroupResult, []int64, error) {
	ids, err := c.IntList("user_list")
	if err != nil {
		return nil, nil, err
	}
	results := []GroupResult{}
	var done []int64
	for _, uid := range union(ids) {
		m, err := a.membership(c, g.ID, uid)
		if err != nil {
			return nil, nil, err
		}
		reason, err := fn(uid, m)
		if err != nil {
			return nil, nil, err
		}
		if reason != "" {
			results = append(results, failResult(uid, reason))
			continue
		}
		results = append(results, okResult(uid))
		done = append(done, uid)
	}
	return results, done, nil
}

// batchNotice runs batchTargets and, once any target succeeded, sends every
// member the notice typ naming those targets. tellTargets adds the targets
// to the recipients, for actions (kick, block) that leave them outside the
// group yet must reach them.
func (a *API) batchNotice(c *Call, g *store.Group, typ xsync.GroupNoticeType, content string, tellTargets bool,
	fn func(uid int64, m *store.Member) (string, error)) (any, error) {
	results, done, err := a.batchTargets(c, g, fn)
	if err != nil {
		return nil, err
	}
	if len(done) > 0 {
		var extra []int64
		if tellTargets {
			extra = done
		}
		if err := a.notifyMembers(c, typ, g.ID, c.UID, done, content, extra...); err != nil {
			return nil, err
		}
	}
	return results, nil
}

const (
	reasonNotMember  = "not a group member"
	reasonOwner      = "the owner cannot be the target"
	reasonSelf       = "cannot target yourself"
	reasonAdminPeer  = "owner permission required to act on an admin"
	reasonNoUser     = "user does not exist"
	reasonIsMember   = "already a member"
	reasonBlocked    = "in the group block list"
	reasonGroupFull  = "group member limit reached"
	reasonNotBlocked = "not in the group block list"
)

// outranks reports whether actor may act on target: the owner on anyone,
// admins on ordinary members only.
func outranks(actor *store.Member, target *store.Member) string {
	switch {
	case target.UserID == actor.UserID:
		return reasonSelf
	case target.Role == store.RoleOwner:
		return reasonOwner
	case target.Role == store.RoleAdmin && actor.Role != store.RoleOwner:
		return reasonAdminPeer
	}
	return ""
}

func (a *API) groupAdmin(grant bool) HandlerFunc {
	typ, role := xsync.GroupNoticeAdminRevoked, store.RoleMember
	if grant {
		typ, role = xsync.GroupNoticeAdminGranted, store.RoleAdmin
	}
	return func(c *Call) (any, error) {
		g, _, err := a.groupFor(c, needOwner)
		if err != nil {
			return nil, err
		}
		return a.batchNotice(c, g, typ, "", false, func(uid int64, m *store.Member) (string, error) {
			switch {
			case m == nil:
				return reasonNotMember, nil
			case m.Role == store.RoleOwner:
				return reasonOwner, nil
			case grant && m.Role == store.RoleAdmin:
				return "already an admin", nil
			case !grant && m.Role != store.RoleAdmin:
				return "not an admin", nil
			}
			return "", a.st.UpdateMember(c.Ctx, g.ID, uid, store.MemberPatch{Role: &role})
		})
	}
}

func (a *API) groupTransfer(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needOwner)
	if err != nil {
		return nil, err
	}
	to, err := c.Int("new_owner")
	if err != nil {
		return nil, err
	}
	if to == c.UID {
		return nil, badParam("new_owner", "is already the owner")
	}
	err = a.st.TransferOwner(c.Ctx, g.ID, to, a.now().UnixMilli())
	if errors.Is(err, store.ErrNotFound) {
		return nil, Fail(CodeTransferNotMember, "transfer target is not a member")
	}
	if err != nil {
		return nil, err
	}
	if err := a.notifyMembers(c, xsync.GroupNoticeOwnerAssigned, g.ID, c.UID, []int64{to}, ""); err != nil {
		return nil, err
	}
	return okResult(to), nil
}

func (a *API) groupKick(c *Call) (any, error) {
	g, me, err := a.groupFor(c, needAdmin)
	if err != nil {
		return nil, err
	}
	return a.batchNotice(c, g, xsync.GroupNoticeKicked, "", true, func(uid int64, m *store.Member) (string, error) {
		if m == nil {
			return reasonNotMember, nil
		}
		if r := outranks(me, m); r != "" {
			return r, nil
		}
		err := a.st.RemoveMember(c.Ctx, g.ID, uid)
		if errors.Is(err, store.ErrNotFound) {
			return reasonNotMember, nil
		}
		return "", err
	})
}

func (a *API) groupLeave(c *Call) (any, error) {
	g, me, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	if me.Role == store.RoleOwner {
		return nil, Fail(CodeOwnerCannotLeave, "the owner cannot leave")
	}
	if err := a.st.RemoveMember(c.Ctx, g.ID, c.UID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, Fail(CodeNotGroupMember, "not a group member")
		}
		return nil, err
	}
	return true, a.notifyMembers(c, xsync.GroupNoticeLeaved, g.ID, c.UID, nil, "", c.UID)
}

func (a *API) groupBlock(c *Call) (any, error) {
	g, me, err := a.groupFor(c, needAdmin)
	if err != nil {
		return nil, err
	}
	now := a.now().UnixMilli()
	return a.batchNotice(c, g, xsync.GroupNoticeBlocked, "", true, func(uid int64, m *store.Member) (string, error) {
		if m != nil {
			if r := outranks(me, m); r != "" {
				return r, nil
			}
		} else if uid == c.UID {
			return reasonSelf, nil
		} else if u, err := a.st.UserByID(c.Ctx, uid); errors.Is(err, store.ErrNotFound) || err == nil && u.Deleted() {
			return reasonNoUser, nil
		} else if err != nil {
			return "", err
		}
		changed, err := a.st.BlockGroupMember(c.Ctx, g.ID, uid, now)
		if err == nil && !changed && m == nil {
			return "already blocked", nil
		}
		return "", err
	})
}

func (a *API) groupUnblock(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needAdmin)
	if err != nil {
		return nil, err
	}
	results, done, err := a.batchTargets(c, g, func(uid int64, _ *store.Member) (string, error) {
		err := a.st.UnblockGroupMember(c.Ctx, g.ID, uid)
		if errors.Is(err, store.ErrNotFound) {
			return reasonNotBlocked, nil
		}
		return "", err
	})
	if err != nil {
		return nil, err
	}
	if len(done) > 0 {
		admins, err := a.adminIDs(c, g.ID)
		if err != nil {
			return nil, err
		}
		a.notifyGroup(c, xsync.GroupNoticeUnblocked, g.ID, c.UID, done, "", admins)
	}
	return results, nil
}

func (a *API) groupBlockedList(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needAdmin)
	if err != nil {
		return nil, err
	}
	bs, err := a.st.GroupBlocks(c.Ctx, g.ID)
	if err != nil {
		return nil, err
	}
	out := make([]BlockedMember, len(bs))
	for i, b := range bs {
		out[i] = BlockedMember{UserID: b.UserID, GroupID: b.GroupID,
			CreatedAt: time.UnixMilli(b.CreatedAt).UTC().Format(time.RFC3339)}
	}
	return out, nil
}

func (a *API) groupBan(c *Call) (any, error) {
	g, me, err := a.groupFor(c, needAdmin)
	if err != nil {
		return nil, err
	}
	exp, minutes, err := a.banExpiry(c)
	if err != nil {
		return nil, err
	}
	// BANNED content: the duration in minutes (PROTOCOL.md §12.4); -1 for a
	// ban without end.
	content := "-1"
	if exp != -1 {
		content = strconv.FormatInt(minutes, 10)
	}
	return a.batchNotice(c, g, xsync.GroupNoticeBanned, content, false, func(uid int64, m *store.Member) (string, error) {
		if m == nil {
			return reasonNotMember, nil
		}
		if r := outranks(me, m); r != "" {
			return r, nil
		}
		return "", a.st.UpdateMember(c.Ctx, g.ID, uid, store.MemberPatch{BanExpireTime: &exp})
	})
}

func (a *API) groupUnban(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needAdmin)
	if err != nil {
		return nil, err
	}
	now := a.now().UnixMilli()
	var zero int64
	return a.batchNotice(c, g, xsync.GroupNoticeUnbanned, "", false, func(uid int64, m *store.Member) (string, error) {
		switch {
		case m == nil:
			return reasonNotMember, nil
		case !m.Banned(now):
			return "not banned", nil
		}
		return "", a.st.UpdateMember(c.Ctx, g.ID, uid, store.MemberPatch{BanExpireTime: &zero})
	})
}

func (a *API) groupBannedList(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	now := a.now().UnixMilli()
	banned, err := a.membersWhere(c, g.ID, func(m store.Member) bool { return m.Banned(now) })
	if err != nil {
		return nil, err
	}
	return a.memberInfos(c, banned)
}
