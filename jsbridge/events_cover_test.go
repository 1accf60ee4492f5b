//go:build !js

package jsbridge

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConvertEventCoversCoreEvents parses core's sources for every type with
// an EventName method and checks that convertEvent (payload_js.go) has a
// case for it: an event type added to core without a conversion would reach
// JavaScript with an undefined payload. It also checks that every event of
// JSAPI.md §8 has a name constant in core (when the spec is next to the
// repository).
func TestConvertEventCoversCoreEvents(t *testing.T) {
	fset := token.NewFileSet()
	events := map[string]bool{}
	names := map[string]bool{} // values of core's string constants
	files, err := filepath.Glob(filepath.Join("..", "core", "*.go"))
	require.NoError(t, err)
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		require.NoError(t, err, path)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.Name == "EventName" && d.Recv != nil && len(d.Recv.List) == 1 {
					if id, ok := d.Recv.List[0].Type.(*ast.Ident); ok {
						events[id.Name] = true
					}
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if vs, ok := s.(*ast.ValueSpec); ok {
						for _, v := range vs.Values {
							if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
								if s, err := strconv.Unquote(lit.Value); err == nil {
									names[s] = true
								}
							}
						}
					}
				}
			}
		}
	}
	require.Greater(t, len(events), 25, "event types found in core")

	src, err := os.ReadFile("payload_js.go")
	require.NoError(t, err)
	f, err := parser.ParseFile(fset, "payload_js.go", src, 0)
	require.NoError(t, err)
	handled := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		fn, ok := n.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "convertEvent" {
			return true
		}
		ast.Inspect(fn, func(n ast.Node) bool {
			if cc, ok := n.(*ast.CaseClause); ok {
				for _, e := range cc.List {
					if sel, ok := e.(*ast.SelectorExpr); ok {
						handled[sel.Sel.Name] = true
					}
				}
			}
			return true
		})
		return false
	})
	var missing []string
	for ev := range events {
		if !handled[ev] {
			missing = append(missing, ev)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "core event types without a case in convertEvent")
	t.Logf("%d core event types, all converted", len(events))

	spec, err := os.ReadFile(filepath.Join("..", "..", "shared", "spec", "JSAPI.md"))
	if err != nil {
		t.Log("JSAPI.md not found, event names not checked: ", err)
		return
	}
	text := string(spec)
	start := strings.Index(text, "## 8. Events")
	end := strings.Index(text, "`flooNotice` categories")
	require.True(t, start >= 0 && end > start, "§8 found")
	span := regexp.MustCompile("`([A-Za-z]+)`")
	var official []string
	for _, line := range strings.Split(text[start:end], "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		for _, m := range span.FindAllStringSubmatch(strings.Split(line, "|")[1], -1) {
			official = append(official, m[1])
		}
	}
	assert.Greater(t, len(official), 45, "events parsed from §8")
	t.Logf("%d events in JSAPI.md §8", len(official))
	for _, name := range official {
		assert.True(t, names[name], "event %s of JSAPI.md §8 has no constant in core", name)
	}
}
