package store

import (
	"context"
	"crypto/sha256"
)

// User is an account. PasswordHash is an opaque hash produced by the REST
// layer (bcrypt); the store never sees a clear-text password.
type User struct {
	ID           int64
	Username     string
	PasswordHash []byte
	NickName     string
	Avatar       string // object name or URL (REST.md §9.3)
	Description  string
	Email        string
	Mobile       string // "" = none; unique among live users otherwise
	PublicInfo   string
	PrivateInfo  string
	Anonymous    bool  // created through /user/register/anonymous
	CreatedAt    int64 // ms
	UpdatedAt    int64 // ms
	DeletedAt    int64 // ms; 0 = live. Deleted users keep their row so old messages still name them.
}

// Deleted reports whether the account was deleted.
func (u *User) Deleted() bool { return u.DeletedAt != 0 }

// ProfilePatch lists the profile fields to change; nil fields are left alone.
type ProfilePatch struct {
	NickName    *string
	Avatar      *string
	Description *string
	Email       *string
	Mobile      *string
	PublicInfo  *string
	PrivateInfo *string
}

// UserSettings mirrors the UserSettings entity of REST.md §12. There is one
// row per user, created with the user; ID equals UserID.
type UserSettings struct {
	ID               int64
	UserID           int64
	AuthMode         int32 // 0 anyone may add, 1 approval, 2 question, 3 reject all
	AuthQuestion     string
	AuthAnswer       string
	AutoDownload     bool
	GroupConfirm     bool
	NoPush           bool
	NoPushDetail     bool
	NoPushStartHour  int32
	NoPushEndHour    int32
	SilenceStartTime int32
	SilenceEndTime   int32
	NoSounds         bool
	Vibratory        bool
	PushNickName     string
	PushToken        string
}

// DefaultUserSettings returns the settings a new account starts with.
func DefaultUserSettings(uid int64) UserSettings {
	return UserSettings{
		ID: uid, UserID: uid,
		AuthMode:     1, // approval needed: the friendliest safe default
		AutoDownload: true,
		Vibratory:    true,
	}
}

// SettingsPatch lists the settings to change; nil fields are left alone.
type SettingsPatch struct {
	AuthMode         *int32
	AuthQuestion     *string
	AuthAnswer       *string
	AutoDownload     *bool
	GroupConfirm     *bool
	NoPush           *bool
	NoPushDetail     *bool
	NoPushStartHour  *int32
	NoPushEndHour    *int32
	SilenceStartTime *int32
	SilenceEndTime   *int32
	NoSounds         *bool
	Vibratory        *bool
	PushNickName     *string
	PushToken        *string
}

// Users stores accounts and their settings.
type Users interface {
	// CreateUser assigns u.ID from the entity sequence and inserts the user
	// together with DefaultUserSettings, atomically. A live user with the same
	// user name (case-insensitive) or the same non-empty mobile gives
	// ErrConflict.
	CreateUser(ctx context.Context, u *User) error
	// UserByID returns the user, deleted or not; ErrNotFound if the id was
	// never a user.
	UserByID(ctx context.Context, id int64) (User, error)
	// UserByName returns the live user with that name (case-insensitive).
	UserByName(ctx context.Context, username string) (User, error)
	// UserByMobile returns the live user with that mobile number.
	UserByMobile(ctx context.Context, mobile string) (User, error)
	// UserByEmail returns a live user with that e-mail address.
	UserByEmail(ctx context.Context, email string) (User, error)
	// UsersByIDs returns the users among ids that exist (deleted ones
	// included), in no particular order. Unknown ids are skipped.
	UsersByIDs(ctx context.Context, ids []int64) ([]User, error)
	// UpdateProfile applies p to a live user; ErrNotFound if there is none,
	// ErrConflict if the new mobile is taken.
	UpdateProfile(ctx context.Context, id int64, p ProfilePatch, now int64) error
	// SetPasswordHash replaces the password hash of a live user.
	SetPasswordHash(ctx context.Context, id int64, hash []byte, now int64) error
	// DeleteUser marks a live user deleted, frees its user name and mobile,
	// and removes its tokens and devices.
	DeleteUser(ctx context.Context, id int64, now int64) error

	// UserSettings returns the settings of a user.
	UserSettings(ctx context.Context, uid int64) (UserSettings, error)
	// UserSettingsByIDs returns the settings of the users among uids that
	// have them, in no particular order: one query for a whole roster.
	UserSettingsByIDs(ctx context.Context, uids []int64) ([]UserSettings, error)
	// UpdateUserSettings applies p and returns the resulting settings.
	UpdateUserSettings(ctx context.Context, uid int64, p SettingsPatch) (UserSettings, error)
}

