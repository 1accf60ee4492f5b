package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flooim/floo/server/bus"
	"github.com/flooim/floo/server/dns"
	"github.com/flooim/floo/server/fireplace"
	"github.com/flooim/floo/server/ratel"
	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/server/store/postgres"
	"github.com/flooim/floo/server/store/sqlite"
)

// Config configures a Server. The zero value is a working configuration.
type Config struct {
	// DataDir holds the uploaded files (unless FilesDir is set) and, unless
	// Database is set, the SQLite database floo.db. "" = "./data". Created
	// if missing.
	DataDir string
	// FilesDir, when set, is the folder of uploaded files instead of
	// DataDir/files: nodes sharing one PostgreSQL database point it at one
	// shared folder (server/README.md "Running several nodes"). Created if
	// missing.
	FilesDir string
	// Database, when set, is a postgres:// (or postgresql://) URL: the
	// server then keeps everything but the uploaded files in that
	// PostgreSQL database instead of DataDir/floo.db (server/README.md
	// "PostgreSQL"). "" = SQLite.
	Database string
	// AppID is the only app id served. "" = "welovemaxim".
	AppID string
	// ClosedRegistration disables /user/register/*: accounts must then be
	// created some other way. The zero value keeps registration open.
	ClosedRegistration bool
	// WebDir, when set, is a folder of static files served at /.
	WebDir string
	// PublicURL, when set, is the scheme://host[:port][/path] advertised in
	// DNS replies and used for the upload and download URLs the server hands
	// out; "" = the address each request was sent to (scheme from TLS or
	// X-Forwarded-Proto, host from X-Forwarded-Host or Host).
	PublicURL string
	// MaxUploadBytes bounds one uploaded file (REST.md §9.2). 0 = 100 MiB.
	MaxUploadBytes int64
	// MaxDevices is the number of devices one user may have registered.
	// 0 = 10 (PROTOCOL.md §18.9); negative = no limit.
	MaxDevices int
	// DeviceReclaimAfter is how long a device must have been offline
	// before a new device of its user may take over its slot at the
	// device limit (fireplace.Config.DeviceReclaimAfter, server/README.md
	// "Devices"). 0 = as soon as it is offline; negative = never.
	DeviceReclaimAfter time.Duration
	// Logger receives the server's logs. nil = slog.Default().
	Logger *slog.Logger
	// Now is the clock. nil = time.Now.
	Now func() time.Time

	// BcryptCost is the password hashing cost. 0 = 10.
	BcryptCost int
	// TokenTTL is the lifetime of issued access tokens. 0 = 30 days
	// (REST.md §5).
	TokenTTL time.Duration
	// RateLimit is the per-IP token/registration requests per minute.
	// 0 = 60; negative = unlimited.
	RateLimit int
	// LoginFreeFailures, LoginLockout and LoginLockoutMax throttle password
	// checks per account (ratel.Options): 0 = 5 free failures, then a
	// lock-out doubling from 1 s up to 15 min; LoginFreeFailures < 0 turns
	// the per-account throttle off.
	LoginFreeFailures int
	LoginLockout      time.Duration
	LoginLockoutMax   time.Duration
	// AppConfig is the data of GET /app/config. nil = {}.
	AppConfig map[string]any

	// Bus connects this node's gateway to the other nodes on the same
	// Database (server/bus; server/README.md "Fan-out between nodes"), e.g.
	// a *bus.NATS. nil = none: a single node. It takes precedence over
	// Fireplace.Bus.
	Bus bus.Bus

	// Notifier, when set, also receives every REST notice (in addition to
	// the gateway). Tests use a *ratel.NopNotifier here to observe them.
	Notifier ratel.Notifier

	// Peers are the public base URLs of every node serving the same
	// database, this one included, advertised in the DNS reply
	// (dns.Options.Peers). nil = this node alone.
	Peers []string
	// BusHealth, when set, checks the fan-out bus between nodes for GET
	// /api/health (the bus itself, or a HealthFunc around its connection
	// state). nil with Bus set = the bus node's own check (NATS: a round
	// trip); nil without Bus = fan-out stays in this process, reported as
	// "in-process".
	BusHealth HealthChecker

	// MaxConns caps the connections open at once on listeners wrapped by
	// Server.Listener: one more is answered with HTTP 503 and closed
	// instead of failing accept when file descriptors run out. 0 = the
	// open-file limit (RLIMIT_NOFILE, which the Go runtime raises to its
	// hard limit at start) minus an eighth of it, at least 64, kept for the
	// database and files; no cap where that limit is unknown. Negative = no
	// cap.
	MaxConns int
	// MaxUnauthPerIP caps, per client IP address, the REST requests in
	// flight plus the WebSockets that have not logged in yet; beyond, HTTP
	// 503. 0 = 64; negative = no cap.
	MaxUnauthPerIP int
	// BodyTimeout and BodyMinRate pace request bodies: each read must come
	// within BodyTimeout of the previous one, and after the first
	// BodyTimeout the body must average BodyMinRate bytes per second, or
	// the request fails and its connection closes. 0 = 10 s and 1 KiB/s;
	// a negative BodyMinRate keeps only the gap rule.
	BodyTimeout time.Duration
	BodyMinRate int64
	// Fireplace holds the limits of the default gateway (NewFireplace):
	// queue bounds, page budget, typing queue, login timeout. Store,
	// Logger, Now and Admit are set by the server.
	Fireplace fireplace.Config

	// NewGateway builds the XSYNC gateway once the store exists.
	// nil = NewFireplace, the gateway of server/fireplace with its defaults.
	// A constructor returning a nil Gateway and no error runs the server
	// without one: WebSocket upgrades then answer 501 and notices go only
	// to Notifier.
	NewGateway func(GatewayDeps) (Gateway, error)
}

