package server

import (
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// staticFiles serves the web folder (Config.WebDir). A file is sent
// precompressed when the folder holds a sibling with the encoding's
// extension (name.br, name.gz) and the request accepts that encoding: the
// 3.7 MB floo.wasm then travels as its 0.7 MB floo.wasm.br. Such files carry
// Vary: Accept-Encoding, as caches must not hand one encoding to a client
// that asked for another. Cache-Control: a file whose name carries a
// content hash (what bundlers emit, e.g. index-B1x9a_Qz.js) never changes,
// so it is cached for a year; anything else (index.html above all, which
// names the hashed files) is revalidated on every use.
type staticFiles struct {
	dir string
	fs  http.Handler // directories without a trailing slash: the redirect
}

func newStaticFiles(dir string) *staticFiles {
	return &staticFiles{dir: dir, fs: http.FileServer(http.Dir(dir))}
}

// encodings are the precompressed siblings looked for, preferred first.
var encodings = [...]struct{ token, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// cacheControl: a name that ends, before its extension, in a content hash
// is cached for a year; anything else is revalidated. A hash is what comes
// after the last dot or dash, 8 or more letters, digits or _ with at least
// one digit (main.3f9c1a2b.js, floo-CmDGRn1d.wasm), or, as Vite writes
// them, the last 8 characters after a dot or dash, letters, digits, _ or -
// with at least one digit or capital (index-DC-Z_qCN.css).
func cacheControl(name string) string {
	base := path.Base(filepath.ToSlash(name))
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	if isHash(base[strings.LastIndexAny(base, ".-")+1:], false, 8) ||
		len(base) > 9 && (base[len(base)-9] == '-' || base[len(base)-9] == '.') && isHash(base[len(base)-8:], true, 8) {
		return "public, max-age=31536000, immutable"
	}
	return "no-cache"
}

// isHash reports whether s has at least min letters, digits, _ (and -
// with dash) and a digit (or a capital, with dash).
func isHash(s string, dash bool, min int) bool {
	mark := false
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			mark = true
		case c >= 'A' && c <= 'Z':
			mark = mark || dash
		case c >= 'a' && c <= 'z', c == '_', c == '-' && dash:
		default:
			return false
		}
	}
	return len(s) >= min && mark
}

// ServeHTTP serves urlPath, which staticExists has found in the folder.
func (s *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := filepath.Join(s.dir, filepath.FromSlash(path.Clean("/"+r.URL.Path)))
	st, err := os.Stat(name)
	if err != nil {
		s.fs.ServeHTTP(w, r)
		return
	}
	if st.IsDir() {
		if !strings.HasSuffix(r.URL.Path, "/") {
			s.fs.ServeHTTP(w, r) // redirects to the slash form
			return
		}
		name = filepath.Join(name, "index.html")
	}
	h := w.Header()
	send, enc := name, ""
	for _, e := range encodings {
		if _, err := os.Stat(name + e.ext); err != nil {
			continue
		}
		if h.Get("Vary") == "" {
			h.Set("Vary", "Accept-Encoding")
		}
		if accepts(r, e.token) {
			send, enc = name+e.ext, e.token
			break
		}
	}
	f, err := os.Open(send)
	if err != nil {
		http.Error(w, "cannot open the file", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	fst, err := f.Stat()
	if err != nil || fst.IsDir() {
		http.Error(w, "cannot read the file", http.StatusInternalServerError)
		return
	}
	// The type of the file itself, not of its .br (mime knows .wasm as
	// application/wasm, which instantiateStreaming requires).
	if t := mime.TypeByExtension(filepath.Ext(name)); t != "" {
		h.Set("Content-Type", t)
	}
	if enc != "" {
		h.Set("Content-Encoding", enc)
	}
	h.Set("Cache-Control", cacheControl(name))
	http.ServeContent(w, r, name, fst.ModTime(), f)
}

// accepts reports whether the request's Accept-Encoding lists token (or *)
// without q=0.
func accepts(r *http.Request, token string) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, item := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(item, ";")
			name = strings.TrimSpace(name)
			if !strings.EqualFold(name, token) && name != "*" {
				continue
			}
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
				return false
			}
			return true
		}
	}
	return false
}
