package core

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

// This file holds what the managers (UserManager, RosterManager,
// GroupManager, SysManager) share: their cache state, the request builders
// and the token check in front of every manager call.
//
// The managers are thin views over a Client, jetstream style (STYLE.md §8):
// c.User(), c.Roster(), c.Group() and c.Sys() return a small struct holding
// the client, so they are cheap to obtain and need not be kept. The caches
// they share live in one managerState per Client.

// managerState holds the caches of the roster and group managers and the
// user's own profile.
//
// The caches belong to one session: every entry point passes the id of the
// current session, and when it differs from sess the caches are emptied
// first, so a new login (possibly of another user) never sees the previous
// session's data and needs no hook in the logout path. Results of calls
// started in an earlier session are dropped for the same reason.
//
// mu guards every field and is a leaf lock: it is never held while calling
// out (REST calls, events, the client's own mutexes), so the notice hooks
// may run on the engine goroutine without risk of deadlock.
type managerState struct {
	mu   sync.Mutex
	sess uint64 // guarded by mu; session the caches belong to

	// Prefetch data (PROTOCOL.md §4.5) is copied in once per session, the
	// first time it is available; the seeded flags record that.
	rosterSeeded, groupSeeded bool // guarded by mu

	rosterIDs      []uint64               // guarded by mu; friend uids
	rosterIDsKnown bool                   // guarded by mu; rosterIDs is filled
	rosters        map[uint64]jsonv.Value // guarded by mu; uid -> RosterItem object
	profile        jsonv.Value            // guarded by mu; the user's Profile, missing until fetched

	groupIDs      []uint64               // guarded by mu; joined gids
	groupIDsKnown bool                   // guarded by mu; groupIDs is filled
	groups        map[uint64]jsonv.Value // guarded by mu; gid -> GroupInfo or GroupBrief object
	groupStale    map[uint64]bool        // guarded by mu; cached info to re-fetch before use
	members       map[uint64][]Member    // guarded by mu; gid -> member list
}

// mgrSession returns the id of the current session, 0 when there is none.
func (c *Client) mgrSession() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pub.sessID
}

// lock takes st.mu for session sess, resetting the caches when they belong
// to another session, and seeds them from the prefetch data pre when it is
// available and not yet used. The caller must unlock st.mu.
func (st *managerState) lock(sess uint64, pre *Prefetched) {
	st.mu.Lock()
	if st.sess != sess || st.rosters == nil {
		st.sess = sess
		st.rosterSeeded, st.groupSeeded = false, false
		st.rosterIDs, st.rosterIDsKnown = nil, false
		st.rosters = make(map[uint64]jsonv.Value)
		st.profile = jsonv.Value{}
		st.groupIDs, st.groupIDsKnown = nil, false
		st.groups = make(map[uint64]jsonv.Value)
		st.groupStale = make(map[uint64]bool)
		st.members = make(map[uint64][]Member)
	}
	if pre == nil || sess == 0 {
		return
	}
	// A list whose details call failed is still worth keeping: the ids come
	// from the calls that must succeed for login.
	if !st.rosterSeeded && (pre.Rosters.Exists() || pre.Groups.Exists()) {
		st.rosterSeeded = true
		if !st.rosterIDsKnown {
			st.rosterIDs, st.rosterIDsKnown = append([]uint64(nil), pre.RosterIDs...), true
		}
		for _, it := range pre.Rosters.Elements() {
			if uid, ok := it.Get("user_id").AsUint64(); ok && uid != 0 {
				if _, have := st.rosters[uid]; !have {
					st.rosters[uid] = it
				}
			}
		}
	}
	if !st.groupSeeded && (pre.Rosters.Exists() || pre.Groups.Exists()) {
		st.groupSeeded = true
		if !st.groupIDsKnown {
			st.groupIDs, st.groupIDsKnown = append([]uint64(nil), pre.GroupIDs...), true
		}
		for _, it := range pre.Groups.Elements() {
			if gid, ok := it.Get("group_id").AsUint64(); ok && gid != 0 {
				if _, have := st.groups[gid]; !have {
					st.groups[gid] = it
				}
			}
		}
	}
}

// view locks the manager state of c for the current session, seeded from
// the prefetch data. It returns the session id; the caller must unlock
// st.mu.
func (c *Client) mgrView() (*managerState, uint64) {
	st := c.managers()
	sess := c.mgrSession()
	pre := c.Prefetched()
	st.lock(sess, &pre)
	return st, sess
}

// mgrUpdate runs fn on the caches of session sess, unless a newer session
// has started since (the result then belongs to nobody and is dropped).
func (c *Client) mgrUpdate(sess uint64, fn func(st *managerState)) {
	if sess == 0 {
		return
	}
	st, cur := c.mgrView()
	defer st.mu.Unlock()
	if cur != sess {
		return
	}
	fn(st)
}

// mgrAddID appends id to ids unless present.
func mgrAddID(ids []uint64, id uint64) []uint64 {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}

