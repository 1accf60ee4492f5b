package jsbridge

import (
	"errors"
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
)

func TestSafeCallTurnsJSExceptionsIntoErrors(t *testing.T) {
	thrower := jsEval(t, `return function(kind) {
		if (kind === "type") throw new TypeError("boom");
		if (kind === "string") throw "plain string";
		if (kind === "object") throw {code: 7};
		return 42;
	}`)

	var got js.Value
	require.NoError(t, safeCall(func() error { got = thrower.Invoke("none"); return nil }))
	assert.Equal(t, 42, got.Int())

	err := safeCall(func() error { thrower.Invoke("type"); return nil })
	var je *JSError
	require.True(t, errors.As(err, &je), "%T %v", err, err)
	assert.Equal(t, "TypeError", je.Name)
	assert.Equal(t, "boom", je.Message)
	assert.Equal(t, "TypeError: boom", je.Error())
	assert.True(t, je.Value.InstanceOf(js.Global().Get("TypeError")), "the thrown value is kept")

	err = safeCall(func() error { thrower.Invoke("string"); return nil })
	require.True(t, errors.As(err, &je))
	assert.Equal(t, "", je.Name)
	assert.Equal(t, "plain string", je.Error())

	err = safeCall(func() error { thrower.Invoke("object"); return nil })
	require.True(t, errors.As(err, &je))
	assert.Equal(t, "[object Object]", je.Message)
}

func TestSafeCallRecoversGoPanics(t *testing.T) {
	err := safeCall(func() error { panic("bad state") })
	require.Error(t, err)
	assert.True(t, core.IsCode(err, core.GeneralError))
	assert.Contains(t, err.Error(), "internal error: bad state")

	// A syscall/js misuse panics with *js.ValueError.
	err = safeCall(func() error { js.Undefined().Get("x"); return nil })
	require.Error(t, err)
	assert.True(t, core.IsCode(err, core.GeneralError))
	assert.Contains(t, err.Error(), "Value.Get")

	sentinel := errors.New("sentinel")
	err = safeCall(func() error { panic(sentinel) })
	assert.ErrorIs(t, err, sentinel, "a panicking error stays in the chain")

	assert.Equal(t, sentinel, safeCall(func() error { return sentinel }), "returned errors pass through")
}

func TestNewFuncRecoversAndCountsReleases(t *testing.T) {
	checkFuncs(t)
	var reported error
	f := newFunc(func(_ js.Value, args []js.Value) any {
		if argAt(args, 0).Truthy() {
			panic("handler bug")
		}
		return "ok"
	}, func(err error) { reported = err })
	base := liveFuncs.Load()

	assert.Equal(t, "ok", f.Value.Invoke(false).String())
	r := f.Value.Invoke(true)
	assert.True(t, r.IsUndefined(), "a panicking body returns undefined instead of killing the instance")
	require.Error(t, reported)
	assert.Contains(t, reported.Error(), "handler bug")

	f.release()
	f.release() // idempotent
	assert.Equal(t, base-1, liveFuncs.Load())
	assert.True(t, argAt(nil, 3).IsUndefined())
}
