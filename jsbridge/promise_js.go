package jsbridge

import (
	"errors"
	"syscall/js"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/internal/lite"
)

// env holds what every JavaScript-facing call of one client shares.
type env struct {
	// ctx bounds every call: it is cancelled when the client is closed, so
	// pending Promises settle instead of hanging.
	ctx lite.Context
	// flooError is the npm package's FlooError class, called as
	// new FlooError(message, fields) (ERRORS.md §1). When it is not a
	// function (a bare wasm test), errors are built as Error objects with
	// the same fields.
	flooError js.Value
}

// promise returns a JavaScript Promise settled by fn, which runs in its own
// goroutine, so the JavaScript thread never waits for Go: the Promise
// resolves with fn's value or rejects with a FlooError made from its error.
// It settles exactly once; a panic in fn is recovered and rejects it with an
// internal GeneralError. The context given to fn ends when the client is
// closed. The only js.Func involved, the Promise executor, is released
// before promise returns.
func (e *env) promise(fn func(ctx lite.Context) (js.Value, error)) js.Value {
	return e.promiseSignal(js.Undefined(), fn)
}

// promiseSignal is promise with cancellation by an AbortSignal (STYLE C.7):
// when signal aborts, fn's context is cancelled and a call that honours it
// rejects with UserCancel. signal may be undefined or null.
func (e *env) promiseSignal(signal js.Value, fn func(ctx lite.Context) (js.Value, error)) js.Value {
	var resolve, reject js.Value
	exec := newFunc(func(_ js.Value, args []js.Value) any {
		resolve, reject = argAt(args, 0), argAt(args, 1)
		return nil
	}, nil)
	// The Promise constructor calls the executor synchronously, on this
	// goroutine, so resolve and reject are set when New returns.
	p := jsGlobal.Promise.New(exec.Value)
	exec.release()

	parent := e.ctx
	if parent == nil {
		parent = lite.Background()
	}
	ctx, cancel := lite.WithCancel(parent)
	var onAbort *jsFunc
	if signal.Type() == js.TypeObject {
		if signal.Get("aborted").Truthy() {
			cancel()
		} else {
			onAbort = newFunc(func(js.Value, []js.Value) any { cancel(); return nil }, nil)
			if err := safeCall(func() error {
				signal.Call("addEventListener", "abort", onAbort.Value)
				return nil
			}); err != nil {
				onAbort.release()
				onAbort = nil
			}
		}
	}
	go func() {
		defer cancel()
		var v js.Value
		err := safeCall(func() error {
			var err error
			v, err = fn(ctx)
			return err
		})
		if onAbort != nil {
			// Remove the listener before releasing it: an abort fired later
			// must not reach a released function.
			_ = safeCall(func() error {
				signal.Call("removeEventListener", "abort", onAbort.Value)
				return nil
			})
			onAbort.release()
		}
		if err != nil {
			reject.Invoke(e.errorValue(err))
			return
		}
		resolve.Invoke(v)
	}()
	return p
}

// toCoreError maps any error to the *core.Error a FlooError is made from:
// an *core.Error in the chain as is; context ends as core maps them
// (UserCancel, ServerTimeOut); a JavaScript exception and any other Go error
// as GeneralError with the error's text, since ERRORS.md has no "internal"
// code.
func toCoreError(err error) *core.Error {
	if ce, ok := errors.AsType[*core.Error](err); ok && ce != nil {
		return ce
	}
	if errors.Is(err, lite.Canceled) || errors.Is(err, lite.DeadlineExceeded) {
		return core.FromTransportError(err)
	}
	return core.WrapError(core.GeneralError, core.SourceClient, err)
}

// maxCauseDepth bounds the chain of FlooError causes built for one error.
const maxCauseDepth = 4

// errorValue returns the FlooError for err, with the fields of ERRORS.md
// §1: code (FacadeCode: the server's business code for REST rejections, the
// SDK code otherwise), sdkCode, sdkName, source, serverCode, url (REST
// only), temporary and cause.
func (e *env) errorValue(err error) js.Value {
	return e.errorValueDepth(err, 0)
}

