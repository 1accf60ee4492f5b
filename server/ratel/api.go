package ratel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/flooim/floo/server/internal/baseurl"
	"github.com/flooim/floo/server/store"
)

// Options configures an API. The zero value of every field but Store is a
// documented default.
type Options struct {
	// Store is the persistence layer. Required.
	Store store.Store
	// Notifier delivers notices to devices. nil = a NopNotifier (nothing is
	// delivered).
	Notifier Notifier
	// AppID is the only app id accepted. "" = "welovemaxim".
	AppID string
	// OpenRegistration lets anyone create an account through
	// /user/register/v2 and /user/register/anonymous. When false they answer
	// 10010.
	OpenRegistration bool
	// Logger receives request failures. nil = slog.Default().
	Logger *slog.Logger
	// Now is the clock. nil = time.Now.
	Now func() time.Time
	// BcryptCost is the password hashing cost. 0 = 10. Tests use
	// bcrypt.MinCost (4) to stay fast.
	BcryptCost int
	// TokenTTL is the lifetime of issued tokens. 0 = 30 days.
	TokenTTL time.Duration
	// MaxBodyBytes bounds JSON request bodies. 0 = 1 MiB. Raw handlers (file
	// uploads) set their own limit.
	MaxBodyBytes int64
	// RateLimit is the number of token and registration requests one client
	// IP may make per minute (burst of the same size). 0 = 60; negative =
	// unlimited.
	RateLimit int
	// LoginFreeFailures is the number of failed password checks an account
	// (or an identifier naming none) may have before it is locked out
	// (throttle.go). 0 = 5; negative = no per-account throttling.
	LoginFreeFailures int
	// LoginLockout is the first lock-out; each further failure doubles it.
	// 0 = 1 s.
	LoginLockout time.Duration
	// LoginLockoutMax caps the lock-out. 0 = 15 min.
	LoginLockoutMax time.Duration
	// AppConfig is the data of GET /app/config. nil = {}.
	AppConfig map[string]any
	// PublicURL, when set, is the scheme://host[:port][/path] at which
	// clients reach this server, for the URLs the server hands out (upload
	// and download URLs). "" = the address each request was sent to, as the
	// DNS reply advertises it (server/internal/baseurl). New rejects anything
	// but an absolute http(s) URL.
	PublicURL string
	// DataDir is the server's data directory, for domains that keep files.
	DataDir string
	// FilesDir is the folder of uploaded files. "" = DataDir/files. Nodes
	// sharing one database point it at one shared folder, so that a file
	// uploaded through one node downloads through any other.
	FilesDir string
	// MaxUploadBytes bounds one uploaded file (REST.md §9.2). 0 = 100 MiB;
	// larger uploads answer HTTP 413.
	MaxUploadBytes int64
	// Presence tells which devices are online, for the device list. nil =
	// none is reported online.
	Presence Presence
}

// Presence reports which devices of a user have an open XSYNC session; the
// gateway implements it.
type Presence interface {
	OnlineDevices(uid int64) []uint32
}

// HandlerFunc handles one envelope endpoint. Its first result becomes the
// envelope's data (return an Envelope to add siblings such as cursor); an
// *APIError becomes a business error; any other error is logged and answered
// with HTTP 500 and code 500 (CodeInternal), which the SDK treats as a
// retryable ServerBusy.
type HandlerFunc func(c *Call) (any, error)

// RawHandlerFunc handles an endpoint that does not answer with the envelope
// (file upload and download). It writes to c.W itself; a returned error is
// answered as for HandlerFunc if nothing was written yet.
type RawHandlerFunc func(c *Call) error

// Envelope lets a handler add siblings of data to the reply envelope
// (REST.md §2.4: cursor, version, total…). Extra keys "code", "message" and
// "data" are ignored.
type Envelope struct {
	Data  any
	Extra map[string]any
}

// auth says whether an endpoint needs a token.
type auth int

const (
	// public endpoints ignore any token (PROTOCOL.md §17.18).
	public auth = iota
	// authed endpoints require a valid token: missing → 10003,
	// unknown or expired → 402.
	authed
)

// API is the ratel REST service. Create it with New; it is an http.Handler
// and safe for concurrent use.
type API struct {
	opts     Options
	st       store.Store
	notify   Notifier
	log      *slog.Logger
	now      func() time.Time
	mux      *http.ServeMux
	limiter  *rateLimiter
	throttle *loginThrottle  // nil = no per-account throttling
	raw      map[string]bool // patterns registered with handleRaw
	public   *baseurl.Public // Options.PublicURL parsed; nil = per request

	profileHooks []ProfileHook // run after public profile changes (users.go)
}

// New returns the REST API with every route registered.
func New(opts Options) (*API, error) {
	if opts.Store == nil {
		return nil, errors.New("ratel: Options.Store is required")
	}
	if opts.AppID == "" {
		opts.AppID = "welovemaxim"
	}
	if opts.Notifier == nil {
		opts.Notifier = &NopNotifier{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BcryptCost == 0 {
		opts.BcryptCost = 10
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = 30 * 24 * time.Hour
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 60
	}
	if opts.AppConfig == nil {
		opts.AppConfig = map[string]any{}
	}
	public, err := baseurl.Parse(opts.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("ratel: %w", err)
	}
	a := &API{
		opts:   opts,
		st:     opts.Store,
		notify: opts.Notifier,
		log:    opts.Logger,
		now:    opts.Now,
		mux:    http.NewServeMux(),
		raw:    map[string]bool{},
		public: public,
	}
	if opts.RateLimit > 0 {
		a.limiter = newRateLimiter(opts.RateLimit, time.Minute, opts.Now)
	}
	if opts.LoginFreeFailures >= 0 {
		free, base, ceiling := opts.LoginFreeFailures, opts.LoginLockout, opts.LoginLockoutMax
		if free == 0 {
			free = 5
		}
		if base <= 0 {
			base = time.Second
		}
		if ceiling <= 0 {
			ceiling = 15 * time.Minute
		}
		a.throttle = newLoginThrottle(free, base, max(base, ceiling), opts.Now)
	}
	a.routes()
	return a, nil
}

// routes is the route table: one register call per domain, each defined in
// that domain's file. Add a domain by adding its call here.
func (a *API) routes() {
	a.registerAppRoutes()    // app.go
	a.registerTokenRoutes()  // tokens.go
	a.registerUserRoutes()   // users.go
	a.registerRosterRoutes() // roster.go
	a.registerGroupRoutes()  // group*.go
	a.registerFileRoutes()   // file.go

	// Everything else: a JSON 404 rather than ServeMux's text reply.
	a.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeEnvelope(w, http.StatusNotFound, CodeNotFound, "unknown path: "+r.Method+" "+r.URL.Path, nil, nil)
	})
}

