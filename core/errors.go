package core

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flooim/floo/internal/lite"
)

// Source says which layer an error comes from (ERRORS.md §1). The values are
// the strings the JavaScript facade exposes as FlooError.source.
type Source string

// Error sources.
const (
	SourceXSync     Source = "xsync"     // an XSYNC Status or UserNotice from the socket
	SourceREST      Source = "rest"      // a REST business code
	SourceDNS       Source = "dns"       // service discovery and app_status
	SourceTransport Source = "transport" // network, HTTP status, WebSocket, timeouts
	SourceClient    Source = "client"    // the SDK itself, e.g. bad arguments
)

// Error is the error value of the SDK (ERRORS.md §1). Every error the client
// core returns or reports is, or wraps, an *Error; the JavaScript bridge turns
// it into a FlooError field by field.
//
// Compare errors with errors.Is(err, &Error{Code: InvalidToken}) or IsCode:
// Is matches by Code only, so the message, source and server code do not
// matter. An *Error is not modified after it is returned, so it may be shared
// between goroutines.
type Error struct {
	_          noCompare
	Code       Code   // SDK code (ERRORS.md §7)
	Message    string // human-readable; the server's reason or message when there is one
	Source     Source // layer the error comes from
	ServerCode int    // raw XSYNC status or REST business code, 0 if none
	URL        string // request URL of REST and HTTP failures, "" otherwise
	Temporary  bool   // retrying later may succeed: Code.Class() == Retryable
	Cause      error  // underlying error, if any

	// origin records the mapping that produced the error when Source and
	// ServerCode alone cannot tell, for the official-event helpers below.
	origin errOrigin
}

// errOrigin distinguishes errors whose official events differ although their
// public fields look alike.
type errOrigin uint8

const (
	errOriginNone       errOrigin = iota
	errOriginSendResult           // FromStatus with StatusSend: never a session-level event
	errOriginUserNotice           // FromUserNotice
	errOriginAppBanned            // FromAppStatus("banned")
	errOriginAppRevoked           // FromAppStatus("revoked")
)

// Error formats e as "floo: Name: message (source servercode url): cause",
// leaving out the parts that are empty and a cause the message already
// quotes. It concatenates instead of using fmt to keep fmt out of the wasm
// build.
func (e *Error) Error() string {
	if e == nil {
		return "floo: <nil>"
	}
	b := make([]byte, 0, 64+len(e.Message)+len(e.URL))
	b = append(b, "floo: "...)
	b = append(b, e.Code.String()...)
	if e.Message != "" {
		b = append(b, ": "...)
		b = append(b, e.Message...)
	}
	// The source is only worth printing when it is not the SDK itself or
	// when it comes with details.
	n := len(b)
	b = append(b, " ("...)
	start := len(b)
	if e.Source != "" && (e.Source != SourceClient || e.ServerCode != 0 || e.URL != "") {
		b = append(b, e.Source...)
	}
	if e.ServerCode != 0 {
		if len(b) > start {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(e.ServerCode), 10)
	}
	if e.URL != "" {
		if len(b) > start {
			b = append(b, ' ')
		}
		b = append(b, e.URL...)
	}
	if len(b) == start {
		b = b[:n]
	} else {
		b = append(b, ')')
	}
	if e.Cause != nil {
		// Errorf's %w and WrapError already put the cause's text in the
		// message; repeating it would only make logs harder to read.
		if c := e.Cause.Error(); !strings.Contains(e.Message, c) {
			b = append(b, ": "...)
			b = append(b, c...)
		}
	}
	return string(b)
}

// Unwrap returns the cause, so errors.Is and errors.As see through an *Error.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Cause
}

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, &Error{Code: InvalidToken}) works whatever the message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && e != nil && t != nil && e.Code == t.Code
}

// Name returns the name of e's code, e.g. "InvalidToken" (FlooError.sdkName).
func (e *Error) Name() string {
	return e.Code.String()
}

// Class returns the class of e's code (ERRORS.md §6.1).
func (e *Error) Class() Class {
	return e.Code.Class()
}

