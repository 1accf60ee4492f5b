//go:build !js

package native

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
)

func newHTTP(t *testing.T) *HTTP {
	h := &HTTP{}
	t.Cleanup(h.CloseIdleConnections)
	return h
}

func TestDo(t *testing.T) {
	var got *http.Request
	var gotBody []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		gotBody, _ = io.ReadAll(r.Body)
		w.Header().Set("X-Floo-Thing", "a")
		w.Header().Add("X-Floo-Thing", "b")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(599)
		w.Write([]byte(`{"code":500}`))
	}))
	defer srv.Close()

	h := newHTTP(t)
	resp, err := h.Do(testCtx(t), &core.HTTPRequest{
		Method: "POST",
		URL:    srv.URL + "/roster/list?x=1",
		Header: map[string]string{"app_id": "welovemaxim", "access-token": "tok", "Content-Type": "application/json"},
		Body:   []byte(`{"list":[1]}`),
	})
	require.NoError(t, err, "any status is a response")
	assert.Equal(t, 599, resp.Status)
	assert.Equal(t, `{"code":500}`, string(resp.Body))
	assert.Equal(t, "application/json", resp.Header["content-type"], "response header names are lower case")
	assert.Equal(t, "a, b", resp.Header["x-floo-thing"])

	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, "/roster/list", got.URL.Path)
	assert.Equal(t, "1", got.URL.Query().Get("x"))
	assert.Equal(t, "welovemaxim", got.Header.Get("app_id"))
	assert.Equal(t, "tok", got.Header.Get("access-token"))
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, `{"list":[1]}`, string(gotBody))

	// A GET without a body.
	resp, err = h.Do(testCtx(t), &core.HTTPRequest{URL: srv.URL})
	require.NoError(t, err)
	assert.Equal(t, "GET", got.Method)
	assert.Empty(t, gotBody)
	assert.Equal(t, 599, resp.Status)
}

func TestDoErrors(t *testing.T) {
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			w.Write(make([]byte, 2048))
			return
		}
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hang)
	h := newHTTP(t)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	_, err := h.Do(ctx, &core.HTTPRequest{URL: srv.URL})
	requireCode(t, err, core.UserCancel)

	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err = h.Do(ctx, &core.HTTPRequest{URL: srv.URL})
	e := requireCode(t, err, core.ServerTimeOut)
	assert.Equal(t, srv.URL, e.URL)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	_, err = h.Do(testCtx(t), &core.HTTPRequest{URL: "http://" + addr + "/x"})
	e = requireCode(t, err, core.ServerConnectFailed)
	assert.Equal(t, "http://"+addr+"/x", e.URL)
	assert.NotContains(t, e.Message, "Get ", "the url.Error wrapper is dropped")

	small := &HTTP{MaxResponseBytes: 1024}
	defer small.CloseIdleConnections()
	_, err = small.Do(testCtx(t), &core.HTTPRequest{URL: srv.URL + "/big"})
	requireCode(t, err, core.ServerResponseInvalid)

	_, err = h.Do(testCtx(t), &core.HTTPRequest{Method: "GET", URL: "http://bad host/"})
	requireCode(t, err, core.InvalidParam)
}

// received is what the upload test server saw.
type received struct {
	contentLength int64
	chunked       bool
	fields        [][2]string
	fileField     string
	fileName      string
	fileType      string
	file          []byte
	headers       http.Header
}

