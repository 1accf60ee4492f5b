//go:build !js

package integration

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
)

// sendBurst posts n messages from c to peer in order ("<prefix>0000",
// "<prefix>0001"...), keeping at most window of them unacknowledged, and
// waits for every ack. It returns the acknowledged messages in send order.
func sendBurst(t testing.TB, c *client, peer int64, prefix string, n, window int) []core.Message {
	t.Helper()
	mark := c.rec.mark()
	cmids := make([]uint64, 0, n)
	for i := 0; i < n; i++ {
		if i >= window {
			// Wait for the ack of message i-window before posting more.
			c.rec.wait(t, mark, "ack", isSent(cmids[i-window]))
		}
		cmid, err := c.PostMessage(text(peer, fmt.Sprintf("%s%04d", prefix, i)))
		require.NoError(t, err)
		cmids = append(cmids, cmid)
	}
	want := make(map[uint64]bool, n)
	for _, id := range cmids {
		want[id] = true
	}
	evs := c.rec.waitN(t, mark, n, "acks", func(ev core.Event) bool {
		s, ok := ev.(core.SendingStatus)
		return ok && s.Status == core.SendStatusSent && want[s.Mid]
	})
	byMid := make(map[uint64]core.Message, n)
	for _, ev := range evs {
		s := ev.(core.SendingStatus)
		byMid[s.Mid] = *s.Message
	}
	out := make([]core.Message, n)
	for i, id := range cmids {
		out[i] = byMid[id]
	}
	return out
}

