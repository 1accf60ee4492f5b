//go:build !js

package native

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
)

func TestFileStoragePersists(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home", "floo")
	s, err := OpenFileStorage(dir)
	require.NoError(t, err)
	_, ok := s.Get("floo.uid")
	assert.False(t, ok)
	require.NoError(t, s.Set("floo.uid", "42"))
	require.NoError(t, s.Set("floo.token", "secret"))
	require.NoError(t, s.Set("floo.token", "secret")) // unchanged: no write needed
	require.NoError(t, s.Delete("floo.token"))
	require.NoError(t, s.Delete("missing"))
	require.NoError(t, s.Set("floo.sn.42", "3"))
	assert.Equal(t, []string{"floo.sn.42", "floo.uid"}, s.Keys())

	again, err := OpenFileStorage(dir)
	require.NoError(t, err)
	v, ok := again.Get("floo.uid")
	assert.True(t, ok)
	assert.Equal(t, "42", v)
	_, ok = again.Get("floo.token")
	assert.False(t, ok)
	assert.Equal(t, filepath.Join(dir, StorageFile), again.Path())

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file is left behind")
	if runtime.GOOS != "windows" {
		st, err := os.Stat(s.Path())
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the file holds a token")
		st, err = os.Stat(dir)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), st.Mode().Perm())
	}
}

func TestFileStorageConcurrent(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenFileStorage(dir)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				k := "k." + strconv.Itoa(g) + "." + strconv.Itoa(i)
				assert.NoError(t, s.Set(k, k))
				v, ok := s.Get(k)
				assert.True(t, ok)
				assert.Equal(t, k, v)
			}
		}()
	}
	wg.Wait()
	again, err := OpenFileStorage(dir)
	require.NoError(t, err)
	assert.Len(t, again.Keys(), 160)
}

func TestFileStorageSharedBetweenInstances(t *testing.T) {
	dir := t.TempDir()
	a, err := OpenFileStorage(dir)
	require.NoError(t, err)
	b, err := OpenFileStorage(dir)
	require.NoError(t, err)
	require.NoError(t, a.Set("from.a", "1"))
	v, ok := b.Get("from.a")
	assert.True(t, ok, "b sees a's write")
	assert.Equal(t, "1", v)
	require.NoError(t, b.Set("from.b", "2"))
	assert.Equal(t, []string{"from.a", "from.b"}, a.Keys(), "a change is applied to the freshest content")
	require.NoError(t, os.Remove(a.Path()))
	assert.Empty(t, b.Keys(), "a removed file means empty storage")
}

func TestFileStorageErrors(t *testing.T) {
	_, err := OpenFileStorage("")
	assert.True(t, core.IsCode(err, core.InvalidParam))

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, StorageFile), []byte(`[1,2]`), 0o600))
	_, err = OpenFileStorage(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a JSON object of strings")

	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = OpenFileStorage(filepath.Join(file, "sub"))
	require.Error(t, err, "a directory cannot be made under a file")
}
