#!/usr/bin/env bash
# test-crosscheck.sh regenerates the protoc-gen-go reference code and runs the
# cross-check of the hand-written XSYNC codec against it.
#
# Extra arguments go to `go test` after the package, for example:
#   scripts/test-crosscheck.sh -v -run 'TestProtoToOurs/SyncDL'
#   scripts/test-crosscheck.sh -count=1 -args -crosscheck.seed=42 -crosscheck.n=20000
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	PATH="/usr/local/go/bin:$PATH"
fi

scripts/protoc-gen.sh
go test -tags crosscheck ./xsync/internal/crosscheck/ "$@"
