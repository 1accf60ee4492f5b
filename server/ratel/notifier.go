package ratel

import (
	"context"
	"errors"
	"sync"

	"github.com/flooim/floo/xsync"
)

// Meta namespaces used in Notice.NS (xsync.proto Meta.NameSpace).
const (
	NSGroupNotice  = int32(xsync.NSGroupNotice)
	NSRosterNotice = int32(xsync.NSRosterNotice)
	NSUserNotice   = int32(xsync.NSUserNotice)
	NSConversation = int32(xsync.NSConversation)
)

// Notice is a server-generated meta for the personal stream of each user in To.
type Notice struct {
	To         []int64 // recipient uids
	From       int64   // actor uid (0 = system); FromDevice its deviceSN when known
	FromDevice uint32
	NS         int32  // xsync Meta namespace: 2 group, 3 roster, 4 user, 6 conversation
	Payload    []byte // the encoded GroupNotice / RosterNotice / UserNotice
	SkipDevice uint32 // with To containing From: do not deliver to this device of From (0 = none)
}

// Notifier is how REST actions reach devices; the XSYNC gateway implements
// it. Notify is called after the REST change is committed; it must store the
// notice durably before returning nil (so offline devices get it at their
// next sync) and must be safe for concurrent use.
type Notifier interface {
	Notify(ctx context.Context, n Notice) error
	// KickDevice delivers a UserNotice of the given type to that live device (transient) and
	// closes its connection about one second later. deviceSN 0 = every device of uid.
	KickDevice(ctx context.Context, uid int64, deviceSN uint32, userNoticeType int32, content string)
	// TokensRevoked is called after tokens of uid were deleted (logout, kick,
	// password change): every live session of uid whose token no longer
	// resolves is told INVALID_TOKEN and closed. Sessions kicked with a
	// user notice are already gone and hear nothing more.
	TokensRevoked(ctx context.Context, uid int64)
}

// Kick records one KickDevice call of a NopNotifier.
type Kick struct {
	UID            int64
	DeviceSN       uint32
	UserNoticeType int32
	Content        string
}

// NopNotifier delivers nothing and records every call, for tests and for a
// server running without the XSYNC gateway. The zero value is ready to use
// and safe for concurrent use.
type NopNotifier struct {
	mu      sync.Mutex
	notices []Notice
	kicks   []Kick
	revoked []int64
}

// Notify implements Notifier.
func (n *NopNotifier) Notify(_ context.Context, no Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	no.To = append([]int64(nil), no.To...)
	no.Payload = append([]byte(nil), no.Payload...)
	n.notices = append(n.notices, no)
	return nil
}

// KickDevice implements Notifier.
func (n *NopNotifier) KickDevice(_ context.Context, uid int64, sn uint32, typ int32, content string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.kicks = append(n.kicks, Kick{uid, sn, typ, content})
}

// TokensRevoked implements Notifier.
func (n *NopNotifier) TokensRevoked(_ context.Context, uid int64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.revoked = append(n.revoked, uid)
}

// Revocations returns the uids of the TokensRevoked calls recorded so far.
func (n *NopNotifier) Revocations() []int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]int64(nil), n.revoked...)
}

// Notices returns a copy of the notices recorded so far.
func (n *NopNotifier) Notices() []Notice {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Notice(nil), n.notices...)
}

// Kicks returns a copy of the kicks recorded so far.
func (n *NopNotifier) Kicks() []Kick {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Kick(nil), n.kicks...)
}

// Reset forgets the recorded calls.
func (n *NopNotifier) Reset() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.notices, n.kicks, n.revoked = nil, nil, nil
}

// MultiNotifier returns a Notifier that forwards every call to each of ns in
// order (nil entries are skipped). Notify returns the joined errors.
func MultiNotifier(ns ...Notifier) Notifier {
	var m multiNotifier
	for _, n := range ns {
		if n != nil {
			m = append(m, n)
		}
	}
	if len(m) == 1 {
		return m[0]
	}
	return m
}

type multiNotifier []Notifier

func (m multiNotifier) Notify(ctx context.Context, n Notice) error {
	var errs []error
	for _, x := range m {
		errs = append(errs, x.Notify(ctx, n))
	}
	return errors.Join(errs...)
}

func (m multiNotifier) KickDevice(ctx context.Context, uid int64, sn uint32, typ int32, content string) {
	for _, x := range m {
		x.KickDevice(ctx, uid, sn, typ, content)
	}
}

func (m multiNotifier) TokensRevoked(ctx context.Context, uid int64) {
	for _, x := range m {
		x.TokensRevoked(ctx, uid)
	}
}
