package dns

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/flooim/floo/server/internal/baseurl"
)

// Options configures a Service.
type Options struct {
	// AppID is the only app id answered; others get code 40000.
	// "" = "welovemaxim".
	AppID string
	// PublicURL, when set, overrides the scheme and host advertised:
	// "https://im.example.com" or "http://10.0.0.2:8080/floo".
	PublicURL string
	// AppStatus is the advertised app_status. "" = "normal".
	AppStatus string
}

// Service answers the DNS endpoints. It is an http.Handler, safe for
// concurrent use.
type Service struct {
	opts   Options
	public *baseurl.Public // nil: derived from each request
}

// New validates opts and returns the service.
func New(opts Options) (*Service, error) {
	if opts.AppID == "" {
		opts.AppID = "welovemaxim"
	}
	if opts.AppStatus == "" {
		opts.AppStatus = "normal"
	}
	public, err := baseurl.Parse(opts.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("dns: %w", err)
	}
	return &Service{opts: opts, public: public}, nil
}

// Host is one entry of a DNS cluster list.
type Host struct {
	Protocol string   `json:"protocol"` // "https" or "http"
	Host     string   `json:"host"`     // name[:port][/path]
	IPList   []string `json:"ip_list"`
}

// Cluster lists the hosts of each service.
type Cluster struct {
	Ratel []Host `json:"ratel"`
	Webim []Host `json:"webim"`
	WS    []Host `json:"ws"`
	RTC   []Host `json:"rtc"`
}

// Group is one dns_list entry.
type Group struct {
	GroupLevel int       `json:"group_level"`
	Clusters   []Cluster `json:"clusters"`
}

// Domain is an entry of dns_server_list / link_server_list.
type Domain struct {
	Domain string `json:"domain"`
}

// Data is the DnsData of REST.md §3.
type Data struct {
	Version             int            `json:"version"`
	AppStatus           string         `json:"app_status"`
	AccountVerification map[string]any `json:"account_verification"`
	DNSServerList       []Domain       `json:"dns_server_list"`
	LinkServerList      []Domain       `json:"link_server_list"`
	DNSList             []Group        `json:"dns_list"`
}

// ServeHTTP answers GET /v2/app_dns and GET /api/health; anything else is 404.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case "/api/health":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write([]byte("ok\n"))
	case "/v2/app_dns":
		s.appDNS(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Service) appDNS(w http.ResponseWriter, r *http.Request) {
	// source (sdk/app) is optional and ignored (PROTOCOL.md §17.16).
	app := strings.TrimSpace(r.URL.Query().Get("app_id"))
	if app == "" {
		app = strings.TrimSpace(r.Header.Get("app_id"))
	}
	if app != s.opts.AppID {
		writeJSON(w, map[string]any{"code": 40000, "message": "app id does not exist", "data": nil})
		return
	}
	writeJSON(w, map[string]any{"code": 200, "message": nil, "data": s.Reply(r)})
}

// Reply builds the DnsData for a request.
func (s *Service) Reply(r *http.Request) Data {
	scheme, host := s.Origin(r)
	h := []Host{{Protocol: scheme, Host: host, IPList: []string{}}}
	d := Data{
		Version:             2,
		AppStatus:           s.opts.AppStatus,
		AccountVerification: map[string]any{},
		DNSServerList:       []Domain{},
		LinkServerList:      []Domain{},
		DNSList: []Group{{GroupLevel: 0, Clusters: []Cluster{{
			Ratel: h, Webim: h, WS: h, RTC: h,
		}}}},
	}
	// Clients reach saved DNS servers as https://<domain>/v2/app_dns, so a
	// plain-http server must not advertise itself there.
	if scheme == "https" && !strings.Contains(host, "/") {
		d.DNSServerList = []Domain{{Domain: host}}
	}
	return d
}

// Origin returns the scheme ("http"/"https") and host[:port][/path] that
// clients should use for this server (see server/internal/baseurl).
func (s *Service) Origin(r *http.Request) (scheme, host string) {
	return baseurl.Split(r, s.public)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}
