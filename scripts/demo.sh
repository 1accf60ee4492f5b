#!/usr/bin/env bash
# The README's main job: build what is needed and run the reference server with embedded storage
# in ./data, serving the web example from the same address.
source "$(dirname "$0")/lib.sh"
if [ ! -d cmd/floo-server ]; then
  echo "make demo: not yet - the reference server has not landed."
  exit 0
fi
args=(-data "${FLOO_DATA:-./data}")
if [ -f examples/web/index.html ]; then
  args+=(-web examples/web)
else
  echo "make demo: the web example has not landed yet; running the reference server alone."
fi
exec go run ./cmd/floo-server "${args[@]}" "$@"
