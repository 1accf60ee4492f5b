package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/flooim/floo/server/store"
)

const groupColumns = `g.id, g.owner_id, g.name, g.type, g.status, g.ban_expire_time, g.read_ack,
	g.history_visible, g.avatar, g.description, g.ext, g.capacity, g.apply_approval,
	g.member_invite, g.member_modify, g.hide_member_info, g.created_at, g.updated_at,
	(SELECT count(*) FROM group_members m WHERE m.group_id = g.id)`

func scanGroup(row scanner) (store.Group, error) {
	var g store.Group
	err := row.Scan(&g.ID, &g.OwnerID, &g.Name, &g.Type, &g.Status, &g.BanExpireTime, &g.ReadAck,
		&g.HistoryVisible, &g.Avatar, &g.Description, &g.Ext, &g.Capacity, &g.ApplyApproval,
		&g.MemberInvite, &g.MemberModify, &g.HideMemberInfo, &g.CreatedAt, &g.UpdatedAt,
		&g.MemberCount)
	return g, notFound(err)
}

func insertMember(ctx context.Context, tx *txn, m store.Member) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO group_members (group_id, user_id, role,
		display_name, join_time, ban_expire_time, msg_mute_mode, msg_push_mode, not_disturb)
		VALUES (?,?,?,?,?,?,?,?,?)`, m.GroupID, m.UserID, m.Role, m.DisplayName, m.JoinTime,
		m.BanExpireTime, m.MsgMuteMode, m.MsgPushMode, m.NotDisturb)
	if tx.isConstraint(err) {
		return fmt.Errorf("%w: already a member", store.ErrConflict)
	}
	return err
}

// CreateGroup implements store.Groups.
func (db *DB) CreateGroup(ctx context.Context, g *store.Group, members []store.Member) error {
	return db.write(ctx, func(tx *txn) error {
		id, err := db.nextEntityID(ctx, tx)
		if err != nil {
			return err
		}
		g.Status = store.GroupNormal
		if _, err := tx.ExecContext(ctx, `INSERT INTO chat_groups (id, owner_id, name, type,
			status, ban_expire_time, read_ack, history_visible, avatar, description, ext, capacity,
			apply_approval, member_invite, member_modify, hide_member_info, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, id, g.OwnerID, g.Name, g.Type, g.Status,
			g.BanExpireTime, g.ReadAck, g.HistoryVisible, g.Avatar, g.Description, g.Ext,
			g.Capacity, g.ApplyApproval, g.MemberInvite, g.MemberModify, g.HideMemberInfo,
			g.CreatedAt, g.UpdatedAt); err != nil {
			return err
		}
		owner := store.Member{GroupID: id, UserID: g.OwnerID, Role: store.RoleOwner, JoinTime: g.CreatedAt}
		if err := insertMember(ctx, tx, owner); err != nil {
			return err
		}
		seen := map[int64]bool{g.OwnerID: true}
		count := 1
		for _, m := range members {
			if seen[m.UserID] {
				continue
			}
			seen[m.UserID] = true
			if count >= g.Capacity {
				return store.ErrGroupFull
			}
			m.GroupID = id
			if m.JoinTime == 0 {
				m.JoinTime = g.CreatedAt
			}
			if err := insertMember(ctx, tx, m); err != nil {
				return err
			}
			count++
		}
		g.ID = id
		g.MemberCount = count
		return nil
	})
}

// The lookups of every group send (groupMember, fanout).
const (
	qGetGroup  = `SELECT ` + groupColumns + ` FROM chat_groups g WHERE g.id = ?`
	qGetMember = `SELECT ` + memberColumns + ` FROM group_members WHERE group_id = ? AND user_id = ?`
)

