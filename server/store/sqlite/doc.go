// Package sqlite implements store.Store on an embedded SQLite database
// (modernc.org/sqlite: pure Go, no cgo).
//
// # Connections
//
// The database runs in WAL mode and holds two pools: a writer pool of exactly
// one connection, through which every write and every read-modify-write
// transaction goes (SQLite allows one writer at a time anyway, and a single
// connection turns lock contention into ordinary queueing instead of
// SQLITE_BUSY errors), and a reader pool of several query_only connections
// for plain lookups, which WAL lets run concurrently with the writer. A read
// that decides a later write must happen inside the writer transaction.
//
// Every connection uses synchronous=FULL: a message acknowledged to its
// sender must survive a power cut, and NORMAL in WAL mode may lose the last
// transactions. Foreign keys are on and busy_timeout is 5 s.
//
// # Migrations
//
// The schema lives in migrations/NNNN_name.sql, embedded in the binary and
// applied by Open in lexical order, each inside its own transaction and
// recorded in schema_migrations. Applied files must never be edited; change
// the schema by adding a new file.
//
// # SQL
//
// The queries are those of store/sqlstore, shared with the PostgreSQL
// store; this package supplies its dialect (db.go): SQLite's own "?"
// placeholders, COLLATE NOCASE for case-insensitive lookups, the scalar
// max(), rowid for insertion order, and statements prepared once and kept.
package sqlite
