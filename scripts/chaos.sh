#!/usr/bin/env bash
# The fault-injection suite (test/chaos, see its README): the real floo-server as a child process,
# restarted with kill -9 and SIGTERM on the same data directory, a Go TCP proxy in front of it that
# cuts, stalls, delays and splits traffic, and two pairs of clients (native core, floo-wasm in
# Node) exchanging numbered messages. It prints a table per scenario and fails unless every send
# was acknowledged and delivered exactly once, in order, and none was reported failed.
#
#   scripts/chaos.sh              the short run (scripts/test.sh runs it; about 2 minutes)
#   scripts/chaos.sh long [N]     the long run: N messages per sender (default 10000) at 20/s
#
#   FLOO_CHAOS_NO_BUILD=1   reuse npm/dist when it is complete (e.g. after scripts/test-npm.sh)
#   FLOO_CHAOS_WASM=0       leave the wasm pair out (no Node project is prepared then)
#   FLOO_CHAOS_RATE, FLOO_CHAOS_SEED, FLOO_CHAOS_KILLS, FLOO_CHAOS_TERMS, FLOO_CHAOS_KEEP=1
#                           see test/chaos/chaos_test.go
#
# Needs network access to the npm registry (or a warm npm cache) for the temporary project that
# installs the packed package with ws, as scripts/test-e2e.sh does.
source "$(dirname "$0")/lib.sh"

MODE=${1:-short}
case "$MODE" in
  short) export FLOO_CHAOS=short; TIMEOUT=15m ;;
  long)
    export FLOO_CHAOS=long
    export FLOO_CHAOS_N=${2:-${FLOO_CHAOS_N:-10000}}
    RATE=${FLOO_CHAOS_RATE:-20}
    # Sending takes N/RATE seconds; the rounds of faults and the drain add at most a few minutes.
    TIMEOUT=$(( FLOO_CHAOS_N / RATE * 2 + 1800 ))s
    ;;
  *) echo "usage: scripts/chaos.sh [short | long [N]]" >&2; exit 2 ;;
esac

TMP=$(mktemp -d)
PROJECT=""
cleanup() {
  rm -rf "$TMP"
  if [ -n "$PROJECT" ]; then rm -rf "$(dirname "$PROJECT")"; fi
}
trap cleanup EXIT

step "chaos: build floo-server"
go build -o "$TMP/floo-server" ./cmd/floo-server
export FLOO_CHAOS_SERVER_BIN="$TMP/floo-server"

if [ "${FLOO_CHAOS_WASM:-1}" != 0 ]; then
  if [ "${FLOO_CHAOS_NO_BUILD:-}" = 1 ] && [ -f npm/dist/floo.wasm ] && [ -f npm/dist/index.js ]; then
    step "chaos: reuse npm/dist"
  else
    step "chaos: build npm/dist"
    scripts/wasm.sh
  fi
  step "chaos: npm pack, then npm install the tarball with ws into a temporary project"
  PROJECT=$(node npm/test/e2e/harness.mjs prepare)
  export FLOO_CHAOS_PROJECT="$PROJECT"
fi

step "chaos: $MODE run"
go test -count=1 -v -timeout "$TIMEOUT" -run '^TestChaos$' ./test/chaos/
