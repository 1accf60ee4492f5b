package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/flooim/floo/server/store"
)

const fileColumns = `id, owner_id, kind, file_type, to_type, to_id, name, content_type, size,
	uploaded, created_at, uploaded_at`

func scanFile(row scanner) (store.File, error) {
	var f store.File
	err := row.Scan(&f.ID, &f.OwnerID, &f.Kind, &f.FileType, &f.ToType, &f.ToID, &f.Name,
		&f.ContentType, &f.Size, &f.Uploaded, &f.CreatedAt, &f.UploadedAt)
	return f, notFound(err)
}

// CreateFile implements store.Files.
func (db *DB) CreateFile(ctx context.Context, f store.File, t store.UploadTicket) error {
	return db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO files (id, owner_id, kind, file_type, to_type,
			to_id, name, content_type, size, uploaded, created_at, uploaded_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, f.ID, f.OwnerID, f.Kind, f.FileType, f.ToType,
			f.ToID, f.Name, f.ContentType, f.Size, f.Uploaded, f.CreatedAt, f.UploadedAt)
		if tx.isConstraint(err) {
			return fmt.Errorf("%w: file id taken", store.ErrConflict)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO upload_tickets (id, file_id, expires_at)
			VALUES (?, ?, ?)`, t.ID, f.ID, t.ExpiresAt)
		if tx.isConstraint(err) {
			return fmt.Errorf("%w: ticket id taken", store.ErrConflict)
		}
		return err
	})
}

// ClaimUploadTicket implements store.Files.
func (db *DB) ClaimUploadTicket(ctx context.Context, id string, now int64) (store.File, error) {
	var f store.File
	err := db.write(ctx, func(tx *txn) error {
		var fileID string
		err := tx.QueryRowContext(ctx, `DELETE FROM upload_tickets WHERE id = ? AND expires_at > ?
			RETURNING file_id`, id, now).Scan(&fileID)
		if err != nil {
			return notFound(err)
		}
		f, err = scanFile(tx.QueryRowContext(ctx, `SELECT `+fileColumns+` FROM files WHERE id = ?`, fileID))
		return err
	})
	return f, err
}

// CompleteFile implements store.Files.
func (db *DB) CompleteFile(ctx context.Context, id, name string, size int64, contentType string, now int64) error {
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE files SET uploaded = 1, size = ?, content_type = ?,
			uploaded_at = ?, name = CASE WHEN ? = '' THEN name ELSE ? END WHERE id = ?`,
			size, contentType, now, name, name, id)
		return affected(res, err)
	})
}

// GetFile implements store.Files.
func (db *DB) GetFile(ctx context.Context, id string) (store.File, error) {
	r, err := db.reader()
	if err != nil {
		return store.File{}, err
	}
	return scanFile(r.QueryRowContext(ctx, `SELECT `+fileColumns+` FROM files WHERE id = ?`, id))
}

// DeleteExpiredTickets implements store.Files.
func (db *DB) DeleteExpiredTickets(ctx context.Context, now int64) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM upload_tickets WHERE expires_at <= ?`, now)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		// A file row that never got its bytes and has no ticket left is
		// unreachable. The day of grace leaves alone an upload that claimed
		// its ticket and is still streaming.
		_, err = tx.ExecContext(ctx, `DELETE FROM files WHERE uploaded = 0 AND created_at <= ?
			AND id NOT IN (SELECT file_id FROM upload_tickets)`, now-abandonedUploadGrace)
		return err
	})
	return n, err
}

// abandonedUploadGrace is how long (ms) an unfinished file row outlives its
// ticket.
const abandonedUploadGrace = 24 * 60 * 60 * 1000

// fileSigningKeyName is the server_keys row of the download-URL key.
const fileSigningKeyName = "file_signing"

// SigningKey implements store.Files.
func (db *DB) SigningKey(ctx context.Context, newKey func() ([]byte, error)) ([]byte, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	var key []byte
	err = r.QueryRowContext(ctx, `SELECT value FROM server_keys WHERE name = ?`, fileSigningKeyName).Scan(&key)
	if !errors.Is(err, sql.ErrNoRows) {
		return key, err
	}
	// First use: create it inside a write transaction, re-checking there in
	// case another request got ahead.
	err = db.write(ctx, func(tx *txn) error {
		err := tx.QueryRowContext(ctx, `SELECT value FROM server_keys WHERE name = ?`,
			fileSigningKeyName).Scan(&key)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if key, err = newKey(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO server_keys (name, value) VALUES (?, ?)`,
			fileSigningKeyName, key)
		return err
	})
	return key, err
}
