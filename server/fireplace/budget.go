package fireplace

import (
	"sync"
	"time"
)

// sendBudgets is the send rate limit of every device, keyed by
// (uid, deviceSN) rather than by connection (PROTOCOL.md §7.5, §18.10).
// A bucket per connection would hand a fresh burst to every reconnect: a
// client reconnecting every 100 sends got about twenty times the budget.
// The SDK's outbox paces itself under this budget and re-sends after each
// reconnect, so a device's tokens must outlive its connections.
//
// The table stays bounded without a timer: a bucket that has refilled to
// its burst is the same as no bucket at all, so such buckets are dropped
// whenever the table has doubled since the last sweep. What remains are
// the devices that sent within the last burst/rate seconds (2 s by
// default). sendBudgets is safe for concurrent use; mu guards the map and
// every bucket in it.
type sendBudgets struct {
	rate  float64 // tokens per second; < 0 = unlimited
	burst int

	mu      sync.Mutex
	buckets map[budgetKey]*tokenBucket
	sweepAt int // table size that triggers the next sweep
}

type budgetKey struct {
	uid int64
	sn  uint32
}

// minSweep is the table size below which no sweep runs: a few hundred
// small entries cost less than scanning them on every insert.
const minSweep = 256

func newSendBudgets(rate float64, burst int) *sendBudgets {
	return &sendBudgets{rate: rate, burst: burst, buckets: map[budgetKey]*tokenBucket{}, sweepAt: minSweep}
}

// take uses one send token of (uid, sn) at now, if there is one.
func (b *sendBudgets) take(uid int64, sn uint32, now time.Time) bool {
	if b.rate < 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k := budgetKey{uid, sn}
	tb := b.buckets[k]
	if tb == nil {
		if len(b.buckets) >= b.sweepAt {
			b.sweep(now)
		}
		tb = &tokenBucket{rate: b.rate, burst: float64(b.burst), tokens: float64(b.burst), last: now}
		b.buckets[k] = tb
	}
	return tb.take(now)
}

// refund gives back the token of (uid, sn) that a send took before it
// turned out to be a repeat answered from its dedup record, which is free.
func (b *sendBudgets) refund(uid int64, sn uint32) {
	if b.rate < 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if tb := b.buckets[budgetKey{uid, sn}]; tb != nil {
		tb.tokens = min(tb.burst, tb.tokens+1)
	}
}

// sweep drops the buckets that are full again at now. Called with mu held.
func (b *sendBudgets) sweep(now time.Time) {
	for k, tb := range b.buckets {
		if tb.full(now) {
			delete(b.buckets, k)
		}
	}
	b.sweepAt = max(minSweep, 2*len(b.buckets))
}

// size returns the number of buckets kept, for tests.
func (b *sendBudgets) size() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.buckets)
}

// rateGateHold is how long a connection's later sends stay refused after
// a send was refused for rate, unless that send comes again first.
const rateGateHold = time.Second

// passRateGate reports whether a send with client_mid mid may try the
// budget on this connection. Reader only.
//
// Sends are pipelined: a client writes many before the first ack comes
// back, and a connection that was stalled delivers everything it held at
// once. While such a burst is refused for rate, tokens keep coming (one
// every 20 ms), so without this gate a later send of the burst would be
// stored while an earlier one was refused; the SDK re-sends the refused
// one (PROTOCOL.md §7.5) and it would be stored after its successor. So
// after a refusal, every later send on the connection is refused too
// (spending no token) until the refused client_mid is sent again, which
// the SDK does first, or for at most rateGateHold, so that a client that
// never retries (the official ones) is only held back briefly. A repeat
// held back by the gate is still answered from its dedup record
// (prepare). Gates are per connection: a stalled connection's late burst
// cannot hold back the new connection that replaced it, and each
// connection's stored sends stay a prefix of what it carried, which keeps
// the device's order.
func (c *conn) passRateGate(mid uint64, now time.Time) bool {
	if c.rateGate == 0 {
		return true
	}
	if mid == c.rateGate || !now.Before(c.gateUntil) {
		c.rateGate = 0
		return true
	}
	return false
}

// closeRateGate records a refusal for rate of client_mid mid; the first
// refusal closes the gate. Reader only.
func (c *conn) closeRateGate(mid uint64, now time.Time) {
	if c.rateGate == 0 {
		c.rateGate, c.gateUntil = mid, now.Add(rateGateHold)
	}
}

// tokenBucket is a plain token bucket. It is not safe for concurrent use:
// sendBudgets guards it.
type tokenBucket struct {
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

// refill adds the tokens earned since the last call.
func (b *tokenBucket) refill(now time.Time) {
	if d := now.Sub(b.last).Seconds(); d > 0 {
		b.tokens = min(b.burst, b.tokens+d*b.rate)
		b.last = now
	}
}

// take uses one token if there is one.
func (b *tokenBucket) take(now time.Time) bool {
	b.refill(now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// full reports whether the bucket holds its whole burst at now, without
// changing it.
func (b *tokenBucket) full(now time.Time) bool {
	t := b.tokens
	if d := now.Sub(b.last).Seconds(); d > 0 {
		t += d * b.rate
	}
	return t >= b.burst
}
