package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/server/store/postgres"
	"github.com/flooim/floo/server/store/postgres/pgtest"
	"github.com/flooim/floo/server/store/storetest"
)

func TestMigrationsRecordedAndIdempotent(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	db, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	got, err := db.AppliedMigrations(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"0001_schema"}, got)
	u := storetest.NewUser(t, db, "alice")
	key, err := db.SigningKey(ctx, func() ([]byte, error) { return []byte("k"), nil })
	require.NoError(t, err)
	require.NoError(t, db.Close())

	// Reopening applies nothing twice and keeps the data.
	db, err = postgres.Open(ctx, url)
	require.NoError(t, err)
	defer db.Close()
	again, err := db.AppliedMigrations(ctx)
	require.NoError(t, err)
	assert.Equal(t, got, again)
	back, err := db.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "alice", back.Username)
	key2, err := db.SigningKey(ctx, func() ([]byte, error) { return []byte("other"), nil })
	require.NoError(t, err)
	assert.Equal(t, key, key2)
}

// TestTwoNodes opens two stores on one database, as two servers would, and
// has them draw entity ids and append to one conversation at the same time:
// no id is handed out twice and message ids stay unique.
func TestTwoNodes(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	var nodes [2]*postgres.DB
	for i := range nodes {
		db, err := postgres.Open(ctx, url) // both migrate; the lock makes it once
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		nodes[i] = db
	}
	var (
		mu       sync.Mutex
		entities = map[int64]bool{}
		msgs     = map[int64]bool{}
		wg       sync.WaitGroup
	)
	for n, db := range nodes {
		for g := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					id, err := db.NextEntityID(ctx)
					if !assert.NoError(t, err) {
						return
					}
					r := &store.AppendRequest{Now: 1000, // same clock everywhere: ids must still differ
						Item: store.Item{Conv: store.ChatConv(storetest.Alice, storetest.Bob), FromUID: storetest.Alice,
							FromSN: uint32(n + 1), ToUID: storetest.Bob, NS: 1, Chat: true},
						Deliveries: []store.Delivery{{UID: storetest.Bob, Stream: storetest.Alice, Kind: store.ConvChat}},
						Dedup:      &store.DedupKey{UID: storetest.Alice, SN: uint32(n + 1), ClientMID: uint64(g*100 + i)}}
					res, err := db.Append(ctx, r)
					if !assert.NoError(t, err) {
						return
					}
					mu.Lock()
					assert.False(t, entities[id], "entity id %d twice", id)
					assert.False(t, msgs[res.ServerMID], "message id %d twice", res.ServerMID)
					entities[id], msgs[res.ServerMID] = true, true
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	assert.Len(t, entities, 60)
	assert.Len(t, msgs, 60)
	p, err := nodes[0].SyncPage(ctx, storetest.Bob, 1, storetest.Alice, 0, 100)
	require.NoError(t, err)
	assert.Len(t, p.Items, 60, "every append has its inbox entry")
	assert.IsIncreasing(t, storetest.IDs(p.Items))
}
