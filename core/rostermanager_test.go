package core

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

func TestRosterManagerWrappers(t *testing.T) {
	r := func(c *Client) *RosterManager { return c.Roster() }
	runWrapperCases(t, []mgrWrapperCase{
		{"IDs", func(ctx lite.Context, c *Client) error {
			_, err := r(c).IDs(ctx, true)
			return err
		}, "GET", "/roster/list", nil, "", "[1,2]"},
		{"Info", func(ctx lite.Context, c *Client) error {
			_, err := r(c).Info(ctx, 5, true)
			return err
		}, "POST", "/roster/list", nil, `{"list":[5]}`, `[{"user_id":5}]`},
		{"Delete", func(ctx lite.Context, c *Client) error {
			return r(c).Delete(ctx, 5)
		}, "POST", "/roster/delete", url.Values{"user_id": {"5"}}, `{}`, ""},
		{"ApplyList", func(ctx lite.Context, c *Client) error {
			_, err := r(c).ApplyList(ctx, ListOptions{})
			return err
		}, "GET", "/roster/apply/list", url.Values{"cursor": {""}}, "", "[]"},
		{"ApplyListPage", func(ctx lite.Context, c *Client) error {
			_, err := r(c).ApplyList(ctx, ListOptions{Cursor: "abc", Limit: 20})
			return err
		}, "GET", "/roster/apply/list", url.Values{"cursor": {"abc"}, "limit": {"20"}}, "", "[]"},
		{"BlockedList", func(ctx lite.Context, c *Client) error {
			_, err := r(c).BlockedList(ctx)
			return err
		}, "GET", "/roster/blocked_list", nil, "", "[]"},
		{"Block", func(ctx lite.Context, c *Client) error {
			return r(c).Block(ctx, 5)
		}, "POST", "/roster/block", url.Values{"user_id": {"5"}}, `{}`, ""},
		{"Unblock", func(ctx lite.Context, c *Client) error {
			return r(c).Unblock(ctx, 5)
		}, "POST", "/roster/unblock", url.Values{"user_id": {"5"}}, `{}`, ""},
		{"Apply", func(ctx lite.Context, c *Client) error {
			return r(c).Apply(ctx, ApplyRequest{UserID: 5, Alias: "bob", AuthAnswer: "blue"})
		}, "POST", "/roster/apply", nil, `{"user_id":5,"alias":"bob","auth_answer":"blue"}`, ""},
		{"ApplyMinimal", func(ctx lite.Context, c *Client) error {
			return r(c).Apply(ctx, ApplyRequest{UserID: 5})
		}, "POST", "/roster/apply", nil, `{"user_id":5,"alias":""}`, ""},
		{"Accept", func(ctx lite.Context, c *Client) error {
			return r(c).Accept(ctx, 5)
		}, "POST", "/roster/accept", url.Values{"user_id": {"5"}}, `{}`, ""},
		{"Decline", func(ctx lite.Context, c *Client) error {
			return r(c).Decline(ctx, 5, "no")
		}, "POST", "/roster/decline", nil, `{"user_id":5,"reason":"no"}`, ""},
		{"UpdateExt", func(ctx lite.Context, c *Client) error {
			return r(c).UpdateExt(ctx, 5, `{"k":1}`)
		}, "POST", "/roster/ext", nil, `{"user_id":5,"ext":"{\"k\":1}"}`, ""},
		{"UpdateAlias", func(ctx lite.Context, c *Client) error {
			return r(c).UpdateAlias(ctx, 5, "Bobby")
		}, "POST", "/roster/ext", nil, `{"user_id":5,"alias":"Bobby"}`, ""},
		{"SetMuteNotification", func(ctx lite.Context, c *Client) error {
			return r(c).SetMuteNotification(ctx, 5, true)
		}, "POST", "/roster/ext", nil, `{"user_id":5,"mute_notification":true}`, ""},
		{"SearchByName", func(ctx lite.Context, c *Client) error {
			_, err := r(c).SearchByName(ctx, "bob")
			return err
		}, "GET", "/roster/name", url.Values{"username": {"bob"}}, "", `{"user_id":5}`},
		{"SearchByID", func(ctx lite.Context, c *Client) error {
			_, err := r(c).SearchByID(ctx, 5)
			return err
		}, "GET", "/roster/id", url.Values{"user_id": {"5"}}, "", `{"user_id":5}`},
	})
}

