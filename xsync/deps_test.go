//go:build !js

package xsync

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forbiddenInWasm are packages that must not reach the wasm build of the
// codec: each costs 30 KB brotli or more (see STYLE.md). core checks its own
// dependencies in core/deps_test.go.
var forbiddenInWasm = []string{
	"fmt",
	"encoding/json",
	"net/http",
	"reflect",
	"time",
	"context",
	"google.golang.org/protobuf",
}

// TestWasmDeps lists the dependencies of ./xsync as built for GOOS=js
// GOARCH=wasm and fails on any forbidden one, and on any non-standard
// package importing syscall/js (which belongs to jsbridge and wasm only).
func TestWasmDeps(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	cmd := exec.Command(goBin, "list", "-deps", "-test=false", "-f", "{{.ImportPath}}|{{.Standard}}|{{join .Imports \" \"}}", ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go list: %s", out)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.NotEmpty(t, lines)
	for _, line := range lines {
		parts := strings.SplitN(line, "|", 3)
		require.Len(t, parts, 3, line)
		dep, std, imports := parts[0], parts[1] == "true", strings.Fields(parts[2])
		for _, bad := range forbiddenInWasm {
			assert.False(t, dep == bad || strings.HasPrefix(dep, bad+"/"), "xsync pulls %s into the wasm build", dep)
		}
		if !std {
			assert.NotContains(t, imports, "syscall/js", "%s imports syscall/js", dep)
		}
	}
}