// GetGroup implements store.Groups.
func (db *DB) GetGroup(ctx context.Context, gid int64) (*store.Group, error) {
	g, err := scanGroup(db.readOne(ctx, qGetGroup, gid))
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// GroupsByIDs implements store.Groups.
func (db *DB) GroupsByIDs(ctx context.Context, gids []int64) ([]store.Group, error) {
	return selectIn(ctx, db, []store.Group{}, `SELECT `+groupColumns+` FROM chat_groups g WHERE g.id IN `, gids, scanGroup)
}

// UpdateGroup implements store.Groups.
func (db *DB) UpdateGroup(ctx context.Context, gid int64, p store.GroupPatch, now int64) error {
	sets := []string{"updated_at = ?"}
	args := []any{now}
	add := func(col string, v any) {
		sets = append(sets, col+" = ?")
		args = append(args, v)
	}
	if p.Name != nil {
		add("name", *p.Name)
	}
	if p.Avatar != nil {
		add("avatar", *p.Avatar)
	}
	if p.Description != nil {
		add("description", *p.Description)
	}
	if p.Ext != nil {
		add("ext", *p.Ext)
	}
	if p.ApplyApproval != nil {
		add("apply_approval", *p.ApplyApproval)
	}
	if p.MemberInvite != nil {
		add("member_invite", *p.MemberInvite)
	}
	if p.MemberModify != nil {
		add("member_modify", *p.MemberModify)
	}
	if p.HideMemberInfo != nil {
		add("hide_member_info", *p.HideMemberInfo)
	}
	if p.ReadAck != nil {
		add("read_ack", *p.ReadAck)
	}
	if p.HistoryVisible != nil {
		add("history_visible", *p.HistoryVisible)
	}
	if p.BanExpireTime != nil {
		add("ban_expire_time", *p.BanExpireTime)
	}
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE chat_groups SET `+strings.Join(sets, ", ")+`
			WHERE id = ? AND status = 0`, append(args, gid)...)
		return affected(res, err)
	})
}

// DestroyGroup implements store.Groups.
func (db *DB) DestroyGroup(ctx context.Context, gid int64, now int64) error {
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE chat_groups SET status = 1, updated_at = ? WHERE id = ? AND status = 0`, now, gid)
		if err := affected(res, err); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM group_members WHERE group_id = ?`,
			`DELETE FROM group_applications WHERE group_id = ?`,
			`DELETE FROM group_invitations WHERE group_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, gid); err != nil {
				return err
			}
		}
		return nil
	})
}

// JoinedGroups implements store.Groups.
func (db *DB) JoinedGroups(ctx context.Context, uid int64) ([]int64, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	return scanInt64s(r.QueryContext(ctx, `SELECT m.group_id FROM group_members m
		JOIN chat_groups g ON g.id = m.group_id
		WHERE m.user_id = ? AND g.status = 0 ORDER BY m.group_id`, uid))
}

// PublicGroups implements store.Groups.
func (db *DB) PublicGroups(ctx context.Context) ([]int64, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	return scanInt64s(r.QueryContext(ctx,
		`SELECT id FROM chat_groups WHERE type = ? AND status = 0 ORDER BY id`, store.GroupPublic))
}

const memberColumns = `group_id, user_id, role, display_name, join_time, ban_expire_time,
	msg_mute_mode, msg_push_mode, not_disturb`

func scanMember(row scanner) (store.Member, error) {
	var m store.Member
	err := row.Scan(&m.GroupID, &m.UserID, &m.Role, &m.DisplayName, &m.JoinTime,
		&m.BanExpireTime, &m.MsgMuteMode, &m.MsgPushMode, &m.NotDisturb)
	return m, notFound(err)
}

