package dns

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type reply struct {
	Code    int     `json:"code"`
	Message *string `json:"message"`
	Data    *Data   `json:"data"`
}

func get(t *testing.T, s *Service, r *http.Request) (*httptest.ResponseRecorder, reply) {
	t.Helper()
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	var rep reply
	if r.URL.Path == "/v2/app_dns" && w.Code == 200 {
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &rep), w.Body.String())
	}
	return w, rep
}

func mustNew(t *testing.T, o Options) *Service {
	t.Helper()
	s, err := New(o)
	require.NoError(t, err)
	return s
}

func TestAppDNSShape(t *testing.T) {
	s := mustNew(t, Options{})
	r := httptest.NewRequest("GET", "/v2/app_dns?app_id=welovemaxim&source=sdk", nil)
	r.Host = "127.0.0.1:8080"
	w, rep := get(t, s, r)
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, 200, rep.Code)
	assert.Nil(t, rep.Message)
	d := rep.Data
	require.NotNil(t, d)
	assert.Equal(t, "normal", d.AppStatus)
	require.Len(t, d.DNSList, 1)
	assert.Equal(t, 0, d.DNSList[0].GroupLevel)
	require.Len(t, d.DNSList[0].Clusters, 1)
	c := d.DNSList[0].Clusters[0]
	want := []Host{{Protocol: "http", Host: "127.0.0.1:8080", IPList: []string{}}}
	assert.Equal(t, want, c.Ratel)
	assert.Equal(t, want, c.Webim)
	assert.Equal(t, want, c.WS)
	assert.Equal(t, want, c.RTC, "rtc must be non-empty (PROTOCOL.md §17.8)")
	assert.Empty(t, d.DNSServerList, "plain http is not advertised as a DNS server")

	// Raw JSON: the arrays exist even when empty.
	var raw struct{ Data map[string]any }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &raw))
	for _, k := range []string{"dns_server_list", "link_server_list", "dns_list"} {
		assert.IsType(t, []any{}, raw.Data[k], k)
	}
	assert.IsType(t, map[string]any{}, raw.Data["account_verification"])
}

func TestAppDNSOrigins(t *testing.T) {
	s := mustNew(t, Options{})
	tests := []struct {
		name       string
		host       string
		headers    map[string]string
		tls        bool
		wantScheme string
		wantHost   string
	}{
		{"plain", "im.local:8080", nil, false, "http", "im.local:8080"},
		{"tls", "im.example.com", nil, true, "https", "im.example.com"},
		{"forwarded proto", "10.0.0.1:8080", map[string]string{"X-Forwarded-Proto": "HTTPS"}, false, "https", "10.0.0.1:8080"},
		{"forwarded host chain", "10.0.0.1:8080", map[string]string{"X-Forwarded-Proto": "https, http",
			"X-Forwarded-Host": "Chat.Example.com, proxy"}, false, "https", "Chat.Example.com"},
		{"bogus proto ignored", "h:1", map[string]string{"X-Forwarded-Proto": "gopher"}, false, "http", "h:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/v2/app_dns?app_id=welovemaxim", nil)
			r.Host = tt.host
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			_, rep := get(t, s, r)
			require.Equal(t, 200, rep.Code)
			h := rep.Data.DNSList[0].Clusters[0].Webim[0]
			assert.Equal(t, tt.wantScheme, h.Protocol)
			assert.Equal(t, tt.wantHost, h.Host)
			if tt.wantScheme == "https" {
				assert.Equal(t, []Domain{{tt.wantHost}}, rep.Data.DNSServerList)
			}
		})
	}
}

func TestAppDNSPublicURL(t *testing.T) {
	s := mustNew(t, Options{PublicURL: "https://im.example.com:8443/floo/", AppID: "myapp", AppStatus: "frozen"})
	r := httptest.NewRequest("GET", "/v2/app_dns?app_id=myapp", nil)
	r.Header.Set("X-Forwarded-Host", "ignored")
	_, rep := get(t, s, r)
	require.Equal(t, 200, rep.Code)
	h := rep.Data.DNSList[0].Clusters[0].Ratel[0]
	assert.Equal(t, "https", h.Protocol)
	assert.Equal(t, "im.example.com:8443/floo", h.Host)
	assert.Equal(t, "frozen", rep.Data.AppStatus)
	assert.Empty(t, rep.Data.DNSServerList, "a host with a path cannot be a DNS server domain")

	for _, bad := range []string{"ftp://x", "im.example.com", "https://", "::"} {
		_, err := New(Options{PublicURL: bad})
		assert.Error(t, err, bad)
	}
}

