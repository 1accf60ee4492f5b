#!/usr/bin/env bash
# Benchmarks, natively and (for the wasm packages) under Node. BENCHTIME defaults to 1s.
source "$(dirname "$0")/lib.sh"
BENCHTIME=${BENCHTIME:-1s}
step "native"
go test -run '^$' -bench . -benchmem -benchtime "$BENCHTIME" ./...
step "js/wasm in Node"
wasm_go test -run '^$' -bench . -benchmem -benchtime "$BENCHTIME" $(wasm_pkgs)