// GetMember implements store.Groups.
func (db *DB) GetMember(ctx context.Context, gid, uid int64) (*store.Member, error) {
	m, err := scanMember(db.readOne(ctx, qGetMember, gid, uid))
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// ListMembers implements store.Groups.
func (db *DB) ListMembers(ctx context.Context, gid int64) ([]store.Member, error) {
	rows, err := db.readQuery(ctx, db.q.listMembers, gid)
	if err != nil {
		return nil, err
	}
	return appendRows([]store.Member{}, rows, scanMember)
}

// AddMember implements store.Groups.
func (db *DB) AddMember(ctx context.Context, m store.Member) error {
	return db.write(ctx, func(tx *txn) error {
		var capacity, count int
		err := tx.QueryRowContext(ctx, `SELECT capacity,
			(SELECT count(*) FROM group_members WHERE group_id = g.id)
			FROM chat_groups g WHERE id = ? AND status = 0`, m.GroupID).Scan(&capacity, &count)
		if err != nil {
			return notFound(err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM group_members
			WHERE group_id = ? AND user_id = ?`, m.GroupID, m.UserID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: already a member", store.ErrConflict)
		}
		if count >= capacity {
			return store.ErrGroupFull
		}
		return insertMember(ctx, tx, m)
	})
}

// RemoveMember implements store.Groups.
func (db *DB) RemoveMember(ctx context.Context, gid, uid int64) error {
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM group_members WHERE group_id = ? AND user_id = ?`, gid, uid)
		return affected(res, err)
	})
}

// UpdateMember implements store.Groups.
func (db *DB) UpdateMember(ctx context.Context, gid, uid int64, p store.MemberPatch) error {
	var sets []string
	var args []any
	add := func(col string, v any) {
		sets = append(sets, col+" = ?")
		args = append(args, v)
	}
	if p.Role != nil {
		add("role", *p.Role)
	}
	if p.DisplayName != nil {
		add("display_name", *p.DisplayName)
	}
	if p.BanExpireTime != nil {
		add("ban_expire_time", *p.BanExpireTime)
	}
	if p.MsgMuteMode != nil {
		add("msg_mute_mode", *p.MsgMuteMode)
	}
	if p.MsgPushMode != nil {
		add("msg_push_mode", *p.MsgPushMode)
	}
	if p.NotDisturb != nil {
		add("not_disturb", *p.NotDisturb)
	}
	if len(sets) == 0 {
		// Nothing to change: still report whether the member exists.
		_, err := db.GetMember(ctx, gid, uid)
		return err
	}
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE group_members SET `+strings.Join(sets, ", ")+`
			WHERE group_id = ? AND user_id = ?`, append(args, gid, uid)...)
		return affected(res, err)
	})
}

// TransferOwner implements store.Groups.
func (db *DB) TransferOwner(ctx context.Context, gid, newOwner int64, now int64) error {
	return db.write(ctx, func(tx *txn) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM group_members
			WHERE group_id = ? AND user_id = ?`, gid, newOwner).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `UPDATE group_members SET role = ?
			WHERE group_id = ? AND role = ?`, store.RoleMember, gid, store.RoleOwner); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE group_members SET role = ?
			WHERE group_id = ? AND user_id = ?`, store.RoleOwner, gid, newOwner); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE chat_groups SET owner_id = ?, updated_at = ?
			WHERE id = ? AND status = 0`, newOwner, now, gid)
		return affected(res, err)
	})
}

// BlockGroupMember implements store.Groups.
func (db *DB) BlockGroupMember(ctx context.Context, gid, uid int64, now int64) (bool, error) {
	var changed bool
	err := db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO group_blocks (group_id, user_id, created_at)
			VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, gid, uid, now)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		changed = n > 0
		_, err = tx.ExecContext(ctx, `DELETE FROM group_members WHERE group_id = ? AND user_id = ?`, gid, uid)
		return err
	})
	return changed, err
}

// UnblockGroupMember implements store.Groups.
func (db *DB) UnblockGroupMember(ctx context.Context, gid, uid int64) error {
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM group_blocks WHERE group_id = ? AND user_id = ?`, gid, uid)
		return affected(res, err)
	})
}

// IsGroupBlocked implements store.Groups.
func (db *DB) IsGroupBlocked(ctx context.Context, gid, uid int64) (bool, error) {
	r, err := db.reader()
	if err != nil {
		return false, err
	}
	var n int
	err = r.QueryRowContext(ctx, `SELECT count(*) FROM group_blocks WHERE group_id = ? AND user_id = ?`,
		gid, uid).Scan(&n)
	return n > 0, err
}

// GroupBlocks implements store.Groups.
func (db *DB) GroupBlocks(ctx context.Context, gid int64) ([]store.GroupBlock, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	rows, err := r.QueryContext(ctx, `SELECT group_id, user_id, created_at FROM group_blocks
		WHERE group_id = ? ORDER BY created_at, user_id`, gid)
	if err != nil {
		return nil, err
	}
	return appendRows([]store.GroupBlock{}, rows, func(row scanner) (store.GroupBlock, error) {
		var b store.GroupBlock
		err := row.Scan(&b.GroupID, &b.UserID, &b.CreatedAt)
		return b, err
	})
}

const groupAppColumns = `id, group_id, applicant_id, reason, status, expires_at, created_at, updated_at`

func scanGroupApp(row scanner) (store.GroupApplication, error) {
	var a store.GroupApplication
	err := row.Scan(&a.ID, &a.GroupID, &a.ApplicantID, &a.Reason, &a.Status, &a.ExpiresAt,
		&a.CreatedAt, &a.UpdatedAt)
	return a, notFound(err)
}

// PutGroupApplication implements store.Groups.
func (db *DB) PutGroupApplication(ctx context.Context, a *store.GroupApplication) error {
	return db.write(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM group_applications
			WHERE group_id = ? AND applicant_id = ?`, a.GroupID, a.ApplicantID); err != nil {
			return err
		}
		a.Status = store.StatusPending
		return tx.QueryRowContext(ctx, `INSERT INTO group_applications (group_id, applicant_id,
			reason, status, expires_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?) RETURNING id`,
			a.GroupID, a.ApplicantID, a.Reason, a.Status, a.ExpiresAt, a.CreatedAt, a.UpdatedAt).Scan(&a.ID)
	})
}

