//go:build !js

package integration

import (
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/native"
	"github.com/flooim/floo/server/servertest"
)

// isEvent returns a predicate matching events of type E.
func isEvent[E core.Event]() func(core.Event) bool {
	return func(ev core.Event) bool { _, ok := ev.(E); return ok }
}

// storeErrors counts the DbOperationFailed error events of c.
func storeErrors(c *client) int {
	n := 0
	for _, ev := range c.rec.events(0) {
		if e, ok := ev.(core.ErrorEvent); ok && core.IsCode(e.Err, core.DbOperationFailed) {
			n++
		}
	}
	return n
}

// TestLocalStoreRestart: alice's client receives three messages from bob,
// of which bob recalls one and edits another, and closes. Restarted on the
// same directory, with its dials held, the client shows the conversation,
// its unread count and last message, the edit and not the recalled
// message, before any connection exists; recentlistUpdate and
// onUnreadChange come before loginSuccess. Sync then corrects the state
// without changing what was right.
func TestLocalStoreRestart(t *testing.T) {
	env := startServer(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	dir := t.TempDir()
	a := newClient(t, env, clientOptions{dir: dir, localStore: true})
	b := newClient(t, env, clientOptions{})
	a.login(t, alice)
	b.login(t, bob)
	ctx := ctxFor(t)

	am := a.rec.mark()
	var sent []core.Message
	for _, s := range []string{"one", "two", "three"} {
		m, err := b.SendMessage(ctx, text(alice.ID, s))
		require.NoError(t, err)
		sent = append(sent, m)
		a.waitContent(t, am, bob.ID, s)
	}
	require.NoError(t, b.Recall(ctx, uint64(alice.ID), sent[0].ID))
	require.NoError(t, b.Replace(ctx, uint64(alice.ID), sent[1].ID, "two, edited", "", ""))
	a.rec.wait(t, am, "the recall", isEvent[core.MessageRecalled]())
	a.rec.wait(t, am, "the edit", isEvent[core.MessageReplaced]())
	conv := uint64(bob.ID)
	require.Equal(t, 2, a.UnreadCount(conv))
	a.Close()

	a2 := newClient(t, env, clientOptions{dir: dir, localStore: true, autoLogin: true, holdDial: true})
	a2.rec.wait(t, 0, "the stored conversation list", isEvent[core.RecentListUpdated]())
	a2.rec.wait(t, 0, "the stored unread count", func(ev core.Event) bool {
		u, ok := ev.(core.UnreadChanged)
		return ok && u.ConversationID == conv
	})
	assert.Zero(t, a2.dialer.dials.Load(), "no connection yet")
	assert.NotEqual(t, core.StateConnected, a2.State())
	checkRestored := func(c *client) {
		t.Helper()
		list := c.Conversations()
		require.Len(t, list, 1)
		assert.Equal(t, conv, list[0].ID)
		assert.Equal(t, core.ToRoster, list[0].Type)
		assert.Equal(t, "three", list[0].Content, "the last message")
		assert.Equal(t, 2, list[0].Unread)
		msgs := c.Messages(conv)
		require.Len(t, msgs, 2, "the recalled message stays gone")
		assert.Equal(t, sent[1].ID, msgs[0].ID)
		assert.Equal(t, "two, edited", msgs[0].Content)
		assert.NotZero(t, msgs[0].EditTimestamp)
		assert.Equal(t, "three", msgs[1].Content)
	}
	checkRestored(a2)

	a2.dialer.open()
	a2.rec.wait(t, 0, "the login", isEvent[core.LoginSuccess]())
	evs := a2.rec.events(0)
	first := func(pred func(core.Event) bool) int {
		for i, ev := range evs {
			if pred(ev) {
				return i
			}
		}
		return -1
	}
	li := first(isEvent[core.LoginSuccess]())
	assert.Less(t, first(isEvent[core.RecentListUpdated]()), li)
	assert.Less(t, first(isEvent[core.UnreadChanged]()), li)
	// A message sent meanwhile arrives by sync; what was stored stays.
	bm := a2.rec.mark()
	_, err := b.SendMessage(ctx, text(alice.ID, "four"))
	require.NoError(t, err)
	a2.waitContent(t, bm, bob.ID, "four")
	assert.Equal(t, 3, a2.UnreadCount(conv))
	assert.Equal(t, "four", a2.Conversations()[0].Content)
	assert.Len(t, a2.received(0, bob.ID), 1, "the stored messages are not delivered again")
	assert.Zero(t, storeErrors(a2))
}

// TestLocalStoreOutboxSurvivesRestart: a send written to the server whose
// ack was lost, and a send queued while the server could not be reached,
// both survive the end of the process and are sent by the next one with
// their client_mids: bob gets each exactly once.
func TestLocalStoreOutboxSurvivesRestart(t *testing.T) {
	env := startServer(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	dir := t.TempDir()
	a := newClient(t, env, clientOptions{dir: dir, localStore: true})
	b := newClient(t, env, clientOptions{})
	a.login(t, alice)
	b.login(t, bob)
	bm := b.rec.mark()

	// Written and stored by the server, but alice never reads the ack.
	a.dialer.dropInbound.Store(true)
	written, err := a.PostMessage(text(bob.ID, "written"))
	require.NoError(t, err)
	b.waitContent(t, bm, alice.ID, "written")
	a.Close()

	// The next process cannot connect: its send is only queued.
	a2 := newClient(t, env, clientOptions{dir: dir, localStore: true, autoLogin: true, holdDial: true})
	a2.rec.wait(t, 0, "the login start", func(ev core.Event) bool {
		s, ok := ev.(core.StateChanged)
		return ok && s.State == core.StateConnecting
	})
	queued, err := a2.PostMessage(text(bob.ID, "queued"))
	require.NoError(t, err)
	// The stored send joins the outbox when the store is read, which
	// happens beside the login: wait for it.
	var pending []uint64
	require.Eventually(t, func() bool {
		pending, err = a2.PendingSends(ctxFor(t))
		return err == nil && len(pending) == 2
	}, waitTimeout, 5*time.Millisecond)
	assert.Equal(t, []uint64{written, queued}, pending, "the stored send comes first")
	a2.Close()
	for _, ev := range a2.rec.events(0) {
		s, ok := ev.(core.SendingStatus)
		assert.False(t, ok && s.Status == core.SendStatusFailed, "a kept send is not reported failed: %+v", ev)
	}

	a3 := newClient(t, env, clientOptions{dir: dir, localStore: true, autoLogin: true})
	a3.rec.wait(t, 0, "the written send acknowledged", isSent(written))
	a3.rec.wait(t, 0, "the queued send acknowledged", isSent(queued))
	b.waitContent(t, bm, alice.ID, "queued")
	// One more round trip, so that a duplicate would have arrived.
	_, err = a3.SendMessage(ctxFor(t), text(bob.ID, "last"))
	require.NoError(t, err)
	b.waitContent(t, bm, alice.ID, "last")
	var got []string
	for _, m := range b.received(bm, alice.ID) {
		got = append(got, m.Content)
	}
	assert.Equal(t, []string{"written", "queued", "last"}, got, "each exactly once")
	pending, err = a3.PendingSends(ctxFor(t))
	require.NoError(t, err)
	assert.Empty(t, pending)
	a3.Close()

	// Nothing is sent again by a fourth start.
	recs, err := loadStore(t, dir, env, alice)
	require.NoError(t, err)
	for _, r := range recs {
		assert.NotEqual(t, core.StoreOutbox, r.Kind, "an acknowledged send left the store")
	}
}

func loadStore(t *testing.T, dir string, env *servertest.Env, u servertest.User) ([]core.StoreRecord, error) {
	s := native.NewSQLiteStore(filepath.Join(dir, "store.db"))
	defer s.Close()
	return s.Load(env.AppID + "/" + strconv.FormatInt(u.ID, 10))
}

// TestLocalStoreLogoutWipes: logout deletes the user's stored data, and
// another user of the same device and store starts from nothing.
func TestLocalStoreLogoutWipes(t *testing.T) {
	env := startServer(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	dir := t.TempDir()
	a := newClient(t, env, clientOptions{dir: dir, localStore: true})
	b := newClient(t, env, clientOptions{})
	a.login(t, alice)
	b.login(t, bob)
	am := a.rec.mark()
	_, err := b.SendMessage(ctxFor(t), text(alice.ID, "secret"))
	require.NoError(t, err)
	a.waitContent(t, am, bob.ID, "secret")
	a.Close()
	recs, err := loadStore(t, dir, env, alice)
	require.NoError(t, err)
	require.NotEmpty(t, recs)

	a2 := newClient(t, env, clientOptions{dir: dir, localStore: true, autoLogin: true})
	a2.rec.wait(t, 0, "the login", isEvent[core.LoginSuccess]())
	require.Len(t, a2.Conversations(), 1)
	_, err = a2.Logout(ctxFor(t), core.LogoutOptions{})
	require.NoError(t, err)
	a2.Close()
	recs, err = loadStore(t, dir, env, alice)
	require.NoError(t, err)
	assert.Empty(t, recs, "logout wiped alice's data")

	carol := env.NewUser(t, "carol")
	c := newClient(t, env, clientOptions{dir: dir, localStore: true})
	c.login(t, carol)
	assert.Empty(t, c.Conversations())
	assert.Empty(t, c.Messages(uint64(bob.ID)))
}

// TestLocalStoreUnusable: a store file that is not a database is set aside
// and replaced, a store of a newer schema version is left alone; each is
// reported once (an error event with DbOperationFailed) and the client
// works on.
func TestLocalStoreUnusable(t *testing.T) {
	env := startServer(t)
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	b := newClient(t, env, clientOptions{})
	b.login(t, bob)

	exchange := func(a *client) {
		t.Helper()
		bm, am := b.rec.mark(), a.rec.mark()
		_, err := a.SendMessage(ctxFor(t), text(bob.ID, "hi"))
		require.NoError(t, err)
		b.waitContent(t, bm, alice.ID, "hi")
		_, err = b.SendMessage(ctxFor(t), text(alice.ID, "hello"))
		require.NoError(t, err)
		a.waitContent(t, am, bob.ID, "hello")
	}

	t.Run("Corrupt", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "store.db")
		require.NoError(t, os.WriteFile(path, []byte("this is not an SQLite database, whatever it was"), 0o600))
		a := newClient(t, env, clientOptions{dir: dir, localStore: true})
		a.login(t, alice)
		exchange(a)
		ev := a.rec.wait(t, 0, "the report", func(ev core.Event) bool { _, ok := ev.(core.ErrorEvent); return ok })
		assert.True(t, core.IsCode(ev.(core.ErrorEvent).Err, core.DbOperationFailed), "%v", ev)
		assert.Contains(t, ev.(core.ErrorEvent).Err.Error(), "moved to")
		a.Close()
		assert.Equal(t, 1, storeErrors(a))
		aside, _ := filepath.Glob(path + ".corrupt-*")
		assert.Len(t, aside, 1, "the unreadable file is kept aside")
		// The new store works: the conversation was written.
		recs, err := loadStore(t, dir, env, alice)
		require.NoError(t, err)
		assert.NotEmpty(t, recs)
	})

	t.Run("NewerVersion", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "store.db")
		db, err := sql.Open("sqlite", path)
		require.NoError(t, err)
		_, err = db.Exec("PRAGMA user_version = 99")
		require.NoError(t, err)
		require.NoError(t, db.Close())
		a := newClient(t, env, clientOptions{dir: dir, localStore: true})
		a.login(t, alice)
		exchange(a)
		exchange(a)
		a.Close()
		assert.Equal(t, 1, storeErrors(a), "reported once")
		db, err = sql.Open("sqlite", path)
		require.NoError(t, err)
		defer db.Close()
		var v int
		require.NoError(t, db.QueryRow("PRAGMA user_version").Scan(&v))
		assert.Equal(t, 99, v, "the newer store is left untouched")
		var n int
		require.NoError(t, db.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&n))
		assert.Zero(t, n)
	})
}
