package core

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

// The manager tests drive the managers against mgrHTTP, a recording
// HTTPDoer, on a Client whose session is faked by publishing a session id,
// uid and token directly (no XSYNC connection is needed for REST calls).
// Everything here is prefixed "mgr" to stay out of the way of the engine
// tests of the same package.

const mgrRatel = "https://ratel.test"

// mgrCall is one recorded REST request.
type mgrCall struct {
	Method string
	Path   string
	Query  url.Values
	Header map[string]string
	Body   string // raw body, "" for none
}

// bodyValue parses the body.
func (c mgrCall) bodyValue(t testing.TB) jsonv.Value {
	t.Helper()
	v, err := jsonv.ParseString(c.Body)
	require.NoError(t, err, "body %q", c.Body)
	return v
}

type mgrReply struct {
	code int
	msg  string
	data string
	err  error
	fn   func(mgrCall) (*HTTPResponse, error)
}

// mgrHTTP answers by "METHOD path" with an envelope, records every request
// and serves uploads through onUpload.
type mgrHTTP struct {
	mu       sync.Mutex
	replies  map[string]mgrReply // guarded by mu
	calls    []mgrCall           // guarded by mu
	uploads  []*UploadRequest    // guarded by mu
	onUpload func(*UploadRequest) (*HTTPResponse, error)
}

func newMgrHTTP() *mgrHTTP { return &mgrHTTP{replies: make(map[string]mgrReply)} }

// ok makes key answer code 200 with data (JSON text).
func (h *mgrHTTP) ok(key, data string) { h.set(key, mgrReply{code: 200, data: data}) }

// fail makes key answer a business error.
func (h *mgrHTTP) fail(key string, code int, msg string) { h.set(key, mgrReply{code: code, msg: msg}) }

func (h *mgrHTTP) set(key string, r mgrReply) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.replies[key] = r
}

func (h *mgrHTTP) Do(ctx lite.Context, req *HTTPRequest) (*HTTPResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, err
	}
	call := mgrCall{Method: req.Method, Path: u.Path, Query: u.Query(), Header: req.Header, Body: string(req.Body)}
	h.mu.Lock()
	h.calls = append(h.calls, call)
	r, ok := h.replies[req.Method+" "+u.Path]
	h.mu.Unlock()
	switch {
	case !ok:
		return &HTTPResponse{Status: 404, Body: []byte("no reply for " + req.Method + " " + u.Path)}, nil
	case r.fn != nil:
		return r.fn(call)
	case r.err != nil:
		return nil, r.err
	}
	return mgrEnvelope(r.code, r.msg, r.data), nil
}

func (h *mgrHTTP) Upload(ctx lite.Context, req *UploadRequest) (*HTTPResponse, error) {
	h.mu.Lock()
	h.uploads = append(h.uploads, req)
	fn := h.onUpload
	h.mu.Unlock()
	if fn == nil {
		return &HTTPResponse{Status: 200, Body: []byte(`{"data":true}`)}, nil
	}
	return fn(req)
}

// all returns the recorded calls.
func (h *mgrHTTP) all() []mgrCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]mgrCall(nil), h.calls...)
}

// last returns the only call recorded since the last reset, failing
// otherwise.
func (h *mgrHTTP) last(t testing.TB) mgrCall {
	t.Helper()
	calls := h.all()
	require.Len(t, calls, 1, "expected exactly one request")
	return calls[0]
}

func (h *mgrHTTP) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = nil
	h.uploads = nil
}

func mgrEnvelope(code int, msg, data string) *HTTPResponse {
	if data == "" {
		data = "null"
	}
	m := "null"
	if msg != "" {
		m = string(jsonv.AppendString(nil, msg))
	}
	return &HTTPResponse{Status: 200, Body: []byte(`{"code":` + strconv.Itoa(code) + `,"message":` + m + `,"data":` + data + `}`)}
}

// mgrNoDial is a Dialer for clients that never connect.
type mgrNoDial struct{}

func (mgrNoDial) Dial(ctx lite.Context, url string) (Conn, error) {
	return nil, errors.New("manager tests do not dial")
}

// mgrEvents records the events of a client.
type mgrEvents struct {
	mu  sync.Mutex
	evs []Event
}

func (r *mgrEvents) list() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.evs...)
}

// waitFor waits until an event satisfying pred was recorded and returns it.
func (r *mgrEvents) waitFor(t testing.TB, what string, pred func(Event) bool) Event {
	t.Helper()
	var found Event
	require.Eventually(t, func() bool {
		for _, ev := range r.list() {
			if pred(ev) {
				found = ev
				return true
			}
		}
		return false
	}, 5*time.Second, time.Millisecond, what)
	return found
}

// names returns the names of the events recorded so far.
func (r *mgrEvents) names() []string {
	var out []string
	for _, ev := range r.list() {
		out = append(out, ev.EventName())
	}
	return out
}

