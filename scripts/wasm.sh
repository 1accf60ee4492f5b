#!/usr/bin/env bash
# Builds the npm package into npm/dist: floo.wasm (GOOS=js GOARCH=wasm, -trimpath -ldflags="-s -w",
# stamped with the package version), wasm_exec.js copied from the very toolchain that built it
# (never a committed copy, which would go stale), and the TypeScript (npm ci first when
# node_modules is missing).
source "$(dirname "$0")/lib.sh"
VERSION=$(node -p 'require("./npm/package.json").version')
rm -rf npm/dist
mkdir -p npm/dist
GOOS=js GOARCH=wasm go build -trimpath \
  -ldflags="-s -w -X github.com/flooim/floo/jsbridge.version=$VERSION" \
  -o npm/dist/floo.wasm ./wasm
cp "$GOROOT_WASM/wasm_exec.js" npm/dist/wasm_exec.js
(
  cd npm
  if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
  npm run --silent build
)
echo "built npm/dist (floo-wasm $VERSION, $(go version | cut -d' ' -f3))"
