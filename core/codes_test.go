//go:build !js

package core

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCodesTSIsUpToDate checks that npm/src/codes.ts is what gencodes
// writes, so that a change to the Go table cannot ship without its
// TypeScript mirror.
func TestCodesTSIsUpToDate(t *testing.T) {
	requireGenerated(t, "gencodes", "../npm/src/codes.ts")
}

// requireGenerated runs the generator ./internal/<gen> into a temporary file
// and fails unless the committed file holds exactly its output, which it
// returns. Native only: it runs the go command.
func requireGenerated(t *testing.T, gen, committed string) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
		if _, statErr := os.Stat(goCmd); os.Getenv("GOROOT") == "" || statErr != nil {
			t.Skip("go command not found; cannot run the generator")
		}
	}
	out := filepath.Join(t.TempDir(), filepath.Base(committed))
	msg, err := exec.Command(goCmd, "run", "./internal/"+gen, "-o", out).CombinedOutput()
	require.NoError(t, err, "%s failed: %s", gen, msg)
	want, err := os.ReadFile(out)
	require.NoError(t, err)
	got, err := os.ReadFile(committed)
	require.NoError(t, err, "%s missing: run `go generate ./core`", committed)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run `go generate ./core`", committed)
	}
	return string(want)
}

// TestCodeTableRowsNameTheirConstant parses codes.go and checks that every
// row of codeTable pairs a constant with its own name, and that every
// constant of type Code has a row: a row like {UserFrozen, "UserBanned"}
// compiles, and only the source can show it.
func TestCodeTableRowsNameTheirConstant(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, 0)
	require.NoError(t, err)

	consts := map[string]bool{}
	var rows []*ast.CompositeLit
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, spec := range gd.Specs {
			vs, ok := spec.(*ast.ValueSpec)
			if !ok {
				continue
			}
			if gd.Tok == token.CONST {
				if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "Code" {
					for _, n := range vs.Names {
						consts[n.Name] = true
					}
				}
				continue
			}
			for i, n := range vs.Names {
				if n.Name == "codeTable" {
					lit, ok := vs.Values[i].(*ast.CompositeLit)
					require.True(t, ok)
					for _, elt := range lit.Elts {
						row, ok := elt.(*ast.CompositeLit)
						require.True(t, ok)
						rows = append(rows, row)
					}
				}
			}
		}
	}
	require.Len(t, rows, len(Codes()))
	require.Len(t, consts, len(rows), "every Code constant has exactly one row")
	for _, row := range rows {
		require.GreaterOrEqual(t, len(row.Elts), 2)
		id, ok := row.Elts[0].(*ast.Ident)
		require.True(t, ok, "row must start with a Code constant")
		lit, ok := row.Elts[1].(*ast.BasicLit)
		require.True(t, ok, "second field must be the name literal")
		name, err := strconv.Unquote(lit.Value)
		require.NoError(t, err)
		assert.Equal(t, id.Name, name)
		assert.True(t, consts[id.Name], "%s is not a Code constant", id.Name)
	}
}
