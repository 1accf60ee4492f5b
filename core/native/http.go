//go:build !js

package native

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	neturl "net/url"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/flooim/floo/core"
)

// DefaultMaxResponseBytes bounds a response body read by HTTP.Do: above
// the reference server's 100 MiB upload limit, so every file it stores can
// be downloaded, and finite, so a broken server cannot exhaust memory.
const DefaultMaxResponseBytes = 128 << 20

// HTTP is the native core.HTTPDoer, on net/http. The zero value is ready
// to use; it is safe for concurrent use.
//
// Request headers are sent with the names exactly as core spells them
// (app_id, access-token); response header names are given in lower case,
// as the browser's fetch reports them, so core sees the same keys on every
// platform.
type HTTP struct {
	// Client performs the requests. Zero (nil) means a client of its own
	// with a clone of http.DefaultTransport, so that CloseIdleConnections
	// affects this HTTP only. Timeouts come from the contexts core passes.
	Client *http.Client
	// MaxResponseBytes bounds a response body; a longer one fails the
	// request with ServerResponseInvalid. Zero means
	// DefaultMaxResponseBytes.
	MaxResponseBytes int64

	once sync.Once
	own  *http.Client
}

var _ core.HTTPDoer = (*HTTP)(nil)

func (h *HTTP) client() *http.Client {
	if h.Client != nil {
		return h.Client
	}
	h.once.Do(func() {
		h.own = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	})
	return h.own
}

// CloseIdleConnections closes the kept-alive connections of the client,
// for programs and tests that want no idle sockets left behind.
func (h *HTTP) CloseIdleConnections() { h.client().CloseIdleConnections() }

// Do performs req and reads the whole response. Any HTTP status is a
// response; failures to get one are *core.Error (see the package
// documentation).
func (h *HTTP) Do(ctx context.Context, req *core.HTTPRequest) (*core.HTTPResponse, error) {
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	hreq, err := http.NewRequestWithContext(ctx, method, req.URL, body)
	if err != nil {
		return nil, badRequest(req.URL, err)
	}
	setHeaders(hreq, req.Header)
	return h.roundTrip(hreq)
}

func (h *HTTP) roundTrip(hreq *http.Request) (*core.HTTPResponse, error) {
	url := hreq.URL.String()
	resp, err := h.client().Do(hreq)
	if err != nil {
		return nil, withURL(mapError(unwrapURLError(err)), url)
	}
	defer resp.Body.Close()
	max := h.MaxResponseBytes
	if max <= 0 {
		max = DefaultMaxResponseBytes
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, withURL(mapError(err), url)
	}
	if int64(len(b)) > max {
		e := core.NewError(core.ServerResponseInvalid, "response body larger than "+strconv.FormatInt(max, 10)+" bytes")
		e.Source = core.SourceTransport
		e.URL = url
		return nil, e
	}
	out := &core.HTTPResponse{Status: resp.StatusCode, Header: make(map[string]string, len(resp.Header)), Body: b}
	for k, v := range resp.Header {
		if len(v) > 0 {
			out.Header[strings.ToLower(k)] = strings.Join(v, ", ")
		}
	}
	return out, nil
}

// setHeaders copies core's headers verbatim: core spells them as the
// protocol does (app_id, access-token), and HTTP header names are
// case-insensitive for the server anyway.
func setHeaders(hreq *http.Request, h map[string]string) {
	for k, v := range h {
		if strings.EqualFold(k, "Content-Type") {
			hreq.Header.Set("Content-Type", v)
			continue
		}
		hreq.Header[k] = []string{v}
	}
}

