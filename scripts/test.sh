#!/usr/bin/env bash
# Everything the project tests: lint, native tests with -race, the wasm packages under Node,
# the protoc cross-check of the wire codec, the npm package, its size budget, WeChat, the web
# example, the end-to-end suites and the short fault-injection run. First it installs the system
# tools a fresh machine lacks (scripts/deps.sh: protoc, Chromium and PostgreSQL, with apt-get when run as root)
# and fetches the Go modules.
source "$(dirname "$0")/lib.sh"
step "tools"
scripts/deps.sh
go version
node --version
go mod download
scripts/lint.sh
step "go test -race (native)"
go test -race -count=1 ./...
step "go test (js/wasm in Node)"
wasm_go test -count=1 $(wasm_pkgs)
step "codec cross-check against protoc-gen-go"
scripts/test-crosscheck.sh
step "npm package: build and unit tests"
scripts/test-npm.sh
step "size budget of the shipped wasm and JS"
scripts/size.sh
step "WeChat entry in an emulated mini-program runtime"
scripts/test-wechat.sh
step "web example in headless Chromium"
scripts/test-web.sh
step "npm package end to end: packed and installed, against the reference server, in Node and Chromium"
scripts/test-e2e.sh
step "delivery under faults: the short fault-injection run (test/chaos)"
FLOO_CHAOS_NO_BUILD=1 scripts/chaos.sh short
