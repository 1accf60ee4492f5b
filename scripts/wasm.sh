#!/usr/bin/env bash
# Builds the npm package into npm/dist: floo.wasm (GOOS=js GOARCH=wasm, -trimpath -ldflags="-s -w",
# without inlining, stamped with the package version) and its brotli floo.wasm.br for WeChat,
# wasm_exec.js copied from the very toolchain that built it (never a committed copy, which would
# go stale) into npm/build/, where tsc writes the JavaScript the bundles are made from, and then
# npm run build: the .d.ts files, the minified bundles and the WeChat miniprogram folder
# (npm/scripts/build.mjs; npm ci first when node_modules is missing).
#
# Inlining is off (-gcflags=all=-l) except in syscall/js. Measured with Go 1.26 on the full module
# (scripts/size.sh): -l saves ~80 KB brotli, a tenth of the wasm, mostly in the pc-value tables
# the runtime keeps for every inlined call (pctab shrinks by half) and in duplicated inlined
# bodies. Its cost, measured with the wasm benchmarks under Node: the codec and jsonv run about
# 2x slower (MessageBody encode 65 -> 200 ns, SyncDL decode 48 -> 89 us, a 200-entry roster
# parse 0.67 -> 1.6 ms, a received message 6 -> 11 us), far below what an IM client notices.
# syscall/js keeps its inlining: without it every Go -> JS call is ~10x slower (58 vs 580 ns),
# and keeping it costs 2 KB at most. Adding "runtime=" to WASM_GCFLAGS brings most of the speed
# back (roster parse 0.82 ms, a received message 7 us; the codec stays ~3x slower) for ~25 KB.
# Binaryen's wasm-opt was measured too and is not used: -O2 saves under 3 KB on the default
# build and makes this one larger (-O2 +3 KB, -Oz +16 KB), as it cannot touch Go's data
# segments (half the module) and its rewriting compresses worse than Go's own code.
#
#   WASM_GCFLAGS="all=-l syscall/js=" (default)   space-separated -gcflags values, later wins
#   scripts/wasm.sh --gcflags                    print the resulting go build flags and exit
source "$(dirname "$0")/lib.sh"
gcflags=()
for f in ${WASM_GCFLAGS:-all=-l syscall/js=}; do gcflags+=("-gcflags=$f"); done
if [ "${1:-}" = "--gcflags" ]; then
  printf '%s\n' "${gcflags[@]}"
  exit 0
fi
VERSION=$(node -p 'require("./npm/package.json").version')
rm -rf npm/dist npm/build
mkdir -p npm/dist npm/build
GOOS=js GOARCH=wasm go build -trimpath "${gcflags[@]}" \
  -ldflags="-s -w -X github.com/flooim/floo/jsbridge.version=$VERSION" \
  -o npm/dist/floo.wasm ./wasm
# Next to tsc's loader.js, which imports it: the bundler makes it a chunk of its own.
cp "$GOROOT_WASM/wasm_exec.js" npm/build/wasm_exec.js
# floo.wasm.br: the brotli form WeChat's WXWebAssembly.instantiate loads (base library 2.14+), at
# quality 11 and the largest window, since it counts against a mini-program's 2 MB package limit.
# It is written into npm/build, and the npm build copies it into dist/miniprogram, the package's
# only copy (docs/wechat.md); the web gets it through floo-wasm/floo.wasm.br (npm/README.md).
node -e '
  const zlib = require("zlib"), fs = require("fs");
  const raw = fs.readFileSync("npm/dist/floo.wasm");
  const { BROTLI_PARAM_QUALITY, BROTLI_PARAM_LGWIN, BROTLI_PARAM_SIZE_HINT } = zlib.constants;
  const params = { [BROTLI_PARAM_QUALITY]: 11, [BROTLI_PARAM_LGWIN]: 24, [BROTLI_PARAM_SIZE_HINT]: raw.length };
  fs.writeFileSync("npm/build/floo.wasm.br", zlib.brotliCompressSync(raw, { params }));
'
(
  cd npm
  if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
  npm run --silent build
)
echo "built npm/dist (floo-wasm $VERSION, $(go version | cut -d' ' -f3))"