// GetGroupApplication implements store.Groups.
func (db *DB) GetGroupApplication(ctx context.Context, gid, applicant int64) (store.GroupApplication, error) {
	r, err := db.reader()
	if err != nil {
		return store.GroupApplication{}, err
	}
	return scanGroupApp(r.QueryRowContext(ctx, `SELECT `+groupAppColumns+` FROM group_applications
		WHERE group_id = ? AND applicant_id = ?`, gid, applicant))
}

// SetGroupApplicationStatus implements store.Groups.
func (db *DB) SetGroupApplicationStatus(ctx context.Context, gid, applicant int64, status int, now int64) error {
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE group_applications SET status = ?, updated_at = ?
			WHERE group_id = ? AND applicant_id = ? AND status = ? AND expires_at > ?`,
			status, now, gid, applicant, store.StatusPending, now)
		return affected(res, err)
	})
}

// GroupApplications implements store.Groups.
func (db *DB) GroupApplications(ctx context.Context, gids []int64) ([]store.GroupApplication, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	out := []store.GroupApplication{}
	err = chunkInt64s(gids, func(part []int64) error {
		in, args := inInt64s(part)
		rows, err := r.QueryContext(ctx, `SELECT `+groupAppColumns+` FROM group_applications
			WHERE group_id IN `+in+` ORDER BY id`, args...)
		if err != nil {
			return err
		}
		out, err = appendRows(out, rows, scanGroupApp)
		return err
	})
	return out, err
}

// PutGroupInvitation implements store.Groups.
func (db *DB) PutGroupInvitation(ctx context.Context, inv *store.GroupInvitation) error {
	return db.write(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM group_invitations
			WHERE group_id = ? AND inviter_id = ? AND invitee_id = ?`,
			inv.GroupID, inv.InviterID, inv.InviteeID); err != nil {
			return err
		}
		inv.Status = store.StatusPending
		return tx.QueryRowContext(ctx, `INSERT INTO group_invitations (group_id, inviter_id,
			invitee_id, reason, status, expires_at, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?,?) RETURNING id`, inv.GroupID, inv.InviterID, inv.InviteeID,
			inv.Reason, inv.Status, inv.ExpiresAt, inv.CreatedAt, inv.UpdatedAt).Scan(&inv.ID)
	})
}

