//go:build !js

package native

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: every
// connection's reader must end with Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
