package ratel

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// rosterApplicationTTL is how long a friend request stays acceptable.
const rosterApplicationTTL = 7 * 24 * 60 * 60 * 1000 // ms

// RosterItem is the RosterItem entity of REST.md §12: another user's public
// profile as seen by the caller, with the caller's annotations.
type RosterItem struct {
	UserID           int64  `json:"user_id"`
	Username         string `json:"username"`
	NickName         string `json:"nick_name"`
	Avatar           string `json:"avatar"`
	Description      string `json:"description"`
	PublicInfo       string `json:"public_info"`
	Alias            string `json:"alias"`
	Ext              string `json:"ext"`
	MuteNotification bool   `json:"mute_notification"`
	AuthMode         int32  `json:"auth_mode"`
	AuthQuestion     string `json:"auth_question"`
	Relation         int    `json:"relation"`
}

// RosterApplicationInfo is the RosterApplication entity of REST.md §12.
type RosterApplicationInfo struct {
	UserID      int64  `json:"user_id"` // the applicant
	Reason      string `json:"reason"`
	Status      int    `json:"status"`
	ExpiredTime int64  `json:"expired_time"`
}

func (a *API) registerRosterRoutes() {
	a.handle("GET /roster/list", authed, a.rosterList)
	a.handle("POST /roster/list", authed, a.rosterItems)
	a.handle("GET /roster/id", authed, a.rosterByID)
	a.handle("GET /roster/name", authed, a.rosterByName)
	a.handle("POST /roster/apply", authed, a.rosterApply)
	a.handle("POST /roster/accept", authed, a.rosterAccept)
	a.handle("POST /roster/decline", authed, a.rosterDecline)
	a.handle("POST /roster/delete", authed, a.rosterDelete)
	a.handle("GET /roster/apply/list", authed, a.rosterApplyList)
	a.handle("GET /roster/blocked_list", authed, a.rosterBlockedList)
	a.handle("POST /roster/block", authed, a.rosterBlock(true))
	a.handle("POST /roster/unblock", authed, a.rosterBlock(false))
	a.handle("POST /roster/ext", authed, a.rosterExt)

	// A public profile change reaches every friend as roster INFO_UPDATED.
	a.AddProfileHook(a.announceProfileToFriends)
}

// notifyRoster stores a RosterNotice {typ, from, [target], content} for the
// recipients. skipCaller keeps it from the calling device (for "the caller's
// other devices"). Failures are logged: the change is already committed.
func (a *API) notifyRoster(c *Call, typ xsync.RosterNoticeType, from, target int64, content string, recipients []int64, skipCaller bool) {
	rn := xsync.RosterNotice{Type: typ, From: &xsync.XID{Uid: uint64(from)}, Content: content}
	if target != 0 {
		rn.To = []*xsync.XID{{Uid: uint64(target)}}
	}
	n := Notice{To: recipients, From: from, NS: NSRosterNotice, Payload: rn.Marshal()}
	if from == c.UID {
		n.FromDevice = a.CallerDevice(c)
		if skipCaller {
			n.SkipDevice = n.FromDevice
		}
	}
	if err := a.notify.Notify(c.Ctx, n); err != nil {
		a.log.Warn("ratel: roster notify failed", "uid", c.UID, "type", typ.String(), "err", err)
	}
}

// liveUser returns the live user uid, or 10000.
func (a *API) liveUser(c *Call, uid int64) (store.User, error) {
	u, err := a.st.UserByID(c.Ctx, uid)
	if errors.Is(err, store.ErrNotFound) || err == nil && u.Deleted() {
		return store.User{}, errNoUser
	}
	return u, err
}

// rosterItems builds the caller's RosterItems for users, in that order.
func (a *API) rosterItemsFor(c *Call, users []store.User) ([]RosterItem, error) {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	entries, err := a.st.RosterEntries(c.Ctx, c.UID, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]store.RosterEntry, len(entries))
	for _, e := range entries {
		byID[e.OtherID] = e
	}
	// One query for every user's auth settings: the login prefetch sends
	// the whole roster at once.
	settings, err := a.st.UserSettingsByIDs(c.Ctx, ids)
	if err != nil {
		return nil, err
	}
	settingsOf := make(map[int64]store.UserSettings, len(settings))
	for _, s := range settings {
		settingsOf[s.UserID] = s
	}
	out := make([]RosterItem, 0, len(users))
	for _, u := range users {
		s := settingsOf[u.ID]
		e := byID[u.ID]
		it := RosterItem{UserID: u.ID, Username: u.Username, NickName: u.NickName, Avatar: u.Avatar,
			Description: u.Description, PublicInfo: u.PublicInfo, Alias: e.Alias, Ext: e.Ext,
			MuteNotification: e.MuteNotification, AuthMode: s.AuthMode, AuthQuestion: s.AuthQuestion,
			Relation: e.Relation()}
		if u.ID == c.UID {
			// The login prefetch asks for the user itself too; a user is
			// not its own stranger.
			it.Relation = store.RelationFriend
		}
		out = append(out, it)
	}
	return out, nil
}

