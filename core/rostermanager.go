package core

import (
	"strconv"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

// RosterManager manages the friend list (REST.md §7; the official
// rosterManage, JSAPI.md §5): the friend ids, a cache of RosterItems
// (friends, the user and any stranger looked up), the user's own profile,
// and the friend requests and block list. Obtain it with Client.Roster; it
// is a view over the client's caches and safe for concurrent use.
//
// The caches are seeded from the login prefetch (PROTOCOL.md §4.5), kept
// current by roster notices (applyRosterNotice) and by the manager's own
// calls, and emptied when a new session starts. The message operations of
// rosterManage (read, recall, delete, append, replace) are methods of
// Client.
type RosterManager struct{ c *Client }

// Roster returns the roster manager of c.
func (c *Client) Roster() *RosterManager { return &RosterManager{c: c} }

// IDs returns the friend uids (asyncGetRosterIdList): the cached list, or
// with force (or when nothing is cached yet) a fresh GET /roster/list,
// which then replaces the cache.
func (r *RosterManager) IDs(ctx lite.Context, force bool) ([]uint64, error) {
	st, sess := r.c.mgrView()
	if st.rosterIDsKnown && !force {
		ids := append([]uint64(nil), st.rosterIDs...)
		st.mu.Unlock()
		return ids, nil
	}
	st.mu.Unlock()
	data, err := r.c.mcall(ctx, mgrGet("/roster/list"))
	if err != nil {
		return nil, err
	}
	ids := idList(data, "user_id")
	r.c.mgrUpdate(sess, func(st *managerState) {
		st.rosterIDs, st.rosterIDsKnown = append([]uint64(nil), ids...), true
	})
	return ids, nil
}

// CachedIDs returns the cached friend uids without any I/O.
func (r *RosterManager) CachedIDs() []uint64 {
	st, _ := r.c.mgrView()
	defer st.mu.Unlock()
	return append([]uint64(nil), st.rosterIDs...)
}

// Cached returns the cached RosterItem of uid (getRosterInfo).
func (r *RosterManager) Cached(uid uint64) (RosterItem, bool) {
	st, _ := r.c.mgrView()
	v, ok := st.rosters[uid]
	st.mu.Unlock()
	if !ok {
		return RosterItem{}, false
	}
	return parseRosterItem(v), true
}

// All returns every cached RosterItem by uid (getAllRosterDetail).
func (r *RosterManager) All() map[uint64]RosterItem {
	st, _ := r.c.mgrView()
	raw := make(map[uint64]jsonv.Value, len(st.rosters))
	for k, v := range st.rosters {
		raw[k] = v
	}
	st.mu.Unlock()
	out := make(map[uint64]RosterItem, len(raw))
	for k, v := range raw {
		out[k] = parseRosterItem(v)
	}
	return out
}

// Info returns the RosterItem of uid (asyncGetRosterInfo): the cached one,
// or with force (or when it is not cached) a fresh one from
// POST /roster/list {list: [uid]}, which is cached and announced with a
// RosterInfoUpdated event. A user the server does not know is NotFound.
func (r *RosterManager) Info(ctx lite.Context, uid uint64, force bool) (RosterItem, error) {
	if err := needID("user id", uid); err != nil {
		return RosterItem{}, err
	}
	if !force {
		if it, ok := r.Cached(uid); ok {
			return it, nil
		}
	}
	items, err := r.fetch(ctx, []uint64{uid})
	if err != nil {
		return RosterItem{}, err
	}
	for _, it := range items {
		if it.UserID == uid {
			return it, nil
		}
	}
	return RosterItem{}, NewError(NotFound, "no roster item for user "+strconv.FormatUint(uid, 10))
}

// ListDetailByIDs returns the RosterItems of ids, in the order of ids
// (asnycGetRosterListDetailByIds). The ids not cached yet are fetched in
// one POST /roster/list, cached and announced with a RosterInfoUpdated
// event; ids the server does not know are left out of the result.
func (r *RosterManager) ListDetailByIDs(ctx lite.Context, ids []uint64) ([]RosterItem, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if err := needIDs("user ids", ids); err != nil {
		return nil, err
	}
	st, _ := r.c.mgrView()
	var missing []uint64
	for _, id := range ids {
		if _, ok := st.rosters[id]; !ok {
			missing = mgrAddID(missing, id)
		}
	}
	st.mu.Unlock()
	fetched := map[uint64]RosterItem{}
	if len(missing) > 0 {
		items, err := r.fetch(ctx, missing)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			fetched[it.UserID] = it
		}
	}
	out := make([]RosterItem, 0, len(ids))
	for _, id := range ids {
		if it, ok := fetched[id]; ok {
			out = append(out, it)
		} else if it, ok := r.Cached(id); ok {
			out = append(out, it)
		}
	}
	return out, nil
}

