//go:build !js

package core

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStaticVarsTSIsUpToDate runs the generator into a temporary file and
// compares it with the committed npm/src/staticvars.ts, from which the npm
// facade answers sysManage.getStaticVars: a change to an xsync enum or to
// StaticVars cannot ship without it. Native only: it runs the go command.
func TestStaticVarsTSIsUpToDate(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
		if _, statErr := os.Stat(goCmd); os.Getenv("GOROOT") == "" || statErr != nil {
			t.Skip("go command not found; cannot run the generator")
		}
	}
	out := filepath.Join(t.TempDir(), "staticvars.ts")
	msg, err := exec.Command(goCmd, "run", "./internal/genstatic", "-o", out).CombinedOutput()
	require.NoError(t, err, "genstatic failed: %s", msg)

	want, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Contains(t, string(want), "    READ: 2,\n", "the generator writes the tables of StaticVars")
	got, err := os.ReadFile("../npm/src/staticvars.ts")
	require.NoError(t, err, "npm/src/staticvars.ts missing: run `go generate ./core`")
	if !bytes.Equal(got, want) {
		t.Fatal("npm/src/staticvars.ts is stale: run `go generate ./core`")
	}
}
