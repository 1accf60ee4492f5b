#!/usr/bin/env bash
# protoc-gen.sh generates xsync/internal/xsyncpb/xsync.pb.go from xsync/xsync.proto
# with a pinned protoc-gen-go. The generated code exists only to cross-check the
# hand-written codec in xsync/ (see xsync/internal/crosscheck); it is gitignored
# and never linked into the SDK.
#
# The output gets a `//go:build crosscheck` line prepended, so a stale or missing
# generated file can never break plain `go build/vet/test ./...`, and nothing
# built without that tag can use the generated types or link the protobuf runtime.
#
# Idempotent: tools are installed only when missing or at the wrong version, and
# the output file is rewritten only when its content changes.
set -euo pipefail

# Pinned: protobuf-go's runtime in go.mod must be at least this version.
PROTOC_GEN_GO_VERSION=v1.36.12
GO_IMPORT_PATH=github.com/flooim/floo/xsync/internal/xsyncpb

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	PATH="/usr/local/go/bin:$PATH"
fi

# protoc comes from Debian's protobuf-compiler: scripts/deps.sh installs it when it is absent
# (as root with apt-get), or stops and says how.
scripts/deps.sh protoc

plugin="$root/bin/protoc-gen-go"
if [ ! -x "$plugin" ] || [ "$("$plugin" --version 2>/dev/null)" != "protoc-gen-go $PROTOC_GEN_GO_VERSION" ]; then
	echo "protoc-gen.sh: installing protoc-gen-go $PROTOC_GEN_GO_VERSION into bin/" >&2
	GOBIN="$root/bin" go install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
fi

out_dir="xsync/internal/xsyncpb"
out="$out_dir/xsync.pb.go"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The M option maps the file to its Go package on the command line, so that
# xsync/xsync.proto stays byte-identical to the spec (no go_package option).
protoc \
	--plugin=protoc-gen-go="$plugin" \
	--proto_path=xsync \
	--go_out="$tmp" \
	--go_opt=paths=source_relative \
	--go_opt="Mxsync.proto=$GO_IMPORT_PATH" \
	xsync.proto

{
	printf '//go:build crosscheck\n\n'
	cat "$tmp/xsync.pb.go"
} >"$tmp/tagged.pb.go"

mkdir -p "$out_dir"
if [ -f "$out" ] && cmp -s "$tmp/tagged.pb.go" "$out"; then
	echo "protoc-gen.sh: $out is up to date"
else
	mv "$tmp/tagged.pb.go" "$out"
	echo "protoc-gen.sh: wrote $out"
fi
