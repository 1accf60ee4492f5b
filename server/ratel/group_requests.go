package ratel

import (
	"errors"
	"time"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// GroupApplicationInfo is the GroupApplication entity of REST.md §12.
type GroupApplicationInfo struct {
	GroupID     int64  `json:"group_id"`
	ApplicantID int64  `json:"applicant_id"`
	Reason      string `json:"reason"`
	Status      int    `json:"status"`
	ExpiredTime int64  `json:"expired_time"`
}

// GroupInvitationInfo is the GroupInvitation entity of REST.md §12.
type GroupInvitationInfo struct {
	GroupID     int64  `json:"group_id"`
	InviterID   int64  `json:"inviter_id"`
	InviteeID   int64  `json:"invitee_id"`
	Reason      string `json:"reason"`
	Status      int    `json:"status"`
	ExpiredTime int64  `json:"expired_time"`
	UpdatedAt   string `json:"updated_at"` // date-time string
}

func (a *API) registerGroupRequestRoutes() {
	a.handle("POST /group/apply", authed, a.groupApply)
	a.handle("POST /group/apply/handle", authed, a.groupApplyHandle)
	a.handle("POST /group/application_list", authed, a.groupApplicationList)
	a.handle("POST /group/invite", authed, a.groupInvite)
	a.handle("POST /group/invite/handle", authed, a.groupInviteHandle)
	a.handle("GET /group/invitation_list", authed, a.groupInvitationList)
}

// addMember adds uid to g as an ordinary member and maps the store's
// refusals to business errors.
func (a *API) addMember(c *Call, gid, uid int64) error {
	err := a.st.AddMember(c.Ctx, store.Member{GroupID: gid, UserID: uid, Role: store.RoleMember,
		JoinTime: a.now().UnixMilli()})
	switch {
	case errors.Is(err, store.ErrConflict):
		return Fail(CodeAlreadyMember, reasonIsMember)
	case errors.Is(err, store.ErrGroupFull):
		return Fail(CodeGroupFull, reasonGroupFull)
	case errors.Is(err, store.ErrNotFound):
		return errNoGroup
	}
	return err
}

// optReason reads the optional free-text reason of a request or a refusal.
func optReason(c *Call) (string, error) {
	reason, err := c.OptStr("reason", "")
	if err != nil {
		return "", err
	}
	if err := checkText("reason", reason, maxTextLen); err != nil {
		return "", err
	}
	return reason, nil
}

// checkJoinable refuses a join by uid: 20017 already a member, 20018
// blocked.
func (a *API) checkJoinable(c *Call, gid, uid int64) error {
	if m, err := a.membership(c, gid, uid); err != nil {
		return err
	} else if m != nil {
		return Fail(CodeAlreadyMember, reasonIsMember)
	}
	if blocked, err := a.st.IsGroupBlocked(c.Ctx, gid, uid); err != nil {
		return err
	} else if blocked {
		return Fail(CodeGroupBlocked, reasonBlocked)
	}
	return nil
}

func (a *API) groupApply(c *Call) (any, error) {
	g, err := a.liveGroup(c)
	if err != nil {
		return nil, err
	}
	reason, err := optReason(c)
	if err != nil {
		return nil, err
	}
	if err := a.checkJoinable(c, g.ID, c.UID); err != nil {
		return nil, err
	}
	switch g.ApplyApproval {
	case 0:
		if err := a.addMember(c, g.ID, c.UID); err != nil {
			return nil, err
		}
		return okResult(c.UID), a.notifyMembers(c, xsync.GroupNoticeJoined, g.ID, c.UID, nil, "")
	case 2:
		return nil, Fail(CodeNoPermission, "the group accepts no applications")
	}
	now := a.now().UnixMilli()
	app := store.GroupApplication{GroupID: g.ID, ApplicantID: c.UID, Reason: reason,
		ExpiresAt: now + groupRequestTTL, CreatedAt: now, UpdatedAt: now}
	if err := a.st.PutGroupApplication(c.Ctx, &app); err != nil {
		return nil, err
	}
	admins, err := a.adminIDs(c, g.ID)
	if err != nil {
		return nil, err
	}
	a.notifyGroup(c, xsync.GroupNoticeApplyed, g.ID, c.UID, nil, reason, admins)
	return okResult(c.UID), nil
}

func (a *API) groupApplyHandle(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needAdmin)
	if err != nil {
		return nil, err
	}
	applicant, err := c.Int("user_id")
	if err != nil {
		return nil, err
	}
	approval, err := c.Bool("approval")
	if err != nil {
		return nil, err
	}
	app, err := a.st.GetGroupApplication(c.Ctx, g.ID, applicant)
	now := a.now().UnixMilli()
	if errors.Is(err, store.ErrNotFound) || err == nil && (app.Status != store.StatusPending || app.ExpiresAt <= now) {
		return nil, Fail(CodeApplicationHandled, "application expired or already handled")
	}
	if err != nil {
		return nil, err
	}
	if !approval {
		if err := a.st.SetGroupApplicationStatus(c.Ctx, g.ID, applicant, store.StatusDeclined, now); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, Fail(CodeApplicationHandled, "application expired or already handled")
			}
			return nil, err
		}
		a.notifyGroup(c, xsync.GroupNoticeApplyDeclined, g.ID, c.UID, []int64{applicant}, "", []int64{c.UID, applicant})
		return okResult(applicant), nil
	}
	if err := a.checkJoinable(c, g.ID, applicant); err != nil {
		return nil, err
	}
	if err := a.addMember(c, g.ID, applicant); err != nil {
		return nil, err
	}
	if err := a.st.SetGroupApplicationStatus(c.Ctx, g.ID, applicant, store.StatusAccepted, now); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	// APPLY_ACCEPTED goes to the approver and the applicant only: another
	// admin would read it as its own application accepted (PROTOCOL.md
	// §13.1). Everyone else learns of the new member through JOINED.
	a.notifyGroup(c, xsync.GroupNoticeApplyAccepted, g.ID, c.UID, []int64{applicant}, "", []int64{c.UID, applicant})
	ids, err := a.memberIDs(c, g.ID)
	if err != nil {
		return nil, err
	}
	a.notifyGroup(c, xsync.GroupNoticeJoined, g.ID, applicant, nil, "", without(ids, c.UID, applicant))
	return okResult(applicant), nil
}

