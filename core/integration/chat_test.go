//go:build !js

package integration

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
)

func parseUint(t testing.TB, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	require.NoError(t, err)
	return v
}

func TestOneToOneBothWays(t *testing.T) {
	env := startServer(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	a, b := newClient(t, env, clientOptions{}), newClient(t, env, clientOptions{})
	a.login(t, alice)
	b.login(t, bob)

	aMark, bMark := a.rec.mark(), b.rec.mark()
	sent, err := a.SendMessage(ctxFor(t), core.Message{To: uint64(bob.ID), Content: "hi bob", Ext: `{"k":"v"}`})
	require.NoError(t, err)
	assert.NotZero(t, sent.ID)
	assert.NotZero(t, sent.Timestamp)
	got := b.waitContent(t, bMark, alice.ID, "hi bob")
	assert.Equal(t, sent.ID, got.ID, "the receiver sees the server id of the ack")
	assert.Equal(t, uint64(bob.ID), got.To)
	assert.Equal(t, core.ToRoster, got.ToType)
	assert.Equal(t, core.TypeText, got.Type)
	assert.Equal(t, `{"k":"v"}`, got.Ext)
	cached, ok := b.Message(uint64(alice.ID), got.ID)
	require.True(t, ok, "the message is in the receiver's store under the sender's conversation")
	assert.Equal(t, "hi bob", cached.Content)
	assert.Equal(t, 1, b.UnreadCount(uint64(alice.ID)))

	// The sender got its own confirmation events.
	a.rec.wait(t, aMark, "own send confirmed", func(ev core.Event) bool {
		s, ok := ev.(core.SendingStatus)
		return ok && s.Status == core.SendStatusSent && s.Message != nil && s.Message.ID == sent.ID
	})

	aMark = a.rec.mark()
	reply, err := b.SendMessage(ctxFor(t), text(alice.ID, "hi alice"))
	require.NoError(t, err)
	got = a.waitContent(t, aMark, bob.ID, "hi alice")
	assert.Equal(t, reply.ID, got.ID)
	assert.Greater(t, reply.ID, sent.ID, "ids grow within a conversation")
	assert.Equal(t, []string{"hi bob", "hi alice"}, contents(a.Messages(uint64(bob.ID))))
}

func contents(ms []core.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Content
	}
	return out
}

func TestGroupChatThreeClients(t *testing.T) {
	env := startServer(t)
	alice, bob, carol := env.NewUser(t, "alice"), env.NewUser(t, "bob"), env.NewUser(t, "carol")
	var info struct {
		GroupID int64 `json:"group_id"`
	}
	env.OK(t, "POST", "/group/create", alice.Token, map[string]any{"name": "trio", "user_list": []int64{bob.ID, carol.ID}}, &info)
	require.NotZero(t, info.GroupID)
	gid := uint64(info.GroupID)

	a, b, c := newClient(t, env, clientOptions{}), newClient(t, env, clientOptions{}), newClient(t, env, clientOptions{})
	a.login(t, alice)
	b.login(t, bob)
	c.login(t, carol)

	bMark, cMark := b.rec.mark(), c.rec.mark()
	sent, err := a.SendMessage(ctxFor(t), core.Message{To: gid, ToType: core.ToGroup, Content: "hello group"})
	require.NoError(t, err)
	for _, r := range []*client{b, c} {
		mark := bMark
		if r == c {
			mark = cMark
		}
		got := r.waitContent(t, mark, alice.ID, "hello group")
		assert.Equal(t, sent.ID, got.ID)
		assert.Equal(t, gid, got.To)
		assert.Equal(t, core.ToGroup, got.ToType)
		_, ok := r.Message(gid, got.ID)
		assert.True(t, ok, "filed under the group")
	}

	aMark, bMark := a.rec.mark(), b.rec.mark()
	reply, err := c.SendMessage(ctxFor(t), core.Message{To: gid, ToType: core.ToGroup, Content: "hi from carol", Config: `{"mentionList":[` + strconv.FormatInt(bob.ID, 10) + `]}`})
	require.NoError(t, err)
	assert.Equal(t, reply.ID, a.waitContent(t, aMark, carol.ID, "hi from carol").ID)
	assert.Equal(t, reply.ID, b.waitContent(t, bMark, carol.ID, "hi from carol").ID)
	b.rec.wait(t, bMark, "mention of bob", func(ev core.Event) bool {
		m, ok := ev.(core.MentionMessage)
		return ok && m.Message.ID == reply.ID
	})
	assert.Equal(t, []string{"hello group", "hi from carol"}, contents(b.Messages(gid)))
}

