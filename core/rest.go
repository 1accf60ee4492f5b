package core

import (
	"strconv"
	"strings"
	"sync"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

// RESTRequest is one call of the ratel REST API (REST.md §2).
type RESTRequest struct {
	Method string // "GET" or "POST" (others are passed through)
	Path   string // relative to the ratel base URL, e.g. "/roster/list"
	// Query holds query parameters, in order. POST endpoints marked (q) in
	// REST.md carry their parameters here, with an empty JSON body.
	Query [][2]string
	// Body is the raw JSON body, or nil. A POST without a body sends "{}".
	Body []byte
}

// Fail-over rule for ratel hosts (REST.md §2.6): after restFailLimit
// transport failures or 5xx replies within restFailWindow, move on to the
// next host.
const (
	restFailLimit  = 5
	restFailWindow = 30 * lite.Minute
)

// restClient performs REST calls against the current ratel host: headers,
// envelope decoding, error mapping and host fail-over. It is safe for
// concurrent use.
type restClient struct {
	doer    HTTPDoer
	appID   string
	timeout lite.Duration
	clock   Clock
	log     logger

	// onInvalidToken is called, without locks held, the first time a REST
	// call answers 402 for a given token (the official clients ask for a
	// new login once per token, REST.md §2.4).
	onInvalidToken func(token string)
	// onHostsExhausted is called, without locks held, when every ratel host
	// has failed in turn: the DNS lookup should be repeated (PROTOCOL.md
	// §4.2 step 6).
	onHostsExhausted func()

	mu        sync.Mutex
	token     string      // guarded by mu; access-token header, "" before login
	hosts     []string    // guarded by mu; ratel base URLs from DNS
	idx       int         // guarded by mu; current host
	failures  []lite.Time // guarded by mu; recent failures of the current host
	report402 string      // guarded by mu; token already reported as invalid
}

func (r *restClient) setToken(token string) {
	r.mu.Lock()
	r.token = token
	r.mu.Unlock()
}

func (r *restClient) currentToken() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.token
}

// setHosts installs the ratel hosts of a DNS result, keeping the current one
// if it is still listed.
func (r *restClient) setHosts(hosts []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := ""
	if r.idx < len(r.hosts) {
		cur = r.hosts[r.idx]
	}
	r.hosts = append([]string(nil), hosts...)
	r.idx = 0
	for i, h := range r.hosts {
		if h == cur {
			r.idx = i
		}
	}
	r.failures = nil
}

// baseURL returns the current ratel base URL, "" before DNS.
func (r *restClient) baseURL() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.idx < len(r.hosts) {
		return r.hosts[r.idx]
	}
	return ""
}

// noteFailure counts a transport failure or 5xx of host and moves to the
// next host after restFailLimit of them within restFailWindow. Once the
// last host has failed too it starts over from the first one and reports
// that the DNS lookup should be repeated.
func (r *restClient) noteFailure(host string) {
	r.mu.Lock()
	if r.idx >= len(r.hosts) || r.hosts[r.idx] != host {
		r.mu.Unlock()
		return // already moved on
	}
	now := r.clock.Now()
	keep := r.failures[:0]
	for _, t := range r.failures {
		if now.Sub(t) < restFailWindow {
			keep = append(keep, t)
		}
	}
	r.failures = append(keep, now)
	exhausted := false
	if len(r.failures) >= restFailLimit {
		r.failures = nil
		r.idx++
		if r.idx >= len(r.hosts) {
			r.idx = 0
			exhausted = true
		} else {
			r.log.warn("rest: " + strconv.Itoa(restFailLimit) + " failures on " + host + ", switching to " + r.hosts[r.idx])
		}
	}
	r.mu.Unlock()
	if exhausted && r.onHostsExhausted != nil {
		r.onHostsExhausted()
	}
}

// leave moves to the next ratel host when the current one is on the
// machine of url (any scheme: the fireplace URL of a node going away, which
// the engine logs), so REST calls do not fail there first.
func (r *restClient) leave(url string) {
	_, node, _ := strings.Cut(url, "://")
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.hosts) < 2 || r.idx >= len(r.hosts) {
		return
	}
	if _, cur, _ := strings.Cut(r.hosts[r.idx], "://"); cur != node {
		return
	}
	r.idx = (r.idx + 1) % len(r.hosts)
	r.failures = nil
}

// call performs req against the current ratel host and returns the
// envelope's data. tokenEndpoint selects the token error mapping (ERRORS.md
// §4.2) and suppresses invalid-token handling.
func (r *restClient) call(ctx lite.Context, req RESTRequest, tokenEndpoint bool) (jsonv.Value, error) {
	return r.callToken(ctx, req, tokenEndpoint, r.currentToken())
}