// Gateway is the XSYNC side of the server (server/fireplace).
type Gateway interface {
	// ServeHTTP upgrades a WebSocket request and runs the connection.
	http.Handler
	// Notifier delivers REST side effects to devices.
	ratel.Notifier
	// Close ends every connection and stops background work. The store is
	// closed after it.
	Close() error
}

// NewFireplace builds the XSYNC gateway of server/fireplace with its
// default limits; it is the default Config.NewGateway.
func NewFireplace(d GatewayDeps) (Gateway, error) {
	return fireplace.New(d.FireplaceConfig())
}

// GatewayDeps is what the server hands to Config.NewGateway.
type GatewayDeps struct {
	Store  store.Store
	AppID  string
	Logger *slog.Logger
	Now    func() time.Time
	// MaxDevices and DeviceReclaimAfter are the Config fields of the same
	// names, for the gateway's device limit.
	MaxDevices         int
	DeviceReclaimAfter time.Duration
	// Bus is Config.Bus, nil for a single node.
	Bus bus.Bus
	// Fireplace is Config.Fireplace; Admit is the server's per-IP cap on
	// unauthenticated connections, shared with the REST requests in
	// flight.
	Fireplace fireplace.Config
	Admit     func(*http.Request) (release func(), ok bool)
}

// FireplaceConfig returns Fireplace with the store, logger, clock and
// admission of d filled in.
func (d GatewayDeps) FireplaceConfig() fireplace.Config {
	c := d.Fireplace
	c.Store, c.Logger, c.Now, c.Admit = d.Store, d.Logger, d.Now, d.Admit
	c.MaxDevices, c.DeviceReclaimAfter = d.MaxDevices, d.DeviceReclaimAfter
	if d.Bus != nil {
		c.Bus = d.Bus
	}
	return c
}

// Server is the assembled reference server. It is safe for concurrent use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	db      store.Store
	api     *ratel.API
	dns     *dns.Service
	gateway Gateway
	static  http.Handler // nil without WebDir
	handler http.Handler
	slots   *ipSlots
	maxConn int // the resolved Config.MaxConns; <= 0: no cap

	stopJanitor context.CancelFunc
	janitorDone chan struct{}

	health   healthCache
	draining atomic.Bool // Drain was called

	closeOnce sync.Once
	closeErr  error
}

// openStore opens the PostgreSQL database of cfg.Database or, without one,
// the SQLite file in cfg.DataDir.
func openStore(ctx context.Context, cfg Config) (store.Store, error) {
	switch {
	case cfg.Database == "":
		return sqlite.Open(ctx, filepath.Join(cfg.DataDir, "floo.db"))
	case strings.HasPrefix(cfg.Database, "postgres://"), strings.HasPrefix(cfg.Database, "postgresql://"):
		return postgres.Open(ctx, cfg.Database)
	default:
		return nil, errors.New("server: Database must be a postgres:// or postgresql:// URL")
	}
}

