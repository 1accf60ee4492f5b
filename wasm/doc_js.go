// Command wasm is the main package of the WebAssembly build of the SDK,
// shipped as npm/dist/floo.wasm by scripts/wasm.sh.
//
// It only registers the factory of package jsbridge as
// globalThis.__flooWasm and then blocks forever, so that the Go runtime
// stays alive to serve calls from JavaScript. Everything else lives in
// jsbridge (the syscall/js glue) and core (the engine).
package main