// callToken is call with an explicit access token ("" for none), for the
// login steps that run before the session's token is installed.
func (r *restClient) callToken(ctx lite.Context, req RESTRequest, tokenEndpoint bool, token string) (jsonv.Value, error) {
	base := r.baseURL()
	if base == "" {
		return jsonv.Value{}, NewError(ServerNotReachable, "ratel host unknown: service discovery has not completed")
	}
	url := base + req.Path
	if len(req.Query) > 0 {
		url += "?" + encodeQuery(req.Query)
	}
	hreq := &HTTPRequest{Method: req.Method, URL: url, Header: map[string]string{"app_id": r.appID}, Body: req.Body}
	if token != "" {
		hreq.Header["access-token"] = token
	}
	if hreq.Body == nil && req.Method == "POST" {
		hreq.Body = []byte("{}")
	}
	if hreq.Body != nil {
		hreq.Header["Content-Type"] = "application/json"
	}
	data, err := r.roundTrip(ctx, hreq, tokenEndpoint, false)
	if err != nil {
		var e *Error
		if asError(err, &e) && e.Source == SourceTransport {
			r.noteFailureIfCounted(base, e)
		}
		if e != nil && e.Code == InvalidToken && e.ServerCode == errRESTTokenInvalid && !tokenEndpoint && token != "" {
			r.invalidToken(token)
		}
		return jsonv.Value{}, err
	}
	return data, nil
}

// noteFailureIfCounted counts transport failures and 5xx replies only
// (REST.md §2.6 Recommended); 4xx and malformed replies are not the host's
// fault in a way switching would fix.
func (r *restClient) noteFailureIfCounted(host string, e *Error) {
	switch e.Code {
	case ServerNotReachable, ServerConnectFailed, ServerTimeOut, ServerBusy:
		r.noteFailure(host)
	}
}

func (r *restClient) invalidToken(token string) {
	r.mu.Lock()
	first := r.report402 != token
	r.report402 = token
	r.mu.Unlock()
	if first && r.onInvalidToken != nil {
		r.onInvalidToken(token)
	}
}

// roundTrip sends hreq and decodes the {code, message, data} envelope.
// dns selects the DNS error mapping (FromDNSReply).
func (r *restClient) roundTrip(ctx lite.Context, hreq *HTTPRequest, tokenEndpoint, dns bool) (jsonv.Value, error) {
	ctx, cancel := lite.WithTimeout(ctx, r.timeout)
	defer cancel()
	resp, err := r.doer.Do(ctx, hreq)
	if err != nil {
		return jsonv.Value{}, withURL(FromTransportError(err), hreq.URL)
	}
	if e := FromHTTPStatus(resp.Status, hreq.URL); e != nil {
		return jsonv.Value{}, e
	}
	env, perr := jsonv.Parse(resp.Body)
	code, ok := env.Get("code").AsInt64()
	if perr != nil || !ok {
		e := NewError(ServerResponseInvalid, "malformed reply envelope")
		e.Source = SourceTransport
		e.URL = hreq.URL
		e.Cause = perr
		return jsonv.Value{}, e
	}
	msg, _ := env.Get("message").AsString()
	var e *Error
	if dns {
		e = FromDNSReply(int(code), msg, hreq.URL)
	} else {
		e = FromREST(int(code), msg, hreq.URL, tokenEndpoint)
	}
	if e != nil {
		return jsonv.Value{}, e
	}
	return env.Get("data"), nil
}

// withURL returns e with its URL set, copying it when the transport gave
// us a shared *Error.
func withURL(e *Error, url string) *Error {
	if e == nil || e.URL != "" || e.Code == UserCancel {
		return e
	}
	cp := *e
	cp.URL = url
	return &cp
}

// encodeQuery renders params as a query string. It escapes everything but
// the unreserved characters of RFC 3986, which is always safe, and avoids
// net/url (which pulls fmt into the wasm build).
func encodeQuery(params [][2]string) string {
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		escapeQuery(&b, p[0])
		b.WriteByte('=')
		escapeQuery(&b, p[1])
	}
	return b.String()
}

func escapeQuery(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

// appendQuery adds params to url with '?' or '&' as needed.
func appendQuery(url string, params [][2]string) string {
	if len(params) == 0 {
		return url
	}
	sep := "?"
	if strings.IndexByte(url, '?') >= 0 {
		sep = "&"
	}
	return url + sep + encodeQuery(params)
}