func TestRosterManagerIDs(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	h.ok("GET /roster/list", `[1,"2",{"user_id":3},0,"x"]`)
	ids, err := c.Roster().IDs(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, []uint64{1, 2, 3}, ids, "numbers, strings and objects; junk skipped")
	_, err = c.Roster().IDs(ctx, false)
	require.NoError(t, err)
	assert.Len(t, h.all(), 1, "the second call is served from the cache")
	h.ok("GET /roster/list", `[4]`)
	ids, err = c.Roster().IDs(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, []uint64{4}, ids)
	assert.Equal(t, []uint64{4}, c.Roster().CachedIDs())
}

func TestRosterManagerInfo(t *testing.T) {
	c, h, rec := newMgrClient(t)
	ctx := mgrCtx(t)
	h.ok("POST /roster/list", `[{"user_id":"5","username":"bob","nick_name":"Bob","alias":"B","ext":"e","mute_notification":true,"auth_mode":1,"relation":0}]`)
	it, err := c.Roster().Info(ctx, 5, false)
	require.NoError(t, err)
	assert.Equal(t, RosterItem{UserID: 5, Username: "bob", NickName: "Bob", Alias: "B", Ext: "e", MuteNotification: true,
		AuthMode: 1, Relation: RelationFriend, Raw: it.Raw}, it)
	ev := rec.waitFor(t, "onRosterInfoUpdate", func(ev Event) bool { _, ok := ev.(RosterInfoUpdated); return ok })
	assert.Equal(t, []uint64{5}, ev.(RosterInfoUpdated).UIDs)

	_, err = c.Roster().Info(ctx, 5, false)
	require.NoError(t, err)
	assert.Len(t, h.all(), 1, "cached")
	_, err = c.Roster().Info(ctx, 5, true)
	require.NoError(t, err)
	assert.Len(t, h.all(), 2, "forced")

	h.ok("POST /roster/list", `[]`)
	_, err = c.Roster().Info(ctx, 6, false)
	requireCode(t, err, NotFound)
	_, err = c.Roster().Info(ctx, 0, false)
	requireCode(t, err, InvalidParam)
}

func TestRosterManagerListDetailByIDs(t *testing.T) {
	c, h, rec := newMgrClient(t)
	ctx := mgrCtx(t)
	mgrPrefetch(t, c, []uint64{2}, `[{"user_id":2,"username":"cached"}]`, nil, `[]`)
	h.ok("POST /roster/list", `[{"user_id":4,"username":"four"},{"user_id":3,"username":"three"}]`)
	items, err := c.Roster().ListDetailByIDs(ctx, []uint64{3, 2, 4, 3, 9})
	require.NoError(t, err)
	var names []string
	for _, it := range items {
		names = append(names, it.Username)
	}
	assert.Equal(t, []string{"three", "cached", "four", "three"}, names, "in request order; unknown 9 left out")
	call := h.last(t)
	assert.JSONEq(t, `{"list":[3,4,9]}`, call.Body, "one request for the missing ids only")
	ev := rec.waitFor(t, "onRosterInfoUpdate", func(ev Event) bool { _, ok := ev.(RosterInfoUpdated); return ok })
	assert.ElementsMatch(t, []uint64{3, 4}, ev.(RosterInfoUpdated).UIDs)

	h.reset()
	_, err = c.Roster().ListDetailByIDs(ctx, []uint64{2, 3, 4})
	require.NoError(t, err)
	assert.Empty(t, h.all(), "everything cached now")
	items, err = c.Roster().ListDetailByIDs(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, items)
	_, err = c.Roster().ListDetailByIDs(ctx, []uint64{1, 0})
	requireCode(t, err, InvalidParam)
}

func TestRosterManagerDeleteDropsConversation(t *testing.T) {
	c, h, rec := newMgrClient(t)
	ctx := mgrCtx(t)
	mgrPrefetch(t, c, []uint64{5, 6}, `[{"user_id":5},{"user_id":6}]`, nil, `[]`)
	c.cache.Put(5, Message{ID: 1, From: 5, To: 100, Content: "hi"})
	c.convs.touch(5, ToRoster, nil)
	h.ok("POST /roster/delete", "true")
	require.NoError(t, c.Roster().Delete(ctx, 5))
	assert.Equal(t, []uint64{6}, c.Roster().CachedIDs())
	_, ok := c.Roster().Cached(5)
	assert.False(t, ok)
	assert.Empty(t, c.Messages(5))
	_, ok = c.Conversation(5)
	assert.False(t, ok)
	rec.waitFor(t, "onRosterListUpdate", func(ev Event) bool { _, ok := ev.(RosterListUpdated); return ok })
	rec.waitFor(t, "recentlistUpdate", func(ev Event) bool { _, ok := ev.(RecentListUpdated); return ok })

	// A failed delete changes nothing.
	h.fail("POST /roster/delete", 10000, "no such user")
	require.Error(t, c.Roster().Delete(ctx, 6))
	assert.Equal(t, []uint64{6}, c.Roster().CachedIDs())
}

