package sqlite_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/server/store/sqlite"
	"github.com/flooim/floo/server/store/sqlite/sqlitetest"
	"github.com/flooim/floo/server/store/storetest"
)

func TestMessagesSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "floo.db")
	db, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, db.InitDeviceCursors(ctx, storetest.Bob, 1, false))
	m := storetest.Chat(t, db, 1000, storetest.Alice, 1, storetest.Bob, "kept")
	require.NoError(t, db.Close())

	db, err = sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	p, err := db.SyncPage(ctx, storetest.Bob, 1, storetest.Alice, 0, 50)
	require.NoError(t, err)
	assert.Equal(t, []int64{m.ID}, storetest.IDs(p.Items))
	// The generator continues above the stored ids even with an old clock.
	m2 := storetest.Chat(t, db, 1, storetest.Alice, 1, storetest.Bob, "later")
	assert.Greater(t, m2.ID, m.ID)
}

func BenchmarkAppendGroup500(b *testing.B) {
	db := sqlitetest.Open(b)
	ctx := context.Background()
	r := &store.AppendRequest{Item: store.Item{Conv: store.GroupConv(storetest.Team), FromUID: storetest.Alice, FromSN: 1, ToUID: storetest.Team,
		NS: 1, Body: make([]byte, 64), Chat: true}}
	for i := range 500 {
		r.Deliveries = append(r.Deliveries, store.Delivery{UID: 20_000_000 + int64(i), Stream: storetest.Team, Kind: store.ConvGroup, Activity: true})
	}
	for b.Loop() {
		r.Now = 1000
		if _, err := db.Append(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendChat(b *testing.B) {
	db := sqlitetest.Open(b)
	ctx := context.Background()
	for b.Loop() {
		r := &store.AppendRequest{Now: 1000,
			Item: store.Item{Conv: store.ChatConv(storetest.Alice, storetest.Bob), FromUID: storetest.Alice, FromSN: 1, ToUID: storetest.Bob, NS: 1, Body: make([]byte, 64), Chat: true},
			Deliveries: []store.Delivery{
				{UID: storetest.Bob, Stream: storetest.Alice, Kind: store.ConvChat, Activity: true},
				{UID: storetest.Alice, Stream: storetest.Bob, Kind: store.ConvChat, OriginSN: 1, Activity: true},
			}}
		if _, err := db.Append(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendChatParallel appends from 100 goroutines at once, as 100
// connections sending do: what group commit is for.
func BenchmarkAppendChatParallel(b *testing.B) {
	db := sqlitetest.Open(b)
	ctx := context.Background()
	var next atomic.Uint64
	b.SetParallelism(50) // × GOMAXPROCS goroutines
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mid := next.Add(1)
			r := &store.AppendRequest{Now: 1000,
				Item: store.Item{Conv: store.ChatConv(storetest.Alice, storetest.Bob), FromUID: storetest.Alice, FromSN: 1, ToUID: storetest.Bob, NS: 1, Body: make([]byte, 64), Chat: true},
				Deliveries: []store.Delivery{
					{UID: storetest.Bob, Stream: storetest.Alice, Kind: store.ConvChat, Activity: true},
					{UID: storetest.Alice, Stream: storetest.Bob, Kind: store.ConvChat, OriginSN: 1, Activity: true},
				},
				Dedup: &store.DedupKey{UID: storetest.Alice, SN: 1, ClientMID: mid}}
			if _, err := db.Append(ctx, r); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
