//go:build !js

package core

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStaticVarsTSIsUpToDate checks that npm/src/staticvars.ts, from which
// the npm facade answers sysManage.getStaticVars, is what genstatic writes:
// a change to an xsync enum or to StaticVars cannot ship without it.
func TestStaticVarsTSIsUpToDate(t *testing.T) {
	ts := requireGenerated(t, "genstatic", "../npm/src/staticvars.ts")
	require.Contains(t, ts, "    READ: 2,\n", "the generator writes the tables of StaticVars")
}