// newMgrClient returns a client with DNS resolved to mgrRatel and a fake
// session (session 1, uid 100, token "tok").
func newMgrClient(t testing.TB) (*Client, *mgrHTTP, *mgrEvents) {
	t.Helper()
	h := newMgrHTTP()
	c, err := New(Config{AppID: "app1", Dialer: mgrNoDial{}, HTTP: h})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	rec := &mgrEvents{}
	c.OnEvent(func(ev Event) {
		rec.mu.Lock()
		rec.evs = append(rec.evs, ev)
		rec.mu.Unlock()
	})
	dns, err := jsonv.ParseString(`{"app_status":"normal","account_verification":{"sms":true},"link_server_list":[{"domain":"link.test"},{"domain":""}]}`)
	require.NoError(t, err)
	c.setDNS(&dnsResult{ratel: []string{mgrRatel}, fireplace: []string{"wss://fire.test"}, rtc: []string{"wss://rtc.test"}, appStatus: "normal", data: dns})
	mgrLogin(c, 1, 100, "tok")
	return c, h, rec
}

// mgrLogin fakes session sess of user uid with token.
func mgrLogin(c *Client, sess, uid uint64, token string) {
	c.mu.Lock()
	c.pub.sessID, c.pub.uid, c.pub.token = sess, uid, token
	c.mu.Unlock()
	c.rest.setToken(token)
}

// mgrPrefetch installs prefetch data as the login would.
func mgrPrefetch(t testing.TB, c *Client, rosterIDs []uint64, rosters string, groupIDs []uint64, groups string) {
	t.Helper()
	rv, err := jsonv.ParseString(rosters)
	require.NoError(t, err)
	gv, err := jsonv.ParseString(groups)
	require.NoError(t, err)
	c.pre.mu.Lock()
	c.pre.rosterIDs, c.pre.rosters, c.pre.groupIDs, c.pre.groups = rosterIDs, rv, groupIDs, gv
	c.pre.mu.Unlock()
}

func mgrCtx(t testing.TB) lite.Context {
	ctx, cancel := lite.WithTimeout(lite.Background(), 5*lite.Second)
	t.Cleanup(cancel)
	return ctx
}

// requireCode asserts that err is an *Error with code want.
func requireCode(t testing.TB, err error, want Code) *Error {
	t.Helper()
	require.Error(t, err)
	var e *Error
	require.True(t, errors.As(err, &e), "not an *Error: %v", err)
	require.Equal(t, want, e.Code, "error: %v", err)
	return e
}

func TestManagerCallNeedsToken(t *testing.T) {
	c, h, _ := newMgrClient(t)
	mgrLogin(c, 0, 0, "")
	_, err := c.User().Profile(mgrCtx(t))
	requireCode(t, err, UserNotLogin)
	_, err = c.Group().Joined(mgrCtx(t), true)
	requireCode(t, err, UserNotLogin)
	assert.Empty(t, h.all(), "no request may leave without a token")

	// Registration is one of the calls allowed without a token.
	h.ok("POST /user/register/v2", `{"user_id":7,"auth_mode":1}`)
	s, err := c.User().Register(mgrCtx(t), "alice", "pw")
	require.NoError(t, err)
	assert.Equal(t, uint64(7), s.UserID)
	call := h.last(t)
	_, hasToken := call.Header["access-token"]
	assert.False(t, hasToken)
	assert.Equal(t, "app1", call.Header["app_id"])
}

func TestManagerRESTErrorsPassThrough(t *testing.T) {
	c, h, _ := newMgrClient(t)
	h.fail("GET /user/settings", 20001, "group not exist")
	_, err := c.User().Settings(mgrCtx(t))
	e := requireCode(t, err, errRESTCode(20001))
	assert.Equal(t, SourceREST, e.Source)
	assert.Equal(t, 20001, e.ServerCode)
	assert.Equal(t, mgrRatel+"/user/settings", e.URL)
	assert.Equal(t, 20001, e.FacadeCode())

	// A non-JSON reply is a transport-level ServerResponseInvalid.
	h.set("GET /user/profile", mgrReply{fn: func(mgrCall) (*HTTPResponse, error) {
		return &HTTPResponse{Status: 200, Body: []byte("<html>")}, nil
	}})
	_, err = c.User().Profile(mgrCtx(t))
	requireCode(t, err, ServerResponseInvalid)
}

