package ratel

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/flooim/floo/server/store"
)

// credential returns a header value, falling back to the query parameter of
// the same name (REST.md §2.1: image src and download URLs cannot carry
// headers).
func credential(r *http.Request, q map[string][]string, name string) string {
	if v := strings.TrimSpace(r.Header.Get(name)); v != "" {
		return v
	}
	if vs := q[name]; len(vs) > 0 {
		return strings.TrimSpace(vs[0])
	}
	return ""
}

// checkApp rejects a request naming another app with 40000. A request with no
// app id at all is accepted: every official client sends one, and requiring
// it would only get in the way of curl.
func (a *API) checkApp(c *Call) error {
	if id := credential(c.R, c.query, "app_id"); id != "" && id != a.opts.AppID {
		return Fail(CodeAppNotExist, "app id does not exist")
	}
	return nil
}

// authenticate resolves the access token (REST.md §2.4/§2.5): missing →
// 10003, unknown or expired → 402.
func (a *API) authenticate(c *Call) error {
	tok := credential(c.R, c.query, "access-token")
	if tok == "" {
		return Fail(CodeMissingToken, "access-token missing")
	}
	t, err := a.st.LookupToken(c.Ctx, store.HashToken(tok), a.now().UnixMilli())
	if errors.Is(err, store.ErrNotFound) {
		return Fail(CodeTokenInvalid, "access token invalid or expired")
	}
	if err != nil {
		return err
	}
	c.UID, c.Token, c.DeviceGUID = t.UserID, tok, t.DeviceGUID
	return nil
}

// clientIP is the peer address of the request. X-Forwarded-For is not
// trusted: anyone could set it to escape the rate limit.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limited applies the per-IP rate limit of token and registration
// endpoints: HTTP 429, which the SDK reports as ServerTooManyRequest.
func (a *API) limited(c *Call) error {
	if a.limiter == nil || a.limiter.allow(clientIP(c.R)) {
		return nil
	}
	return &APIError{Code: CodeTooManyRequests, Message: "too many requests", Status: http.StatusTooManyRequests}
}

// rateLimiter is a token bucket per key: rate tokens per window, burst of
// the same size. Idle buckets are swept so the map stays small.
type rateLimiter struct {
	mu        sync.Mutex
	buckets   map[string]*bucket
	rate      float64 // tokens per nanosecond
	burst     float64
	now       func() time.Time
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(n int, window time.Duration, now func() time.Time) *rateLimiter {
	return &rateLimiter{
		buckets: map[string]*bucket{},
		rate:    float64(n) / float64(window),
		burst:   float64(n),
		now:     now,
	}
}

func (l *rateLimiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastSweep) > time.Minute {
		l.lastSweep = now
		full := time.Duration(l.burst / l.rate)
		for k, b := range l.buckets {
			if now.Sub(b.last) > full {
				delete(l.buckets, k)
			}
		}
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.last))*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
