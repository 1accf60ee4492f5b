package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/flooim/floo/server/store"
)

// inInt64s returns "(?,?,…)" and the arguments for an IN clause. Callers keep
// len(ids) well below the bound-parameter limit (see chunkInt64s).
func inInt64s(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "(?" + strings.Repeat(",?", len(ids)-1) + ")", args
}

// chunkInt64s calls fn with consecutive slices of ids of at most 500 items,
// so an IN clause never approaches the bound-parameter limit.
func chunkInt64s(ids []int64, fn func(part []int64) error) error {
	const chunk = 500
	for len(ids) > 0 {
		n := min(len(ids), chunk)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// scanInt64s reads a one-column result of ids.
func scanInt64s(rows *sql.Rows, err error) ([]int64, error) {
	if err != nil {
		return nil, err
	}
	return appendRows([]int64{}, rows, scanOne[int64])
}

const rosterColumns = `user_id, other_id, friend, was_friend, blocked, alias, ext,
	mute_notification, created_at, updated_at`

func scanRosterEntry(row scanner) (store.RosterEntry, error) {
	var e store.RosterEntry
	err := row.Scan(&e.UserID, &e.OtherID, &e.Friend, &e.WasFriend, &e.Blocked, &e.Alias,
		&e.Ext, &e.MuteNotification, &e.CreatedAt, &e.UpdatedAt)
	return e, notFound(err)
}

// rosterFlag reads one boolean column of uid's entry about other; a missing
// entry reads false.
func (db *DB) rosterFlag(ctx context.Context, query string, uid, other int64) (bool, error) {
	var v bool
	err := db.readOne(ctx, query, uid, other).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return v, err
}

// The roster flags one-to-one sends check.
const (
	qIsBlocked = `SELECT blocked FROM roster WHERE user_id = ? AND other_id = ?`
	qIsFriend  = `SELECT friend FROM roster WHERE user_id = ? AND other_id = ?`
)

// IsBlocked implements store.Roster.
func (db *DB) IsBlocked(ctx context.Context, uid, other int64) (bool, error) {
	return db.rosterFlag(ctx, qIsBlocked, uid, other)
}

// Recipient implements store.Roster.
func (db *DB) Recipient(ctx context.Context, to, from int64) (exists, blocked bool, err error) {
	var deletedAt int64
	err = db.readOne(ctx, qRecipient, from, to).Scan(&deletedAt, &blocked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, false, nil
	case err != nil:
		return false, false, err
	case deletedAt != 0:
		return false, false, nil
	}
	return true, blocked, nil
}

// qRecipient reads a user's deletion mark and whether it blocks ?1.
const qRecipient = `SELECT u.deleted_at,
	coalesce((SELECT r.blocked FROM roster r WHERE r.user_id = u.id AND r.other_id = ?), 0)
	FROM users u WHERE u.id = ?`

// IsFriend implements store.Roster.
func (db *DB) IsFriend(ctx context.Context, uid, other int64) (bool, error) {
	return db.rosterFlag(ctx, qIsFriend, uid, other)
}

// RosterEntry implements store.Roster.
func (db *DB) RosterEntry(ctx context.Context, uid, other int64) (store.RosterEntry, error) {
	r, err := db.reader()
	if err != nil {
		return store.RosterEntry{}, err
	}
	return scanRosterEntry(r.QueryRowContext(ctx,
		`SELECT `+rosterColumns+` FROM roster WHERE user_id = ? AND other_id = ?`, uid, other))
}

// RosterEntries implements store.Roster.
func (db *DB) RosterEntries(ctx context.Context, uid int64, others []int64) ([]store.RosterEntry, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	var out []store.RosterEntry
	err = chunkInt64s(others, func(part []int64) error {
		in, args := inInt64s(part)
		rows, err := r.QueryContext(ctx, `SELECT `+rosterColumns+` FROM roster
			WHERE user_id = ? AND other_id IN `+in, append([]any{uid}, args...)...)
		if err != nil {
			return err
		}
		out, err = appendRows(out, rows, scanRosterEntry)
		return err
	})
	return out, err
}

// Friends implements store.Roster.
func (db *DB) Friends(ctx context.Context, uid int64) ([]int64, error) {
	return db.rosterIDs(ctx, "friend", uid)
}

// BlockedUsers implements store.Roster.
func (db *DB) BlockedUsers(ctx context.Context, uid int64) ([]int64, error) {
	return db.rosterIDs(ctx, "blocked", uid)
}

// rosterIDs lists, in ascending order, the others whose entry in uid's
// roster has the boolean column set.
func (db *DB) rosterIDs(ctx context.Context, column string, uid int64) ([]int64, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	return scanInt64s(r.QueryContext(ctx,
		`SELECT other_id FROM roster WHERE user_id = ? AND `+column+` = 1 ORDER BY other_id`, uid))
}

// ensureRosterRow creates uid's entry about other if it is missing.
func ensureRosterRow(ctx context.Context, tx *txn, uid, other, now int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO roster (user_id, other_id, created_at, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (user_id, other_id) DO NOTHING`, uid, other, now, now)
	return err
}

// AddFriendship implements store.Roster.
func (db *DB) AddFriendship(ctx context.Context, a, b int64, now int64) (bool, error) {
	var created bool
	err := db.write(ctx, func(tx *txn) error {
		for _, p := range [][2]int64{{a, b}, {b, a}} {
			if err := ensureRosterRow(ctx, tx, p[0], p[1], now); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `UPDATE roster SET friend = 1, was_friend = 1,
				updated_at = ? WHERE user_id = ? AND other_id = ? AND friend = 0`, now, p[0], p[1])
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				created = true
			}
		}
		// The alias an applicant chose travels with the request; it becomes
		// the applicant's alias for the new friend when the pair is accepted.
		if _, err := tx.ExecContext(ctx, `UPDATE roster SET alias = (
				SELECT ra.alias FROM roster_applications ra
				WHERE ra.applicant_id = roster.user_id AND ra.target_id = roster.other_id
				  AND ra.status = 0)
			WHERE ((user_id = ? AND other_id = ?) OR (user_id = ? AND other_id = ?))
			  AND alias = '' AND EXISTS (
				SELECT 1 FROM roster_applications ra
				WHERE ra.applicant_id = roster.user_id AND ra.target_id = roster.other_id
				  AND ra.status = 0 AND ra.alias <> '')`, a, b, b, a); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE roster_applications SET status = ?, updated_at = ?
			WHERE status = ? AND ((applicant_id = ? AND target_id = ?) OR (applicant_id = ? AND target_id = ?))`,
			store.StatusAccepted, now, store.StatusPending, a, b, b, a)
		return err
	})
	return created, err
}

