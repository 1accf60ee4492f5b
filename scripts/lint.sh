#!/usr/bin/env bash
# gofmt check, then go vet natively and for GOOS=js GOARCH=wasm.
source "$(dirname "$0")/lib.sh"
step "gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null; git ls-files --others --exclude-standard '*.go' 2>/dev/null) 2>/dev/null || true)
if [ -n "$bad" ]; then echo "not gofmt-ed:"; echo "$bad"; exit 1; fi
step "go vet (native)"
go vet ./...
step "go vet (js/wasm)"
wasm_go vet $(wasm_pkgs)
step "go mod tidy"
go mod tidy -diff
