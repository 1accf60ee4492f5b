package jsbridge

import (
	"errors"
	"sync/atomic"
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/internal/lite"
)

func TestPromiseResolves(t *testing.T) {
	checkFuncs(t)
	e := testEnv(t)
	p := e.promise(func(ctx lite.Context) (js.Value, error) {
		require.NoError(t, ctx.Err())
		return js.ValueOf("done"), nil
	})
	require.True(t, p.InstanceOf(jsGlobal.Promise))
	v, err := await(t, p)
	require.NoError(t, err)
	assert.Equal(t, "done", v.String())
}

func TestPromiseRejectsWithFlooError(t *testing.T) {
	checkFuncs(t)
	e := testEnv(t)

	// A REST rejection: code is the server's business code, url is set.
	restErr := core.FromREST(20004, "group not exist", "https://api.example.com/group/info", false)
	v := rejection(t, e.promise(func(lite.Context) (js.Value, error) { return js.Undefined(), restErr }))
	requireFlooError(t, e, v, restErr.Name())
	assert.Equal(t, 20004, v.Get("code").Int(), "REST rejections carry the server's code")
	assert.Equal(t, int(restErr.Code), v.Get("sdkCode").Int())
	assert.Equal(t, "rest", v.Get("source").String())
	assert.Equal(t, 20004, v.Get("serverCode").Int())
	assert.Equal(t, "https://api.example.com/group/info", v.Get("url").String())
	assert.Equal(t, restErr.Temporary, v.Get("temporary").Bool())
	assert.Equal(t, "group not exist", v.Get("message").String())

	// A client error: code is the SDK code, no url, no cause.
	v = rejection(t, e.promise(func(lite.Context) (js.Value, error) {
		return js.Undefined(), core.ClientError("uid must be a positive id")
	}))
	requireFlooError(t, e, v, "InvalidParam")
	assert.Equal(t, int(core.InvalidParam), v.Get("code").Int())
	assert.Equal(t, "client", v.Get("source").String())
	assert.True(t, v.Get("url").IsUndefined())
	assert.True(t, v.Get("cause").IsUndefined())
	assert.False(t, v.Get("temporary").Bool())

	// A wrapped error: the cause becomes a nested FlooError or an Error.
	inner := core.ErrServerTimeOut(errors.New("deadline"))
	outer := core.WrapError(core.SignInFailed, core.SourceClient, inner)
	v = rejection(t, e.promise(func(lite.Context) (js.Value, error) { return js.Undefined(), outer }))
	requireFlooError(t, e, v, "SignInFailed")
	cause := v.Get("cause")
	requireFlooError(t, e, cause, "ServerTimeOut")
	assert.True(t, cause.Get("temporary").Bool())
	assert.Equal(t, "deadline", cause.Get("cause").Get("message").String())

	// Any other Go error is a GeneralError.
	v = rejection(t, e.promise(func(lite.Context) (js.Value, error) { return js.Undefined(), errors.New("plain") }))
	requireFlooError(t, e, v, "GeneralError")
	assert.Equal(t, "plain", v.Get("message").String())
}

func TestPromiseHandsBackJSExceptionsAsCause(t *testing.T) {
	e := testEnv(t)
	thrower := jsEval(t, `return function() { throw new RangeError("out of range") }`)
	v := rejection(t, e.promise(func(lite.Context) (js.Value, error) {
		thrower.Invoke() // panics with js.Error, recovered by the promise
		return js.Undefined(), nil
	}))
	requireFlooError(t, e, v, "GeneralError")
	assert.True(t, v.Get("cause").InstanceOf(js.Global().Get("RangeError")), "cause is the thrown value itself")
	assert.Equal(t, "RangeError: out of range", v.Get("message").String())
}