func (a *API) groupApplicationList(c *Call) (any, error) {
	gids, err := c.OptIntList("group_list")
	if err != nil {
		return nil, err
	}
	if gids == nil {
		if gids, err = a.st.JoinedGroups(c.Ctx, c.UID); err != nil {
			return nil, err
		}
	}
	// Only groups the caller administers; others are skipped silently, as
	// a client may pass its whole group list.
	var mine []int64
	for _, gid := range union(gids) {
		m, err := a.membership(c, gid, c.UID)
		if err != nil {
			return nil, err
		}
		if m != nil && m.Role >= store.RoleAdmin {
			mine = append(mine, gid)
		}
	}
	apps, err := a.st.GroupApplications(c.Ctx, mine)
	if err != nil {
		return nil, err
	}
	out := make([]GroupApplicationInfo, len(apps))
	for i, ap := range apps {
		out[i] = GroupApplicationInfo{GroupID: ap.GroupID, ApplicantID: ap.ApplicantID,
			Reason: ap.Reason, Status: ap.Status, ExpiredTime: ap.ExpiresAt}
	}
	return out, nil
}

func (a *API) groupInvite(c *Call) (any, error) {
	g, me, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	if me.Role < store.RoleAdmin && !g.MemberInvite {
		return nil, Fail(CodeMemberRequired, "members may not invite to this group")
	}
	reason, err := optReason(c)
	if err != nil {
		return nil, err
	}
	now := a.now().UnixMilli()
	var joined, invited []int64
	results, _, err := a.batchTargets(c, g, func(uid int64, m *store.Member) (string, error) {
		if m != nil {
			return reasonIsMember, nil
		}
		u, err := a.st.UserByID(c.Ctx, uid)
		if errors.Is(err, store.ErrNotFound) || err == nil && u.Deleted() {
			return reasonNoUser, nil
		}
		if err != nil {
			return "", err
		}
		if blocked, err := a.st.IsGroupBlocked(c.Ctx, g.ID, uid); err != nil {
			return "", err
		} else if blocked {
			return reasonBlocked, nil
		}
		s, err := a.st.UserSettings(c.Ctx, uid)
		if err != nil {
			return "", err
		}
		if s.GroupConfirm {
			inv := store.GroupInvitation{GroupID: g.ID, InviterID: c.UID, InviteeID: uid,
				Reason: reason, ExpiresAt: now + groupRequestTTL, CreatedAt: now, UpdatedAt: now}
			if err := a.st.PutGroupInvitation(c.Ctx, &inv); err != nil {
				return "", err
			}
			invited = append(invited, uid)
			return "", nil
		}
		if err := a.addMember(c, g.ID, uid); err != nil {
			var ae *APIError
			if errors.As(err, &ae) {
				return ae.Message, nil
			}
			return "", err
		}
		joined = append(joined, uid)
		return "", nil
	})
	if err != nil {
		return nil, err
	}
	if len(invited) > 0 {
		a.notifyGroup(c, xsync.GroupNoticeInvited, g.ID, c.UID, invited, reason, union([]int64{c.UID}, invited))
	}
	if len(joined) > 0 {
		ids, err := a.memberIDs(c, g.ID)
		if err != nil {
			return nil, err
		}
		// One INVITE_ACCEPTED per new member, from that member, as if it
		// had accepted: clients add it to the group (PROTOCOL.md §13.1).
		for _, uid := range joined {
			a.notifyGroup(c, xsync.GroupNoticeInviteAccepted, g.ID, uid, []int64{c.UID}, "", ids)
		}
	}
	return results, nil
}

