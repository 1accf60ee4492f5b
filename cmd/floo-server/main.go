package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/bus"
	"github.com/flooim/floo/server/fireplace"
)

func main() {
	// SIGINT or SIGTERM starts a graceful shutdown. Once it has begun, the
	// handlers are removed, so a second signal kills the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "floo-server:", err)
			os.Exit(1)
		}
	}
}

// defaultDrainTimeout bounds a graceful shutdown: the WebSockets leaving
// and the REST requests in flight finishing.
const defaultDrainTimeout = 10 * time.Second

// options are the parsed flags.
type options struct {
	addr             string
	data             string
	files            string // uploaded files; "" = data/files
	db               string // PostgreSQL URL; "" = SQLite in data
	bus              string // NATS URL; "" = a single node
	peers            peerList
	drainTimeout     time.Duration
	appID            string
	openRegistration bool
	pushPages        bool
	web              string
	publicURL        string
	maxUpload        byteSize
	maxDevices       int
	reclaimAfter     reclaimAfter
	logLevel         slog.Level
	limits           limits
	login            loginOptions
}

// loginOptions are the per-account login throttle (server/README.md).
type loginOptions struct {
	freeFailures int           // -1 = off
	lockout      time.Duration // first lock-out
	lockoutMax   time.Duration // cap
}

// limits are the memory and connection bounds (server/README.md, "Memory
// and connection limits").
type limits struct {
	maxConns       int
	maxUnauthPerIP int
	bodyTimeout    time.Duration
	bodyMinRate    byteSize // per second
	loginTimeout   time.Duration
	queueFrames    int
	queueBytes     byteSize
	pageBytes      byteSize
	typingItems    int
	typingBytes    byteSize
	sendRate       float64 // per device and second; -1 = no limit
	authRate       int     // token and registration requests per IP and minute; -1 = no limit
}

// defaultLimits are the defaults of server.Config and fireplace.Config,
// spelled out so that -h shows them.
var defaultLimits = limits{
	maxUnauthPerIP: 64,
	bodyTimeout:    10 * time.Second,
	bodyMinRate:    1 << 10,
	loginTimeout:   10 * time.Second,
	queueFrames:    512,
	queueBytes:     4 << 20,
	pageBytes:      1 << 20,
	typingItems:    32,
	typingBytes:    256 << 10,
	sendRate:       50,
	authRate:       60,
}

// flagDefs describes one flag and its environment variable.
type flagDef struct {
	name, env, usage string
}

