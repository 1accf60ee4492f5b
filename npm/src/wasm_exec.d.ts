// wasm_exec.js is copied into build/, next to tsc's loader.js, from the Go toolchain that built
// floo.wasm (scripts/wasm.sh); the npm build bundles it as a chunk of its own, which the loader
// imports when it loads the module. It is a script run for its side effect: it defines
// globalThis.Go.
export {};
