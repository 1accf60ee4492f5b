package integration

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/xsync"
)

// TestChatAcrossNodes: alice has a device on each node, bob is on node b
// and carol on node a. One-to-one messages both ways, alice's own message
// on her other device, typing, a read receipt, read sync between alice's
// devices, a recall, and a group created through node a whose messages go
// both ways.
func TestChatAcrossNodes(t *testing.T) {
	cl := startCluster(t)
	alice, bob, carol := cl.a.NewUser(t, "alice"), cl.b.NewUser(t, "bob"), cl.a.NewUser(t, "carol")
	a1, a2 := newClient(t, cl.a, ""), newClient(t, cl.b, "")
	b, c := newClient(t, cl.b, ""), newClient(t, cl.a, "")
	a1.login(t, alice)
	a2.login(t, alice)
	b.login(t, bob)
	c.login(t, carol)
	peerA, peerB := uint64(alice.ID), uint64(bob.ID)

	// a → b, and alice's device on b gets her own message.
	bm, a2m := b.rec.mark(), a2.rec.mark()
	sent, err := a1.SendMessage(ctxFor(t), text(bob.ID, "hello from node a"))
	require.NoError(t, err)
	assert.Equal(t, sent.ID, b.waitContent(t, bm, alice.ID, "hello from node a").ID)
	own := a2.waitContent(t, a2m, alice.ID, "hello from node a")
	assert.Equal(t, sent.ID, own.ID)
	assert.Equal(t, peerB, own.To)

	// b → a, to both of alice's devices.
	a1m, a2m := a1.rec.mark(), a2.rec.mark()
	reply, err := b.SendMessage(ctxFor(t), text(alice.ID, "hello from node b"))
	require.NoError(t, err)
	assert.Equal(t, reply.ID, a1.waitContent(t, a1m, bob.ID, "hello from node b").ID)
	assert.Equal(t, reply.ID, a2.waitContent(t, a2m, bob.ID, "hello from node b").ID)

	// Typing from b reaches alice on a (at most once, never stored).
	a1m = a1.rec.mark()
	require.NoError(t, b.SendInputStatus(peerA, "typing"))
	typing := a1.rec.wait(t, a1m, "typing from bob", func(ev core.Event) bool {
		s, ok := ev.(core.InputStatus)
		return ok && s.From == peerB
	}).(core.InputStatus)
	assert.Contains(t, typing.Ext, `"typing"`)

	// Bob reads alice's message on b: alice on a sees it read.
	a1m = a1.rec.mark()
	require.NoError(t, b.ReadMessage(ctxFor(t), peerA, sent.ID))
	a1.rec.wait(t, a1m, "read receipt", func(ev core.Event) bool {
		s, ok := ev.(core.MessageStatusChanged)
		return ok && s.UID == peerB && s.Mid == sent.ID
	})
	require.Eventually(t, func() bool {
		m, ok := a1.Message(peerB, sent.ID)
		return ok && m.Status == core.MessageRead
	}, waitTimeout, 5*time.Millisecond, "alice's copy marked read")

	// Alice reads bob's reply on her device on b: her device on a follows.
	require.Equal(t, 1, a1.UnreadCount(peerB))
	require.NoError(t, a2.ReadAll(ctxFor(t), peerB))
	require.Eventually(t, func() bool { return a1.UnreadCount(peerB) == 0 }, waitTimeout, 5*time.Millisecond,
		"read sync between alice's devices on two nodes")

	// Alice recalls on a: bob and her other device, both on b, see it.
	bm, a2m = b.rec.mark(), a2.rec.mark()
	require.NoError(t, a1.Recall(ctxFor(t), peerB, sent.ID))
	for _, r := range []struct {
		c    *client
		from int
	}{{b, bm}, {a2, a2m}} {
		r.c.rec.wait(t, r.from, "recall", func(ev core.Event) bool {
			e, ok := ev.(core.MessageRecalled)
			return ok && e.Mid == sent.ID
		})
	}

	// A group made through node a: bob on b hears of it; carol's message
	// from a reaches bob and alice on b, bob's from b reaches carol and
	// alice on a.
	bm = b.rec.mark()
	var info struct {
		GroupID int64 `json:"group_id"`
	}
	cl.a.OK(t, "POST", "/group/create", alice.Token, map[string]any{"name": "two nodes", "user_list": []int64{bob.ID, carol.ID}}, &info)
	require.NotZero(t, info.GroupID)
	gid := uint64(info.GroupID)
	b.rec.wait(t, bm, "the group notice on node b", func(ev core.Event) bool {
		e, ok := ev.(core.GroupNotice)
		return ok && e.Notice.Payload.Gid.UID == gid
	})

	bm, a2m = b.rec.mark(), a2.rec.mark()
	gm, err := c.SendMessage(ctxFor(t), core.Message{To: gid, ToType: core.ToGroup, Content: "carol on a"})
	require.NoError(t, err)
	got := b.waitContent(t, bm, carol.ID, "carol on a")
	assert.Equal(t, gm.ID, got.ID)
	assert.Equal(t, core.ToGroup, got.ToType)
	assert.Equal(t, gm.ID, a2.waitContent(t, a2m, carol.ID, "carol on a").ID)

	cm, a1m := c.rec.mark(), a1.rec.mark()
	gr, err := b.SendMessage(ctxFor(t), core.Message{To: gid, ToType: core.ToGroup, Content: "bob on b"})
	require.NoError(t, err)
	assert.Equal(t, gr.ID, c.waitContent(t, cm, bob.ID, "bob on b").ID)
	assert.Equal(t, gr.ID, a1.waitContent(t, a1m, bob.ID, "bob on b").ID)

}

