// wasm_exec.js is copied into dist/ from the Go toolchain that built floo.wasm (scripts/wasm.sh).
// It is a script run for its side effect: it defines globalThis.Go.
export {};