// FacadeCode returns the value of FlooError.code in the JavaScript facade:
// for REST rejections the server's business code, exactly as the official
// clients reject with, and the SDK code number for everything else
// (ERRORS.md §1).
func (e *Error) FacadeCode() int {
	if e.Source == SourceREST && e.ServerCode != 0 {
		return e.ServerCode
	}
	return int(e.Code)
}

// IsCode reports whether err has the SDK code c: either an *Error in err's
// chain has code c, or CodeOf(err) == c (so IsCode(nil, NoError) and
// IsCode(io.EOF, GeneralError) are true).
func IsCode(err error, c Code) bool {
	return errors.Is(err, &Error{Code: c}) || CodeOf(err) == c
}

// CodeOf returns the code of the first *Error in err's chain, NoError for a
// nil err and GeneralError for any other error.
func CodeOf(err error) Code {
	if err == nil {
		return NoError
	}
	if e, _ := errors.AsType[*Error](err); e != nil {
		return e.Code
	}
	return GeneralError
}

// NewError returns an error with code and message msg (the code's
// description when msg is empty, since every FlooError needs a readable
// message). Its Source is SourceClient; set Source, ServerCode or Cause on the
// result before returning it when the error comes from elsewhere.
func NewError(code Code, msg string) *Error {
	if msg == "" {
		msg = code.Description()
	}
	return &Error{
		Code:      code,
		Message:   msg,
		Source:    SourceClient,
		Temporary: code.Class() == Retryable,
	}
}

// ClientError returns an InvalidParam error from the client layer: the
// caller passed a bad argument (ERRORS.md §1).
func ClientError(msg string) *Error {
	return NewError(InvalidParam, msg)
}

// Errorf is NewError with a message built from format and args, without fmt.
// It understands %s, %v, %d, %x, %q, %t, %w and %%, with no flags or widths,
// for strings, []byte, errors, fmt-style Stringers, Code, booleans, integers
// and floats. The first %w argument becomes the Cause, as with fmt.Errorf.
func Errorf(code Code, format string, args ...any) *Error {
	msg, cause := errFormat(format, args)
	e := NewError(code, msg)
	e.Cause = cause
	return e
}

// ClientErrorf is ClientError with a message formatted as by Errorf, e.g.
// ClientErrorf("%s: longer than %d bytes", "ext", 4096).
func ClientErrorf(format string, args ...any) *Error {
	return Errorf(InvalidParam, format, args...)
}

// WrapError returns an error with code and source whose message is cause's
// text (or the code's description when cause is nil) and whose Cause is
// cause.
func WrapError(code Code, source Source, cause error) *Error {
	msg := ""
	if cause != nil {
		msg = cause.Error()
	}
	e := NewError(code, msg)
	e.Source = source
	e.Cause = cause
	return e
}

// ErrServerNotReachable returns the transport error for an unreachable
// network or a host whose name did not resolve (ERRORS.md §4.3).
func ErrServerNotReachable(cause error) *Error {
	return WrapError(ServerNotReachable, SourceTransport, cause)
}

// ErrServerConnectFailed returns the transport error for a refused
// connection, a TLS failure, a WebSocket that could not open or a lost
// connection (ERRORS.md §4.3, §6.2).
func ErrServerConnectFailed(cause error) *Error {
	return WrapError(ServerConnectFailed, SourceTransport, cause)
}

// ErrServerTimeOut returns the transport error for a request or connection
// that timed out (ERRORS.md §4.3).
func ErrServerTimeOut(cause error) *Error {
	return WrapError(ServerTimeOut, SourceTransport, cause)
}

