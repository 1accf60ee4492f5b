//go:build !js

package native

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
)

func TestDefaults(t *testing.T) {
	dir := t.TempDir()
	in := core.Config{AppID: "app"}
	cfg, err := Defaults(in, dir)
	require.NoError(t, err)
	assert.IsType(t, &Dialer{}, cfg.Dialer)
	assert.IsType(t, &HTTP{}, cfg.HTTP)
	st, ok := cfg.Storage.(*FileStorage)
	require.True(t, ok)
	assert.Equal(t, filepath.Join(dir, StorageFile), st.Path())
	assert.Equal(t, "app", cfg.AppID)
	assert.Nil(t, in.Dialer, "the caller's Config is not modified")

	// Fields already set are kept; no directory means no Storage.
	d, h, mem := &Dialer{ReadLimit: 1}, &HTTP{}, core.NewMemoryStorage()
	cfg, err = Defaults(core.Config{Dialer: d, HTTP: h, Storage: mem}, dir)
	require.NoError(t, err)
	assert.Same(t, d, cfg.Dialer)
	assert.Same(t, h, cfg.HTTP)
	assert.Same(t, mem, cfg.Storage)
	cfg, err = Defaults(core.Config{}, "")
	require.NoError(t, err)
	assert.Nil(t, cfg.Storage)

	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = Defaults(core.Config{}, filepath.Join(file, "sub"))
	assert.Error(t, err)

	// The result is a configuration core accepts.
	c, err := core.New(cfg)
	require.NoError(t, err)
	require.NoError(t, c.Close())
}
