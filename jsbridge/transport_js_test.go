package jsbridge

import (
	"errors"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/internal/lite"
)

// fakeSocket is a JavaScript socket transport whose behaviour on connect is
// set by mode: "open" opens on the next tick, "fail" reports an error and a
// close, "silent" never answers, "throw" throws from connect. Like the npm
// guard, it calls no hook after close(handle) or onclose.
func fakeSocket(t *testing.T, mode string) js.Value {
	f := jsEval(t, `return function(mode) {
		const t = {conns: [], sent: [], closed: []};
		t.connect = (url, raw) => {
			if (mode === "throw") throw new Error("no sockets here");
			const h = {id: t.conns.length, url, done: false};
			const hook = (name) => (...args) => {
				if (h.done) return;
				if (name === "onclose") h.done = true;
				raw[name](...args);
			};
			h.hooks = {onopen: hook("onopen"), onmessage: hook("onmessage"), onclose: hook("onclose"), onerror: hook("onerror")};
			t.conns.push(h);
			if (mode === "open") setTimeout(() => h.hooks.onopen(), 0);
			if (mode === "fail") setTimeout(() => { h.hooks.onerror("connection refused"); h.hooks.onclose(1006, ""); }, 0);
			return h;
		};
		t.send = (h, data) => { t.sent.push([h.id, Array.from(data)]); };
		t.close = (h, code, reason) => { h.done = true; t.closed.push([h.id, code, reason]); };
		return t;
	}`)
	return f.Invoke(mode)
}

func dial(t *testing.T, sock js.Value) core.Conn {
	t.Helper()
	tr, err := NewTransport(sock)
	require.NoError(t, err)
	ctx, cancel := lite.WithTimeout(lite.Background(), 5*lite.Second)
	defer cancel()
	c, err := tr.Dial(ctx, "wss://im.example.com")
	require.NoError(t, err)
	return c
}

func read(t *testing.T, c core.Conn) ([]byte, error) {
	t.Helper()
	ctx, cancel := lite.WithTimeout(lite.Background(), 5*lite.Second)
	defer cancel()
	return c.Read(ctx)
}

func TestTransportReadWriteClose(t *testing.T) {
	checkFuncs(t)
	base := liveFuncs.Load()
	sock := fakeSocket(t, "open")
	c := dial(t, sock)
	assert.Equal(t, base+4, liveFuncs.Load(), "four hooks while open")
	h := sock.Get("conns").Index(0)
	assert.Equal(t, "wss://im.example.com", h.Get("url").String())

	// Messages in every accepted binary form arrive in order.
	hooks := h.Get("hooks")
	hooks.Call("onmessage", jsEval(t, `return new Uint8Array([1, 2])`))
	hooks.Call("onmessage", jsEval(t, `return new Uint8Array([3]).buffer`))
	hooks.Call("onmessage", jsEval(t, `return new Uint8Array(0)`))
	for _, want := range [][]byte{{1, 2}, {3}, {}} {
		b, err := read(t, c)
		require.NoError(t, err)
		assert.Equal(t, want, b)
	}

	// A Read waiting for data is woken by a message from a JS timer.
	js.Global().Call("setTimeout", js.Global().Get("Function").New("h", "h.onmessage(new Uint8Array([9]))").Call("bind", nil, hooks), 1)
	b, err := read(t, c)
	require.NoError(t, err)
	assert.Equal(t, []byte{9}, b)

	require.NoError(t, c.Write(lite.Background(), []byte{5, 6, 7}))
	assert.Equal(t, `[[0,[5,6,7]]]`, jsonStringify(sock.Get("sent")))

	require.NoError(t, c.Close(4000, "bye"))
	require.NoError(t, c.Close(1000, "again"), "repeated Close is harmless")
	assert.Equal(t, `[[0,4000,"bye"]]`, jsonStringify(sock.Get("closed")), "the transport is closed once")
	assert.Equal(t, base, liveFuncs.Load(), "hooks released by Close")

	_, err = read(t, c)
	assert.True(t, core.IsCode(err, core.ServerConnectFailed), "%v", err)
	err = c.Write(lite.Background(), []byte{1})
	assert.True(t, core.IsCode(err, core.ServerConnectFailed), "%v", err)
	assert.Equal(t, 1, sock.Get("sent").Length(), "nothing sent after Close")
}