// FromTransportError classifies an error returned by a transport (socket or
// HTTP implementation) when the transport did not already return an *Error:
// nil stays nil, an *Error in the chain is returned as is, a context
// cancellation is UserCancel (source client: the caller gave up, nothing
// failed), and timeouts (lite.DeadlineExceeded or any error with a
// Timeout() bool method that returns true, like net.Error) are ServerTimeOut.
// Anything else is ServerConnectFailed: a transport cannot always tell an
// unreachable host from a refused connection (browsers hide the difference),
// and both are retried the same way.
func FromTransportError(err error) *Error {
	if err == nil {
		return nil
	}
	// errors.AsType, unlike errors.As, needs no reflection: errors.As links
	// internal/reflectlite's assignability checks, ~10 KB brotli of wasm.
	if e, _ := errors.AsType[*Error](err); e != nil {
		return e
	}
	if errors.Is(err, lite.Canceled) {
		return WrapError(UserCancel, SourceClient, err)
	}
	if errors.Is(err, lite.DeadlineExceeded) || isTimeout(err) {
		return ErrServerTimeOut(err)
	}
	return ErrServerConnectFailed(err)
}

// isTimeout reports whether an error in err's chain has a Timeout() bool
// method (like net.Error) and it returns true.
func isTimeout(err error) bool {
	t, ok := errors.AsType[interface {
		error
		Timeout() bool
	}](err)
	return ok && t.Timeout()
}

// StatusContext says where an XSYNC Status was received, since the same
// status maps to different SDK codes there (ERRORS.md §2, §3.2).
type StatusContext uint8

// Status contexts.
const (
	// StatusOther is a Status in an UnreadDL or a SyncDL that is not a send
	// result (sync, history query).
	StatusOther StatusContext = iota
	// StatusLogin is the Status of a Provision reply.
	StatusLogin
	// StatusSend is the Status of a send result (a SyncDL with client_mid >
	// 0 and is_full_sync false). Such failures fail only that send and never
	// raise session-level events (ERRORS.md §3.1).
	StatusSend
)

// XSYNC Status.ErrorCode values (xsync.proto). They are repeated here rather
// than imported so that the error mapping does not depend on the codec
// package's API.
const (
	errStatusUnknown                  = 0
	errStatusOK                       = 1
	errStatusFail                     = 2
	errStatusUnknownCommand           = 3
	errStatusPBParserError            = 4
	errStatusDecryptFailure           = 5
	errStatusPublicKeyChanged         = 6
	errStatusInvalidToken             = 7
	errStatusInvalidParameter         = 8
	errStatusUnauthorized             = 9
	errStatusUserFrozen               = 10
	errStatusUserBanned               = 11
	errStatusWordCensored             = 12
	errStatusTooManyDevices           = 13
	errStatusEncryptMethodUnsupported = 14
	errStatusDeviceGUIDConflict       = 15
	errStatusCheckSumFailure          = 16
	errStatusInvalidLicense           = 17
	errStatusLicenseLimit             = 18
	errStatusAppFrozen                = 19
	errStatusRateLimitExceeded        = 20
)

// errStatusRow maps one XSYNC status to an SDK code per context
// (ERRORS.md §2 and §3.2).
type errStatusRow struct {
	other, login, send Code
}

// errStatusTable is indexed by status code; statuses 0 and 1 are success
// and have no row, statuses beyond the table are ServerUnknownError.
var errStatusTable = [...]errStatusRow{
	errStatusFail:                     {ServerUnknownError, ServerUnknownError, ServerUnknownError},
	errStatusUnknownCommand:           {ServerInvalid, ServerInvalid, ServerInvalid},
	errStatusPBParserError:            {ServerInvalid, ServerInvalid, ServerInvalid},
	errStatusDecryptFailure:           {ServerDecryptionFailed, ServerDecryptionFailed, ServerDecryptionFailed},
	errStatusPublicKeyChanged:         {ServerNeedReconnected, ServerNeedReconnected, ServerNeedReconnected},
	errStatusInvalidToken:             {InvalidToken, InvalidToken, InvalidToken},
	errStatusInvalidParameter:         {InvalidParam, InvalidParam, MessageBadArg},
	errStatusUnauthorized:             {UserPermissionDenied, UserAuthFailed, UserPermissionDenied},
	errStatusUserFrozen:               {UserFrozen, UserFrozen, UserFrozen},
	errStatusUserBanned:               {UserBanned, UserBanned, UserBanned},
	errStatusWordCensored:             {MessageCensored, MessageCensored, MessageCensored},
	errStatusTooManyDevices:           {UserTooManyDevice, UserTooManyDevice, UserTooManyDevice},
	errStatusEncryptMethodUnsupported: {ServerEncryptMethodUnsupported, ServerEncryptMethodUnsupported, ServerEncryptMethodUnsupported},
	errStatusDeviceGUIDConflict:       {ServerCannotCreateDeviceSn, ServerCannotCreateDeviceSn, ServerCannotCreateDeviceSn},
	errStatusCheckSumFailure:          {ServerInvalid, ServerInvalid, ServerInvalid},
	errStatusInvalidLicense:           {ServerInvalidLicense, ServerInvalidLicense, ServerInvalidLicense},
	errStatusLicenseLimit:             {ServerLicenseLimit, ServerLicenseLimit, ServerLicenseLimit},
	errStatusAppFrozen:                {ServerAppFrozen, ServerAppFrozen, ServerAppFrozen},
	errStatusRateLimitExceeded:        {ServerTooManyRequest, ServerTooManyRequest, MessageRateLimitExceeded},
}

