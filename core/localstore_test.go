package core_test

import (
	"testing"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/storetest"
)

func TestMemoryStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.LocalStore { return core.NewMemoryStore() },
		func(t *testing.T, s core.LocalStore) core.LocalStore { return s })
}
