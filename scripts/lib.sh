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

# SHA is the SHA-256 command: coreutils' sha256sum, or shasum on macOS.
if command -v sha256sum >/dev/null; then SHA=(sha256sum); else SHA=(shasum -a 256); fi
sha() { "${SHA[@]}" | cut -d' ' -f1; }
# fingerprint prints one hash for the contents of the given files and folders, leaving out what
# cannot change a build: Go tests, test data, installed and built folders.
fingerprint() {
  find "$@" -type f ! -name '*_test.go' ! -path '*/testdata/*' ! -path '*/node_modules/*' \
    ! -path 'npm/dist/*' ! -path 'npm/build/*' ! -path 'npm/test/*' -print0 |
    LC_ALL=C sort -z | xargs -0 "${SHA[@]}" | sha
}
# wasm_inputs prints the hash of everything npm/dist is built from (scripts/wasm.sh).
wasm_inputs() {
  {
    fingerprint go.mod go.sum xsync core jsbridge wasm internal npm scripts/wasm.sh scripts/lib.sh
    go version
    echo "${WASM_GCFLAGS:-}"
  } | sha
}
