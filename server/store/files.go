package store

import "context"

// File kinds: what an upload slot was issued for, which decides who may
// download the file.
const (
	FileChat        = 1 // a chat attachment or group shared file; signed download
	FileUserAvatar  = 2 // a user avatar; public to any signed-in user
	FileGroupAvatar = 3 // a group avatar; public to any signed-in user
)

// Conversation types of a chat file (REST.md §9.1 to_type).
const (
	ToUser  = 1
	ToGroup = 2
)

// File is a stored (or announced) upload. The bytes live on disk under the
// server's data directory; the store keeps the metadata.
type File struct {
	ID          string // random object name, URL-safe
	OwnerID     int64  // the uploader
	Kind        int    // FileChat, FileUserAvatar, FileGroupAvatar
	FileType    int    // REST.md §9.1 file_type (100–104, 200–203) for chat files, else 0
	ToType      int    // ToUser or ToGroup for chat files, else 0
	ToID        int64  // the peer uid or the gid for chat files; the gid for group avatars
	Name        string // the client's file name, if it sent one
	ContentType string
	Size        int64
	Uploaded    bool  // the bytes have arrived
	CreatedAt   int64 // ms
	UploadedAt  int64 // ms; 0 until Uploaded
}

// UploadTicket is a one-time upload id handed out in an UploadSlot.
type UploadTicket struct {
	ID        string // the last path segment of the upload URL
	FileID    string
	ExpiresAt int64 // ms
}

// Files stores file metadata, one-time upload tickets and the key that signs
// download URLs.
type Files interface {
	// CreateFile stores f (not yet uploaded) with its one-time ticket t,
	// atomically.
	CreateFile(ctx context.Context, f File, t UploadTicket) error
	// ClaimUploadTicket consumes the ticket id if it has not expired at now
	// and returns the file it was issued for; ErrNotFound if it is unknown,
	// expired or already used.
	ClaimUploadTicket(ctx context.Context, id string, now int64) (File, error)
	// CompleteFile records that the bytes of file id have been stored, with
	// the file name the client sent ("" keeps the stored one).
	CompleteFile(ctx context.Context, id, name string, size int64, contentType string, now int64) error
	// GetFile returns a file; ErrNotFound if it is unknown.
	GetFile(ctx context.Context, id string) (File, error)
	// DeleteExpiredTickets removes unused tickets that expired before now and
	// returns how many were removed.
	DeleteExpiredTickets(ctx context.Context, now int64) (int64, error)
	// SigningKey returns the server's persisted file-signing key, creating
	// it from newKey the first time (so a restart keeps old URLs valid).
	// After the first call it is a plain read.
	SigningKey(ctx context.Context, newKey func() ([]byte, error)) ([]byte, error)
}
