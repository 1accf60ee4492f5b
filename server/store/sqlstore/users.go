package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/flooim/floo/server/store"
)

const userColumns = `id, username, password_hash, nick_name, avatar, description, email, mobile,
	public_info, private_info, anonymous, created_at, updated_at, deleted_at`

func scanUser(row scanner) (store.User, error) {
	var u store.User
	err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.NickName, &u.Avatar, &u.Description,
		&u.Email, &u.Mobile, &u.PublicInfo, &u.PrivateInfo, &u.Anonymous, &u.CreatedAt,
		&u.UpdatedAt, &u.DeletedAt)
	return u, notFound(err)
}

// CreateUser implements store.Users.
func (db *DB) CreateUser(ctx context.Context, u *store.User) error {
	return db.write(ctx, func(tx *txn) error {
		id, err := db.nextEntityID(ctx, tx)
		if err != nil {
			return err
		}
		if u.PasswordHash == nil {
			u.PasswordHash = []byte{} // the column is NOT NULL
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO users (id, username, password_hash, nick_name,
			avatar, description, email, mobile, public_info, private_info, anonymous, created_at,
			updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			id, u.Username, u.PasswordHash, u.NickName, u.Avatar, u.Description, u.Email, u.Mobile,
			u.PublicInfo, u.PrivateInfo, u.Anonymous, u.CreatedAt, u.UpdatedAt)
		if tx.isConstraint(err) {
			return fmt.Errorf("%w: user name or mobile taken", store.ErrConflict)
		}
		if err != nil {
			return err
		}
		if err := insertSettings(ctx, tx, store.DefaultUserSettings(id)); err != nil {
			return err
		}
		u.ID = id
		u.DeletedAt = 0
		return nil
	})
}

func insertSettings(ctx context.Context, tx *txn, s store.UserSettings) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO user_settings (user_id, auth_mode, auth_question,
		auth_answer, auto_download, group_confirm, no_push, no_push_detail, no_push_start_hour,
		no_push_end_hour, silence_start_time, silence_end_time, no_sounds, vibratory,
		push_nick_name, push_token) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		s.UserID, s.AuthMode, s.AuthQuestion, s.AuthAnswer, s.AutoDownload, s.GroupConfirm,
		s.NoPush, s.NoPushDetail, s.NoPushStartHour, s.NoPushEndHour, s.SilenceStartTime,
		s.SilenceEndTime, s.NoSounds, s.Vibratory, s.PushNickName, s.PushToken)
	return err
}

