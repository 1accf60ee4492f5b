package store

import "errors"

// Sentinel errors returned by every Store implementation. Implementations may
// wrap them with detail; compare with errors.Is.
var (
	// ErrNotFound means the requested row does not exist (or no longer does,
	// such as an expired token).
	ErrNotFound = errors.New("store: not found")
	// ErrConflict means a uniqueness rule was violated, such as a taken
	// user name or mobile number.
	ErrConflict = errors.New("store: conflict")
	// ErrTooManyDevices means registering a device would exceed the per-user
	// device limit (PROTOCOL.md §4.7 step 4).
	ErrTooManyDevices = errors.New("store: too many devices")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("store: closed")
)