// New opens the store (cfg.Database, or the SQLite file in cfg.DataDir),
// applying migrations, and builds the handlers. Close releases everything.
func New(cfg Config) (*Server, error) {
	if cfg.DataDir == "" {
		cfg.DataDir = "./data"
	}
	if cfg.AppID == "" {
		cfg.AppID = "welovemaxim"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxUploadBytes < 0 {
		return nil, errors.New("server: MaxUploadBytes must not be negative")
	}
	if cfg.MaxUnauthPerIP == 0 {
		cfg.MaxUnauthPerIP = defaultMaxUnauthPerIP
	}
	if cfg.BodyTimeout == 0 {
		cfg.BodyTimeout = defaultBodyTimeout
	}
	if cfg.BodyMinRate == 0 {
		cfg.BodyMinRate = defaultBodyMinRate
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("server: data dir: %w", err)
	}
	if cfg.FilesDir != "" {
		if err := os.MkdirAll(cfg.FilesDir, 0o755); err != nil {
			return nil, fmt.Errorf("server: files dir: %w", err)
		}
	}
	s := &Server{cfg: cfg, log: cfg.Logger, slots: &ipSlots{max: cfg.MaxUnauthPerIP, log: cfg.Logger, n: map[string]int{}}}
	s.maxConn = cfg.MaxConns
	if s.maxConn == 0 {
		if n := fdLimit(); n > 0 {
			s.maxConn = n - max(fdHeadroomMin, n/8)
		}
	}
	if cfg.WebDir != "" {
		st, err := os.Stat(cfg.WebDir)
		if err != nil || !st.IsDir() {
			return nil, fmt.Errorf("server: web dir %q is not a directory", cfg.WebDir)
		}
		s.static = newStaticFiles(cfg.WebDir)
	}
	var err error
	if s.dns, err = dns.New(dns.Options{AppID: cfg.AppID, PublicURL: cfg.PublicURL, Peers: cfg.Peers}); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if s.db, err = openStore(ctx, cfg); err != nil {
		return nil, err
	}

	// --- XSYNC gateway hook (server/fireplace) ---
	if cfg.NewGateway == nil {
		cfg.NewGateway = NewFireplace
	}
	s.gateway, err = cfg.NewGateway(GatewayDeps{Store: s.db, AppID: cfg.AppID, Logger: cfg.Logger, Now: cfg.Now,
		MaxDevices: cfg.MaxDevices, DeviceReclaimAfter: cfg.DeviceReclaimAfter, Bus: cfg.Bus,
		Fireplace: cfg.Fireplace, Admit: s.admitWebSocket})
	if err != nil {
		s.db.Close()
		return nil, fmt.Errorf("server: gateway: %w", err)
	}
	// With a bus between nodes, /api/health reports on it through the
	// gateway's node unless the caller gave its own check.
	if cfg.Bus != nil && s.cfg.BusHealth == nil {
		if b, ok := s.gateway.(interface{ CheckBus(context.Context) error }); ok {
			s.cfg.BusHealth = HealthFunc(b.CheckBus)
		}
	}
	var gwNotifier ratel.Notifier
	var presence ratel.Presence
	if s.gateway != nil {
		gwNotifier = s.gateway
		presence, _ = s.gateway.(ratel.Presence)
	}
	notifier := ratel.MultiNotifier(gwNotifier, cfg.Notifier)

	s.api, err = ratel.New(ratel.Options{
		Store:             s.db,
		Notifier:          notifier,
		AppID:             cfg.AppID,
		OpenRegistration:  !cfg.ClosedRegistration,
		Logger:            cfg.Logger,
		Now:               cfg.Now,
		BcryptCost:        cfg.BcryptCost,
		TokenTTL:          cfg.TokenTTL,
		RateLimit:         cfg.RateLimit,
		LoginFreeFailures: cfg.LoginFreeFailures,
		LoginLockout:      cfg.LoginLockout,
		LoginLockoutMax:   cfg.LoginLockoutMax,
		AppConfig:         cfg.AppConfig,
		PublicURL:         cfg.PublicURL,
		DataDir:           cfg.DataDir,
		FilesDir:          cfg.FilesDir,
		MaxUploadBytes:    cfg.MaxUploadBytes,
		Presence:          presence,
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	s.handler = cors(http.HandlerFunc(s.route))
	jctx, stop := context.WithCancel(context.Background())
	s.stopJanitor, s.janitorDone = stop, make(chan struct{})
	go s.janitor(jctx)
	return s, nil
}

// Housekeeping. Devices unseen for 90 days are unregistered
// (PROTOCOL.md §18.9); expired tokens are deleted so the table does not grow.
const (
	janitorInterval = time.Hour
	staleDeviceAge  = 90 * 24 * time.Hour
)

// janitor runs the housekeeping once at start, then every janitorInterval.
func (s *Server) janitor(ctx context.Context) {
	defer close(s.janitorDone)
	t := time.NewTicker(janitorInterval)
	defer t.Stop()
	for {
		s.sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweep deletes expired tokens and stale devices.
func (s *Server) sweep(ctx context.Context) {
	now := s.cfg.Now()
	if n, err := s.db.DeleteExpiredTokens(ctx, now.UnixMilli()); err != nil && ctx.Err() == nil {
		s.log.Warn("server: deleting expired tokens", "err", err)
	} else if n > 0 {
		s.log.Info("server: deleted expired tokens", "count", n)
	}
	devs, err := s.db.RemoveStaleDevices(ctx, now.Add(-staleDeviceAge).UnixMilli())
	if err != nil && ctx.Err() == nil {
		s.log.Warn("server: removing stale devices", "err", err)
	} else if len(devs) > 0 {
		s.log.Info("server: removed stale devices", "count", len(devs))
	}
}

// Handler returns the single handler serving everything.
func (s *Server) Handler() http.Handler { return s.handler }

// Listener wraps ln so that at most Config.MaxConns connections are open
// at once; the others are answered with HTTP 503 and closed. Serve the
// handler on the returned listener.
func (s *Server) Listener(ln net.Listener) net.Listener {
	if s.maxConn <= 0 {
		return ln
	}
	return &capListener{Listener: ln, max: int64(s.maxConn), log: s.log}
}

// MaxConns returns the resolved connection cap (Config.MaxConns or the
// one derived from the open-file limit); 0 = none.
func (s *Server) MaxConns() int { return max(s.maxConn, 0) }

// admitWebSocket takes the per-IP slot of a WebSocket until it logs in.
func (s *Server) admitWebSocket(r *http.Request) (func(), bool) {
	return s.slots.acquire(clientIP(r))
}

// Store returns the server's store (tests and tools inspect it).
func (s *Server) Store() store.Store { return s.db }

// API returns the REST API.
func (s *Server) API() *ratel.API { return s.api }

// DNS returns the DNS service.
func (s *Server) DNS() *dns.Service { return s.dns }

// Close stops the gateway, then closes the store. Stop the http.Server
// first (Shutdown) so no request is still using the store. Later calls
// return the first call's result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.stopJanitor != nil {
			s.stopJanitor()
			<-s.janitorDone
		}
		if s.gateway != nil {
			errs = append(errs, s.gateway.Close())
		}
		if s.db != nil {
			errs = append(errs, s.db.Close())
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if isWebSocketUpgrade(r) {
		if s.draining.Load() {
			// Logins go to another node (Drain).
			w.Header().Set("Retry-After", "10")
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		if s.gateway == nil {
			http.Error(w, "XSYNC gateway not available", http.StatusNotImplemented)
			return
		}
		s.gateway.ServeHTTP(w, r)
		return
	}
	release, ok := s.slots.acquire(clientIP(r))
	if !ok {
		writeBusy(w)
		return
	}
	defer release()
	pace(w, r, s.cfg.BodyTimeout, s.cfg.BodyMinRate)
	switch r.URL.Path {
	case "/v2/app_dns":
		s.dns.ServeHTTP(w, r)
		return
	case "/api/health":
		s.serveHealth(w, r)
		return
	}
	if s.api.Handles(r) {
		s.api.ServeHTTP(w, r)
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if s.static != nil && s.staticExists(r.URL.Path) {
			s.static.ServeHTTP(w, r)
			return
		}
		if r.URL.Path == "/" {
			// The web client's cluster probe (REST.md §2.7): answer at once.
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte("floo\n"))
			return
		}
	}
	s.api.ServeHTTP(w, r) // JSON 404
}

// staticExists reports whether the web folder has a file (or a directory
// with index.html) for urlPath.
func (s *Server) staticExists(urlPath string) bool {
	name := filepath.Join(s.cfg.WebDir, filepath.FromSlash(path.Clean("/"+urlPath)))
	st, err := os.Stat(name)
	if err != nil {
		return false
	}
	if st.IsDir() {
		_, err = os.Stat(filepath.Join(name, "index.html"))
		return err == nil
	}
	return true
}

func isWebSocketUpgrade(r *http.Request) bool {
	return headerHasToken(r.Header, "Connection", "upgrade") && headerHasToken(r.Header, "Upgrade", "websocket")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