func uploadServer(t *testing.T) (string, <-chan received) {
	t.Helper()
	ch := make(chan received, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := received{contentLength: r.ContentLength, headers: r.Header.Clone()}
		rec.chunked = len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked"
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/form-data" {
			http.Error(w, "not multipart", 400)
			return
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			b, err := io.ReadAll(p)
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			if p.FileName() != "" {
				rec.fileField, rec.fileName, rec.fileType, rec.file = p.FormName(), p.FileName(), p.Header.Get("Content-Type"), b
			} else {
				rec.fields = append(rec.fields, [2]string{p.FormName(), string(b)})
			}
		}
		ch <- rec
		w.Write([]byte(`{"data":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, ch
}

// progressLog records progress calls.
type progressLog struct {
	mu    sync.Mutex
	calls [][2]int64
}

func (p *progressLog) fn(loaded, total int64) {
	p.mu.Lock()
	p.calls = append(p.calls, [2]int64{loaded, total})
	p.mu.Unlock()
}

func (p *progressLog) check(t *testing.T, size, total int64) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	require.NotEmpty(t, p.calls)
	prev := int64(-1)
	for _, c := range p.calls {
		assert.GreaterOrEqual(t, c[0], prev, "progress never goes back")
		prev = c[0]
		if total > 0 {
			assert.Equal(t, total, c[1])
		}
	}
	last := p.calls[len(p.calls)-1]
	assert.Equal(t, size, last[0], "the last report covers the whole file")
	assert.Equal(t, size, last[1])
	assert.LessOrEqual(t, len(p.calls), 130, "reports are coalesced")
}

func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

func TestUploadSources(t *testing.T) {
	data := payload(3<<20 + 17)
	path := filepath.Join(t.TempDir(), "photo.jpg")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	fileHandle := func() any {
		f, err := os.Open(path)
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		return f
	}

	for _, tc := range []struct {
		name     string
		file     func() any
		size     int64
		known    bool
		wantName string
	}{
		{"bytes", func() any { return data }, 0, true, "a.bin"},
		{"path", func() any { return path }, 0, true, "photo.jpg"},
		{"os.File", fileHandle, 0, true, "a.bin"},
		{"bytes.Reader", func() any { return bytes.NewReader(data) }, 0, true, "a.bin"},
		{"plain reader", func() any { return io.MultiReader(bytes.NewReader(data)) }, 0, false, "a.bin"},
		{"plain reader with Size", func() any { return io.MultiReader(bytes.NewReader(data)) }, int64(len(data)), true, "a.bin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, got := uploadServer(t)
			h := newHTTP(t)
			var prog progressLog
			name := "a.bin"
			if tc.wantName == "photo.jpg" {
				name = ""
			}
			resp, err := h.Upload(testCtx(t), &core.UploadRequest{
				URL:         url + "/file/upload/put/abc",
				Header:      map[string]string{"app_id": "welovemaxim", "access-token": "tok"},
				Fields:      [][2]string{{"key", "k1"}, {"policy", "p"}},
				FileField:   "file",
				FileName:    name,
				ContentType: "image/jpeg",
				File:        tc.file(),
				Size:        tc.size,
				Progress:    prog.fn,
			})
			require.NoError(t, err)
			assert.Equal(t, 200, resp.Status)
			assert.Equal(t, `{"data":true}`, string(resp.Body))
			rec := <-got
			assert.Equal(t, [][2]string{{"key", "k1"}, {"policy", "p"}}, rec.fields, "fields come first, in order")
			assert.Equal(t, "file", rec.fileField)
			assert.Equal(t, tc.wantName, rec.fileName)
			assert.Equal(t, "image/jpeg", rec.fileType)
			assert.True(t, bytes.Equal(data, rec.file), "file content")
			assert.Equal(t, "tok", rec.headers.Get("access-token"))
			assert.Equal(t, "welovemaxim", rec.headers.Get("app_id"))
			if tc.known {
				assert.Greater(t, rec.contentLength, int64(len(data)))
				assert.False(t, rec.chunked)
				prog.check(t, int64(len(data)), int64(len(data)))
			} else {
				assert.Equal(t, int64(-1), rec.contentLength)
				assert.True(t, rec.chunked)
				prog.check(t, int64(len(data)), 0)
			}
		})
	}
}

func TestUploadEscapesNames(t *testing.T) {
	url, got := uploadServer(t)
	_, err := newHTTP(t).Upload(testCtx(t), &core.UploadRequest{URL: url, FileName: `we"ird\name.txt`, File: []byte("x")})
	require.NoError(t, err)
	rec := <-got
	assert.Equal(t, "file", rec.fileField, "the field defaults to file")
	assert.Equal(t, "application/octet-stream", rec.fileType)
	assert.Equal(t, []byte("x"), rec.file)
	assert.NotEmpty(t, rec.fileName)
}

// TestUploadStreams proves the file is not buffered whole: the server must
// see the beginning of the file while the rest has not been produced yet.
func TestUploadStreams(t *testing.T) {
	firstSeen := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		mr := multipart.NewReader(r.Body, params["boundary"])
		p, err := mr.NextPart()
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		buf := make([]byte, 5)
		if _, err := io.ReadFull(p, buf); err != nil || string(buf) != "first" {
			http.Error(w, "bad start", 400)
			return
		}
		close(firstSeen)
		rest, err := io.ReadAll(p)
		if err != nil || string(rest) != "-second" {
			http.Error(w, "bad rest", 400)
			return
		}
		w.Write([]byte(`{"data":true}`))
	}))
	defer srv.Close()

	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("first"))
		select {
		case <-firstSeen:
			pw.Write([]byte("-second"))
			pw.Close()
		case <-time.After(10 * time.Second):
			pw.CloseWithError(errors.New("the server never saw the first bytes"))
		}
	}()
	resp, err := newHTTP(t).Upload(testCtx(t), &core.UploadRequest{URL: srv.URL, File: pr})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.Status)
}

