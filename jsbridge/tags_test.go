//go:build !js

package jsbridge

import (
	"go/build/constraint"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFilesCarryTheJSConstraint checks that every non-test Go file of
// jsbridge/ and wasm/ is named *_js.go (STYLE A.2): the suffix is what keeps
// syscall/js out of native builds, so a file without it would break `go
// build ./...` on every other platform, or worse, compile natively by
// accident. A //go:build line may narrow the constraint but must not
// contradict it.
func TestFilesCarryTheJSConstraint(t *testing.T) {
	for _, dir := range []string{".", filepath.Join("..", "wasm")} {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		var sources int
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			sources++
			assert.True(t, strings.HasSuffix(name, "_js.go"), "%s/%s must be named *_js.go", dir, name)
			src, err := os.ReadFile(filepath.Join(dir, name))
			require.NoError(t, err)
			if expr := buildLine(t, string(src)); expr != nil {
				assert.True(t, expr.Eval(func(tag string) bool { return tag == "js" || tag == "wasm" }),
					"%s/%s: its //go:build line excludes js/wasm", dir, name)
			}
		}
		assert.NotZero(t, sources, "%s has no source files", dir)
	}
}

// buildLine returns the parsed //go:build expression of src, or nil.
func buildLine(t *testing.T, src string) constraint.Expr {
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "package ") {
			return nil
		}
		if constraint.IsGoBuild(line) {
			expr, err := constraint.Parse(line)
			require.NoError(t, err, line)
			return expr
		}
	}
	return nil
}

// forbiddenInWasm are packages that must not reach the wasm module: each
// costs 100 KB or more brotli-compressed (STYLE.md), and the module has a
// size budget (scripts/size.sh).
var forbiddenInWasm = []string{
	"fmt",
	"encoding/json",
	"net/http",
	"net/url",
	"log/slog",
	"mime/multipart",
	"crypto/rand",
	"reflect",
}

// TestWasmModuleDeps lists the dependencies of ./wasm as built for
// GOOS=js GOARCH=wasm and fails on any forbidden one.
func TestWasmModuleDeps(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	cmd := exec.Command(goBin, "list", "-deps", "../wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go list: %s", out)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/flooim/floo/jsbridge")
	for _, dep := range deps {
		for _, bad := range forbiddenInWasm {
			assert.False(t, dep == bad || strings.HasPrefix(dep, bad+"/"), "the wasm module links %s", dep)
		}
	}
}
