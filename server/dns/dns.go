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
	// Peers, when set, are the public base URLs of every node serving the
	// same database, this one included ("http://10.0.0.1:8080", ...): the
	// reply lists them all, so that a client whose node dies moves to
	// another (PROTOCOL.md §4.2 step 6). The node's own entry, found by
	// PublicURL or else by the address the request came in on, is listed
	// first and the others follow in the given order, wrapping around: the
	// node that answered is known to be up, and clients spread over the
	// nodes the way their DNS requests did. Empty = this node alone.
	Peers []string
}

// Service answers the DNS endpoints. It is an http.Handler, safe for
// concurrent use.
type Service struct {
	opts   Options
	public *baseurl.Public   // nil: derived from each request
	peers  []*baseurl.Public // Options.Peers, parsed; nil = this node alone
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
	s := &Service{opts: opts, public: public}
	seen := map[string]bool{}
	for _, raw := range opts.Peers {
		p, err := baseurl.Parse(strings.TrimSpace(raw))
		if err != nil || p == nil {
			return nil, fmt.Errorf("dns: peer %q: %w", raw, baseurl.ErrInvalid)
		}
		key := peerKey(baseurl.Split(nil, p))
		if seen[key] {
			return nil, fmt.Errorf("dns: peer %q listed twice", raw)
		}
		seen[key] = true
		s.peers = append(s.peers, p)
	}
	return s, nil
}

// peerKey compares base URLs: the scheme and host are case-insensitive.
func peerKey(scheme, host string) string {
	name, path, _ := strings.Cut(host, "/")
	return scheme + "://" + strings.ToLower(name) + "/" + path
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

// ServeHTTP answers GET /v2/app_dns; anything else is 404. (The server
// answers GET /api/health itself: it needs the state of the database.)
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path != "/v2/app_dns" {
		http.NotFound(w, r)
		return
	}
	s.appDNS(w, r)
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
	h := s.hosts(r)
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
	// plain-http server, or one under a path, must not be advertised there.
	// With several, a client probes GET /api/health on each and asks the
	// first that answers 200 (§4.2 step 2): a draining node is skipped.
	for _, e := range h {
		if e.Protocol == "https" && !strings.Contains(e.Host, "/") {
			d.DNSServerList = append(d.DNSServerList, Domain{Domain: e.Host})
		}
	}
	return d
}

// hosts lists the nodes a client may use, this one first: the peers when
// configured, else the address of this node.
func (s *Service) hosts(r *http.Request) []Host {
	scheme, host := s.Origin(r)
	if len(s.peers) == 0 {
		return []Host{{Protocol: scheme, Host: host, IPList: []string{}}}
	}
	self := peerKey(scheme, host)
	first := 0
	for i, p := range s.peers {
		if peerKey(baseurl.Split(r, p)) == self {
			first = i
			break
		}
	}
	out := make([]Host, 0, len(s.peers))
	for i := range s.peers {
		scheme, host := baseurl.Split(r, s.peers[(first+i)%len(s.peers)])
		out = append(out, Host{Protocol: scheme, Host: host, IPList: []string{}})
	}
	return out
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
