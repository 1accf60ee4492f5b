#!/usr/bin/env bash
# End-to-end tests of the npm package against the reference server: builds npm/dist and the
# server, packs the package and installs the tarball into a temporary project (with ws and
# playwright-core pinned there, never in the package), then runs the Node test, the socket.io test
# (the official web client's socket.io-client 2.x against the server's socket.io mode) and the
# headless Chromium tests (npm/test/e2e: the browser, the local store, shared tabs). Node and Chromium
# print their figures (cold start, receive throughput, the handover between tabs).
#
#   FLOO_E2E_NO_BUILD=1   reuse npm/dist when it is complete (e.g. right after scripts/test-npm.sh)
#   FLOO_E2E_CHROMIUM     Chromium binary (default /usr/bin/chromium, which scripts/deps.sh
#                         installs when it is missing)
#
# Needs network access to the npm registry (or a warm npm cache) for the temporary project.
source "$(dirname "$0")/lib.sh"

CHROMIUM=${FLOO_E2E_CHROMIUM:-/usr/bin/chromium}
CHROMIUM=$CHROMIUM scripts/deps.sh chromium

TMP=$(mktemp -d)
PROJECT=""
cleanup() {
  rm -rf "$TMP"
  if [ -n "$PROJECT" ]; then rm -rf "$(dirname "$PROJECT")"; fi
}
trap cleanup EXIT

if [ "${FLOO_E2E_NO_BUILD:-}" = 1 ] && [ -f npm/dist/floo.wasm ] && [ -f npm/dist/index.js ]; then
  step "e2e: reuse npm/dist"
else
  step "e2e: build npm/dist"
  scripts/wasm.sh
fi
step "e2e: build floo-server"
go build -o "$TMP/floo-server" ./cmd/floo-server
export FLOO_E2E_SERVER_BIN="$TMP/floo-server"

step "e2e: npm pack, then npm install the tarball into a temporary project"
PROJECT=$(node npm/test/e2e/harness.mjs prepare)
export FLOO_E2E_PROJECT="$PROJECT"
echo "project: $PROJECT"

# The files run one after the other (not in parallel) so that the Chromium figures are not
# measured while the Node test competes for the CPU. --test-force-exit: a Go wasm runtime keeps a
# pending timer for up to the heartbeat interval after its clients are closed.
status=0
step "e2e: Node against the reference server"
node --test --test-force-exit --test-timeout=120000 --test-reporter=spec npm/test/e2e/node.test.mjs || status=1
step "e2e: socket.io-client 2.x (the official web client's transport) against the reference server"
node --test --test-force-exit --test-timeout=120000 --test-reporter=spec npm/test/e2e/sio.test.mjs || status=1
step "e2e: headless Chromium against the reference server"
node --test --test-force-exit --test-timeout=150000 --test-reporter=spec npm/test/e2e/browser.test.mjs || status=1
step "e2e: the local store (IndexedDB) in headless Chromium against the reference server"
node --test --test-force-exit --test-timeout=240000 --test-reporter=spec npm/test/e2e/store.test.mjs || status=1
step "e2e: shared tabs (one engine for the tabs of a browser profile) in headless Chromium against the reference server"
node --test --test-force-exit --test-timeout=120000 --test-reporter=spec npm/test/e2e/tabs.test.mjs || status=1
exit $status
