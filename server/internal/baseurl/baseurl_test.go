package baseurl

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	p, err := Parse("")
	require.NoError(t, err)
	assert.Nil(t, p, `"" means: from each request`)

	good := map[string]string{
		"https://im.example.com":            "https://im.example.com",
		"http://10.0.0.2:8080/floo/":        "http://10.0.0.2:8080/floo",
		"https://im.example.com/a%20b/":     "https://im.example.com/a%20b",
		"HTTPS://Im.Example.com:443/x/y///": "https://Im.Example.com:443/x/y//",
	}
	for in, want := range good {
		p, err := Parse(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, Of(httptest.NewRequest("GET", "/", nil), p), in)
	}
	for _, bad := range []string{"ftp://x", "im.example.com", "https://", "::", "https://u:p@h", "https://h/?q=1", "https://h/#f"} {
		_, err := Parse(bad)
		assert.ErrorIs(t, err, ErrInvalid, bad)
	}
}

func TestSplitFromRequest(t *testing.T) {
	tests := []struct {
		name    string
		host    string
		tls     bool
		headers map[string]string
		want    string
	}{
		{"plain", "im.local:8080", false, nil, "http://im.local:8080"},
		{"tls", "im.example.com", true, nil, "https://im.example.com"},
		{"forwarded proto", "10.0.0.1:8080", false, map[string]string{"X-Forwarded-Proto": "HTTPS"}, "https://10.0.0.1:8080"},
		{"forwarded chain", "10.0.0.1", false, map[string]string{"X-Forwarded-Proto": "http, https",
			"X-Forwarded-Host": " chat.example.com , proxy"}, "http://chat.example.com"},
		{"bogus proto", "h:1", true, map[string]string{"X-Forwarded-Proto": "gopher"}, "https://h:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/x", nil)
			r.Host = tt.host
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			assert.Equal(t, tt.want, Of(r, nil))
			p, err := Parse("https://public.example.com/im")
			require.NoError(t, err)
			scheme, host := Split(r, p)
			assert.Equal(t, "https", scheme, "a public URL wins")
			assert.Equal(t, "public.example.com/im", host)
		})
	}
}