var defs = []flagDef{
	{"addr", "FLOO_ADDR", "listen address (host:port)"},
	{"data", "FLOO_DATA", "data directory (uploaded files, and the SQLite database unless -db is set)"},
	{"db", "FLOO_DB", "PostgreSQL `url` (postgres://user:password@host:port/dbname?sslmode=...) to keep the data in instead of the SQLite file in the data directory"},
	{"bus", "FLOO_BUS", "NATS `url` (nats://host:4222, several comma-separated) of the bus that lets several nodes on one -db database reach each other's clients; empty = a single node"},
	{"files", "FLOO_FILES", "`folder` of uploaded files (default: files/ in the data directory); nodes sharing a database share it"},
	{"peers", "FLOO_PEERS", "public base URLs of every node sharing the database, this one included, comma-separated, or @file with one per line; the DNS reply lists them all (default: this node alone)"},
	{"drain-timeout", "FLOO_DRAIN_TIMEOUT", "on SIGTERM or SIGINT, how long WebSockets may take to leave and REST requests to finish before the process exits"},
	{"app-id", "FLOO_APP_ID", "the app id served"},
	{"open-registration", "FLOO_OPEN_REGISTRATION", "let anyone register through /user/register/*"},
	{"push-pages", "FLOO_PUSH_PAGES", "send the page of a stream idle on a raw WebSocket with its new entries rather than a Notice the client answers with a pull (false = Notices only, as socket.io connections get)"},
	{"web", "FLOO_WEB", "folder of static files served at / (optional)"},
	{"public-url", "FLOO_PUBLIC_URL", "scheme://host[:port][/path] advertised in DNS and file URLs (default: as the client connected)"},
	{"max-upload", "FLOO_MAX_UPLOAD", "largest uploaded file, as a `size` in bytes or with the suffix K, M or G (powers of 1024)"},
	{"max-devices", "FLOO_MAX_DEVICES", "devices one user may have registered; 0 = no limit"},
	{"device-reclaim-after", "FLOO_DEVICE_RECLAIM_AFTER", "at the device limit, a new device takes the slot of the least recently seen device that has been offline at least this `duration` (0 = any offline device, never = refuse the new device); online devices are never taken"},
	{"log-level", "FLOO_LOG_LEVEL", "debug, info, warn or error"},
	{"max-conns", "FLOO_MAX_CONNS", "connections open at once; more get HTTP 503 (0 = the open-file limit less an eighth, at least 64; -1 = no cap)"},
	{"max-unauth-per-ip", "FLOO_MAX_UNAUTH_PER_IP", "REST requests in flight plus WebSockets not logged in, per client IP; more get HTTP 503 (-1 = no cap)"},
	{"body-timeout", "FLOO_BODY_TIMEOUT", "longest wait for the next piece of a request body, and the grace before -body-min-rate applies"},
	{"body-min-rate", "FLOO_BODY_MIN_RATE", "slowest average rate of a request body after -body-timeout, as a `size` per second"},
	{"login-timeout", "FLOO_LOGIN_TIMEOUT", "time a WebSocket has to log in after the upgrade; pings do not extend it"},
	{"ws-queue-frames", "FLOO_WS_QUEUE_FRAMES", "frames waiting to be written to one WebSocket before it is dropped as too slow"},
	{"ws-queue-bytes", "FLOO_WS_QUEUE_BYTES", "bytes waiting to be written to one WebSocket before it is dropped as too slow; its requests are not read past a quarter of it"},
	{"page-bytes", "FLOO_PAGE_BYTES", "payload bytes after which a sync or history page ends early (next_key continues it)"},
	{"typing-items", "FLOO_TYPING_ITEMS", "typing indicators and other at-most-once items held for one WebSocket; the oldest are dropped"},
	{"typing-bytes", "FLOO_TYPING_BYTES", "bytes of at-most-once items held for one WebSocket; the oldest are dropped"},
	{"send-rate", "FLOO_SEND_RATE", "sends one device may make per second, with a burst of twice as many (-1 = no limit, e.g. for load tests)"},
	{"auth-rate", "FLOO_AUTH_RATE", "token and registration requests one client IP may make per minute (-1 = no limit, e.g. for load tests)"},
	{"login-free-failures", "FLOO_LOGIN_FREE_FAILURES", "failed password checks an account may have before it is locked out, ≥ 1 (-1 = no per-account throttle)"},
	{"login-lockout", "FLOO_LOGIN_LOCKOUT", "first per-account lock-out; each further failure doubles it"},
	{"login-lockout-max", "FLOO_LOGIN_LOCKOUT_MAX", "longest per-account lock-out"},
}

