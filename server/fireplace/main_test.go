package fireplace_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every connection goroutine, timer and background loop must be gone once
// a test's server is closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
