package jsbridge

import (
	"strconv"
	"sync/atomic"
	"syscall/js"

	"github.com/flooim/floo/core"
)

// JSError is a JavaScript exception (or Promise rejection reason) seen from
// Go. Value is the thrown value itself, so that it can be handed back to
// JavaScript unchanged as the cause of a FlooError.
type JSError struct {
	Value   js.Value
	Name    string // the error's name ("TypeError", "AbortError"...), "" for non-errors
	Message string
}

// Error returns "Name: Message", or the message alone when there is no name.
func (e *JSError) Error() string {
	if e.Name == "" {
		return e.Message
	}
	if e.Message == "" {
		return e.Name
	}
	return e.Name + ": " + e.Message
}

// jsErrorOf wraps a thrown or rejected JavaScript value. Error objects keep
// their name and message; other values (strings, numbers, plain objects)
// are described by String(value), which is what the console shows too.
func jsErrorOf(v js.Value) *JSError {
	e := &JSError{Value: v}
	switch v.Type() {
	case js.TypeObject, js.TypeFunction:
		name, msg := v.Get("name"), v.Get("message")
		if name.Type() == js.TypeString {
			e.Name = name.String()
		}
		if msg.Type() == js.TypeString {
			e.Message = msg.String()
		}
		if e.Name == "" && e.Message == "" {
			e.Message = jsString(v)
		}
	default:
		e.Message = jsString(v)
	}
	return e
}

// jsString returns String(v) without risking an exception: objects with a
// throwing toString, or a null prototype, give "[object]".
func jsString(v js.Value) string {
	if v.Type() == js.TypeString {
		return v.String()
	}
	s := "[object]"
	_ = safeCall(func() error {
		s = jsGlobal.String.Invoke(v).String()
		return nil
	})
	return s
}

// safeCall runs fn and turns a panic into an error: a JavaScript exception
// raised by a js.Value method (js.Error) becomes a *JSError carrying the
// thrown value; any other panic (a syscall/js misuse such as Get on
// undefined, a bug in the bridge) becomes an internal GeneralError. It is
// used around every call into JavaScript that may throw, and inside every
// js.Func body, since a panic that escapes a js.Func kills the whole wasm
// instance and with it every client on the page.
func safeCall(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	return fn()
}

// panicError converts a recovered panic value into an error.
func panicError(r any) error {
	switch v := r.(type) {
	case js.Error:
		return jsErrorOf(v.Value)
	case *js.ValueError:
		return internalError(v.Error())
	case error:
		e := internalError(v.Error())
		e.Cause = v
		return e
	case string:
		return internalError(v)
	}
	return internalError("panic of an unknown kind")
}

// internalError is the error of a bug: a recovered panic or an impossible
// state. ERRORS.md has no "internal" code, so it is GeneralError from the
// client, with a message that says what happened.
func internalError(msg string) *core.Error {
	return core.NewError(core.GeneralError, "internal error: "+msg)
}

// liveFuncs counts the js.Func values made by newFunc and not yet released.
// A js.Func pins its Go closure until Release, and a released one must never
// be called again, so every owner releases its functions exactly once; the
// tests check this counter returns to its starting value.
var liveFuncs atomic.Int64

// jsFunc is a js.Func made by newFunc. release is idempotent, so that the
// several paths that can end an owner (a close from Go, a close event from
// JavaScript, a settled Promise) may each call it.
type jsFunc struct {
	js.Func
	released atomic.Bool
}

// newFunc returns a js.Func whose body runs under safeCall. fn returns the
// value for JavaScript (nil gives undefined); a panic inside it is reported
// to onPanic (when not nil) and the call returns undefined.
func newFunc(fn func(this js.Value, args []js.Value) any, onPanic func(error)) *jsFunc {
	f := &jsFunc{}
	f.Func = js.FuncOf(func(this js.Value, args []js.Value) any {
		var out any
		err := safeCall(func() error {
			out = fn(this, args)
			return nil
		})
		if err != nil {
			if onPanic != nil {
				onPanic(err)
			}
			return js.Undefined()
		}
		if out == nil {
			// ValueOf(nil) is null; a function without a result gives
			// undefined in JavaScript.
			return js.Undefined()
		}
		return out
	})
	liveFuncs.Add(1)
	return f
}

// release frees the function. It is safe to call more than once and from
// inside the function's own body.
func (f *jsFunc) release() {
	if f != nil && f.released.CompareAndSwap(false, true) {
		f.Func.Release()
		liveFuncs.Add(-1)
	}
}

// argAt returns args[i], or undefined when the caller passed fewer
// arguments, as JavaScript itself does.
func argAt(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

// itoa is strconv.Itoa, named for brevity in messages.
func itoa(i int) string { return strconv.Itoa(i) }
