#!/usr/bin/env bash
# Builds the web example (as `make demo` does) and runs its end-to-end test: the reference server
# and two headless Chromium users (examples/web/test/e2e.test.mjs). Screenshots land in
# examples/web/test/screenshots/. Needs Chromium: CHROMIUM=/path, default /usr/bin/chromium
# (Debian: apt-get install -y chromium).
source "$(dirname "$0")/lib.sh"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  echo "test-web: no Chromium at $CHROMIUM; install it (apt-get install -y chromium) or set CHROMIUM" >&2
  exit 1
fi
step "build the web example"
scripts/demo.sh --build-only
step "type-check the web example"
(cd examples/web && npm run --silent typecheck)
step "web end-to-end test (headless Chromium)"
cd examples/web
CHROMIUM=$CHROMIUM FLOO_SERVER_BIN="$ROOT/examples/web/.cache/floo-server" node --test --test-reporter=spec test/
