package lite

import (
	"sync"
	"syscall/js"
)

// Duration is the elapsed time between two instants in nanoseconds, as
// time.Duration counts it.
type Duration int64

// The units of Duration.
const (
	Nanosecond  Duration = 1
	Microsecond          = 1000 * Nanosecond
	Millisecond          = 1000 * Microsecond
	Second               = 1000 * Millisecond
	Minute               = 60 * Second
	Hour                 = 60 * Minute
)

// Milliseconds returns d as an integer count of milliseconds.
func (d Duration) Milliseconds() int64 { return int64(d) / 1e6 }

// Time is an instant with nanosecond precision, counted from the Unix
// epoch on the host's monotonic clock. The zero Time is reserved to mean
// "unset" (IsZero).
type Time struct{ ns int64 }

var (
	performance  = js.Global().Get("performance")
	setTimeout   = js.Global().Get("setTimeout")
	clearTimeout = js.Global().Get("clearTimeout")
	// timeOrigin is the Unix time in milliseconds at which performance.now
	// read 0, computed once as wasm_exec.js does for Go's own clock:
	// performance.timeOrigin is missing in some hosts.
	timeOrigin = js.Global().Get("Date").Call("now").Float() - performance.Call("now").Float()
)

// Now returns the current time: performance.now() on the Unix time scale,
// so it never goes backwards when the wall clock is set back.
func Now() Time {
	return Time{int64((timeOrigin + performance.Call("now").Float()) * 1e6)}
}

// Since returns Now().Sub(t).
func Since(t Time) Duration { return Now().Sub(t) }

// Add returns t+d.
func (t Time) Add(d Duration) Time { return Time{t.ns + int64(d)} }

// Sub returns t-u.
func (t Time) Sub(u Time) Duration { return Duration(t.ns - u.ns) }

// Before reports whether t is before u.
func (t Time) Before(u Time) bool { return t.ns < u.ns }

// After reports whether t is after u.
func (t Time) After(u Time) bool { return t.ns > u.ns }

// Equal reports whether t and u are the same instant.
func (t Time) Equal(u Time) bool { return t.ns == u.ns }

// IsZero reports whether t is the zero Time.
func (t Time) IsZero() bool { return t.ns == 0 }

// UnixMilli returns t as milliseconds since the Unix epoch.
func (t Time) UnixMilli() int64 { return t.ns / 1e6 }

// UnixNano returns t as nanoseconds since the Unix epoch.
func (t Time) UnixNano() int64 { return t.ns }

// Timer is a one-shot timer on the host's setTimeout, with time.Timer's
// Go 1.23 semantics: after Stop or Reset returns, no value from an earlier
// expiry is received from C.
type Timer struct {
	// C receives the time when the timer fires; nil for AfterFunc timers.
	C <-chan Time

	c chan Time
	f func() // AfterFunc: run in its own goroutine when the timer fires

	// Guarded by armed.mu.
	seq    uint64   // key in armed.timers while armed, 0 otherwise
	handle js.Value // what setTimeout returned, for clearTimeout
}

// armed holds the timers waiting for their setTimeout. Every timeout calls
// the one dispatch function with the timer's key: a js.Func per arming
// would cost two more calls into JavaScript and a JavaScript closure each
// time (setTimeout passes extra arguments to the callback in browsers,
// Node and WeChat alike).
var armed = struct {
	mu       sync.Mutex
	seq      uint64
	timers   map[uint64]*Timer
	dispatch js.Func
}{timers: make(map[uint64]*Timer)}

func init() {
	armed.dispatch = js.FuncOf(func(_ js.Value, args []js.Value) any {
		seq := uint64(args[0].Float())
		armed.mu.Lock()
		t := armed.timers[seq]
		delete(armed.timers, seq)
		if t != nil {
			t.seq = 0
		}
		armed.mu.Unlock()
		if t != nil {
			t.fire()
		}
		return nil
	})
}

// NewTimer returns a Timer that sends the current time on its channel
// after at least d.
func NewTimer(d Duration) *Timer {
	c := make(chan Time, 1)
	t := &Timer{C: c, c: c}
	t.arm(d)
	return t
}

// AfterFunc calls f in its own goroutine after at least d. The returned
// Timer's Stop cancels the call.
func AfterFunc(d Duration, f func()) *Timer {
	t := &Timer{f: f}
	t.arm(d)
	return t
}

// arm starts the host timeout. setTimeout counts whole milliseconds, so d
// is rounded up: a timer never fires early.
func (t *Timer) arm(d Duration) {
	ms := (int64(d) + int64(Millisecond) - 1) / int64(Millisecond)
	if ms < 0 {
		ms = 0
	}
	armed.mu.Lock()
	defer armed.mu.Unlock()
	armed.seq++
	t.seq = armed.seq
	armed.timers[t.seq] = t
	t.handle = setTimeout.Invoke(armed.dispatch, ms, t.seq)
}

func (t *Timer) fire() {
	if t.f != nil {
		go t.f()
		return
	}
	select {
	case t.c <- Now():
	default:
	}
}

// Stop prevents the timer from firing and drops a value it sent that was
// not received yet. It reports whether it did either, that is whether the
// timer's expiry had not been observed.
func (t *Timer) Stop() bool {
	armed.mu.Lock()
	stopped := t.seq != 0
	if stopped {
		clearTimeout.Invoke(t.handle)
		delete(armed.timers, t.seq)
		t.seq = 0
		t.handle = js.Undefined()
	}
	armed.mu.Unlock()
	if t.c != nil {
		select {
		case <-t.c:
			stopped = true
		default:
		}
	}
	return stopped
}

// Reset stops the timer and arms it to fire after d. It reports what Stop
// would have.
func (t *Timer) Reset(d Duration) bool {
	active := t.Stop()
	t.arm(d)
	return active
}