// errReasonLogin is the one reason the official service is known to send
// with UNAUTHORIZED: the connection has no session.
const errReasonLogin = "you must login first"

// errReasonTable refines the default mapping of a status by its exact,
// case-sensitive reason (ERRORS.md §3.3). It applies to send results and
// other replies; at login only errReasonLogin refines UNAUTHORIZED, since
// every other UNAUTHORIZED there means the credentials were rejected.
var errReasonTable = [...]struct {
	status uint32
	reason string
	code   Code
}{
	{errStatusUnauthorized, errReasonLogin, UserNotLogin},
	{errStatusUnauthorized, "not friend", RosterNotFriend},
	{errStatusUnauthorized, "blocked", RosterBlockListExist},
	{errStatusUnauthorized, "user not exist", UserNotExist},
	{errStatusUnauthorized, "group not exist", GroupNotExist},
	{errStatusUnauthorized, "not group member", GroupNotMemberFound},
	{errStatusUnauthorized, "permission denied", UserPermissionDenied},
	{errStatusUserBanned, "group banned", GroupMemberBanned},
	{errStatusInvalidParameter, "message not found", MessageInvalid},
	{errStatusInvalidParameter, "invalid message type", MessageInvalidType},
	{errStatusInvalidParameter, "message recalled", MessageInvalid},
	{errStatusFail, "recall time limit exceeded", MessageOutRecallTime},
	{errStatusFail, "recall disabled", MessageRecallDisabled},
	{errStatusFail, "rtc not supported", ServerRtcNotOpen},
	{errStatusFail, "client msg id duplicated", MessageInvalid},
}

// FromStatus maps an XSYNC Status received in ctx to an SDK error, or nil for
// success: code 1 (OK) and code 0, which is how an absent code decodes
// (ERRORS.md §2). reason refines the mapping by exact match (§3.3) and
// becomes the message. Statuses newer than this version are
// ServerUnknownError, retryable.
func FromStatus(code uint32, reason string, ctx StatusContext) *Error {
	if code == errStatusUnknown || code == errStatusOK {
		return nil
	}
	sdk := ServerUnknownError
	if code < uint32(len(errStatusTable)) {
		row := errStatusTable[code]
		switch ctx {
		case StatusLogin:
			sdk = row.login
		case StatusSend:
			sdk = row.send
		default:
			sdk = row.other
		}
	}
	for _, r := range errReasonTable {
		if r.status == code && r.reason == reason && (ctx != StatusLogin || r.reason == errReasonLogin) {
			sdk = r.code
			break
		}
	}
	e := NewError(sdk, reason)
	e.Source = SourceXSync
	e.ServerCode = int(code)
	if ctx == StatusSend {
		e.origin = errOriginSendResult
	}
	return e
}

// REST business codes with special handling (REST.md §2.4, ERRORS.md §4).
const (
	errRESTOK             = 200
	errRESTTokenInvalid   = 402
	errRESTUserNotExist   = 10000
	errRESTLicenseInvalid = 30021
	errRESTLicenseExceed  = 30023
	errRESTAppIDNotExist  = 40000
)

