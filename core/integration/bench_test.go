//go:build !js

package integration

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/server/fireplace"
)

// BenchmarkReceive measures how fast one native client receives messages
// from the real server and dispatches them as events. An operation is one
// message: a device of bob logs in and syncs a backlog (50 messages per
// SYNC page, PROTOCOL.md §18.10), each message delivered as an
// onRosterMessage event. The msgs/s metric counts from each loginSuccess
// event to the device's last message event, leaving DNS, token and
// Provision out; ns/op includes them.
//
// A device only syncs what arrived after it registered (PROTOCOL.md
// §18.2), so the b.N messages are spread over a few devices of bob, each
// receiving the same backlog: the devices are registered first, then the
// backlog is sent once. Neither step is timed (sending is bounded by the
// server's durable writes), and both stay small: at most 100 devices and
// a backlog of about 1,500 messages for b.N up to 150,000.
func BenchmarkReceive(b *testing.B) {
	const (
		perDevice  = 1500
		maxDevices = 100
	)
	devices := min(max((b.N+perDevice-1)/perDevice, 1), maxDevices)
	backlog := (b.N + devices - 1) / devices
	env := startServerWith(b, func(c *fireplace.Config) { c.MaxDevices = devices + 1 })
	alice, bob := env.NewUser(b, "alice"), env.NewUser(b, "bob")
	dirs := make([]string, devices)
	for i := range dirs {
		c := newClient(b, env, clientOptions{logLevel: core.LogWarn})
		c.login(b, bob)
		require.NoError(b, c.Close())
		dirs[i] = c.dir
	}
	a := newClient(b, env, clientOptions{logLevel: core.LogWarn})
	a.login(b, alice)
	sendBurst(b, a, bob.ID, "bench-", backlog, 200)
	last := fmt.Sprintf("bench-%04d", backlog-1)

	var dispatch time.Duration
	received := 0
	b.ResetTimer()
	for i := 0; received < b.N; i++ {
		r := newClient(b, env, clientOptions{dir: dirs[i], logLevel: core.LogWarn})
		r.login(b, bob)
		login := r.rec.waitIndexes(b, 0, 1, "loginSuccess", func(ev core.Event) bool {
			_, ok := ev.(core.LoginSuccess)
			return ok
		})[0]
		idx := r.rec.waitIndexes(b, 0, backlog, "the backlog", func(ev core.Event) bool {
			m, ok := ev.(core.RosterMessage)
			return ok && m.Message.From == uint64(alice.ID)
		})
		end := idx[len(idx)-1]
		dispatch += r.rec.time(end).Sub(r.rec.time(login))
		received += backlog
		b.StopTimer()
		if m, _ := messageOf(r.rec.events(end)[0]); m.Content != last {
			b.Fatalf("last message %q, want %q: out of order", m.Content, last)
		}
		r.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(received)/dispatch.Seconds(), "msgs/s")
}