func TestPromisePanicRejectsOnce(t *testing.T) {
	checkFuncs(t)
	e := testEnv(t)
	p := e.promise(func(lite.Context) (js.Value, error) { panic("kaboom") })
	v := rejection(t, p)
	requireFlooError(t, e, v, "GeneralError")
	assert.Contains(t, v.Get("message").String(), "internal error: kaboom")

	// Count settlements through then(): exactly one.
	var n atomic.Int32
	cb := newFunc(func(js.Value, []js.Value) any { n.Add(1); return nil }, nil)
	defer cb.release()
	p.Call("then", cb.Value, cb.Value)
	waitFor(t, "settlement", func() bool { return n.Load() > 0 })
	sleepJS(10 * lite.Millisecond)
	assert.Equal(t, int32(1), n.Load())
}

func TestPromiseErrorWithoutConstructor(t *testing.T) {
	e := &env{ctx: lite.Background()} // no FlooError class
	v := rejection(t, e.promise(func(lite.Context) (js.Value, error) {
		return js.Undefined(), core.NewError(core.UserNotLogin, "")
	}))
	assert.True(t, v.InstanceOf(jsGlobal.Error), "still an Error, never a plain object")
	assert.Equal(t, "FlooError", v.Get("name").String())
	assert.Equal(t, "UserNotLogin", v.Get("sdkName").String())
	assert.NotEmpty(t, v.Get("message").String(), "the code's description fills an empty message")

	// A constructor that throws falls back the same way.
	e.flooError = jsEval(t, `return function() { throw new Error("ctor broken") }`)
	v = e.errorValue(core.ClientError("x"))
	assert.True(t, v.InstanceOf(jsGlobal.Error))
	assert.Equal(t, "InvalidParam", v.Get("sdkName").String())
}

func TestPromiseCancelledByAbortSignal(t *testing.T) {
	checkFuncs(t)
	e := testEnv(t)
	ac := js.Global().Get("AbortController").New()
	started := make(chan struct{})
	p := e.promiseSignal(ac.Get("signal"), func(ctx lite.Context) (js.Value, error) {
		close(started)
		<-ctx.Done()
		return js.Undefined(), ctx.Err()
	})
	<-started
	ac.Call("abort")
	v := rejection(t, p)
	requireFlooError(t, e, v, "UserCancel")

	// An already aborted signal cancels at once.
	p = e.promiseSignal(ac.Get("signal"), func(ctx lite.Context) (js.Value, error) {
		return js.Undefined(), ctx.Err()
	})
	requireFlooError(t, e, rejection(t, p), "UserCancel")
}

func TestPromiseCancelledWithTheClientContext(t *testing.T) {
	ctx, cancel := lite.WithCancel(lite.Background())
	e := &env{ctx: ctx, flooError: testFlooError(t)}
	p := e.promise(func(ctx lite.Context) (js.Value, error) {
		<-ctx.Done()
		return js.Undefined(), ctx.Err()
	})
	cancel()
	requireFlooError(t, e, rejection(t, p), "UserCancel")
}

func TestAwaitPromise(t *testing.T) {
	checkFuncs(t)
	v, err := await(t, jsEval(t, `return Promise.resolve(5)`))
	require.NoError(t, err)
	assert.Equal(t, 5, v.Int())

	v, err = await(t, js.ValueOf("not a promise"))
	require.NoError(t, err, "plain values count as resolved")
	assert.Equal(t, "not a promise", v.String())

	_, err = await(t, jsEval(t, `return new Promise((_, reject) => setTimeout(() => reject(new TypeError("net")), 1))`))
	var je *JSError
	require.ErrorAs(t, err, &je)
	assert.Equal(t, "TypeError", je.Name)
	assert.Equal(t, "net", je.Message)

	// ctx ends first: the callbacks stay alive until the Promise settles,
	// then go (checkFuncs verifies that at the end of the test).
	settle := jsEval(t, `let r; const p = new Promise(res => { r = res }); return {p, r: () => r(1)}`)
	var settled atomic.Bool
	ctx, cancel := lite.WithTimeout(lite.Background(), 5*lite.Millisecond)
	defer cancel()
	_, err = awaitPromiseThen(ctx, settle.Get("p"), func() { settled.Store(true) })
	assert.ErrorIs(t, err, lite.DeadlineExceeded)
	assert.False(t, settled.Load())
	settle.Call("r")
	waitFor(t, "onSettle after the late settlement", settled.Load)
}