func TestTransportCloseWakesPendingRead(t *testing.T) {
	checkFuncs(t)
	c := dial(t, fakeSocket(t, "open"))
	errc := make(chan error, 1)
	go func() {
		_, err := c.Read(lite.Background())
		errc <- err
	}()
	sleepJS(lite.Millisecond)
	require.NoError(t, c.Close(1000, ""))
	select {
	case err := <-errc:
		assert.True(t, core.IsCode(err, core.ServerConnectFailed))
	case <-time.After(5 * time.Second):
		t.Fatal("Read did not return after Close")
	}
}

func TestTransportRemoteClose(t *testing.T) {
	checkFuncs(t)
	base := liveFuncs.Load()
	sock := fakeSocket(t, "open")
	c := dial(t, sock)
	hooks := sock.Get("conns").Index(0).Get("hooks")
	hooks.Call("onmessage", bytesToJS([]byte{1}))
	hooks.Call("onclose", 4001, "kicked")
	assert.Equal(t, base, liveFuncs.Load(), "hooks released by onclose")

	b, err := read(t, c)
	require.NoError(t, err, "messages received before the close are still read")
	assert.Equal(t, []byte{1}, b)
	_, err = read(t, c)
	require.True(t, core.IsCode(err, core.ServerConnectFailed), "%v", err)
	var ce *CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 4001, ce.Code)
	assert.Equal(t, "kicked", ce.Reason)
	assert.Equal(t, "websocket closed: 4001 kicked", ce.Error())

	require.NoError(t, c.Close(1000, ""))
	assert.Equal(t, 0, sock.Get("closed").Length(), "no close call for a handle the transport dropped")
}

func TestTransportErrorEndsConnection(t *testing.T) {
	checkFuncs(t)
	sock := fakeSocket(t, "open")
	c := dial(t, sock)
	sock.Get("conns").Index(0).Get("hooks").Call("onerror", "reset by peer")
	_, err := read(t, c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reset by peer")
	require.NoError(t, c.Close(1000, ""))
	assert.Equal(t, 1, sock.Get("closed").Length(), "after onerror Close still closes the handle")
}

func TestTransportDialFailures(t *testing.T) {
	checkFuncs(t)
	ctx := lite.Background()

	tr, err := NewTransport(fakeSocket(t, "fail"))
	require.NoError(t, err)
	_, err = tr.Dial(ctx, "wss://x")
	require.True(t, core.IsCode(err, core.ServerConnectFailed), "%v", err)
	assert.Contains(t, err.Error(), "connection refused")

	tr, err = NewTransport(fakeSocket(t, "throw"))
	require.NoError(t, err)
	_, err = tr.Dial(ctx, "wss://x")
	require.True(t, core.IsCode(err, core.ServerConnectFailed), "%v", err)
	assert.Contains(t, err.Error(), "no sockets here")

	sock := fakeSocket(t, "silent")
	tr, err = NewTransport(sock)
	require.NoError(t, err)
	tctx, cancel := lite.WithTimeout(ctx, 20*lite.Millisecond)
	defer cancel()
	_, err = tr.Dial(tctx, "wss://x")
	require.True(t, core.IsCode(err, core.ServerTimeOut), "%v", err)
	assert.Equal(t, 1, sock.Get("closed").Length(), "the half-open socket is closed")

	cctx, cancel2 := lite.WithCancel(ctx)
	cancel2()
	_, err = tr.Dial(cctx, "wss://x")
	require.True(t, core.IsCode(err, core.UserCancel), "%v", err)
}

func TestTransportValidation(t *testing.T) {
	_, err := NewTransport(js.Undefined())
	argError(t, err, "transport must be an object, got undefined")
	_, err = NewTransport(jsEval(t, `return {connect() {}, send() {}}`))
	argError(t, err, "transport.close must be a function")
	_, err = NewHTTP(jsEval(t, `return {request() {}}`))
	argError(t, err, "http.upload must be a function")
	_, err = NewStorage(jsEval(t, `return {get() {}, set: 1, remove() {}}`))
	argError(t, err, "storage.set must be a function")
}

// fakeHTTP is a JavaScript HTTP transport. request answers after a tick
// with the response in t.next, rejects with t.fail when set, or hangs until
// aborted when t.hang is set. upload reports progress twice first.
func fakeHTTP(t *testing.T) js.Value {
	return jsEval(t, `const t = {reqs: [], next: null, fail: null, hang: false, aborted: 0};
		const answer = (req) => new Promise((resolve, reject) => {
			if (t.hang) {
				req.signal.addEventListener("abort", () => { t.aborted++; reject(new DOMException("aborted", "AbortError")); });
				return;
			}
			setTimeout(() => t.fail ? reject(t.fail) : resolve(t.next), 0);
		});
		t.request = (req) => { t.reqs.push(req); return answer(req); };
		t.upload = (req, onProgress) => {
			t.reqs.push(req);
			onProgress(5, 10);
			onProgress(10, 0);
			return answer(req);
		};
		return t`)
}

func TestHTTPDo(t *testing.T) {
	checkFuncs(t)
	fake := fakeHTTP(t)
	fake.Set("next", jsEval(t, `return {status: 200, headers: {"content-type": "application/json", "x-n": 5},
		body: new TextEncoder().encode('{"code":200}')}`))
	h, err := NewHTTP(fake)
	require.NoError(t, err)

	resp, err := h.Do(lite.Background(), &core.HTTPRequest{
		Method: "POST",
		URL:    "https://api.example.com/roster/list",
		Header: map[string]string{"access-token": "tok", "Content-Type": "application/json"},
		Body:   []byte(`{"list":[1]}`),
	})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.Status)
	assert.Equal(t, `{"code":200}`, string(resp.Body))
	assert.Equal(t, map[string]string{"content-type": "application/json"}, resp.Header, "non-string header values are skipped")

	req := fake.Get("reqs").Index(0)
	assert.Equal(t, "POST", req.Get("method").String())
	assert.Equal(t, "https://api.example.com/roster/list", req.Get("url").String())
	assert.Equal(t, "tok", req.Get("headers").Get("access-token").String())
	assert.Equal(t, "application/json", req.Get("headers").Get("Content-Type").String())
	assert.True(t, req.Get("body").InstanceOf(jsGlobal.Uint8Array))
	assert.Equal(t, `{"list":[1]}`, js.Global().Get("TextDecoder").New().Call("decode", req.Get("body")).String())
	assert.True(t, req.Get("signal").InstanceOf(js.Global().Get("AbortSignal")))

	// A GET without a body sends null.
	_, err = h.Do(lite.Background(), &core.HTTPRequest{Method: "GET", URL: "https://api.example.com/x"})
	require.NoError(t, err)
	assert.True(t, fake.Get("reqs").Index(1).Get("body").IsNull())
}

