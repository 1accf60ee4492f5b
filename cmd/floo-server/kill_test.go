//go:build unix

package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/native"
	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/bus/natstest"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/server/store/postgres/pgtest"
)

// The backoff of the clients of TestKillMovesClientsToAnotherNode: the
// SDK's algorithm (first retry at once, then a random wait between Min
// and a ceiling doubling up to Max; the next host after 5 failed attempts
// on one, PROTOCOL.md §4.2, §5) on a scale a quarter of the default
// (1 s, 10 s), where the move after a kill takes 0 + 1 + [1,2] + [1,4] +
// [1,8] s (the first attempt on the next host is immediate): 4–15 s,
// about 9.5 s on average. Here it is 1–3.75 s.
const (
	killReconnectMin = 250 * time.Millisecond
	killReconnectMax = 2 * time.Second
)

// conversation is one chat of the kill test: its id in the payloads, its
// members (names), and the group id when it is a group (0: one-to-one).
type conversation struct {
	id      string
	members []string
	gid     uint64
}

// flowKey is one sender's messages in one conversation.
type flowKey struct{ conv, from string }

// sendKey is one send of one client: client_mids are unique per device.
type sendKey struct {
	from string
	cmid uint64
}

// killLedger records what every client posted and received. Payloads are
// "kill/<conversation>/<sender>/<seq>", seq counting from 1 per flow.
type killLedger struct {
	mu       sync.Mutex
	posted   map[flowKey]int              // highest seq posted
	postErrs []string                     // PostMessage refused
	status   map[sendKey]string           // "sent" or "failed: why"
	cmids    map[flowKey][]uint64         // in posting order
	got      map[string]map[flowKey][]int // receiver → flow → seqs in arrival order
	misfiled []string                     // a payload under the wrong kind or conversation
	convs    map[string]conversation      // by id
	uids     map[string]uint64            // by name
	relogin  map[string]time.Time         // by name: the last LoginSuccess of a reconnect
}

func newKillLedger(convs []conversation, uids map[string]uint64) *killLedger {
	l := &killLedger{posted: map[flowKey]int{}, status: map[sendKey]string{}, cmids: map[flowKey][]uint64{},
		got: map[string]map[flowKey][]int{}, convs: map[string]conversation{}, uids: uids,
		relogin: map[string]time.Time{}}
	for _, c := range convs {
		l.convs[c.id] = c
	}
	return l
}

// post sends the next message of from in conv through c.
func (l *killLedger) post(c *core.Client, from string, conv conversation) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := flowKey{conv.id, from}
	seq := l.posted[k] + 1
	m := core.Message{Content: "kill/" + conv.id + "/" + from + "/" + strconv.Itoa(seq)}
	if conv.gid != 0 {
		m.To, m.ToType = conv.gid, core.ToGroup
	} else {
		for _, name := range conv.members {
			if name != from {
				m.To = l.uids[name]
			}
		}
	}
	// Under l.mu, so that the flow's cmids are in posting order.
	cmid, err := c.PostMessage(m)
	if err != nil {
		l.postErrs = append(l.postErrs, from+" "+m.Content+": "+err.Error())
		return
	}
	l.posted[k] = seq
	l.cmids[k] = append(l.cmids[k], cmid)
}

// event records what client name (uid self) raised.
func (l *killLedger) event(name string, self uint64, ev core.Event) {
	var m core.Message
	group := false
	switch e := ev.(type) {
	case core.LoginSuccess:
		if e.Reconnect {
			l.mu.Lock()
			l.relogin[name] = time.Now()
			l.mu.Unlock()
		}
		return
	case core.SendingStatus:
		st := e.Status
		if st != core.SendStatusSent && st != core.SendStatusFailed {
			return
		}
		if st == core.SendStatusFailed {
			st += ": " + strconv.Itoa(e.ErrorCode) + " " + e.ErrorReason
		}
		l.mu.Lock()
		if _, seen := l.status[sendKey{name, e.Mid}]; !seen {
			l.status[sendKey{name, e.Mid}] = st
		}
		l.mu.Unlock()
		return
	case core.RosterMessage:
		m = e.Message
	case core.GroupMessage:
		m, group = e.Message, true
	default:
		return
	}
	// A sender gets its own message back once it is stored.
	if m.IsHistory || m.From == self || !strings.HasPrefix(m.Content, "kill/") {
		return
	}
	parts := strings.Split(m.Content, "/")
	seq, err := strconv.Atoi(parts[len(parts)-1])
	l.mu.Lock()
	defer l.mu.Unlock()
	conv, ok := l.convs[parts[1]]
	if len(parts) != 4 || err != nil || !ok || (conv.gid != 0) != group || (group && m.To != conv.gid) ||
		m.From != l.uids[parts[2]] {
		l.misfiled = append(l.misfiled, name+" got "+m.Content)
		return
	}
	if l.got[name] == nil {
		l.got[name] = map[flowKey][]int{}
	}
	k := flowKey{conv.id, parts[2]}
	l.got[name][k] = append(l.got[name][k], seq)
}

