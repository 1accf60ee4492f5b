//go:build !js

package native

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"syscall"

	"github.com/coder/websocket"

	"github.com/flooim/floo/core"
)

// errClosed is the cause of Read and Write calls on a connection closed
// locally.
var errClosed = errors.New("native: connection closed")

// CloseCode returns the WebSocket close code carried by err, as sent by the
// peer in its close frame, or -1 when err does not come from a close frame.
// The engine treats every close as a lost connection and reconnects; the
// code is for logs and for programs that care why.
func CloseCode(err error) int {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return int(ce.Code)
	}
	return -1
}

// closeError maps a close frame received from the server. Every close is a
// lost connection for the engine (ERRORS.md §6.2) and so retryable; 1013
// (try again later, which the reference server sends to a client too slow
// to read) becomes ServerBusy so that logs tell overload from a plain
// drop. The close code is in the message, not in ServerCode, which holds
// service codes only.
func closeError(ce websocket.CloseError, cause error) *core.Error {
	code := core.ServerConnectFailed
	if ce.Code == websocket.StatusTryAgainLater {
		code = core.ServerBusy
	}
	msg := "websocket closed by the server: " + strconv.Itoa(int(ce.Code))
	if ce.Reason != "" {
		msg += " " + ce.Reason
	}
	e := core.NewError(code, msg)
	e.Source = core.SourceTransport
	e.Cause = &peerClose{code: int(ce.Code), err: cause}
	return e
}

// peerClose is the cause of a close frame received from the server. The
// engine reads the code through CloseCode: 1001 (going away, a server
// draining before a shutdown) makes it reconnect to another host.
type peerClose struct {
	code int
	err  error
}

func (p *peerClose) Error() string  { return p.err.Error() }
func (p *peerClose) Unwrap() error  { return p.err }
func (p *peerClose) CloseCode() int { return p.code }

// mapError classifies a transport error as a *core.Error (see the package
// documentation). It returns nil for nil and an existing *core.Error
// unchanged.
func mapError(err error) *core.Error {
	if err == nil {
		return nil
	}
	var e *core.Error
	if errors.As(err, &e) && e != nil {
		return e
	}
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return closeError(ce, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return core.FromTransportError(err)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && !dnsErr.IsTimeout {
		return core.ErrServerNotReachable(err)
	}
	if errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH) {
		return core.ErrServerNotReachable(err)
	}
	// Timeouts (net.Error) and everything else: core's generic rule.
	return core.FromTransportError(err)
}

// handshakeError maps a failed WebSocket dial. When the server answered
// the upgrade with an HTTP status, 429 and 5xx are mapped as for REST
// (ServerTooManyRequest, ServerBusy); any other status means the WebSocket
// could not open (ServerConnectFailed, ERRORS.md §4.3).
func handshakeError(url string, resp *http.Response, err error) *core.Error {
	if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols && resp.StatusCode != 0 {
		if e := core.FromHTTPStatus(resp.StatusCode, url); e != nil && e.Code != core.ServerResponseInvalid {
			e.Cause = err
			return e
		}
		e := core.NewError(core.ServerConnectFailed, "websocket handshake answered with HTTP status "+strconv.Itoa(resp.StatusCode))
		e.Source = core.SourceTransport
		e.URL = url
		e.Cause = err
		return e
	}
	e := mapError(err)
	if e.URL == "" && e.Code != core.UserCancel {
		cp := *e
		cp.URL = url
		e = &cp
	}
	return e
}