// RemoveFriendship implements store.Roster.
func (db *DB) RemoveFriendship(ctx context.Context, a, b int64, now int64) error {
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE roster SET friend = 0, updated_at = ?
			WHERE friend = 1 AND ((user_id = ? AND other_id = ?) OR (user_id = ? AND other_id = ?))`,
			now, a, b, b, a)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}

// SetBlocked implements store.Roster.
func (db *DB) SetBlocked(ctx context.Context, uid, other int64, blocked bool, now int64) (bool, error) {
	var changed bool
	err := db.write(ctx, func(tx *txn) error {
		if err := ensureRosterRow(ctx, tx, uid, other, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE roster SET blocked = ?, updated_at = ?
			WHERE user_id = ? AND other_id = ? AND blocked <> ?`, blocked, now, uid, other, blocked)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		changed = n > 0
		return nil
	})
	return changed, err
}

// UpdateRosterEntry implements store.Roster.
func (db *DB) UpdateRosterEntry(ctx context.Context, uid, other int64, p store.RosterPatch, now int64) error {
	sets := []string{"updated_at = ?"}
	args := []any{now}
	if p.Alias != nil {
		sets = append(sets, "alias = ?")
		args = append(args, *p.Alias)
	}
	if p.Ext != nil {
		sets = append(sets, "ext = ?")
		args = append(args, *p.Ext)
	}
	if p.MuteNotification != nil {
		sets = append(sets, "mute_notification = ?")
		args = append(args, *p.MuteNotification)
	}
	return db.write(ctx, func(tx *txn) error {
		if err := ensureRosterRow(ctx, tx, uid, other, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE roster SET `+strings.Join(sets, ", ")+`
			WHERE user_id = ? AND other_id = ?`, append(args, uid, other)...)
		return err
	})
}

const rosterAppColumns = `id, applicant_id, target_id, alias, reason, status, expires_at,
	created_at, updated_at`

func scanRosterApp(row scanner) (store.RosterApplication, error) {
	var a store.RosterApplication
	err := row.Scan(&a.ID, &a.ApplicantID, &a.TargetID, &a.Alias, &a.Reason, &a.Status,
		&a.ExpiresAt, &a.CreatedAt, &a.UpdatedAt)
	return a, notFound(err)
}

// PutRosterApplication implements store.Roster.
func (db *DB) PutRosterApplication(ctx context.Context, a *store.RosterApplication) error {
	return db.write(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx,
			`DELETE FROM roster_applications WHERE applicant_id = ? AND target_id = ?`,
			a.ApplicantID, a.TargetID); err != nil {
			return err
		}
		a.Status = store.StatusPending
		return tx.QueryRowContext(ctx, `INSERT INTO roster_applications (applicant_id, target_id,
			alias, reason, status, expires_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)
			RETURNING id`, a.ApplicantID, a.TargetID, a.Alias, a.Reason, a.Status, a.ExpiresAt,
			a.CreatedAt, a.UpdatedAt).Scan(&a.ID)
	})
}

// GetRosterApplication implements store.Roster.
func (db *DB) GetRosterApplication(ctx context.Context, applicant, target int64) (store.RosterApplication, error) {
	r, err := db.reader()
	if err != nil {
		return store.RosterApplication{}, err
	}
	return scanRosterApp(r.QueryRowContext(ctx, `SELECT `+rosterAppColumns+`
		FROM roster_applications WHERE applicant_id = ? AND target_id = ?`, applicant, target))
}

// SetRosterApplicationStatus implements store.Roster.
func (db *DB) SetRosterApplicationStatus(ctx context.Context, applicant, target int64, status int, now int64) error {
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE roster_applications SET status = ?, updated_at = ?
			WHERE applicant_id = ? AND target_id = ? AND status = ? AND expires_at > ?`,
			status, now, applicant, target, store.StatusPending, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}

// RosterApplications implements store.Roster.
func (db *DB) RosterApplications(ctx context.Context, uid int64, after int64, limit int) ([]store.RosterApplication, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + rosterAppColumns + ` FROM roster_applications
		WHERE target_id = ? AND id > ? ORDER BY id`
	args := []any{uid, after}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return appendRows([]store.RosterApplication{}, rows, scanRosterApp)
}
