# Thin entry points; the logic lives in scripts/. See README.md.
#   make test            everything the project tests (what CI runs)
#   make test PKG=./xsync/... T=TestGolden   one package / one test, natively
SHELL := /bin/bash
PKG ?= ./...
T ?=

.PHONY: test unit demo wasm size fuzz bench lint fmt generate

test:
	@scripts/test.sh

# One package or one test, natively with -race: make unit PKG=./xsync/... T=TestFrame
unit:
	go test -race -count=1 $(if $(T),-run '$(T)') $(PKG)

demo:
	@scripts/demo.sh

wasm:
	@scripts/wasm.sh

size:
	@scripts/size.sh

fuzz:
	@scripts/fuzz.sh

bench:
	@scripts/bench.sh

lint:
	@scripts/lint.sh

fmt:
	gofmt -w $$(git ls-files '*.go')
	go generate ./core/...

generate:
	go generate ./core/...