// fetch gets the RosterItems of ids with one POST /roster/list, caches
// them and emits RosterInfoUpdated with the uids received.
func (r *RosterManager) fetch(ctx lite.Context, ids []uint64) ([]RosterItem, error) {
	sess := r.c.mgrSession()
	data, err := r.c.mcall(ctx, mgrPost("/roster/list", newMgrBody().ids("list", ids).bytes()))
	if err != nil {
		return nil, err
	}
	items := make([]RosterItem, 0, data.Len())
	var uids []uint64
	for _, v := range data.Elements() {
		it := parseRosterItem(v)
		if it.UserID == 0 {
			continue
		}
		items = append(items, it)
		uids = append(uids, it.UserID)
	}
	r.c.mgrUpdate(sess, func(st *managerState) {
		for _, it := range items {
			st.rosters[it.UserID] = it.Raw
		}
	})
	if len(uids) > 0 {
		r.c.emit(RosterInfoUpdated{UIDs: uids})
	}
	return items, nil
}

// UserProfile returns the logged-in user's profile (asyncGetUserProfile):
// the cached one unless force, else GET /user/profile.
func (r *RosterManager) UserProfile(ctx lite.Context, force bool) (Profile, error) {
	if !force {
		st, _ := r.c.mgrView()
		v := st.profile
		st.mu.Unlock()
		if v.Exists() {
			return parseProfile(v), nil
		}
	}
	return r.c.User().Profile(ctx)
}

// Delete removes friend uid (POST /roster/delete, query; asyncDeleteRoster)
// and then drops the friend, its messages and its conversation-list entry
// locally, emitting RosterListUpdated (and RecentListUpdated when the
// conversation list changed).
func (r *RosterManager) Delete(ctx lite.Context, uid uint64) error {
	if err := needID("user id", uid); err != nil {
		return err
	}
	sess := r.c.mgrSession()
	if _, err := r.c.mcall(ctx, mgrPostQuery("/roster/delete", qID("user_id", uid))); err != nil {
		return err
	}
	r.c.mgrUpdate(sess, func(st *managerState) {
		st.rosterIDs = mgrRemoveID(st.rosterIDs, uid)
		delete(st.rosters, uid)
	})
	r.c.cache.DeleteConversation(uid)
	hadUnread := r.c.unread.clear(uid)
	if r.c.convs.remove(uid) {
		r.c.emit(UnreadChanged{ConversationID: uid})
		r.c.emit(RecentListUpdated{})
	} else if hadUnread {
		r.c.emit(UnreadChanged{ConversationID: uid})
	}
	r.c.emit(RosterListUpdated{})
	return nil
}

// ApplyList returns friend requests addressed to the user
// (GET /roster/apply/list, asyncGetApplyList). The cursor is always sent,
// "" for the first page, as the official client does.
func (r *RosterManager) ApplyList(ctx lite.Context, opts ListOptions) ([]RosterApplication, error) {
	data, err := r.c.mcall(ctx, mgrGet("/roster/apply/list", opts.query(true)...))
	if err != nil {
		return nil, err
	}
	return parseList(data, parseRosterApplication), nil
}