func (a *API) groupInviteHandle(c *Call) (any, error) {
	g, err := a.liveGroup(c)
	if err != nil {
		return nil, err
	}
	inviter, err := c.Int("user_id")
	if err != nil {
		return nil, err
	}
	approval, err := c.Bool("approval")
	if err != nil {
		return nil, err
	}
	now := a.now().UnixMilli()
	errHandled := Fail(CodeInvitationHandled, "invitation expired or already handled")
	invs, err := a.st.GroupInvitations(c.Ctx, c.UID)
	if err != nil {
		return nil, err
	}
	pending := false
	for _, inv := range invs {
		if inv.GroupID == g.ID && inv.InviterID == inviter && inv.Status == store.StatusPending && inv.ExpiresAt > now {
			pending = true
		}
	}
	if !pending {
		return nil, errHandled
	}
	if !approval {
		if err := a.st.SetGroupInvitationStatus(c.Ctx, g.ID, inviter, c.UID, store.StatusDeclined, now); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, errHandled
			}
			return nil, err
		}
		a.notifyGroup(c, xsync.GroupNoticeInviteDeclined, g.ID, c.UID, []int64{inviter}, "", []int64{c.UID, inviter})
		return true, nil
	}
	if err := a.checkJoinable(c, g.ID, c.UID); err != nil {
		return nil, err
	}
	if err := a.addMember(c, g.ID, c.UID); err != nil {
		return nil, err
	}
	if err := a.st.SetGroupInvitationStatus(c.Ctx, g.ID, inviter, c.UID, store.StatusAccepted, now); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return true, a.notifyMembers(c, xsync.GroupNoticeInviteAccepted, g.ID, c.UID, []int64{inviter}, "")
}

func (a *API) groupInvitationList(c *Call) (any, error) {
	invs, err := a.st.GroupInvitations(c.Ctx, c.UID)
	if err != nil {
		return nil, err
	}
	out := make([]GroupInvitationInfo, len(invs))
	for i, v := range invs {
		out[i] = GroupInvitationInfo{GroupID: v.GroupID, InviterID: v.InviterID, InviteeID: v.InviteeID,
			Reason: v.Reason, Status: v.Status, ExpiredTime: v.ExpiresAt,
			UpdatedAt: time.UnixMilli(v.UpdatedAt).UTC().Format(time.RFC3339)}
	}
	return out, nil
}