// Token is an issued access token. Only its SHA-256 hash is stored, so a copy
// of the database does not hand out working tokens.
type Token struct {
	Hash       []byte // HashToken of the clear token
	UserID     int64
	DeviceGUID string // the device_guid given when the token was issued, "" if none
	CreatedAt  int64  // ms
	ExpiresAt  int64  // ms
}

// HashToken returns the stored form of a clear-text token. Every component
// that checks tokens (REST and the XSYNC gateway) uses it.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Tokens stores access tokens.
type Tokens interface {
	// CreateToken stores t. The user must exist.
	CreateToken(ctx context.Context, t Token) error
	// LookupToken returns the token with that hash if it expires after now;
	// ErrNotFound otherwise.
	LookupToken(ctx context.Context, hash []byte, now int64) (Token, error)
	// DeleteUserTokens removes every token of uid except the one whose hash is
	// keep (nil keeps none) and returns how many were removed.
	DeleteUserTokens(ctx context.Context, uid int64, keep []byte) (int64, error)
	// DeleteToken removes the token with that hash (a logout) and returns
	// how many were removed: 0 or 1.
	DeleteToken(ctx context.Context, hash []byte) (int64, error)
	// DeleteDeviceTokens removes the tokens of uid issued for device_guid
	// guid (used when a device is kicked or removed).
	DeleteDeviceTokens(ctx context.Context, uid int64, guid string) (int64, error)
	// DeleteExpiredTokens removes tokens that expired at or before now.
	DeleteExpiredTokens(ctx context.Context, now int64) (int64, error)
}

// Device is one registered login of a user (PROTOCOL.md §4.7, §18.2).
type Device struct {
	UserID       int64
	SN           uint32 // deviceSN, ≥ 1
	GUID         string // device_guid of the installation
	Platform     int32  // Provision os_type: 1 iOS … 6 web
	UserAgent    string // Provision device_info
	PushToken    string // /user/token/bind
	NotifierName string // /user/token/bind
	CreatedAt    int64  // ms
	LastSeen     int64  // ms; updated at each login
}

// DeviceRegistration is the input of RegisterDevice: what a Provision says.
type DeviceRegistration struct {
	UserID    int64
	GUID      string
	OfferedSN uint32 // the deviceSN in Provision.xid, 0 if none
	Platform  int32
	UserAgent string
	Now       int64 // ms
	// MaxDevices is the per-user limit; 0 = unlimited.
	MaxDevices int
}

// Devices stores the device registry.
type Devices interface {
	// RegisterDevice runs the deviceSN assignment of PROTOCOL.md §4.7
	// atomically: reuse the SN of (uid, guid); else take the offered SN if
	// it is free; else allocate the smallest unused SN ≥ 1. A new
	// registration beyond MaxDevices fails with ErrTooManyDevices. created
	// reports whether a new device row was made. Platform, user agent and
	// LastSeen are refreshed on reuse.
	RegisterDevice(ctx context.Context, reg DeviceRegistration) (d Device, created bool, err error)
	// Device returns one device.
	Device(ctx context.Context, uid int64, sn uint32) (Device, error)
	// DeviceByGUID returns the device of uid registered for guid.
	DeviceByGUID(ctx context.Context, uid int64, guid string) (Device, error)
	// ListDevices returns the devices of uid ordered by SN.
	ListDevices(ctx context.Context, uid int64) ([]Device, error)
	// TouchDevice sets LastSeen.
	TouchDevice(ctx context.Context, uid int64, sn uint32, now int64) error
	// SetDevicePushToken records a push token for a device.
	SetDevicePushToken(ctx context.Context, uid int64, sn uint32, token, notifier string) error
	// RemoveDevice unregisters a device; ErrNotFound if it was not registered.
	RemoveDevice(ctx context.Context, uid int64, sn uint32) error
	// RemoveStaleDevices unregisters devices last seen before cutoff and
	// returns them (PROTOCOL.md §18.9: 90 days).
	RemoveStaleDevices(ctx context.Context, cutoff int64) ([]Device, error)
}
