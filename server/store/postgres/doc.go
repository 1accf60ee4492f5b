// Package postgres implements store.Store on PostgreSQL (github.com/jackc/pgx/v5
// through database/sql), for servers that outgrow one machine: several
// server processes can share one database.
//
// # Writes
//
// Every write transaction first takes one transaction-level advisory lock
// (pg_advisory_xact_lock), so writers run one at a time across every process
// using the database, as on SQLite's single writer connection. That keeps
// the SQLite store's semantics without retry loops: message ids are
// NextMessageID over the highest stored id and commit in increasing order,
// a (uid, device SN, client_mid) send is deduplicated inside the same
// transaction that appends it with its inbox entries, and entity ids come
// from the entity_seq row. No id is ever taken from a process's memory.
// Reads run concurrently on the pool under READ COMMITTED.
//
// # Migrations
//
// The schema lives in migrations/NNNN_name.sql, embedded in the binary and
// applied by Open in lexical order, each in its own transaction (under the
// write lock, so servers starting together apply each once) and recorded in
// schema_migrations. Applied files must never be edited; change the schema
// by adding a new file.
//
// # SQL
//
// The queries are those of store/sqlstore, shared with the SQLite store;
// this package supplies its dialect (db.go): "$N" placeholders, the
// advisory write lock, lower() for case-insensitive lookups, greatest(),
// and unnest() to write the deliveries of a group message in two
// statements.
package postgres