// TestDevicesAcrossNodes: a copy of alice's installation logging in on node
// b kicks the one on node a (same device); the device list asked of either
// node shows the devices online on both; a kick and a token revocation
// made through node a end sessions on node b.
func TestDevicesAcrossNodes(t *testing.T) {
	cl := startCluster(t)
	alice, bob := cl.a.NewUser(t, "alice"), cl.a.NewUser(t, "bob")
	first := newClient(t, cl.a, "")
	first.login(t, alice)
	other := newClient(t, cl.a, "")
	other.login(t, alice)
	sn := first.DeviceSN()

	fm := first.rec.mark()
	second := newClient(t, cl.b, first.copyStorage(t))
	second.login(t, alice)
	assert.Equal(t, sn, second.DeviceSN(), "same device_guid, same deviceSN")
	kick := first.rec.wait(t, fm, "kick by same device", func(ev core.Event) bool {
		s, ok := ev.(core.SessionError)
		return ok && s.Err != nil && s.Err.Code == core.UserKickedBySameDevice
	}).(core.SessionError)
	assert.False(t, kick.Err.Temporary)
	first.rec.wait(t, fm, "the session ended", func(ev core.Event) bool {
		s, ok := ev.(core.StateChanged)
		return ok && s.State == core.StateIdle
	})

	// The second installation lives on, and gets what is sent from a,
	// and so does alice's other device.
	b := newClient(t, cl.a, "")
	b.login(t, bob)
	sm, om := second.rec.mark(), other.rec.mark()
	_, err := b.SendMessage(ctxFor(t), text(alice.ID, "who is there?"))
	require.NoError(t, err)
	second.waitContent(t, sm, bob.ID, "who is there?")
	other.waitContent(t, om, bob.ID, "who is there?")

	// Presence across nodes: node a reports the device live on node b.
	online := func(env interface {
		OK(testing.TB, string, string, string, any, any)
	}) []uint32 {
		var devs []struct {
			DeviceSN uint32 `json:"device_sn"`
			Online   bool   `json:"online"`
		}
		env.OK(t, "GET", "/user/device/list", alice.Token, nil, &devs)
		var out []uint32
		for _, d := range devs {
			if d.Online {
				out = append(out, d.DeviceSN)
			}
		}
		slices.Sort(out)
		return out
	}
	want := []uint32{min(sn, other.DeviceSN()), max(sn, other.DeviceSN())}
	assert.Equal(t, want, online(cl.a))
	assert.Equal(t, want, online(cl.b))

	// /user/kick through node a ends the session on node b.
	sm = second.rec.mark()
	var ok json.RawMessage
	cl.a.OK(t, "POST", "/user/kick", alice.Token, map[string]any{"device_sn": sn}, &ok)
	second.rec.wait(t, sm, "kicked through the other node", func(ev core.Event) bool {
		s, ok := ev.(core.SessionError)
		return ok && s.Err != nil && !s.Err.Temporary
	})

	// POST /token/revoke through node a ends a session on node b with
	// INVALID_TOKEN.
	td := cl.b.Login(t, "bob", bob.Password, "bob-tablet")
	raw := xsynctest.Dial(t, cl.b.URL)
	raw.Login(t, td.Token, bob.ID, 0, "bob-tablet")
	cl.a.OK(t, "POST", "/token/revoke", td.Token, nil, nil)
	f, err := raw.Take(waitTimeout, func(f *xsync.Frame) bool {
		if f.Command != xsync.CommandUnread {
			return false
		}
		dl, err := f.UnreadDL()
		return err == nil && dl.Status != nil && dl.Status.Code != xsync.StatusOK
	})
	require.NoError(t, err, "no INVALID_TOKEN on node b")
	dl, _ := f.UnreadDL()
	assert.Equal(t, xsync.StatusInvalidToken, dl.Status.Code)
	_, err = raw.WaitClosed(waitTimeout)
	require.NoError(t, err)
}

