package jsbridge

import (
	"errors"
	"strconv"
	"sync"
	"syscall/js"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/internal/lite"
)

// This file implements core's platform seam (core/transport.go) over
// JavaScript objects. The shapes below are the whole contract between Go
// and the transports of the npm package (npm/src/transports), which is what
// lets one Go adapter serve the browser (WebSocket, fetch, XMLHttpRequest,
// localStorage) and WeChat (wx.connectSocket, wx.request, wx.uploadFile,
// wx.setStorageSync) alike.

// requireMethods checks that obj is an object with the named methods.
func requireMethods(obj js.Value, what string, methods ...string) error {
	if obj.Type() != js.TypeObject && obj.Type() != js.TypeFunction {
		return core.ClientError(what + " must be an object, got " + typeName(obj))
	}
	for _, m := range methods {
		if obj.Get(m).Type() != js.TypeFunction {
			return core.ClientError(what + "." + m + " must be a function")
		}
	}
	return nil
}

// Transport is a core.Dialer over a JavaScript socket transport:
//
//	{
//	  connect(url: string, hooks: SocketHooks): handle,
//	  send(handle, data: Uint8Array): void,
//	  close(handle, code: number, reason: string): void,
//	}
//	SocketHooks = {
//	  onopen(): void,
//	  onmessage(data: Uint8Array | ArrayBuffer): void,
//	  onclose(code: number, reason: string): void,
//	  onerror(message: string): void,
//	}
//
// The handle is any value the transport chooses; Go only passes it back.
// connect may throw, and so may send and close; exceptions become errors.
// onerror ends the connection as far as Go is concerned (browsers follow it
// with onclose anyway).
//
// The transport must not call a hook after close(handle) returned or after
// it called onclose: Go releases the hook functions at that point, and a
// released function must never be called. The npm package wraps every
// transport in a guard that enforces this (npm/src/transports/guard.ts).
type Transport struct {
	obj js.Value
}

// NewTransport returns a Dialer over obj, checking that it has the three
// methods.
func NewTransport(obj js.Value) (*Transport, error) {
	if err := requireMethods(obj, "transport", "connect", "send", "close"); err != nil {
		return nil, err
	}
	return &Transport{obj: obj}, nil
}

// CloseError is a connection closed by the peer or the network, with the
// WebSocket close code and reason the transport reported.
type CloseError struct {
	Code   int
	Reason string
}

// Error returns "websocket closed: code reason".
func (e *CloseError) Error() string {
	s := "websocket closed: " + strconv.Itoa(e.Code)
	if e.Reason != "" {
		s += " " + e.Reason
	}
	return s
}

// CloseCode returns Code: the engine reconnects to another host after a
// 1001 (going away) from the server.
func (e *CloseError) CloseCode() int { return e.Code }

// errConnClosed is what Read and Write return after Close.
var errConnClosed = core.ErrServerConnectFailed(&JSError{Message: "use of closed connection"})

// conn is one connection of a Transport; it implements core.Conn.
//
// The four hook functions run on the JavaScript thread and must not block:
// they copy the data, update the state under mu (never held across a call
// into JavaScript or a channel operation that may block) and signal with a
// non-blocking send. Read, Write and Dial run on engine goroutines and wait
// on signal.
type conn struct {
	t      *Transport
	handle js.Value
	hooks  [4]*jsFunc // onopen, onmessage, onclose, onerror

	mu           sync.Mutex
	queue        [][]byte // guarded by mu; received messages not yet read
	opened       bool     // guarded by mu; onopen was called
	closed       bool     // guarded by mu; closed by either side, or failed
	remoteClosed bool     // guarded by mu; onclose was called: JS dropped the handle
	err          error    // guarded by mu; why the connection ended

	signal    chan struct{} // capacity 1: queue or state changed
	closeOnce sync.Once
}

