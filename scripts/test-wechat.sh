#!/usr/bin/env bash
# Runs the WeChat mini-program tests (npm/test/wechat, docs/wechat.md): the polyfills and the wx
# transports on their own, then the package's miniprogram build in an emulated mini-program
# runtime against the real reference server. Builds npm/dist first (scripts/wasm.sh) unless
# FLOO_SKIP_BUILD=1, and floo-server and the floo terminal client (a message peer) once.
source "$(dirname "$0")/lib.sh"
if [ "${FLOO_SKIP_BUILD:-}" != 1 ]; then
  step "build npm/dist"
  scripts/wasm.sh
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
step "build floo-server and floo"
go build -o "$tmp/floo-server" ./cmd/floo-server
go build -o "$tmp/floo" ./cmd/floo
step "npm/test/wechat"
(
  cd npm
  FLOO_SERVER_BIN="$tmp/floo-server" FLOO_CLI_BIN="$tmp/floo" \
    node --test --test-timeout=60000 test/wechat/*.test.js
)
node -e '
  const fs = require("fs");
  const size = (f) => fs.statSync("npm/dist/" + f).size;
  const br = size("miniprogram/floo.wasm.br"), js = size("miniprogram/index.js"), limit = 2 * 1024 * 1024;
  console.log(`WeChat build: floo.wasm ${size("floo.wasm")} B raw, floo.wasm.br ${br} B, index.js ${js} B;`,
    `${limit - br - js} B of a 2 MB (sub)package left for the app`);
'
