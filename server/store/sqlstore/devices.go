package sqlstore

import (
	"context"
	"errors"

	"github.com/flooim/floo/server/store"
)

const deviceColumns = `user_id, sn, guid, platform, user_agent, push_token, notifier_name,
	created_at, last_seen`

func scanDevice(row scanner) (store.Device, error) {
	var d store.Device
	err := row.Scan(&d.UserID, &d.SN, &d.GUID, &d.Platform, &d.UserAgent, &d.PushToken,
		&d.NotifierName, &d.CreatedAt, &d.LastSeen)
	return d, notFound(err)
}

// RegisterDevice implements store.Devices.
func (db *DB) RegisterDevice(ctx context.Context, reg store.DeviceRegistration) (store.Device, bool, error) {
	if reg.GUID == "" {
		// The unique (user, guid) index is what makes step 1 of the
		// assignment work.
		return store.Device{}, false, db.errorf("device guid is required")
	}
	var (
		out     store.Device
		created bool
	)
	err := db.write(ctx, func(tx *txn) error {
		// 1. The installation is known: reuse its SN.
		d, err := scanDevice(tx.QueryRowContext(ctx,
			`SELECT `+deviceColumns+` FROM devices WHERE user_id = ? AND guid = ?`, reg.UserID, reg.GUID))
		if err == nil {
			_, err = tx.ExecContext(ctx, `UPDATE devices SET platform = ?, user_agent = ?, last_seen = ?
				WHERE user_id = ? AND sn = ?`, reg.Platform, reg.UserAgent, reg.Now, reg.UserID, d.SN)
			d.Platform, d.UserAgent, d.LastSeen = reg.Platform, reg.UserAgent, reg.Now
			out = d
			return err
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		used, err := deviceSNs(ctx, tx, reg.UserID)
		if err != nil {
			return err
		}
		if reg.MaxDevices > 0 && len(used) >= reg.MaxDevices {
			return store.ErrTooManyDevices
		}
		// 2. Take the offered SN if nobody holds it; 3. else the smallest free one.
		sn := reg.OfferedSN
		if sn == 0 || used[sn] {
			sn = 1
			for used[sn] {
				sn++
			}
		}
		out = store.Device{UserID: reg.UserID, SN: sn, GUID: reg.GUID, Platform: reg.Platform,
			UserAgent: reg.UserAgent, CreatedAt: reg.Now, LastSeen: reg.Now}
		_, err = tx.ExecContext(ctx, `INSERT INTO devices (user_id, sn, guid, platform, user_agent,
			created_at, last_seen) VALUES (?,?,?,?,?,?,?)`,
			out.UserID, out.SN, out.GUID, out.Platform, out.UserAgent, out.CreatedAt, out.LastSeen)
		created = err == nil
		return err
	})
	if err != nil {
		return store.Device{}, false, err
	}
	return out, created, nil
}

func deviceSNs(ctx context.Context, q queryer, uid int64) (map[uint32]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT sn FROM devices WHERE user_id = ?`, uid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	used := map[uint32]bool{}
	for rows.Next() {
		var sn uint32
		if err := rows.Scan(&sn); err != nil {
			return nil, err
		}
		used[sn] = true
	}
	return used, rows.Err()
}

// Device implements store.Devices.
func (db *DB) Device(ctx context.Context, uid int64, sn uint32) (store.Device, error) {
	return db.deviceWhere(ctx, `user_id = ? AND sn = ?`, uid, sn)
}

// DeviceByGUID implements store.Devices.
func (db *DB) DeviceByGUID(ctx context.Context, uid int64, guid string) (store.Device, error) {
	return db.deviceWhere(ctx, `user_id = ? AND guid = ?`, uid, guid)
}

// deviceWhere reads the one device matching where.
func (db *DB) deviceWhere(ctx context.Context, where string, args ...any) (store.Device, error) {
	r, err := db.reader()
	if err != nil {
		return store.Device{}, err
	}
	return scanDevice(r.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE `+where, args...))
}

func listDevices(ctx context.Context, q queryer, where string, args ...any) ([]store.Device, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	return appendRows(nil, rows, scanDevice)
}

// ListDevices implements store.Devices.
func (db *DB) ListDevices(ctx context.Context, uid int64) ([]store.Device, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	return listDevices(ctx, r, `user_id = ? ORDER BY sn`, uid)
}

// TouchDevice implements store.Devices.
func (db *DB) TouchDevice(ctx context.Context, uid int64, sn uint32, now int64) error {
	return db.write(ctx, func(tx *txn) error {
		return affected(tx.ExecContext(ctx,
			`UPDATE devices SET last_seen = ? WHERE user_id = ? AND sn = ?`, now, uid, sn))
	})
}

// SetDevicePushToken implements store.Devices.
func (db *DB) SetDevicePushToken(ctx context.Context, uid int64, sn uint32, token, notifier string) error {
	return db.write(ctx, func(tx *txn) error {
		return affected(tx.ExecContext(ctx,
			`UPDATE devices SET push_token = ?, notifier_name = ? WHERE user_id = ? AND sn = ?`,
			token, notifier, uid, sn))
	})
}

// RemoveDevice implements store.Devices.
func (db *DB) RemoveDevice(ctx context.Context, uid int64, sn uint32) error {
	return db.write(ctx, func(tx *txn) error {
		return affected(tx.ExecContext(ctx, `DELETE FROM devices WHERE user_id = ? AND sn = ?`, uid, sn))
	})
}

// RemoveStaleDevices implements store.Devices.
func (db *DB) RemoveStaleDevices(ctx context.Context, cutoff int64) ([]store.Device, error) {
	var out []store.Device
	err := db.write(ctx, func(tx *txn) error {
		var err error
		out, err = listDevices(ctx, tx, `last_seen < ? ORDER BY user_id, sn`, cutoff)
		if err != nil || len(out) == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM devices WHERE last_seen < ?`, cutoff)
		return err
	})
	return out, err
}
