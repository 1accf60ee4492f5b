// Package natstest runs a NATS server inside the test process, on a
// loopback port that stays the same across Restart, so that the bus's
// reconnection can be tested against a real server going away and coming
// back.
package natstest

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is an embedded NATS server.
type Server struct {
	// URL is nats://127.0.0.1:port; Restart keeps it.
	URL  string
	port int
	srv  *server.Server
}

// Start runs a NATS server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{port: server.RANDOM_PORT}
	s.start(t)
	s.URL = "nats://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start(t testing.TB) {
	t.Helper()
	opts := &server.Options{
		Host:   "127.0.0.1",
		Port:   s.port,
		NoLog:  true,
		NoSigs: true,
		// Core NATS only: the bus keeps nothing.
		JetStream: false,
	}
	var err error
	// After Stop the port may linger a moment.
	for i := 0; i < 50; i++ {
		var srv *server.Server
		if srv, err = server.NewServer(opts); err != nil {
			t.Fatalf("natstest: %v", err)
		}
		go srv.Start()
		if srv.ReadyForConnections(5 * time.Second) {
			s.srv = srv
			s.port = srv.Addr().(*net.TCPAddr).Port
			return
		}
		srv.Shutdown()
		srv.WaitForShutdown()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("natstest: the server did not start on port %d", s.port)
}

// Stop shuts the server down; its clients see the connection drop.
func (s *Server) Stop() {
	if s.srv == nil {
		return
	}
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
	s.srv = nil
}

// Restart starts the server again on the same port after Stop.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	s.start(t)
}
