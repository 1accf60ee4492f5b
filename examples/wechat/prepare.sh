#!/usr/bin/env bash
# Puts the SDK into the example as WeChat DevTools' "Build npm" would: npm/dist/miniprogram (the
# package's "miniprogram" folder: index.js and floo.wasm.br) copied to
# miniprogram/miniprogram_npm/floo-wasm/. Builds the package first when it is not built.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ ! -f "$root/npm/dist/miniprogram/index.js" ]; then
  "$root/scripts/wasm.sh"
fi
dest="$here/miniprogram/miniprogram_npm/floo-wasm"
rm -rf "$dest"
mkdir -p "$dest"
cp "$root"/npm/dist/miniprogram/* "$dest/"
echo "copied floo-wasm into $dest ($(du -sh "$dest" | cut -f1)); open $here in WeChat DevTools"
