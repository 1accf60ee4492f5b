package ratel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Call is one REST request being handled. Handlers read parameters through
// its accessors, which merge the JSON body and the query string with the body
// winning (REST.md §2.2) and coerce types as REST.md §2.3 requires: integers
// as JSON numbers or decimal strings, booleans as true/false or
// "true"/"false". A JSON null counts as absent.
//
// Every accessor that can fail returns an *APIError with code 10002 naming
// the field, so a handler can return the error as is.
//
// A Call is used by one goroutine.
type Call struct {
	Ctx   context.Context
	R     *http.Request
	UID   int64  // authenticated user; 0 on endpoints that need no token
	Token string // the access token as sent; "" when none was needed or sent
	// DeviceGUID is the device_guid the token was issued for ("" if none).
	DeviceGUID string
	// W is the response writer. Only raw handlers (handleRaw) may write to
	// it; envelope handlers return their data instead.
	W http.ResponseWriter

	api     *API
	query   url.Values
	body    map[string]any // decoded JSON body, nil if none
	loaded  bool
	loadErr error
}

// load decodes the JSON body on first use. Multipart bodies are left alone
// for raw upload handlers.
func (c *Call) load() error {
	if c.loaded {
		return c.loadErr
	}
	c.loaded = true
	if c.query == nil {
		c.query = c.R.URL.Query()
	}
	if c.R.Body == nil || c.R.Method == http.MethodGet || c.R.Method == http.MethodHead {
		// GET requests may carry Content-Type: application/json (PROTOCOL.md
		// §17.18) but their parameters are in the query string.
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(c.R.Header.Get("Content-Type")); strings.HasPrefix(mt, "multipart/") ||
		mt == "application/x-www-form-urlencoded" {
		return nil
	}
	raw, err := io.ReadAll(c.R.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			c.loadErr = &APIError{Code: CodeBadParam, Message: "request body too large", Status: http.StatusRequestEntityTooLarge}
		} else {
			c.loadErr = Fail(CodeBadParam, "cannot read request body")
		}
		return c.loadErr
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keeps 64-bit ids exact
	var m map[string]any
	if err := dec.Decode(&m); err != nil || dec.Decode(new(json.RawMessage)) != io.EOF {
		// Trailing data after the object is as suspect as no object.
		c.loadErr = Fail(CodeBadParam, "request body is not a JSON object")
		return c.loadErr
	}
	c.body = m
	return nil
}

// Raw returns the parameter as decoded: from the body a string,
// json.Number, bool, []any or map[string]any; from the query string a
// string. ok is false when the parameter is absent or null.
func (c *Call) Raw(name string) (v any, ok bool, err error) {
	if err := c.load(); err != nil {
		return nil, false, err
	}
	if v, ok := c.body[name]; ok && v != nil {
		return v, true, nil
	}
	if vs, ok := c.query[name]; ok && len(vs) > 0 {
		return vs[0], true, nil
	}
	return nil, false, nil
}

// Has reports whether the parameter is present and not null. It cannot
// report a body that does not decode, and need not: envelope endpoints never
// run with one (wrap answers 10002, or 413 for an over-size body, first).
// A raw handler reading JSON parameters must call Err before relying on Has.
func (c *Call) Has(name string) bool {
	_, ok, _ := c.Raw(name)
	return ok
}

// Err returns the error of decoding the body (nil without one): 10002 for a
// body that is not a JSON object, HTTP 413 for one over the size limit.
func (c *Call) Err() error { return c.load() }

// Decode unmarshals the parameter into dst (any JSON shape), for odd fields.
// A query-string value is decoded as JSON if it parses, else as a JSON string.
func (c *Call) Decode(name string, dst any) error {
	v, ok, err := c.Raw(name)
	if err != nil {
		return err
	}
	if !ok {
		return badParam(name, "missing")
	}
	var b []byte
	if s, isStr := v.(string); isStr && c.fromQuery(name) && json.Valid([]byte(s)) {
		b = []byte(s)
	} else if b, err = json.Marshal(v); err != nil {
		return badParam(name, "invalid")
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return badParam(name, "invalid")
	}
	return nil
}

func (c *Call) fromQuery(name string) bool {
	v, ok := c.body[name]
	return !ok || v == nil
}

// BindBody unmarshals the whole JSON body into dst. Query parameters are not
// included; prefer the accessors unless the body has a fixed complex shape.
func (c *Call) BindBody(dst any) error {
	if err := c.load(); err != nil {
		return err
	}
	b, err := json.Marshal(c.body)
	if err == nil {
		err = json.Unmarshal(b, dst)
	}
	if err != nil {
		return Fail(CodeBadParam, "invalid request body")
	}
	return nil
}

// Int returns a required integer parameter.
func (c *Call) Int(name string) (int64, error) {
	v, ok, err := c.Raw(name)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, badParam(name, "missing")
	}
	n, ok := toInt(v)
	if !ok {
		return 0, badParam(name, "not an integer")
	}
	return n, nil
}

