package core

import (
	"sync"

	"github.com/flooim/floo/internal/lite"
)

// This file is the platform seam of the engine: everything that touches the
// network, the clock or persistent storage goes through these interfaces.
// The browser and WeChat builds implement them in JavaScript behind
// jsbridge; native programs use core/native. Keeping them byte-oriented means
// the codec (xsync) and all protocol logic stay in platform-neutral Go.
//
// lite.Context, lite.Duration and lite.Time are context.Context,
// time.Duration and time.Time on native builds (see internal/lite).

// Dialer opens XSYNC connections. Dial returns once the transport is open
// (the WebSocket handshake finished), or fails when ctx ends first. url is
// the fireplace URL from DNS, e.g. "wss://im.example.com" (PROTOCOL.md §3.1).
type Dialer interface {
	Dial(ctx lite.Context, url string) (Conn, error)
}

// Conn is one open XSYNC transport connection carrying binary messages, one
// protobuf Frame each.
//
// Concurrency contract: the engine calls Read from exactly one goroutine and
// serializes Write calls itself, so implementations need no locking for
// those; Close may be called at any time, concurrently with Read and Write
// and more than once, and must make pending and later Write calls return an
// error, and Read return an error once it has nothing left to return. Read
// must also return when ctx ends.
//
// Ordering contract: Read must return every message received before the
// connection failed or was closed, in order, and only then the error. A
// transport must not report the close first, even when the platform
// signals it first (a JavaScript onclose arriving while messages are still
// queued) or when the close is local: the engine closes the transport when
// a write fails, and a server kicking a device sends the kick notice just
// before closing the connection (PROTOCOL.md §14), so a transport that
// drops queued messages on close loses the notice and the engine reconnects
// into another kick instead of stopping.
type Conn interface {
	// Read returns the next binary message, or the error that ended the
	// connection once every message received before it was returned. A
	// text message is a protocol violation and may be returned as an
	// error.
	Read(ctx lite.Context) ([]byte, error)
	// Write sends frame as one binary message. The engine does not touch
	// frame after Write returns, and does not reuse it while Write runs.
	Write(ctx lite.Context, frame []byte) error
	// Close closes the connection with a WebSocket close code and reason.
	Close(code int, reason string) error
}

// HTTPRequest is one REST or DNS request. Header names are given as the
// protocol spells them (app_id, access-token, Content-Type); Body is nil for
// requests without one.
type HTTPRequest struct {
	Method string
	URL    string
	Header map[string]string
	Body   []byte
}

// HTTPResponse is the answer to an HTTPRequest. Any status is a response;
// only failures to get one (network, timeout) are errors of Do.
type HTTPResponse struct {
	Status int
	Header map[string]string
	Body   []byte
}

// UploadRequest is a multipart/form-data file upload (REST.md §9.2).
type UploadRequest struct {
	URL    string
	Header map[string]string
	// Fields are the form fields sent before the file, in order.
	Fields [][2]string
	// FileField is the name of the file's form field ("file").
	FileField   string
	FileName    string
	ContentType string
	// File is a platform file handle, which the engine passes through
	// untouched. The native doer (core/native HTTP) accepts a []byte, an
	// io.Reader, or a string naming a file on disk, which it opens and
	// streams; the JavaScript builds take a Blob/File, or a WeChat
	// temporary file path.
	File any
	// Size is the file size in bytes, or 0 when unknown.
	Size int64
	// Progress, when not nil, is called with the bytes sent so far. It may
	// be called from any goroutine and must not block.
	Progress func(loaded, total int64)
}

// HTTPDoer performs HTTP requests for the REST client, the DNS lookup and
// uploads. Implementations must be safe for concurrent use and must honour
// ctx (cancellation and deadline).
type HTTPDoer interface {
	Do(ctx lite.Context, req *HTTPRequest) (*HTTPResponse, error)
	Upload(ctx lite.Context, req *UploadRequest) (*HTTPResponse, error)
}

// Storage persists small string values across restarts: the session (user
// id, token), the deviceSN and device_guid, and the DNS result. Browser
// builds back it with localStorage, WeChat with wx.setStorageSync, native
// programs with a file. Implementations must be safe for concurrent use.
type Storage interface {
	Get(key string) (string, bool)
	Set(key, value string) error
	Delete(key string) error
}

// Clock is the engine's source of time: heartbeats, liveness, connect
// timeouts, reconnect backoff and send deadlines all use it, so tests can
// drive them with a fake clock. Implementations must be safe for concurrent
// use.
type Clock interface {
	Now() lite.Time
	NewTimer(d lite.Duration) Timer
}

// Timer is a one-shot timer of a Clock, with the semantics of lite.Timer
// since Go 1.23: after Stop or Reset returns, no stale value is received
// from C.
type Timer interface {
	C() <-chan lite.Time
	Stop() bool
	Reset(d lite.Duration)
}

// NetworkSignal is the optional third platform piece: platforms that know
// when the device goes online or offline (browser online/offline events,
// wx.onNetworkStatusChange) call Client.SetOnline. It is satisfied by
// *Client and exists so platform code can depend on the one method only.
type NetworkSignal interface {
	SetOnline(online bool)
}

// SystemClock is the real Clock, backed by the time package.
type SystemClock struct{}

// Now returns lite.Now().
func (SystemClock) Now() lite.Time { return lite.Now() }

// NewTimer returns a Timer backed by lite.NewTimer.
func (SystemClock) NewTimer(d lite.Duration) Timer { return systemTimer{lite.NewTimer(d)} }

type systemTimer struct{ t *lite.Timer }

func (t systemTimer) C() <-chan lite.Time   { return t.t.C }
func (t systemTimer) Stop() bool            { return t.t.Stop() }
func (t systemTimer) Reset(d lite.Duration) { t.t.Reset(d) }

// MemoryStorage is a Storage kept in memory, for tests and for programs
// that want nothing persisted. The zero value is ready to use and it is safe
// for concurrent use.
type MemoryStorage struct {
	mu sync.Mutex
	m  map[string]string // guarded by mu
}

// NewMemoryStorage returns an empty MemoryStorage.
func NewMemoryStorage() *MemoryStorage { return &MemoryStorage{} }

// Get returns the value stored under key.
func (s *MemoryStorage) Get(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok
}

// Set stores value under key.
func (s *MemoryStorage) Set(key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]string)
	}
	s.m[key] = value
	return nil
}

// Delete removes key; deleting a missing key is not an error.
func (s *MemoryStorage) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

// Keys returns the stored keys, for tests and debugging.
func (s *MemoryStorage) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		keys = append(keys, k)
	}
	return keys
}