// pageInt64s applies the optional cursor (the last id of the previous page)
// and limit to an ascending id list. Without a limit everything is returned,
// as the official clients expect (REST.md §2.4).
func pageInt64s(c *Call, ids []int64) (any, error) {
	limit, err := c.OptInt("limit", 0)
	if err != nil {
		return nil, err
	}
	cursor, err := c.OptInt("cursor", 0)
	if err != nil {
		return nil, err
	}
	if limit <= 0 && cursor == 0 {
		return ids, nil
	}
	i := 0
	for i < len(ids) && ids[i] <= cursor {
		i++
	}
	ids = ids[i:]
	if limit <= 0 || int64(len(ids)) <= limit {
		return ids, nil
	}
	page := ids[:limit]
	return Envelope{Data: page, Extra: map[string]any{
		"cursor": strconv.FormatInt(page[len(page)-1], 10),
	}}, nil
}

func (a *API) rosterList(c *Call) (any, error) {
	ids, err := a.st.Friends(c.Ctx, c.UID)
	if err != nil {
		return nil, err
	}
	return pageInt64s(c, ids)
}

func (a *API) rosterItems(c *Call) (any, error) {
	ids, err := c.IntList("list")
	if err != nil {
		return nil, err
	}
	uniq := union(ids)
	users, err := a.st.UsersByIDs(c.Ctx, uniq)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]store.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	ordered := make([]store.User, 0, len(users))
	for _, id := range uniq {
		if u, ok := byID[id]; ok {
			ordered = append(ordered, u)
		}
	}
	return a.rosterItemsFor(c, ordered)
}

func (a *API) rosterItem(c *Call, u store.User) (any, error) {
	items, err := a.rosterItemsFor(c, []store.User{u})
	if err != nil {
		return nil, err
	}
	return items[0], nil
}

func (a *API) rosterByID(c *Call) (any, error) {
	uid, err := c.Int("user_id")
	if err != nil {
		return nil, err
	}
	u, err := a.liveUser(c, uid)
	if err != nil {
		return nil, err
	}
	return a.rosterItem(c, u)
}

