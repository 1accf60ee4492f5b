//go:build !js

package core

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forbiddenCoreDeps are the packages the client core must not link into a
// wasm build: each costs 100-250 KB brotli, directly or through fmt
// (STYLE.md "The wasm build must not link..."), except time and context,
// which cost ~57 KB together and which internal/lite stands in for.
var forbiddenCoreDeps = []string{
	"fmt", "encoding/json", "reflect", "net/http", "net/url", "log/slog",
	"crypto/rand", "mime/multipart", "google.golang.org/protobuf",
	"time", "context",
}

// jsPlatformPackages are the non-standard packages below core allowed to
// import syscall/js: lite's js/wasm form runs on the host's clock.
var jsPlatformPackages = []string{"github.com/flooim/floo/internal/lite"}

// TestCoreWasmDeps lists the dependencies of ./core as built for
// GOOS=js GOARCH=wasm and fails on any forbidden one, and on any
// non-standard package importing syscall/js (only jsbridge and wasm may,
// and the platform pieces of jsPlatformPackages).
func TestCoreWasmDeps(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	cmd := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}}|{{.Standard}}|{{join .Imports \" \"}}", ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.SplitN(line, "|", 3)
		require.Len(t, parts, 3, line)
		dep, std, imports := parts[0], parts[1] == "true", strings.Fields(parts[2])
		for _, bad := range forbiddenCoreDeps {
			assert.False(t, dep == bad || strings.HasPrefix(dep, bad+"/"), "core pulls %s into the wasm build", dep)
		}
		if !std && !slices.Contains(jsPlatformPackages, dep) {
			assert.NotContains(t, imports, "syscall/js", "%s imports syscall/js", dep)
		}
	}
}
