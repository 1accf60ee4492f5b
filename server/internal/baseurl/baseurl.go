package baseurl

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// ErrInvalid is returned by Parse for anything but an absolute http(s) URL.
var ErrInvalid = errors.New("public URL must be http(s)://host[:port][/path]")

// Public is a parsed, validated public URL. The zero value (and nil) means
// "none configured".
type Public struct {
	scheme string
	host   string // host[:port] followed by the path without its trailing slash
}

// Parse validates a configured public URL. "" gives nil: derive the address
// from each request.
func Parse(s string) (*Public, error) {
	if s == "" {
		return nil, nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, ErrInvalid
	}
	return &Public{scheme: u.Scheme, host: u.Host + strings.TrimSuffix(u.EscapedPath(), "/")}, nil
}

// Split returns the scheme ("http" or "https") and the host[:port][/path]
// clients should use for this server, as seen by request r.
func Split(r *http.Request, p *Public) (scheme, host string) {
	if p != nil && p.scheme != "" {
		return p.scheme, p.host
	}
	scheme = "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if v := strings.ToLower(firstValue(r.Header.Get("X-Forwarded-Proto"))); v == "http" || v == "https" {
		scheme = v
	}
	host = r.Host
	if h := firstValue(r.Header.Get("X-Forwarded-Host")); h != "" {
		host = h
	}
	return scheme, host
}

// Of returns Split joined as scheme://host[:port][/path], without a
// trailing slash, ready for a path to be appended.
func Of(r *http.Request, p *Public) string {
	scheme, host := Split(r, p)
	return scheme + "://" + host
}

// firstValue returns the first element of a comma-separated header: each
// proxy of a chain appends its own.
func firstValue(v string) string {
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}