// TestOfflineSyncOfAThousandMessages: bob's device logs in after alice
// sent him 1,000 messages and receives each exactly once, in order.
func TestOfflineSyncOfAThousandMessages(t *testing.T) {
	const n = 1000
	env := startServer(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	// A device receives what arrived since it registered (PROTOCOL.md
	// §18.2 device cursor): bob's device registers, then goes away.
	before := newClient(t, env, clientOptions{})
	before.login(t, bob)
	require.NoError(t, before.Close())

	a := newClient(t, env, clientOptions{})
	a.login(t, alice)
	sent := sendBurst(t, a, bob.ID, "offline-", n, 100)
	for i := 1; i < n; i++ {
		require.Greater(t, sent[i].ID, sent[i-1].ID, "server ids follow the send order")
	}

	b := newClient(t, env, clientOptions{dir: before.dir})
	b.login(t, bob)
	assert.Equal(t, before.DeviceSN(), b.DeviceSN())
	b.rec.waitN(t, 0, n, "the offline messages", func(ev core.Event) bool {
		m, ok := messageOf(ev)
		return ok && m.From == uint64(alice.ID)
	})
	// A last message closes the stream: anything redelivered would come
	// before it, so counting after it proves there are no duplicates.
	if _, err := a.SendMessage(ctxFor(t), text(bob.ID, "sentinel")); err != nil {
		t.Fatal(err)
	}
	b.waitContent(t, 0, alice.ID, "sentinel")

	got := b.received(0, alice.ID)
	require.Len(t, got, n+1, "exactly %d messages and the sentinel", n)
	seen := make(map[uint64]bool, n)
	for i, m := range got[:n] {
		assert.Equal(t, fmt.Sprintf("offline-%04d", i), m.Content, "message %d out of order", i)
		assert.Equal(t, sent[i].ID, m.ID)
		assert.False(t, seen[m.ID], "duplicate id %d", m.ID)
		seen[m.ID] = true
	}
	assert.Equal(t, "sentinel", got[n].Content)
	// The cache keeps the newest messages of the conversation; the unread
	// count covers the whole burst (PROTOCOL.md §9.5).
	peer := uint64(alice.ID)
	cached := b.Messages(peer)
	require.Len(t, cached, core.DefaultMessageCacheSize)
	assert.Equal(t, "sentinel", cached[len(cached)-1].Content)
	assert.Equal(t, n+1, b.UnreadCount(peer))
	list := b.Conversations()
	require.NotEmpty(t, list)
	assert.Equal(t, peer, list[0].ID)
	assert.Equal(t, n+1, list[0].Unread)

	// Reading the conversation reads all of it, here and on the server:
	// a history page of the oldest messages shows them read and leaves the
	// count at zero.
	require.NoError(t, b.ReadAll(ctxFor(t), peer))
	assert.Zero(t, b.UnreadCount(peer))
	page, err := b.History(ctxFor(t), peer, sent[5].ID, 5)
	require.NoError(t, err)
	require.Len(t, page.Messages, 5)
	for _, m := range page.Messages {
		assert.Equal(t, core.MessageRead, m.Status, "message %s", m.Content)
	}
	assert.Zero(t, b.UnreadCount(peer))
}

// TestHistoryPaging walks a conversation's history backwards page by page.
func TestHistoryPaging(t *testing.T) {
	const n = 45
	env := startServer(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	a := newClient(t, env, clientOptions{})
	a.login(t, alice)
	sent := sendBurst(t, a, bob.ID, "h", n, n)

	b := newClient(t, env, clientOptions{})
	b.login(t, bob)
	var all []core.Message
	before, pages := uint64(0), 0
	for {
		mark := b.rec.mark()
		page, err := b.History(ctxFor(t), uint64(alice.ID), before, 20)
		require.NoError(t, err)
		pages++
		require.LessOrEqual(t, len(page.Messages), 20)
		for i := 1; i < len(page.Messages); i++ {
			assert.Less(t, page.Messages[i-1].ID, page.Messages[i].ID, "a page is oldest first")
		}
		for _, m := range page.Messages {
			assert.True(t, m.IsHistory)
		}
		ev := b.rec.wait(t, mark, "onReceiveHistoryMsg", func(ev core.Event) bool {
			_, ok := ev.(core.HistoryReceived)
			return ok
		}).(core.HistoryReceived)
		assert.Equal(t, page.Next, ev.Next)
		assert.Equal(t, uint64(alice.ID), ev.ConversationID)
		all = append(page.Messages, all...)
		if page.Next == 0 || len(page.Messages) == 0 {
			break
		}
		before = page.Next
		require.Less(t, pages, 10, "paging does not end")
	}
	require.Len(t, all, n)
	for i, m := range all {
		assert.Equal(t, fmt.Sprintf("h%04d", i), m.Content)
		assert.Equal(t, sent[i].ID, m.ID)
	}
	assert.GreaterOrEqual(t, pages, 3)

	// The first page is the newest one, also from the sender's side.
	page, err := a.History(ctxFor(t), uint64(bob.ID), 0, 5)
	require.NoError(t, err)
	require.Len(t, page.Messages, 5)
	assert.Equal(t, "h0044", page.Messages[4].Content)
	assert.NotZero(t, page.Next)
}

// TestSyncCoalescesUnreadAndListEvents: during an offline sync, each page
// raises one onUnreadChange for its conversation and one recentlistUpdate,
// after the page's messages, while the messages stay one event each, in
// order. Three senders send 101 messages each; the reference server pages
// a sync by 50 messages (server/fireplace syncPageSize), so each
// conversation comes in pages of 50, 50 and 1: three unread events per
// conversation, after its 50th, 100th and 101st message, where one event
// per message (303) was emitted before.
func TestSyncCoalescesUnreadAndListEvents(t *testing.T) {
	const n, pageSize = 101, 50
	env := startServer(t)
	bob := env.NewUser(t, "bob")
	before := newClient(t, env, clientOptions{})
	before.login(t, bob)
	require.NoError(t, before.Close())

	var senders []int64
	for _, name := range []string{"alice", "carol", "dave"} {
		u := env.NewUser(t, name)
		c := newClient(t, env, clientOptions{})
		c.login(t, u)
		sendBurst(t, c, bob.ID, name+"-", n, 100)
		senders = append(senders, u.ID)
	}

	b := newClient(t, env, clientOptions{dir: before.dir})
	b.login(t, bob)
	b.rec.waitN(t, 0, len(senders)*n, "the offline messages", func(ev core.Event) bool {
		m, ok := messageOf(ev)
		return ok && !m.IsHistory && m.From != uint64(bob.ID)
	})
	// The events of the last page follow its last message: a sentinel
	// from another sender, sent now, arrives after them.
	eve := env.NewUser(t, "eve")
	e := newClient(t, env, clientOptions{})
	e.login(t, eve)
	if _, err := e.SendMessage(ctxFor(t), text(bob.ID, "sentinel")); err != nil {
		t.Fatal(err)
	}
	b.waitContent(t, 0, eve.ID, "sentinel")

	msgs := map[uint64]int{}       // messages of each sender so far
	unreadAt := map[uint64][]int{} // per sender: its message count at each of its unread events
	recent, messages, firstMsg := 0, 0, -1
	sentinel := false // the list events after the sentinel are its own
	for i, ev := range b.rec.events(0) {
		switch ev := ev.(type) {
		case core.RosterMessage:
			from := ev.Message.From
			if from == uint64(eve.ID) {
				sentinel = true
				continue
			}
			if firstMsg < 0 {
				firstMsg = i
			}
			assert.Equal(t, fmt.Sprintf("%s%04d", map[uint64]string{uint64(senders[0]): "alice-", uint64(senders[1]): "carol-",
				uint64(senders[2]): "dave-"}[from], msgs[from]), ev.Message.Content, "messages stay one event each, in order")
			msgs[from]++
			messages++
		case core.UnreadChanged:
			if ev.ConversationID != uint64(eve.ID) {
				unreadAt[ev.ConversationID] = append(unreadAt[ev.ConversationID], msgs[ev.ConversationID])
			}
		case core.RecentListUpdated:
			if firstMsg >= 0 && !sentinel {
				recent++
			}
		}
	}
	assert.Equal(t, len(senders)*n, messages)
	for _, s := range senders {
		assert.Equal(t, []int{pageSize, 2 * pageSize, n}, unreadAt[uint64(s)],
			"one onUnreadChange per page of conversation %d, after the page's messages", s)
		assert.Equal(t, n, b.UnreadCount(uint64(s)))
	}
	pages := len(senders) * ((n + pageSize - 1) / pageSize)
	assert.LessOrEqual(t, recent, pages, "at most one recentlistUpdate per page")
	assert.GreaterOrEqual(t, recent, len(senders), "the list changed")
}