// parse reads flags, falling back to environment variables for flags not
// given on the command line.
func parse(args []string, getenv func(string) string, out io.Writer) (options, error) {
	o := options{}
	fs := flag.NewFlagSet("floo-server", flag.ContinueOnError)
	fs.SetOutput(out)
	var level string
	usage := func(name string) string {
		for _, d := range defs {
			if d.name == name {
				return d.usage + " [$" + d.env + "]"
			}
		}
		return ""
	}
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", usage("addr"))
	fs.StringVar(&o.data, "data", "./data", usage("data"))
	fs.StringVar(&o.db, "db", "", usage("db"))
	fs.StringVar(&o.bus, "bus", "", usage("bus"))
	fs.StringVar(&o.files, "files", "", usage("files"))
	fs.Var(&o.peers, "peers", usage("peers"))
	fs.DurationVar(&o.drainTimeout, "drain-timeout", defaultDrainTimeout, usage("drain-timeout"))
	fs.StringVar(&o.appID, "app-id", "welovemaxim", usage("app-id"))
	fs.BoolVar(&o.openRegistration, "open-registration", true, usage("open-registration"))
	fs.BoolVar(&o.pushPages, "push-pages", true, usage("push-pages"))
	fs.StringVar(&o.web, "web", "", usage("web"))
	fs.StringVar(&o.publicURL, "public-url", "", usage("public-url"))
	o.maxUpload = defaultMaxUpload
	fs.Var(&o.maxUpload, "max-upload", usage("max-upload"))
	fs.IntVar(&o.maxDevices, "max-devices", defaultMaxDevices, usage("max-devices"))
	fs.Var(&o.reclaimAfter, "device-reclaim-after", usage("device-reclaim-after"))
	fs.StringVar(&level, "log-level", "info", usage("log-level"))
	o.limits = defaultLimits
	l := &o.limits
	fs.IntVar(&l.maxConns, "max-conns", l.maxConns, usage("max-conns"))
	fs.IntVar(&l.maxUnauthPerIP, "max-unauth-per-ip", l.maxUnauthPerIP, usage("max-unauth-per-ip"))
	fs.DurationVar(&l.bodyTimeout, "body-timeout", l.bodyTimeout, usage("body-timeout"))
	fs.Var(&l.bodyMinRate, "body-min-rate", usage("body-min-rate"))
	fs.DurationVar(&l.loginTimeout, "login-timeout", l.loginTimeout, usage("login-timeout"))
	fs.IntVar(&l.queueFrames, "ws-queue-frames", l.queueFrames, usage("ws-queue-frames"))
	fs.Var(&l.queueBytes, "ws-queue-bytes", usage("ws-queue-bytes"))
	fs.Var(&l.pageBytes, "page-bytes", usage("page-bytes"))
	fs.IntVar(&l.typingItems, "typing-items", l.typingItems, usage("typing-items"))
	fs.Var(&l.typingBytes, "typing-bytes", usage("typing-bytes"))
	fs.Float64Var(&l.sendRate, "send-rate", l.sendRate, usage("send-rate"))
	fs.IntVar(&l.authRate, "auth-rate", l.authRate, usage("auth-rate"))
	fs.IntVar(&o.login.freeFailures, "login-free-failures", 5, usage("login-free-failures"))
	fs.DurationVar(&o.login.lockout, "login-lockout", time.Second, usage("login-lockout"))
	fs.DurationVar(&o.login.lockoutMax, "login-lockout-max", 15*time.Minute, usage("login-lockout-max"))
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: floo-server [flags]\n\nRuns the Floo reference server. Each flag falls back to the\nenvironment variable in brackets when not given.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, d := range defs {
		if set[d.name] {
			continue
		}
		if v, ok := lookup(getenv, d.env); ok {
			if err := fs.Set(d.name, v); err != nil {
				return o, fmt.Errorf("$%s: %w", d.env, err)
			}
		}
	}
	if err := o.logLevel.UnmarshalText([]byte(level)); err != nil {
		return o, fmt.Errorf("-log-level: %w", err)
	}
	if o.bus != "" && o.db == "" {
		return o, errors.New("-bus: the nodes of a bus share one PostgreSQL database: set -db too")
	}
	if o.maxDevices < 0 {
		return o, fmt.Errorf("-max-devices: %d: want 0 (no limit) or more", o.maxDevices)
	}
	if err := o.limits.check(); err != nil {
		return o, err
	}
	if o.drainTimeout <= 0 {
		return o, errors.New("-drain-timeout: want a positive duration")
	}
	if err := o.login.check(); err != nil {
		return o, err
	}
	return o, nil
}

// peerList is the flag.Value of -peers: comma-separated URLs, or "@path"
// naming a file with one URL per line (blank lines and lines starting
// with # are skipped). The URLs themselves are checked by server.New.
type peerList []string

func (p *peerList) String() string { return strings.Join(*p, ",") }

func (p *peerList) Set(s string) error {
	s = strings.TrimSpace(s)
	sep := ","
	if name, ok := strings.CutPrefix(s, "@"); ok {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		s, sep = string(b), "\n"
	}
	var out []string
	for _, v := range strings.Split(s, sep) {
		v = strings.TrimSpace(v)
		if v != "" && !strings.HasPrefix(v, "#") {
			out = append(out, v)
		}
	}
	*p = out
	return nil
}

