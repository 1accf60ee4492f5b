// Package chaos is the fault-injection suite of delivery under faults
// (PROTOCOL.md §5, §7.5): the real floo-server binary as a child process
// on a temporary data directory, a TCP proxy (package proxy) between it
// and the clients, two native clients (core with core/native) and two
// floo-wasm clients in Node (the packed npm package, in a child node
// process), each pair exchanging numbered messages while the proxy cuts,
// stalls, delays and splits the traffic and the server is killed with
// SIGKILL and stopped with SIGTERM. Every send must be acknowledged and
// delivered exactly once, in order; nothing may be reported failed.
//
// The suite is TestChaos; it runs only when FLOO_CHAOS is set (the short
// run of scripts/test.sh, or the long run of `make chaos N=...`, both
// through scripts/chaos.sh). See README.md.
package chaos
