#!/usr/bin/env bash
# The end-to-end benchmark (test/bench, docs/performance.md): the floo-server binary as a child
# process on a temporary data directory; native clients, floo-wasm clients in Node (the packed
# package installed into a temporary project with ws, as scripts/test-e2e.sh does) and a lean
# XSYNC load generator; floo-wasm in headless Chromium too when a Chromium is found. It prints a
# Markdown table: live receive, offline sync, ping-pong, login, the native/wasm ratios, and the
# server's delivered msg/s and delivery latency at fixed offered loads. Not part of
# scripts/test.sh: it measures, it does not pass or fail on figures.
#
#   FLOO_BENCH_WASM=0         leave floo-wasm in Node out
#   FLOO_BENCH_CHROMIUM=path  the Chromium binary (default /usr/bin/chromium when it exists; 0 = none)
#   FLOO_BENCH_NO_BUILD=1     reuse npm/dist when it is complete
#   FLOO_BENCH_LOADS=1000,2000,5000,10000,20000   offered loads, msg/s
#   FLOO_BENCH_LOAD_SECS=5, FLOO_BENCH_PINGS=1000, FLOO_BENCH_KEEP=1, FLOO_BENCH_PROFILE=dir
#   FLOO_BENCH_DATA=dir       the server's data folder's parent (default /dev/shm, a tmpfs, when present)
#                             see test/bench/bench_test.go
#
# Needs network access to the npm registry (or a warm npm cache) for the temporary project.
#
# scripts/bench-e2e.sh cluster (make bench-cluster) runs the server's load scenario alone on three
# setups instead: one node on SQLite, one on PostgreSQL, and two nodes on PostgreSQL and NATS with
# each pair split across the nodes (TestBenchCluster in test/bench/cluster_test.go). PostgreSQL is
# a throw-away cluster (server/store/postgres/pgtest, needs initdb and pg_ctl: scripts/deps.sh
# postgres); NATS is embedded in the test process. No npm, no wasm.
#
#   FLOO_BENCH_LOADS=100,250,500,1000   offered loads, msg/s (its default)
#   FLOO_BENCH_SETUPS=sqlite,postgres,two-nodes
#
# scripts/bench-e2e.sh hidden (make bench-hidden) measures the heartbeat of a hidden tab instead:
# Chromium with a window on a virtual display (xvfb-run: scripts/deps.sh xvfb), the measured page
# in a background tab, one client in the tab and one in a dedicated worker, for
# FLOO_HIDDEN_MINUTES (default 10) (npm/test/e2e/hidden.mjs, docs/tabs.md "Hidden tabs").
source "$(dirname "$0")/lib.sh"

if [ "${1:-}" = hidden ]; then
  scripts/deps.sh chromium xvfb
  step "bench-hidden: build npm/dist"
  scripts/wasm.sh
  step "bench-hidden: npm pack, then npm install the tarball into a temporary project"
  PROJECT=$(node npm/test/e2e/harness.mjs prepare)
  trap 'rm -rf "$(dirname "$PROJECT")"' EXIT
  step "bench-hidden: run (${FLOO_HIDDEN_MINUTES:-10} min)"
  FLOO_E2E_PROJECT="$PROJECT" xvfb-run -a node npm/test/e2e/hidden.mjs
  exit 0
fi

if [ "${1:-}" = cluster ]; then
  step "bench-cluster: PostgreSQL server binaries"
  scripts/deps.sh postgres
  TMP=$(mktemp -d)
  trap 'rm -rf "$TMP"' EXIT
  step "bench-cluster: build floo-server"
  go build -o "$TMP/floo-server" ./cmd/floo-server
  step "bench-cluster: run"
  FLOO_BENCH_SERVER_BIN="$TMP/floo-server" FLOO_BENCH_CLUSTER=1 \
    go test -count=1 -v -timeout 30m -run '^TestBenchCluster$' ./test/bench/
  exit 0
fi

TMP=$(mktemp -d)
PROJECT=""
cleanup() {
  rm -rf "$TMP"
  if [ -n "$PROJECT" ]; then rm -rf "$(dirname "$PROJECT")"; fi
}
trap cleanup EXIT

step "bench-e2e: build floo-server"
go build -o "$TMP/floo-server" ./cmd/floo-server
export FLOO_BENCH_SERVER_BIN="$TMP/floo-server"

if [ -z "${FLOO_BENCH_CHROMIUM:-}" ] && [ -x /usr/bin/chromium ]; then
  export FLOO_BENCH_CHROMIUM=/usr/bin/chromium
fi
if [ "${FLOO_BENCH_WASM:-1}" != 0 ] || [ "${FLOO_BENCH_CHROMIUM:-0}" != 0 ]; then
  if [ "${FLOO_BENCH_NO_BUILD:-}" = 1 ] && [ -f npm/dist/floo.wasm ] && [ -f npm/dist/index.js ]; then
    step "bench-e2e: reuse npm/dist"
  else
    step "bench-e2e: build npm/dist"
    scripts/wasm.sh
  fi
  step "bench-e2e: npm pack, then npm install the tarball with ws into a temporary project"
  PROJECT=$(node npm/test/e2e/harness.mjs prepare)
  export FLOO_BENCH_PROJECT="$PROJECT"
fi

step "bench-e2e: run"
FLOO_BENCH_E2E=1 go test -count=1 -v -timeout 30m -run '^TestBenchE2E$' ./test/bench/
