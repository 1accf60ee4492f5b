//go:build !js

package integration

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/native"
	"github.com/flooim/floo/server/fireplace"
)

// timedStore measures the writes of a LocalStore.
type timedStore struct {
	core.LocalStore
	mu      sync.Mutex
	batches int           // guarded by mu
	records int           // guarded by mu
	bytes   int           // guarded by mu; of the values written
	took    time.Duration // guarded by mu; inside Apply
}

func (s *timedStore) Apply(user string, b *core.StoreBatch) error {
	start := time.Now()
	err := s.LocalStore.Apply(user, b)
	d := time.Since(start)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches++
	s.records += len(b.Records)
	for _, r := range b.Records {
		s.bytes += len(r.Value)
	}
	s.took += d
	return err
}

// BenchmarkSyncBurstStore measures what the native local store costs per
// received message when a device syncs a burst of 1,000 messages from the
// real server (50 per SYNC page): the time spent writing (inside Apply, on
// the store's goroutine, in parallel with the engine), the transactions
// and the bytes written. An operation is one received message; the
// backlog is spread over devices of bob as in BenchmarkReceive.
func BenchmarkSyncBurstStore(b *testing.B) {
	const burst = 1000
	devices := min(max((b.N+burst-1)/burst, 1), 20)
	env := startServerWith(b, func(c *fireplace.Config) { c.MaxDevices = devices + 1 })
	alice, bob := env.NewUser(b, "alice"), env.NewUser(b, "bob")
	dirs := make([]string, devices)
	for i := range dirs {
		c := newClient(b, env, clientOptions{logLevel: core.LogWarn})
		c.login(b, bob)
		c.Close()
		dirs[i] = c.dir
	}
	a := newClient(b, env, clientOptions{logLevel: core.LogWarn, sendRate: 1000})
	a.login(b, alice)
	sendBurst(b, a, bob.ID, "burst-", burst, 500)

	received := 0
	var total timedStore
	b.ResetTimer()
	for i := 0; received < b.N; i++ {
		ts := &timedStore{LocalStore: native.NewSQLiteStore(filepath.Join(b.TempDir(), "store.db"))}
		r := newClient(b, env, clientOptions{dir: dirs[i%devices], logLevel: core.LogWarn, store: ts})
		r.login(b, bob)
		r.rec.waitIndexes(b, 0, burst, "the burst", func(ev core.Event) bool {
			m, ok := ev.(core.RosterMessage)
			return ok && m.Message.From == uint64(alice.ID)
		})
		r.Close() // writes what is pending and waits for the store
		ts.LocalStore.(*native.SQLiteStore).Close()
		received += burst
		total.batches += ts.batches
		total.records += ts.records
		total.bytes += ts.bytes
		total.took += ts.took
		if i >= devices-1 {
			break // each device receives the burst once
		}
	}
	b.StopTimer()
	if received < b.N {
		b.Logf("measured %d messages of the %d asked", received, b.N)
	}
	b.ReportMetric(float64(total.took.Nanoseconds())/float64(received), "store-ns/msg")
	b.ReportMetric(float64(total.batches)*burst/float64(received), "txns/burst")
	b.ReportMetric(float64(total.bytes)/float64(received), "B/msg")
	b.Log(fmt.Sprintf("%d messages: %d transactions, %d records, %d bytes, %s in Apply",
		received, total.batches, total.records, total.bytes, total.took))
}