func (db *DB) userWhere(ctx context.Context, where string, arg any) (store.User, error) {
	r, err := db.reader()
	if err != nil {
		return store.User{}, err
	}
	return scanUser(r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
}

// UserByID implements store.Users.
func (db *DB) UserByID(ctx context.Context, id int64) (store.User, error) {
	return scanUser(db.readOne(ctx, qUserByID, id))
}

// qUserByID runs on every one-to-one send (the recipient's check).
const qUserByID = `SELECT ` + userColumns + ` FROM users WHERE id = ?`

// UserByName implements store.Users.
func (db *DB) UserByName(ctx context.Context, username string) (store.User, error) {
	return db.userWhere(ctx, db.q.userByName, username)
}

// UserByMobile implements store.Users.
func (db *DB) UserByMobile(ctx context.Context, mobile string) (store.User, error) {
	if mobile == "" {
		return store.User{}, store.ErrNotFound
	}
	return db.userWhere(ctx, `mobile = ? AND deleted_at = 0`, mobile)
}

// UserByEmail implements store.Users.
func (db *DB) UserByEmail(ctx context.Context, email string) (store.User, error) {
	if email == "" {
		return store.User{}, store.ErrNotFound
	}
	return db.userWhere(ctx, db.q.userByEmail, email)
}

// UsersByIDs implements store.Users.
func (db *DB) UsersByIDs(ctx context.Context, ids []int64) ([]store.User, error) {
	return selectIn(ctx, db, nil, `SELECT `+userColumns+` FROM users WHERE id IN `, ids, scanUser)
}

// selectIn runs query, which must end with "IN ", for ids in chunks (see
// chunkInt64s) and appends every row, read by scan, to out.
func selectIn[T any](ctx context.Context, db *DB, out []T, query string, ids []int64, scan func(scanner) (T, error)) ([]T, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	err = chunkInt64s(ids, func(part []int64) error {
		in, args := inInt64s(part)
		rows, err := r.QueryContext(ctx, query+in, args...)
		if err != nil {
			return err
		}
		out, err = appendRows(out, rows, scan)
		return err
	})
	return out, err
}

// setList builds "a = ?, b = ?" from the non-nil fields of a patch.
type setList struct {
	cols []string
	args []any
}

func (s *setList) add(col string, v any) {
	s.cols = append(s.cols, col+" = ?")
	s.args = append(s.args, v)
}

func (s *setList) str(col string, p *string) {
	if p != nil {
		s.add(col, *p)
	}
}

func (s *setList) i32(col string, p *int32) {
	if p != nil {
		s.add(col, *p)
	}
}

func (s *setList) boolean(col string, p *bool) {
	if p != nil {
		s.add(col, *p)
	}
}

// UpdateProfile implements store.Users.
func (db *DB) UpdateProfile(ctx context.Context, id int64, p store.ProfilePatch, now int64) error {
	var s setList
	s.str("nick_name", p.NickName)
	s.str("avatar", p.Avatar)
	s.str("description", p.Description)
	s.str("email", p.Email)
	s.str("mobile", p.Mobile)
	s.str("public_info", p.PublicInfo)
	s.str("private_info", p.PrivateInfo)
	s.add("updated_at", now)
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET `+strings.Join(s.cols, ", ")+
			` WHERE id = ? AND deleted_at = 0`, append(s.args, id)...)
		if tx.isConstraint(err) {
			return fmt.Errorf("%w: mobile taken", store.ErrConflict)
		}
		return affected(res, err)
	})
}

// affected turns "no row changed" into store.ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// SetPasswordHash implements store.Users.
func (db *DB) SetPasswordHash(ctx context.Context, id int64, hash []byte, now int64) error {
	if hash == nil {
		hash = []byte{}
	}
	return db.write(ctx, func(tx *txn) error {
		return affected(tx.ExecContext(ctx,
			`UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND deleted_at = 0`,
			hash, now, id))
	})
}

// DeleteUser implements store.Users.
func (db *DB) DeleteUser(ctx context.Context, id int64, now int64) error {
	return db.write(ctx, func(tx *txn) error {
		err := affected(tx.ExecContext(ctx, db.q.deleteUser, now, now, id))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE user_id = ?`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM devices WHERE user_id = ?`, id)
		return err
	})
}

const settingsColumns = `user_id, auth_mode, auth_question, auth_answer, auto_download,
	group_confirm, no_push, no_push_detail, no_push_start_hour, no_push_end_hour,
	silence_start_time, silence_end_time, no_sounds, vibratory, push_nick_name, push_token`

func scanSettings(row scanner) (store.UserSettings, error) {
	var s store.UserSettings
	err := row.Scan(&s.UserID, &s.AuthMode, &s.AuthQuestion, &s.AuthAnswer, &s.AutoDownload,
		&s.GroupConfirm, &s.NoPush, &s.NoPushDetail, &s.NoPushStartHour, &s.NoPushEndHour,
		&s.SilenceStartTime, &s.SilenceEndTime, &s.NoSounds, &s.Vibratory, &s.PushNickName,
		&s.PushToken)
	s.ID = s.UserID
	return s, notFound(err)
}

// UserSettings implements store.Users.
func (db *DB) UserSettings(ctx context.Context, uid int64) (store.UserSettings, error) {
	r, err := db.reader()
	if err != nil {
		return store.UserSettings{}, err
	}
	return scanSettings(r.QueryRowContext(ctx,
		`SELECT `+settingsColumns+` FROM user_settings WHERE user_id = ?`, uid))
}

// UserSettingsByIDs implements store.Users.
func (db *DB) UserSettingsByIDs(ctx context.Context, uids []int64) ([]store.UserSettings, error) {
	return selectIn(ctx, db, nil, `SELECT `+settingsColumns+` FROM user_settings WHERE user_id IN `, uids, scanSettings)
}

// UpdateUserSettings implements store.Users.
func (db *DB) UpdateUserSettings(ctx context.Context, uid int64, p store.SettingsPatch) (store.UserSettings, error) {
	var s setList
	s.i32("auth_mode", p.AuthMode)
	s.str("auth_question", p.AuthQuestion)
	s.str("auth_answer", p.AuthAnswer)
	s.boolean("auto_download", p.AutoDownload)
	s.boolean("group_confirm", p.GroupConfirm)
	s.boolean("no_push", p.NoPush)
	s.boolean("no_push_detail", p.NoPushDetail)
	s.i32("no_push_start_hour", p.NoPushStartHour)
	s.i32("no_push_end_hour", p.NoPushEndHour)
	s.i32("silence_start_time", p.SilenceStartTime)
	s.i32("silence_end_time", p.SilenceEndTime)
	s.boolean("no_sounds", p.NoSounds)
	s.boolean("vibratory", p.Vibratory)
	s.str("push_nick_name", p.PushNickName)
	s.str("push_token", p.PushToken)
	var out store.UserSettings
	err := db.write(ctx, func(tx *txn) error {
		if len(s.cols) > 0 {
			err := affected(tx.ExecContext(ctx, `UPDATE user_settings SET `+strings.Join(s.cols, ", ")+
				` WHERE user_id = ?`, append(s.args, uid)...))
			if err != nil {
				return err
			}
		}
		var err error
		out, err = scanSettings(tx.QueryRowContext(ctx,
			`SELECT `+settingsColumns+` FROM user_settings WHERE user_id = ?`, uid))
		return err
	})
	return out, err
}

// CreateToken implements store.Tokens.
func (db *DB) CreateToken(ctx context.Context, t store.Token) error {
	if len(t.Hash) == 0 {
		return db.errorf("empty token hash")
	}
	return db.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens (hash, user_id, device_guid, created_at,
			expires_at) VALUES (?,?,?,?,?)`, t.Hash, t.UserID, t.DeviceGUID, t.CreatedAt, t.ExpiresAt)
		if tx.isConstraint(err) {
			return store.ErrConflict
		}
		return err
	})
}

