//go:build !js

package native

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/flooim/floo/core"
)

// storeMigrations are the schema versions of SQLiteStore: migration i
// takes a database from PRAGMA user_version i to i+1. A database whose
// version is higher than len(storeMigrations) was written by a newer
// version and is left untouched.
//
// One table holds every record of core.LocalStore, keyed by namespace
// (app id and uid), kind and the two ids; WITHOUT ROWID keeps the rows in
// key order, so the messages of a conversation sit together and the trim
// to the newest N is a range delete. Ids are stored as int64 bit patterns:
// equality is exact, and the order holds below 2^63, which server ids are.
var storeMigrations = []string{
	`CREATE TABLE records (
		user  TEXT    NOT NULL,
		kind  INTEGER NOT NULL,
		a     INTEGER NOT NULL,
		b     INTEGER NOT NULL,
		value BLOB    NOT NULL,
		PRIMARY KEY (user, kind, a, b)
	) WITHOUT ROWID`,
}

// SQLiteStore is the native core.LocalStore: an SQLite database file
// (modernc.org/sqlite, pure Go). The file is opened at the first call, so
// that a file that cannot be opened is reported by the engine like every
// other store failure (once, as an error event with DbOperationFailed)
// instead of stopping the program.
//
// A file that is not a database or is corrupt is renamed aside
// (<name>.corrupt-<unix time>, kept for inspection: it may hold an
// outbox) and a new one is created; the engine reports it and rebuilds
// from the server (core.ErrStoreReset). A database of a newer schema
// version is not touched: every call fails and the engine runs from memory.
//
// Writes use WAL with synchronous=FULL: a committed batch survives a crash
// of the process and of the machine, which the outbox needs. It is safe for
// concurrent use; the engine calls it from one goroutine anyway. Several
// processes may share the file (SQLite locks it), but a device's outbox
// belongs to one device: give each device slot its own file.
type SQLiteStore struct {
	core.LocalStoreBase
	path string

	mu     sync.Mutex
	db     *sql.DB // guarded by mu; nil until opened
	err    error   // guarded by mu; the failure that makes the store unusable
	closed bool    // guarded by mu
}

var _ core.LocalStore = (*SQLiteStore)(nil)

// NewSQLiteStore returns the store kept in the file at path, created (with
// its directory, mode 0700) when missing. It does not open the file yet.
func NewSQLiteStore(path string) *SQLiteStore { return &SQLiteStore{path: path} }

// Path returns the path of the database file.
func (s *SQLiteStore) Path() string { return s.path }

// Close closes the database. Later calls fail.
func (s *SQLiteStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	return err
}

// open returns the database, opening it at the first call. reset is set
// when an unreadable file was set aside. Called with mu held.
func (s *SQLiteStore) open() (db *sql.DB, reset error, err error) {
	if s.closed {
		return nil, nil, errors.New("local store closed")
	}
	if s.db != nil || s.err != nil {
		return s.db, nil, s.err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return nil, nil, err
	}
	db, err = s.openFile()
	if isCorrupt(err) {
		reset = s.setAside(err)
		db, err = s.openFile()
	}
	if err != nil {
		s.err = err
		return nil, reset, err
	}
	s.db = db
	return db, reset, nil
}

// openFile opens the file and brings its schema to the current version.
func (s *SQLiteStore) openFile() (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+s.path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	if err := migrateStore(db); err != nil {
		db.Close()
		return nil, err
	}
	os.Chmod(s.path, 0o600)
	return db, nil
}