func TestAppDNSUnknownApp(t *testing.T) {
	s := mustNew(t, Options{})
	for _, target := range []string{"/v2/app_dns?app_id=other", "/v2/app_dns"} {
		w, rep := get(t, s, httptest.NewRequest("GET", target, nil))
		assert.Equal(t, 200, w.Code)
		assert.Equal(t, 40000, rep.Code, target)
		assert.Nil(t, rep.Data)
	}
	// The app id may also come from the header.
	r := httptest.NewRequest("GET", "/v2/app_dns", nil)
	r.Header.Set("app_id", "welovemaxim")
	_, rep := get(t, s, r)
	assert.Equal(t, 200, rep.Code)
}

func TestMethodsAndOthers(t *testing.T) {
	s := mustNew(t, Options{})
	w, _ := get(t, s, httptest.NewRequest("POST", "/v2/app_dns?app_id=welovemaxim", nil))
	assert.Equal(t, 405, w.Code)
	w, _ = get(t, s, httptest.NewRequest("GET", "/api/health", nil))
	assert.Equal(t, 404, w.Code, "the server answers health itself")
	w, _ = get(t, s, httptest.NewRequest("GET", "/elsewhere", nil))
	assert.Equal(t, 404, w.Code)
}

// hostsOf returns the ratel list of a reply as protocol://host strings,
// after checking that webim, ws and rtc list the same.
func hostsOf(t *testing.T, d *Data) []string {
	t.Helper()
	require.NotNil(t, d)
	c := d.DNSList[0].Clusters[0]
	assert.Equal(t, c.Ratel, c.Webim)
	assert.Equal(t, c.Ratel, c.WS)
	assert.Equal(t, c.Ratel, c.RTC)
	var out []string
	for _, h := range c.Ratel {
		assert.Equal(t, []string{}, h.IPList)
		out = append(out, h.Protocol+"://"+h.Host)
	}
	return out
}

// TestPeers: with peers every node lists them all, its own entry first and
// the others after it in the configured order.
func TestPeers(t *testing.T) {
	peers := []string{"https://a.example.com", "https://B.example.com:8443", "http://10.0.0.3:8080/floo/"}
	ask := func(s *Service, host string, secure bool) *Data {
		r := httptest.NewRequest("GET", "/v2/app_dns?app_id=welovemaxim", nil)
		r.Host = host
		if secure {
			r.TLS = &tls.ConnectionState{}
		}
		_, rep := get(t, s, r)
		require.Equal(t, 200, rep.Code)
		return rep.Data
	}
	s := mustNew(t, Options{Peers: peers})
	all := []string{"https://a.example.com", "https://B.example.com:8443", "http://10.0.0.3:8080/floo"}
	assert.Equal(t, all, hostsOf(t, ask(s, "a.example.com", true)))
	assert.Equal(t, []string{all[1], all[2], all[0]}, hostsOf(t, ask(s, "b.example.com:8443", true)),
		"the node asked comes first, host names compared without case")
	d := ask(s, "lb.example.com", true)
	assert.Equal(t, all, hostsOf(t, d), "an address that is no peer: the configured order")
	assert.Equal(t, []Domain{{"a.example.com"}, {"B.example.com:8443"}}, d.DNSServerList,
		"https peers without a path are DNS servers")

	// -public-url names the node whatever the request's address.
	s = mustNew(t, Options{Peers: peers, PublicURL: "http://10.0.0.3:8080/floo"})
	assert.Equal(t, []string{all[2], all[0], all[1]}, hostsOf(t, ask(s, "127.0.0.1", false)))

	for _, bad := range [][]string{{"ftp://x"}, {""}, {"https://a", "https://A/"}, {"https://a?x=1"}} {
		_, err := New(Options{Peers: bad})
		assert.Error(t, err, "%q", bad)
	}
}
