// Package native provides the platform pieces core needs on ordinary
// operating systems: a WebSocket Dialer on github.com/coder/websocket, an
// HTTPDoer on net/http (with streaming multipart uploads), a file-backed
// Storage, and Defaults, which fills a core.Config with them; and the
// local store SQLiteStore (modernc.org/sqlite), which Defaults leaves to
// the program, as a store belongs to one device identity (see
// docs/localstore.md).
//
//	cfg, err := native.Defaults(core.Config{AppID: "welovemaxim"}, dir)
//	if err != nil { ... }
//	store := native.NewSQLiteStore(filepath.Join(dir, "store.db"))
//	defer store.Close() // after client.Close
//	cfg.LocalStore = store
//	client, err := core.New(cfg)
//
// The reference server's tests, the terminal client cmd/floo, bots and
// operators' tools use it. The browser and WeChat builds do not: there the
// same interfaces are implemented in JavaScript behind jsbridge, because
// net/http and coder/websocket would add more than half a megabyte to the
// wasm binary and could not use the platform's own sockets anyway.
//
// # Errors
//
// Every error returned by the Dialer, its connections and the HTTPDoer is a
// *core.Error, classified at this edge (ERRORS.md §4.3, STYLE.md §16):
// unresolvable hosts and unreachable networks are ServerNotReachable,
// refused connections, failed handshakes and closed sockets
// ServerConnectFailed, timeouts ServerTimeOut, a caller's cancellation
// UserCancel. A WebSocket closed by the server keeps its close code in the
// message and as the cause; CloseCode extracts it.
//
// # Wasm
//
// Every file but this one is built for native targets only (//go:build
// !js), so that GOOS=js GOARCH=wasm builds of ./core/... never link
// net/http or coder/websocket. Under js the package is empty.
package native
