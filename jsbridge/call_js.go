package jsbridge

import (
	"syscall/js"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

// This file is the machinery of the manager methods (userManage,
// rosterManage, groupManage, sysManage): one table entry per official
// method, a single js.Func body that runs any entry, and argument readers.
//
// Size matters more than usual here: the manager tables hold about two
// hundred methods, and every line of Go in them ends up in the wasm module
// that browsers download. So the tables are package-level variables of
// capture-free function literals, which the compiler lays out as static
// data (a table built by a function costs code for every element, about
// 200 bytes each), an entry is one small function, and the argument
// readers do not return errors: a bad argument panics with a badArgPanic
// that the entry's runner recovers and reports as InvalidParam (the way
// text/template and encoding/json report errors deep inside their own
// code). A handler therefore reads its arguments inline, in the order of
// the call, and the first bad one decides the error:
//
//	{"recallMessage", kAsync, func(a *call) (any, error) {
//		return nil, a.core().Recall(a.ctx, a.conv(), a.id(a.arg(1), "mid"))
//	}},
//
// Go evaluates call arguments left to right, so no I/O starts before every
// argument was read and checked.

// kind says how a manager method answers.
type kind bool

const (
	// kSync methods read local state and return their value directly; a
	// failure returns a FlooError value, which the npm facade throws.
	kSync kind = false
	// kAsync methods return a Promise. The handler runs on its own
	// goroutine (env.promise), so it may block; its arguments are still
	// read before control returns to JavaScript, because Go's wasm port runs
	// every runnable goroutine before it does.
	kAsync kind = true
)

// entry is one method of a manager object.
type entry struct {
	name string
	kind kind
	run  func(a *call) (any, error)
}

// call is one invocation of a manager method: the client, the arguments,
// where to report problems and, for asynchronous methods, the Promise's
// context.
type call struct {
	c           *client
	mgr, method string
	args        []js.Value
	ctx         lite.Context
}

func (a *call) core() *core.Client      { return a.c.core }
func (a *call) user() *core.UserManager { return a.c.core.User() }
func (a *call) sys() *core.SysManager   { return a.c.core.Sys() }

// badArgPanic is the panic value of a failed argument check; see the top of
// this file.
type badArgPanic struct{ err error }

// installManager builds the manager object called name from entries. Each
// method is a js.Func owned by c, released when the client is closed.
func (c *client) installManager(name string, entries []entry) js.Value {
	obj := newObject()
	c.members = append(c.members, obj)
	for i := range entries {
		e := &entries[i]
		f := newFunc(func(_ js.Value, args []js.Value) any { return c.invoke(name, e, args) }, nil)
		c.funcs = append(c.funcs, f)
		obj.Set(e.name, f.Value)
	}
	return obj
}

// invoke runs entry e of manager mgr with args.
func (c *client) invoke(mgr string, e *entry, args []js.Value) any {
	a := &call{c: c, mgr: mgr, method: e.name, args: args, ctx: c.env.ctx}
	if e.kind == kAsync {
		return c.env.promise(func(ctx lite.Context) (js.Value, error) {
			a.ctx = ctx
			v, err := a.do(e.run)
			if err != nil || v == nil {
				return undefined, err
			}
			return js.ValueOf(v), nil
		})
	}
	v, err := a.do(e.run)
	if err != nil {
		return c.env.errorValue(err)
	}
	return v
}

// do runs fn, turning a badArgPanic into its error and any other panic
// (a bug) into an internal error.
func (a *call) do(fn func(*call) (any, error)) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			if ae, ok := r.(badArgPanic); ok {
				err = ae.err
			} else {
				err = panicError(r)
			}
		}
	}()
	return fn(a)
}

// fail reports a bad argument: an InvalidParam error whose message names
// the method, e.g. "groupManage.asyncKick: group_id is required".
func (a *call) fail(msg string) {
	panic(badArgPanic{core.ClientError(a.mgr + "." + a.method + ": " + msg)})
}

// check fails with err's message when err is not nil; err comes from the
// argument helpers of value_js.go, whose messages name the argument.
func (a *call) check(err error) {
	if err != nil {
		a.fail(toCoreError(err).Message)
	}
}