// problems lists what is not yet as it must end: every post accepted and
// acknowledged as sent, and every other member of its conversation
// having received it exactly once, in order. final says the run is over:
// then a missing status or delivery is a problem too, not just pending.
func (l *killLedger) problems(final bool) (pending int, probs []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	probs = append(probs, l.postErrs...)
	probs = append(probs, l.misfiled...)
	for k, cmids := range l.cmids {
		for i, cmid := range cmids {
			switch st := l.status[sendKey{k.from, cmid}]; {
			case st == "":
				pending++
				if final {
					probs = append(probs, fmt.Sprintf("%s/%s #%d: no sent or failed", k.conv, k.from, i+1))
				}
			case st != core.SendStatusSent:
				probs = append(probs, fmt.Sprintf("%s/%s #%d: %s", k.conv, k.from, i+1, st))
			}
		}
	}
	for k, n := range l.posted {
		for _, to := range l.convs[k.conv].members {
			if to == k.from {
				continue
			}
			got := l.got[to][k]
			// got must be 1, 2, …: a prefix now, all n at the end.
			for i, seq := range got {
				if seq != i+1 {
					probs = append(probs, fmt.Sprintf("%s/%s to %s: delivered %v (lost, duplicated or reordered)", k.conv, k.from, to, got))
					break
				}
			}
			if len(got) > n {
				probs = append(probs, fmt.Sprintf("%s/%s to %s: %d deliveries of %d posts", k.conv, k.from, to, len(got), n))
			}
			if len(got) < n {
				pending += n - len(got)
				if final {
					probs = append(probs, fmt.Sprintf("%s/%s to %s: %d of %d delivered", k.conv, k.from, to, len(got), n))
				}
			}
		}
	}
	slices.Sort(probs)
	return pending, probs
}

// unacked is the number of posts of from without a status yet.
func (l *killLedger) unacked(from string) (n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, cmids := range l.cmids {
		for _, cmid := range cmids {
			if _, ok := l.status[sendKey{k.from, cmid}]; k.from == from && !ok {
				n++
			}
		}
	}
	return n
}

// delivered is the number of deliveries so far.
func (l *killLedger) delivered() (n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, flows := range l.got {
		for _, seqs := range flows {
			n += len(seqs)
		}
	}
	return n
}

