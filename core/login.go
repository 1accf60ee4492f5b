package core

import (
	"errors"
	"strings"
)

// Settling the initial login (PROTOCOL.md §5 "Initial login").
//
// The official clients retry a first login without end, so a login against
// an unreachable server never answers. Here a session that has not logged in
// yet ends, with loginFail and the mapped error, when
//
//   - Config.LoginTimeout (30 s) passes since the login started:
//     SignInTimeout, whose message carries the last failure;
//   - loginFailLimit (3) attempts in a row failed at once: a DNS lookup
//     that failed (ServerDNSFailed), or a server that could not be reached,
//     the XSYNC dial or the token request being refused, its host unknown or
//     its WebSocket not opening (ServerConnectFailed).
//
// Failures that are not immediate (timeouts, a busy server, a connection
// lost before the Provision reply) reset the count and are left to the
// timeout: a browser reports a refused WebSocket as a plain close 1006, like
// most other failures, and the count of immediate failures works the same
// there. Terminal errors end the login at once, as before (failSession).
//
// Once a Provision succeeded, drops reconnect without end (scheduleRetry).
// An auto-login resumes a session that succeeded in an earlier run, so it
// keeps reconnecting too: under the same rule it only reports loginFail,
// once, and a later success fires loginSuccess as usual.

// loginFailLimit is the number of immediate failures in a row that ends a
// first login before its timeout.
const loginFailLimit = 3

// loginStep says which step of a login attempt failed.
type loginStep uint8

const (
	stepDNS       loginStep = iota // the DNS lookup
	stepToken                      // the token request
	stepConnect                    // the dial
	stepProvision                  // after the dial: the Provision exchange
)

// armLoginTimeout starts the login timeout of s, a new session.
func (c *Client) armLoginTimeout(s *session) {
	lp := &c.lp
	s.loginTask = lp.sched.after(c.cfg.LoginTimeout, func() {
		s.loginTask = nil
		if lp.sess != s || s.loggedIn {
			return
		}
		msg := "login did not complete within " + millis(c.cfg.LoginTimeout)
		switch {
		case s.lastErr != nil:
			msg += ": " + s.lastText
		case lp.phase == phaseDialing || lp.phase == phaseProvisioning:
			msg += ": no answer from " + c.fireplaceURL()
		case lp.phase == phasePreparing:
			msg += ": no answer to the DNS lookup, token request or prefetch"
		}
		e := NewError(SignInTimeout, msg)
		reason := LoginFailSocket
		if s.lastErr != nil {
			e.Cause = s.lastErr
			if s.lastStep == stepToken {
				reason = LoginFailTokenPrefix + e.Message
			}
		}
		c.settleLogin(s, e, reason)
	})
}

// loginAttemptFailed records a retryable failure of a login attempt. While
// the session has not logged in, it counts immediate failures and, at the
// limit, ends the login; it then reports true and the caller must not
// schedule a retry. url names what was contacted, for the message.
func (c *Client) loginAttemptFailed(e *Error, step loginStep, url string) bool {
	s := c.lp.sess
	if s == nil || s.loggedIn {
		return false
	}
	text := failureText(e, url)
	s.lastErr, s.lastText, s.lastStep = e, text, step
	code, src, msg := ServerDNSFailed, SourceDNS, "DNS lookup failed: "
	if step != stepDNS {
		if step == stepProvision || (e.Code != ServerConnectFailed && e.Code != ServerNotReachable) {
			s.failStreak = 0 // not an immediate failure: the timeout decides
			return false
		}
		code, src, msg = ServerConnectFailed, SourceTransport, "cannot connect to "
	}
	out := NewError(code, msg+text)
	out.Source, out.Cause = src, e
	s.lastErr, s.lastText = out, out.Message
	s.failStreak++
	if s.failStreak < loginFailLimit {
		return false
	}
	s.failStreak = 0
	reason := LoginFailSocket
	if step == stepToken {
		reason = LoginFailTokenPrefix + out.Message
	}
	return c.settleLogin(s, out, reason)
}

// settleLogin ends the first login of s with e. An auto-login only reports
// it, once, and goes on; settleLogin then returns false.
func (c *Client) settleLogin(s *session, e *Error, reason string) bool {
	if !s.auto {
		c.failSession(e, reason)
		return true
	}
	if !s.reported {
		s.reported = true
		c.log.info("session: auto-login: " + e.Error() + "; still retrying")
		c.emit(LoginFail{Reason: reason, Err: e})
		c.emit(SessionError{Err: e})
	}
	return false
}

// failureText is "<url>: <what failed>", where what failed is the innermost
// cause of e ("connection refused", "no such host"), which says it without
// the layers of wrapping around it, or e's message when it has no cause.
func failureText(e *Error, url string) string {
	if url == "" {
		url = e.URL
	}
	if i := strings.IndexByte(url, '?'); i >= 0 {
		url = url[:i] // the DNS query (app_id, source) only lengthens messages
	}
	var err error = e
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(err) {
		err = u
	}
	text := err.Error()
	if x, ok := err.(*Error); ok {
		text = x.Message
	}
	if url == "" {
		return text
	}
	return url + ": " + text
}

// fireplaceURL is the XSYNC URL that the current or next attempt dials.
func (c *Client) fireplaceURL() string {
	d := c.currentDNS()
	if d == nil {
		return ""
	}
	return d.fireplace[c.lp.fireIdx%len(d.fireplace)]
}

// retryLog logs a failure that is retried: at warn once the session has
// logged in, at info before, because the outcome of a first login reaches
// the application anyway (the result of Login, loginFail), and a program
// printing warnings would otherwise repeat each failed attempt.
func (c *Client) retryLog(msg string) {
	if s := c.lp.sess; s != nil && !s.loggedIn {
		c.log.info(msg)
		return
	}
	c.log.warn(msg)
}
