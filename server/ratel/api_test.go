package ratel

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/store/sqlite/sqlitetest"
)

func newTestAPI(t *testing.T) *API {
	t.Helper()
	a, err := New(Options{Store: sqlitetest.Open(t), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	return a
}

type envelope struct {
	Code    int             `json:"code"`
	Message *string         `json:"message"`
	Data    json.RawMessage `json:"data"`
	Cursor  string          `json:"cursor"`
}

func serve(t *testing.T, a *API, r *http.Request) (*httptest.ResponseRecorder, envelope) {
	t.Helper()
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	var env envelope
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &env), "body %q", w.Body.String())
	return w, env
}

func TestNewRequiresStore(t *testing.T) {
	_, err := New(Options{})
	assert.Error(t, err)
}

func TestEnvelopeShapes(t *testing.T) {
	a := newTestAPI(t)
	a.handle("GET /t/ok", public, func(c *Call) (any, error) { return map[string]int{"x": 1}, nil })
	a.handle("GET /t/extra", public, func(c *Call) (any, error) {
		return Envelope{Data: []int{1}, Extra: map[string]any{"cursor": "abc", "code": 999}}, nil
	})
	a.handle("GET /t/fail", public, func(c *Call) (any, error) { return nil, Fail(CodeGroupNotExist, "no group") })
	a.handle("GET /t/wrapped", public, func(c *Call) (any, error) {
		return nil, errors.Join(errors.New("ctx"), Fail(CodeNoPermission, "denied"))
	})
	a.handle("GET /t/internal", public, func(c *Call) (any, error) { return nil, errors.New("disk on fire") })
	a.handle("GET /t/panic", public, func(c *Call) (any, error) { panic("boom") })

	w, env := serve(t, a, httptest.NewRequest("GET", "/t/ok", nil))
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
	assert.Equal(t, CodeOK, env.Code)
	assert.Nil(t, env.Message, "message is null on success")
	assert.JSONEq(t, `{"x":1}`, string(env.Data))

	_, env = serve(t, a, httptest.NewRequest("GET", "/t/extra", nil))
	assert.Equal(t, CodeOK, env.Code, "extras cannot override code")
	assert.Equal(t, "abc", env.Cursor)
	assert.JSONEq(t, `[1]`, string(env.Data))

	w, env = serve(t, a, httptest.NewRequest("GET", "/t/fail", nil))
	assert.Equal(t, 200, w.Code, "business errors are HTTP 200")
	assert.Equal(t, CodeGroupNotExist, env.Code)
	require.NotNil(t, env.Message)
	assert.Equal(t, "no group", *env.Message)
	assert.Equal(t, "null", string(env.Data))

	_, env = serve(t, a, httptest.NewRequest("GET", "/t/wrapped", nil))
	assert.Equal(t, CodeNoPermission, env.Code, "wrapped APIErrors are found")

	for _, p := range []string{"/t/internal", "/t/panic"} {
		w, env = serve(t, a, httptest.NewRequest("GET", p, nil))
		assert.Equal(t, 500, w.Code, p)
		assert.Equal(t, CodeInternal, env.Code, p)
		assert.NotContains(t, w.Body.String(), "fire", "internal details stay in the log")
	}

	w, env = serve(t, a, httptest.NewRequest("GET", "/no/such/path", nil))
	assert.Equal(t, 404, w.Code)
	assert.Equal(t, CodeNotFound, env.Code)
	assert.False(t, a.Handles(httptest.NewRequest("GET", "/no/such/path", nil)))
	assert.True(t, a.Handles(httptest.NewRequest("GET", "/t/ok", nil)))
	assert.False(t, a.Handles(httptest.NewRequest("DELETE", "/t/ok", nil)), "method is part of the route")
}

func TestRawHandler(t *testing.T) {
	a := newTestAPI(t)
	a.handleRaw("POST /t/raw/{id}", public, func(c *Call) error {
		if c.R.PathValue("id") == "bad" {
			return Fail(CodeBadParam, "bad id")
		}
		b, _ := io.ReadAll(c.R.Body)
		c.W.Header().Set("Content-Type", "text/plain")
		c.W.Write([]byte("got " + string(b)))
		return nil
	})
	big := strings.Repeat("x", 2<<20)
	w := httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest("POST", "/t/raw/1", strings.NewReader(big)))
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, len("got ")+len(big), w.Body.Len(), "raw bodies are not cut at MaxBodyBytes")

	_, env := serve(t, a, httptest.NewRequest("POST", "/t/raw/bad", nil))
	assert.Equal(t, CodeBadParam, env.Code, "an error before writing becomes an envelope")
}

func TestBodyLimit(t *testing.T) {
	a := newTestAPI(t)
	a.handle("POST /t/echo", public, func(c *Call) (any, error) { return c.Str("s") })
	body := `{"s":"` + strings.Repeat("y", 1<<20) + `"}`
	w, env := serve(t, a, httptest.NewRequest("POST", "/t/echo", strings.NewReader(body)))
	assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
	assert.Equal(t, CodeBadParam, env.Code)

	w, env = serve(t, a, httptest.NewRequest("POST", "/t/echo", strings.NewReader(`{"s":"small"}`)))
	assert.Equal(t, 200, w.Code)
	assert.JSONEq(t, `"small"`, string(env.Data))
}
