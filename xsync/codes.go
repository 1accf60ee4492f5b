package xsync

import "strconv"

// StatusCode is Status.ErrorCode, the result code of a server reply.
//
// How a client treats each code, written down once here (ERRORS.md §2); the
// "at login" column is what LoginClass returns for a non-OK Provision reply:
//
//	code  name                        temporary  at login
//	0     UNKNOWN (absent)            -          OK: an absent code is success for this SDK
//	1     OK                          -          OK
//	2     FAIL                        yes        retryable
//	3     UNKNOWN_COMMAND             no         terminal
//	4     PB_PARSER_ERROR             no         terminal
//	5     DECRYPT_FAILURE             no         terminal
//	6     PUBLIC_KEY_CHANGED          no         recoverable: fetch a new token once
//	7     INVALID_TOKEN               no         recoverable: fetch a new token once if the
//	                                             credentials are known, else terminal
//	8     INVALID_PARAMETER           no         terminal
//	9     UNAUTHORIZED                no         terminal; with reason "you must login first"
//	                                             (ReasonNotLoggedIn): recoverable, re-provision once
//	10    USER_FROZEN                 no         terminal
//	11    USER_BANNED                 no         terminal
//	12    WORD_CENSORED               no         terminal (only expected in send results)
//	13    TOO_MANY_DEVICES            no         terminal
//	14    ENCRYPT_METHOD_UNSUPPORTED  no         terminal
//	15    DEVICE_GUID_CONFLICT        no         recoverable: retry once with deviceSN 0 and a new guid
//	16    CHECK_SUM_FAILURE           no         terminal
//	17    INVALID_LICENSE             no         terminal
//	18    LICENSE_LIMIT               no         terminal
//	19    APP_FROZEN                  no         terminal
//	20    RATE_LIMIT_EXCEEDED         yes        retryable, with a longer backoff
//	>20   (future)                    yes        retryable
//
// Negative values are as unknown as values above 20 and are treated the same.
// A failed send (a SyncDL with ClientMid > 0) fails only that send, whatever
// its code: it never ends the session (ERRORS.md §3).
type StatusCode int32

// StatusCode values.
const (
	StatusUnknown                  StatusCode = 0
	StatusOK                       StatusCode = 1
	StatusFail                     StatusCode = 2
	StatusUnknownCommand           StatusCode = 3
	StatusPBParserError            StatusCode = 4
	StatusDecryptFailure           StatusCode = 5
	StatusPublicKeyChanged         StatusCode = 6
	StatusInvalidToken             StatusCode = 7
	StatusInvalidParameter         StatusCode = 8
	StatusUnauthorized             StatusCode = 9
	StatusUserFrozen               StatusCode = 10
	StatusUserBanned               StatusCode = 11
	StatusWordCensored             StatusCode = 12
	StatusTooManyDevices           StatusCode = 13
	StatusEncryptMethodUnsupported StatusCode = 14
	StatusDeviceGUIDConflict       StatusCode = 15
	StatusCheckSumFailure          StatusCode = 16
	StatusInvalidLicense           StatusCode = 17
	StatusLicenseLimit             StatusCode = 18
	StatusAppFrozen                StatusCode = 19
	StatusRateLimitExceeded        StatusCode = 20
)

var statusCodeNames = [...]string{
	"UNKNOWN", "OK", "FAIL", "UNKNOWN_COMMAND", "PB_PARSER_ERROR",
	"DECRYPT_FAILURE", "PUBLIC_KEY_CHANGED", "INVALID_TOKEN", "INVALID_PARAMETER",
	"UNAUTHORIZED", "USER_FROZEN", "USER_BANNED", "WORD_CENSORED",
	"TOO_MANY_DEVICES", "ENCRYPT_METHOD_UNSUPPORTED", "DEVICE_GUID_CONFLICT",
	"CHECK_SUM_FAILURE", "INVALID_LICENSE", "LICENSE_LIMIT", "APP_FROZEN",
	"RATE_LIMIT_EXCEEDED",
}