// LookupToken implements store.Tokens.
func (db *DB) LookupToken(ctx context.Context, hash []byte, now int64) (store.Token, error) {
	r, err := db.reader()
	if err != nil {
		return store.Token{}, err
	}
	var t store.Token
	err = r.QueryRowContext(ctx, `SELECT hash, user_id, device_guid, created_at, expires_at
		FROM tokens WHERE hash = ? AND expires_at > ?`, hash, now).
		Scan(&t.Hash, &t.UserID, &t.DeviceGUID, &t.CreatedAt, &t.ExpiresAt)
	return t, notFound(err)
}

func (db *DB) deleteTokens(ctx context.Context, q string, args ...any) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// DeleteUserTokens implements store.Tokens.
func (db *DB) DeleteUserTokens(ctx context.Context, uid int64, keep []byte) (int64, error) {
	if keep == nil {
		keep = []byte{}
	}
	return db.deleteTokens(ctx, `DELETE FROM tokens WHERE user_id = ? AND hash <> ?`, uid, keep)
}

// DeleteToken implements store.Tokens.
func (db *DB) DeleteToken(ctx context.Context, hash []byte) (int64, error) {
	return db.deleteTokens(ctx, `DELETE FROM tokens WHERE hash = ?`, hash)
}

// DeleteDeviceTokens implements store.Tokens.
func (db *DB) DeleteDeviceTokens(ctx context.Context, uid int64, guid string) (int64, error) {
	if guid == "" {
		return 0, nil // tokens issued without a guid belong to no device
	}
	return db.deleteTokens(ctx, `DELETE FROM tokens WHERE user_id = ? AND device_guid = ?`, uid, guid)
}

// DeleteExpiredTokens implements store.Tokens.
func (db *DB) DeleteExpiredTokens(ctx context.Context, now int64) (int64, error) {
	return db.deleteTokens(ctx, `DELETE FROM tokens WHERE expires_at <= ?`, now)
}