// Dial opens a connection and waits until the transport reports it open,
// fails, or ctx ends (then the half-open connection is closed).
func (t *Transport) Dial(ctx lite.Context, url string) (core.Conn, error) {
	c := &conn{t: t, signal: make(chan struct{}, 1)}
	c.hooks[0] = newFunc(c.onOpen, nil)
	c.hooks[1] = newFunc(c.onMessage, nil)
	c.hooks[2] = newFunc(c.onClose, nil)
	c.hooks[3] = newFunc(c.onError, nil)
	hooks := newObject()
	hooks.Set("onopen", c.hooks[0].Value)
	hooks.Set("onmessage", c.hooks[1].Value)
	hooks.Set("onclose", c.hooks[2].Value)
	hooks.Set("onerror", c.hooks[3].Value)
	if err := safeCall(func() error {
		c.handle = t.obj.Call("connect", url, hooks)
		return nil
	}); err != nil {
		c.releaseHooks()
		return nil, core.ErrServerConnectFailed(err)
	}
	for {
		c.mu.Lock()
		opened, closed, err := c.opened, c.closed, c.err
		c.mu.Unlock()
		switch {
		case opened:
			// Even if it closed already: Read returns what arrived, then the
			// close error.
			return c, nil
		case closed:
			_ = c.Close(1000, "")
			return nil, err
		}
		select {
		case <-c.signal:
		case <-ctx.Done():
			_ = c.Close(1000, "dial abandoned")
			return nil, core.FromTransportError(ctx.Err())
		}
	}
}

func (c *conn) wake() {
	select {
	case c.signal <- struct{}{}:
	default:
	}
}

func (c *conn) onOpen(js.Value, []js.Value) any {
	c.mu.Lock()
	c.opened = true
	c.mu.Unlock()
	c.wake()
	return nil
}

func (c *conn) onMessage(_ js.Value, args []js.Value) any {
	b, err := bytesFromJS(argAt(args, 0))
	c.mu.Lock()
	if !c.closed {
		if err != nil {
			c.fail(core.ErrServerConnectFailed(err))
		} else {
			c.queue = append(c.queue, b)
		}
	}
	c.mu.Unlock()
	c.wake()
	return nil
}

func (c *conn) onClose(_ js.Value, args []js.Value) any {
	code, reason := 1006, ""
	if v := argAt(args, 0); v.Type() == js.TypeNumber {
		code = v.Int()
	}
	if v := argAt(args, 1); v.Type() == js.TypeString {
		reason = v.String()
	}
	c.mu.Lock()
	c.remoteClosed = true
	c.fail(core.ErrServerConnectFailed(&CloseError{Code: code, Reason: reason}))
	c.mu.Unlock()
	c.wake()
	// The transport calls no hook after onclose, so they can go now. If
	// Close runs later it finds them released already.
	c.releaseHooks()
	return nil
}

func (c *conn) onError(_ js.Value, args []js.Value) any {
	msg := "websocket error"
	if v := argAt(args, 0); v.Type() == js.TypeString && v.String() != "" {
		msg = v.String()
	}
	c.mu.Lock()
	c.fail(core.ErrServerConnectFailed(&JSError{Message: msg}))
	c.mu.Unlock()
	c.wake()
	return nil
}

// fail marks the connection ended by err, keeping the first reason. c.mu
// must be held.
func (c *conn) fail(err error) {
	if !c.closed {
		c.closed = true
		c.err = err
	}
}

// Read returns the next message. After the peer closed, the messages that
// arrived before the close are returned first, then the close error.
func (c *conn) Read(ctx lite.Context) ([]byte, error) {
	for {
		c.mu.Lock()
		if len(c.queue) > 0 {
			b := c.queue[0]
			c.queue[0] = nil
			c.queue = c.queue[1:]
			if len(c.queue) == 0 {
				c.queue = nil
			}
			c.mu.Unlock()
			return b, nil
		}
		if c.closed {
			err := c.err
			c.mu.Unlock()
			return nil, err
		}
		c.mu.Unlock()
		select {
		case <-c.signal:
		case <-ctx.Done():
			return nil, core.FromTransportError(ctx.Err())
		}
	}
}

// Write sends frame as one binary message. The transport buffers it (a
// WebSocket's send does not wait), so Write does not block.
func (c *conn) Write(ctx lite.Context, frame []byte) error {
	if err := ctx.Err(); err != nil {
		return core.FromTransportError(err)
	}
	c.mu.Lock()
	closed, err := c.closed, c.err
	c.mu.Unlock()
	if closed {
		return err
	}
	data := bytesToJS(frame)
	if err := safeCall(func() error {
		c.t.obj.Call("send", c.handle, data)
		return nil
	}); err != nil {
		return core.ErrServerConnectFailed(err)
	}
	return nil
}