func (a *API) rosterByName(c *Call) (any, error) {
	name, err := c.Str("username")
	if err != nil {
		return nil, err
	}
	u, err := a.st.UserByName(c.Ctx, strings.TrimSpace(name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoUser
	}
	if err != nil {
		return nil, err
	}
	return a.rosterItem(c, u)
}

// otherUserID reads the user_id parameter, which must name someone other
// than the caller.
func otherUserID(c *Call) (int64, error) {
	uid, err := c.Int("user_id")
	if err != nil {
		return 0, err
	}
	if uid == c.UID {
		return 0, badParam("user_id", "is yourself")
	}
	return uid, nil
}

// otherUser reads the user_id parameter naming someone other than the
// caller, who must be a live user.
func (a *API) otherUser(c *Call) (store.User, error) {
	uid, err := otherUserID(c)
	if err != nil {
		return store.User{}, err
	}
	return a.liveUser(c, uid)
}

// knownUser returns 10000 unless uid names an account. A deleted one
// counts: it can still be removed from, blocked in or annotated in a roster.
func (a *API) knownUser(c *Call, uid int64) error {
	_, err := a.st.UserByID(c.Ctx, uid)
	if errors.Is(err, store.ErrNotFound) {
		return errNoUser
	}
	return err
}

// befriend makes the caller (applicant) and target friends at once and
// announces it: ADDED to the target, ACCEPTED to the applicant (PROTOCOL.md
// §13.2, auto-accept).
func (a *API) befriend(c *Call, target int64, alias string) error {
	now := a.now().UnixMilli()
	created, err := a.st.AddFriendship(c.Ctx, c.UID, target, now)
	if err != nil {
		return err
	}
	if alias != "" {
		if err := a.st.UpdateRosterEntry(c.Ctx, c.UID, target, store.RosterPatch{Alias: &alias}, now); err != nil {
			return err
		}
	}
	if created {
		a.notifyRoster(c, xsync.RosterNoticeAdded, c.UID, target, "", []int64{target}, false)
		a.notifyRoster(c, xsync.RosterNoticeAccepted, target, c.UID, "", []int64{c.UID}, false)
	}
	return nil
}

func (a *API) rosterApply(c *Call) (any, error) {
	target, err := a.otherUser(c)
	if err != nil {
		return nil, err
	}
	alias, err := c.OptStr("alias", "")
	if err != nil {
		return nil, err
	}
	reason, err := c.OptStr("reason", "")
	if err != nil {
		return nil, err
	}
	answer, err := c.OptStr("auth_answer", "")
	if err != nil {
		return nil, err
	}
	if err := checkNick("alias", alias); err != nil {
		return nil, err
	}
	if err := checkText("reason", reason, maxTextLen); err != nil {
		return nil, err
	}
	if friend, err := a.st.IsFriend(c.Ctx, c.UID, target.ID); err != nil {
		return nil, err
	} else if friend {
		return nil, Fail(CodeAlreadyInRoster, "already in the roster")
	}
	if blocked, err := a.st.IsBlocked(c.Ctx, target.ID, c.UID); err != nil {
		return nil, err
	} else if blocked {
		return nil, Fail(CodeInBlockList, "the user has blocked you")
	}
	s, err := a.st.UserSettings(c.Ctx, target.ID)
	if err != nil {
		return nil, err
	}
	switch s.AuthMode {
	case 0:
		return true, a.befriend(c, target.ID, alias)
	case 2:
		if !strings.EqualFold(strings.TrimSpace(answer), strings.TrimSpace(s.AuthAnswer)) {
			return nil, Fail(CodeApplicationMissing, "wrong answer")
		}
		return true, a.befriend(c, target.ID, alias)
	case 3:
		return nil, Fail(CodeRejectsApplications, "the user rejects friend applications")
	}
	now := a.now().UnixMilli()
	app := store.RosterApplication{ApplicantID: c.UID, TargetID: target.ID, Alias: alias,
		Reason: reason, ExpiresAt: now + rosterApplicationTTL, CreatedAt: now, UpdatedAt: now}
	if err := a.st.PutRosterApplication(c.Ctx, &app); err != nil {
		return nil, err
	}
	a.notifyRoster(c, xsync.RosterNoticeApplied, c.UID, target.ID, reason, []int64{target.ID}, false)
	return true, nil
}

// pendingApplication returns the unexpired pending request of applicant to
// the caller, or 10007.
func (a *API) pendingApplication(c *Call, applicant int64) (store.RosterApplication, error) {
	app, err := a.st.GetRosterApplication(c.Ctx, applicant, c.UID)
	if errors.Is(err, store.ErrNotFound) ||
		err == nil && (app.Status != store.StatusPending || app.ExpiresAt <= a.now().UnixMilli()) {
		return app, Fail(CodeApplicationMissing, "no pending friend application from this user")
	}
	return app, err
}

func (a *API) rosterAccept(c *Call) (any, error) {
	applicant, err := a.otherUser(c)
	if err != nil {
		return nil, err
	}
	if _, err := a.pendingApplication(c, applicant.ID); err != nil {
		return nil, err
	}
	if _, err := a.st.AddFriendship(c.Ctx, c.UID, applicant.ID, a.now().UnixMilli()); err != nil {
		return nil, err
	}
	a.notifyRoster(c, xsync.RosterNoticeAccepted, c.UID, applicant.ID, "", []int64{c.UID, applicant.ID}, false)
	return true, nil
}

func (a *API) rosterDecline(c *Call) (any, error) {
	applicant, err := a.otherUser(c)
	if err != nil {
		return nil, err
	}
	reason, err := optReason(c)
	if err != nil {
		return nil, err
	}
	if _, err := a.pendingApplication(c, applicant.ID); err != nil {
		return nil, err
	}
	err = a.st.SetRosterApplicationStatus(c.Ctx, applicant.ID, c.UID, store.StatusDeclined, a.now().UnixMilli())
	if errors.Is(err, store.ErrNotFound) {
		return nil, Fail(CodeApplicationMissing, "no pending friend application from this user")
	}
	if err != nil {
		return nil, err
	}
	a.notifyRoster(c, xsync.RosterNoticeDeclined, c.UID, applicant.ID, reason, []int64{c.UID, applicant.ID}, false)
	return true, nil
}

func (a *API) rosterDelete(c *Call) (any, error) {
	uid, err := otherUserID(c)
	if err != nil {
		return nil, err
	}
	if err := a.knownUser(c, uid); err != nil {
		return nil, err
	}
	err = a.st.RemoveFriendship(c.Ctx, c.UID, uid, a.now().UnixMilli())
	if errors.Is(err, store.ErrNotFound) {
		// Not (or no longer) friends: the caller's goal is reached.
		return true, nil
	}
	if err != nil {
		return nil, err
	}
	a.notifyRoster(c, xsync.RosterNoticeRemoved, c.UID, uid, "", []int64{c.UID}, false)
	return true, nil
}

func (a *API) rosterApplyList(c *Call) (any, error) {
	after, err := c.OptInt("cursor", 0)
	if err != nil {
		return nil, err
	}
	limit, err := c.OptInt("limit", 0)
	if err != nil {
		return nil, err
	}
	if limit < 0 || limit > 1000 {
		return nil, badParam("limit", "out of range")
	}
	apps, err := a.st.RosterApplications(c.Ctx, c.UID, after, int(limit))
	if err != nil {
		return nil, err
	}
	out := make([]RosterApplicationInfo, len(apps))
	for i, ap := range apps {
		out[i] = RosterApplicationInfo{UserID: ap.ApplicantID, Reason: ap.Reason, Status: ap.Status,
			ExpiredTime: ap.ExpiresAt}
	}
	if limit > 0 && len(apps) == int(limit) {
		return Envelope{Data: out, Extra: map[string]any{
			"cursor": strconv.FormatInt(apps[len(apps)-1].ID, 10),
		}}, nil
	}
	return out, nil
}

func (a *API) rosterBlockedList(c *Call) (any, error) {
	return a.st.BlockedUsers(c.Ctx, c.UID)
}

func (a *API) rosterBlock(block bool) HandlerFunc {
	typ := xsync.RosterNoticeUnblocked
	if block {
		typ = xsync.RosterNoticeBlocked
	}
	return func(c *Call) (any, error) {
		uid, err := otherUserID(c)
		if err != nil {
			return nil, err
		}
		if err := a.knownUser(c, uid); err != nil {
			return nil, err
		}
		changed, err := a.st.SetBlocked(c.Ctx, c.UID, uid, block, a.now().UnixMilli())
		if err != nil {
			return nil, err
		}
		if changed {
			a.notifyRoster(c, typ, c.UID, uid, "", []int64{c.UID}, false)
		}
		return true, nil
	}
}

func (a *API) rosterExt(c *Call) (any, error) {
	uid, err := c.Int("user_id")
	if err != nil {
		return nil, err
	}
	if err := a.knownUser(c, uid); err != nil {
		return nil, err
	}
	var p store.RosterPatch
	changed := map[string]any{}
	if c.Has("ext") {
		v, err := c.Str("ext")
		if err != nil {
			return nil, err
		}
		if err := checkText("ext", v, maxTextLen); err != nil {
			return nil, err
		}
		p.Ext, changed["ext"] = &v, v
	}
	if c.Has("alias") {
		v, err := c.Str("alias")
		if err != nil {
			return nil, err
		}
		if err := checkNick("alias", v); err != nil {
			return nil, err
		}
		p.Alias, changed["alias"] = &v, v
	}
	if c.Has("mute_notification") {
		v, err := c.Bool("mute_notification")
		if err != nil {
			return nil, err
		}
		p.MuteNotification, changed["mute_notification"] = &v, v
	}
	if len(changed) == 0 {
		return nil, badParam("ext", "nothing to change (ext, alias or mute_notification)")
	}
	var wasMuted bool
	if p.MuteNotification != nil {
		e, err := a.st.RosterEntry(c.Ctx, c.UID, uid)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		wasMuted = e.MuteNotification
	}
	if err := a.st.UpdateRosterEntry(c.Ctx, c.UID, uid, p, a.now().UnixMilli()); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(changed)
	a.notifyRoster(c, xsync.RosterNoticeInfoUpdated, c.UID, uid, string(b), []int64{c.UID}, true)
	if p.MuteNotification != nil && *p.MuteNotification != wasMuted {
		typ := xsync.RosterNoticeUnmuted
		if *p.MuteNotification {
			typ = xsync.RosterNoticeMuted
		}
		a.notifyRoster(c, typ, c.UID, uid, "", []int64{c.UID}, false)
	}
	return true, nil
}

// announceProfileToFriends is the ProfileHook that sends roster INFO_UPDATED
// {from: the user, to: [the user], content: changed fields} to each friend.
// to[0] names the changed roster item too, so a client reading the item from
// to[0] (as for alias edits) and one reading it from from agree.
func (a *API) announceProfileToFriends(c *Call, changed map[string]any) {
	friends, err := a.st.Friends(c.Ctx, c.UID)
	if err != nil {
		a.log.Warn("ratel: list friends for profile notice", "uid", c.UID, "err", err)
		return
	}
	if len(friends) == 0 {
		return
	}
	b, _ := json.Marshal(changed)
	a.notifyRoster(c, xsync.RosterNoticeInfoUpdated, c.UID, c.UID, string(b), friends, false)
}
