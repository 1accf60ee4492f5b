# Thin entry points; the logic lives in scripts/. See README.md.
#   make test            everything the project tests (what CI runs)
#   make test PKG=./xsync/... T=TestGolden   one package / one test, natively
#   make chaos N=10000   the long fault-injection run: N messages per sender
SHELL := /bin/bash
PKG ?= ./...
T ?=
N ?= 10000

.PHONY: test unit demo wasm size fuzz bench bench-e2e bench-cluster bench-hidden lint fmt generate chaos

test:
	@scripts/test.sh

# One package or one test, natively with -race: make unit PKG=./xsync/... T=TestFrame
unit:
	go test -race -count=1 $(if $(T),-run '$(T)') $(PKG)

demo:
	@scripts/demo.sh

# The long fault-injection run (test/chaos): kill -9, SIGTERM, proxy cuts, stalls of 5-40 s,
# split and delayed traffic, while two native and two wasm clients exchange N messages each way.
chaos:
	@scripts/chaos.sh long $(N)

wasm:
	@scripts/wasm.sh

size:
	@scripts/size.sh

fuzz:
	@scripts/fuzz.sh

bench:
	@scripts/bench.sh

# Native and floo-wasm clients against the server binary, and the server under load
# (docs/performance.md). Not part of make test.
bench-e2e:
	@scripts/bench-e2e.sh

# The server's load on one node with SQLite, one with PostgreSQL, and two nodes on PostgreSQL + NATS
# (docs/performance.md). Not part of make test.
bench-cluster:
	@scripts/bench-e2e.sh cluster

# The heartbeat of a hidden tab, engine in the tab vs in a worker, over 10 minutes in a Chromium
# with a window on a virtual display (docs/tabs.md). Not part of make test.
bench-hidden:
	@scripts/bench-e2e.sh hidden

lint:
	@scripts/lint.sh

fmt:
	gofmt -w $$(git ls-files '*.go')
	go generate ./core/...

generate:
	go generate ./core/...
