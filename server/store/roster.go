package store

import "context"

// Relation values of a RosterItem as seen from its owner (REST.md §12).
const (
	RelationFriend        = 0
	RelationDeletedFriend = 1
	RelationStranger      = 2
	RelationBlocked       = 3
)

// RosterEntry is one user's view of another user: the friendship, the block
// flag and the owner's private annotations. Friendship is symmetric (both
// rows change together); blocking and the annotations are one-sided.
type RosterEntry struct {
	UserID  int64 // the owner of this entry
	OtherID int64 // the user it is about
	// Friend reports a current friendship. WasFriend stays true after a
	// deletion so the relation can read "deleted friend" (1).
	Friend, WasFriend bool
	Blocked           bool // UserID has OtherID in its block list
	Alias             string
	Ext               string
	MuteNotification  bool
	CreatedAt         int64 // ms
	UpdatedAt         int64 // ms
}

// Relation returns the REST relation code: blocked wins over friendship so a
// client hides a blocked friend's messages.
func (e RosterEntry) Relation() int {
	switch {
	case e.Blocked:
		return RelationBlocked
	case e.Friend:
		return RelationFriend
	case e.WasFriend:
		return RelationDeletedFriend
	default:
		return RelationStranger
	}
}

// RosterPatch lists the annotations to change; nil fields are left alone.
type RosterPatch struct {
	Alias            *string
	Ext              *string
	MuteNotification *bool
}

// Status values of RosterApplication, GroupApplication and GroupInvitation.
const (
	StatusPending  = 0
	StatusAccepted = 1
	StatusDeclined = 2
)

// RosterApplication is a friend request from ApplicantID to TargetID. There
// is at most one per ordered pair; applying again refreshes it.
type RosterApplication struct {
	ID          int64 // row id; also the paging cursor of /roster/apply/list
	ApplicantID int64
	TargetID    int64
	Alias       string // the alias the applicant wants to give the target
	Reason      string
	Status      int   // StatusPending, StatusAccepted, StatusDeclined
	ExpiresAt   int64 // ms
	CreatedAt   int64 // ms
	UpdatedAt   int64 // ms
}

// Roster stores friendships, block lists, roster annotations and friend
// requests.
type Roster interface {
	// IsBlocked reports whether uid has other in uid's block list.
	IsBlocked(ctx context.Context, uid, other int64) (bool, error)
	// IsFriend reports whether other is a current friend of uid.
	IsFriend(ctx context.Context, uid, other int64) (bool, error)
	// Recipient is the check of every one-to-one send in one read: whether
	// user to exists and is not deleted, and if so whether to has from in
	// its block list.
	Recipient(ctx context.Context, to, from int64) (exists, blocked bool, err error)

	// RosterEntry returns uid's entry about other; ErrNotFound if uid never
	// had any relation with other (a stranger without annotations).
	RosterEntry(ctx context.Context, uid, other int64) (RosterEntry, error)
	// RosterEntries returns uid's entries about the users in others that
	// have one, in no particular order.
	RosterEntries(ctx context.Context, uid int64, others []int64) ([]RosterEntry, error)
	// Friends returns the uids of uid's current friends in ascending order.
	Friends(ctx context.Context, uid int64) ([]int64, error)
	// BlockedUsers returns the uids uid has blocked, in ascending order.
	BlockedUsers(ctx context.Context, uid int64) ([]int64, error)

	// AddFriendship makes a and b friends of each other and marks every
	// pending application between them accepted, atomically. created is
	// false when they already were friends.
	AddFriendship(ctx context.Context, a, b int64, now int64) (created bool, err error)
	// RemoveFriendship ends the friendship of a and b on both sides;
	// ErrNotFound if they were not friends.
	RemoveFriendship(ctx context.Context, a, b int64, now int64) error
	// SetBlocked adds other to (or removes it from) uid's block list.
	// changed reports whether the flag actually changed.
	SetBlocked(ctx context.Context, uid, other int64, blocked bool, now int64) (changed bool, err error)
	// UpdateRosterEntry applies p to uid's entry about other, creating the
	// entry if needed.
	UpdateRosterEntry(ctx context.Context, uid, other int64, p RosterPatch, now int64) error

	// PutRosterApplication stores a pending request from a.ApplicantID to
	// a.TargetID, replacing any earlier request of that pair, and sets a.ID.
	PutRosterApplication(ctx context.Context, a *RosterApplication) error
	// GetRosterApplication returns the request of applicant to target;
	// ErrNotFound if there is none.
	GetRosterApplication(ctx context.Context, applicant, target int64) (RosterApplication, error)
	// SetRosterApplicationStatus marks the pending request of applicant to
	// target accepted or declined; ErrNotFound if there is no pending,
	// unexpired request at now.
	SetRosterApplicationStatus(ctx context.Context, applicant, target int64, status int, now int64) error
	// RosterApplications returns the requests sent to uid with an id
	// greater than after, ascending by id, at most limit (0 = all).
	RosterApplications(ctx context.Context, uid int64, after int64, limit int) ([]RosterApplication, error)
}