// Close closes the connection with a WebSocket close code and reason and
// releases the hooks. Pending and later Read and Write calls fail. Only the
// first call does anything; it returns the transport's exception, if any.
func (c *conn) Close(code int, reason string) error {
	var err error
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.fail(errConnClosed)
		c.queue = nil
		remote := c.remoteClosed
		c.mu.Unlock()
		c.wake()
		if !remote {
			err = safeCall(func() error {
				c.t.obj.Call("close", c.handle, code, reason)
				return nil
			})
		}
		c.releaseHooks()
	})
	return err
}

func (c *conn) releaseHooks() {
	for _, f := range c.hooks {
		f.release()
	}
}

// HTTP is a core.HTTPDoer over a JavaScript HTTP transport:
//
//	{
//	  request(req: {method, url, headers, body: Uint8Array | null, signal?: AbortSignal})
//	    -> Promise<{status: number, headers: {[name]: string}, body: Uint8Array}>,
//	  upload(req: {url, headers, fields: [name, value][], fileField, fileName,
//	               contentType, file, size, signal?: AbortSignal},
//	         onProgress(loaded: number, total: number))
//	    -> Promise<{status, headers, body}>,
//	}
//
// Any HTTP status resolves; only a failure to get a response rejects. A
// rejection whose name is "TimeoutError" maps to ServerTimeOut, any other to
// ServerConnectFailed (ERRORS.md §4.3: browsers hide the difference between
// an unreachable host and a refused connection). When ctx ends, the request
// is aborted through its AbortSignal (where the platform has
// AbortController). Response header names are given lower-case by the npm
// transports.
type HTTP struct {
	obj js.Value
}

// NewHTTP returns an HTTPDoer over obj, checking that it has the two
// methods.
func NewHTTP(obj js.Value) (*HTTP, error) {
	if err := requireMethods(obj, "http", "request", "upload"); err != nil {
		return nil, err
	}
	return &HTTP{obj: obj}, nil
}

// Do performs one request.
func (h *HTTP) Do(ctx lite.Context, req *core.HTTPRequest) (*core.HTTPResponse, error) {
	o := newObject()
	o.Set("method", req.Method)
	o.Set("url", req.URL)
	o.Set("headers", headersToJS(req.Header))
	if req.Body != nil {
		o.Set("body", bytesToJS(req.Body))
	} else {
		o.Set("body", js.Null())
	}
	return h.call(ctx, req.URL, o, "request", nil)
}

// Upload performs a multipart upload. File must be a JavaScript value (a
// Blob or File in browsers, a temporary file path string on WeChat), a
// string, or []byte (sent as a Uint8Array).
func (h *HTTP) Upload(ctx lite.Context, req *core.UploadRequest) (*core.HTTPResponse, error) {
	var file js.Value
	switch f := req.File.(type) {
	case js.Value:
		file = f
	case []byte:
		file = bytesToJS(f)
	case string:
		file = js.ValueOf(f)
	default:
		return nil, core.ClientError("upload: file must be a Blob, a File, a path or bytes")
	}
	o := newObject()
	o.Set("url", req.URL)
	o.Set("headers", headersToJS(req.Header))
	fields := newArray(len(req.Fields))
	for i, kv := range req.Fields {
		pair := newArray(2)
		pair.SetIndex(0, kv[0])
		pair.SetIndex(1, kv[1])
		fields.SetIndex(i, pair)
	}
	o.Set("fields", fields)
	o.Set("fileField", req.FileField)
	o.Set("fileName", req.FileName)
	o.Set("contentType", req.ContentType)
	o.Set("file", file)
	o.Set("size", float64(req.Size))
	progress := req.Progress
	onProgress := newFunc(func(_ js.Value, args []js.Value) any {
		if progress == nil {
			return nil
		}
		loaded, total := argAt(args, 0), argAt(args, 1)
		if loaded.Type() != js.TypeNumber {
			return nil
		}
		t := int64(req.Size)
		if total.Type() == js.TypeNumber && total.Float() > 0 {
			t = int64(total.Float())
		}
		progress(int64(loaded.Float()), t)
		return nil
	}, nil)
	return h.call(ctx, req.URL, o, "upload", onProgress)
}

