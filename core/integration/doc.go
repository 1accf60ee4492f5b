// Package integration holds the end-to-end tests of the client engine: core
// with the native transports of core/native, against the real reference
// server (server/servertest) over real WebSockets and HTTP. It has no
// non-test code.
//
// The tests cover login in every form, one-to-one, group and multi-device
// chat, offline sync, history paging, message operations, typing, file
// transfer, a server restart with sends queued during the outage, and the
// same-device kick. BenchmarkReceive measures how many messages per second
// one native client receives from the server and dispatches as events.
//
// Every wait is bounded and awaits an event or a state, never a fixed
// sleep. The tests are native only (//go:build !js): the server cannot run
// in a wasm build.
package integration