// errRESTTable maps REST business codes, single or in inclusive ranges, to SDK
// codes (ERRORS.md §4.1). Codes not listed are ServerUnknownError.
var errRESTTable = [...]struct {
	lo, hi int
	code   Code
}{
	{402, 402, InvalidToken},
	{10000, 10000, UserNotExist},
	{10001, 10001, InvalidVerificationCode},
	{10002, 10002, InvalidRequestParameter},
	{10003, 10003, MissingAccessToken},
	{10004, 10004, UserAlreadyExist},
	{10005, 10005, CurrentUserIsInRoster},
	{10006, 10006, CurrentUserIsInBlocklist},
	{10007, 10007, AnswerFailed},
	{10008, 10008, InvalidToken},
	{10009, 10009, ServerFileUploadUnknownError},
	{10010, 10010, UserPermissionDenied},
	{10011, 10011, GeneralError},
	{10012, 10012, RosterRejectApplication},
	{12001, 12006, GeneralError},
	{20000, 20000, GroupServerDbError},
	{20001, 20001, GroupNotExist},
	{20002, 20002, GroupNotMemberFound},
	{20003, 20003, GroupMsgNotifyTypeUnknown},
	{20004, 20004, GroupOwnerCannotLeave},
	{20005, 20005, GroupTransferNotAllowed},
	{20006, 20006, GroupRecoveryMode},
	{20007, 20007, GroupExceedLimitGlobal},
	{20008, 20008, GroupExceedLimitUserCreate},
	{20009, 20009, GroupExceedLimitUserJoin},
	{20010, 20010, GroupCapacityExceedLimit},
	{20011, 20011, GroupMemberPermissionRequired},
	{20012, 20012, GroupAdminPermissionRequired},
	{20013, 20013, GroupOwnerPermissionRequired},
	{20014, 20014, GroupApplicationExpiredOrHandled},
	{20015, 20015, GroupInvitationExpiredOrHandled},
	{20016, 20016, GroupKickTooManyTimes},
	{20017, 20017, GroupMemberExist},
	{20018, 20018, GroupBlockListExist},
	{20020, 20020, GroupAnnouncementNotFound},
	{20021, 20021, GroupAnnouncementForbidden},
	{20022, 20022, GroupSharedFileNotFound},
	{20023, 20023, GroupSharedFileOperateNotAllowed},
	{20024, 20025, InvalidRequestParameter},
	{30021, 30021, ServerAppLicenseInvalid},
	{30022, 30022, ServerAppLicenseExpired},
	{30023, 30023, ServerAppLicenseExceedLimit},
	{40000, 40000, ServerAppIdInvalid},
}

// errRESTCode returns the SDK code of a REST business code (ERRORS.md §4.1).
func errRESTCode(bizCode int) Code {
	for _, r := range errRESTTable {
		if bizCode >= r.lo && bizCode <= r.hi {
			return r.code
		}
	}
	return ServerUnknownError
}

// FromREST maps a REST envelope's business code to an SDK error, or nil for
// 200 (ERRORS.md §4.1). message is the envelope's message and url the
// request URL, both kept for the FlooError. tokenEndpoint is true for
// /token/user and /token/id, where every code but 10000, 30021-30023 and
// 40000 means the credentials were rejected: UserAuthFailed (§4.2). Replies
// from the DNS endpoint go through FromDNSReply instead.
func FromREST(bizCode int, message, url string, tokenEndpoint bool) *Error {
	if bizCode == errRESTOK {
		return nil
	}
	code := errRESTCode(bizCode)
	if tokenEndpoint && bizCode != errRESTUserNotExist && bizCode != errRESTAppIDNotExist &&
		(bizCode < errRESTLicenseInvalid || bizCode > errRESTLicenseExceed) {
		code = UserAuthFailed
	}
	e := NewError(code, message)
	e.Source = SourceREST
	e.ServerCode = bizCode
	e.URL = url
	return e
}