// TestNATSRestart: with NATS down, messages are still accepted and stored
// on node a; once NATS is back on the same port, the recipient on node b
// gets every one of them, in order and once, and the bus carries new
// messages again.
func TestNATSRestart(t *testing.T) {
	cl := startCluster(t)
	alice, bob := cl.a.NewUser(t, "alice"), cl.b.NewUser(t, "bob")
	a, b := newClient(t, cl.a, ""), newClient(t, cl.b, "")
	a.login(t, alice)
	b.login(t, bob)

	bm := b.rec.mark()
	_, err := a.SendMessage(ctxFor(t), text(bob.ID, "before"))
	require.NoError(t, err)
	b.waitContent(t, bm, alice.ID, "before")

	health(t, cl.a, http.StatusOK, "ok")
	cl.nats.Stop()
	health(t, cl.a, http.StatusServiceUnavailable, "error")
	var want []string
	for i := range 5 {
		s := "during " + strconv.Itoa(i)
		want = append(want, s)
		_, err := a.SendMessage(ctxFor(t), text(bob.ID, s))
		require.NoError(t, err, "sends do not need the bus")
	}
	cl.nats.Restart(t)
	b.waitContent(t, bm, alice.ID, want[len(want)-1])
	health(t, cl.a, http.StatusOK, "ok")

	_, err = a.SendMessage(ctxFor(t), text(bob.ID, "after"))
	require.NoError(t, err)
	b.waitContent(t, bm, alice.ID, "after")
	assert.Equal(t, append(append([]string{"before"}, want...), "after"), b.contents(bm, alice.ID),
		"every message once, in order")
}

// health waits until the node's GET /api/health answers code with the
// bus in state bus (a check's result is reused for a second).
func health(t *testing.T, env *servertest.Env, code int, bus string) {
	t.Helper()
	last := "no answer"
	for deadline := time.Now().Add(waitTimeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		res, err := http.Get(env.URL + "/api/health")
		if err != nil {
			last = err.Error()
			continue
		}
		var body struct {
			Bus struct {
				Status string `json:"status"`
			} `json:"bus"`
		}
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if err != nil {
			last = err.Error()
			continue
		}
		if res.StatusCode == code && body.Bus.Status == bus {
			return
		}
		last = strconv.Itoa(res.StatusCode) + ", bus " + body.Bus.Status
	}
	t.Fatalf("health: want %d with bus %s, last got %s", code, bus, last)
}