// killClient logs name in with the SDK on the native transports through
// the DNS of the node at base, with the backoff above, reporting to l.
func killClient(t *testing.T, base string, u servertest.User, l *killLedger) (*core.Client, *urlDialer, *events) {
	t.Helper()
	d := &urlDialer{}
	evs := &events{}
	cfg, err := native.Defaults(core.Config{
		AppID:          "welovemaxim",
		DNSServer:      base + "/v2/app_dns",
		LogLevel:       core.LogInfo,
		Logger:         namedLog{t, u.Name},
		RequestTimeout: 10 * time.Second,
		ReconnectMin:   killReconnectMin,
		ReconnectMax:   killReconnectMax,
		Dialer:         d,
	}, t.TempDir())
	require.NoError(t, err)
	c, err := core.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	self := uint64(u.ID)
	c.OnEvent(func(ev core.Event) {
		evs.add(ev)
		if l != nil {
			l.event(u.Name, self, ev)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, c.Login(ctx, u.Name, u.Password))
	return c, d, evs
}

type namedLog struct {
	t    *testing.T
	name string
}

func (l namedLog) Log(level core.LogLevel, msg string) {
	l.t.Logf("%s %s [%s] %s", time.Now().Format("15:04:05.000"), l.name, level, msg)
}

// TestKillMovesClientsToAnotherNode runs two real floo-server processes on
// one PostgreSQL database and one NATS server (embedded in this process),
// with -peers naming both. alice and carol log in through node A, bob and
// dave through node B (each node's DNS reply lists itself first); they
// exchange a steady stream of messages, one-to-one across the nodes
// (alice–bob, carol–dave), one-to-one on A (alice–carol) and in a group
// of the four, each client posting every 100 ms. Node A is killed with
// SIGKILL mid-stream: alice and carol must fail five times on A and then
// log in again on B (the next host of their DNS reply, PROTOCOL.md §4.2),
// the traffic goes on, and in the end every post is acknowledged as sent
// and every message reaches every other member of its conversation
// exactly once and in order, whatever was in flight or queued in the
// outbox when A died. Then A starts again on the same address and a new
// client uses it to chat with alice, who is now on B.
//
// What bounds the run: the move takes 1.25–5.75 s with the clients'
// backoff (killReconnectMin, killReconnectMax); the traffic runs 2 s
// before the kill and 2 s after the last move; the final wait for acks
// and deliveries is bounded at 30 s.
func TestKillMovesClientsToAnotherNode(t *testing.T) {
	t0 := time.Now()
	dbURL := pgtest.NewDatabase(t)
	nats := natstest.Start(t)
	files := t.TempDir()
	addrA, addrB := freeAddr(t), freeAddr(t)
	baseA, baseB := "http://"+addrA, "http://"+addrB
	wsA, wsB := "ws://"+addrA, "ws://"+addrB
	start := func(addr string) *serverProcess {
		return startServerProcess(t, "-addr", addr, "-data", t.TempDir(), "-db", dbURL, "-bus", nats.URL,
			"-files", files, "-peers", baseA+","+baseB)
	}
	a := start(addrA)
	start(addrB)

	// Accounts and the group are made through an in-process node on the
	// same database, with bcrypt at its minimum cost: setup, not under
	// test, and much faster than the processes' default cost.
	setup := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.Database = dbURL }))
	users := map[string]servertest.User{}
	uids := map[string]uint64{}
	for _, name := range []string{"alice", "bob", "carol", "dave", "erin"} {
		users[name] = setup.NewUser(t, name)
		uids[name] = uint64(users[name].ID)
	}
	var group struct {
		GroupID int64 `json:"group_id"`
	}
	setup.OK(t, "POST", "/group/create", users["alice"].Token, map[string]any{"name": "four",
		"user_list": []int64{users["bob"].ID, users["carol"].ID, users["dave"].ID}}, &group)
	require.NotZero(t, group.GroupID)
	convs := []conversation{
		{id: "ab", members: []string{"alice", "bob"}},
		{id: "cd", members: []string{"carol", "dave"}},
		{id: "ac", members: []string{"alice", "carol"}},
		{id: "g", members: []string{"alice", "bob", "carol", "dave"}, gid: uint64(group.GroupID)},
	}
	l := newKillLedger(convs, uids)

	type member struct {
		name   string
		c      *core.Client
		dialer *urlDialer
		evs    *events
		convs  []conversation
	}
	var members []*member
	for _, name := range []string{"alice", "carol", "bob", "dave"} {
		base := baseA
		if name == "bob" || name == "dave" {
			base = baseB
		}
		c, d, evs := killClient(t, base, users[name], l)
		m := &member{name: name, c: c, dialer: d, evs: evs}
		for _, cv := range convs {
			if slices.Contains(cv.members, name) {
				m.convs = append(m.convs, cv)
			}
		}
		members = append(members, m)
	}
	onA := members[:2]
	for _, m := range onA {
		require.Equal(t, []string{wsA}, m.dialer.dials(), "%s logged in on A", m.name)
		require.True(t, onlineOn(t, baseA, users[m.name].Token))
	}
	t.Logf("setup done in %v", time.Since(t0).Round(time.Millisecond))

	// The traffic: each client posts to its conversations in turn.
	stop := make(chan struct{})
	var traffic sync.WaitGroup
	for _, m := range members {
		traffic.Add(1)
		go func() {
			defer traffic.Done()
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				l.post(m.c, m.name, m.convs[i%len(m.convs)])
			}
		}()
	}
	stopTraffic := sync.OnceFunc(func() {
		close(stop)
		traffic.Wait()
	})
	t.Cleanup(stopTraffic)

	time.Sleep(2 * time.Second)
	require.NotZero(t, l.delivered(), "messages flow before the kill")
	marks := make([]int, len(onA))
	for i, m := range onA {
		marks[i] = m.evs.mark()
	}
	killedAt := time.Now()
	require.NoError(t, a.cmd.Process.Kill())
	require.Error(t, a.wait(t), "A was killed")
	deliveredAtKill := l.delivered()
	t.Logf("A killed: %d deliveries so far; alice had %d posts unacknowledged, carol %d",
		deliveredAtKill, l.unacked("alice"), l.unacked("carol"))

	for i, m := range onA {
		m.evs.wait(t, marks[i], m.name+" logged in again", func(ev core.Event) bool {
			ls, ok := ev.(core.LoginSuccess)
			return ok && ls.Reconnect
		})
		l.mu.Lock()
		t.Logf("%s logged in on B %v after the kill", m.name, l.relogin[m.name].Sub(killedAt).Round(time.Millisecond))
		l.mu.Unlock()
		dials := m.dialer.dials()
		assert.Equal(t, []string{wsA, wsA, wsA, wsA, wsA, wsA, wsB}, dials,
			"%s: the login on A, five failed attempts on A, then B", m.name)
		assert.True(t, onlineOn(t, baseB, users[m.name].Token), "%s is online on B", m.name)
	}
	// The REST client leaves A with the socket, rather than after five
	// failed calls of its own there.
	for _, m := range onA {
		ratel, _, _ := m.c.Servers()
		assert.Equal(t, baseB, ratel, "%s: REST moved to B with the socket", m.name)
	}
	time.Sleep(2 * time.Second)
	stopTraffic()
	stoppedAt := time.Now()
	t.Logf("traffic stopped: %d deliveries by now", l.delivered())

	deadline := stoppedAt.Add(30 * time.Second)
	for {
		pending, probs := l.problems(false)
		require.Empty(t, probs)
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			_, probs = l.problems(true)
			t.Fatalf("30 s after the traffic stopped, %d acks or deliveries are missing:\n%s", pending, strings.Join(probs, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	l.mu.Lock()
	for _, cv := range convs {
		for _, from := range cv.members {
			k := flowKey{cv.id, from}
			// Messages were posted before the kill, while A was down and
			// after the move.
			assert.Greater(t, l.posted[k], 5, "%s/%s", cv.id, from)
		}
	}
	l.mu.Unlock()
	_, probs := l.problems(true)
	require.Empty(t, probs)
	l.mu.Lock()
	posts := 0
	for _, n := range l.posted {
		posts += n
	}
	l.mu.Unlock()
	t.Logf("%d posts, %d deliveries, all acknowledged and delivered exactly once in order %v after the traffic stopped",
		posts, l.delivered(), time.Since(stoppedAt).Round(time.Millisecond))

	// A again, on the same address: a new client logs in through it and
	// chats with alice, who stays on B.
	start(addrA)
	erin, erinDialer, erinEvs := killClient(t, baseA, users["erin"], nil)
	assert.Equal(t, []string{wsA}, erinDialer.dials(), "erin logged in on A")
	alice := members[0]
	aliceMark, erinMark := alice.evs.mark(), erinEvs.mark()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := erin.SendMessage(ctx, core.Message{To: uids["alice"], Content: "from the restarted node"})
	require.NoError(t, err)
	alice.evs.wait(t, aliceMark, "alice receives erin's message", func(ev core.Event) bool {
		m, ok := ev.(core.RosterMessage)
		return ok && m.Message.From == uids["erin"] && m.Message.Content == "from the restarted node"
	})
	_, err = alice.c.SendMessage(ctx, core.Message{To: uids["erin"], Content: "back to the restarted node"})
	require.NoError(t, err)
	erinEvs.wait(t, erinMark, "erin receives alice's reply", func(ev core.Event) bool {
		m, ok := ev.(core.RosterMessage)
		return ok && m.Message.From == uids["alice"] && m.Message.Content == "back to the restarted node"
	})
	assert.Equal(t, wsB, alice.dialer.dials()[len(alice.dialer.dials())-1], "alice stays on B")
	t.Logf("done in %v", time.Since(t0).Round(time.Millisecond))
}

// TestKillLedger checks the ledger's verdicts on made-up histories: what
// the kill test calls lost, duplicated, reordered or failed.
func TestKillLedger(t *testing.T) {
	convs := []conversation{{id: "ab", members: []string{"a", "b"}}, {id: "g", members: []string{"a", "b", "c"}, gid: 50}}
	uids := map[string]uint64{"a": 1, "b": 2, "c": 3}
	msg := func(from uint64, to uint64, content string) core.Message {
		return core.Message{From: from, To: to, Content: content}
	}
	// Side a posted two messages in each conversation, all sent.
	history := func() *killLedger {
		l := newKillLedger(convs, uids)
		for i, k := range []flowKey{{"ab", "a"}, {"g", "a"}} {
			l.posted[k] = 2
			l.cmids[k] = []uint64{uint64(10*i + 1), uint64(10*i + 2)}
			for _, cmid := range l.cmids[k] {
				l.event("a", 1, core.SendingStatus{Status: core.SendStatusSent, Mid: cmid})
			}
		}
		return l
	}
	deliver := func(l *killLedger, seqs map[string][]int) {
		for _, to := range []string{"b", "c"} {
			for _, s := range seqs[to] {
				l.event(to, uids[to], core.GroupMessage{Message: msg(1, 50, "kill/g/a/"+strconv.Itoa(s))})
			}
		}
		for _, s := range seqs["b-ab"] {
			l.event("b", 2, core.RosterMessage{Message: msg(1, 2, "kill/ab/a/"+strconv.Itoa(s))})
		}
	}

	l := history()
	deliver(l, map[string][]int{"b": {1, 2}, "c": {1, 2}, "b-ab": {1, 2}})
	pending, probs := l.problems(true)
	assert.Zero(t, pending)
	assert.Empty(t, probs, "everything delivered once, in order")

	l = history()
	deliver(l, map[string][]int{"b": {1, 2}, "c": {1}, "b-ab": {1, 2}})
	pending, probs = l.problems(false)
	assert.Equal(t, 1, pending)
	assert.Empty(t, probs, "a missing delivery is pending until the end")
	_, probs = l.problems(true)
	assert.Equal(t, []string{"g/a to c: 1 of 2 delivered"}, probs)

	for name, seqs := range map[string]map[string][]int{
		"duplicate": {"b": {1, 2}, "c": {1, 1, 2}, "b-ab": {1, 2}},
		"reordered": {"b": {2, 1}, "c": {1, 2}, "b-ab": {1, 2}},
		"gap":       {"b": {1, 2}, "c": {1, 2}, "b-ab": {2}},
	} {
		l = history()
		deliver(l, seqs)
		_, probs = l.problems(false)
		assert.NotEmpty(t, probs, name)
	}

	l = history()
	deliver(l, map[string][]int{"b": {1, 2}, "c": {1, 2}, "b-ab": {1, 2}})
	l.event("b", 2, core.GroupMessage{Message: msg(1, 2, "kill/ab/a/3")})
	_, probs = l.problems(false)
	assert.Equal(t, []string{"b got kill/ab/a/3"}, probs, "a one-to-one payload as a group message")

	l = history()
	l.status[sendKey{"a", 2}] = "failed: 500 boom"
	deliver(l, map[string][]int{"b": {1, 2}, "c": {1, 2}, "b-ab": {1, 2}})
	_, probs = l.problems(false)
	assert.Equal(t, []string{"ab/a #2: failed: 500 boom"}, probs)

	l = history()
	delete(l.status, sendKey{"a", 12})
	deliver(l, map[string][]int{"b": {1, 2}, "c": {1, 2}, "b-ab": {1, 2}})
	_, probs = l.problems(true)
	assert.Equal(t, []string{"g/a #2: no sent or failed"}, probs)
}
