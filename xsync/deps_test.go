//go:build !js

package xsync

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forbiddenInWasm are packages that must not reach the wasm build of the
// platform-neutral packages: each costs 100 KB or more (see STYLE.md).
var forbiddenInWasm = []string{
	"fmt",
	"encoding/json",
	"net/http",
	"reflect",
	"google.golang.org/protobuf",
}

// TestWasmDeps lists the dependencies of ./xsync and ./core as built for
// GOOS=js GOARCH=wasm and fails on any forbidden one, and on any non-standard
// package importing syscall/js (which belongs to jsbridge and wasm only).
// syscall/js itself cannot be banned from the list: on js/wasm the standard
// syscall package is built on it, so anything importing time or os has it
// among its dependencies. core is checked once it has Go files.
func TestWasmDeps(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	pkgs := []string{"."}
	if hasGoFiles(t, filepath.Join("..", "core")) {
		pkgs = append(pkgs, "../core")
	} else {
		t.Log("../core has no Go files yet: checking xsync only")
	}
	for _, pkg := range pkgs {
		cmd := exec.Command(goBin, "list", "-deps", "-test=false", "-f", "{{.ImportPath}}|{{.Standard}}|{{join .Imports \" \"}}", pkg)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go list %s: %s", pkg, out)
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		require.NotEmpty(t, lines)
		for _, line := range lines {
			parts := strings.SplitN(line, "|", 3)
			require.Len(t, parts, 3, line)
			dep, std, imports := parts[0], parts[1] == "true", strings.Fields(parts[2])
			for _, bad := range forbiddenInWasm {
				assert.False(t, dep == bad || strings.HasPrefix(dep, bad+"/"),
					"%s pulls %s into the wasm build", pkg, dep)
			}
			if !std {
				assert.NotContains(t, imports, "syscall/js", "%s (a dependency of %s) imports syscall/js", dep, pkg)
			}
		}
	}
}

func hasGoFiles(t *testing.T, dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
			return true
		}
	}
	return false
}
