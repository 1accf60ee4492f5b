#!/usr/bin/env bash
# Prints raw, gzip and brotli sizes of the shipped wasm and JS; fails above the budget.
source "$(dirname "$0")/lib.sh"
if [ ! -d wasm ]; then
  echo "make size: not yet - the wasm module has not landed."
  exit 0
fi
scripts/wasm.sh >/dev/null
echo "make size: the budget check lands with the npm package."
