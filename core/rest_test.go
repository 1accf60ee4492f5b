package core

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

func TestEncodeQuery(t *testing.T) {
	assert.Equal(t, "a%20b=c%26d&x=%E4%BD%A0-_.~", encodeQuery([][2]string{{"a b", "c&d"}, {"x", "你-_.~"}}))
	assert.Equal(t, "https://h/p?a=1", appendQuery("https://h/p", [][2]string{{"a", "1"}}))
	assert.Equal(t, "https://h/p?z=0&a=1", appendQuery("https://h/p?z=0", [][2]string{{"a", "1"}}))
	assert.Equal(t, "https://h/p", appendQuery("https://h/p", nil))
	assert.Equal(t, "https://h:8080", urlOrigin("https://h:8080/v2/app_dns?x=1"))
	assert.Equal(t, "https://h", urlOrigin("https://h"))
}

func TestRESTCall(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.HTTP.handle("/echo", func(r *HTTPRequest) (*HTTPResponse, error) {
		return envelope(200, "", `{"method":"`+r.Method+`","n":12345678901234567890}`), nil
	})
	c, _ := newTestClient(t, srv, nil, nil)

	// Before login: DNS first, no token header.
	data, err := c.Call(ctxT(t), RESTRequest{Method: "GET", Path: "/echo", Query: [][2]string{{"q", "a b"}}})
	require.NoError(t, err)
	n, ok := data.Get("n").Uint64()
	assert.True(t, ok)
	assert.Equal(t, uint64(12345678901234567890), n, "64-bit values survive")
	r := srv.HTTP.requests("/echo")[0]
	assert.Equal(t, fakeRatel+"/echo?q=a%20b", r.URL)
	assert.Equal(t, fakeAppID, r.Header["app_id"])
	_, hasTok := r.Header["access-token"]
	assert.False(t, hasTok)
	assert.Nil(t, r.Body)

	loginAs(t, c, 1001, tok)
	_, err = c.Call(ctxT(t), RESTRequest{Method: "POST", Path: "/echo"})
	require.NoError(t, err)
	r = srv.HTTP.requests("/echo")[1]
	assert.Equal(t, tok, r.Header["access-token"])
	assert.Equal(t, "{}", string(r.Body), "(q) POSTs carry an empty JSON body")
	assert.Equal(t, "application/json", r.Header["Content-Type"])

	_, err = c.Call(ctxT(t), RESTRequest{Method: "GET", Path: "echo"})
	assert.True(t, IsCode(err, InvalidParam))
}

func TestRESTErrors(t *testing.T) {
	srv := newFakeServer(t)
	c, _ := newTestClient(t, srv, nil, nil)
	srv.HTTP.handle("/e500", func(r *HTTPRequest) (*HTTPResponse, error) { return &HTTPResponse{Status: 503}, nil })
	srv.HTTP.handle("/e429", func(r *HTTPRequest) (*HTTPResponse, error) { return &HTTPResponse{Status: 429}, nil })
	srv.HTTP.handle("/html", func(r *HTTPRequest) (*HTTPResponse, error) {
		return &HTTPResponse{Status: 200, Body: []byte("<html>")}, nil
	})
	srv.HTTP.handle("/nocode", func(r *HTTPRequest) (*HTTPResponse, error) {
		return &HTTPResponse{Status: 200, Body: []byte(`{"data":1}`)}, nil
	})
	srv.HTTP.handle("/biz", func(r *HTTPRequest) (*HTTPResponse, error) { return envelope(20001, "no such group", ""), nil })
	srv.HTTP.handle("/net", func(r *HTTPRequest) (*HTTPResponse, error) { return nil, errors.New("connection refused") })
	srv.HTTP.handle("/slow", func(r *HTTPRequest) (*HTTPResponse, error) { return nil, lite.DeadlineExceeded })
	for path, code := range map[string]Code{
		"/e500": ServerBusy, "/e429": ServerTooManyRequest, "/html": ServerResponseInvalid,
		"/nocode": ServerResponseInvalid, "/biz": GroupNotExist, "/net": ServerConnectFailed, "/slow": ServerTimeOut,
	} {
		_, err := c.Call(ctxT(t), RESTRequest{Method: "GET", Path: path})
		var e *Error
		require.True(t, errors.As(err, &e), path)
		assert.Equal(t, code, e.Code, path)
		assert.Equal(t, fakeRatel+path, e.URL, path)
	}
	_, err := c.Call(ctxT(t), RESTRequest{Method: "GET", Path: "/biz"})
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, SourceREST, e.Source)
	assert.Equal(t, 20001, e.ServerCode)
	assert.Equal(t, "no such group", e.Message)
	assert.Equal(t, 20001, e.FacadeCode())
}