// TestMultiDevice logs alice in twice with separate storage: two devices
// of one user, each seeing what the other sends (PROTOCOL.md §14).
func TestMultiDevice(t *testing.T) {
	env := startServer(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	a1, a2, b := newClient(t, env, clientOptions{}), newClient(t, env, clientOptions{}), newClient(t, env, clientOptions{})
	a1.login(t, alice)
	a2.login(t, alice)
	b.login(t, bob)
	assert.NotEqual(t, a1.DeviceSN(), a2.DeviceSN())

	m1, m2 := a1.rec.mark(), a2.rec.mark()
	sent, err := b.SendMessage(ctxFor(t), text(alice.ID, "to both of you"))
	require.NoError(t, err)
	assert.Equal(t, sent.ID, a1.waitContent(t, m1, bob.ID, "to both of you").ID)
	assert.Equal(t, sent.ID, a2.waitContent(t, m2, bob.ID, "to both of you").ID)

	m2, bm := a2.rec.mark(), b.rec.mark()
	own, err := a1.SendMessage(ctxFor(t), text(bob.ID, "sent from device one"))
	require.NoError(t, err)
	assert.Equal(t, own.ID, b.waitContent(t, bm, alice.ID, "sent from device one").ID)
	got := a2.waitContent(t, m2, alice.ID, "sent from device one")
	assert.Equal(t, own.ID, got.ID)
	assert.Equal(t, uint64(bob.ID), got.To)
	_, ok := a2.Message(uint64(bob.ID), own.ID)
	assert.True(t, ok, "an own message from another device is filed under the peer")
	assert.Equal(t, 1, a2.UnreadCount(uint64(bob.ID)), "only bob's message is unread on device two")
}

func TestTypingIndicator(t *testing.T) {
	env := startServer(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	a, b := newClient(t, env, clientOptions{}), newClient(t, env, clientOptions{})
	a.login(t, alice)
	b.login(t, bob)

	mark := b.rec.mark()
	require.NoError(t, a.SendInputStatus(uint64(bob.ID), "typing"))
	ev := b.rec.wait(t, mark, "typing", func(ev core.Event) bool {
		_, ok := ev.(core.InputStatus)
		return ok
	}).(core.InputStatus)
	assert.Equal(t, uint64(alice.ID), ev.From)
	assert.Contains(t, ev.Ext, `"typing"`)

	require.NoError(t, a.SendInputStatus(uint64(bob.ID), "nothing"))
	b.rec.wait(t, mark, "typing stopped", func(ev core.Event) bool {
		s, ok := ev.(core.InputStatus)
		return ok && s.From == uint64(alice.ID) && strings.Contains(s.Ext, `"nothing"`)
	})
	// Indicators are not messages: nothing was stored or listed.
	assert.Empty(t, b.Messages(uint64(alice.ID)))
	for _, e := range b.rec.events(mark) {
		_, isMsg := messageOf(e)
		assert.False(t, isMsg, "typing must not surface as a message: %+v", e)
	}
}

// TestOperationsSeenByPeer covers APPEND, REPLACE, READ_ACK and RECALL
// between two clients.
func TestOperationsSeenByPeer(t *testing.T) {
	env := startServer(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	a, b := newClient(t, env, clientOptions{}), newClient(t, env, clientOptions{})
	a.login(t, alice)
	b.login(t, bob)
	peerA, peerB := uint64(alice.ID), uint64(bob.ID)

	bm := b.rec.mark()
	sent, err := a.SendMessage(ctxFor(t), core.Message{To: peerB, Content: "streaming", Config: `{"a":{"x":1}}`})
	require.NoError(t, err)
	b.waitContent(t, bm, alice.ID, "streaming")

	// APPEND: content grows, config is deep-merged.
	bm = b.rec.mark()
	require.NoError(t, a.AppendContent(ctxFor(t), peerB, sent.ID, " text", `{"a":{"y":2}}`, ""))
	app := b.rec.wait(t, bm, "append", func(ev core.Event) bool {
		_, ok := ev.(core.ContentAppended)
		return ok
	}).(core.ContentAppended)
	assert.Equal(t, sent.ID, app.Message.ID)
	assert.Equal(t, "streaming text", app.Message.Content)
	assert.JSONEq(t, `{"a":{"x":1,"y":2}}`, app.Message.Config)
	assert.Equal(t, " text", app.Message.AppendedContent)
	assert.Equal(t, core.EventRosterMessageContentAppend, app.EventName())
	own, _ := a.Message(peerB, sent.ID)
	assert.Equal(t, "streaming text", own.Content, "the sender applies its edit on the ack")

	// REPLACE: content replaced.
	bm = b.rec.mark()
	require.NoError(t, a.Replace(ctxFor(t), peerB, sent.ID, "final text", "", `{"edited":true}`))
	rep := b.rec.wait(t, bm, "replace", func(ev core.Event) bool {
		_, ok := ev.(core.MessageReplaced)
		return ok
	}).(core.MessageReplaced)
	assert.Equal(t, "final text", rep.Message.Content)
	assert.JSONEq(t, `{"edited":true}`, rep.Message.Ext)
	stored, ok := b.Message(peerA, sent.ID)
	require.True(t, ok)
	assert.Equal(t, "final text", stored.Content)
	assert.NotZero(t, stored.EditTimestamp)

	// READ_ACK: the sender sees its message read.
	am := a.rec.mark()
	require.NoError(t, b.ReadMessage(ctxFor(t), peerA, sent.ID))
	a.rec.wait(t, am, "read receipt", func(ev core.Event) bool {
		s, ok := ev.(core.MessageStatusChanged)
		return ok && s.UID == peerB && s.Mid == sent.ID
	})
	// The event carries no status and an earlier change of the same
	// message (the edit) may be the one that matched: wait for the status.
	require.Eventually(t, func() bool {
		own, ok = a.Message(peerB, sent.ID)
		return ok && own.Status == core.MessageRead
	}, waitTimeout, 5*time.Millisecond, "the sender's copy marked read")
	mine, _ := b.Message(peerA, sent.ID)
	assert.Equal(t, core.MessageRead, mine.Status)
	assert.Zero(t, b.UnreadCount(peerA))

	// RECALL: gone on both sides.
	bm = b.rec.mark()
	require.NoError(t, a.Recall(ctxFor(t), peerB, sent.ID))
	rec := b.rec.wait(t, bm, "recall", func(ev core.Event) bool {
		_, ok := ev.(core.MessageRecalled)
		return ok
	}).(core.MessageRecalled)
	assert.Equal(t, peerA, rec.UID)
	assert.Equal(t, sent.ID, rec.Mid)
	_, ok = b.Message(peerA, sent.ID)
	assert.False(t, ok)
	_, ok = a.Message(peerB, sent.ID)
	assert.False(t, ok)

	// A recalled message is also gone from history.
	page, err := b.History(ctxFor(t), peerA, 0, 20)
	require.NoError(t, err)
	for _, m := range page.Messages {
		assert.NotEqual(t, sent.ID, m.ID)
	}
}
