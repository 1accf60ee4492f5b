package core

import (
	"errors"
	"slices"
	"sync"
)

// LocalStore keeps the user's data across restarts: the conversation list
// (last message, draft, mention flag), the unread counts, the newest
// messages of each conversation, the sync dedup state, the prefetched
// roster and group lists, and the outbox (PROTOCOL.md §7.5), so that a
// message typed offline survives the end of the process and is sent, with
// the same client_mid, by the next start that connects.
//
// It is a key-value store of opaque records: the engine encodes and decodes
// the values itself (localstore_codec.go, whose first byte is the record
// version), so an implementation only has to keep bytes under a key. The
// records of each user live in a namespace of their own, named by user
// (the app id and the uid): two users of one device never see each
// other's data, and Wipe removes one user's namespace at logout.
//
// The engine calls the methods from one goroutine of its own, one at a
// time and never from the engine goroutine, so they may block (an
// IndexedDB or WeChat implementation waits for its callbacks there); they
// are called in order, so an Apply after a Load sees it done. Every
// Apply is one batch of changes gathered over a burst of events (a sync
// page, a burst of sends) and must be applied atomically: all of it or
// none.
//
// Errors: Load returning an error makes the engine report it once (an
// ErrorEvent with DbOperationFailed) and keep its data in memory only for
// the life of the Client, unless the error wraps ErrStoreReset: the store
// could not read what it had (a corrupt file), set it aside and starts
// empty, which is reported once and the store is used from then on. An
// Apply or Wipe error is reported once; later batches are still written.
// Implementations report a store written by a newer schema version as a
// Load error and leave it untouched.
//
// Implementations embed LocalStoreBase.
type LocalStore interface {
	// Load returns every record of user, in any order; a user with
	// nothing stored has no records.
	Load(user string) ([]StoreRecord, error)
	// Apply writes b into user's namespace in one transaction.
	Apply(user string, b *StoreBatch) error
	// Wipe deletes everything stored for user.
	Wipe(user string) error

	storeLinker() storeLinker
}

// LocalStoreBase is embedded by every LocalStore implementation. It links
// the engine's side of the store (the journal, the codec, the loading:
// ~27 KB brotli in the wasm build) into the programs that create a store,
// and only into them: the engine reaches it through the store's method,
// which the linker keeps only when a store type is used.
type LocalStoreBase struct{}

type storeLinker func(c *Client, st LocalStore, keep int) storeHooks

func (LocalStoreBase) storeLinker() storeLinker { return newStoreLink }

// ErrStoreReset is wrapped by a Load error after which the store is usable
// but empty: what it held could not be read and was set aside.
var ErrStoreReset = errors.New("local store reset")

// StoreKind is the kind of a StoreRecord, the first part of its key.
type StoreKind uint8

// Record kinds and the meaning of their keys A and B.
const (
	StoreConversation StoreKind = 1 // A: conversation id; a list entry
	StoreUnread       StoreKind = 2 // A: conversation id; its unread message ids
	StoreMessage      StoreKind = 3 // A: conversation id, B: message id
	StoreSeen         StoreKind = 4 // A: stream; ids delivered, for the dedup
	StoreOutbox       StoreKind = 5 // B: client_mid; a pending send
	StorePrefetch     StoreKind = 6 // the roster and group lists fetched at login
)

// StoreRecord is one record: the key (Kind, A, B) and its encoded value.
// In a StoreBatch a nil Value deletes the record.
type StoreRecord struct {
	Kind  StoreKind
	A, B  uint64
	Value []byte
}

// StoreBatch is one transaction of changes to a user's namespace.
type StoreBatch struct {
	// Drop lists conversations whose StoreMessage records all go (a
	// conversation deleted or left); applied before Records.
	Drop []uint64
	// Records are written (or deleted) in order.
	Records []StoreRecord
	// Keep is the number of messages kept per conversation: after Records,
	// each conversation given a StoreMessage record keeps only its Keep
	// newest (highest B). Zero keeps everything.
	Keep int
}

// storeKey is the key of a record in MemoryStore and in the engine's
// journal.
type storeKey struct {
	kind StoreKind
	a, b uint64
}

// MemoryStore is a LocalStore kept in memory: for tests, and for programs
// that persist nothing (the facade's storage: false) but want the engine to
// run the same code. It is safe for concurrent use.
type MemoryStore struct {
	LocalStoreBase
	mu    sync.Mutex
	users map[string]map[storeKey][]byte // guarded by mu
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{users: map[string]map[storeKey][]byte{}} }

// Load implements LocalStore.
func (s *MemoryStore) Load(user string) ([]StoreRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []StoreRecord
	for k, v := range s.users[user] {
		out = append(out, StoreRecord{Kind: k.kind, A: k.a, B: k.b, Value: append([]byte(nil), v...)})
	}
	return out, nil
}

// Apply implements LocalStore.
func (s *MemoryStore) Apply(user string, b *StoreBatch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.users[user]
	if m == nil {
		m = map[storeKey][]byte{}
		s.users[user] = m
	}
	for _, conv := range b.Drop {
		for k := range m {
			if k.kind == StoreMessage && k.a == conv {
				delete(m, k)
			}
		}
	}
	var touched []uint64
	for _, r := range b.Records {
		k := storeKey{r.Kind, r.A, r.B}
		if r.Value == nil {
			delete(m, k)
			continue
		}
		m[k] = append([]byte(nil), r.Value...)
		if r.Kind == StoreMessage && (len(touched) == 0 || touched[len(touched)-1] != r.A) {
			touched = append(touched, r.A)
		}
	}
	if b.Keep > 0 {
		for _, conv := range touched {
			var ids []uint64
			for k := range m {
				if k.kind == StoreMessage && k.a == conv {
					ids = append(ids, k.b)
				}
			}
			if len(ids) <= b.Keep {
				continue
			}
			slices.Sort(ids)
			for _, id := range ids[:len(ids)-b.Keep] {
				delete(m, storeKey{StoreMessage, conv, id})
			}
		}
	}
	return nil
}

// Wipe implements LocalStore.
func (s *MemoryStore) Wipe(user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.users, user)
	return nil
}

// Users returns the namespaces holding records, for tests.
func (s *MemoryStore) Users() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for u, m := range s.users {
		if len(m) > 0 {
			out = append(out, u)
		}
	}
	return out
}
