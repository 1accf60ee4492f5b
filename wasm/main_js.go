package main

import (
	"syscall/js"

	"github.com/flooim/floo/jsbridge"
)

// main registers globalThis.__flooWasm = {version, newClient} for the npm
// loader and blocks: returning from main would end the Go runtime, and with
// it every callback JavaScript holds.
func main() {
	js.Global().Set("__flooWasm", jsbridge.Module())
	select {}
}
