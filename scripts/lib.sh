# Shared helpers for the scripts in this folder. Source it; do not run it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
GOROOT_WASM="$(go env GOROOT)/lib/wasm"
# wasm_go runs the go command for GOOS=js GOARCH=wasm, with Node as the test runner.
wasm_go() { PATH="$GOROOT_WASM:$PATH" GOOS=js GOARCH=wasm go "$@"; }
step() { printf '\n==> %s\n' "$*"; }
# Packages that are built for the browser/WeChat and so must pass under wasm.
WASM_PKGS=(./xsync/... ./core/...)
