#!/usr/bin/env bash
# Builds the npm package and runs its tests: the type check of test/types-example.ts against the
# shipped .d.ts (a misspelt event name must not compile), and the node:test unit tests (loader,
# FlooError, transports, the bundles and the script-tag build, require() of the CommonJS build,
# @arethetypeswrong/cli on the packed package, a wasm smoke test).
source "$(dirname "$0")/lib.sh"
step "build npm/dist"
scripts/wasm.sh
step "npm test"
cd npm
npm test
