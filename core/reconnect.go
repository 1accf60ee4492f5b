package core

import (
	"errors"
	"math/rand/v2"
	"strconv"

	"github.com/flooim/floo/internal/lite"
)

// ReconnectStrategy decides how long to wait before a connection attempt
// (STYLE.md §14). attempt counts the consecutive attempts that follow a
// connection loss or a failed attempt: 1 for the first retry, 2 for the
// second, and so on; it restarts at 1 after a successful login.
// Implementations are called from the engine goroutine only.
type ReconnectStrategy interface {
	Delay(attempt int) lite.Duration
}

// JitterBackoff is the default ReconnectStrategy: the first retry is
// immediate (as the uni-app client does after a drop, PROTOCOL.md §5), and
// retry n ≥ 2 waits a uniformly random time in [Min, ceiling], where the
// ceiling doubles from Min with every retry and is capped at Max ("full
// jitter" with a floor, so that a fleet of clients disconnected together
// does not come back in lockstep, yet no retry hammers the server).
type JitterBackoff struct {
	Min, Max lite.Duration
	// Rand returns a uniform value in [0, n); nil means math/rand/v2.
	Rand func(n int64) int64
}

// Delay implements ReconnectStrategy.
func (b *JitterBackoff) Delay(attempt int) lite.Duration {
	if attempt <= 1 || b.Max <= 0 {
		return 0
	}
	lo := b.Min
	if lo > b.Max {
		lo = b.Max
	}
	ceil := lo
	for i := 2; i < attempt && ceil < b.Max; i++ {
		ceil *= 2
		if ceil <= 0 { // overflow
			ceil = b.Max
		}
	}
	if ceil > b.Max {
		ceil = b.Max
	}
	span := int64(ceil - lo)
	if span <= 0 {
		return lo
	}
	r := b.Rand
	if r == nil {
		r = rand.Int64N
	}
	return lo + lite.Duration(r(span+1))
}

// rateLimitDelay is the wait after a RATE_LIMIT_EXCEEDED Provision reply:
// the "longer backoff" of ERRORS.md §2, at least the backoff ceiling.
func (c *Client) rateLimitDelay(attempt int) lite.Duration {
	d := c.cfg.Reconnect.Delay(attempt)
	if d < c.cfg.ReconnectMax {
		d = c.cfg.ReconnectMax
	}
	return d
}

// Fail-over of fireplace hosts (PROTOCOL.md §4.2 step 6): after this many
// failed attempts in a row on one host, the next host is tried.
const fireplaceFailLimit = 5

// scheduleRetry arranges the next connection attempt after a failure or a
// drop, unless the network is known to be offline or the application
// called Disconnect, in which case it waits for SetOnline(true) or
// Reconnect. delay < 0 means "ask the strategy". cause, if any, is
// reported with the state change.
func (c *Client) scheduleRetry(delay lite.Duration, cause *Error) {
	lp := &c.lp
	lp.sched.cancel(lp.retryTask)
	lp.retryTask = nil
	if lp.sess == nil {
		return
	}
	if lp.paused || !lp.online {
		c.setPhase(phasePaused, cause)
		return
	}
	if delay < 0 {
		delay = c.cfg.Reconnect.Delay(lp.attempt)
		if lp.hostImmediate {
			delay = 0
		}
	}
	lp.hostImmediate = false
	c.setWaiting(delay, cause)
	c.log.info("reconnect: attempt " + strconv.Itoa(lp.attempt) + " in " + millis(delay))
	sid := lp.sess.id
	lp.retryTask = lp.sched.after(delay, func() {
		lp.retryTask = nil
		if lp.sess == nil || lp.sess.id != sid || lp.phase != phaseWaiting {
			return
		}
		c.connectNow()
	})
}

