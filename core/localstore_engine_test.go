package core

import (
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingStore is a MemoryStore that counts its batches and can fail.
type countingStore struct {
	*MemoryStore
	mu      sync.Mutex
	applies int   // guarded by mu
	fail    error // guarded by mu; returned by Apply when set
	loadErr error // returned by Load when set
}

func (s *countingStore) Apply(user string, b *StoreBatch) error {
	s.mu.Lock()
	s.applies++
	err := s.fail
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.MemoryStore.Apply(user, b)
}

func (s *countingStore) Load(user string) ([]StoreRecord, error) {
	if s.loadErr != nil {
		return nil, s.loadErr
	}
	return s.MemoryStore.Load(user)
}

func (s *countingStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.applies
}

func withStore(st LocalStore) func(*Config) {
	return func(c *Config) { c.LocalStore = st }
}

func storeErrorEvents(r *recorder) int {
	n := 0
	for _, ev := range r.all() {
		if e, ok := ev.(ErrorEvent); ok && IsCode(e.Err, DbOperationFailed) {
			n++
		}
	}
	return n
}

// TestLocalStoreTwoUsersOneDevice: two users of one device and one store
// each find their own conversations, drafts and unread counts, and only
// those.
func TestLocalStoreTwoUsersOneDevice(t *testing.T) {
	srv := newFakeServer(t)
	tokA, tokB := srv.AddUser(1, "alice", "pw"), srv.AddUser(2, "bob", "pw")
	srv.AddUser(3, "carol", "pw")
	st := NewMemoryStore()
	storage := NewMemoryStorage()

	c, rec := newTestClient(t, srv, storage, withStore(st))
	loginAs(t, c, 1, tokA)
	srv.SendText(3, 1, "for alice")
	rec.wait(t, "alice's message", func(ev Event) bool { _, ok := ev.(RosterMessage); return ok })
	c.SaveDraft(3, ToRoster, "alice's draft", 5)
	require.NoError(t, c.Close())

	c, rec = newTestClient(t, srv, storage, withStore(st))
	loginAs(t, c, 2, tokB)
	assert.Empty(t, c.Conversations(), "bob does not see alice's list")
	assert.Zero(t, c.UnreadCount(3))
	srv.SendText(3, 2, "for bob")
	rec.wait(t, "bob's message", func(ev Event) bool { _, ok := ev.(RosterMessage); return ok })
	require.NoError(t, c.Close())
	assert.ElementsMatch(t, []string{fakeAppID + "/1", fakeAppID + "/2"}, st.Users())

	c, _ = newTestClient(t, srv, storage, withStore(st))
	loginAs(t, c, 1, tokA)
	list := c.Conversations()
	require.Len(t, list, 1)
	assert.Equal(t, "for alice", list[0].Content)
	assert.Equal(t, "alice's draft", list[0].Draft)
	assert.Equal(t, 1, list[0].Unread)
	msgs := c.Messages(3)
	require.Len(t, msgs, 1)
	assert.Equal(t, "for alice", msgs[0].Content)
}

// TestLocalStoreBatches: a sync burst is written in a few transactions,
// not one per message.
func TestLocalStoreBatches(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1, "alice", "pw")
	srv.AddUser(3, "carol", "pw")
	st := &countingStore{MemoryStore: NewMemoryStore()}
	c, rec := newTestClient(t, srv, nil, withStore(st))
	loginAs(t, c, 1, tok)
	c.Disconnect()
	waitState(t, c, StateDisconnected)
	const n = 200
	for i := range n {
		srv.SendText(3, 1, "m"+strconv.Itoa(i))
	}
	before := st.count()
	c.Reconnect()
	eventually(t, func() bool { return len(msgEvents(rec)) == n }, "the burst")
	require.NoError(t, c.Close())
	writes := st.count() - before
	assert.LessOrEqual(t, writes, 2*(n/srv.PageSize+2), "about one transaction per sync page")
	recs, err := st.Load(fakeAppID + "/1")
	require.NoError(t, err)
	kept := 0
	for _, r := range recs {
		if r.Kind == StoreMessage {
			kept++
		}
	}
	assert.Equal(t, n, kept, "every message of the burst is stored (within StoreMessages)")
}