// BlockedList returns the uids the user blocked (GET /roster/blocked_list,
// asyncGetBlockedlist).
func (r *RosterManager) BlockedList(ctx lite.Context) ([]uint64, error) {
	data, err := r.c.mcall(ctx, mgrGet("/roster/blocked_list"))
	if err != nil {
		return nil, err
	}
	return idList(data, "user_id"), nil
}

// Block blocks uid (POST /roster/block, query; asyncBlockeAdd) and marks
// the cached item blocked.
func (r *RosterManager) Block(ctx lite.Context, uid uint64) error {
	return r.setBlocked(ctx, uid, true)
}

// Unblock unblocks uid (POST /roster/unblock, query; asyncBlockeRemove).
func (r *RosterManager) Unblock(ctx lite.Context, uid uint64) error {
	return r.setBlocked(ctx, uid, false)
}

func (r *RosterManager) setBlocked(ctx lite.Context, uid uint64, blocked bool) error {
	if err := needID("user id", uid); err != nil {
		return err
	}
	path := "/roster/unblock"
	if blocked {
		path = "/roster/block"
	}
	sess := r.c.mgrSession()
	if _, err := r.c.mcall(ctx, mgrPostQuery(path, qID("user_id", uid))); err != nil {
		return err
	}
	r.c.mgrUpdate(sess, func(st *managerState) { st.setRelation(uid, blocked) })
	return nil
}

// setRelation records a block or unblock of uid in its cached item:
// blocked, or back to friend or stranger depending on the friend list.
func (st *managerState) setRelation(uid uint64, blocked bool) {
	v, ok := st.rosters[uid]
	if !ok {
		return
	}
	rel := int64(RelationBlocked)
	if !blocked {
		rel = RelationStranger
		for _, id := range st.rosterIDs {
			if id == uid {
				rel = RelationFriend
			}
		}
	}
	st.rosters[uid] = v.Set("relation", jsonv.Int(rel))
}

// ApplyRequest is a friend request (POST /roster/apply).
type ApplyRequest struct {
	UserID     uint64 // user_id: the user asked
	Alias      string // alias: the name to give the friend once accepted
	Reason     string // reason, optional
	AuthAnswer string // auth_answer, for users with AuthModeQuestion
}

// Apply sends a friend request (POST /roster/apply, asyncApply). Depending
// on the target's auth mode the friendship may start at once; the roster
// notices that follow update the caches.
func (r *RosterManager) Apply(ctx lite.Context, req ApplyRequest) error {
	if err := needID("user id", req.UserID); err != nil {
		return err
	}
	body := newMgrBody().id("user_id", req.UserID).str("alias", req.Alias).
		optStr("reason", req.Reason).optStr("auth_answer", req.AuthAnswer).bytes()
	_, err := r.c.mcall(ctx, mgrPost("/roster/apply", body))
	return err
}

// Accept accepts the friend request of uid (POST /roster/accept, query;
// asyncAccept).
func (r *RosterManager) Accept(ctx lite.Context, uid uint64) error {
	if err := needID("user id", uid); err != nil {
		return err
	}
	_, err := r.c.mcall(ctx, mgrPostQuery("/roster/accept", qID("user_id", uid)))
	return err
}

// Decline declines the friend request of uid (POST /roster/decline,
// asyncDecline).
func (r *RosterManager) Decline(ctx lite.Context, uid uint64, reason string) error {
	if err := needID("user id", uid); err != nil {
		return err
	}
	body := newMgrBody().id("user_id", uid).optStr("reason", reason).bytes()
	_, err := r.c.mcall(ctx, mgrPost("/roster/decline", body))
	return err
}

// UpdateExt sets the extension data of friend uid (POST /roster/ext
// {user_id, ext}, asyncUpdateRosterExt), updates the cached item and emits
// RosterInfoUpdated.
func (r *RosterManager) UpdateExt(ctx lite.Context, uid uint64, ext string) error {
	return r.updateItem(ctx, uid, "ext", jsonv.String(ext))
}