// unwrapURLError drops the *url.Error layer of http.Client errors: its
// text repeats the method and URL, which core reports in Error.URL.
func unwrapURLError(err error) error {
	var ue *neturl.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

func badRequest(url string, err error) *core.Error {
	e := core.NewError(core.InvalidParam, "bad HTTP request: "+err.Error())
	e.Source = core.SourceClient
	e.URL = url
	e.Cause = err
	return e
}

func withURL(e *core.Error, url string) *core.Error {
	if e == nil || e.URL != "" || e.Code == core.UserCancel {
		return e
	}
	cp := *e
	cp.URL = url
	return &cp
}

// Upload POSTs req as multipart/form-data: the fields in order, then the
// file under req.FileField ("file" when empty). The file is streamed from
// its source, never held in memory as a whole. req.File may be a []byte, an
// io.Reader (an *os.File included), or a string naming a file on disk;
// Upload closes only the files it opened itself. The size comes from
// req.Size, else from the source when it knows it ([]byte, a path, a
// regular *os.File, anything with a Len method such as *bytes.Reader); with
// a known size exactly that many bytes are sent under a Content-Length,
// otherwise the body is sent chunked.
//
// req.Progress, when set, is called with the file bytes handed to the
// network so far and the file size (0 when unknown): at most about every
// 1% or 64 KiB, and once more at the end. For []byte and path sources
// net/http may retry the request on a fresh connection when a kept-alive
// one turned out dead; progress then starts again from 0.
func (h *HTTP) Upload(ctx context.Context, req *core.UploadRequest) (*core.HTTPResponse, error) {
	src, size, closeFn, reopen, err := openUpload(req)
	if err != nil {
		return nil, err
	}
	field := req.FileField
	if field == "" {
		field = "file"
	}
	name := req.FileName
	if name == "" {
		if path, ok := req.File.(string); ok {
			name = baseName(path)
		} else {
			name = "file"
		}
	}
	ctype := req.ContentType
	if ctype == "" {
		ctype = "application/octet-stream"
	}

	// The multipart framing is built in memory up to the file part's
	// headers; the closing boundary is what Close writes after that. The
	// file itself goes between the two straight from its source.
	var framing bytes.Buffer
	mw := multipart.NewWriter(&framing)
	for _, f := range req.Fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return nil, badRequest(req.URL, err)
		}
	}
	hdr := make(textproto.MIMEHeader)
	hdr.Set("Content-Disposition", `form-data; name="`+quoteEscaper.Replace(field)+`"; filename="`+quoteEscaper.Replace(name)+`"`)
	hdr.Set("Content-Type", ctype)
	if _, err := mw.CreatePart(hdr); err != nil {
		return nil, badRequest(req.URL, err)
	}
	head := len(framing.Bytes())
	if err := mw.Close(); err != nil {
		return nil, badRequest(req.URL, err)
	}
	all := framing.Bytes()
	ub := &uploadBody{preamble: all[:head], trailer: all[head:], size: size, fn: req.Progress, reopen: reopen}
	defer ub.close()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, req.URL, ub.attempt(src, closeFn))
	if err != nil {
		return nil, badRequest(req.URL, err)
	}
	if reopen != nil {
		// A source that can be read again lets net/http retry the request
		// on another connection when a kept-alive one turns out dead.
		hreq.GetBody = ub.getBody
	}
	if size >= 0 {
		hreq.ContentLength = int64(len(ub.preamble)) + size + int64(len(ub.trailer))
	} else {
		hreq.ContentLength = -1
	}
	setHeaders(hreq, req.Header)
	hreq.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := h.roundTrip(hreq)
	pr := ub.current()
	if perr := pr.readErr(); perr != nil {
		// The file could not be read: that is the cause, whatever the
		// network or the server made of the cut request.
		return nil, uploadSourceError(req.URL, perr)
	}
	if err != nil {
		return nil, err
	}
	pr.finish()
	return resp, nil
}

// uploadBody produces the body of an upload: once, or once per attempt of
// the transport for sources that can be read again.
type uploadBody struct {
	preamble, trailer []byte
	size              int64 // -1 when unknown
	fn                func(loaded, total int64)
	reopen            func() (io.Reader, func(), error) // nil for one-shot sources

	mu      sync.Mutex
	cur     *progressReader // guarded by mu; the latest attempt's
	closers []func()        // guarded by mu; files opened for the attempts
}

// attempt returns a body reading the file from r; closeFn, if not nil,
// releases r when the upload ends.
func (u *uploadBody) attempt(r io.Reader, closeFn func()) io.Reader {
	if u.size >= 0 {
		// Send exactly size bytes: a Content-Length that the body does
		// not match would make net/http fail the request anyway.
		r = io.LimitReader(r, u.size)
	}
	p := &progressReader{r: r, total: u.size, fn: u.fn}
	u.mu.Lock()
	u.cur = p
	if closeFn != nil {
		u.closers = append(u.closers, closeFn)
	}
	u.mu.Unlock()
	return io.MultiReader(bytes.NewReader(u.preamble), p, bytes.NewReader(u.trailer))
}

func (u *uploadBody) getBody() (io.ReadCloser, error) {
	r, closeFn, err := u.reopen()
	if err != nil {
		return nil, err
	}
	return io.NopCloser(u.attempt(r, closeFn)), nil
}

