package store

import (
	"context"
	"errors"
)

// ErrGroupFull is returned when adding a member would exceed the group's
// capacity (REST code 20010).
var ErrGroupFull = errors.New("store: group full")

// Group types (REST.md §8).
const (
	GroupPrivate   = 0
	GroupPublic    = 1
	GroupChatroom  = 2
	GroupTemporary = 3
)

// Group statuses.
const (
	GroupNormal    = 0
	GroupDestroyed = 1
)

// Group is a group and its settings (the GroupInfo entity of REST.md §12,
// minus the per-member fields).
type Group struct {
	ID, OwnerID   int64
	Name          string
	Type          int   // GroupPrivate, GroupPublic, GroupChatroom, GroupTemporary
	Status        int   // GroupNormal, GroupDestroyed
	BanExpireTime int64 // whole-group ban: 0 none, -1 without end, else unix ms

	ReadAck, HistoryVisible bool

	Avatar         string
	Description    string
	Ext            string
	Capacity       int // maximum member count
	ApplyApproval  int // 0 accept all, 1 admin approves, 2 reject all
	MemberInvite   bool
	MemberModify   bool
	HideMemberInfo bool
	CreatedAt      int64 // ms
	UpdatedAt      int64 // ms

	// MemberCount is the current member count. It is filled in by reads and
	// ignored by writes.
	MemberCount int
}

// Banned reports whether the whole group is banned at now.
func (g *Group) Banned(now int64) bool {
	return g.BanExpireTime == -1 || g.BanExpireTime > now
}

// GroupPatch lists the group fields to change; nil fields are left alone.
type GroupPatch struct {
	Name           *string
	Avatar         *string
	Description    *string
	Ext            *string
	ApplyApproval  *int
	MemberInvite   *bool
	MemberModify   *bool
	HideMemberInfo *bool
	ReadAck        *bool
	HistoryVisible *bool
	BanExpireTime  *int64
}

// Member roles.
const (
	RoleMember = 0
	RoleAdmin  = 1
	RoleOwner  = 2
)

// Member is a user's membership of a group.
type Member struct {
	GroupID, UserID int64
	Role            int
	DisplayName     string
	JoinTime        int64 // unix ms
	BanExpireTime   int64 // member ban end, unix ms; 0 none; -1 without end
	MsgMuteMode     int   // 0 normal, 1 no notification, 2 do not receive
	MsgPushMode     int   // 0 all, 1 none, 2 admins and mentions, 3 admins only, 4 mentions only
	NotDisturb      bool  // /group/msg/not_disturb
}

// Banned reports whether the member is banned at now.
func (m *Member) Banned(now int64) bool {
	return m.BanExpireTime == -1 || m.BanExpireTime > now
}

// MemberPatch lists the member fields to change; nil fields are left alone.
type MemberPatch struct {
	Role          *int
	DisplayName   *string
	BanExpireTime *int64
	MsgMuteMode   *int
	MsgPushMode   *int
	NotDisturb    *bool
}

// GroupBlock is an entry of a group's block list.
type GroupBlock struct {
	GroupID   int64
	UserID    int64
	CreatedAt int64 // ms
}

// GroupApplication is a request to join a group. There is at most one per
// (group, applicant); applying again refreshes it.
type GroupApplication struct {
	ID          int64
	GroupID     int64
	ApplicantID int64
	Reason      string
	Status      int   // StatusPending, StatusAccepted, StatusDeclined
	ExpiresAt   int64 // ms
	CreatedAt   int64 // ms
	UpdatedAt   int64 // ms
}

// GroupInvitation is an invitation waiting for the invitee's consent. There
// is at most one per (group, inviter, invitee).
type GroupInvitation struct {
	ID        int64
	GroupID   int64
	InviterID int64
	InviteeID int64
	Reason    string
	Status    int   // StatusPending, StatusAccepted, StatusDeclined
	ExpiresAt int64 // ms
	CreatedAt int64 // ms
	UpdatedAt int64 // ms
}

// Announcement is a group announcement.
type Announcement struct {
	ID        int64
	GroupID   int64
	Author    int64
	Title     string
	Content   string
	CreatedAt int64 // ms
}

// SharedFile is a file registered in a group's shared space.
type SharedFile struct {
	ID        int64
	GroupID   int64
	Name      string
	Size      int64
	Type      string
	URL       string
	Uploader  int64
	CreatedAt int64 // ms
	UpdatedAt int64 // ms
}