// Argument size limits. Short strings are names, passwords, reasons and
// the like; texts are message contents, ext, config and other documents.
// Both are far above real use and keep a runaway caller from pushing
// megabytes through the bridge.
const (
	maxShort = 4 << 10
	maxText  = 1 << 20
)

// arg returns argument i (undefined when missing).
func (a *call) arg(i int) js.Value { return argAt(a.args, i) }

// f returns field key of the parameter object, the first argument of most
// official methods. A missing parameter object reads as empty, so that the
// missing fields are reported by name; anything else but an object fails.
func (a *call) f(key string) js.Value {
	o := a.arg(0)
	if isNullish(o) {
		return undefined
	}
	if o.Type() != js.TypeObject || typeName(o) == "array" {
		a.fail("the parameter must be an object, got " + typeName(o))
	}
	return o.Get(key)
}

// need returns v, failing with "name is required" when it is missing:
// for the arguments without a default, such as the content of a send
// ("" is a valid content, for attachments; a missing one is a caller's
// bug, JSAPI.md §7).
func (a *call) need(v js.Value, name string) js.Value {
	if isNullish(v) {
		a.fail(name + " is required")
	}
	return v
}

// id reads a required positive id (a number up to 2^53-1 or a decimal
// string).
func (a *call) id(v js.Value, name string) uint64 {
	id, err := argID(v, name)
	a.check(err)
	return id
}

// idOpt reads an optional id: missing, 0 and "0" give 0.
func (a *call) idOpt(v js.Value, name string) uint64 {
	id, err := argIDOpt(v, name)
	a.check(err)
	return id
}

// ids reads an array of positive ids; missing reads as none.
func (a *call) ids(v js.Value, name string) []uint64 {
	if isNullish(v) {
		return nil
	}
	if typeName(v) != "array" {
		a.fail(name + " must be an array of ids, got " + typeName(v))
	}
	n := v.Length()
	if n > maxShort {
		a.fail(name + " has more than " + itoa(maxShort) + " ids")
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = a.id(v.Index(i), name+"["+itoa(i)+"]")
	}
	return out
}

// str reads an optional short string; missing reads as "".
func (a *call) str(v js.Value, name string) string {
	s, err := argStringOpt(v, name, maxShort)
	a.check(err)
	return s
}

// text reads an optional long string; missing reads as "".
func (a *call) text(v js.Value, name string) string {
	s, err := argStringOpt(v, name, maxText)
	a.check(err)
	return s
}

// jsonText reads a JSON document given as text or as an object (which is
// serialized with JSON.stringify, as the official client does for config
// and attachment); missing reads as "". Text is passed on unchecked: the
// engine validates the fields that must be JSON.
func (a *call) jsonText(v js.Value, name string) string {
	if v.Type() == js.TypeObject {
		var s js.Value
		if err := safeCall(func() error {
			s = jsGlobal.JSONStringify.Invoke(v)
			return nil
		}); err != nil {
			a.fail(name + " cannot be serialized: " + err.Error())
		}
		v = s
	}
	return a.text(v, name)
}

// params reads an optional object of request parameters as JSON: missing
// reads as the missing Value.
func (a *call) params(v js.Value, name string) jsonv.Value {
	if isNullish(v) {
		return jsonv.Value{}
	}
	if v.Type() != js.TypeObject || typeName(v) == "array" {
		a.fail(name + " must be an object, got " + typeName(v))
	}
	p, err := jsonv.ParseString(a.jsonText(v, name))
	a.check(err)
	return p
}

// flag reads an optional boolean.
func (a *call) flag(v js.Value, name string, def bool) bool {
	b, err := argBoolOpt(v, name, def)
	a.check(err)
	return b
}

// num reads an optional integer in [min, max].
func (a *call) num(v js.Value, name string, def, min, max int) int {
	n, err := argIntOpt(v, name, def, min, max)
	a.check(err)
	return n
}

// Shorthands for fields of the parameter object.

func (a *call) fid(key string) uint64    { return a.id(a.f(key), key) }
func (a *call) fids(key string) []uint64 { return a.ids(a.f(key), key) }
func (a *call) fstr(key string) string   { return a.str(a.f(key), key) }
func (a *call) ftext(key string) string  { return a.text(a.f(key), key) }
func (a *call) fflag(key string) bool    { return a.flag(a.f(key), key, false) }
