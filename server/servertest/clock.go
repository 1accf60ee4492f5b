package servertest

import (
	"sync"
	"time"
)

// Clock is a time source for server.Config.Now that a test moves by hand,
// to jump past token lifetimes, recall windows and the like.
//
// With a zero Base it follows real time shifted by every Advance, so
// timers and network deadlines inside the server keep working. With a Base
// it stands still at Base plus the advances, for tests that compare exact
// timestamps. Set Base before first use; Now and Advance are safe for
// concurrent use.
type Clock struct {
	Base time.Time

	mu     sync.Mutex
	offset time.Duration // guarded by mu
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Base.IsZero() {
		return time.Now().Add(c.offset)
	}
	return c.Base.Add(c.offset)
}

// Advance moves the clock by d, which may be negative.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}
