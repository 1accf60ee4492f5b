//go:build !js

package core

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// costlyCalls are standard-library calls whose cost in the wasm build
// (measured with scripts/size.sh) far exceeds their job here, each with the
// cheap replacement.
var costlyCalls = map[string]string{
	`errors\.As\(`:                      "errors.As links internal/reflectlite (~10 KB brotli): use errors.AsType",
	`strconv\.(Parse\w+|Atoi)\(`:        "strconv parse errors quote with strconv.Quote's Unicode tables (~5 KB): use parseDecimal or xsync.ParseID",
	`strconv\.(Append)?Quote\w*\(`:      "strconv.Quote links Unicode printability tables (~5 KB): use appendQuoted (xsync: quoteID)",
	`\bfmt\.|"reflect"|"encoding/json"`: "fmt, reflect and encoding/json cost 100-250 KB each (STYLE.md)",
}

// TestNoCostlyStdlibCalls keeps the calls above out of the non-test sources
// of core and xsync, which every wasm build links. jsonv's Value.Float64
// keeps strconv.ParseFloat on purpose (see its package doc) and is not
// checked.
func TestNoCostlyStdlibCalls(t *testing.T) {
	for _, dir := range []string{".", "../xsync"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		require.NotEmpty(t, files)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			require.NoError(t, err)
			for _, line := range strings.Split(string(src), "\n") {
				if code, _, _ := strings.Cut(line, "//"); strings.TrimSpace(code) != "" {
					for re, why := range costlyCalls {
						assert.False(t, regexp.MustCompile(re).MatchString(code), "%s: %q: %s", f, strings.TrimSpace(line), why)
					}
				}
			}
		}
	}
}