// defaultMaxDevices is PROTOCOL.md §18.9's recommended device limit.
const defaultMaxDevices = 10

// reclaimAfter is the flag.Value of -device-reclaim-after: a duration of
// 0 or more, or "never" (held as -1, server.Config's "never").
type reclaimAfter time.Duration

func (r *reclaimAfter) String() string {
	if *r < 0 {
		return "never"
	}
	return time.Duration(*r).String()
}

func (r *reclaimAfter) Set(s string) error {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "never") {
		*r = -1
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("%q: want a duration such as 0, 10m or 24h, or never", s)
	}
	*r = reclaimAfter(d)
	return nil
}

// serverMaxDevices maps the flag's "0 = no limit" to server.Config's.
func (o options) serverMaxDevices() int {
	if o.maxDevices == 0 {
		return -1
	}
	return o.maxDevices
}

// check refuses values the server would read as "default" or "none" by
// accident: only -max-conns and -max-unauth-per-ip take 0 or -1.
func (l *limits) check() error {
	switch {
	case l.maxConns < -1:
		return errors.New("-max-conns: want -1, 0 or a positive number")
	case l.maxUnauthPerIP < -1 || l.maxUnauthPerIP == 0:
		return errors.New("-max-unauth-per-ip: want -1 or a positive number")
	case l.bodyTimeout <= 0:
		return errors.New("-body-timeout: want a positive duration")
	case l.loginTimeout <= 0:
		return errors.New("-login-timeout: want a positive duration")
	case l.queueFrames <= 0:
		return errors.New("-ws-queue-frames: want a positive number")
	case l.typingItems <= 0:
		return errors.New("-typing-items: want a positive number")
	case l.sendRate != -1 && l.sendRate <= 0:
		return errors.New("-send-rate: want -1 or a positive number")
	case l.authRate < -1 || l.authRate == 0:
		return errors.New("-auth-rate: want -1 or a positive number")
	}
	return nil
}

// sendBurst is the burst of -send-rate: twice the rate, as the default 50
// per second with a burst of 100 (0 when the limit is off).
func sendBurst(rate float64) int {
	if rate <= 0 {
		return 0
	}
	return max(1, int(2*rate))
}

func (l loginOptions) check() error {
	switch {
	case l.freeFailures < -1 || l.freeFailures == 0:
		return fmt.Errorf("-login-free-failures: want a count ≥ 1, or -1 for off; got %d", l.freeFailures)
	case l.lockout <= 0:
		return fmt.Errorf("-login-lockout: want a positive duration, got %v", l.lockout)
	case l.lockoutMax < l.lockout:
		return fmt.Errorf("-login-lockout-max: %v is shorter than -login-lockout %v", l.lockoutMax, l.lockout)
	}
	return nil
}

// defaultMaxUpload is REST.md §9.2's recommended upload limit.
const defaultMaxUpload = 100 << 20

// byteSize is a flag.Value for a size in bytes, written as a plain number
// or with a binary suffix: 1048576, 1024K, 1M, 1MiB.
type byteSize int64