type failingReader struct{ n int }

func (f *failingReader) Read(b []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk on fire")
	}
	n := min(len(b), f.n)
	f.n -= n
	return n, nil
}

func TestUploadErrors(t *testing.T) {
	url, _ := uploadServer(t)
	h := newHTTP(t)
	_, err := h.Upload(testCtx(t), &core.UploadRequest{URL: url, File: &failingReader{n: 100 << 10}})
	e := requireCode(t, err, core.ServerFileUploadUnknownError)
	assert.Contains(t, e.Message, "disk on fire")

	_, err = h.Upload(testCtx(t), &core.UploadRequest{URL: url, File: filepath.Join(t.TempDir(), "missing")})
	requireCode(t, err, core.InvalidParam)

	_, err = h.Upload(testCtx(t), &core.UploadRequest{URL: url, File: t.TempDir()})
	requireCode(t, err, core.InvalidParam)

	_, err = h.Upload(testCtx(t), &core.UploadRequest{URL: url, File: 42})
	requireCode(t, err, core.InvalidParam)

	_, err = h.Upload(testCtx(t), &core.UploadRequest{URL: url})
	requireCode(t, err, core.InvalidParam)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = h.Upload(ctx, &core.UploadRequest{URL: url, File: []byte("x")})
	requireCode(t, err, core.UserCancel)
}

func TestUploadSizeOverridesTheSource(t *testing.T) {
	url, got := uploadServer(t)
	_, err := newHTTP(t).Upload(testCtx(t), &core.UploadRequest{URL: url, File: strings.NewReader("0123456789"), Size: 4})
	require.NoError(t, err)
	assert.Equal(t, "0123", string((<-got).file))
}

// TestUploadBodyCanBeReplayed: for sources that can be read again, a
// retry of the transport gets the whole body again, with progress from 0.
func TestUploadBodyCanBeReplayed(t *testing.T) {
	data := payload(200 << 10)
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	for name, file := range map[string]any{"bytes": data, "path": path} {
		t.Run(name, func(t *testing.T) {
			src, size, closeFn, reopen, err := openUpload(&core.UploadRequest{File: file})
			require.NoError(t, err)
			require.NotNil(t, reopen)
			var prog progressLog
			ub := &uploadBody{preamble: []byte("<"), trailer: []byte(">"), size: size, fn: prog.fn, reopen: reopen}
			first, err := io.ReadAll(ub.attempt(src, closeFn))
			require.NoError(t, err)
			again, err := ub.getBody()
			require.NoError(t, err)
			second, err := io.ReadAll(again)
			require.NoError(t, err)
			ub.close()
			want := append(append([]byte("<"), data...), '>')
			assert.Equal(t, want, first)
			assert.Equal(t, want, second)
			prog.mu.Lock()
			defer prog.mu.Unlock()
			require.GreaterOrEqual(t, len(prog.calls), 2)
			assert.Equal(t, int64(len(data)), prog.calls[len(prog.calls)-1][0])
		})
	}
	_, _, _, reopen, err := openUpload(&core.UploadRequest{File: io.MultiReader(bytes.NewReader(data))})
	require.NoError(t, err)
	assert.Nil(t, reopen, "a plain reader can be read once only")
}