// FromDNSReply maps the business code of a DNS endpoint reply (/v2/app_dns)
// to an SDK error, or nil for 200. 40000 (unknown app id) is
// ServerDNSAppIdInvalid, terminal; any other business code means the lookup
// failed, ServerDNSFetchFailed, which the SDK retries (ERRORS.md §5).
func FromDNSReply(bizCode int, message, url string) *Error {
	if bizCode == errRESTOK {
		return nil
	}
	code := ServerDNSFetchFailed
	if bizCode == errRESTAppIDNotExist {
		code = ServerDNSAppIdInvalid
	}
	e := NewError(code, message)
	e.Source = SourceDNS
	e.ServerCode = bizCode
	e.URL = url
	return e
}

// FromHTTPStatus maps the HTTP status of a REST, DNS or upload reply to an
// SDK error, or nil for 200, the only status the service answers with when
// it works (REST.md §2.4): 429 is ServerTooManyRequest, 5xx ServerBusy and
// anything else ServerResponseInvalid (ERRORS.md §4.3). The HTTP status is
// in the message, not in ServerCode, which holds only service codes.
func FromHTTPStatus(status int, url string) *Error {
	var code Code
	switch {
	case status == 200:
		return nil
	case status == 429:
		code = ServerTooManyRequest
	case status >= 500 && status <= 599:
		code = ServerBusy
	default:
		code = ServerResponseInvalid
	}
	e := NewError(code, "HTTP status "+strconv.Itoa(status))
	e.Source = SourceTransport
	e.URL = url
	return e
}

// FromAppStatus maps the app_status of a DNS reply to an SDK error
// (ERRORS.md §5): "banned" and "revoked" are ServerAppStatusNotNormal,
// "frozen" is ServerAppFrozen, all terminal. Any other value, normally
// "normal", lets the login proceed and returns nil (PROTOCOL.md §3).
func FromAppStatus(status string) *Error {
	var code Code
	origin := errOriginNone
	switch status {
	case "banned":
		code, origin = ServerAppStatusNotNormal, errOriginAppBanned
	case "revoked":
		code, origin = ServerAppStatusNotNormal, errOriginAppRevoked
	case "frozen":
		code = ServerAppFrozen
	default:
		return nil
	}
	e := NewError(code, "app_status is "+status)
	e.Source = SourceDNS
	e.origin = origin
	return e
}

// UserNotice types of xsync.proto that end the session (ERRORS.md §6.2).
// The others (INFO_UPDATED, DEVICE_LOGIN, DEVICE_LOGOUT, DEVICE_ADDED,
// TRAFFIC_LIMIT_EXCEEDED) are informational.
var errNoticeTable = [...]struct {
	name string
	code Code // NoError: informational
}{
	0:  {"UNKNOWN", UserAbnormal},
	1:  {"PASSWORD_CHANGED", UserPasswordChanged},
	2:  {"FROZEN", UserFrozen},
	3:  {"REMOVED", UserRemoved},
	4:  {"KICK_BY_SAME_DEVICE", UserKickedBySameDevice},
	5:  {"KICKED_BY_OTHER_DEVICE", UserKickedByOtherDevices},
	6:  {"INFO_UPDATED", NoError},
	7:  {"DEVICE_LOGIN", NoError},
	8:  {"DEVICE_LOGOUT", NoError},
	9:  {"DEVICE_ADDED", NoError},
	10: {"DEVICE_REMOVED", UserKickedByOtherDevices},
	11: {"CLUSTER_CHANGED", ServerNeedReconnected},
	12: {"DNS_UPDATE", ServerNeedReconnected},
	13: {"TRAFFIC_LIMIT_EXCEEDED", NoError},
}

// FromUserNotice maps a UserNotice type to the error that ends or restarts
// the session (ERRORS.md §6.2), or nil for a notice that is informational.
// Types newer than this version are treated as informational too: ending a
// session on a notice the SDK cannot interpret would log users out after
// every server upgrade.
func FromUserNotice(noticeType uint32) *Error {
	if noticeType >= uint32(len(errNoticeTable)) {
		return nil
	}
	n := errNoticeTable[noticeType]
	if n.code == NoError {
		return nil
	}
	e := NewError(n.code, "user notice "+n.name)
	e.Source = SourceXSync
	e.origin = errOriginUserNotice
	return e
}

