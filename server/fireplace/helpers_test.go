package fireplace_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/fireplace"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// harness is a running server with the fireplace gateway. Its clock is
// real time that a test can shift, to jump past the recall window.
type harness struct {
	env   *servertest.Env
	clock *servertest.Clock
	gw    *fireplace.Gateway
	mu    sync.Mutex
}

// start runs a server whose gateway config may be adjusted by tune.
func start(t *testing.T, tune ...func(*fireplace.Config)) *harness {
	t.Helper()
	return startClock(t, &servertest.Clock{}, tune...)
}

// startClock is start on the given clock; one with a Base stands still
// until the test advances it.
func startClock(t *testing.T, clock *servertest.Clock, tune ...func(*fireplace.Config)) *harness {
	t.Helper()
	h := &harness{clock: clock}
	h.env = servertest.Start(t,
		servertest.WithConfig(func(c *server.Config) { c.Now = h.clock.Now }),
		servertest.WithGateway(func(d server.GatewayDeps) (server.Gateway, error) {
			cfg := d.FireplaceConfig()
			// The tests script the Notice → pull exchange step by step;
			// push_test.go turns pushes back on.
			cfg.NoPush = true
			for _, f := range tune {
				f(&cfg)
			}
			gw, err := fireplace.New(cfg)
			h.mu.Lock()
			h.gw = gw
			h.mu.Unlock()
			return gw, err
		}))
	return h
}

func (h *harness) gateway() *fireplace.Gateway {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.gw
}

func (h *harness) store() store.Store { return h.env.Server.Store() }

// user registers a user through the REST API.
func (h *harness) user(t *testing.T, name string) servertest.User {
	t.Helper()
	return h.env.NewUser(t, name)
}

// login dials and logs u in with a fresh installation id of its own.
func (h *harness) login(t *testing.T, u servertest.User, guid string) *xsynctest.Client {
	t.Helper()
	c := xsynctest.Dial(t, h.env.URL)
	c.Login(t, u.Token, u.ID, 0, guid)
	return c
}

// group creates a group owned by owner with members, directly in the store.
func (h *harness) group(t *testing.T, owner int64, members ...int64) int64 {
	t.Helper()
	now := h.clock.Now().UnixMilli()
	g := &store.Group{OwnerID: owner, Name: "team", Capacity: 2000, HistoryVisible: true, CreatedAt: now, UpdatedAt: now}
	ms := make([]store.Member, 0, len(members))
	for _, m := range members {
		ms = append(ms, store.Member{UserID: m, JoinTime: now})
	}
	require.NoError(t, h.store().CreateGroup(context.Background(), g, ms))
	return g.ID
}

// duo registers alice and bob and logs each in once, as "a" then "b".
func (h *harness) duo(t *testing.T) (alice, bob servertest.User, a, b *xsynctest.Client) {
	t.Helper()
	alice, bob = h.user(t, "alice"), h.user(t, "bob")
	a = h.login(t, alice, "a")
	b = h.login(t, bob, "b")
	return alice, bob, a, b
}

// pair is two users, each logged in once, with alice's second device.
type pair struct {
	h          *harness
	ua, ub     servertest.User
	alice, bob int64
	a, a2, b   *xsynctest.Client
}

func newPair(t *testing.T, h *harness) *pair {
	ua, ub := h.user(t, "alice"), h.user(t, "bob")
	p := &pair{h: h, ua: ua, ub: ub, alice: ua.ID, bob: ub.ID}
	p.a = h.login(t, ua, "a")
	p.a2 = h.login(t, ua, "a2")
	p.b = h.login(t, ub, "b")
	p.a.SyncAll(ua.ID) // DEVICE_ADDED of a2
	return p
}

// team is a group owned by owner with members bob and carol, each of the
// three logged in once.
type team struct {
	owner, bob, carol servertest.User
	gid               int64
	o, b, c           *xsynctest.Client
}

func newTeam(t *testing.T, h *harness) *team {
	t.Helper()
	tm := &team{owner: h.user(t, "owner"), bob: h.user(t, "bob"), carol: h.user(t, "carol")}
	tm.gid = h.group(t, tm.owner.ID, tm.bob.ID, tm.carol.ID)
	tm.o = h.login(t, tm.owner, "o")
	tm.b = h.login(t, tm.bob, "b")
	tm.c = h.login(t, tm.carol, "c")
	return tm
}

func (h *harness) updateMember(t *testing.T, gid, uid int64, p store.MemberPatch) {
	t.Helper()
	require.NoError(t, h.store().UpdateMember(context.Background(), gid, uid, p))
}

func ptr[T any](v T) *T { return &v }

func guid(name string, n int) string { return name + "_" + strconv.Itoa(n) }

// requireStatus fails unless st has the code and, if given, the reason.
func requireStatus(t *testing.T, st *xsync.Status, code xsync.StatusCode, reason ...string) {
	t.Helper()
	require.NotNil(t, st, "status must always be present")
	require.Equal(t, code, st.Code, "status %v", st)
	if len(reason) > 0 {
		require.Equal(t, reason[0], st.Reason)
	}
}

// sendTexts sends n texts from c to the user to, numbered after prefix,
// and returns their server ids in order.
func sendTexts(c *xsynctest.Client, to int64, prefix string, n int) []uint64 {
	mids := make([]uint64, 0, n)
	for i := range n {
		mids = append(mids, c.SendOK(xsynctest.Text(to, prefix+strconv.Itoa(i))).ServerMid)
	}
	return mids
}

// contents returns the text of each chat meta.
func contents(t *testing.T, ms []*xsync.Meta) []string {
	t.Helper()
	var out []string
	for _, m := range ms {
		out = append(out, xsynctest.Body(t, m).Content)
	}
	return out
}

// noFrame asserts that nothing arrives within d.
func noFrame(t *testing.T, c *xsynctest.Client, d time.Duration) {
	t.Helper()
	f, err := c.Next(d)
	require.True(t, xsynctest.IsTimeout(err), "unexpected frame %v (err %v)", f, err)
}
