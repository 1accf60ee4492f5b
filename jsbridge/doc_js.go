// Package jsbridge exposes the client engine (package core) to JavaScript
// through syscall/js, and implements core's platform seam (Dialer, Conn,
// HTTPDoer, Storage) over JavaScript objects supplied by the npm package.
//
// Every non-test file of this package carries the _js.go suffix, so the
// package is empty outside GOOS=js; tags_test.go (a native test) enforces it.
// The engine itself stays platform-neutral: everything that differs between
// a browser and a WeChat mini-program (WebSocket or wx.connectSocket, fetch
// or wx.request, localStorage or wx.setStorageSync) lives in TypeScript in
// npm/src/transports, behind the small object shapes documented on
// NewTransport, NewHTTP and NewStorage.
//
// # Boundaries
//
// JavaScript reaches Go only through js.Func values made by newFunc, whose
// bodies run under safeCall: a Go panic there is recovered and turned into a
// FlooError instead of killing the wasm instance, and a JavaScript exception
// thrown while Go calls into JavaScript becomes a Go error (*JSError). Every
// js.Func is released when its owner is done with it; liveFuncs counts the
// ones alive so tests can check that nothing leaks.
//
// Asynchronous methods return a Promise made by promise: the Go work runs
// in its own goroutine, never on the JavaScript thread, and the Promise
// rejects with a FlooError (ERRORS.md §1) built by the constructor the npm
// package passes in, never with a string or a plain object.
//
// Events of the engine reach JavaScript in order, in batches, through one
// callback (eventPump), so the cost of crossing the boundary is paid per
// batch rather than per event: a batch is written as one JSON document of
// [name, payload] pairs and parsed by one JSON.parse.
//
// # Managers
//
// The managers of the official API (userManage, rosterManage, groupManage,
// sysManage; JSAPI.md §4-§7) are tables of entries, one per official method
// under its official name, misspellings included (usermanage_js.go,
// rostermanage_js.go, groupmanage_js.go, sysmanage_js.go). An entry reads
// and checks its arguments (call_js.go) and calls the engine: a wrong
// type, a missing field or an oversized string is an InvalidParam
// FlooError naming the method and the argument, returned by synchronous
// methods (the npm facade throws it) and rejected by asynchronous ones,
// and the instance goes on. Methods that read local state (caches, the
// conversation list, stored messages) are synchronous; REST wrappers and
// message operations return Promises. REST entities are handed over as the
// server sent them (core's entities keep the object in Raw), so every field
// reaches the application under the server's name.
//
// Deliberate differences from the official client, besides those of
// JSAPI.md §14:
//
//   - sendRosterMessage, sendGroupMessage, sendMentionMessage and
//     forwardMessage return the client_mid as a decimal string, not a
//     number (mids are 64-bit; a number is exact only below 2^53), and
//     forwardMessage returns it even when the file URL must be re-signed
//     first. Their outcome arrives as onSendingMessageStatusChanged with
//     that mid.
//   - Operations (readRosterMessage, recallMessage, deleteConversation...)
//     return a Promise that settles when the server acknowledged them.
//   - sysManage.sendMessage(frame), which sends the official client's
//     internal frames, is not supported and rejects.
//   - The app id arguments of the sysManage getters are ignored: a client
//     serves one app.
//   - onUnreadChange and recentlistUpdate are coalesced per sync or history
//     page in core (pageEvents in core/sync.go): one per conversation and
//     one for the list, after the page's message events, instead of one
//     per message.
//
// # Values
//
// Go values are converted without reflection (value_js.go, payload_js.go).
// 64-bit ids are decimal strings, as in the official message objects; user
// and group ids are numbers when they fit in a JavaScript number exactly
// (below 2^53), as the official results give them. JSON carried in messages
// (config, attachment) is converted from core/jsonv values with integers
// beyond ±(2^53-1) turned into decimal strings, so no id is ever rounded.
//
// Event payloads and other objects with many fields are written as JSON in
// Go and parsed by one JSON.parse call: under Go's wasm port each property
// set from Go costs one to three microseconds (a JavaScript string created
// from Go also gets a reference and a finalizer), which made a message
// object take about 70 µs to build field by field against about 20 µs this
// way (BenchmarkMessageValue). The JavaScript side receives plain objects
// either way; FlooError values, which must be real Error instances, are
// attached after parsing.
//
// # Wasm
//
// JavaScript is single-threaded and Go's wasm port runs every goroutine on
// that thread. A js.Func body that blocks stalls the JavaScript event loop,
// so callbacks from JavaScript (socket messages, Promise settlements) only
// copy their data under a short mutex and signal a channel without blocking;
// the waiting goroutine does the rest.
package jsbridge
