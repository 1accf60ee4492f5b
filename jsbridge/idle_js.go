package jsbridge

import "time"

// idleNudge is how far ahead releaseIdleTimeout arms its timer: short
// enough that Node exits at once, long enough (at least the runtime's 1 ms
// rounding) to replace the pending JavaScript timeout.
const idleNudge = time.Millisecond

// releaseIdleTimeout lets the JavaScript host drop the timeout that the
// Go js/wasm scheduler keeps for timers that were stopped.
//
// When every goroutine is blocked, the runtime (runtime.beforeIdle in
// lock_js.go) arms one setTimeout for its earliest Go timer, but it never
// clears that setTimeout when the Go timer is stopped: it only replaces it
// with a sooner one. After Close, that leaves a setTimeout for the
// heartbeat (50 s by default) pending, and Node stays alive until it fires.
// A stopped timer also lingers in the runtime's heap until it reaches the
// head, so its deadline keeps being the one the runtime waits for.
//
// A no-op timer a millisecond ahead is sooner than anything stopped, so the
// runtime replaces the stale setTimeout with one for it; when that fires,
// the runtime clears its record, drops the stopped timers from the head of
// its heap and arms a new setTimeout only for a timer that is still live
// (another client's). Call it after the owner of the timers has stopped
// them.
func releaseIdleTimeout() {
	time.AfterFunc(idleNudge, func() {})
}