// call runs request or upload and converts the result. extra, when not nil,
// is passed as the second argument and released once the Promise settles
// (not before: it may be called until then).
func (h *HTTP) call(ctx lite.Context, url string, o js.Value, method string, extra *jsFunc) (*core.HTTPResponse, error) {
	var abort js.Value
	if jsGlobal.AbortController.Type() == js.TypeFunction {
		abort = jsGlobal.AbortController.New()
		o.Set("signal", abort.Get("signal"))
	}
	var p js.Value
	err := safeCall(func() error {
		if extra != nil {
			p = h.obj.Call(method, o, extra.Value)
		} else {
			p = h.obj.Call(method, o)
		}
		return nil
	})
	if err != nil {
		extra.release()
		return nil, transportError(err, url)
	}
	v, err := awaitPromiseThen(ctx, p, extra.release)
	if ctx.Err() != nil {
		if abort.Truthy() {
			_ = safeCall(func() error { abort.Call("abort"); return nil })
		}
		return nil, core.FromTransportError(ctx.Err())
	}
	if err != nil {
		return nil, transportError(err, url)
	}
	return responseFromJS(v, url)
}

// transportError maps a failed request to ServerTimeOut or
// ServerConnectFailed, with the URL set for the facade (ERRORS.md §1).
func transportError(err error, url string) *core.Error {
	var e *core.Error
	if je, ok := errors.AsType[*JSError](err); ok && je.Name == "TimeoutError" {
		e = core.ErrServerTimeOut(err)
	} else {
		e = core.FromTransportError(err)
	}
	if e.URL == "" && e.Source == core.SourceTransport {
		cp := *e
		cp.URL = url
		e = &cp
	}
	return e
}

// responseFromJS reads {status, headers, body}.
func responseFromJS(v js.Value, url string) (*core.HTTPResponse, error) {
	if v.Type() != js.TypeObject {
		return nil, transportError(&JSError{Message: "http transport resolved with " + typeName(v) + ", not a response"}, url)
	}
	resp := &core.HTTPResponse{}
	if s := v.Get("status"); s.Type() == js.TypeNumber {
		resp.Status = s.Int()
	} else {
		return nil, transportError(&JSError{Message: "http response without a numeric status"}, url)
	}
	if h := v.Get("headers"); h.Type() == js.TypeObject {
		keys := jsGlobal.Object.Call("keys", h)
		n := keys.Length()
		resp.Header = make(map[string]string, n)
		for i := 0; i < n; i++ {
			k := keys.Index(i).String()
			if hv := h.Get(k); hv.Type() == js.TypeString {
				resp.Header[k] = hv.String()
			}
		}
	}
	body, err := bytesFromJS(v.Get("body"))
	if err != nil {
		return nil, transportError(err, url)
	}
	resp.Body = body
	return resp, nil
}

// headersToJS converts a header map to a plain object.
func headersToJS(h map[string]string) js.Value {
	o := newObject()
	for k, v := range h {
		o.Set(k, v)
	}
	return o
}

// Storage is a core.Storage over a synchronous JavaScript key-value store:
//
//	{ get(key): string | null, set(key, value): void, remove(key): void }
//
// localStorage (behind a small wrapper) and wx.getStorageSync fit this
// shape. Exceptions from get read as "not stored"; exceptions from set and
// remove (quota exceeded, storage disabled) are DbOperationFailed errors.
type Storage struct {
	obj js.Value
}

// NewStorage returns a Storage over obj, checking that it has the three
// methods.
func NewStorage(obj js.Value) (*Storage, error) {
	if err := requireMethods(obj, "storage", "get", "set", "remove"); err != nil {
		return nil, err
	}
	return &Storage{obj: obj}, nil
}

// Get returns the value stored under key.
func (s *Storage) Get(key string) (string, bool) {
	var v js.Value
	if safeCall(func() error {
		v = s.obj.Call("get", key)
		return nil
	}) != nil || v.Type() != js.TypeString {
		return "", false
	}
	return v.String(), true
}

// Set stores value under key.
func (s *Storage) Set(key, value string) error {
	return storageError(safeCall(func() error {
		s.obj.Call("set", key, value)
		return nil
	}))
}

// Delete removes key.
func (s *Storage) Delete(key string) error {
	return storageError(safeCall(func() error {
		s.obj.Call("remove", key)
		return nil
	}))
}

func storageError(err error) error {
	if err == nil {
		return nil
	}
	return core.WrapError(core.DbOperationFailed, core.SourceClient, err)
}

// Compile-time checks that the adapters implement the seam.
var (
	_ core.Dialer   = (*Transport)(nil)
	_ core.Conn     = (*conn)(nil)
	_ core.HTTPDoer = (*HTTP)(nil)
	_ core.Storage  = (*Storage)(nil)
)