func TestRosterManagerLocalUpdates(t *testing.T) {
	c, h, rec := newMgrClient(t)
	ctx := mgrCtx(t)
	mgrPrefetch(t, c, []uint64{5}, `[{"user_id":5,"relation":0},{"user_id":7,"relation":2}]`, nil, `[]`)
	h.ok("POST /roster/block", "true")
	h.ok("POST /roster/unblock", "true")
	h.ok("POST /roster/ext", "true")

	require.NoError(t, c.Roster().Block(ctx, 5))
	it, _ := c.Roster().Cached(5)
	assert.Equal(t, RelationBlocked, it.Relation)
	require.NoError(t, c.Roster().Unblock(ctx, 5))
	it, _ = c.Roster().Cached(5)
	assert.Equal(t, RelationFriend, it.Relation, "a friend again")
	require.NoError(t, c.Roster().Block(ctx, 7))
	require.NoError(t, c.Roster().Unblock(ctx, 7))
	it, _ = c.Roster().Cached(7)
	assert.Equal(t, RelationStranger, it.Relation, "a stranger again")

	require.NoError(t, c.Roster().UpdateAlias(ctx, 5, "Bobby"))
	require.NoError(t, c.Roster().UpdateExt(ctx, 5, "x"))
	it, _ = c.Roster().Cached(5)
	assert.Equal(t, "Bobby", it.Alias)
	assert.Equal(t, "x", it.Ext)
	rec.waitFor(t, "onRosterInfoUpdate for the alias", func(ev Event) bool {
		e, ok := ev.(RosterInfoUpdated)
		return ok && len(e.UIDs) == 1 && e.UIDs[0] == 5
	})
}

func TestRosterManagerResults(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	h.ok("GET /roster/apply/list", `[{"user_id":8,"reason":"hi","status":0,"expired_time":1700000000000}]`)
	apps, err := c.Roster().ApplyList(ctx, ListOptions{})
	require.NoError(t, err)
	require.Len(t, apps, 1)
	assert.Equal(t, RosterApplication{UserID: 8, Reason: "hi", Status: RequestPending, ExpiredTime: 1700000000000, Raw: apps[0].Raw}, apps[0])

	h.ok("GET /roster/blocked_list", `[3,"4"]`)
	ids, err := c.Roster().BlockedList(ctx)
	require.NoError(t, err)
	assert.Equal(t, []uint64{3, 4}, ids)

	h.ok("GET /roster/name", `{"user_id":9,"username":"zed","relation":2,"auth_question":"color?"}`)
	it, err := c.Roster().SearchByName(ctx, "zed")
	require.NoError(t, err)
	assert.Equal(t, uint64(9), it.UserID)
	assert.Equal(t, RelationStranger, it.Relation)
	assert.Equal(t, "color?", it.AuthQuestion)
	_, cached := c.Roster().Cached(9)
	assert.False(t, cached, "search results are not cached")
}

func TestRosterManagerBadArguments(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	r := c.Roster()
	for name, err := range map[string]error{
		"delete":  r.Delete(ctx, 0),
		"block":   r.Block(ctx, 0),
		"apply":   r.Apply(ctx, ApplyRequest{}),
		"accept":  r.Accept(ctx, 0),
		"decline": r.Decline(ctx, 0, ""),
		"ext":     r.UpdateExt(ctx, 0, "x"),
		"name":    func() error { _, err := r.SearchByName(ctx, ""); return err }(),
		"id":      func() error { _, err := r.SearchByID(ctx, 0); return err }(),
	} {
		assert.True(t, IsCode(err, InvalidParam), "%s: %v", name, err)
	}
	assert.Empty(t, h.all())
}

func rosterNotice(typ int32, from uint64, content string, to ...uint64) NoticeMeta {
	var xs []XID
	for _, u := range to {
		xs = append(xs, XID{UID: u})
	}
	return NoticeMeta{ID: 1, NS: 3, Payload: NoticePayload{Type: typ, From: XID{UID: from}, To: xs, Content: content}}
}

