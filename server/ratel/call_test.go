package ratel

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newCall builds a Call for method, target (path?query) and an optional body.
func newCall(t *testing.T, method, target, body string) *Call {
	t.Helper()
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	return &Call{Ctx: r.Context(), R: r, query: r.URL.Query()}
}

func codeOf(t *testing.T, err error) int {
	t.Helper()
	require.Error(t, err)
	ae, ok := err.(*APIError)
	require.True(t, ok, "want *APIError, got %T %v", err, err)
	return ae.Code
}

func TestCallInt(t *testing.T) {
	tests := []struct {
		name, method, target, body string
		want                       int64
		code                       int // 0 = success
	}{
		{"json number", "POST", "/x", `{"id": 12}`, 12, 0},
		{"decimal string", "POST", "/x", `{"id": "12"}`, 12, 0},
		{"spaces in string", "POST", "/x", `{"id": " 7 "}`, 7, 0},
		{"max safe id exact", "POST", "/x", `{"id": 9007199254740991}`, 9007199254740991, 0},
		{"int64 beyond float precision", "POST", "/x", `{"id": "9007199254740993"}`, 9007199254740993, 0},
		{"negative", "POST", "/x", `{"id": -3}`, -3, 0},
		{"integral float", "POST", "/x", `{"id": 3.0}`, 3, 0},
		{"exponent", "POST", "/x", `{"id": 1e3}`, 1000, 0},
		{"query", "GET", "/x?id=5", "", 5, 0},
		{"query on POST (q)", "POST", "/x?id=5", `{}`, 5, 0},
		{"body wins over query", "POST", "/x?id=5", `{"id": 6}`, 6, 0},
		{"null falls back to query", "POST", "/x?id=5", `{"id": null}`, 5, 0},
		{"GET ignores a body", "GET", "/x?id=1", `{"id": 2}`, 1, 0},
		{"fraction", "POST", "/x", `{"id": 1.5}`, 0, CodeBadParam},
		{"word", "POST", "/x", `{"id": "abc"}`, 0, CodeBadParam},
		{"bool", "POST", "/x", `{"id": true}`, 0, CodeBadParam},
		{"array", "POST", "/x", `{"id": [1]}`, 0, CodeBadParam},
		{"missing", "POST", "/x", `{}`, 0, CodeBadParam},
		{"null only", "POST", "/x", `{"id": null}`, 0, CodeBadParam},
		{"empty query value", "GET", "/x?id=", "", 0, CodeBadParam},
		{"body not an object", "POST", "/x?id=1", `[1,2]`, 0, CodeBadParam},
		{"body not JSON", "POST", "/x?id=1", `id=1`, 0, CodeBadParam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCall(t, tt.method, tt.target, tt.body)
			got, err := c.Int("id")
			if tt.code != 0 {
				assert.Equal(t, tt.code, codeOf(t, err))
				if tt.name == "missing" {
					assert.Contains(t, err.Error(), "id", "the message names the field")
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCallOptionals(t *testing.T) {
	c := newCall(t, "POST", "/x?limit=&q=1", `{"n": "4", "s": 5, "b": "TRUE", "e": ""}`)
	n, err := c.OptInt("n", 9)
	require.NoError(t, err)
	assert.Equal(t, int64(4), n)
	n, err = c.OptInt("absent", 9)
	require.NoError(t, err)
	assert.Equal(t, int64(9), n)
	n, err = c.OptInt("limit", 20)
	require.NoError(t, err)
	assert.Equal(t, int64(20), n, "an empty query value counts as absent")
	_, err = c.OptInt("b", 0)
	assert.Equal(t, CodeBadParam, codeOf(t, err), "present but invalid is an error")

	s, err := c.OptStr("s", "d")
	require.NoError(t, err)
	assert.Equal(t, "5", s, "numbers are accepted as strings")
	s, err = c.OptStr("absent", "d")
	require.NoError(t, err)
	assert.Equal(t, "d", s)
	s, err = c.Str("e")
	require.NoError(t, err)
	assert.Equal(t, "", s, "an empty string is a value")

	b, err := c.OptBool("b", false)
	require.NoError(t, err)
	assert.True(t, b)
	b, err = c.OptBool("absent", true)
	require.NoError(t, err)
	assert.True(t, b)
	assert.True(t, c.Has("q"))
	assert.False(t, c.Has("absent"))
}

func TestCallBool(t *testing.T) {
	tests := []struct {
		body string
		want bool
		ok   bool
	}{
		{`{"v": true}`, true, true},
		{`{"v": false}`, false, true},
		{`{"v": "true"}`, true, true},
		{`{"v": "false"}`, false, true},
		{`{"v": "False"}`, false, true},
		{`{"v": 1}`, true, true},
		{`{"v": "0"}`, false, true},
		{`{"v": "yes"}`, false, false},
		{`{"v": 2}`, false, false},
		{`{"v": {}}`, false, false},
		{`{}`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			got, err := newCall(t, "POST", "/x", tt.body).Bool("v")
			if !tt.ok {
				assert.Equal(t, CodeBadParam, codeOf(t, err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	got, err := newCall(t, "GET", "/x?v=true", "").Bool("v")
	require.NoError(t, err)
	assert.True(t, got)
}

func TestCallStr(t *testing.T) {
	_, err := newCall(t, "POST", "/x", `{"s": ["a"]}`).Str("s")
	assert.Equal(t, CodeBadParam, codeOf(t, err))
	s, err := newCall(t, "POST", "/x", `{"s": false}`).Str("s")
	require.NoError(t, err)
	assert.Equal(t, "false", s)
	s, err = newCall(t, "GET", "/x?s=a%20b", "").Str("s")
	require.NoError(t, err)
	assert.Equal(t, "a b", s)
}

func TestCallIntList(t *testing.T) {
	tests := []struct {
		name, method, target, body string
		want                       []int64
		ok                         bool
	}{
		{"numbers", "POST", "/x", `{"l": [1, 2, 3]}`, []int64{1, 2, 3}, true},
		{"strings", "POST", "/x", `{"l": ["1", "2"]}`, []int64{1, 2}, true},
		{"mixed", "POST", "/x", `{"l": [1, "2"]}`, []int64{1, 2}, true},
		{"empty", "POST", "/x", `{"l": []}`, []int64{}, true},
		{"lone number", "POST", "/x", `{"l": 7}`, []int64{7}, true},
		{"lone string", "POST", "/x", `{"l": "7"}`, []int64{7}, true},
		{"query repeated", "GET", "/x?l=1&l=2", "", []int64{1, 2}, true},
		{"query commas", "GET", "/x?l=1,2,%203", "", []int64{1, 2, 3}, true},
		{"query JSON array", "GET", "/x?l=%5B1,%222%22%5D", "", []int64{1, 2}, true},
		{"bad element", "POST", "/x", `{"l": [1, "x"]}`, nil, false},
		{"nested", "POST", "/x", `{"l": [[1]]}`, nil, false},
		{"object", "POST", "/x", `{"l": {"a": 1}}`, nil, false},
		{"bad query JSON", "GET", "/x?l=%5B1", "", nil, false},
		{"missing", "POST", "/x", `{}`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := newCall(t, tt.method, tt.target, tt.body).IntList("l")
			if !tt.ok {
				assert.Equal(t, CodeBadParam, codeOf(t, err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	l, err := newCall(t, "POST", "/x", `{}`).OptIntList("l")
	require.NoError(t, err)
	assert.Nil(t, l)
}

func TestCallDecodeAndBind(t *testing.T) {
	c := newCall(t, "POST", "/x?q=%7B%22a%22%3A1%7D&w=plain", `{"obj": {"k": "v"}, "n": 1}`)
	var m map[string]string
	require.NoError(t, c.Decode("obj", &m))
	assert.Equal(t, "v", m["k"])
	var q struct{ A int }
	require.NoError(t, c.Decode("q", &q), "query values may hold JSON")
	assert.Equal(t, 1, q.A)
	var w string
	require.NoError(t, c.Decode("w", &w), "plain query text decodes as a string")
	assert.Equal(t, "plain", w)
	var bad int
	assert.Equal(t, CodeBadParam, codeOf(t, c.Decode("obj", &bad)))
	assert.Equal(t, CodeBadParam, codeOf(t, c.Decode("absent", &bad)))

	var body struct {
		N   int               `json:"n"`
		Obj map[string]string `json:"obj"`
	}
	require.NoError(t, c.BindBody(&body))
	assert.Equal(t, 1, body.N)
	assert.Equal(t, "v", body.Obj["k"])

	v, ok, err := c.Raw("n")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "1", v.(interface{ String() string }).String(), "numbers stay json.Number")
}

func TestCallMultipartBodyUntouched(t *testing.T) {
	r := httptest.NewRequest("POST", "/x?id=3", strings.NewReader("--b\r\n"))
	r.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	c := &Call{Ctx: r.Context(), R: r, query: r.URL.Query()}
	id, err := c.Int("id")
	require.NoError(t, err)
	assert.Equal(t, int64(3), id)
	rest := make([]byte, 8)
	n, _ := r.Body.Read(rest)
	assert.Equal(t, "--b\r\n", string(rest[:n]), "a multipart body is left for the raw handler")
}

func TestRateLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newRateLimiter(3, time.Minute, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		assert.True(t, l.allow("a"), "burst %d", i)
	}
	assert.False(t, l.allow("a"))
	assert.True(t, l.allow("b"), "buckets are per key")
	now = now.Add(20 * time.Second) // one token back
	assert.True(t, l.allow("a"))
	assert.False(t, l.allow("a"))
	now = now.Add(time.Hour)
	for i := 0; i < 3; i++ {
		assert.True(t, l.allow("a"), "refilled to the burst, not beyond")
	}
	assert.False(t, l.allow("a"))
	l.allow("c") // triggers a sweep of idle buckets
	l.mu.Lock()
	_, hasB := l.buckets["b"]
	l.mu.Unlock()
	assert.False(t, hasB, "idle buckets are swept")
}