// Official flooNotice {category: "action"} descriptions (JSAPI.md §8).
const (
	NoticeRelogin         = "relogin"          // log in again; the SDK may do it with stored credentials
	NoticeReloginManually = "relogin_manually" // the user must log in again
)

// FlooErrorCategory returns the category of the official flooError event
// that e raises in the JavaScript facade (ERRORS.md §6.3), or "" when it
// raises none (send results, user notices, client errors). Statuses without
// a named category return their number in decimal, e.g. "7"; the facade
// sends those as numbers, as the official clients do.
func (e *Error) FlooErrorCategory() string {
	if e == nil {
		return ""
	}
	switch e.origin {
	case errOriginSendResult, errOriginUserNotice:
		return ""
	case errOriginAppBanned:
		return "APP_BANNED"
	case errOriginAppRevoked:
		return "APP_REVOKED"
	}
	if e.Source == SourceXSync && e.ServerCode > errStatusOK {
		switch e.ServerCode {
		case errStatusFail:
			return "FAIL"
		case errStatusUserFrozen:
			return "USER_FROZEN"
		case errStatusUserBanned:
			return "USER_BANNED"
		case errStatusInvalidLicense, errStatusLicenseLimit:
			return "LICENSE"
		case errStatusAppFrozen:
			return "APP_FROZEN"
		}
		return strconv.Itoa(e.ServerCode)
	}
	switch e.Code {
	case ServerDNSFailed, ServerDNSFetchFailed, ServerDNSHealthCheckFailed, ServerDNSAppIdInvalid,
		ServerDNSParseDataFailed, ServerPrivateDNSParseDataFailed:
		return "DNS_FAILED"
	case ServerAppFrozen:
		return "APP_FROZEN"
	}
	return ""
}

// ReloginNotice returns the official flooNotice {category: "action"}
// description that e triggers (ERRORS.md §6.3): NoticeRelogin for
// recoverable token errors (INVALID_TOKEN, UNAUTHORIZED "you must login
// first", REST 402, cluster change), NoticeReloginManually for terminal
// session errors (USER_FROZEN, licence statuses, APP_FROZEN, terminal user
// notices), and "" otherwise. Send results never trigger one: a failed send
// must not end the session (ERRORS.md §3.1).
func (e *Error) ReloginNotice() string {
	if e == nil {
		return ""
	}
	switch e.origin {
	case errOriginSendResult:
		return ""
	case errOriginUserNotice:
		if e.Code == ServerNeedReconnected {
			return NoticeRelogin
		}
		if e.Code.Class() == Terminal {
			return NoticeReloginManually
		}
		return ""
	}
	switch e.Source {
	case SourceXSync:
		switch e.ServerCode {
		case errStatusInvalidToken:
			return NoticeRelogin
		case errStatusUnauthorized:
			if e.Code == UserNotLogin {
				return NoticeRelogin
			}
		case errStatusUserFrozen, errStatusInvalidLicense, errStatusLicenseLimit, errStatusAppFrozen:
			return NoticeReloginManually
		}
	case SourceREST:
		if e.ServerCode == errRESTTokenInvalid && e.Code == InvalidToken {
			return NoticeRelogin
		}
	}
	return ""
}