// UpdateAlias sets the alias of friend uid (POST /roster/ext
// {user_id, alias}, asyncUpdateRosterAlias), updates the cached item and
// emits RosterInfoUpdated.
func (r *RosterManager) UpdateAlias(ctx lite.Context, uid uint64, alias string) error {
	return r.updateItem(ctx, uid, "alias", jsonv.String(alias))
}

// SetMuteNotification mutes or unmutes notifications from friend uid
// (POST /roster/ext {user_id, mute_notification}).
func (r *RosterManager) SetMuteNotification(ctx lite.Context, uid uint64, mute bool) error {
	return r.updateItem(ctx, uid, "mute_notification", jsonv.Bool(mute))
}

// updateItem sets one field with POST /roster/ext (one field per call, as
// the official clients do) and mirrors it in the cache.
func (r *RosterManager) updateItem(ctx lite.Context, uid uint64, key string, val jsonv.Value) error {
	if err := needID("user id", uid); err != nil {
		return err
	}
	sess := r.c.mgrSession()
	body := newMgrBody().id("user_id", uid).value(key, val).bytes()
	if _, err := r.c.mcall(ctx, mgrPost("/roster/ext", body)); err != nil {
		return err
	}
	changed := false
	r.c.mgrUpdate(sess, func(st *managerState) {
		if v, ok := st.rosters[uid]; ok {
			st.rosters[uid] = v.Set(key, val)
			changed = true
		}
	})
	if changed {
		r.c.emit(RosterInfoUpdated{UIDs: []uint64{uid}})
	}
	return nil
}

// SearchByName looks a user up by user name (GET /roster/name,
// asyncSearchRosterByName). The result is not cached.
func (r *RosterManager) SearchByName(ctx lite.Context, username string) (RosterItem, error) {
	if err := needText("username", username); err != nil {
		return RosterItem{}, err
	}
	data, err := r.c.mcall(ctx, mgrGet("/roster/name", [2]string{"username", username}))
	if err != nil {
		return RosterItem{}, err
	}
	return parseRosterItem(data), nil
}

// SearchByID looks a user up by id (GET /roster/id, asyncSearchRosterById).
// The result is not cached.
func (r *RosterManager) SearchByID(ctx lite.Context, uid uint64) (RosterItem, error) {
	if err := needID("user id", uid); err != nil {
		return RosterItem{}, err
	}
	data, err := r.c.mcall(ctx, mgrGet("/roster/id", qID("user_id", uid)))
	if err != nil {
		return RosterItem{}, err
	}
	return parseRosterItem(data), nil
}

// applyRosterNotice updates the roster caches for a roster notice
// (PROTOCOL.md §13.2). It is the hook for the sync code, which should call
// it for every RosterNotice before emitting the notice's events, so that
// handlers of those events read updated caches. It does no I/O, takes only
// the managers' own lock and emits nothing (the sync code emits the
// events); details of new friends are fetched on demand (Info,
// ListDetailByIDs).
func (c *Client) applyRosterNotice(n NoticeMeta) {
	self := c.UID()
	p := n.Payload
	from := p.From.UID
	var to0 uint64
	if len(p.To) > 0 {
		to0 = p.To[0].UID
	}
	// other is the user the notice is about, seen from the local user.
	other := from
	if from == self || from == 0 {
		other = to0
	}
	st, _ := c.mgrView()
	defer st.mu.Unlock()
	if st.sess == 0 || other == 0 {
		return
	}
	switch xsync.RosterNoticeType(p.Type) {
	case xsync.RosterNoticeAdded, xsync.RosterNoticeAccepted:
		st.rosterIDs = mgrAddID(st.rosterIDs, other)
		if v, ok := st.rosters[other]; ok {
			st.rosters[other] = v.Set("relation", jsonv.Int(RelationFriend))
		}
	case xsync.RosterNoticeRemoved:
		st.rosterIDs = mgrRemoveID(st.rosterIDs, other)
		delete(st.rosters, other)
	case xsync.RosterNoticeBlocked:
		st.setRelation(other, true)
	case xsync.RosterNoticeUnblocked:
		st.setRelation(other, false)
	case xsync.RosterNoticeMuted, xsync.RosterNoticeUnmuted:
		if v, ok := st.rosters[other]; ok {
			st.rosters[other] = v.Set("mute_notification", jsonv.Bool(p.Type == int32(xsync.RosterNoticeMuted)))
		}
	case xsync.RosterNoticeInfoUpdated:
		// The content is a JSON object of the changed RosterItem fields
		// (PROTOCOL.md §12.4).
		v, ok := st.rosters[other]
		if !ok {
			return
		}
		if patch, err := jsonv.ParseString(p.Content); err == nil && patch.Kind() == jsonv.KindObject {
			st.rosters[other] = jsonv.Merge(v, patch.Delete("user_id"))
		}
	}
}