func TestManagerPrefetchSeedsCaches(t *testing.T) {
	c, h, _ := newMgrClient(t)
	mgrPrefetch(t, c, []uint64{2, 3},
		`[{"user_id":2,"username":"bob","relation":0},{"user_id":"3","username":"carol"},{"user_id":100,"username":"me"}]`,
		[]uint64{50}, `[{"group_id":50,"name":"team","owner":2,"count":"3"}]`)

	ids, err := c.Roster().IDs(mgrCtx(t), false)
	require.NoError(t, err)
	assert.Equal(t, []uint64{2, 3}, ids)
	it, ok := c.Roster().Cached(3)
	require.True(t, ok)
	assert.Equal(t, "carol", it.Username)
	assert.Len(t, c.Roster().All(), 3, "friends and the user")

	gids, err := c.Group().Joined(mgrCtx(t), false)
	require.NoError(t, err)
	assert.Equal(t, []uint64{50}, gids)
	g, ok := c.Group().Cached(50)
	require.True(t, ok)
	assert.Equal(t, uint64(2), g.OwnerID, "a brief's owner fills OwnerID")
	assert.Equal(t, 3, g.Count, "numbers may arrive as strings")
	assert.Empty(t, h.all(), "seeded data needs no request")
}

func TestManagerCachesBelongToOneSession(t *testing.T) {
	c, h, _ := newMgrClient(t)
	h.ok("GET /roster/list", `[1,"2",{"user_id":3}]`)
	ids, err := c.Roster().IDs(mgrCtx(t), true)
	require.NoError(t, err)
	assert.Equal(t, []uint64{1, 2, 3}, ids)
	assert.Equal(t, []uint64{1, 2, 3}, c.Roster().CachedIDs())

	mgrLogin(c, 2, 200, "tok2")
	assert.Empty(t, c.Roster().CachedIDs(), "a new session starts empty")

	// A reply that arrives after the session changed is dropped.
	h.set("GET /roster/list", mgrReply{fn: func(mgrCall) (*HTTPResponse, error) {
		mgrLogin(c, 3, 300, "tok3")
		return mgrEnvelope(200, "", "[9]"), nil
	}})
	ids, err = c.Roster().IDs(mgrCtx(t), true)
	require.NoError(t, err)
	assert.Equal(t, []uint64{9}, ids, "the caller still gets its result")
	assert.Empty(t, c.Roster().CachedIDs(), "but the new session's cache does not")
}

func TestManagerListOptionsQuery(t *testing.T) {
	assert.Empty(t, ListOptions{}.query(false))
	assert.Equal(t, [][2]string{{"cursor", ""}}, ListOptions{}.query(true))
	assert.Equal(t, [][2]string{{"cursor", "c1"}, {"limit", "10"}, {"version", "4"}},
		ListOptions{Cursor: "c1", Limit: 10, Version: 4}.query(false))
}

func TestManagerBodiesUseNumbers(t *testing.T) {
	b := newMgrBody().id("group_id", 12).ids("user_list", []uint64{1, 2}).num("duration", 5).
		str("s", "x").optStr("skip", "").boolean("b", true).bytes()
	assert.Equal(t, `{"group_id":12,"user_list":[1,2],"duration":5,"s":"x","b":true}`, string(b))
	assert.True(t, strings.HasPrefix(encodeQuery([][2]string{qID("user_id", 5)}), "user_id=5"))
}

// TestManagersWithRealLogin runs the managers on a session made by the
// engine: a token login against the FakeServer, whose prefetch seeds the
// caches, and a logout that empties them.
func TestManagersWithRealLogin(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddGroup(77, 1001)
	srv.HTTP.handle("GET /roster/list", func(*HTTPRequest) (*HTTPResponse, error) {
		return mgrEnvelope(200, "", `[2002]`), nil
	})
	srv.HTTP.handle("POST /roster/list", func(*HTTPRequest) (*HTTPResponse, error) {
		return mgrEnvelope(200, "", `[{"user_id":2002,"username":"bob"},{"user_id":1001,"username":"alice"}]`), nil
	})
	srv.HTTP.handle("POST /group/info/batch", func(*HTTPRequest) (*HTTPResponse, error) {
		return mgrEnvelope(200, "", `[{"group_id":77,"name":"team","owner":1001}]`), nil
	})
	c, _ := newTestClient(t, srv, nil, nil)
	ctx := mgrCtx(t)
	require.NoError(t, c.TokenLogin(ctx, 1001, tok))
	before := len(srv.HTTP.requests("/"))

	ids, err := c.Roster().IDs(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, []uint64{2002}, ids)
	bob, err := c.Roster().Info(ctx, 2002, false)
	require.NoError(t, err)
	assert.Equal(t, "bob", bob.Username)
	gids, err := c.Group().Joined(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, []uint64{77}, gids)
	g, err := c.Group().Info(ctx, 77, false)
	require.NoError(t, err)
	assert.Equal(t, uint64(1001), g.OwnerID)
	assert.Equal(t, before, len(srv.HTTP.requests("/")), "everything came from the prefetch")

	require.NoError(t, errOf(c.Logout(ctx, LogoutOptions{})))
	assert.Empty(t, c.Roster().CachedIDs(), "logout empties the caches")
	assert.Empty(t, c.Group().All())
	_, err = c.Roster().IDs(ctx, false)
	requireCode(t, err, UserNotLogin)
}
