// Package store defines the reference server's persistence contract: the
// domain types and one small interface per domain (users, tokens, devices,
// and the ones other parts of the server add), composed into Store.
//
// The interfaces have more than one implementation: the embedded SQLite
// store (store/sqlite) and the PostgreSQL one (store/postgres). Both are the
// one database/sql implementation of store/sqlstore, which holds every
// query; each of them only opens its database, migrates it and describes
// its SQL dialect. Both pass the conformance suite of store/storetest.
// Hence every method
// takes a context.Context, ids are int64 (within the JavaScript safe range,
// PROTOCOL.md §17), timestamps are int64 Unix milliseconds, and no driver type
// appears in a signature.
//
// Each method is atomic on its own. Operations that must change several rows
// together (create a user with its settings, register a device under the
// device limit) are single methods rather than sequences of calls, so callers
// never need a transaction handle.
//
// Errors: lookups of something absent return ErrNotFound, uniqueness
// violations return ErrConflict; both are matched with errors.Is.
package store