// Groups stores groups, memberships, block lists, join requests,
// invitations, announcements and shared files.
type Groups interface {
	// CreateGroup assigns g.ID from the entity sequence and inserts the group
	// with its owner (role RoleOwner, JoinTime g.CreatedAt) and the members
	// (in order, skipping duplicates and the owner), atomically.
	CreateGroup(ctx context.Context, g *Group, members []Member) error
	// GetGroup returns a group, destroyed or not; ErrNotFound if unknown.
	GetGroup(ctx context.Context, gid int64) (*Group, error)
	// GroupsByIDs returns the groups among gids that exist, in no particular
	// order.
	GroupsByIDs(ctx context.Context, gids []int64) ([]Group, error)
	// UpdateGroup applies p to a live group; ErrNotFound otherwise.
	UpdateGroup(ctx context.Context, gid int64, p GroupPatch, now int64) error
	// DestroyGroup marks a group destroyed and removes its members, pending
	// requests and invitations; ErrNotFound if it is unknown or destroyed.
	DestroyGroup(ctx context.Context, gid int64, now int64) error
	// JoinedGroups returns the live groups uid belongs to, ascending.
	JoinedGroups(ctx context.Context, uid int64) ([]int64, error)
	// PublicGroups returns the live public groups, ascending.
	PublicGroups(ctx context.Context) ([]int64, error)

	// GetMember returns a membership; ErrNotFound if uid is not a member.
	GetMember(ctx context.Context, gid, uid int64) (*Member, error)
	// ListMembers returns the members of gid ordered by join time.
	ListMembers(ctx context.Context, gid int64) ([]Member, error)
	// AddMember adds m to a live group unless it is full: ErrConflict if
	// m.UserID already is a member, ErrGroupFull at capacity, ErrNotFound if
	// the group is not live.
	AddMember(ctx context.Context, m Member) error
	// RemoveMember removes a membership; ErrNotFound if there is none.
	RemoveMember(ctx context.Context, gid, uid int64) error
	// UpdateMember applies p to a membership; ErrNotFound if there is none.
	UpdateMember(ctx context.Context, gid, uid int64, p MemberPatch) error
	// TransferOwner makes newOwner (a member) the owner and the old owner an
	// ordinary member, atomically; ErrNotFound if newOwner is not a member.
	TransferOwner(ctx context.Context, gid, newOwner int64, now int64) error

	// BlockGroupMember puts uid in the block list of gid and removes its
	// membership, atomically. changed is false if uid was already blocked.
	BlockGroupMember(ctx context.Context, gid, uid int64, now int64) (changed bool, err error)
	// UnblockGroupMember removes uid from the block list; ErrNotFound if it
	// was not there.
	UnblockGroupMember(ctx context.Context, gid, uid int64) error
	// IsGroupBlocked reports whether uid is in the block list of gid.
	IsGroupBlocked(ctx context.Context, gid, uid int64) (bool, error)
	// GroupBlocks returns the block list of gid ordered by time.
	GroupBlocks(ctx context.Context, gid int64) ([]GroupBlock, error)

	// PutGroupApplication stores a pending join request, replacing an
	// earlier one of the same applicant, and sets a.ID.
	PutGroupApplication(ctx context.Context, a *GroupApplication) error
	// GetGroupApplication returns the join request of applicant to gid.
	GetGroupApplication(ctx context.Context, gid, applicant int64) (GroupApplication, error)
	// SetGroupApplicationStatus marks the pending, unexpired join request of
	// applicant accepted or declined; ErrNotFound if there is none.
	SetGroupApplicationStatus(ctx context.Context, gid, applicant int64, status int, now int64) error
	// GroupApplications returns the join requests of the groups in gids,
	// ordered by id.
	GroupApplications(ctx context.Context, gids []int64) ([]GroupApplication, error)

	// PutGroupInvitation stores a pending invitation, replacing an earlier
	// one of the same (group, inviter, invitee), and sets inv.ID.
	PutGroupInvitation(ctx context.Context, inv *GroupInvitation) error
	// SetGroupInvitationStatus marks the pending, unexpired invitation
	// accepted or declined; ErrNotFound if there is none.
	SetGroupInvitationStatus(ctx context.Context, gid, inviter, invitee int64, status int, now int64) error
	// GroupInvitations returns the invitations addressed to invitee, ordered
	// by id.
	GroupInvitations(ctx context.Context, invitee int64) ([]GroupInvitation, error)

	// CreateAnnouncement stores a and sets a.ID.
	CreateAnnouncement(ctx context.Context, a *Announcement) error
	// GetAnnouncement returns an announcement of gid; ErrNotFound if absent.
	GetAnnouncement(ctx context.Context, gid, id int64) (Announcement, error)
	// Announcements returns the announcements of gid, newest first.
	Announcements(ctx context.Context, gid int64) ([]Announcement, error)
	// DeleteAnnouncement removes an announcement; ErrNotFound if absent.
	DeleteAnnouncement(ctx context.Context, gid, id int64) error

	// CreateSharedFile stores f and sets f.ID.
	CreateSharedFile(ctx context.Context, f *SharedFile) error
	// GetSharedFile returns a shared file of gid; ErrNotFound if absent.
	GetSharedFile(ctx context.Context, gid, id int64) (SharedFile, error)
	// SharedFiles returns the shared files of gid, newest first.
	SharedFiles(ctx context.Context, gid int64) ([]SharedFile, error)
	// DeleteSharedFile removes a shared file; ErrNotFound if absent.
	DeleteSharedFile(ctx context.Context, gid, id int64) error
}