// handle registers an envelope endpoint. pattern is an http.ServeMux pattern
// with a method, e.g. "POST /roster/apply" ("GET" also matches HEAD).
func (a *API) handle(pattern string, au auth, h HandlerFunc) {
	a.mux.Handle(pattern, a.wrap(au, func(c *Call) {
		data, err := a.run(c, h)
		a.reply(c, data, err)
	}))
}

// handleRaw registers an endpoint that writes its own response. Its body is
// not size-limited by MaxBodyBytes: the handler must apply its own limit.
func (a *API) handleRaw(pattern string, au auth, h RawHandlerFunc) {
	a.mux.Handle(pattern, a.wrap(au, func(c *Call) {
		rw := &trackingWriter{ResponseWriter: c.W}
		c.W = rw
		_, err := a.run(c, func(c *Call) (any, error) { return nil, h(c) })
		if err != nil && !rw.wrote {
			a.reply(c, nil, err)
		} else if err != nil {
			a.logErr(c, err)
		}
	}))
	a.raw[pattern] = true
}

// run calls h, turning a panic into an internal error.
func (a *API) run(c *Call, h HandlerFunc) (data any, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			a.log.Error("ratel: handler panic", "path", c.R.URL.Path, "panic", p, "stack", string(debug.Stack()))
			data, err = nil, errPanic
		}
	}()
	return h(c)
}

var errPanic = errors.New("ratel: handler panicked")

// wrap builds the Call, checks the app id, the token, the body limit and,
// for envelope endpoints, that the body decodes.
func (a *API) wrap(au auth, serve func(c *Call)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &Call{Ctx: r.Context(), R: r, W: w, api: a, query: r.URL.Query()}
		if _, raw := a.raw[r.Pattern]; !raw && r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, a.opts.MaxBodyBytes)
		}
		if err := a.checkApp(c); err != nil {
			a.reply(c, nil, err)
			return
		}
		if au == authed {
			if err := a.authenticate(c); err != nil {
				a.reply(c, nil, err)
				return
			}
		}
		// The body is decoded before the handler runs, so a handler never
		// acts on a request it only half understood: with an undecodable
		// body every parameter would read as absent, and "absent" often
		// means "all" or "nothing to change". Raw handlers read their own
		// bodies (multipart uploads) and are left alone.
		if _, raw := a.raw[r.Pattern]; !raw {
			if err := c.load(); err != nil {
				a.reply(c, nil, err)
				return
			}
		}
		serve(c)
	})
}

// ServeHTTP implements http.Handler.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// Handles reports whether r matches a registered route (rather than the
// 404 fallback). The server uses it to let static files answer other paths.
func (a *API) Handles(r *http.Request) bool {
	_, pattern := a.mux.Handler(r)
	return pattern != "/" && pattern != ""
}

// reply writes the envelope for a handler result.
func (a *API) reply(c *Call, data any, err error) {
	if err == nil {
		var extra map[string]any
		if env, ok := data.(Envelope); ok {
			data, extra = env.Data, env.Extra
		} else if env, ok := data.(*Envelope); ok && env != nil {
			data, extra = env.Data, env.Extra
		}
		writeEnvelope(c.W, http.StatusOK, CodeOK, "", data, extra)
		return
	}
	var ae *APIError
	if errors.As(err, &ae) {
		status := ae.Status
		if status == 0 {
			status = http.StatusOK
		}
		writeEnvelope(c.W, status, ae.Code, ae.Message, nil, nil)
		return
	}
	a.logErr(c, err)
	writeEnvelope(c.W, http.StatusInternalServerError, CodeInternal, "internal error", nil, nil)
}

func (a *API) logErr(c *Call, err error) {
	if errors.Is(err, context.Canceled) {
		a.log.Debug("ratel: request cancelled", "path", c.R.URL.Path)
		return
	}
	a.log.Error("ratel: request failed", "method", c.R.Method, "path", c.R.URL.Path, "uid", c.UID, "err", err)
}

// writeEnvelope writes {code, message, data} plus extra siblings. message is
// null when empty, as the official service sends it.
func writeEnvelope(w http.ResponseWriter, status, code int, msg string, data any, extra map[string]any) {
	env := make(map[string]any, 3+len(extra))
	for k, v := range extra {
		env[k] = v
	}
	env["code"] = code
	env["message"] = nil
	if msg != "" {
		env["message"] = msg
	}
	env["data"] = data
	b, err := json.Marshal(env)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"code":500,"message":"cannot encode reply","data":null}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

// trackingWriter records whether a raw handler has started its response.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

func (t *trackingWriter) ReadFrom(r io.Reader) (int64, error) {
	t.wrote = true
	return io.Copy(t.ResponseWriter, r)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