// OptInt returns an optional integer parameter, def when absent. An empty
// string counts as absent (query strings such as "cursor=" are common).
func (c *Call) OptInt(name string, def int64) (int64, error) {
	v, ok, err := c.Raw(name)
	if err != nil {
		return 0, err
	}
	if !ok || v == "" {
		return def, nil
	}
	n, ok := toInt(v)
	if !ok {
		return 0, badParam(name, "not an integer")
	}
	return n, nil
}

// Str returns a required string parameter; numbers and booleans are given as
// their JSON text. An empty string is accepted.
func (c *Call) Str(name string) (string, error) {
	v, ok, err := c.Raw(name)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", badParam(name, "missing")
	}
	s, ok := toStr(v)
	if !ok {
		return "", badParam(name, "not a string")
	}
	return s, nil
}

// OptStr returns an optional string parameter, def when absent.
func (c *Call) OptStr(name, def string) (string, error) {
	if !c.Has(name) {
		if err := c.load(); err != nil {
			return "", err
		}
		return def, nil
	}
	return c.Str(name)
}

// Bool returns a required boolean parameter.
func (c *Call) Bool(name string) (bool, error) {
	v, ok, err := c.Raw(name)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, badParam(name, "missing")
	}
	b, ok := toBool(v)
	if !ok {
		return false, badParam(name, "not a boolean")
	}
	return b, nil
}

// OptBool returns an optional boolean parameter, def when absent.
func (c *Call) OptBool(name string, def bool) (bool, error) {
	v, ok, err := c.Raw(name)
	if err != nil {
		return false, err
	}
	if !ok || v == "" {
		return def, nil
	}
	b, ok := toBool(v)
	if !ok {
		return false, badParam(name, "not a boolean")
	}
	return b, nil
}

// IntList returns a required list of integers. In the body it is a JSON
// array whose elements are numbers or decimal strings; in the query string
// it is repeated (user_list=1&user_list=2), comma-separated, or a JSON array.
// An empty list is valid.
func (c *Call) IntList(name string) ([]int64, error) {
	v, ok, err := c.Raw(name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, badParam(name, "missing")
	}
	var items []any
	switch x := v.(type) {
	case []any:
		items = x
	case string:
		if c.fromQuery(name) {
			for _, q := range c.query[name] {
				q = strings.TrimSpace(q)
				if strings.HasPrefix(q, "[") {
					var arr []any
					d := json.NewDecoder(strings.NewReader(q))
					d.UseNumber()
					if d.Decode(&arr) != nil {
						return nil, badParam(name, "not a list of integers")
					}
					items = append(items, arr...)
					continue
				}
				for _, p := range strings.Split(q, ",") {
					if p = strings.TrimSpace(p); p != "" {
						items = append(items, p)
					}
				}
			}
		} else {
			items = []any{x} // a lone id where a list was expected
		}
	case json.Number:
		items = []any{x}
	default:
		return nil, badParam(name, "not a list of integers")
	}
	out := make([]int64, 0, len(items))
	for _, it := range items {
		n, ok := toInt(it)
		if !ok {
			return nil, badParam(name, "not a list of integers")
		}
		out = append(out, n)
	}
	return out, nil
}

// OptIntList is IntList with nil when absent.
func (c *Call) OptIntList(name string) ([]int64, error) {
	if !c.Has(name) {
		return nil, c.load()
	}
	return c.IntList(name)
}

// toInt accepts a JSON number or a decimal string holding an integer. Floats
// with an integral value (1e3, 12.0) are accepted when exactly representable.
func toInt(v any) (int64, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = strings.TrimSpace(x)
	default:
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func toStr(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return string(x), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// toBool accepts true/false, "true"/"false" (any case) and, leniently, 1/0.
func toBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string, json.Number:
		s, _ := toStr(x)
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1":
			return true, true
		case "false", "0":
			return false, true
		}
	}
	return false, false
}