// SetGroupInvitationStatus implements store.Groups.
func (db *DB) SetGroupInvitationStatus(ctx context.Context, gid, inviter, invitee int64, status int, now int64) error {
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE group_invitations SET status = ?, updated_at = ?
			WHERE group_id = ? AND inviter_id = ? AND invitee_id = ? AND status = ? AND expires_at > ?`,
			status, now, gid, inviter, invitee, store.StatusPending, now)
		return affected(res, err)
	})
}

// GroupInvitations implements store.Groups.
func (db *DB) GroupInvitations(ctx context.Context, invitee int64) ([]store.GroupInvitation, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	rows, err := r.QueryContext(ctx, `SELECT id, group_id, inviter_id, invitee_id, reason, status,
		expires_at, created_at, updated_at FROM group_invitations WHERE invitee_id = ? ORDER BY id`, invitee)
	if err != nil {
		return nil, err
	}
	return appendRows([]store.GroupInvitation{}, rows, func(row scanner) (store.GroupInvitation, error) {
		var v store.GroupInvitation
		err := row.Scan(&v.ID, &v.GroupID, &v.InviterID, &v.InviteeID, &v.Reason, &v.Status,
			&v.ExpiresAt, &v.CreatedAt, &v.UpdatedAt)
		return v, err
	})
}

// CreateAnnouncement implements store.Groups.
func (db *DB) CreateAnnouncement(ctx context.Context, a *store.Announcement) error {
	return db.write(ctx, func(tx *txn) error {
		return tx.QueryRowContext(ctx, `INSERT INTO group_announcements (group_id, author, title,
			content, created_at) VALUES (?,?,?,?,?) RETURNING id`,
			a.GroupID, a.Author, a.Title, a.Content, a.CreatedAt).Scan(&a.ID)
	})
}

const announcementColumns = `id, group_id, author, title, content, created_at`

func scanAnnouncement(row scanner) (store.Announcement, error) {
	var a store.Announcement
	err := row.Scan(&a.ID, &a.GroupID, &a.Author, &a.Title, &a.Content, &a.CreatedAt)
	return a, notFound(err)
}

// GetAnnouncement implements store.Groups.
func (db *DB) GetAnnouncement(ctx context.Context, gid, id int64) (store.Announcement, error) {
	r, err := db.reader()
	if err != nil {
		return store.Announcement{}, err
	}
	return scanAnnouncement(r.QueryRowContext(ctx, `SELECT `+announcementColumns+`
		FROM group_announcements WHERE group_id = ? AND id = ?`, gid, id))
}

// Announcements implements store.Groups.
func (db *DB) Announcements(ctx context.Context, gid int64) ([]store.Announcement, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	rows, err := r.QueryContext(ctx, `SELECT `+announcementColumns+`
		FROM group_announcements WHERE group_id = ? ORDER BY id DESC`, gid)
	if err != nil {
		return nil, err
	}
	return appendRows([]store.Announcement{}, rows, scanAnnouncement)
}

// DeleteAnnouncement implements store.Groups.
func (db *DB) DeleteAnnouncement(ctx context.Context, gid, id int64) error {
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM group_announcements WHERE group_id = ? AND id = ?`, gid, id)
		return affected(res, err)
	})
}

// CreateSharedFile implements store.Groups.
func (db *DB) CreateSharedFile(ctx context.Context, f *store.SharedFile) error {
	return db.write(ctx, func(tx *txn) error {
		return tx.QueryRowContext(ctx, `INSERT INTO group_files (group_id, name, size, type, url,
			uploader, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?) RETURNING id`,
			f.GroupID, f.Name, f.Size, f.Type, f.URL, f.Uploader, f.CreatedAt, f.UpdatedAt).Scan(&f.ID)
	})
}

const sharedFileColumns = `id, group_id, name, size, type, url, uploader, created_at, updated_at`

func scanSharedFile(row scanner) (store.SharedFile, error) {
	var f store.SharedFile
	err := row.Scan(&f.ID, &f.GroupID, &f.Name, &f.Size, &f.Type, &f.URL, &f.Uploader,
		&f.CreatedAt, &f.UpdatedAt)
	return f, notFound(err)
}

// GetSharedFile implements store.Groups.
func (db *DB) GetSharedFile(ctx context.Context, gid, id int64) (store.SharedFile, error) {
	r, err := db.reader()
	if err != nil {
		return store.SharedFile{}, err
	}
	return scanSharedFile(r.QueryRowContext(ctx, `SELECT `+sharedFileColumns+`
		FROM group_files WHERE group_id = ? AND id = ?`, gid, id))
}

// SharedFiles implements store.Groups.
func (db *DB) SharedFiles(ctx context.Context, gid int64) ([]store.SharedFile, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	rows, err := r.QueryContext(ctx, `SELECT `+sharedFileColumns+`
		FROM group_files WHERE group_id = ? ORDER BY id DESC`, gid)
	if err != nil {
		return nil, err
	}
	return appendRows([]store.SharedFile{}, rows, scanSharedFile)
}

// DeleteSharedFile implements store.Groups.
func (db *DB) DeleteSharedFile(ctx context.Context, gid, id int64) error {
	return db.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM group_files WHERE group_id = ? AND id = ?`, gid, id)
		return affected(res, err)
	})
}