func TestApplyRosterNotice(t *testing.T) {
	c, _, _ := newMgrClient(t) // the user is 100
	mgrPrefetch(t, c, []uint64{5}, `[{"user_id":5,"alias":"five","relation":0},{"user_id":7,"relation":2},{"user_id":8,"relation":2}]`, nil, `[]`)

	c.applyRosterNotice(rosterNotice(1, 7, "", 100)) // ADDED by 7
	c.applyRosterNotice(rosterNotice(3, 100, "", 8)) // we ACCEPTED 8
	assert.Equal(t, []uint64{5, 7, 8}, c.Roster().CachedIDs())
	it, _ := c.Roster().Cached(7)
	assert.Equal(t, RelationFriend, it.Relation)

	c.applyRosterNotice(rosterNotice(8, 100, `{"alias":"Fifi","ext":"e"}`, 5)) // INFO_UPDATED from another device
	it, _ = c.Roster().Cached(5)
	assert.Equal(t, "Fifi", it.Alias)
	assert.Equal(t, "e", it.Ext)
	c.applyRosterNotice(rosterNotice(8, 7, `{"nick_name":"Seven","user_id":999}`)) // 7 changed their profile
	it, _ = c.Roster().Cached(7)
	assert.Equal(t, "Seven", it.NickName)
	assert.Equal(t, uint64(7), it.UserID, "the uid is not patched")
	c.applyRosterNotice(rosterNotice(8, 7, `not json`))
	it, _ = c.Roster().Cached(7)
	assert.Equal(t, "Seven", it.NickName, "bad content is ignored")

	c.applyRosterNotice(rosterNotice(9, 100, "", 7)) // MUTED
	it, _ = c.Roster().Cached(7)
	assert.True(t, it.MuteNotification)
	c.applyRosterNotice(rosterNotice(5, 100, "", 7)) // BLOCKED
	it, _ = c.Roster().Cached(7)
	assert.Equal(t, RelationBlocked, it.Relation)
	c.applyRosterNotice(rosterNotice(6, 100, "", 7)) // UNBLOCKED
	it, _ = c.Roster().Cached(7)
	assert.Equal(t, RelationFriend, it.Relation)

	c.applyRosterNotice(rosterNotice(2, 100, "", 5)) // we REMOVED 5
	c.applyRosterNotice(rosterNotice(2, 8, "", 100)) // 8 removed us
	assert.Equal(t, []uint64{7}, c.Roster().CachedIDs())
	_, ok := c.Roster().Cached(5)
	assert.False(t, ok)

	c.applyRosterNotice(rosterNotice(7, 9, "please", 100)) // APPLIED: nothing cached
	assert.Equal(t, []uint64{7}, c.Roster().CachedIDs())

	mgrLogin(c, 0, 0, "")
	c.applyRosterNotice(rosterNotice(1, 11, "", 100)) // no session: ignored, no panic
	assert.Empty(t, c.Roster().CachedIDs())
}

// TestRosterFacadeCache: the cache methods of a facade that makes its own
// REST calls read and update the one copy the notices also keep current.
func TestRosterFacadeCache(t *testing.T) {
	c, h, _ := newMgrClient(t) // the user is 100
	mgrPrefetch(t, c, []uint64{5}, `[{"user_id":5,"relation":0,"alias":"b"}]`, nil, `[]`)
	r := c.Roster()

	ids, known := r.RawIDs()
	assert.True(t, known)
	assert.Equal(t, []uint64{5}, ids)
	list, err := jsonv.ParseString(`[{"user_id":9,"username":"carol","relation":2},{"username":"no id"},{"user_id":"12345678901234567890"}]`)
	require.NoError(t, err)
	assert.Equal(t, []uint64{9, 12345678901234567890}, r.Keep(list), "items without a user_id are skipped")
	uids, items := r.RawAll()
	assert.Equal(t, []uint64{5, 9, 12345678901234567890}, uids, "in id order")
	assert.Equal(t, `{"user_id":9,"username":"carol","relation":2}`, items[1].String(), "kept as received")

	assert.True(t, r.KeepField(5, "alias", jsonv.String("Bobby")))
	assert.False(t, r.KeepField(6, "alias", jsonv.String("x")), "not cached")
	r.KeepBlocked(9, true)
	v, _ := r.Raw(9)
	assert.Equal(t, "3", v.Get("relation").String(), "blocked")

	// A notice changes the same copy.
	c.applyRosterNotice(rosterNotice(2, 5, "", 100)) // REMOVED by 5
	ids, _ = r.RawIDs()
	assert.Empty(t, ids)
	_, ok := r.Raw(5)
	assert.False(t, ok, "the removed friend is gone")
	r.KeepIDs([]uint64{9})
	r.KeepBlocked(9, false)
	v, _ = r.Raw(9)
	assert.Equal(t, "0", v.Get("relation").String(), "a friend again once the list says so")
	assert.Empty(t, h.all(), "no request")
}
