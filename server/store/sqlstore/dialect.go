package sqlstore

import (
	"context"
	"database/sql"
)

// Dialect is what one database says differently. The shared code writes its
// SQL once, in the subset both SQLite and PostgreSQL understand, with "?"
// and "?N" placeholders; a Dialect supplies the few fragments that have no
// common spelling and the behaviour around transactions and errors.
//
// Implementations are stateless values, safe for concurrent use.
type Dialect interface {
	// Name prefixes the store's own error messages: "sqlite", "postgres".
	Name() string

	// Rebind rewrites a query's "?" and "?N" placeholders into the
	// database's style. It must be cheap for queries without placeholders.
	Rebind(query string) string

	// BeginWrite starts a write transaction on pool. Write transactions
	// must run one at a time, across every process using the database, and
	// each must see every write committed before it began: the shared code
	// reads and then writes (the highest message id plus one, the smallest
	// free device SN, "is the group full") without retrying.
	BeginWrite(ctx context.Context, pool *sql.DB) (*sql.Tx, error)

	// IsUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY
	// violation; the store maps it to store.ErrConflict.
	IsUniqueViolation(err error) bool

	// FoldEqual returns a condition that column equals the next "?"
	// ignoring ASCII case, spelled so that it uses the column's index
	// ("username = ? COLLATE NOCASE", "lower(username) = lower(?)").
	FoldEqual(column string) string

	// Greatest names the function returning the larger of its arguments
	// ("max" in SQLite, "greatest" in PostgreSQL).
	Greatest() string

	// EmptyBytes is the literal of an empty byte string (x'', '').
	EmptyBytes() string

	// MemberOrder is the column of group_members that increases with each
	// insertion: members who joined in the same millisecond are listed in
	// the order they were added ("rowid", "seq").
	MemberOrder() string

	// PrepareStatements reports whether the store should prepare the
	// statements of its hot paths once and keep them (SQLite, where parsing
	// a short query costs more than running it), or leave that to the
	// driver (pgx prepares and caches per connection itself).
	PrepareStatements() bool

	// BatchDeliveries returns the two statements that write all inbox
	// entries and all conversation states of one message at once, or two
	// empty strings if the database writes them a row at a time. Both take
	// the message id as ?1 and four columns as arrays of int64, ?2 to ?5:
	// (uid, stream, origin_sn, target_sn) for the inbox entries, which keep
	// the first of two for one (uid, stream), and (uid, stream, kind,
	// activity) for the states, which the caller has merged so that no
	// (uid, stream) appears twice.
	BatchDeliveries() (inbox, state string)
}

// queries holds the statements whose text depends on the dialect, built
// once by New so that the hot paths neither concatenate strings nor miss
// the statement cache.
type queries struct {
	userByName, userByEmail string
	deleteUser              string
	listMembers             string
	upsertState             string // one delivery's conversation state
	readAll                 string
	clearConv, clearDevice  string
	clearCursor             string
	advanceCursor           string
	unread                  string

	// append lists the statements of Append, prepared together when the
	// dialect keeps statements (see DB.writePrepared).
	append []string
}

func newQueries(d Dialect) queries {
	greatest := d.Greatest()
	q := queries{
		userByName: d.FoldEqual("username") + ` AND deleted_at = 0`,
		userByEmail: d.FoldEqual("email") +
			` AND deleted_at = 0 ORDER BY id LIMIT 1`,
		// The hash is cleared so the deleted account can never log in again.
		deleteUser: `UPDATE users SET deleted_at = ?, updated_at = ?,
			password_hash = ` + d.EmptyBytes() + ` WHERE id = ? AND deleted_at = 0`,
		listMembers: `SELECT ` + memberColumns + `
			FROM group_members WHERE group_id = ? ORDER BY join_time, ` + d.MemberOrder(),
		upsertState: `INSERT INTO msg_conv_state (uid, stream, kind, last_entry, last_activity)
			VALUES (?,?,?,?,?)
			ON CONFLICT (uid, stream) DO UPDATE SET kind = excluded.kind, last_entry = excluded.last_entry,
			last_activity = ` + greatest + `(msg_conv_state.last_activity, excluded.last_activity)`,
		readAll: `INSERT INTO msg_conv_state (uid, stream, kind, read_all) VALUES (?,?,?,?)
			ON CONFLICT (uid, stream) DO UPDATE SET read_all = ` + greatest + `(msg_conv_state.read_all, excluded.read_all)`,
		clearConv: `INSERT INTO msg_conv_state (uid, stream, kind, cleared) VALUES (?,?,?,?)
			ON CONFLICT (uid, stream) DO UPDATE SET cleared = ` + greatest + `(msg_conv_state.cleared, excluded.cleared)`,
		clearDevice: `INSERT INTO msg_conv_device (uid, sn, stream, cleared) VALUES (?,?,?,?)
			ON CONFLICT (uid, sn, stream) DO UPDATE SET cleared = ` + greatest + `(msg_conv_device.cleared, excluded.cleared)`,
		clearCursor: `INSERT INTO msg_cursors (uid, sn, stream, pos) VALUES (?,?,?,?)
			ON CONFLICT (uid, sn, stream) DO UPDATE SET pos = ` + greatest + `(msg_cursors.pos, excluded.pos)`,
		// A cursor row is written only above the device's start, so rows
		// mean real confirmations.
		advanceCursor: `INSERT INTO msg_cursors (uid, sn, stream, pos)
			SELECT ?1, ?2, ?3, ?4 WHERE ?4 > coalesce((SELECT base FROM msg_devices WHERE uid = ?1 AND sn = ?2), 0)
			ON CONFLICT (uid, sn, stream) DO UPDATE SET pos = ` + greatest + `(msg_cursors.pos, excluded.pos)`,
		unread: `SELECT cs.stream, cs.kind, cs.last_activity, cs.last_entry,
			coalesce(c.pos, ?), ` + greatest + `(cs.cleared, coalesce(cd.cleared, 0))
			FROM msg_conv_state cs
			LEFT JOIN msg_cursors c ON c.uid = cs.uid AND c.sn = ? AND c.stream = cs.stream
			LEFT JOIN msg_conv_device cd ON cd.uid = cs.uid AND cd.sn = ? AND cd.stream = cs.stream
			WHERE cs.uid = ?`,
	}
	q.append = []string{qLookupAck, qMaxID, qInsertItem, qInsertInbox, q.upsertState, qInsertAck,
		qSavepoint, qRollbackSavepoint, qReleaseSavepoint}
	return q
}