func TestRESTInvalidTokenRelogin(t *testing.T) {
	srv := newFakeServer(t)
	srv.AddUser(1001, "alice", "pw")
	c, rec := newTestClient(t, srv, nil, nil)
	require.NoError(t, c.Login(ctxT(t), "alice", "pw"))
	old := c.Token()
	fresh := srv.RevokeTokens(1001)
	srv.HTTP.handle("/needs-token", func(r *HTTPRequest) (*HTTPResponse, error) {
		if r.Header["access-token"] != fresh {
			return envelope(402, "token expired", ""), nil
		}
		return envelope(200, "", `true`), nil
	})
	for i := 0; i < 3; i++ {
		_, err := c.Call(ctxT(t), RESTRequest{Method: "GET", Path: "/needs-token"})
		if err == nil {
			break
		}
		assert.True(t, IsCode(err, InvalidToken), err)
		eventually(t, func() bool { return c.Token() != old }, "a new token")
	}
	assert.Equal(t, fresh, c.Token())
	_, err := c.Call(ctxT(t), RESTRequest{Method: "GET", Path: "/needs-token"})
	require.NoError(t, err)
	waitIdle(t, c)
	n := 0
	for _, e := range rec.named(EventFlooNotice) {
		if e.(FlooNotice).Desc == NoticeRelogin {
			n++
		}
	}
	assert.Equal(t, 1, n, "one relogin notice per token")
	assert.Len(t, srv.HTTP.requests("/token/user"), 2)
}

func TestRESTHostFailover(t *testing.T) {
	srv := newFakeServer(t)
	srv.HTTP.handle("GET /v2/app_dns", func(r *HTTPRequest) (*HTTPResponse, error) {
		return envelope(200, "", `{"app_status":"normal","dns_list":[{"group_level":0,"clusters":[
			{"ratel":[{"protocol":"https","host":"r1.test"},{"protocol":"http","host":"r2.test"}],"webim":[{"protocol":"https","host":"fire.test"}],"rtc":[{"protocol":"https","host":"rtc.test"}]}]}]}`), nil
	})
	var hosts []string
	srv.HTTP.handle("/flaky", func(r *HTTPRequest) (*HTTPResponse, error) {
		host, _, _ := splitURL(r.URL)
		hosts = append(hosts, host)
		if host == "r1.test" {
			return &HTTPResponse{Status: 502}, nil
		}
		return envelope(200, "", "1"), nil
	})
	srv.HTTP.handle("/biz", func(r *HTTPRequest) (*HTTPResponse, error) { return envelope(10002, "bad", ""), nil })
	c, _ := newTestClient(t, srv, nil, nil)
	// Business errors do not count.
	for i := 0; i < 6; i++ {
		_, err := c.Call(ctxT(t), RESTRequest{Method: "GET", Path: "/biz"})
		require.Error(t, err)
	}
	r, _, _ := c.Servers()
	assert.Equal(t, "https://r1.test", r)
	for i := 0; i < 6; i++ {
		c.Call(ctxT(t), RESTRequest{Method: "GET", Path: "/flaky"})
	}
	assert.Equal(t, []string{"r1.test", "r1.test", "r1.test", "r1.test", "r1.test", "r2.test"}, hosts)
	r, _, _ = c.Servers()
	assert.Equal(t, "http://r2.test", r)
}

