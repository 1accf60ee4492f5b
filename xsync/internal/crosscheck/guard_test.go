package crosscheck

import (
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests need no generated code, so they run in every `go test ./xsync/...`.

const (
	repoRoot       = "../../.."
	xsyncpbImport  = "github.com/flooim/floo/xsync/internal/xsyncpb"
	crosscheckTag  = "crosscheck"
	specProtoPath  = "../shared/spec/xsync.proto" // relative to repoRoot
	localProtoPath = "xsync/xsync.proto"          // relative to repoRoot
)

// TestProtoCopyMatchesSpec keeps xsync/xsync.proto byte-identical to the shared
// spec, so the reference code is generated from the contract itself. The spec
// sits outside the repository; a checkout without it skips.
func TestProtoCopyMatchesSpec(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join(repoRoot, specProtoPath))
	if os.IsNotExist(err) {
		t.Skipf("%s not found next to the repository", specProtoPath)
	}
	require.NoError(t, err)
	local, err := os.ReadFile(filepath.Join(repoRoot, localProtoPath))
	require.NoError(t, err)
	require.True(t, string(spec) == string(local),
		"%s differs from %s: copy the spec again (cp %s %s)", localProtoPath, specProtoPath, specProtoPath, localProtoPath)
}

// TestGeneratedCodeIsTestOnly enforces that the protobuf runtime can never be
// linked into the SDK: every file importing xsyncpb must be a _test.go file that
// builds only with the crosscheck tag, and any generated file present in
// xsyncpb must itself carry that tag. Go's internal-package rule already keeps
// importers inside xsync/, so walking xsync/ covers the whole module.
func TestGeneratedCodeIsTestOnly(t *testing.T) {
	xsyncDir := filepath.Join(repoRoot, "xsync")
	pbDir := filepath.Join(xsyncDir, "internal", "xsyncpb")
	checked := 0
	err := filepath.WalkDir(xsyncDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || (strings.HasPrefix(name, ".") && path != xsyncDir) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			// Someone else's half-written file must not fail this test; the
			// compiler reports it.
			t.Logf("skipping %s: %v", path, err)
			return nil
		}
		checked++
		if filepath.Dir(path) == pbDir {
			if strings.HasSuffix(path, ".pb.go") {
				assert.True(t, requiresCrosscheckTag(f.Comments, f.Package),
					"%s lacks //go:build %s: regenerate it with scripts/protoc-gen.sh", path, crosscheckTag)
			}
			return nil
		}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil || p != xsyncpbImport {
				continue
			}
			assert.True(t, strings.HasSuffix(path, "_test.go"), "%s imports xsyncpb but is not a _test.go file", path)
			assert.True(t, requiresCrosscheckTag(f.Comments, f.Package),
				"%s imports xsyncpb without //go:build %s", path, crosscheckTag)
		}
		return nil
	})
	require.NoError(t, err)
	require.Positive(t, checked, "no Go files found under %s", xsyncDir)
}

// requiresCrosscheckTag reports whether the file's //go:build line is a
// conjunction with the crosscheck tag as one operand, which excludes the file
// from every build without that tag whatever the other tags are.
func requiresCrosscheckTag(comments []*ast.CommentGroup, pkg token.Pos) bool {
	for _, cg := range comments {
		if cg.Pos() >= pkg {
			break
		}
		for _, c := range cg.List {
			if !constraint.IsGoBuild(c.Text) {
				continue
			}
			expr, err := constraint.Parse(c.Text)
			return err == nil && conjunctionHasTag(expr, crosscheckTag)
		}
	}
	return false
}

func conjunctionHasTag(e constraint.Expr, tag string) bool {
	switch e := e.(type) {
	case *constraint.TagExpr:
		return e.Tag == tag
	case *constraint.AndExpr:
		return conjunctionHasTag(e.X, tag) || conjunctionHasTag(e.Y, tag)
	}
	return false
}
