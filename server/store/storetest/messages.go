package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/store"
)

const (
	alice = int64(10_000_001)
	bob   = int64(10_000_002)
	carol = int64(10_000_003)
	team  = int64(10_000_010)
)

// chat appends a one-to-one message from (from, sn) to to, delivered the way
// the gateway does it: to the peer and to the sender's other devices.
func chat(t *testing.T, db store.Messages, now int64, from int64, sn uint32, to int64, body string) store.Item {
	t.Helper()
	r := &store.AppendRequest{
		Now: now,
		Item: store.Item{Conv: store.ChatConv(from, to), FromUID: from, FromSN: sn, ToUID: to,
			NS: 1, Body: []byte(body), Chat: true},
		Deliveries: []store.Delivery{
			{UID: to, Stream: from, Kind: store.ConvChat, Activity: true},
			{UID: from, Stream: to, Kind: store.ConvChat, OriginSN: sn, Activity: true},
		},
	}
	_, err := db.Append(context.Background(), r)
	require.NoError(t, err)
	return r.Item
}

func testAppendAssignsIncreasingIDs(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	var last int64
	for i := range 5 {
		// The same millisecond and then a clock that goes back.
		now := int64(2_000_000)
		if i == 4 {
			now = 1_000_000
		}
		it := chat(t, db, now, alice, 1, bob, "m")
		assert.Greater(t, it.ID, last)
		assert.Equal(t, now, it.Timestamp)
		last = it.ID
	}
	got, err := db.LastItemID(ctx)
	require.NoError(t, err)
	assert.Equal(t, last, got)

	it, err := db.Item(ctx, last)
	require.NoError(t, err)
	assert.Equal(t, store.ChatConv(alice, bob), it.Conv)
	assert.Equal(t, alice, it.FromUID)
	assert.Equal(t, uint32(1), it.FromSN)
	assert.Equal(t, bob, it.ToUID)
	assert.Equal(t, []byte("m"), it.Body)
	assert.True(t, it.Chat)

	_, err = db.Item(ctx, last+1)
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testAppendDedup(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	key := store.DedupKey{UID: alice, SN: 1, ClientMID: 1<<63 + 5} // beyond int64 on purpose
	send := func(now int64) store.AppendResult {
		r := &store.AppendRequest{
			Now:  now,
			Item: store.Item{Conv: store.ChatConv(alice, bob), FromUID: alice, FromSN: 1, ToUID: bob, NS: 1, Chat: true},
			Deliveries: []store.Delivery{
				{UID: bob, Stream: alice, Kind: store.ConvChat, Activity: true},
			},
			Dedup: &key, DedupSince: now - 1000,
		}
		res, err := db.Append(ctx, r)
		require.NoError(t, err)
		return res
	}
	first := send(5000)
	assert.False(t, first.Duplicate)
	assert.NotZero(t, first.ServerMID)
	again := send(5500)
	assert.True(t, again.Duplicate)
	assert.Equal(t, first.Ack, again.Ack)
	last, err := db.LastItemID(ctx)
	require.NoError(t, err)
	assert.Equal(t, first.ServerMID, last, "a duplicate stores nothing")

	ack, err := db.LookupAck(ctx, key, 0)
	require.NoError(t, err)
	assert.Equal(t, first.Ack, ack)
	_, err = db.LookupAck(ctx, key, 5001)
	assert.ErrorIs(t, err, store.ErrNotFound, "records older than since are ignored")
	_, err = db.LookupAck(ctx, store.DedupKey{UID: alice, SN: 2, ClientMID: key.ClientMID}, 0)
	assert.ErrorIs(t, err, store.ErrNotFound, "dedup is per device")

	// Past the window the same client_mid is a new send.
	third := send(9000)
	assert.False(t, third.Duplicate)
	assert.Greater(t, third.ServerMID, first.ServerMID)

	n, err := db.PurgeAcks(ctx, 10000)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	_, err = db.LookupAck(ctx, key, 0)
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testSyncPageSkipsOwnAndTargeted(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	require.NoError(t, db.InitDeviceCursors(ctx, alice, 1, false))
	require.NoError(t, db.InitDeviceCursors(ctx, alice, 2, false))
	m1 := chat(t, db, 1000, alice, 1, bob, "from device 1")
	m2 := chat(t, db, 1001, bob, 1, alice, "from bob")
	// A kick-like entry targeted at device 2 in the personal stream.
	r := &store.AppendRequest{Now: 1002, Item: store.Item{Conv: store.PersonalConv(alice), ToUID: alice, NS: 4},
		Deliveries: []store.Delivery{{UID: alice, Stream: alice, Kind: store.ConvPersonal, TargetSN: 2}}}
	_, err := db.Append(ctx, r)
	require.NoError(t, err)

	p, err := db.SyncPage(ctx, alice, 1, bob, 0, 50)
	require.NoError(t, err)
	require.Len(t, p.Items, 1)
	assert.Equal(t, m2.ID, p.Items[0].ID)
	assert.Equal(t, m2.ID, p.Last)
	assert.False(t, p.More, "two entries examined, below the limit")

	p, err = db.SyncPage(ctx, alice, 2, bob, 0, 50)
	require.NoError(t, err)
	assert.Equal(t, []int64{m1.ID, m2.ID}, ids(p.Items), "the other device gets its own sends")

	// Only the first entry examined: it is skipped, yet Last moves past it.
	p, err = db.SyncPage(ctx, alice, 1, bob, 0, 1)
	require.NoError(t, err)
	assert.Empty(t, p.Items)
	assert.Equal(t, m1.ID, p.Last)
	assert.True(t, p.More, "the limit ended the page")

	p, err = db.SyncPage(ctx, alice, 1, alice, 0, 50)
	require.NoError(t, err)
	assert.Empty(t, p.Items)
	assert.Equal(t, r.Item.ID, p.Last)
	p, err = db.SyncPage(ctx, alice, 2, alice, 0, 50)
	require.NoError(t, err)
	assert.Equal(t, []int64{r.Item.ID}, ids(p.Items))

	p, err = db.SyncPage(ctx, alice, 2, bob, m2.ID, 50)
	require.NoError(t, err)
	assert.Empty(t, p.Items)
	assert.Zero(t, p.Last)
	assert.False(t, p.More)
}

func ids(items []store.Item) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func testCursors(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	old := chat(t, db, 1000, alice, 1, bob, "before bob's device existed")
	require.NoError(t, db.InitDeviceCursors(ctx, bob, 1, false))
	pos, err := db.Cursor(ctx, bob, 1, alice)
	require.NoError(t, err)
	assert.Equal(t, old.ID, pos, "a new device starts at the id current when it registered")

	m := chat(t, db, 2000, alice, 1, bob, "new")
	require.NoError(t, db.InitDeviceCursors(ctx, bob, 1, false)) // a later login changes nothing
	require.NoError(t, db.AdvanceCursors(ctx, []store.CursorPos{{UID: bob, SN: 1, Stream: alice, Pos: m.ID}}))
	pos, err = db.Cursor(ctx, bob, 1, alice)
	require.NoError(t, err)
	assert.Equal(t, m.ID, pos)
	require.NoError(t, db.AdvanceCursors(ctx, []store.CursorPos{
		{UID: bob, SN: 1, Stream: alice, Pos: old.ID}, // never back
		{UID: bob, SN: 1, Stream: carol, Pos: old.ID}, // never below the start
	}))
	pos, err = db.Cursor(ctx, bob, 1, carol)
	require.NoError(t, err)
	assert.Equal(t, old.ID, pos)
	rp0, err := db.ReadPositions(ctx, bob, carol)
	require.NoError(t, err)
	assert.Zero(t, rp0.Delivered, "no row was written at the start position")
	pos, err = db.Cursor(ctx, bob, 1, alice)
	require.NoError(t, err)
	assert.Equal(t, m.ID, pos)

	rp, err := db.ReadPositions(ctx, bob, alice)
	require.NoError(t, err)
	assert.Equal(t, m.ID, rp.Delivered)

	// The SN reused by a new installation starts afresh.
	m2 := chat(t, db, 3000, alice, 1, bob, "newer")
	require.NoError(t, db.InitDeviceCursors(ctx, bob, 1, true))
	pos, err = db.Cursor(ctx, bob, 1, alice)
	require.NoError(t, err)
	assert.Equal(t, m2.ID, pos)
}

func testUnread(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	require.NoError(t, db.InitDeviceCursors(ctx, alice, 1, false))
	require.NoError(t, db.InitDeviceCursors(ctx, alice, 2, false))
	chat(t, db, 1000, bob, 1, alice, "b1")
	chat(t, db, 1001, carol, 1, alice, "c1")
	chat(t, db, 1002, bob, 1, alice, "b2")
	chat(t, db, 1003, alice, 1, carol, "to carol from device 1")
	// A notice in the personal stream: listed with its count, never as a
	// recent conversation.
	notice := &store.AppendRequest{Now: 1004, Item: store.Item{Conv: store.PersonalConv(alice), ToUID: alice, NS: 2},
		Deliveries: []store.Delivery{{UID: alice, Stream: alice, Kind: store.ConvPersonal}}}
	_, err := db.Append(ctx, notice)
	require.NoError(t, err)

	got, err := db.Unread(ctx, alice, 1, 100)
	require.NoError(t, err)
	// Personal (no activity) first, then bob (b2), then carol (own send last).
	assert.Equal(t, []store.StreamUnread{
		{Stream: alice, Kind: store.ConvPersonal, N: 1},
		{Stream: bob, Kind: store.ConvChat, N: 2, LastActivity: got[1].LastActivity},
		{Stream: carol, Kind: store.ConvChat, N: 1, LastActivity: got[2].LastActivity},
	}, got)
	assert.Less(t, got[1].LastActivity, got[2].LastActivity)

	got, err = db.Unread(ctx, alice, 2, 0)
	require.NoError(t, err)
	assert.Equal(t, map[int64]int{alice: 1, bob: 2, carol: 2}, counts(got), "device 2 also gets device 1's send")

	// Confirming carol's stream: n = 0, so it appears only with recent > 0.
	p, err := db.SyncPage(ctx, alice, 1, carol, 0, 50)
	require.NoError(t, err)
	require.NoError(t, db.AdvanceCursors(ctx, []store.CursorPos{{UID: alice, SN: 1, Stream: carol, Pos: p.Last}}))
	got, err = db.Unread(ctx, alice, 1, 0)
	require.NoError(t, err)
	assert.Equal(t, map[int64]int{alice: 1, bob: 2}, counts(got))
	got, err = db.Unread(ctx, alice, 1, 100)
	require.NoError(t, err)
	assert.Equal(t, map[int64]int{alice: 1, bob: 2, carol: 0}, counts(got))

	// The recent list is capped, keeping the most recent.
	for i, u := range []int64{20_000_001, 20_000_002, 20_000_003} {
		chat(t, db, 2000+int64(i), alice, 1, u, "x")
	}
	got, err = db.Unread(ctx, alice, 1, 2)
	require.NoError(t, err)
	var streams []int64
	for _, u := range got {
		streams = append(streams, u.Stream)
	}
	assert.Equal(t, []int64{alice, bob, 20_000_002, 20_000_003}, streams)
}

func counts(us []store.StreamUnread) map[int64]int {
	m := map[int64]int{}
	for _, u := range us {
		m[u.Stream] = u.N
	}
	return m
}

func testClearConversation(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	for _, sn := range []uint32{1, 2} {
		require.NoError(t, db.InitDeviceCursors(ctx, alice, sn, false))
	}
	m1 := chat(t, db, 1000, bob, 1, alice, "b1")
	clear := func(sn uint32) {
		_, err := db.Append(ctx, &store.AppendRequest{Now: 1100,
			Item:    store.Item{Conv: store.PersonalConv(alice), FromUID: alice, FromSN: 1, NS: 6},
			Effects: []store.Effect{{Kind: store.EffectClearConv, UID: alice, SN: sn, Stream: bob, Conv: store.ChatConv(alice, bob)}},
		})
		require.NoError(t, err)
	}

	// Device 2 only.
	clear(2)
	got, err := db.Unread(ctx, alice, 2, 100)
	require.NoError(t, err)
	assert.Empty(t, got, "hidden on device 2")
	got, err = db.Unread(ctx, alice, 1, 100)
	require.NoError(t, err)
	assert.Equal(t, map[int64]int{bob: 1}, counts(got), "device 1 is not affected")
	h, _, err := db.History(ctx, store.HistoryQuery{UID: alice, SN: 2, Stream: bob, Conv: store.ChatConv(alice, bob), Limit: 20})
	require.NoError(t, err)
	assert.Empty(t, h)
	h, _, err = db.History(ctx, store.HistoryQuery{UID: alice, SN: 1, Stream: bob, Conv: store.ChatConv(alice, bob), Limit: 20})
	require.NoError(t, err)
	assert.Equal(t, []int64{m1.ID}, ids(h))

	// Everywhere.
	clear(0)
	got, err = db.Unread(ctx, alice, 1, 100)
	require.NoError(t, err)
	assert.Empty(t, got)
	h, _, err = db.History(ctx, store.HistoryQuery{UID: alice, SN: 1, Stream: bob, Conv: store.ChatConv(alice, bob), Limit: 20})
	require.NoError(t, err)
	assert.Empty(t, h)
	// Bob's view is untouched.
	h, _, err = db.History(ctx, store.HistoryQuery{UID: bob, SN: 1, Stream: alice, Conv: store.ChatConv(alice, bob), Limit: 20})
	require.NoError(t, err)
	assert.Equal(t, []int64{m1.ID}, ids(h))

	// New activity brings the conversation back with just the new message.
	m2 := chat(t, db, 2000, bob, 1, alice, "b2")
	got, err = db.Unread(ctx, alice, 2, 100)
	require.NoError(t, err)
	assert.Equal(t, map[int64]int{bob: 1}, counts(got))
	p, err := db.SyncPage(ctx, alice, 2, bob, 0, 50)
	require.NoError(t, err)
	assert.Equal(t, []int64{m2.ID}, ids(p.Items))
}

func testHistory(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	conv := store.ChatConv(alice, bob)
	var all []store.Item
	for i := range 7 {
		all = append(all, chat(t, db, 1000+int64(i)*10, alice, 1, bob, "m"))
	}
	// Not chat: an operation in the same log.
	_, err := db.Append(ctx, &store.AppendRequest{Now: 1100, Item: store.Item{Conv: conv, FromUID: alice, ToUID: bob, NS: 1},
		Effects: []store.Effect{{Kind: store.EffectRecall, Target: all[5].ID}}})
	require.NoError(t, err)
	_, err = db.Append(ctx, &store.AppendRequest{Now: 1101, Item: store.Item{Conv: conv, FromUID: bob, ToUID: bob, NS: 1},
		Effects: []store.Effect{{Kind: store.EffectMark, Target: all[4].ID, UID: bob, Mark: store.MarkDeleted}}})
	require.NoError(t, err)

	q := store.HistoryQuery{UID: bob, SN: 1, Stream: alice, Conv: conv, Limit: 3}
	page, more, err := db.History(ctx, q)
	require.NoError(t, err)
	assert.True(t, more)
	// 6 newest, 5 recalled, 4 deleted by bob.
	assert.Equal(t, []int64{all[6].ID, all[3].ID, all[2].ID}, ids(page))
	q.Before = page[2].ID
	page, more, err = db.History(ctx, q)
	require.NoError(t, err)
	assert.False(t, more)
	assert.Equal(t, []int64{all[1].ID, all[0].ID}, ids(page))

	// Alice did not delete all[4].
	page, _, err = db.History(ctx, store.HistoryQuery{UID: alice, Stream: bob, Conv: conv, Limit: 100})
	require.NoError(t, err)
	assert.Len(t, page, 6)

	// Since: messages before a join time are left out.
	page, _, err = db.History(ctx, store.HistoryQuery{UID: alice, Stream: bob, Conv: conv, Limit: 100, Since: 1030})
	require.NoError(t, err)
	assert.Equal(t, []int64{all[6].ID, all[4].ID, all[3].ID}, ids(page))
}

func testEffects(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	conv := store.ChatConv(alice, bob)
	m := chat(t, db, 1000, alice, 1, bob, "hello")
	op := func(effects ...store.Effect) (store.AppendResult, error) {
		return db.Append(ctx, &store.AppendRequest{Now: 2000,
			Item: store.Item{Conv: conv, FromUID: bob, ToUID: alice, NS: 1}, Effects: effects})
	}
	marks := func() []store.Mark {
		ms, err := db.Marks(ctx, []int64{m.ID})
		require.NoError(t, err)
		return ms[m.ID]
	}

	_, err := op(store.Effect{Kind: store.EffectMark, Target: m.ID, UID: bob, Mark: store.MarkRead})
	require.NoError(t, err)
	_, err = op(store.Effect{Kind: store.EffectMark, Target: m.ID, UID: bob, Mark: store.MarkPlayed})
	require.NoError(t, err)
	assert.Equal(t, []store.Mark{{UID: bob, Kind: store.MarkRead}, {UID: bob, Kind: store.MarkPlayed}}, marks())
	_, err = op(store.Effect{Kind: store.EffectMark, Target: m.ID, UID: bob, Mark: store.MarkUnread})
	require.NoError(t, err)
	assert.Equal(t, []store.Mark{{UID: bob, Kind: store.MarkPlayed}, {UID: bob, Kind: store.MarkUnread}}, marks(), "a cancel replaces the read")
	_, err = op(store.Effect{Kind: store.EffectReadAll, Target: m.ID, UID: bob, Stream: alice, Conv: conv})
	require.NoError(t, err)
	assert.Equal(t, []store.Mark{{UID: bob, Kind: store.MarkPlayed}}, marks(), "READ_ALL clears the cancel")
	rp, err := db.ReadPositions(ctx, bob, alice)
	require.NoError(t, err)
	assert.Equal(t, m.ID, rp.ReadAll)
	_, err = op(store.Effect{Kind: store.EffectReadAll, Target: m.ID - 1, UID: bob, Stream: alice, Conv: conv})
	require.NoError(t, err)
	rp, err = db.ReadPositions(ctx, bob, alice)
	require.NoError(t, err)
	assert.Equal(t, m.ID, rp.ReadAll, "READ_ALL never goes back")

	res, err := op(store.Effect{Kind: store.EffectEdit, Target: m.ID, Content: "hello world", Config: `{"a":1}`, Ext: "e", EditTimestamp: 2001})
	require.NoError(t, err)
	assert.Equal(t, int64(2001), res.EditTimestamp)
	it, err := db.Item(ctx, m.ID)
	require.NoError(t, err)
	assert.True(t, it.Edited)
	assert.Equal(t, "hello world", it.Content)
	assert.Equal(t, `{"a":1}`, it.Config)
	assert.Equal(t, "e", it.Ext)
	assert.Equal(t, int64(2001), it.EditTimestamp)
	assert.Equal(t, []byte("hello"), it.Body, "the original stays as sent")

	_, err = op(store.Effect{Kind: store.EffectRecall, Target: m.ID})
	require.NoError(t, err)
	it, err = db.Item(ctx, m.ID)
	require.NoError(t, err)
	assert.True(t, it.Recalled)

	// An effect on an unknown target stores nothing at all.
	before, err := db.LastItemID(ctx)
	require.NoError(t, err)
	for _, e := range []store.Effect{
		{Kind: store.EffectRecall, Target: 42},
		{Kind: store.EffectEdit, Target: 42},
		{Kind: store.EffectMark, Target: 42, UID: bob, Mark: store.MarkRead},
	} {
		_, err = op(e)
		assert.ErrorIs(t, err, store.ErrNotFound)
	}
	after, err := db.LastItemID(ctx)
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

func testGroupAppend(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	r := &store.AppendRequest{Now: 1000,
		Item: store.Item{Conv: store.GroupConv(team), FromUID: alice, FromSN: 1, ToUID: team, NS: 1, Chat: true}}
	for i := range 500 {
		uid := 20_000_000 + int64(i)
		r.Deliveries = append(r.Deliveries, store.Delivery{UID: uid, Stream: team, Kind: store.ConvGroup, Activity: true})
	}
	_, err := db.Append(ctx, r)
	require.NoError(t, err)
	for _, uid := range []int64{20_000_000, 20_000_499} {
		got, err := db.Unread(ctx, uid, 1, 100)
		require.NoError(t, err)
		assert.Equal(t, []store.StreamUnread{{Stream: team, Kind: store.ConvGroup, N: 1, LastActivity: r.Item.ID}}, got)
	}
}

// testAppendRepeatedDelivery appends with two deliveries to the same
// (user, stream), as a message to oneself has: the first inbox entry
// counts, as if the deliveries were written one by one, and the
// conversation shows the activity.
func testAppendRepeatedDelivery(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	require.NoError(t, db.InitDeviceCursors(ctx, alice, 2, false))
	r := &store.AppendRequest{Now: 1000,
		Item: store.Item{Conv: store.ChatConv(alice, alice), FromUID: alice, FromSN: 1, ToUID: alice, NS: 1, Chat: true},
		Deliveries: []store.Delivery{
			{UID: alice, Stream: alice, Kind: store.ConvChat, Activity: true},
			{UID: alice, Stream: alice, Kind: store.ConvChat, OriginSN: 1, Activity: true},
		}}
	_, err := db.Append(ctx, r)
	require.NoError(t, err)
	for _, sn := range []uint32{1, 2} {
		p, err := db.SyncPage(ctx, alice, sn, alice, 0, 10)
		require.NoError(t, err)
		assert.Equal(t, []int64{r.Item.ID}, ids(p.Items), "device %d: the first entry (from no device) stays", sn)
	}
	got, err := db.Unread(ctx, alice, 2, 10)
	require.NoError(t, err)
	assert.Equal(t, []store.StreamUnread{{Stream: alice, Kind: store.ConvChat, N: 1, LastActivity: r.Item.ID}}, got)
}

// testConcurrentAppends appends from many goroutines at once, as many
// connections do, so that an implementation committing several appends
// together (group commit) is exercised: an append that fails (a recall of
// an unknown message) must fail alone and store nothing, every other one
// is stored with its own id, a goroutine's appends get increasing ids, and
// two appends with one dedup key store one item and get one ack.
func testConcurrentAppends(t *testing.T, open Opener) {
	db := open(t)
	ctx := context.Background()
	const senders, each = 32, 8
	require.NoError(t, db.InitDeviceCursors(ctx, bob, 1, false))
	type result struct {
		res store.AppendResult
		err error
	}
	results := make([][]result, senders)
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from := alice + 100 + int64(s)
			for i := range each {
				r := &store.AppendRequest{
					Now: 5000 + int64(i),
					Item: store.Item{Conv: store.ChatConv(from, bob), FromUID: from, FromSN: 1, ToUID: bob,
						NS: 1, Body: []byte{byte(s), byte(i)}, Chat: true},
					Deliveries: []store.Delivery{{UID: bob, Stream: from, Kind: store.ConvChat, Activity: true}},
					Dedup:      &store.DedupKey{UID: from, SN: 1, ClientMID: uint64(i + 1)},
				}
				if i%3 == 2 {
					r.Effects = []store.Effect{{Kind: store.EffectRecall, Target: 42}}
				}
				res, err := db.Append(ctx, r)
				results[s] = append(results[s], result{res, err})
			}
		}()
	}
	// One key sent twice at once, as a resend racing its original.
	key := store.DedupKey{UID: carol, SN: 1, ClientMID: 7}
	var twice [2]result
	for k := range twice {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := db.Append(ctx, &store.AppendRequest{Now: 5000,
				Item:       store.Item{Conv: store.ChatConv(carol, bob), FromUID: carol, FromSN: 1, ToUID: bob, NS: 1, Chat: true},
				Deliveries: []store.Delivery{{UID: bob, Stream: carol, Kind: store.ConvChat, Activity: true}},
				Dedup:      &key})
			twice[k] = result{res, err}
		}()
	}
	wg.Wait()

	seen := map[int64]bool{}
	for s, rs := range results {
		require.Len(t, rs, each)
		var last int64
		for i, r := range rs {
			if i%3 == 2 {
				assert.ErrorIs(t, r.err, store.ErrNotFound, "sender %d append %d", s, i)
				continue
			}
			require.NoError(t, r.err, "sender %d append %d", s, i)
			assert.False(t, r.res.Duplicate)
			assert.Greater(t, r.res.ServerMID, last, "one sender's appends are ordered")
			assert.False(t, seen[r.res.ServerMID], "ids are unique")
			seen[r.res.ServerMID] = true
			last = r.res.ServerMID
			it, err := db.Item(ctx, r.res.ServerMID)
			require.NoError(t, err)
			assert.Equal(t, []byte{byte(s), byte(i)}, it.Body)
		}
		page, err := db.SyncPage(ctx, bob, 1, alice+100+int64(s), 0, 100)
		require.NoError(t, err)
		assert.Len(t, page.Items, each-each/3, "failed appends store nothing")
	}
	require.NoError(t, twice[0].err)
	require.NoError(t, twice[1].err)
	assert.Equal(t, twice[0].res.Ack, twice[1].res.Ack)
	assert.True(t, twice[0].res.Duplicate != twice[1].res.Duplicate, "exactly one is the original")
	page, err := db.SyncPage(ctx, bob, 1, carol, 0, 100)
	require.NoError(t, err)
	assert.Len(t, page.Items, 1)
}
