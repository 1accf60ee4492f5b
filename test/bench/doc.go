// Package bench is the end-to-end benchmark (make bench-e2e,
// scripts/bench-e2e.sh): the real floo-server binary as a child process on
// a temporary data directory, native core clients in this process,
// floo-wasm clients in Node (driver.mjs) and a lean XSYNC load generator,
// measuring live receive, offline sync, ping-pong latency, login time and
// the server's delivered messages per second at fixed offered loads. It
// prints a table; docs/performance.md explains the figures. Without
// FLOO_BENCH_E2E the test skips, so go test ./... does not run it.
package bench
