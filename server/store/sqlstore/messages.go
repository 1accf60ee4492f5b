package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/flooim/floo/server/store"
)

const itemColumns = `m.id, m.conv_kind, m.conv_a, m.conv_b, m.from_uid, m.from_sn, m.to_uid, m.to_sn,
	m.ts, m.ns, m.body, m.chat, m.recalled, m.edited, m.content, m.config, m.ext, m.edit_ts`

func scanItem(row scanner, extra ...any) (store.Item, error) {
	var it store.Item
	dst := append([]any{&it.ID, &it.Conv.Kind, &it.Conv.A, &it.Conv.B, &it.FromUID, &it.FromSN,
		&it.ToUID, &it.ToSN, &it.Timestamp, &it.NS, &it.Body, &it.Chat, &it.Recalled, &it.Edited,
		&it.Content, &it.Config, &it.Ext, &it.EditTimestamp}, extra...)
	err := row.Scan(dst...)
	return it, notFound(err)
}

// readQuery runs a read on the reader pool, through a kept statement when
// the dialect asks for them (the queries of a sync are short: parsing them
// again each time would cost more than running them).
func (db *DB) readQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	if !db.prepare {
		return r.QueryContext(ctx, query, args...)
	}
	st, err := db.stmt(ctx, db.r, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, bind(args)...)
}

// readOne runs a read expected to return one row, through a kept statement
// when the dialect asks for them (readQuery), and returns the row for a
// scan function; its Scan fails with sql.ErrNoRows when there is none. The
// gateway's checks of every send (the recipient, the block list, the
// group and the membership) come this way.
func (db *DB) readOne(ctx context.Context, query string, args ...any) scanner {
	r, err := db.reader()
	if err != nil {
		return errRow{err}
	}
	if !db.prepare {
		return r.QueryRowContext(ctx, query, args...)
	}
	st, err := db.stmt(ctx, db.r, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, bind(args)...)
}