// TestLocalStoreFailuresReportedOnce: a store whose writes fail is
// reported once; the client goes on.
func TestLocalStoreFailuresReportedOnce(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1, "alice", "pw")
	srv.AddUser(3, "carol", "pw")
	st := &countingStore{MemoryStore: NewMemoryStore(), fail: errors.New("disk full")}
	c, rec := newTestClient(t, srv, nil, withStore(st))
	loginAs(t, c, 1, tok)
	for i := range 3 {
		srv.SendText(3, 1, "m"+strconv.Itoa(i))
		eventually(t, func() bool { return len(msgEvents(rec)) == i+1 }, "a message")
		waitIdle(t, c)
	}
	_, err := c.SendMessage(ctxT(t), Message{To: 3, Content: "still works"})
	require.NoError(t, err)
	require.NoError(t, c.Close())
	assert.Greater(t, st.count(), 1, "writing went on")
	assert.Equal(t, 1, storeErrorEvents(rec))
}

// TestLocalStoreUnreadable: a store that cannot be read is reported once
// and the client runs from memory: sends left at Close fail as without a
// store, since nothing keeps them.
func TestLocalStoreUnreadable(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1, "alice", "pw")
	st := &countingStore{MemoryStore: NewMemoryStore(), loadErr: errors.New("schema version 9 is newer")}
	c, rec := newTestClient(t, srv, nil, withStore(st))
	loginAs(t, c, 1, tok)
	eventually(t, func() bool { return storeErrorEvents(rec) == 1 }, "the report")
	_, err := c.SendMessage(ctxT(t), Message{To: 1, Content: "to self"})
	require.NoError(t, err)
	require.NoError(t, c.Close())
	assert.Zero(t, st.count(), "nothing written to an unreadable store")
	assert.Equal(t, 1, storeErrorEvents(rec))
}

func TestLocalStoreCacheSize(t *testing.T) {
	cfg, err := Config{Dialer: fsDialer{}, HTTP: newFakeHTTP(), LocalStore: NewMemoryStore()}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, DefaultStoreMessages, cfg.MessageCacheSize, "the memory holds what the store keeps")
	cfg, err = Config{Dialer: fsDialer{}, HTTP: newFakeHTTP(), LocalStore: NewMemoryStore(), StoreMessages: 50}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, 50, cfg.MessageCacheSize)
	cfg, err = Config{Dialer: fsDialer{}, HTTP: newFakeHTTP()}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, DefaultMessageCacheSize, cfg.MessageCacheSize)
}

// TestStoreCodecRoundTrip: every record decodes to what was encoded, and a
// truncated or other-version value is refused rather than misread.
func TestStoreCodecRoundTrip(t *testing.T) {
	m := Message{ID: 1 << 60, From: 7, To: 8, Type: TypeImage, Content: "c", Ext: `{"a":1}`, Config: `{}`,
		Attachment: `{"url":"u"}`, Status: MessageRead, Timestamp: 99, ToType: ToGroup, IsSystem: true, IsPlayed: true,
		EditTimestamp: 5, AppendedContent: "ac", AppendConfig: "acf", AppendExt: "ae", ReplaceConfig: "rc", ReplaceExt: "re"}
	e := newStoreEnc()
	encodeMessage(&e, &m)
	d := newStoreDec(e)
	got := decodeMessage(d)
	require.False(t, d.bad)
	assert.Equal(t, m, got)

	ce := ConversationEntry{ID: 3, Type: ToRoster, Content: "x", Ext: "e", Timestamp: 4, HasAt: true, Draft: "d", DraftTimestamp: 6}
	gotE, ok := decodeConversation(3, encodeConversation(&ce))
	require.True(t, ok)
	assert.Equal(t, ce, gotE)

	us := &unreadSet{ids: []uint64{10, 11, 1 << 62}, untracked: 2, floor: 9}
	gotU, ok := decodeUnread(encodeUnread(us))
	require.True(t, ok)
	assert.Equal(t, us, gotU)

	sn := &seenIDs{floor: 100, ids: []uint64{101, 200}}
	gotS, ok := decodeSeen(encodeSeen(sn))
	require.True(t, ok)
	assert.Equal(t, sn, gotS)

	c, _ := newTestClient(t, newFakeServer(t), nil, nil)
	it := c.opItem(3, 8, 77, 8, 0, "new", "", "x")
	it.written = true
	gotI, ok := decodeOutItem(it.cmid, encodeOutItem(it))
	require.True(t, ok)
	assert.Equal(t, it.op, gotI.op)
	assert.Equal(t, it.meta.Marshal(), gotI.meta.Marshal())
	assert.True(t, gotI.written && gotI.quiet)
	_, ok = decodeOutItem(it.cmid+1, encodeOutItem(it))
	assert.False(t, ok, "a value under another client_mid")

	v := encodeConversation(&ce)
	for n := range len(v) - 1 {
		_, ok := decodeConversation(3, v[:n])
		assert.False(t, ok, "truncated at %d", n)
	}
	v[0] = storeRecordVersion + 1
	_, ok = decodeConversation(3, v)
	assert.False(t, ok, "another version")
}