func TestHTTPFailures(t *testing.T) {
	checkFuncs(t)
	fake := fakeHTTP(t)
	h, err := NewHTTP(fake)
	require.NoError(t, err)
	const url = "https://api.example.com/user/profile"
	do := func(ctx lite.Context) error {
		_, err := h.Do(ctx, &core.HTTPRequest{Method: "GET", URL: url})
		return err
	}

	fake.Set("fail", js.Global().Get("TypeError").New("Failed to fetch"))
	err = do(lite.Background())
	var ce *core.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, core.ServerConnectFailed, ce.Code)
	assert.Equal(t, core.SourceTransport, ce.Source)
	assert.Equal(t, url, ce.URL)
	assert.True(t, ce.Temporary)
	assert.Contains(t, ce.Message, "Failed to fetch")

	fake.Set("fail", js.Global().Get("DOMException").New("timed out", "TimeoutError"))
	err = do(lite.Background())
	assert.True(t, core.IsCode(err, core.ServerTimeOut), "%v", err)

	fake.Set("fail", js.Null())
	fake.Set("next", js.ValueOf("not a response"))
	err = do(lite.Background())
	assert.True(t, core.IsCode(err, core.ServerConnectFailed), "%v", err)
	assert.Contains(t, err.Error(), "not a response")
	fake.Set("next", jsEval(t, `return {headers: {}}`))
	err = do(lite.Background())
	assert.Contains(t, err.Error(), "numeric status")

	// ctx ends while the request hangs: it is aborted through its signal.
	fake.Set("hang", true)
	ctx, cancel := lite.WithTimeout(lite.Background(), 10*lite.Millisecond)
	defer cancel()
	err = do(ctx)
	assert.True(t, core.IsCode(err, core.ServerTimeOut), "%v", err)
	waitFor(t, "the abort", func() bool { return fake.Get("aborted").Int() == 1 })

	h2, err := NewHTTP(jsEval(t, `return {request() { throw new Error("sync failure") }, upload() {}}`))
	require.NoError(t, err)
	_, err = h2.Do(lite.Background(), &core.HTTPRequest{Method: "GET", URL: url})
	assert.True(t, core.IsCode(err, core.ServerConnectFailed), "%v", err)
	assert.Contains(t, err.Error(), "sync failure")
}

