package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/flooim/floo/server/fireplace"
	"github.com/flooim/floo/server/store"
)

// HealthChecker is a dependency that GET /api/health reports on.
// CheckHealth returns nil when the dependency is usable; it must return by
// ctx's deadline (about a second), so it should do one cheap round trip at
// most. The fan-out bus between nodes implements it (Config.BusHealth).
type HealthChecker interface {
	CheckHealth(ctx context.Context) error
}

// HealthFunc adapts a function to HealthChecker.
type HealthFunc func(ctx context.Context) error

// CheckHealth calls f.
func (f HealthFunc) CheckHealth(ctx context.Context) error { return f(ctx) }

// Health check timing. A check bounds each dependency by healthTimeout;
// its result answers every request for healthMaxAge, so that load
// balancers and clients probing often (PROTOCOL.md §4.2 step 2) cost the
// database one query a second, not one per probe.
const (
	healthTimeout = time.Second
	healthMaxAge  = time.Second
)

// Health is the body of GET /api/health.
type Health struct {
	// Status is "ok" (HTTP 200), "draining" (a graceful shutdown has
	// begun) or "unavailable" (a dependency failed); both answer 503, so
	// that a load balancer stops routing to the node and clients probing
	// DNS servers pick another.
	Status   string          `json:"status"`
	Database ComponentHealth `json:"database"`
	Bus      ComponentHealth `json:"bus"`
	// Connections counts this node's XSYNC connections, read at each
	// request (not cached with the checks); absent when the gateway does
	// not count them. Tests and dashboards read it: the npm package's
	// shared-tabs test proves with it that three tabs hold one connection.
	Connections *ConnectionCounts `json:"connections,omitempty"`
}

// ConnectionCounts is the connection figure of GET /api/health.
type ConnectionCounts struct {
	Open int `json:"open"` // open WebSockets (socket.io included)
	Live int `json:"live"` // logged-in devices
}

// ComponentHealth is the state of one dependency.
type ComponentHealth struct {
	// Status is "ok", "error", or for the bus "in-process" (no bus: this
	// node alone fans messages out to its own connections).
	Status string `json:"status"`
	// Error says what failed: "timeout" or "failed". The details go to the
	// log only: the endpoint is public, and a driver's error may name
	// hosts and users.
	Error string `json:"error,omitempty"`
}

// healthCache holds the last check. mu is held during a check, so that
// concurrent requests wait for one check instead of each starting their
// own.
type healthCache struct {
	mu     sync.Mutex
	at     time.Time // when the last check ended; zero = never
	db     error
	bus    error
	dbErr  bool // the last check's outcomes, to log changes only
	busErr bool
}

// checkHealth returns the state of the dependencies, checking them when
// the last check is older than healthMaxAge.
func (s *Server) checkHealth(ctx context.Context) (db, bus error) {
	h := &s.health
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.at.IsZero() && time.Since(h.at) < healthMaxAge {
		return h.db, h.bus
	}
	cctx, cancel := context.WithTimeout(ctx, healthTimeout)
	h.db = pingStore(cctx, s.db)
	cancel()
	h.bus = nil
	if s.cfg.BusHealth != nil {
		cctx, cancel := context.WithTimeout(ctx, healthTimeout)
		h.bus = s.cfg.BusHealth.CheckHealth(cctx)
		cancel()
	}
	h.at = time.Now()
	if bad := h.db != nil; bad != h.dbErr {
		h.dbErr = bad
		if bad {
			s.log.Warn("server: health: database failing", "err", h.db)
		} else {
			s.log.Info("server: health: database back")
		}
	}
	if bad := h.bus != nil; bad != h.busErr {
		h.busErr = bad
		if bad {
			s.log.Warn("server: health: bus failing", "err", h.bus)
		} else {
			s.log.Info("server: health: bus back")
		}
	}
	return h.db, h.bus
}

// pingStore does one round trip to the database: a store that can ping
// does so, any other answers a lookup of a user that cannot exist (id 0),
// which reaches the database and finds nothing.
func pingStore(ctx context.Context, st store.Store) error {
	if p, ok := st.(interface{ Ping(context.Context) error }); ok {
		return p.Ping(ctx)
	}
	_, err := st.UserByID(ctx, 0)
	if err == nil || errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// Health checks the dependencies (at most once per healthMaxAge) and
// returns the body GET /api/health answers; ok is false when it answers
// 503.
func (s *Server) Health(ctx context.Context) (h Health, ok bool) {
	db, bus := s.checkHealth(ctx)
	h = Health{Status: "ok", Database: component(db), Bus: component(bus)}
	if s.cfg.BusHealth == nil {
		h.Bus = ComponentHealth{Status: "in-process"}
	}
	if g, ok := s.gateway.(interface{ Stats() fireplace.Stats }); ok {
		st := g.Stats()
		h.Connections = &ConnectionCounts{Open: st.Conns, Live: st.Live}
	}
	switch {
	case s.draining.Load():
		h.Status = "draining"
	case db != nil || bus != nil:
		h.Status = "unavailable"
	}
	return h, h.Status == "ok"
}

func component(err error) ComponentHealth {
	switch {
	case err == nil:
		return ComponentHealth{Status: "ok"}
	case errors.Is(err, context.DeadlineExceeded):
		return ComponentHealth{Status: "error", Error: "timeout"}
	default:
		return ComponentHealth{Status: "error", Error: "failed"}
	}
}

// serveHealth answers GET /api/health (and HEAD): the Health body, with
// 200 when the node can take clients and 503 otherwise.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h, ok := s.Health(r.Context())
	b, _ := json.Marshal(h)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	w.Write(append(b, '\n'))
}

// Drainer is implemented by gateways that can end their connections
// gracefully (fireplace.Gateway.Drain).
type Drainer interface {
	Drain(ctx context.Context) error
}

// Drain starts a graceful shutdown, the first step before Close: from now
// on /api/health answers 503 "draining" (a load balancer stops routing
// here; clients probing DNS servers pick another), WebSocket upgrades are
// refused with 503, and the gateway asks every connected client to leave
// (close 1001 once the frame it is handling is answered; the SDK then
// reconnects to another host of the DNS reply). REST requests are still
// served until the listener closes. Drain returns when every WebSocket has
// ended, or with ctx's error when ctx ends first.
func (s *Server) Drain(ctx context.Context) error {
	s.draining.Store(true)
	if d, ok := s.gateway.(Drainer); ok {
		return d.Drain(ctx)
	}
	return nil
}

// Draining reports whether Drain was called.
func (s *Server) Draining() bool { return s.draining.Load() }
