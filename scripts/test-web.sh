#!/usr/bin/env bash
# Builds the web example (as `make demo` does) and runs its end-to-end test: the reference server
# and two headless Chromium users (examples/web/test/e2e.test.mjs). Screenshots land in
# examples/web/test/screenshots/. Needs Chromium: CHROMIUM=/path, default /usr/bin/chromium,
# which scripts/deps.sh installs when it is missing (Debian's chromium).
source "$(dirname "$0")/lib.sh"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
CHROMIUM=$CHROMIUM scripts/deps.sh chromium
step "build the web example"
scripts/demo.sh --build-only
step "type-check the web example"
(cd examples/web && npm run --silent typecheck)
step "web end-to-end test (headless Chromium)"
cd examples/web
CHROMIUM=$CHROMIUM FLOO_SERVER_BIN="$ROOT/examples/web/.cache/floo-server" node --test --test-reporter=spec test/
