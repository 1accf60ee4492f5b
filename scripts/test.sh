#!/usr/bin/env bash
# Everything the project tests: lint, native tests with -race, the wasm packages under Node,
# and the protoc cross-check of the wire codec.
source "$(dirname "$0")/lib.sh"
scripts/lint.sh
step "go test -race (native)"
go test -race -count=1 ./...
step "go test (js/wasm in Node)"
wasm_go test -count=1 $(wasm_pkgs)
step "codec cross-check against protoc-gen-go"
scripts/test-crosscheck.sh
step "npm package: build and unit tests"
scripts/test-npm.sh
step "WeChat entry in an emulated mini-program runtime"
scripts/test-wechat.sh
step "web example in headless Chromium"
scripts/test-web.sh
step "npm package end to end: packed and installed, against the reference server, in Node and Chromium"
scripts/test-e2e.sh