// mgrRemoveID returns ids without id, in a new slice so that snapshots handed
// out earlier stay unchanged.
func mgrRemoveID(ids []uint64, id uint64) []uint64 {
	out := make([]uint64, 0, len(ids))
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

// tokenFree reports the calls the official clients send without an access
// token (REST.md §2.5). The official clients match substrings of the URL,
// which lets /group/info go out without a token merely because it contains
// "info"; exact paths avoid that.
func tokenFree(path string) bool {
	switch path {
	case "/app/config",
		"/app/captcha/image",
		"/app/captcha/sms",
		"/app/captcha/sms_web",
		"/app/user/info_pwd",
		"/app/wechat_login",
		"/app/user/mobile_bind_with_sign",
		"/app/qr_code",
		"/app/qr_login",
		"/app/secret_info",
		"/user/register/v2",
		"/user/register/anonymous",
		"/token/user",
		"/token/id":
		return true
	}
	return false
}

// mcall performs a manager's REST call. Like the official clients it
// refuses, before any I/O, a call that needs a token when the session has
// none: the server would only answer 10003, and the facade reports the
// missing login more usefully as UserNotLogin.
func (c *Client) mcall(ctx lite.Context, req RESTRequest) (jsonv.Value, error) {
	if !tokenFree(req.Path) && c.rest.currentToken() == "" {
		return jsonv.Value{}, NewError(UserNotLogin, req.Path+" needs a logged-in session")
	}
	return c.Call(ctx, req)
}

// Request builders. Parameter placement follows REST.md §2.2: GET and the
// POST endpoints marked (q) use the query string (a nil Body makes the REST
// client send "{}"), the other POST endpoints a JSON body.

func mgrGet(path string, query ...[2]string) RESTRequest {
	return RESTRequest{Method: "GET", Path: path, Query: query}
}

func mgrPostQuery(path string, query ...[2]string) RESTRequest {
	return RESTRequest{Method: "POST", Path: path, Query: query}
}

func mgrPost(path string, body []byte) RESTRequest {
	return RESTRequest{Method: "POST", Path: path, Body: body}
}

// qID is a query parameter holding an id.
func qID(key string, id uint64) [2]string { return [2]string{key, strconv.FormatUint(id, 10)} }

// qInt is a query parameter holding a number.
func qInt(key string, v int64) [2]string { return [2]string{key, strconv.FormatInt(v, 10)} }

// mgrBody builds a JSON object body. Ids and the fields of REST.md §2.3 are
// written as JSON numbers, as the official clients coerce them.
type mgrBody struct{ w jsonv.Writer }

func newMgrBody() *mgrBody {
	b := &mgrBody{}
	b.w.BeginObject()
	return b
}

func (b *mgrBody) id(key string, v uint64) *mgrBody {
	b.w.Key(key)
	b.w.Uint(v)
	return b
}

func (b *mgrBody) num(key string, v int64) *mgrBody {
	b.w.Key(key)
	b.w.Int(v)
	return b
}

func (b *mgrBody) str(key, v string) *mgrBody {
	b.w.Key(key)
	b.w.String(v)
	return b
}

// optStr writes key only when v is not empty (the official clients send
// optional fields as undefined, which JSON.stringify drops).
func (b *mgrBody) optStr(key, v string) *mgrBody {
	if v != "" {
		b.str(key, v)
	}
	return b
}

func (b *mgrBody) boolean(key string, v bool) *mgrBody {
	b.w.Key(key)
	b.w.Bool(v)
	return b
}

func (b *mgrBody) ids(key string, ids []uint64) *mgrBody {
	b.w.Key(key)
	b.w.BeginArray()
	for _, id := range ids {
		b.w.Uint(id)
	}
	b.w.EndArray()
	return b
}

func (b *mgrBody) value(key string, v jsonv.Value) *mgrBody {
	b.w.Key(key)
	b.w.Value(v)
	return b
}

func (b *mgrBody) bytes() []byte {
	b.w.EndObject()
	return b.w.Bytes()
}

// Argument checks: they run before any I/O and return InvalidParam errors.

func needID(what string, id uint64) error {
	if id == 0 {
		return ClientError(what + " is required")
	}
	return nil
}

func needIDs(what string, ids []uint64) error {
	if len(ids) == 0 {
		return ClientError(what + " must not be empty")
	}
	for _, id := range ids {
		if id == 0 {
			return ClientError(what + " contains a zero id")
		}
	}
	return nil
}

func needRange(what string, v, lo, hi int) error {
	if v < lo || v > hi {
		return ClientError(what + " must be between " + strconv.Itoa(lo) + " and " + strconv.Itoa(hi))
	}
	return nil
}

func needText(what, v string) error {
	if strings.TrimSpace(v) == "" {
		return ClientError(what + " is required")
	}
	return nil
}

// ListOptions selects a page of a paged list endpoint (REST.md §2.4). The
// zero value asks for the complete list, which is what the official clients
// expect.
type ListOptions struct {
	Cursor  string // cursor of the page; "" for the first
	Limit   int    // page size; 0 for the server's default (everything)
	Version int64  // list version for incremental lists; 0 to omit
}

// query returns the options as query parameters, always with the cursor
// when alwaysCursor is set (the roster application list sends cursor=""
// for the first page).
func (o ListOptions) query(alwaysCursor bool) [][2]string {
	var q [][2]string
	if o.Cursor != "" || alwaysCursor {
		q = append(q, [2]string{"cursor", o.Cursor})
	}
	if o.Limit > 0 {
		q = append(q, qInt("limit", int64(o.Limit)))
	}
	if o.Version != 0 {
		q = append(q, qInt("version", o.Version))
	}
	return q
}

// managers returns the manager state of c.
func (c *Client) managers() *managerState { return &c.mgr }

// sortedByID returns the ids of a cache in increasing order and their
// objects, for the managers' RawAll. The caller holds the cache's lock.
func sortedByID(m map[uint64]jsonv.Value) ([]uint64, []jsonv.Value) {
	ids := make([]uint64, 0, len(m))
	for k := range m {
		ids = append(ids, k)
	}
	// sort.Slice rather than slices.Sort: the wasm build links sort.Slice
	// already, and slices.Sort would add its pdqsort for uint64.
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]jsonv.Value, len(ids))
	for i, k := range ids {
		out[i] = m[k]
	}
	return ids, out
}
