#!/usr/bin/env bash
# Builds the wasm module into npm/dist with -trimpath -ldflags="-s -w".
source "$(dirname "$0")/lib.sh"
if [ ! -d wasm ]; then
  echo "make wasm: not yet - the wasm module has not landed."
  exit 0
fi
mkdir -p npm/dist
GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o npm/dist/floo.wasm ./wasm
cp "$GOROOT_WASM/wasm_exec.js" npm/dist/wasm_exec.js
ls -l npm/dist