// TestRESTHostsExhaustedLooksDNSUpAgain: when the last ratel host has
// failed five times too, the DNS lookup is repeated and its hosts replace
// the old ones (PROTOCOL.md §4.2 step 6).
func TestRESTHostsExhaustedLooksDNSUpAgain(t *testing.T) {
	srv := newFakeServer(t)
	var lookups atomic.Int32
	srv.HTTP.handle("GET /v2/app_dns", func(r *HTTPRequest) (*HTTPResponse, error) {
		ratel := `{"protocol":"https","host":"r1.test"},{"protocol":"https","host":"r2.test"}`
		if lookups.Add(1) > 1 {
			ratel = `{"protocol":"https","host":"r3.test"}`
		}
		return envelope(200, "", `{"app_status":"normal","dns_list":[{"group_level":0,"clusters":[
			{"ratel":[`+ratel+`],"webim":[{"protocol":"https","host":"fire.test"}],"rtc":[{"protocol":"https","host":"rtc.test"}]}]}]}`), nil
	})
	srv.HTTP.handle("/flaky", func(r *HTTPRequest) (*HTTPResponse, error) {
		if host, _, _ := splitURL(r.URL); host != "r3.test" {
			return &HTTPResponse{Status: 503}, nil
		}
		return envelope(200, "", "1"), nil
	})
	c, _ := newTestClient(t, srv, nil, nil)
	for i := 0; i < 10; i++ {
		_, err := c.Call(ctxT(t), RESTRequest{Method: "GET", Path: "/flaky"})
		require.True(t, IsCode(err, ServerBusy), err)
	}
	eventually(t, func() bool { r, _, _ := c.Servers(); return r == "https://r3.test" }, "the new DNS reply's host")
	assert.Equal(t, int32(2), lookups.Load())
	v, err := c.Call(ctxT(t), RESTRequest{Method: "GET", Path: "/flaky"})
	require.NoError(t, err)
	n, _ := v.AsInt64()
	assert.Equal(t, int64(1), n)
}

func dnsData(extra string) string {
	return `{"app_status":"normal"` + extra + `,"dns_list":[{"group_level":1,"clusters":[]},{"group_level":0,"clusters":[{"ratel":[{"protocol":"https","host":"ratel.test"}],"webim":[{"protocol":"https","host":"fire.test"}],"rtc":[{"protocol":"https","host":"rtc.test"}]}]}]}`
}

func TestParseDNS(t *testing.T) {
	parse := func(s string, private bool) (*dnsResult, error) {
		v, err := jsonv.ParseString(s)
		require.NoError(t, err)
		return parseDNS(v, private)
	}
	r, err := parse(dnsData(""), false)
	require.NoError(t, err)
	assert.Equal(t, []string{"https://ratel.test"}, r.ratel, "first group_level 0 entry")
	assert.Equal(t, []string{"wss://fire.test"}, r.fireplace)
	r, err = parse(`{"dns_list":[{"group_level":0,"clusters":[{"ratel":[{"protocol":"http","host":"r:81"}],"ws":[{"protocol":"http","host":"w:82/x"}],"rtc":[{"host":"rtc"}]},
		{"ratel":[{"protocol":"https","host":"r2"}],"webim":[{"protocol":"https","host":"w2"}],"rtc":[{"protocol":"https","host":"rtc2"}]}]}]}`, false)
	require.NoError(t, err)
	assert.Equal(t, []string{"http://r:81", "https://r2"}, r.ratel)
	assert.Equal(t, []string{"ws://w:82/x", "wss://w2"}, r.fireplace, "DNS v1 ws list and http → ws")
	assert.Equal(t, []string{"wss://rtc", "wss://rtc2"}, r.rtc)

	for _, bad := range []string{
		`[]`,
		`{"dns_list":{}}`,
		`{"dns_list":[{"group_level":1,"clusters":[]}]}`,
		`{"dns_list":[{"group_level":0,"clusters":[]}]}`,
		`{"dns_list":[{"group_level":0,"clusters":[{"ratel":[{"host":"r"}],"webim":[{"host":"w"}]}]}]}`,
		`{"dns_list":[{"group_level":0,"clusters":[{"ratel":[{"host":"r"}],"webim":[],"rtc":[{"host":"x"}]}]}]}`,
	} {
		_, err := parse(bad, false)
		assert.True(t, IsCode(err, ServerDNSParseDataFailed), "%s: %v", bad, err)
		_, err = parse(bad, true)
		assert.True(t, IsCode(err, ServerPrivateDNSParseDataFailed), bad)
	}
}

