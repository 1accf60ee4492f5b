#!/usr/bin/env bash
# Builds the npm package into npm/dist: floo.wasm (GOOS=js GOARCH=wasm, -trimpath -ldflags="-s -w",
# stamped with the package version) and its brotli floo.wasm.br for WeChat, wasm_exec.js copied
# from the very toolchain that built it (never a committed copy, which would go stale), and the
# TypeScript and the WeChat miniprogram folder (npm ci first when node_modules is missing).
source "$(dirname "$0")/lib.sh"
VERSION=$(node -p 'require("./npm/package.json").version')
rm -rf npm/dist
mkdir -p npm/dist
GOOS=js GOARCH=wasm go build -trimpath \
  -ldflags="-s -w -X github.com/flooim/floo/jsbridge.version=$VERSION" \
  -o npm/dist/floo.wasm ./wasm
cp "$GOROOT_WASM/wasm_exec.js" npm/dist/wasm_exec.js
# floo.wasm.br: the brotli form WeChat's WXWebAssembly.instantiate loads (base library 2.14+), at
# quality 11 and the largest window, since it counts against a mini-program's 2 MB package limit.
# The npm build copies it into dist/miniprogram (docs/wechat.md).
node -e '
  const zlib = require("zlib"), fs = require("fs");
  const raw = fs.readFileSync("npm/dist/floo.wasm");
  const { BROTLI_PARAM_QUALITY, BROTLI_PARAM_LGWIN, BROTLI_PARAM_SIZE_HINT } = zlib.constants;
  const params = { [BROTLI_PARAM_QUALITY]: 11, [BROTLI_PARAM_LGWIN]: 24, [BROTLI_PARAM_SIZE_HINT]: raw.length };
  fs.writeFileSync("npm/dist/floo.wasm.br", zlib.brotliCompressSync(raw, { params }));
'
(
  cd npm
  if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
  npm run --silent build
)
echo "built npm/dist (floo-wasm $VERSION, $(go version | cut -d' ' -f3))"
