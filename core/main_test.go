package core

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when any goroutine is still alive after the tests:
// every Client and FakeServer must stop all of its goroutines on Close.
// runtime.handleEvent is the js/wasm runtime's own goroutine for JavaScript
// callbacks, present in every wasm program.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("runtime.handleEvent"))
}