// errRow is a row whose Scan fails with err.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// readRow runs a read expected to return one row and scans it;
// sql.ErrNoRows when there is none.
func (db *DB) readRow(ctx context.Context, query string, args []any, dest ...any) error {
	if !db.prepare {
		r, err := db.reader()
		if err != nil {
			return err
		}
		return r.QueryRowContext(ctx, query, args...).Scan(dest...)
	}
	rows, err := db.readQuery(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

// The statements of Append that run for every send, except the
// conversation state's upsert, which needs the dialect (queries.upsertState).
const (
	qLookupAck = `SELECT server_mid, server_ts, edit_ts FROM msg_acks
		WHERE uid = ? AND sn = ? AND client_mid = ? AND created >= ?`
	qMaxID      = `SELECT coalesce(max(id), 0) FROM msg_items`
	qInsertItem = `INSERT INTO msg_items (id, conv_kind, conv_a, conv_b,
		from_uid, from_sn, to_uid, to_sn, ts, ns, body, chat) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`
	qInsertInbox = `INSERT INTO msg_inbox (uid, stream, id, origin_sn, target_sn)
		VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING`
	qInsertAck = `INSERT INTO msg_acks (uid, sn, client_mid, server_mid,
		server_ts, edit_ts, created) VALUES (?,?,?,?,?,?,?)
		ON CONFLICT (uid, sn, client_mid) DO UPDATE SET server_mid = excluded.server_mid,
		server_ts = excluded.server_ts, edit_ts = excluded.edit_ts, created = excluded.created`
)

// Append implements store.Messages.
//
// The append is written by the group committer (commit.go) together with
// those of other callers that arrived meanwhile, in one write transaction,
// and Append returns once that transaction committed: an ack still means
// stored. Write transactions run one at a time (Dialect.BeginWrite), which
// also serializes id assignment: the id is drawn from the highest stored id
// inside the transaction, so ids commit in increasing order.
func (db *DB) Append(ctx context.Context, r *store.AppendRequest) (store.AppendResult, error) {
	if db.closed.Load() {
		return store.AppendResult{}, store.ErrClosed
	}
	op := &appendOp{ctx: ctx, r: r, done: make(chan struct{})}
	db.submit(op)
	// The committer always finishes the op: a caller that stops waiting
	// would not undo a write that may already be committing.
	<-op.done
	if op.err != nil {
		return store.AppendResult{}, op.err
	}
	return op.res, nil
}

// appendIn writes one append inside tx and sets *res. *last is the highest
// id stored, 0 until read: the appends of one transaction read it once and
// carry it from one to the next.
func (db *DB) appendIn(ctx context.Context, tx *txn, r *store.AppendRequest, res *store.AppendResult, last *int64) error {
	if r.Dedup != nil {
		var a store.Ack
		err := tx.QueryRowContext(ctx, qLookupAck, r.Dedup.UID, r.Dedup.SN, int64(r.Dedup.ClientMID),
			r.DedupSince).Scan(&a.ServerMID, &a.ServerTime, &a.EditTimestamp)
		if err == nil {
			*res = store.AppendResult{Ack: a, Duplicate: true}
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	if *last == 0 {
		if err := tx.QueryRowContext(ctx, qMaxID).Scan(last); err != nil {
			return err
		}
	}
	id := store.NextMessageID(r.Now, *last)
	it := &r.Item
	if _, err := tx.ExecContext(ctx, qInsertItem, id, it.Conv.Kind, it.Conv.A, it.Conv.B,
		it.FromUID, it.FromSN, it.ToUID, it.ToSN, r.Now, it.NS, nonNil(it.Body), it.Chat); err != nil {
		return err
	}
	// An id rolled back with its savepoint stays behind last: ids still
	// rise, with a gap.
	*last = id
	res.ServerMID, res.ServerTime = id, r.Now
	for _, e := range r.Effects {
		if err := db.applyEffect(ctx, tx, id, e); err != nil {
			return err
		}
		if e.Kind == store.EffectEdit {
			res.EditTimestamp = e.EditTimestamp
		}
	}
	if err := db.insertDeliveries(ctx, tx, id, r.Deliveries); err != nil {
		return err
	}
	if r.Dedup != nil {
		if _, err := tx.ExecContext(ctx, qInsertAck, r.Dedup.UID, r.Dedup.SN, int64(r.Dedup.ClientMID),
			res.ServerMID, res.ServerTime, res.EditTimestamp, r.Now); err != nil {
			return err
		}
	}
	return nil
}

// insertDeliveries writes the inbox entries of item id and moves the
// conversation states of its recipients: a group message has one of each
// per member.
func (db *DB) insertDeliveries(ctx context.Context, tx *txn, id int64, ds []store.Delivery) error {
	if db.batchInbox != "" {
		return db.insertDeliveriesBatch(ctx, tx, id, ds)
	}
	for _, d := range ds {
		if _, err := tx.ExecContext(ctx, qInsertInbox, d.UID, d.Stream, id, d.OriginSN, d.TargetSN); err != nil {
			return err
		}
		var act int64
		if d.Activity {
			act = id
		}
		if _, err := tx.ExecContext(ctx, db.q.upsertState, d.UID, d.Stream, d.Kind, id, act); err != nil {
			return err
		}
	}
	return nil
}

// insertDeliveriesBatch is insertDeliveries in two statements over arrays
// (Dialect.BatchDeliveries), so a message to a group of hundreds costs two
// round trips, not hundreds. The result is that of writing the deliveries
// one by one in order: the first entry of a (uid, stream) stays, and a
// conversation state named twice takes the last kind and the highest
// activity (one INSERT ... ON CONFLICT DO UPDATE may not touch a row
// twice, hence the merge).
func (db *DB) insertDeliveriesBatch(ctx context.Context, tx *txn, id int64, ds []store.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	n := len(ds)
	uids, streams, origins, targets := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	type key struct{ uid, stream int64 }
	at := make(map[key]int, n)
	var sUIDs, sStreams, sKinds, sActs []int64
	for i, d := range ds {
		uids[i], streams[i], origins[i], targets[i] = d.UID, d.Stream, int64(d.OriginSN), int64(d.TargetSN)
		var act int64
		if d.Activity {
			act = id
		}
		k := key{d.UID, d.Stream}
		if j, ok := at[k]; ok {
			sKinds[j], sActs[j] = int64(d.Kind), max(sActs[j], act)
			continue
		}
		at[k] = len(sUIDs)
		sUIDs, sStreams = append(sUIDs, d.UID), append(sStreams, d.Stream)
		sKinds, sActs = append(sKinds, int64(d.Kind)), append(sActs, act)
	}
	if _, err := tx.ExecContext(ctx, db.batchInbox, id, uids, streams, origins, targets); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, db.batchState, id, sUIDs, sStreams, sKinds, sActs)
	return err
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func itemExists(ctx context.Context, tx *txn, id int64) error {
	var one int
	return notFound(tx.QueryRowContext(ctx, `SELECT 1 FROM msg_items WHERE id = ?`, id).Scan(&one))
}

func (db *DB) applyEffect(ctx context.Context, tx *txn, id int64, e store.Effect) error {
	switch e.Kind {
	case store.EffectMark:
		if err := itemExists(ctx, tx, e.Target); err != nil {
			return err
		}
		// A read and a cancelled read exclude each other: the latest wins.
		switch e.Mark {
		case store.MarkRead:
			if _, err := tx.ExecContext(ctx, `DELETE FROM msg_marks WHERE id = ? AND uid = ? AND kind = ?`,
				e.Target, e.UID, store.MarkUnread); err != nil {
				return err
			}
		case store.MarkUnread:
			if _, err := tx.ExecContext(ctx, `DELETE FROM msg_marks WHERE id = ? AND uid = ? AND kind = ?`,
				e.Target, e.UID, store.MarkRead); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO msg_marks (id, uid, kind) VALUES (?,?,?) ON CONFLICT DO NOTHING`,
			e.Target, e.UID, e.Mark)
		return err
	case store.EffectReadAll:
		if _, err := tx.ExecContext(ctx, db.q.readAll,
			e.UID, e.Stream, e.Conv.Kind, e.Target); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM msg_marks WHERE uid = ? AND kind = ? AND id <= ?
			AND id IN (SELECT id FROM msg_items WHERE conv_kind = ? AND conv_a = ? AND conv_b = ?)`,
			e.UID, store.MarkUnread, e.Target, e.Conv.Kind, e.Conv.A, e.Conv.B)
		return err
	case store.EffectRecall:
		return affected(tx.ExecContext(ctx, `UPDATE msg_items SET recalled = 1 WHERE id = ?`, e.Target))
	case store.EffectEdit:
		return affected(tx.ExecContext(ctx, `UPDATE msg_items SET edited = 1, content = ?, config = ?,
			ext = ?, edit_ts = ? WHERE id = ?`, e.Content, e.Config, e.Ext, e.EditTimestamp, e.Target))
	case store.EffectClearConv:
		if e.SN == 0 {
			if _, err := tx.ExecContext(ctx, db.q.clearConv,
				e.UID, e.Stream, e.Conv.Kind, id); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM msg_inbox WHERE uid = ? AND stream = ? AND id < ?`,
				e.UID, e.Stream, id)
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q.clearDevice,
			e.UID, e.SN, e.Stream, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.q.clearCursor,
			e.UID, e.SN, e.Stream, id)
		return err
	}
	return db.errorf("unknown effect kind")
}

// LookupAck implements store.Messages.
func (db *DB) LookupAck(ctx context.Context, k store.DedupKey, since int64) (store.Ack, error) {
	var a store.Ack
	err := db.readRow(ctx, qLookupAck, []any{k.UID, k.SN, int64(k.ClientMID), since},
		&a.ServerMID, &a.ServerTime, &a.EditTimestamp)
	return a, notFound(err)
}

// PurgeAcks implements store.Messages.
func (db *DB) PurgeAcks(ctx context.Context, cutoff int64) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM msg_acks WHERE created < ?`, cutoff)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// Item implements store.Messages.
func (db *DB) Item(ctx context.Context, id int64) (store.Item, error) {
	rows, err := db.readQuery(ctx, `SELECT `+itemColumns+` FROM msg_items m WHERE m.id = ?`, id)
	if err != nil {
		return store.Item{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return store.Item{}, err
		}
		return store.Item{}, store.ErrNotFound
	}
	return scanItem(rows)
}

// LastItemID implements store.Messages.
func (db *DB) LastItemID(ctx context.Context) (int64, error) {
	var id int64
	err := db.readRow(ctx, qMaxID, nil, &id)
	return id, err
}

// InitDeviceCursors implements store.Messages.
func (db *DB) InitDeviceCursors(ctx context.Context, uid int64, sn uint32, reset bool) error {
	if !reset {
		// Most logins are of known devices: answer them without a write.
		var one int
		err := db.readRow(ctx, `SELECT 1 FROM msg_devices WHERE uid = ? AND sn = ?`, []any{uid, sn}, &one)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	return db.write(ctx, func(tx *txn) error {
		var last int64
		if err := tx.QueryRowContext(ctx, qMaxID).Scan(&last); err != nil {
			return err
		}
		if !reset {
			_, err := tx.ExecContext(ctx, `INSERT INTO msg_devices (uid, sn, base) VALUES (?,?,?) ON CONFLICT DO NOTHING`,
				uid, sn, last)
			return err
		}
		for _, q := range []string{
			`DELETE FROM msg_cursors WHERE uid = ? AND sn = ?`,
			`DELETE FROM msg_conv_device WHERE uid = ? AND sn = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, uid, sn); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO msg_devices (uid, sn, base) VALUES (?,?,?)
			ON CONFLICT (uid, sn) DO UPDATE SET base = excluded.base`,
			uid, sn, last)
		return err
	})
}

// deviceBase returns where the cursors of (uid, sn) start.
func (db *DB) deviceBase(ctx context.Context, uid int64, sn uint32) (int64, error) {
	var base int64
	err := db.readRow(ctx, `SELECT base FROM msg_devices WHERE uid = ? AND sn = ?`, []any{uid, sn}, &base)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return base, err
}

// Cursor implements store.Messages.
func (db *DB) Cursor(ctx context.Context, uid int64, sn uint32, stream int64) (int64, error) {
	var pos int64
	err := db.readRow(ctx, `SELECT pos FROM msg_cursors WHERE uid = ? AND sn = ? AND stream = ?`,
		[]any{uid, sn, stream}, &pos)
	if errors.Is(err, sql.ErrNoRows) {
		return db.deviceBase(ctx, uid, sn)
	}
	return pos, err
}

// AdvanceCursors implements store.Messages (see queries.advanceCursor).
func (db *DB) AdvanceCursors(ctx context.Context, cs []store.CursorPos) error {
	if len(cs) == 0 {
		return nil
	}
	if db.closed.Load() {
		return store.ErrClosed
	}
	return db.writePrepared(ctx, []string{db.q.advanceCursor}, func(tx *txn) error {
		for _, c := range cs {
			if _, err := tx.ExecContext(ctx, db.q.advanceCursor, c.UID, c.SN, c.Stream, c.Pos); err != nil {
				return err
			}
		}
		return nil
	})
}

// SyncPage implements store.Messages.
func (db *DB) SyncPage(ctx context.Context, uid int64, sn uint32, stream, after int64, limit int) (store.SyncPage, error) {
	var page store.SyncPage
	rows, err := db.readQuery(ctx, `SELECT `+itemColumns+`, i.origin_sn, i.target_sn
		FROM msg_inbox i JOIN msg_items m ON m.id = i.id
		WHERE i.uid = ? AND i.stream = ? AND i.id > ? ORDER BY i.id LIMIT ?`, uid, stream, after, limit)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	examined := 0
	for rows.Next() {
		var origin, target uint32
		it, err := scanItem(rows, &origin, &target)
		if err != nil {
			return page, err
		}
		page.Last = it.ID
		examined++
		page.More = examined >= limit
		if origin == sn || (target != 0 && target != sn) {
			continue
		}
		page.Items = append(page.Items, it)
	}
	return page, rows.Err()
}

// Unread implements store.Messages.
func (db *DB) Unread(ctx context.Context, uid int64, sn uint32, recent int) ([]store.StreamUnread, error) {
	base, err := db.deviceBase(ctx, uid, sn)
	if err != nil {
		return nil, err
	}
	type row struct {
		store.StreamUnread
		lastEntry, pos, cleared int64
	}
	rows, err := db.readQuery(ctx, db.q.unread, base, sn, sn, uid)
	if err != nil {
		return nil, err
	}
	var all []row
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.Stream, &x.Kind, &x.LastActivity, &x.lastEntry, &x.pos, &x.cleared); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out, candidates []store.StreamUnread
	for _, x := range all {
		// Streams with nothing after the cursor need no count.
		if x.lastEntry > x.pos {
			err := db.readRow(ctx, `SELECT count(*) FROM msg_inbox WHERE uid = ? AND stream = ?
				AND id > ? AND origin_sn <> ? AND (target_sn = 0 OR target_sn = ?)`,
				[]any{uid, x.Stream, x.pos, sn, sn}, &x.N)
			if err != nil {
				return nil, err
			}
		}
		switch {
		case x.N > 0:
			out = append(out, x.StreamUnread)
		case recent > 0 && x.LastActivity > x.cleared:
			candidates = append(candidates, x.StreamUnread)
		}
	}
	if len(candidates) > 0 {
		// Streams with n > 0 are always listed; the recent ones come on top.
		slices.SortFunc(candidates, func(a, b store.StreamUnread) int { return cmpInt(b.LastActivity, a.LastActivity) })
		out = append(out, candidates[:min(recent, len(candidates))]...)
	}
	slices.SortFunc(out, func(a, b store.StreamUnread) int {
		if c := cmpInt(a.LastActivity, b.LastActivity); c != 0 {
			return c
		}
		return cmpInt(a.Stream, b.Stream)
	})
	return out, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// History implements store.Messages.
func (db *DB) History(ctx context.Context, q store.HistoryQuery) ([]store.Item, bool, error) {
	var cleared, devCleared int64
	err := db.readRow(ctx, `SELECT cleared FROM msg_conv_state WHERE uid = ? AND stream = ?`,
		[]any{q.UID, q.Stream}, &cleared)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, false, err
	}
	err = db.readRow(ctx, `SELECT cleared FROM msg_conv_device WHERE uid = ? AND sn = ? AND stream = ?`,
		[]any{q.UID, q.SN, q.Stream}, &devCleared)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, false, err
	}
	before := q.Before
	if before <= 0 {
		before = math.MaxInt64
	}
	limit := max(q.Limit, 1)
	rows, err := db.readQuery(ctx, `SELECT `+itemColumns+` FROM msg_items m
		WHERE m.conv_kind = ? AND m.conv_a = ? AND m.conv_b = ? AND m.chat = 1
		AND m.id < ? AND m.id > ? AND m.ts >= ? AND m.recalled = 0
		AND NOT EXISTS (SELECT 1 FROM msg_marks k WHERE k.id = m.id AND k.uid = ? AND k.kind = ?)
		ORDER BY m.id DESC LIMIT ?`,
		q.Conv.Kind, q.Conv.A, q.Conv.B, before, max(cleared, devCleared), q.Since,
		q.UID, store.MarkDeleted, limit+1)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []store.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, false, err
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// ReadPositions implements store.Messages.
func (db *DB) ReadPositions(ctx context.Context, uid, stream int64) (store.ReadPositions, error) {
	var p store.ReadPositions
	err := db.readRow(ctx, `SELECT
		coalesce((SELECT read_all FROM msg_conv_state WHERE uid = ?1 AND stream = ?2), 0),
		coalesce((SELECT max(pos) FROM msg_cursors WHERE uid = ?1 AND stream = ?2), 0)`,
		[]any{uid, stream}, &p.ReadAll, &p.Delivered)
	return p, err
}

// Marks implements store.Messages.
func (db *DB) Marks(ctx context.Context, ids []int64) (map[int64][]store.Mark, error) {
	out := map[int64][]store.Mark{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	// One cached statement per page length; pages hold at most 100.
	rows, err := db.readQuery(ctx, `SELECT id, uid, kind FROM msg_marks WHERE id IN (?`+
		strings.Repeat(",?", len(ids)-1)+`) ORDER BY id, uid, kind`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m store.Mark
		if err := rows.Scan(&id, &m.UID, &m.Kind); err != nil {
			return nil, err
		}
		out[id] = append(out[id], m)
	}
	return out, rows.Err()
}