// String returns the proto name of c, or c in decimal when it is unknown.
func (c StatusCode) String() string { return enumName(statusCodeNames[:], int32(c)) }

// OK reports whether c means success: 0 (absent) and OK both do.
func (c StatusCode) OK() bool { return c == StatusUnknown || c == StatusOK }

// Known reports whether c is a value of this schema version (0 to 20).
func (c StatusCode) Known() bool { return c >= 0 && int(c) < len(statusCodeNames) }

// Temporary reports whether retrying later may succeed: FAIL,
// RATE_LIMIT_EXCEEDED and every unknown code.
func (c StatusCode) Temporary() bool {
	return c == StatusFail || c == StatusRateLimitExceeded || !c.Known()
}

// LoginClass says what a client does after a non-OK Provision reply.
type LoginClass uint8

// LoginClass values.
const (
	// LoginOK: the login succeeded.
	LoginOK LoginClass = iota
	// LoginRetryable: reconnect later with the usual backoff.
	LoginRetryable
	// LoginRecoverable: take one corrective step (new token, re-provision,
	// new device guid) and try once more; a second failure is terminal.
	LoginRecoverable
	// LoginTerminal: stop reconnecting and report the error.
	LoginTerminal
)

var loginClassNames = [...]string{"ok", "retryable", "recoverable", "terminal"}

// String returns a lower-case name of c.
func (c LoginClass) String() string {
	if int(c) < len(loginClassNames) {
		return loginClassNames[c]
	}
	return "LoginClass(" + strconv.Itoa(int(c)) + ")"
}

// LoginClass returns the class of c at login, ignoring the reason; see
// (*Status).LoginClass for the reason-dependent refinement of UNAUTHORIZED.
func (c StatusCode) LoginClass() LoginClass {
	switch {
	case c.OK():
		return LoginOK
	case c.Temporary():
		return LoginRetryable
	case c == StatusPublicKeyChanged, c == StatusInvalidToken, c == StatusDeviceGUIDConflict:
		return LoginRecoverable
	default:
		return LoginTerminal
	}
}

// LoginClass returns the class of s at login. A nil status is OK, and
// UNAUTHORIZED with reason ReasonNotLoggedIn is recoverable (re-provision
// once) rather than terminal.
func (s *Status) LoginClass() LoginClass {
	if s == nil {
		return LoginOK
	}
	if s.Code == StatusUnauthorized && s.Reason == ReasonNotLoggedIn {
		return LoginRecoverable
	}
	return s.Code.LoginClass()
}

// Reason strings with a defined meaning (ERRORS.md §3.3). The reference
// server sends exactly these, and the SDK refines its error mapping on an
// exact, case-sensitive match; ReasonNotLoggedIn and ReasonClientMIDDuplicated
// are also known from the official service.
const (
	ReasonNotLoggedIn         = "you must login first"       // UNAUTHORIZED
	ReasonNotFriend           = "not friend"                 // UNAUTHORIZED
	ReasonBlocked             = "blocked"                    // UNAUTHORIZED
	ReasonUserNotExist        = "user not exist"             // UNAUTHORIZED
	ReasonGroupNotExist       = "group not exist"            // UNAUTHORIZED
	ReasonNotGroupMember      = "not group member"           // UNAUTHORIZED
	ReasonPermissionDenied    = "permission denied"          // UNAUTHORIZED
	ReasonGroupBanned         = "group banned"               // USER_BANNED
	ReasonMessageNotFound     = "message not found"          // INVALID_PARAMETER
	ReasonInvalidMessageType  = "invalid message type"       // INVALID_PARAMETER
	ReasonMessageRecalled     = "message recalled"           // INVALID_PARAMETER
	ReasonRecallTimeLimit     = "recall time limit exceeded" // FAIL
	ReasonRecallDisabled      = "recall disabled"            // FAIL
	ReasonRTCNotSupported     = "rtc not supported"          // FAIL
	ReasonClientMIDDuplicated = "client msg id duplicated"   // FAIL
)