// errFormat renders format with args for Errorf: a small subset of fmt's
// verbs, enough for error messages, without linking fmt into the wasm build.
// The first argument consumed by %w is returned as the cause.
func errFormat(format string, args []any) (string, error) {
	var cause error
	b := make([]byte, 0, len(format)+16*len(args))
	next := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b = append(b, c)
			continue
		}
		i++
		if i == len(format) {
			b = append(b, "%!(NOVERB)"...)
			break
		}
		verb := format[i]
		if verb == '%' {
			b = append(b, '%')
			continue
		}
		if next >= len(args) {
			b = append(b, '%', '!', verb)
			b = append(b, "(MISSING)"...)
			continue
		}
		arg := args[next]
		next++
		if verb == 'w' {
			if err, ok := arg.(error); ok && cause == nil {
				cause = err
			}
		}
		b = errAppendArg(b, verb, arg)
	}
	if next < len(args) {
		b = append(b, "%!(EXTRA "...)
		for j, arg := range args[next:] {
			if j > 0 {
				b = append(b, ", "...)
			}
			b = errAppendArg(b, 'v', arg)
		}
		b = append(b, ')')
	}
	return string(b), cause
}

// errAppendArg appends one argument formatted with verb. Types it does not
// know (it cannot use reflection) print as "%!v(?)".
func errAppendArg(b []byte, verb byte, arg any) []byte {
	switch v := arg.(type) {
	case nil:
		return append(b, "<nil>"...)
	case string:
		return errAppendText(b, verb, v)
	case []byte:
		return errAppendText(b, verb, string(v))
	case Code:
		if verb == 'd' {
			return strconv.AppendInt(b, int64(v), 10)
		}
		return errAppendText(b, verb, v.String())
	case error:
		return errAppendText(b, verb, v.Error())
	case interface{ String() string }:
		return errAppendText(b, verb, v.String())
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return errAppendInt(b, verb, int64(v))
	case int8:
		return errAppendInt(b, verb, int64(v))
	case int16:
		return errAppendInt(b, verb, int64(v))
	case int32:
		return errAppendInt(b, verb, int64(v))
	case int64:
		return errAppendInt(b, verb, v)
	case uint:
		return errAppendUint(b, verb, uint64(v))
	case uint8:
		return errAppendUint(b, verb, uint64(v))
	case uint16:
		return errAppendUint(b, verb, uint64(v))
	case uint32:
		return errAppendUint(b, verb, uint64(v))
	case uint64:
		return errAppendUint(b, verb, v)
	case uintptr:
		return errAppendUint(b, verb, uint64(v))
	case float32:
		return strconv.AppendFloat(b, float64(v), 'g', -1, 32)
	case float64:
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	return append(b, '%', '!', verb, '(', '?', ')')
}

// errAppendText appends s as text, quoted for %q and hex-encoded for %x.
func errAppendText(b []byte, verb byte, s string) []byte {
	switch verb {
	case 'q':
		return appendQuoted(b, s)
	case 'x':
		const hex = "0123456789abcdef"
		for i := 0; i < len(s); i++ {
			b = append(b, hex[s[i]>>4], hex[s[i]&0xf])
		}
		return b
	}
	return append(b, s...)
}

// appendQuoted appends s as a double-quoted Go string literal, like
// strconv.AppendQuote except that every valid rune from U+00A0 up is kept as
// is: telling printable runes from the others takes strconv's Unicode
// printability tables, ~5 KB brotli of wasm for error messages only. ASCII
// controls, C1 controls and invalid UTF-8 are escaped as strconv does.
func appendQuoted(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c >= ' ' && c < 0x7f:
			b = append(b, c)
		case c >= '\a' && c <= '\r':
			b = append(b, '\\', "abtnvfr"[c-'\a'])
		case c < 0x80:
			b = append(b, '\\', 'x', hex[c>>4], hex[c&0xf])
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && n == 1:
				b = append(b, '\\', 'x', hex[c>>4], hex[c&0xf])
			case r < 0xa0:
				b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
			default:
				b = append(b, s[i:i+n]...)
			}
			i += n
			continue
		}
		i++
	}
	return append(b, '"')
}

func errAppendInt(b []byte, verb byte, v int64) []byte {
	if verb == 'x' {
		return strconv.AppendInt(b, v, 16)
	}
	return strconv.AppendInt(b, v, 10)
}

func errAppendUint(b []byte, verb byte, v uint64) []byte {
	if verb == 'x' {
		return strconv.AppendUint(b, v, 16)
	}
	return strconv.AppendUint(b, v, 10)
}
