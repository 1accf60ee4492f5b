package chaos

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/flooim/floo/test/internal/serverproc"
)

// buildServer returns the floo-server binary: $FLOO_CHAOS_SERVER_BIN, or
// one built from this repository into dir.
func buildServer(t *testing.T, dir string) string {
	t.Helper()
	if bin := os.Getenv("FLOO_CHAOS_SERVER_BIN"); bin != "" {
		return bin
	}
	bin, err := serverproc.Build(repoRoot(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// repoRoot is the repository root: the test runs in test/chaos.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}

// freeAddr returns a loopback address with a port that was free just now.
func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := serverproc.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}