// The roster caches for a facade that makes the REST calls itself (the npm
// package: its rosterManage wrappers are TypeScript over Client.Call) but
// keeps no cache of its own: the engine's caches are the only copy, kept
// current by the notices as for native clients, and the facade reads and
// updates them through these methods. They take the current session.

// RawIDs returns the cached friend uids and whether they are known.
func (r *RosterManager) RawIDs() ([]uint64, bool) {
	st, _ := r.c.mgrView()
	defer st.mu.Unlock()
	return append([]uint64(nil), st.rosterIDs...), st.rosterIDsKnown
}

// Raw returns the cached RosterItem object of uid as received.
func (r *RosterManager) Raw(uid uint64) (jsonv.Value, bool) {
	st, _ := r.c.mgrView()
	defer st.mu.Unlock()
	v, ok := st.rosters[uid]
	return v, ok
}

// RawAll returns the uids of every cached RosterItem, in increasing
// order, and their objects.
func (r *RosterManager) RawAll() ([]uint64, []jsonv.Value) {
	st, _ := r.c.mgrView()
	ids, items := sortedByID(st.rosters)
	st.mu.Unlock()
	return ids, items
}

// Keep caches the RosterItem objects of list (a POST /roster/list reply)
// and returns the uids cached, in order; items without a user_id are
// skipped. It emits nothing: the facade announces them.
func (r *RosterManager) Keep(list jsonv.Value) []uint64 {
	var uids []uint64
	r.c.mgrUpdate(r.c.mgrSession(), func(st *managerState) {
		for _, v := range list.Elements() {
			if uid, ok := v.Get("user_id").AsUint64(); ok && uid != 0 {
				st.rosters[uid] = v
				uids = append(uids, uid)
			}
		}
	})
	return uids
}

// KeepIDs replaces the cached friend uids (a GET /roster/list reply).
func (r *RosterManager) KeepIDs(ids []uint64) {
	r.c.mgrUpdate(r.c.mgrSession(), func(st *managerState) {
		st.rosterIDs, st.rosterIDsKnown = append([]uint64(nil), ids...), true
	})
}

// KeepField sets one field of the cached item of uid (POST /roster/ext
// done) and reports whether uid is cached.
func (r *RosterManager) KeepField(uid uint64, key string, val jsonv.Value) bool {
	changed := false
	r.c.mgrUpdate(r.c.mgrSession(), func(st *managerState) {
		if v, ok := st.rosters[uid]; ok {
			st.rosters[uid] = v.Set(key, val)
			changed = true
		}
	})
	return changed
}

// KeepBlocked records a block or unblock of uid (POST /roster/block or
// /roster/unblock done) in its cached item.
func (r *RosterManager) KeepBlocked(uid uint64, blocked bool) {
	r.c.mgrUpdate(r.c.mgrSession(), func(st *managerState) { st.setRelation(uid, blocked) })
}
