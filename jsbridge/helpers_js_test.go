package jsbridge

import (
	"errors"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/internal/lite"
)

// Test helpers. JavaScript fixtures are built with the Function
// constructor, which is fine in tests (the shipped code never evaluates
// source text: mini-programs forbid it).

// jsEval returns the value of a JavaScript function body run once, e.g.
// jsEval(t, "return 1 + 1").
func jsEval(t testing.TB, body string) js.Value {
	t.Helper()
	var v js.Value
	require.NoError(t, safeCall(func() error {
		v = js.Global().Get("Function").New(body).Invoke()
		return nil
	}), body)
	return v
}

// jsonStringify returns JSON.stringify(v).
func jsonStringify(v js.Value) string {
	return js.Global().Get("JSON").Call("stringify", v).String()
}

// testFlooError is a stand-in for the npm package's FlooError class, with
// the same constructor signature.
func testFlooError(t testing.TB) js.Value {
	return jsEval(t, `return class FlooError extends Error {
		constructor(message, fields) {
			super(message, fields && fields.cause !== undefined ? {cause: fields.cause} : undefined);
			this.name = "FlooError";
			Object.assign(this, fields);
		}
	}`)
}

func testEnv(t testing.TB) *env {
	return &env{ctx: lite.Background(), flooError: testFlooError(t)}
}

// await waits up to 5 s for a Promise.
func await(t testing.TB, p js.Value) (js.Value, error) {
	t.Helper()
	ctx, cancel := lite.WithTimeout(lite.Background(), 5*lite.Second)
	defer cancel()
	v, err := awaitPromise(ctx, p)
	require.False(t, errors.Is(err, lite.DeadlineExceeded), "promise did not settle")
	return v, err
}

// rejection awaits p, requires it to reject, and returns the reason.
func rejection(t testing.TB, p js.Value) js.Value {
	t.Helper()
	_, err := await(t, p)
	require.Error(t, err, "promise resolved")
	var je *JSError
	require.True(t, errors.As(err, &je), "rejection reason: %v", err)
	return je.Value
}

// requireFlooError checks that v is a FlooError (of the test class) with
// the given SDK code name.
func requireFlooError(t testing.TB, e *env, v js.Value, sdkName string) {
	t.Helper()
	require.True(t, v.InstanceOf(e.flooError), "not a FlooError: %s", jsString(v))
	require.True(t, v.InstanceOf(jsGlobal.Error), "not an Error")
	require.Equal(t, "FlooError", v.Get("name").String())
	require.Equal(t, sdkName, v.Get("sdkName").String(), "message: %s", v.Get("message").String())
	code, ok := core.CodeByName(sdkName)
	require.True(t, ok)
	require.Equal(t, int(code), v.Get("sdkCode").Int())
}

// sleepJS yields to the JavaScript event loop for d, letting timers and
// Promise callbacks run.
func sleepJS(d lite.Duration) { time.Sleep(time.Duration(d)) }

// waitFor polls cond for up to 5 s, yielding to JavaScript in between.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := lite.Now().Add(5 * lite.Second)
	for !cond() {
		if lite.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		sleepJS(lite.Millisecond)
	}
}

// checkFuncs records the number of live js.Funcs and, at the end of the
// test, requires it to be back to that number (after giving pending
// callbacks a moment to run).
func checkFuncs(t *testing.T) {
	base := liveFuncs.Load()
	t.Cleanup(func() {
		deadline := lite.Now().Add(2 * lite.Second)
		for liveFuncs.Load() != base && lite.Now().Before(deadline) {
			sleepJS(lite.Millisecond)
		}
		if n := liveFuncs.Load(); n != base {
			t.Errorf("js.Func leak: %d alive, %d before the test", n, base)
		}
	})
}

// eventValue converts one event as the pump does and returns its name and
// JavaScript payload.
func (e *env) eventValue(item any) (string, js.Value, bool) {
	var p payload
	p.BeginArray()
	fix, ok := e.convertEvent(&p, item)
	if !ok {
		return "", js.Undefined(), false
	}
	p.EndArray()
	pair := p.value()
	v := pair.Index(1)
	if fix != nil {
		v = fix(v)
	}
	return pair.Index(0).String(), v, true
}
