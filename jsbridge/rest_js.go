package jsbridge

import (
	"syscall/js"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/internal/lite"
)

// The REST wrappers of the managers (userManage, rosterManage, groupManage
// and most of sysManage) live in TypeScript (npm/src/managers/): the wasm
// module only carries the engine. What they need from it is here: one
// generic REST call, which keeps the ratel host, the fail-over, the
// headers, the token and the error mapping in Go, and the data fetched at
// login, which seeds their caches.

// maxRESTBody bounds the JSON body of one REST call crossing the bridge.
const maxRESTBody = 4 << 20

// rest implements client.rest({method, path, query?, body?}): query is an
// array of [key, value] string pairs, in order; body is JSON text. It
// resolves with the data of the reply's envelope, integers beyond 2^53 as
// decimal strings, and rejects with the FlooError of core.Client.Call.
func (c *client) rest(args []js.Value) (any, error) {
	o, err := argObject(argAt(args, 0), "rest request")
	if err != nil {
		return c.env.rejected(err), nil
	}
	var req core.RESTRequest
	if req.Method, err = argString(o.Get("method"), "rest: method", 8); err != nil {
		return c.env.rejected(err), nil
	}
	if req.Path, err = argString(o.Get("path"), "rest: path", 256); err != nil {
		return c.env.rejected(err), nil
	}
	if q := o.Get("query"); !isNullish(q) {
		n := q.Length()
		req.Query = make([][2]string, n)
		for i := range req.Query {
			kv := q.Index(i)
			req.Query[i] = [2]string{jsString(kv.Index(0)), jsString(kv.Index(1))}
		}
	}
	if b := o.Get("body"); !isNullish(b) {
		s, err := argString(b, "rest: body", maxRESTBody)
		if err != nil {
			return c.env.rejected(err), nil
		}
		req.Body = []byte(s)
	}
	return c.env.promise(func(ctx lite.Context) (js.Value, error) {
		v, err := c.core.Call(ctx, req)
		if err != nil {
			return undefined, err
		}
		return jsonToJS(v), nil
	}), nil
}