// noteAttemptFailure records a failed connection attempt: it bumps the
// attempt counter and rotates to the next fireplace host after
// fireplaceFailLimit failures on the current one. When every host of the
// DNS reply has failed in turn, the next attempt looks DNS up again first
// and starts over from the first host of the new reply (PROTOCOL.md §4.2
// step 6): the service may have moved.
func (c *Client) noteAttemptFailure() {
	lp := &c.lp
	lp.attempt++
	lp.hostFails++
	if lp.hostFails < fireplaceFailLimit {
		return
	}
	lp.hostFails = 0
	d := c.currentDNS()
	if d == nil {
		return
	}
	if lp.fireIdx+1 >= len(d.fireplace) {
		lp.fireIdx = 0
		lp.refreshDNS = true
		c.log.warn("reconnect: every fireplace host failed " + strconv.Itoa(fireplaceFailLimit) + " times, looking DNS up again")
		return
	}
	old := d.fireplace[lp.fireIdx]
	lp.fireIdx++
	// The backoff was for the host given up on: the first attempt on the
	// next one, another node, is made at once (a crashed node's clients
	// reach a live one some 10 s sooner with the default backoff). And
	// the REST client leaves the same node, rather than failing there
	// five times of its own first.
	lp.hostImmediate = true
	c.rest.leave(old)
	c.log.warn("reconnect: " + strconv.Itoa(fireplaceFailLimit) + " failed attempts, switching to " + d.fireplace[lp.fireIdx])
}

// closeGoingAway is the WebSocket close code of an endpoint going down
// (RFC 6455 §7.4.1). The reference server closes every connection with it
// when it drains for a shutdown.
const closeGoingAway = 1001

// serverGoingAway reports whether err says that the server closed the
// connection with 1001. Transports report the close code through a
// CloseCode method of an error in the chain (core/native, jsbridge).
// The chain is walked by hand: errors.AsType would cost the wasm build
// about 0.9 KB brotli for this one check. (No error of the SDK or its
// transports joins several errors.)
func serverGoingAway(err error) bool {
	for ; err != nil; err = errors.Unwrap(err) {
		if ce, ok := err.(interface{ CloseCode() int }); ok {
			return ce.CloseCode() == closeGoingAway
		}
	}
	return false
}

// leaveHost moves to the next fireplace host for the next attempt, when
// the server closed the connection saying it is going away (a node
// draining before a shutdown). The other hosts of the DNS reply are other
// nodes; coming back to this one would only meet refusals and then a
// closed port, five of them before moving on (PROTOCOL.md §4.2 step 6),
// with the backoff in between. The REST client leaves the same node if it
// uses it. With a single host there is nowhere else to go.
func (c *Client) leaveHost() {
	lp := &c.lp
	d := c.currentDNS()
	if d == nil || len(d.fireplace) < 2 {
		return
	}
	old := d.fireplace[lp.fireIdx%len(d.fireplace)]
	lp.fireIdx = (lp.fireIdx + 1) % len(d.fireplace)
	lp.hostFails = 0
	c.log.warn("reconnect: " + old + " is going away, switching to " + d.fireplace[lp.fireIdx])
	c.rest.leave(old)
}

// refreshDNSInBackground repeats the DNS lookup for the REST client once
// every ratel host has failed in turn (PROTOCOL.md §4.2 step 6). It runs
// on the engine goroutine, which keeps one refresh at a time; the lookup
// itself runs on a goroutine of its own. A failed refresh keeps the
// current result.
func (c *Client) refreshDNSInBackground() {
	lp := &c.lp
	if lp.dnsRefreshing {
		return
	}
	lp.dnsRefreshing = true
	c.log.warn("rest: every ratel host failed, looking DNS up again")
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		res, err := c.lookupDNS(c.ctx)
		c.post(func() {
			lp.dnsRefreshing = false
			if err != nil {
				c.log.warn("dns: refresh failed, keeping the current hosts: " + err.Error())
				return
			}
			c.cfg.Storage.Set(dnsStorageKey(c.cfg.AppID), res.data.String())
			c.setDNS(res)
		})
	}()
}

// millis formats d for log lines and error messages as "1500ms":
// Duration.String is not available in the js/wasm build (package lite).
func millis(d lite.Duration) string {
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}
