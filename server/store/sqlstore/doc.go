// Package sqlstore is the one implementation of store.Store on database/sql,
// shared by the SQLite store (store/sqlite) and the PostgreSQL store
// (store/postgres). Those packages only open and configure their
// connections, carry their migrations, and describe their database with a
// Dialect; every query of every domain lives here, written once.
//
// # Writing SQL here
//
// Queries use "?" placeholders in order and "?N" for a repeated one;
// Dialect.Rebind rewrites them for the database. They keep to what both
// databases understand: INSERT ... ON CONFLICT (upsert, DO NOTHING),
// RETURNING, the target table's name to qualify its columns in DO UPDATE,
// integer 0/1 flags (bind turns Go bools into them). What cannot be said in
// common (case-insensitive comparison with an index, the two-argument max,
// an empty byte string, a member's insertion order) is a Dialect fragment,
// spliced once into the queries of dialect.go. Identifiers are int64 and
// come from the database: entity ids from the entity_seq row, message ids
// from the highest stored id, inside the write transaction that uses them.
//
// # Transactions
//
// db.write(ctx, func(tx *txn) error) runs a write transaction begun by
// Dialect.BeginWrite, which makes write transactions run one at a time
// (SQLite's single writer connection, PostgreSQL's advisory lock), so a
// read followed by a write inside one needs no retry. Plain reads go
// through db.reader() and run concurrently. Uniqueness violations map to
// store.ErrConflict through Dialect.IsUniqueViolation, missing rows to
// store.ErrNotFound.
//
// # Group commit
//
// Append does not write a transaction of its own: it queues the request
// for the committer (commit.go), which writes everything queued, up to 256
// appends, in one write transaction and commits once, then takes what
// arrived meanwhile. So the appends of many connections share one commit
// and one fsync, and Append returns only after the commit that holds its
// append: an ack still means stored. An append with effects runs inside a
// savepoint: one that fails is rolled back alone and returns its error,
// the others commit (a plain append can only fail with the database). If
// the transaction itself fails, each append is retried in a transaction of
// its own. A lone append is committed at once: the committer never waits
// for company. AppendAsync is the same without the wait, for callers that
// keep several appends in flight in order (the gateway's pipelining).
//
// # Hot paths
//
// Sending and syncing run a few short statements many times. Where the
// dialect asks for it (SQLite), they are prepared once per store and kept:
// reads through db.readQuery and db.readRow, writes through
// db.writePrepared, which prepares before the transaction begins. A message
// to a group writes one inbox entry and one conversation state per member:
// a row at a time through the kept statements, or, where the dialect
// offers array statements (PostgreSQL), all at once.
//
// # Files
//
// db.go holds the plumbing, dialect.go the Dialect and the queries built
// from it, commit.go the group committer, migrate.go the migration runner,
// and there is one file per domain (users.go with tokens, devices.go,
// messages.go, roster.go, groups.go, files.go).
package sqlstore
