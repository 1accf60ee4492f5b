package ratel

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Per-account login throttling. The per-IP limit (auth.go) does not stop a
// guesser with many source addresses; this one counts failed password
// checks per account, whatever address they come from. After loginFree
// failures each further failure locks the account's password checks for a
// time that doubles from the first lock-out up to the cap; while locked,
// every password check of the account answers HTTP 429 without looking at
// the password. A success resets the count; failures are forgotten a day
// after the last one.
//
// Identifiers that name no account are counted the same way, by the
// identifier as given, so a lock-out answers the same whether the account
// exists or not: it tells nothing beyond the documented 10000 "user does
// not exist".
const (
	throttleForget = 24 * time.Hour
	// throttleMaxUnknown bounds the entries for identifiers that name no
	// account (anyone can invent them). Entries for real accounts are
	// bounded by the number of accounts and always kept.
	throttleMaxUnknown = 100_000
)

// loginThrottle is safe for concurrent use.
type loginThrottle struct {
	free      int           // failures allowed before the first lock-out
	base, max time.Duration // first lock-out and cap
	now       func() time.Time

	mu        sync.Mutex
	entries   map[string]*throttleEntry // guarded by mu
	unknown   int                       // guarded by mu; entries with account false
	lastSweep time.Time                 // guarded by mu
}

type throttleEntry struct {
	failures int
	until    time.Time // locked until then
	last     time.Time // last failure
	account  bool      // the key names an existing account
}

func newLoginThrottle(free int, base, ceiling time.Duration, now func() time.Time) *loginThrottle {
	return &loginThrottle{free: free, base: base, max: ceiling, now: now, entries: map[string]*throttleEntry{}}
}

// accountKey is the throttle key of an existing account.
func accountKey(uid int64) string { return "u:" + strconv.FormatInt(uid, 10) }

// identifierKey is the throttle key of an identifier that names no account:
// its kind (name, id, login) and its value, folded as user names are.
func identifierKey(kind, value string) string {
	return kind + ":" + strings.ToLower(strings.TrimSpace(value))
}

// wait returns how long key is still locked out, 0 if it is not.
func (l *loginThrottle) wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[key]
	if e == nil {
		return 0
	}
	return max(0, e.until.Sub(l.now()))
}

// fail counts a failed password check of key and locks it out once past
// the free failures.
func (l *loginThrottle) fail(key string, account bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now, false)
	e := l.entries[key]
	if e == nil {
		if !account && l.unknown >= throttleMaxUnknown {
			l.sweep(now, true)
			if l.unknown >= throttleMaxUnknown {
				return // flooded with invented names: they protect no account
			}
		}
		e = &throttleEntry{account: account}
		l.entries[key] = e
		if !account {
			l.unknown++
		}
	}
	e.failures++
	e.last = now
	if over := e.failures - l.free; over > 0 {
		d := l.max
		if over <= 32 {
			d = min(l.max, l.base<<(over-1))
		}
		e.until = now.Add(d)
	}
}

// succeed forgets the failures of key.
func (l *loginThrottle) succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.entries[key]; e != nil {
		l.remove(key, e)
	}
}

func (l *loginThrottle) remove(key string, e *throttleEntry) {
	delete(l.entries, key)
	if !e.account {
		l.unknown--
	}
}

// sweep drops forgotten entries, at most once a minute unless forced; a
// forced sweep also drops every unlocked entry of an unknown identifier.
// l.mu must be held.
func (l *loginThrottle) sweep(now time.Time, force bool) {
	if !force && now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	for k, e := range l.entries {
		locked := now.Before(e.until)
		if !locked && (now.Sub(e.last) > throttleForget || force && !e.account) {
			l.remove(k, e)
		}
	}
}

// lockedOut is the reply to a password check of a locked-out account:
// HTTP 429 like the per-IP limit (the SDK's ServerTooManyRequest), with
// Retry-After.
func lockedOut(c *Call, wait time.Duration) error {
	secs := int64((wait + time.Second - 1) / time.Second)
	c.W.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	return &APIError{Code: CodeTooManyRequests, Status: http.StatusTooManyRequests,
		Message: "too many failed password attempts; retry in " + strconv.FormatInt(secs, 10) + " s"}
}

// checkPasswordThrottled runs check, the password check of the account or
// identifier key, under the throttle: a locked-out key answers 429 without
// running it; a failure of check (an *APIError: wrong password, no such
// user) is counted, its success resets the count.
func (a *API) checkPasswordThrottled(c *Call, key string, account bool, check func() error) error {
	if a.throttle == nil {
		return check()
	}
	if w := a.throttle.wait(key); w > 0 {
		return lockedOut(c, w)
	}
	err := check()
	var ae *APIError
	switch {
	case err == nil:
		a.throttle.succeed(key)
	case errors.As(err, &ae):
		a.throttle.fail(key, account)
	}
	return err
}