func TestDNSProbesSavedServers(t *testing.T) {
	srv := newFakeServer(t)
	st := NewMemoryStorage()
	st.Set(dnsStorageKey(fakeAppID), `{"dns_server_list":[{"domain":"d1.test"},{"domain":"d2.test"}]}`)
	var probes []string
	srv.HTTP.handle("/api/health", func(r *HTTPRequest) (*HTTPResponse, error) {
		host, _, _ := splitURL(r.URL)
		probes = append(probes, host)
		if host == "d1.test" {
			return &HTTPResponse{Status: 500}, nil
		}
		return &HTTPResponse{Status: 200}, nil
	})
	c, _ := newTestClient(t, srv, st, func(cfg *Config) { cfg.DNSServer = "" })
	require.NoError(t, c.waitDNS(ctxT(t)))
	assert.Equal(t, []string{"d1.test", "d2.test"}, probes)
	dns := srv.HTTP.requests("/v2/app_dns")
	require.Len(t, dns, 1)
	assert.Equal(t, "https://d2.test/v2/app_dns?app_id="+fakeAppID+"&source=sdk", dns[0].URL)
	saved, _ := st.Get(dnsStorageKey(fakeAppID))
	assert.Contains(t, saved, `"dns.test"`, "the new reply is cached")

	// Every probe failing.
	srv.HTTP.handle("/api/health", func(r *HTTPRequest) (*HTTPResponse, error) { return &HTTPResponse{Status: 503}, nil })
	st.Set(dnsStorageKey(fakeAppID), `{"dns_server_list":[{"domain":"d1.test"},{"domain":"d2.test"},{"domain":"d3.test"}]}`)
	_, err := c.lookupDNS(ctxT(t))
	assert.True(t, IsCode(err, ServerDNSHealthCheckFailed), err)
	assert.Equal(t, Retryable, CodeOf(err).Class())

	// No saved list: the built-in default, unprobed.
	st2 := NewMemoryStorage()
	c2, _ := newTestClient(t, srv, st2, func(cfg *Config) { cfg.DNSServer = "" })
	urls, private := c2.dnsCandidates()
	assert.Equal(t, []string{DefaultDNSServer}, urls)
	assert.False(t, private)
}