func TestHTTPUpload(t *testing.T) {
	checkFuncs(t)
	fake := fakeHTTP(t)
	fake.Set("next", jsEval(t, `return {status: 200, headers: {}, body: new TextEncoder().encode('{"data":true}')}`))
	h, err := NewHTTP(fake)
	require.NoError(t, err)

	var progress [][2]int64
	file := jsEval(t, `return new Blob(["hello"], {type: "text/plain"})`)
	resp, err := h.Upload(lite.Background(), &core.UploadRequest{
		URL:         "https://oss.example.com/upload",
		Header:      map[string]string{"access-token": "tok"},
		Fields:      [][2]string{{"OSSAccessKeyId", "k"}, {"policy", "p"}, {"key", "a/b.txt"}},
		FileField:   "file",
		FileName:    "b.txt",
		ContentType: "text/plain",
		File:        file,
		Size:        5,
		Progress:    func(loaded, total int64) { progress = append(progress, [2]int64{loaded, total}) },
	})
	require.NoError(t, err)
	assert.Equal(t, `{"data":true}`, string(resp.Body))
	assert.Equal(t, [][2]int64{{5, 10}, {10, 5}}, progress, "an unknown total falls back to Size")

	req := fake.Get("reqs").Index(0)
	assert.Equal(t, `[["OSSAccessKeyId","k"],["policy","p"],["key","a/b.txt"]]`, jsonStringify(req.Get("fields")), "fields keep their order")
	assert.Equal(t, "file", req.Get("fileField").String())
	assert.Equal(t, "b.txt", req.Get("fileName").String())
	assert.Equal(t, "text/plain", req.Get("contentType").String())
	assert.True(t, req.Get("file").Equal(file), "the Blob is passed through untouched")
	assert.Equal(t, 5, req.Get("size").Int())

	// Bytes and paths are accepted too; other values are not.
	_, err = h.Upload(lite.Background(), &core.UploadRequest{URL: "u", File: []byte("x")})
	require.NoError(t, err)
	assert.True(t, fake.Get("reqs").Index(1).Get("file").InstanceOf(jsGlobal.Uint8Array))
	_, err = h.Upload(lite.Background(), &core.UploadRequest{URL: "u", File: "wxfile://tmp/a.jpg"})
	require.NoError(t, err)
	assert.Equal(t, "wxfile://tmp/a.jpg", fake.Get("reqs").Index(2).Get("file").String())
	_, err = h.Upload(lite.Background(), &core.UploadRequest{URL: "u", File: 42})
	argError(t, err, "upload: file must be")
}

func TestStorage(t *testing.T) {
	st, err := NewStorage(jsEval(t, `const m = new Map(); return {
		m,
		get: (k) => { if (k === "explode") throw new Error("x"); return m.has(k) ? m.get(k) : null; },
		set: (k, v) => { if (k === "full") throw new DOMException("quota", "QuotaExceededError"); m.set(k, v); },
		remove: (k) => { m.delete(k); },
	}`))
	require.NoError(t, err)

	_, ok := st.Get("floo.uid")
	assert.False(t, ok)
	require.NoError(t, st.Set("floo.uid", "42"))
	v, ok := st.Get("floo.uid")
	assert.True(t, ok)
	assert.Equal(t, "42", v)
	require.NoError(t, st.Set("empty", ""))
	v, ok = st.Get("empty")
	assert.True(t, ok, "an empty string is a stored value")
	assert.Equal(t, "", v)
	require.NoError(t, st.Delete("floo.uid"))
	_, ok = st.Get("floo.uid")
	assert.False(t, ok)

	_, ok = st.Get("explode")
	assert.False(t, ok, "a throwing get reads as not stored")
	err = st.Set("full", "v")
	assert.True(t, core.IsCode(err, core.DbOperationFailed), "%v", err)
	var je *JSError
	assert.True(t, errors.As(err, &je))
	assert.Equal(t, "QuotaExceededError", je.Name)
}
