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

// shutdownTimeout bounds how long in-flight requests may take at shutdown.
const shutdownTimeout = 10 * time.Second

// options are the parsed flags.
type options struct {
	addr             string
	data             string
	appID            string
	openRegistration bool
	web              string
	publicURL        string
	maxUpload        byteSize
	logLevel         slog.Level
	login            loginOptions
}

// loginOptions are the per-account login throttle (server/README.md).
type loginOptions struct {
	freeFailures int           // -1 = off
	lockout      time.Duration // first lock-out
	lockoutMax   time.Duration // cap
}

// flagDefs describes one flag and its environment variable.
type flagDef struct {
	name, env, usage string
}

var defs = []flagDef{
	{"addr", "FLOO_ADDR", "listen address (host:port)"},
	{"data", "FLOO_DATA", "data directory (database and files)"},
	{"app-id", "FLOO_APP_ID", "the app id served"},
	{"open-registration", "FLOO_OPEN_REGISTRATION", "let anyone register through /user/register/*"},
	{"web", "FLOO_WEB", "folder of static files served at / (optional)"},
	{"public-url", "FLOO_PUBLIC_URL", "scheme://host[:port][/path] advertised in DNS and file URLs (default: as the client connected)"},
	{"max-upload", "FLOO_MAX_UPLOAD", "largest uploaded file, as a `size` in bytes or with the suffix K, M or G (powers of 1024)"},
	{"log-level", "FLOO_LOG_LEVEL", "debug, info, warn or error"},
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
	fs.StringVar(&o.appID, "app-id", "welovemaxim", usage("app-id"))
	fs.BoolVar(&o.openRegistration, "open-registration", true, usage("open-registration"))
	fs.StringVar(&o.web, "web", "", usage("web"))
	fs.StringVar(&o.publicURL, "public-url", "", usage("public-url"))
	o.maxUpload = defaultMaxUpload
	fs.Var(&o.maxUpload, "max-upload", usage("max-upload"))
	fs.StringVar(&level, "log-level", "info", usage("log-level"))
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
	if err := o.login.check(); err != nil {
		return o, err
	}
	return o, nil
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
	srv, err := server.New(server.Config{
		DataDir:            o.data,
		AppID:              o.appID,
		ClosedRegistration: !o.openRegistration,
		WebDir:             o.web,
		PublicURL:          o.publicURL,
		MaxUploadBytes:     int64(o.maxUpload),
		LoginFreeFailures:  o.login.freeFailures,
		LoginLockout:       o.login.lockout,
		LoginLockoutMax:    o.login.lockoutMax,
		Logger:             log,
	})
	if err != nil {
		return err
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("floo-server listening", "addr", ln.Addr().String(), "data", o.data, "app_id", o.appID,
		"open_registration", o.openRegistration, "web", o.web, "public_url", o.publicURL,
		"max_upload", o.maxUpload.String(), "login_free_failures", o.login.freeFailures,
		"login_lockout", o.login.lockout, "login_lockout_max", o.login.lockoutMax)
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
	log.Info("floo-server shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	serr := hs.Shutdown(sctx)
	if errors.Is(serr, context.DeadlineExceeded) {
		hs.Close()
	}
	cerr := srv.Close()
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return errors.Join(serr, cerr)
}
