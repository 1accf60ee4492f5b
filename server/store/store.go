package store

import "context"

// Store is everything the reference server persists. Each domain contributes
// one embedded interface; to add a domain, declare its interface in its own
// file of this package (e.g. roster.go) and add one line here, then implement
// it once in store/sqlstore (for SQLite and PostgreSQL alike) and test it in
// store/storetest.
//
// Implementations are safe for concurrent use.
type Store interface {
	IDs
	Users
	Tokens
	Devices
	Messages
	Roster
	Groups
	Files

	// Close releases the underlying resources. Calls after Close fail with
	// ErrClosed (or a wrapped driver error).
	Close() error
}

// IDs hands out entity identifiers.
type IDs interface {
	// NextEntityID returns a new id from the single sequence shared by users
	// and groups, so a uid never equals a gid (PROTOCOL.md §18.1). Ids start
	// well above 0 and stay ≤ MaxEntityID.
	NextEntityID(ctx context.Context) (int64, error)
}

// FirstEntityID is the first id NextEntityID hands out. It is large enough
// that ids never look like small counters and small numbers in tests can be
// used as "certainly unknown" ids.
const FirstEntityID = 10_000_001

// MaxEntityID is the largest id that survives a JavaScript number: 2^53 − 1.
const MaxEntityID = 1<<53 - 1