func TestDNSAppStatusAndErrors(t *testing.T) {
	for _, tc := range []struct {
		reply    *HTTPResponse
		code     Code
		category string
	}{
		{envelope(200, "", `{"app_status":"frozen","dns_list":[]}`), ServerAppFrozen, "APP_FROZEN"},
		{envelope(200, "", `{"app_status":"banned","dns_list":[{"group_level":0,"clusters":[{"ratel":[{"host":"r"}],"webim":[{"host":"w"}],"rtc":[{"host":"x"}]}]}]}`), ServerAppStatusNotNormal, "APP_BANNED"},
		{envelope(40000, "unknown app", ""), ServerDNSAppIdInvalid, "DNS_FAILED"},
	} {
		srv := newFakeServer(t)
		tok := srv.AddUser(1001, "alice", "pw")
		srv.HTTP.handle("GET /v2/app_dns", func(r *HTTPRequest) (*HTTPResponse, error) { return tc.reply, nil })
		c, rec := newTestClient(t, srv, nil, nil)
		err := c.TokenLogin(ctxT(t), 1001, tok)
		assert.True(t, IsCode(err, tc.code), "%v", err)
		fe := rec.waitName(t, EventFlooError, 1).(FlooError)
		assert.Equal(t, tc.category, fe.Category)
		assert.Equal(t, StateIdle, c.State())
	}
}

func TestDNSRetryAndCacheFallback(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	good := srv.HTTP.handlers["GET /v2/app_dns"]
	var fails atomic.Int32
	fails.Store(2)
	srv.HTTP.handle("GET /v2/app_dns", func(r *HTTPRequest) (*HTTPResponse, error) {
		if fails.Add(-1) >= 0 {
			return nil, errors.New("dns down")
		}
		return good(r)
	})
	c, rec := newTestClient(t, srv, nil, nil)
	done := make(chan error, 1)
	go func() { done <- c.TokenLogin(ctxT(t), 1001, tok) }()
	fe := rec.waitName(t, EventFlooError, 1).(FlooError)
	assert.Equal(t, "DNS_FAILED", fe.Category)
	assert.Equal(t, ServerDNSFetchFailed, fe.Err.Code)
	// Attempt 1 is immediate, attempt 2 waits the backoff.
	eventually(t, func() bool { return len(srv.HTTP.requests("/v2/app_dns")) == 2 }, "second lookup")
	waitState(t, c, StateReconnecting)
	advance(t, srv, lite.Second)
	require.NoError(t, <-done)

	// A later client whose lookup fails uses the reply cached in storage.
	st := NewMemoryStorage()
	st.Set(dnsStorageKey(fakeAppID), strings.TrimSpace(dnsData("")))
	srv.HTTP.handle("GET /v2/app_dns", func(r *HTTPRequest) (*HTTPResponse, error) { return nil, errors.New("dns down") })
	c2, _ := newTestClient(t, srv, st, nil)
	loginAs(t, c2, 1001, tok)
	r, _, _ := c2.Servers()
	assert.Equal(t, fakeRatel, r)
}

func TestTokenData(t *testing.T) {
	v, _ := jsonv.ParseString(`{"token":"t","user_id":"42","expire":1700000000000,"public_key":"","encrypt_type":0}`)
	td, err := parseTokenData(v, "u")
	require.NoError(t, err)
	assert.Equal(t, "t", td.Token)
	assert.Equal(t, uint64(42), td.UserID, "numeric strings accepted")
	assert.Equal(t, int64(1700000000000), td.Expire)
	for _, bad := range []string{`{"user_id":1}`, `{"token":"t"}`, `{"token":"","user_id":1}`, `null`} {
		v, _ := jsonv.ParseString(bad)
		_, err := parseTokenData(v, "u")
		assert.True(t, IsCode(err, ServerTokenResponseInvalid), bad)
	}
	srv := newFakeServer(t)
	srv.AddUser(1001, "alice", "pw")
	c, _ := newTestClient(t, srv, nil, nil)
	td, err = c.TokenUser(ctxT(t), "alice", "pw")
	require.NoError(t, err)
	assert.Equal(t, uint64(1001), td.UserID)
	td, err = c.TokenID(ctxT(t), 1001, "pw")
	require.NoError(t, err)
	assert.Equal(t, "tok-alice", td.Token)
	_, err = c.TokenID(ctxT(t), 1001, "bad")
	assert.True(t, IsCode(err, UserAuthFailed))
	assert.False(t, c.IsLogin(), "token calls do not log in")
}
