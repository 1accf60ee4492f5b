//go:build !js

package native

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/flooim/floo/core"
)

// StorageFile is the name of the file FileStorage keeps in its directory.
const StorageFile = "storage.json"

// FileStorage is a core.Storage kept in one JSON object ({"key": "value"})
// in StorageFile under a directory. It holds the session token, so the
// directory is created with mode 0700 and the file with 0600.
//
// Every change rewrites the file atomically: a temporary file in the same
// directory is written, synced and renamed over the old one, so a crash
// leaves either the old or the new content, never a torn file.
//
// It is safe for concurrent use by the goroutines of one process. Several
// processes may share a directory (the cmd/floo commands do): each
// operation first reloads the file when it changed on disk, and a change
// is applied to the freshest content, so processes see each other's
// writes; two changes made at the same instant by two processes may still
// lose one of them, as there is no lock between processes.
type FileStorage struct {
	path string

	mu    sync.Mutex
	m     map[string]string // guarded by mu; the content as last read or written
	mtime time.Time         // guarded by mu; modification time of the file m reflects
	size  int64             // guarded by mu; its size
}

var _ core.Storage = (*FileStorage)(nil)

// OpenFileStorage opens the storage in dir, creating dir when needed and
// reading the file if it exists. A file that is not a JSON object of
// strings is an error rather than silently replaced: it may belong to
// something else.
func OpenFileStorage(dir string) (*FileStorage, error) {
	if dir == "" {
		return nil, core.ClientError("storage: directory is required")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, core.WrapError(core.GeneralError, core.SourceClient, err)
	}
	s := &FileStorage{path: filepath.Join(dir, StorageFile), m: map[string]string{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path returns the path of the storage file.
func (s *FileStorage) Path() string { return s.path }

// reload reads the file again if it changed since it was last read or
// written. Called with mu held.
func (s *FileStorage) reload() error {
	st, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		if !s.mtime.IsZero() {
			// Removed by someone else (a logout elsewhere): start empty.
			s.m, s.mtime, s.size = map[string]string{}, time.Time{}, 0
		}
		return nil
	}
	if err != nil {
		return core.WrapError(core.GeneralError, core.SourceClient, err)
	}
	if st.ModTime().Equal(s.mtime) && st.Size() == s.size {
		return nil
	}
	b, err := os.ReadFile(s.path)
	if err != nil {
		return core.WrapError(core.GeneralError, core.SourceClient, err)
	}
	m := map[string]string{}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			e := core.WrapError(core.GeneralError, core.SourceClient, err)
			e.Message = "storage: " + s.path + " is not a JSON object of strings: " + err.Error()
			return e
		}
	}
	s.m, s.mtime, s.size = m, st.ModTime(), st.Size()
	return nil
}

// Get returns the value stored under key. A file that became unreadable
// keeps serving the last content read.
func (s *FileStorage) Get(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reload()
	v, ok := s.m[key]
	return v, ok
}

// Set stores value under key and writes the file.
func (s *FileStorage) Set(key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reload(); err != nil {
		return err
	}
	if v, ok := s.m[key]; ok && v == value {
		return nil
	}
	next := make(map[string]string, len(s.m)+1)
	for k, v := range s.m {
		next[k] = v
	}
	next[key] = value
	return s.write(next)
}

// Delete removes key and writes the file; a missing key is not an error.
func (s *FileStorage) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reload(); err != nil {
		return err
	}
	if _, ok := s.m[key]; !ok {
		return nil
	}
	next := make(map[string]string, len(s.m))
	for k, v := range s.m {
		if k != key {
			next[k] = v
		}
	}
	return s.write(next)
}

// Keys returns the stored keys, sorted.
func (s *FileStorage) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reload()
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// write replaces the file with m and makes m the current content. Called
// with mu held; on failure the content stays as it was.
func (s *FileStorage) write(m map[string]string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return core.WrapError(core.GeneralError, core.SourceClient, err)
	}
	b = append(b, '\n')
	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, "."+StorageFile+".*")
	if err != nil {
		return core.WrapError(core.GeneralError, core.SourceClient, err)
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return core.WrapError(core.GeneralError, core.SourceClient, err)
	}
	// CreateTemp creates the file with mode 0600, which the rename keeps.
	if _, err := tmp.Write(b); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return core.WrapError(core.GeneralError, core.SourceClient, err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		os.Remove(tmp.Name())
		return core.WrapError(core.GeneralError, core.SourceClient, err)
	}
	syncDir(dir)
	st, err := os.Stat(s.path)
	if err == nil {
		s.mtime, s.size = st.ModTime(), st.Size()
	} else {
		s.mtime, s.size = time.Time{}, 0
	}
	s.m = m
	return nil
}

// syncDir makes a rename durable on file systems that need the directory
// synced; where directories cannot be opened or synced it does nothing.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