func (e *env) errorValueDepth(err error, depth int) js.Value {
	ce := toCoreError(err)
	fields := newObject()
	fields.Set("code", ce.FacadeCode())
	fields.Set("sdkCode", int(ce.Code))
	fields.Set("sdkName", ce.Name())
	src := ce.Source
	if src == "" {
		src = core.SourceClient
	}
	fields.Set("source", string(src))
	fields.Set("serverCode", ce.ServerCode)
	if ce.URL != "" {
		fields.Set("url", ce.URL)
	}
	fields.Set("temporary", ce.Temporary)
	if ce.Cause != nil {
		fields.Set("cause", e.causeValue(ce.Cause, depth+1))
	}
	msg := ce.Message
	if msg == "" {
		msg = ce.Code.Description()
	}
	return e.construct(msg, fields)
}

// causeValue converts the cause of an error: a JavaScript exception is
// handed back as the very value that was thrown, an SDK error becomes a
// nested FlooError, anything else an Error with the Go error's text.
func (e *env) causeValue(err error, depth int) js.Value {
	if je, ok := errors.AsType[*JSError](err); ok {
		return je.Value
	}
	if ce, ok := errors.AsType[*core.Error](err); ok && ce != nil && depth < maxCauseDepth {
		return e.errorValueDepth(ce, depth)
	}
	return jsGlobal.Error.New(err.Error())
}

// construct calls new FlooError(message, fields), or builds an equivalent
// Error when the constructor is missing or throws: a rejection must always
// be an Error object.
func (e *env) construct(msg string, fields js.Value) js.Value {
	if e.flooError.Type() == js.TypeFunction {
		var v js.Value
		if safeCall(func() error {
			v = e.flooError.New(msg, fields)
			return nil
		}) == nil {
			return v
		}
	}
	v := jsGlobal.Error.New(msg)
	jsGlobal.Object.Call("assign", v, fields)
	v.Set("name", "FlooError")
	return v
}

// awaitPromise waits for a JavaScript Promise (or any value, which counts as
// already resolved) to settle, or for ctx to end. A rejection comes back as
// a *JSError holding the rejection reason. Its two callbacks are released
// when the Promise settles; if ctx ends first they stay alive until then,
// since a released function must never be called (a Promise cannot be
// unsubscribed from).
func awaitPromise(ctx lite.Context, p js.Value) (js.Value, error) {
	return awaitPromiseThen(ctx, p, nil)
}

// awaitPromiseThen is awaitPromise that also calls onSettle (when not nil)
// on the JavaScript thread once the Promise settles, even if ctx ended
// before: the place to release functions the Promise's producer may call
// until then.
func awaitPromiseThen(ctx lite.Context, p js.Value, onSettle func()) (js.Value, error) {
	type settled struct {
		v   js.Value
		err error
	}
	ch := make(chan settled, 1) // one send: a Promise settles once
	var onOK, onErr *jsFunc
	done := func() {
		onOK.release()
		onErr.release()
		if onSettle != nil {
			onSettle()
		}
	}
	onOK = newFunc(func(_ js.Value, args []js.Value) any {
		ch <- settled{v: argAt(args, 0)}
		done()
		return nil
	}, nil)
	onErr = newFunc(func(_ js.Value, args []js.Value) any {
		ch <- settled{err: jsErrorOf(argAt(args, 0))}
		done()
		return nil
	}, nil)
	if err := safeCall(func() error {
		jsGlobal.Promise.Call("resolve", p).Call("then", onOK.Value, onErr.Value)
		return nil
	}); err != nil {
		done()
		return js.Undefined(), err
	}
	select {
	case s := <-ch:
		return s.v, s.err
	case <-ctx.Done():
		return js.Undefined(), ctx.Err()
	}
}
