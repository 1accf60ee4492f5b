package core

import (
	"strings"
	"sync"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

// dnsResult is the usable part of a DNS reply (REST.md §3, PROTOCOL.md
// §4.2): the hosts of the group_level 0 entry, flattened cluster after
// cluster so that fail-over walks the hosts of the first cluster, then the
// next cluster's.
type dnsResult struct {
	ratel     []string // ratel base URLs, "https://host"
	fireplace []string // raw-mode XSYNC URLs, "wss://host"
	rtc       []string // media server URLs, "wss://host"
	appStatus string
	data      jsonv.Value // the whole DnsData, for getAppConfig-style getters
}

// DNS probing (PROTOCOL.md §4.2): one health probe started per second, each
// bounded by 10 s.
const (
	dnsProbeInterval = lite.Second
	dnsProbeTimeout  = 10 * lite.Second
)

// Storage key of the cached DNS reply; see the package documentation.
func dnsStorageKey(appID string) string { return "floo.dns." + appID }

// parseDNS validates a DnsData object. private selects
// ServerPrivateDNSParseDataFailed for application-configured DNS servers.
func parseDNS(data jsonv.Value, private bool) (*dnsResult, error) {
	fail := func(why string) error {
		code := ServerDNSParseDataFailed
		if private {
			code = ServerPrivateDNSParseDataFailed
		}
		e := NewError(code, "unusable DNS reply: "+why)
		e.Source = SourceDNS
		return e
	}
	if data.Kind() != jsonv.KindObject {
		return nil, fail("data is not an object")
	}
	list := data.Get("dns_list")
	if list.Kind() != jsonv.KindArray {
		return nil, fail("dns_list is not an array")
	}
	var clusters jsonv.Value
	found := false
	for _, e := range list.Elements() {
		if lvl, ok := e.Get("group_level").AsInt64(); ok && lvl == 0 {
			clusters, found = e.Get("clusters"), true
			break
		}
	}
	if !found {
		return nil, fail("no group_level 0 entry")
	}
	if clusters.Kind() != jsonv.KindArray || clusters.Len() == 0 {
		return nil, fail("no clusters")
	}
	r := &dnsResult{data: data}
	r.appStatus, _ = data.Get("app_status").AsString()
	for _, cl := range clusters.Elements() {
		ratel := dnsHosts(cl.Get("ratel"), false)
		fire := dnsHosts(cl.Get("webim"), true)
		if len(fire) == 0 {
			fire = dnsHosts(cl.Get("ws"), true) // DNS v1 name
		}
		rtc := dnsHosts(cl.Get("rtc"), true)
		if len(ratel) == 0 || len(fire) == 0 || len(rtc) == 0 {
			// The official clients discard the whole reply in this case
			// (PROTOCOL.md §17 rule 8); so do we, to behave alike.
			return nil, fail("a cluster lacks ratel, webim or rtc hosts")
		}
		r.ratel = append(r.ratel, ratel...)
		r.fireplace = append(r.fireplace, fire...)
		r.rtc = append(r.rtc, rtc...)
	}
	return r, nil
}

// dnsHosts turns a list of {protocol, host} entries into URLs: http(s) for
// ratel, ws(s) for the socket and RTC (PROTOCOL.md §4.2 step 4).
func dnsHosts(list jsonv.Value, socket bool) []string {
	var out []string
	for _, h := range list.Elements() {
		host, _ := h.Get("host").AsString()
		host = strings.TrimSpace(host)
		if host == "" {
			continue
		}
		proto, _ := h.Get("protocol").AsString()
		secure := proto != "http"
		var scheme string
		switch {
		case socket && secure:
			scheme = "wss://"
		case socket:
			scheme = "ws://"
		case secure:
			scheme = "https://"
		default:
			scheme = "http://"
		}
		out = append(out, scheme+host)
	}
	return out
}

// dnsCandidates returns the DNS URLs to try: the configured one alone, or
// the DNS servers of the cached reply, or the built-in default.
func (c *Client) dnsCandidates() (urls []string, private bool) {
	if c.cfg.DNSServer != "" {
		return []string{c.cfg.DNSServer}, !strings.Contains(c.cfg.DNSServer, "lanyingim.com")
	}
	if raw, ok := c.cfg.Storage.Get(dnsStorageKey(c.cfg.AppID)); ok {
		if v, err := jsonv.ParseString(raw); err == nil {
			for _, s := range v.Get("dns_server_list").Elements() {
				if d, ok := s.Get("domain").AsString(); ok && d != "" {
					urls = append(urls, "https://"+d+"/v2/app_dns")
				}
			}
		}
	}
	if len(urls) == 0 {
		urls = []string{DefaultDNSServer}
	}
	return urls, false
}

// resolveDNS returns the DNS result to use: the in-memory one, a fresh
// lookup, or, when the lookup fails for a retryable reason, the reply cached
// in Storage by an earlier run (the official clients reuse it too).
func (c *Client) resolveDNS(ctx lite.Context, cached *dnsResult) (*dnsResult, error) {
	if cached != nil {
		return cached, nil
	}
	res, err := c.lookupDNS(ctx)
	if err == nil {
		c.cfg.Storage.Set(dnsStorageKey(c.cfg.AppID), res.data.String())
		return res, nil
	}
	if CodeOf(err).Class() == Retryable {
		if raw, ok := c.cfg.Storage.Get(dnsStorageKey(c.cfg.AppID)); ok {
			if v, perr := jsonv.ParseString(raw); perr == nil {
				if r, perr := parseDNS(v, false); perr == nil && FromAppStatus(r.appStatus) == nil {
					c.log.warn("dns: lookup failed, using the cached reply: " + err.Error())
					return r, nil
				}
			}
		}
	}
	return nil, err
}

// lookupDNS performs the DNS lookup of PROTOCOL.md §4.2.
func (c *Client) lookupDNS(ctx lite.Context) (*dnsResult, error) {
	cands, private := c.dnsCandidates()
	dnsURL := cands[0]
	if len(cands) > 1 {
		u, err := c.probeDNS(ctx, cands)
		if err != nil {
			return nil, err
		}
		dnsURL = u
	}
	url := appendQuery(dnsURL, [][2]string{{"app_id", c.cfg.AppID}, {"source", "sdk"}})
	req := &HTTPRequest{Method: "GET", URL: url, Header: map[string]string{"app_id": c.cfg.AppID}}
	data, err := c.rest.roundTrip(ctx, req, false, true)
	if err != nil {
		return nil, dnsFetchError(err, url)
	}
	// app_status first: a frozen app stops the login whatever the rest of
	// the reply looks like.
	if st, _ := data.Get("app_status").AsString(); FromAppStatus(st) != nil {
		return nil, FromAppStatus(st)
	}
	return parseDNS(data, private)
}

// dnsFetchError maps a failed DNS request: transport failures and unusable
// HTTP replies are ServerDNSFetchFailed (retryable), a cancellation is
// ServerDNSUserCancelFailed, and envelope errors are already mapped by
// FromDNSReply (ERRORS.md §5).
func dnsFetchError(err error, url string) error {
	var e *Error
	if !asError(err, &e) {
		return WrapError(ServerDNSFetchFailed, SourceDNS, err)
	}
	if e.Source == SourceDNS {
		return e
	}
	code := ServerDNSFetchFailed
	if e.Code == UserCancel {
		code = ServerDNSUserCancelFailed
	}
	out := WrapError(code, SourceDNS, e)
	out.URL = url
	return out
}

// probeDNS health-probes the candidates, starting one per second (or at
// once when the previous ones have all failed), and returns the first that
// answers GET /api/health with 200 (PROTOCOL.md §4.2 step 2).
func (c *Client) probeDNS(ctx lite.Context, cands []string) (string, error) {
	ctx, cancel := lite.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	results := make(chan int, len(cands)) // index of a healthy candidate, or -1
	start := func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, pcancel := lite.WithTimeout(ctx, dnsProbeTimeout)
			defer pcancel()
			req := &HTTPRequest{Method: "GET", URL: urlOrigin(cands[i]) + "/api/health", Header: map[string]string{"app_id": c.cfg.AppID}}
			resp, err := c.cfg.HTTP.Do(pctx, req)
			if err == nil && resp.Status == 200 {
				results <- i
				return
			}
			results <- -1
		}()
	}
	timer := c.clock.NewTimer(dnsProbeInterval)
	defer timer.Stop()
	start(0)
	next, running := 1, 1
	for running > 0 || next < len(cands) {
		select {
		case i := <-results:
			running--
			if i >= 0 {
				return cands[i], nil
			}
			if running == 0 && next < len(cands) {
				start(next)
				next++
				running++
				timer.Reset(dnsProbeInterval)
			}
		case <-timer.C():
			if next < len(cands) {
				start(next)
				next++
				running++
				timer.Reset(dnsProbeInterval)
			}
		case <-ctx.Done():
			e := WrapError(ServerDNSUserCancelFailed, SourceDNS, ctx.Err())
			return "", e
		}
	}
	e := NewError(ServerDNSHealthCheckFailed, "no DNS server passed the health probe")
	e.Source = SourceDNS
	return "", e
}

// urlOrigin returns scheme://host of url.
func urlOrigin(url string) string {
	i := strings.Index(url, "://")
	if i < 0 {
		return url
	}
	rest := url[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		return url[:i+3+j]
	}
	return url
}
