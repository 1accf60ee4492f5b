# Shared helpers for the scripts in this folder. Source it; do not run it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
GOROOT_WASM="$(go env GOROOT)/lib/wasm"
# wasm_go runs the go command for GOOS=js GOARCH=wasm, with Node as the test runner.
wasm_go() { PATH="$GOROOT_WASM:$PATH" GOOS=js GOARCH=wasm go "$@"; }
step() { printf '\n==> %s\n' "$*"; }
# wasm_pkgs lists the packages built for the browser and WeChat, which must pass under wasm:
# the codec, the time and context stand-ins, the core (without its native pieces and generators)
# and the JS bridge.
wasm_pkgs() {
  local dirs=()
  for d in xsync internal core jsbridge wasm; do [ -d "$d" ] && dirs+=("./$d/...") || true; done
  wasm_go list "${dirs[@]}" | grep -v -e '/internal/gencodes$' -e '/internal/genstatic$' -e '/core/native' -e '/core/integration' || true
}