func (u *uploadBody) current() *progressReader {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.cur
}

func (u *uploadBody) close() {
	u.mu.Lock()
	closers := u.closers
	u.closers = nil
	u.mu.Unlock()
	for _, c := range closers {
		c()
	}
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "", "\n", "")

func baseName(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	return path
}

// openUpload turns req.File into a reader and its size (-1 when unknown).
// closeFn releases what openUpload opened; reopen, not nil for sources
// that can be read again ([]byte, a path), opens a fresh reader.
func openUpload(req *core.UploadRequest) (r io.Reader, size int64, closeFn func(), reopen func() (io.Reader, func(), error), err error) {
	size = -1
	switch f := req.File.(type) {
	case nil:
		return nil, 0, nil, nil, core.ClientError("upload: no file")
	case []byte:
		r, size = bytes.NewReader(f), int64(len(f))
		reopen = func() (io.Reader, func(), error) { return bytes.NewReader(f), nil, nil }
	case string:
		file, st, err := openRegular(f)
		if err != nil {
			return nil, 0, nil, nil, err
		}
		r, size, closeFn = file, st.Size(), func() { file.Close() }
		reopen = func() (io.Reader, func(), error) {
			file, _, err := openRegular(f)
			if err != nil {
				return nil, nil, err
			}
			return file, func() { file.Close() }, nil
		}
	case *os.File:
		r = f
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			if off, err := f.Seek(0, io.SeekCurrent); err == nil {
				size = st.Size() - off
			}
		}
	case interface {
		io.Reader
		Len() int
	}:
		r, size = f, int64(f.Len())
	case io.Reader:
		r = f
	default:
		return nil, 0, nil, nil, core.ClientError("upload: the file must be []byte, an io.Reader or a path")
	}
	if req.Size > 0 {
		size = req.Size
	}
	return r, size, closeFn, reopen, nil
}

// openRegular opens the regular file at path.
func openRegular(path string) (*os.File, os.FileInfo, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, nil, core.WrapError(core.InvalidParam, core.SourceClient, err)
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, nil, core.WrapError(core.InvalidParam, core.SourceClient, err)
	}
	if !st.Mode().IsRegular() {
		file.Close()
		return nil, nil, core.ClientError("upload: " + path + " is not a regular file")
	}
	return file, st, nil
}

func uploadSourceError(url string, err error) *core.Error {
	e := core.NewError(core.ServerFileUploadUnknownError, "upload: reading the file failed: "+err.Error())
	e.Source = core.SourceClient
	e.URL = url
	e.Cause = err
	return e
}

// progressReader counts the bytes read from the file and reports them.
type progressReader struct {
	r     io.Reader
	total int64 // -1 when unknown
	fn    func(loaded, total int64)

	mu       sync.Mutex // the transport may read from another goroutine than the one finishing
	n        int64
	reported int64
	done     bool
	err      error // a read error of the source, other than EOF
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.mu.Lock()
	p.n += int64(n)
	if err != nil && err != io.EOF {
		p.err = err
	}
	report, loaded := p.shouldReport(), p.n
	p.mu.Unlock()
	if report {
		p.fn(loaded, p.reportedTotal())
	}
	return n, err
}

// shouldReport reports whether enough bytes passed since the last report
// (about 1% of the file, at least 64 KiB). Called with mu held.
func (p *progressReader) shouldReport() bool {
	if p.fn == nil || p.done {
		return false
	}
	step := int64(64 << 10)
	if p.total > 0 && p.total/100 > step {
		step = p.total / 100
	}
	if p.n-p.reported >= step || (p.total >= 0 && p.n == p.total && p.n != p.reported) {
		p.reported = p.n
		if p.total >= 0 && p.n == p.total {
			p.done = true
		}
		return true
	}
	return false
}

func (p *progressReader) reportedTotal() int64 {
	if p.total < 0 {
		return 0
	}
	return p.total
}

func (p *progressReader) readErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// finish sends the final report if the last read did not.
func (p *progressReader) finish() {
	p.mu.Lock()
	if p.fn == nil || p.done {
		p.mu.Unlock()
		return
	}
	p.done = true
	loaded := p.n
	p.mu.Unlock()
	total := p.reportedTotal()
	if total == 0 {
		total = loaded
	}
	p.fn(loaded, total)
}