func migrateStore(db *sql.DB) error {
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	if v > len(storeMigrations) {
		return fmt.Errorf("local store: schema version %d is newer than this version's %d", v, len(storeMigrations))
	}
	for ; v < len(storeMigrations); v++ {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(storeMigrations[v]); err != nil {
			tx.Rollback()
			return err
		}
		// PRAGMA takes no parameters; v is an int.
		if _, err := tx.Exec("PRAGMA user_version = " + strconv.Itoa(v+1)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// isCorrupt reports whether err says the file is not a database or is
// damaged.
func isCorrupt(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	code := e.Code() & 0xff
	return code == sqlite3.SQLITE_CORRUPT || code == sqlite3.SQLITE_NOTADB
}

// setAside renames the unreadable file (and its WAL files) and returns the
// error the engine reports. Called with mu held and the file closed.
func (s *SQLiteStore) setAside(cause error) error {
	aside := s.path + ".corrupt-" + strconv.FormatInt(time.Now().Unix(), 10)
	err := os.Rename(s.path, aside)
	for _, ext := range []string{"-wal", "-shm"} {
		if err == nil {
			os.Rename(s.path+ext, aside+ext)
		} else {
			os.Remove(s.path + ext)
		}
	}
	if err != nil {
		os.Remove(s.path)
		return fmt.Errorf("%w: %s was unreadable (%v) and was removed", core.ErrStoreReset, s.path, cause)
	}
	return fmt.Errorf("%w: %s was unreadable (%v), moved to %s", core.ErrStoreReset, s.path, cause, aside)
}

// Load implements core.LocalStore.
func (s *SQLiteStore) Load(user string) ([]core.StoreRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	db, reset, err := s.open()
	if err != nil {
		return nil, err
	}
	recs, err := loadRecords(db, user)
	if isCorrupt(err) {
		// Damage past the header shows only when pages are read.
		s.db.Close()
		s.db = nil
		reset = s.setAside(err)
		if _, _, err := s.open(); err != nil {
			return nil, err
		}
		return nil, reset
	}
	if err != nil {
		return nil, err
	}
	return recs, reset
}

func loadRecords(db *sql.DB, user string) ([]core.StoreRecord, error) {
	rows, err := db.Query("SELECT kind, a, b, value FROM records WHERE user = ?", user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []core.StoreRecord
	for rows.Next() {
		var r core.StoreRecord
		var a, b int64
		if err := rows.Scan(&r.Kind, &a, &b, &r.Value); err != nil {
			return nil, err
		}
		r.A, r.B = uint64(a), uint64(b)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Apply implements core.LocalStore: one transaction per batch.
func (s *SQLiteStore) Apply(user string, b *core.StoreBatch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	db, _, err := s.open()
	if err != nil {
		return err
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, conv := range b.Drop {
		if _, err := tx.Exec("DELETE FROM records WHERE user = ? AND kind = ? AND a = ?", user, core.StoreMessage, int64(conv)); err != nil {
			return err
		}
	}
	put, err := tx.Prepare("INSERT OR REPLACE INTO records (user, kind, a, b, value) VALUES (?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	defer put.Close()
	del, err := tx.Prepare("DELETE FROM records WHERE user = ? AND kind = ? AND a = ? AND b = ?")
	if err != nil {
		return err
	}
	defer del.Close()
	var touched []uint64
	for _, r := range b.Records {
		if r.Value == nil {
			_, err = del.Exec(user, r.Kind, int64(r.A), int64(r.B))
		} else {
			_, err = put.Exec(user, r.Kind, int64(r.A), int64(r.B), r.Value)
			if r.Kind == core.StoreMessage && (len(touched) == 0 || touched[len(touched)-1] != r.A) {
				touched = append(touched, r.A)
			}
		}
		if err != nil {
			return err
		}
	}
	if b.Keep > 0 {
		for _, conv := range touched {
			// Everything below the Keep-th newest id goes.
			_, err := tx.Exec(`DELETE FROM records WHERE user = ?1 AND kind = ?2 AND a = ?3 AND b < (
				SELECT b FROM records WHERE user = ?1 AND kind = ?2 AND a = ?3 ORDER BY b DESC LIMIT 1 OFFSET ?4)`,
				user, core.StoreMessage, int64(conv), b.Keep-1)
			if err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// Wipe implements core.LocalStore.
func (s *SQLiteStore) Wipe(user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	db, _, err := s.open()
	if err != nil {
		return err
	}
	_, err = db.Exec("DELETE FROM records WHERE user = ?", user)
	return err
}
