#!/usr/bin/env bash
# make demo: builds what the web example needs and runs the reference server with embedded
# storage in ./data, serving the example from the same address.
#
#   1. the wasm and the npm package (scripts/wasm.sh),
#   2. the package packed with `npm pack`, as it would be published,
#   3. the example's dependencies (`npm ci`), the packed floo-wasm among them,
#   4. the example (`vite build` into examples/web/dist),
#   5. the server, then exec it with -web examples/web/dist -data ./data.
#
# Each step is skipped when its inputs have not changed since the last run (stamps in
# examples/web/.cache), so a second `make demo` starts in a second or two.
#
#   scripts/demo.sh [server flags...]   e.g. -addr 0.0.0.0:8080; FLOO_* variables work too
#   scripts/demo.sh --build-only        steps 1-5 without starting (used by scripts/test-web.sh)
source "$(dirname "$0")/lib.sh"

build_only=false
if [ "${1:-}" = "--build-only" ]; then
  build_only=true
  shift
fi

WEB=examples/web
CACHE=$WEB/.cache
TARBALL=$WEB/vendor/floo-wasm.tgz
mkdir -p "$CACHE" "$WEB/vendor"

# fresh NAME HASH reports whether step NAME already ran with inputs HASH.
fresh() { [ -f "$CACHE/$1" ] && [ "$(cat "$CACHE/$1")" = "$2" ]; }
stamp() { echo "$2" >"$CACHE/$1"; }

# 1. The wasm and the npm package.
pkg_inputs=$(wasm_inputs)
if fresh npm-package "$pkg_inputs" && [ -f npm/dist/floo.wasm ] && [ -f "$TARBALL" ]; then
  echo "floo-wasm is up to date"
else
  step "build the wasm and the npm package"
  scripts/wasm.sh
  # 2. Pack it; npm pack writes fixed timestamps, so an unchanged package gives the same bytes.
  packdir=$(mktemp -d)
  (cd npm && npm pack --silent --pack-destination "$packdir" >/dev/null)
  mv "$packdir"/floo-wasm-*.tgz "$TARBALL"
  rmdir "$packdir"
  stamp npm-package "$pkg_inputs"
fi

# 3. Dependencies. The lock file must not pin the tarball's checksum: the tarball is rebuilt
# locally, so a pinned checksum would make npm ci fail (or reuse a stale cached copy). A plain
# `npm install` can add it back; take it out again.
node -e '
  const fs = require("fs"), f = process.argv[1], lock = JSON.parse(fs.readFileSync(f, "utf8"));
  const e = lock.packages && lock.packages["node_modules/floo-wasm"];
  if (e && e.integrity) {
    delete e.integrity;
    fs.writeFileSync(f, JSON.stringify(lock, null, 2) + "\n");
    console.log("removed the floo-wasm checksum from " + f);
  }' "$WEB/package-lock.json"
deps_inputs=$(cat "$WEB/package.json" "$WEB/package-lock.json" "$TARBALL" | sha)
if fresh deps "$deps_inputs" && [ -d "$WEB/node_modules/floo-wasm" ]; then
  echo "examples/web dependencies are up to date"
else
  step "install the example's dependencies (npm ci, with the packed floo-wasm)"
  (cd "$WEB" && npm ci --no-audit --no-fund)
  stamp deps "$deps_inputs"
fi

# 4. The example.
app_inputs=$({
  fingerprint "$WEB/src" "$WEB/index.html" "$WEB/vite.config.ts" "$WEB/tsconfig.json"
  echo "$deps_inputs"
} | sha)
if fresh app "$app_inputs" && [ -f "$WEB/dist/index.html" ]; then
  echo "examples/web/dist is up to date"
else
  step "build the web example (vite build)"
  (cd "$WEB" && npm run --silent build)
  stamp app "$app_inputs"
fi

# 5. The server (go build's own cache makes this quick when nothing changed).
go build -o "$CACHE/floo-server" ./cmd/floo-server
if $build_only; then
  echo "built $WEB/dist and $CACHE/floo-server"
  exit 0
fi

addr=${FLOO_ADDR:-127.0.0.1:8080}
prev=""
for a in "$@"; do
  case "$prev" in -addr | --addr) addr=$a ;; esac
  case "$a" in -addr=* | --addr=*) addr=${a#*=} ;; esac
  prev=$a
done
host=${addr%:*}
case "$host" in "" | 0.0.0.0 | "[::]") host=127.0.0.1 ;; esac
cat <<EOF

  Floo demo: open http://$host:${addr##*:}
  Register a user, then a second one in another browser (or a private window: windows of one
  browser profile share the stored session), befriend each other and chat. Ctrl-C stops it.

EOF
exec "$CACHE/floo-server" -web "$WEB/dist" -data "${FLOO_DATA:-./data}" "$@"