func (b *byteSize) String() string {
	v := int64(*b)
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"G", 30}, {"M", 20}, {"K", 10}} {
		if v != 0 && v%(1<<u.shift) == 0 {
			return strconv.FormatInt(v>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(v, 10)
}

func (b *byteSize) Set(s string) error {
	s = strings.TrimSpace(s)
	num := strings.TrimRight(s, "KMGiBkmgb")
	shift := uint(0)
	switch strings.ToUpper(s[len(num):]) {
	case "", "B":
	case "K", "KB", "KIB":
		shift = 10
	case "M", "MB", "MIB":
		shift = 20
	case "G", "GB", "GIB":
		shift = 30
	default:
		return fmt.Errorf("%q: unknown size suffix", s)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64>>shift {
		return fmt.Errorf("%q: want a positive size such as 104857600 or 100M", s)
	}
	*b = byteSize(n << shift)
	return nil
}

func lookup(getenv func(string) string, key string) (string, bool) {
	v := strings.TrimSpace(getenv(key))
	return v, v != ""
}

// run starts the server and blocks until ctx is done, then shuts down.
// ready, when not nil, receives the bound address once listening (tests
// pass "-addr 127.0.0.1:0").
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, ready chan<- string) error {
	o, err := parse(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: o.logLevel}))
	var nodes bus.Bus
	if o.bus != "" {
		nb, err := bus.NewNATS(bus.NATSOptions{URL: o.bus, Logger: log})
		if err != nil {
			return fmt.Errorf("-bus: %w", err)
		}
		nodes = nb
	}
	srv, err := server.New(server.Config{
		Bus:                nodes,
		DataDir:            o.data,
		FilesDir:           o.files,
		Database:           o.db,
		Peers:              o.peers,
		AppID:              o.appID,
		ClosedRegistration: !o.openRegistration,
		WebDir:             o.web,
		PublicURL:          o.publicURL,
		MaxUploadBytes:     int64(o.maxUpload),
		MaxDevices:         o.serverMaxDevices(),
		DeviceReclaimAfter: time.Duration(o.reclaimAfter),
		LoginFreeFailures:  o.login.freeFailures,
		LoginLockout:       o.login.lockout,
		LoginLockoutMax:    o.login.lockoutMax,
		Logger:             log,
		MaxConns:           o.limits.maxConns,
		MaxUnauthPerIP:     o.limits.maxUnauthPerIP,
		RateLimit:          o.limits.authRate,
		BodyTimeout:        o.limits.bodyTimeout,
		BodyMinRate:        int64(o.limits.bodyMinRate),
		Fireplace: fireplace.Config{
			LoginTimeout:   o.limits.loginTimeout,
			QueueSize:      o.limits.queueFrames,
			QueueBytes:     int(o.limits.queueBytes),
			PageBytes:      int(o.limits.pageBytes),
			TransientItems: o.limits.typingItems,
			TransientBytes: int(o.limits.typingBytes),
			SendRate:       o.limits.sendRate,
			SendBurst:      sendBurst(o.limits.sendRate),
			NoPush:         !o.pushPages,
		},
	})
	if err != nil {
		return err
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	// Past the connection cap, new connections are answered with 503
	// instead of failing accept once file descriptors run out.
	ln = srv.Listener(ln)
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("floo-server listening", "addr", ln.Addr().String(), "data", o.data, "files", o.files,
		"store", storeKind(o.db), "bus", busKind(o.bus), "peers", o.peers.String(), "app_id", o.appID,
		"open_registration", o.openRegistration, "web", o.web, "public_url", o.publicURL,
		"max_upload", o.maxUpload.String(), "max_devices", o.maxDevices,
		"device_reclaim_after", o.reclaimAfter.String(), "max_conns", srv.MaxConns(),
		"login_free_failures", o.login.freeFailures, "login_lockout", o.login.lockout, "login_lockout_max", o.login.lockoutMax)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Drain: health turns 503 and WebSocket upgrades are refused while the
	// connected clients are asked to leave (1001, after the replies to
	// what they sent); the listener then closes and the REST requests in
	// flight finish, all within -drain-timeout. Then the store closes.
	log.Info("floo-server shutting down: draining", "drain_timeout", o.drainTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), o.drainTimeout)
	defer cancel()
	// WebSockets still open at the timeout (a client that stopped reading)
	// are closed by srv.Close: expected of a drain, so not an error.
	if err := srv.Drain(sctx); err != nil {
		log.Warn("floo-server: WebSockets still open at the drain timeout; closing them", "err", err)
	}
	serr := hs.Shutdown(sctx)
	if errors.Is(serr, context.DeadlineExceeded) {
		log.Warn("floo-server: requests still running at the drain timeout; closing them")
		hs.Close()
	}
	cerr := srv.Close()
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("floo-server stopped")
	return errors.Join(serr, cerr)
}

// busKind names the bus for the start-up log line; the URL may hold a
// password.
func busKind(url string) string {
	if url == "" {
		return "none"
	}
	return "nats"
}

// storeKind names the store for the start-up log line; the URL itself may
// hold a password.
func storeKind(db string) string {
	if db == "" {
		return "sqlite"
	}
	return "postgres"
}
