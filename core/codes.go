package core

import (
	"slices"
	"strconv"
)

//go:generate go run ./internal/gencodes

// Code is an SDK error code (ERRORS.md §7).
//
// The name, not the number, is the contract between the SDK and its users:
// the numbers are those of the official Android SDK, adopted as this
// project's numbering, and other official platforms number the same names
// differently. Numbers are never reused or renumbered; 900-999 are reserved
// for project-specific additions.
//
// Every constant below has a row in codeTable, which is the single source of
// truth for names, classes and descriptions; npm/src/codes.ts is generated
// from it (go generate ./core).
type Code int

// SDK error codes, exactly as in ERRORS.md §7.
const (
	NoError                        Code = 0
	GeneralError                   Code = 1
	InvalidParam                   Code = 2
	NotFound                       Code = 3
	DbOperationFailed              Code = 4
	SignInInvalidParam             Code = 5
	SignInUserMapDbOperationFailed Code = 6
	SignInUserDbOperationFailed    Code = 7
	SignInCancelled                Code = 8
	SignInTimeout                  Code = 9
	SignInFailed                   Code = 10

	UserNotLogin              Code = 100
	UserAlreadyLogin          Code = 101
	UserAuthFailed            Code = 102
	UserPermissionDenied      Code = 103
	UserNotExist              Code = 104
	UserAlreadyExist          Code = 105
	UserFrozen                Code = 106
	UserBanned                Code = 107
	UserRemoved               Code = 108
	UserTooManyDevice         Code = 109
	UserPasswordChanged       Code = 110
	UserKickedBySameDevice    Code = 111
	UserKickedByOtherDevices  Code = 112
	UserAbnormal              Code = 113
	UserCancel                Code = 114
	UserOldPasswordNotMatch   Code = 115
	UserSigningIn             Code = 116
	UserKickedByAppDeprecated Code = 117

	PushTokenInvalid         Code = 200
	PushAliasBindByOtherUser Code = 201
	PushAliasTokenNotMatch   Code = 202

	InvalidVerificationCode  Code = 300
	InvalidRequestParameter  Code = 301
	InvalidUserNameParameter Code = 302
	MissingAccessToken       Code = 303
	CurrentUserIsInRoster    Code = 304
	CurrentUserIsInBlocklist Code = 305
	AnswerFailed             Code = 306
	InvalidToken             Code = 307
	InvalidFileSign          Code = 308
	InvalidFileObjectType    Code = 309
	InvalidFileUploadToType  Code = 310
	InvalidFileDownloadUrl   Code = 311

	MessageInvalid           Code = 400
	MessageOutRecallTime     Code = 401
	MessageRecallDisabled    Code = 402
	MessageCensored          Code = 403
	MessageInvalidType       Code = 404
	MessageBadArg            Code = 405
	MessageRateLimitExceeded Code = 406

	RosterNotFriend            Code = 500
	RosterBlockListExist       Code = 501
	RosterRejectApplication    Code = 502
	RosterHasDeletedFromSystem Code = 503

	GroupServerDbError               Code = 600
	GroupNotExist                    Code = 601
	GroupNotMemberFound              Code = 602
	GroupMsgNotifyTypeUnknown        Code = 603
	GroupOwnerCannotLeave            Code = 604
	GroupTransferNotAllowed          Code = 605
	GroupRecoveryMode                Code = 606
	GroupExceedLimitGlobal           Code = 607
	GroupExceedLimitUserCreate       Code = 608
	GroupExceedLimitUserJoin         Code = 609
	GroupCapacityExceedLimit         Code = 610
	GroupMemberPermissionRequired    Code = 611
	GroupAdminPermissionRequired     Code = 612
	GroupOwnerPermissionRequired     Code = 613
	GroupApplicationExpiredOrHandled Code = 614
	GroupInvitationExpiredOrHandled  Code = 615
	GroupKickTooManyTimes            Code = 616
	GroupMemberExist                 Code = 617
	GroupBlockListExist              Code = 618
	GroupAnnouncementNotFound        Code = 619
	GroupAnnouncementForbidden       Code = 620
	GroupSharedFileNotFound          Code = 621
	GroupSharedFileOperateNotAllowed Code = 622
	GroupMemberBanned                Code = 623

	ServerNotReachable                 Code = 700
	ServerUnknownError                 Code = 701
	ServerInvalid                      Code = 702
	ServerDecryptionFailed             Code = 703
	ServerEncryptMethodUnsupported     Code = 704
	ServerBusy                         Code = 705
	ServerNeedRetry                    Code = 706
	ServerTimeOut                      Code = 707
	ServerConnectFailed                Code = 708
	ServerDNSFailed                    Code = 709
	ServerDNSFetchFailed               Code = 710
	ServerDNSUserCancelFailed          Code = 711
	ServerDNSParseDataFailed           Code = 712
	ServerDNSAppIdEmpty                Code = 713
	ServerDNSAppIdInvalid              Code = 714
	ServerDNSHealthCheckFailed         Code = 715
	ServerPrivateDNSParseDataFailed    Code = 716
	ServerTokenResponseInvalid         Code = 717
	ServerTokenRequestTooMany          Code = 718
	ServerTokenRequestParameterInvalid Code = 719
	ServerTokenRequestAppIdMissing     Code = 720
	ServerTokenRequestAppIdInvalid     Code = 721
	ServerTokenAppStatusNotNormal      Code = 722
	ServerNeedReconnected              Code = 723
	ServerFileUploadUnknownError       Code = 724
	ServerFileDownloadUnknownError     Code = 725
	ServerInvalidLicense               Code = 726
	ServerLicenseLimit                 Code = 727
	ServerAppFrozen                    Code = 728
	ServerTooManyRequest               Code = 729
	ServerNotAllowOpenRegister         Code = 730
	ServerFireplaceUnknownError        Code = 731
	ServerResponseInvalid              Code = 732
	ServerInvalidUploadUrl             Code = 733
	ServerAppLicenseInvalid            Code = 734
	ServerAppLicenseExpired            Code = 735
	ServerAppLicenseExceedLimit        Code = 736
	ServerAppIdMissing                 Code = 737
	ServerAppIdInvalid                 Code = 738
	ServerAppSignInvalid               Code = 739
	ServerAppNotifierNotExist          Code = 740
	ServerNoClusterInfoForClusterId    Code = 741
	ServerFileDownloadFailure          Code = 742
	ServerAppStatusNotNormal           Code = 743
	ServerPlatformNotAllowed           Code = 744
	ServerCannotCreateDeviceSn         Code = 745
	ServerRtcNotOpen                   Code = 746
)

// Class says how the SDK reacts to an error during login and a session
// (ERRORS.md §6.1).
type Class uint8

// Error classes. The zero value is Terminal so that a code without a
// documented class never makes the SDK retry in a loop.
const (
	// Terminal errors stop the SDK: no reconnect, the error is reported and
	// the application must act (new credentials, contact the administrator).
	Terminal Class = iota
	// Recoverable errors are repaired once by the SDK itself (new token, new
	// deviceSN, new Provision); if the retry fails the same way the error
	// becomes terminal.
	Recoverable
	// Retryable errors are transient: the SDK keeps retrying with backoff and
	// reports progress, not a failure.
	Retryable
)

// String returns "terminal", "recoverable" or "retryable"; these are also the
// class names of npm/src/codes.ts.
func (c Class) String() string {
	switch c {
	case Terminal:
		return "terminal"
	case Recoverable:
		return "recoverable"
	case Retryable:
		return "retryable"
	}
	return "Class(" + strconv.Itoa(int(c)) + ")"
}

// CodeInfo describes one SDK error code: a row of ERRORS.md §7 plus the class
// of §6.1.
type CodeInfo struct {
	Code        Code
	Name        string // the constant's name, the stable identifier
	Class       Class
	Description string // the "Meaning" column of ERRORS.md §7
}

// codeTable is the one table of SDK error codes, ordered by number (Code.info
// relies on the order; a test checks it). Classes follow ERRORS.md §6.1, plus
// the spec's prose elsewhere: SignInTimeout is retryable (§6.1 text), every
// transport failure of §4.3 is (the upload/download codes), DNS failures are
// (§5, so ServerDNSFailed too), RATE_LIMIT_EXCEEDED is (§2, so
// MessageRateLimitExceeded), and ServerTokenRequestTooMany is treated like
// ServerTooManyRequest. Codes §6.1 does not mention are Terminal: they are
// per-operation failures that retrying the same request cannot fix.
var codeTable = [...]CodeInfo{
	{NoError, "NoError", Terminal, "Success."},
	{GeneralError, "GeneralError", Terminal, "Failure not covered by a more specific code; see the message and server code."},
	{InvalidParam, "InvalidParam", Terminal, "An argument passed to the SDK, or a field checked by the server, is invalid."},
	{NotFound, "NotFound", Terminal, "The requested local object (message, conversation, user, group) does not exist."},
	{DbOperationFailed, "DbOperationFailed", Terminal, "Reading or writing local storage failed."},
	{SignInInvalidParam, "SignInInvalidParam", Terminal, "Sign-in called without the required credentials."},
	{SignInUserMapDbOperationFailed, "SignInUserMapDbOperationFailed", Terminal, "Sign-in could not persist the app/user mapping locally."},
	{SignInUserDbOperationFailed, "SignInUserDbOperationFailed", Terminal, "Sign-in could not open or write the user's local store."},
	{SignInCancelled, "SignInCancelled", Terminal, "Sign-in was cancelled (logout or a new sign-in started)."},
	{SignInTimeout, "SignInTimeout", Retryable, "Sign-in did not complete in time (e.g. no Provision reply)."},
	{SignInFailed, "SignInFailed", Terminal, "Sign-in failed for a reason without a more specific code."},
	{UserNotLogin, "UserNotLogin", Recoverable, "The operation needs a logged-in session."},
	{UserAlreadyLogin, "UserAlreadyLogin", Terminal, "A user is already logged in."},
	{UserAuthFailed, "UserAuthFailed", Terminal, "Credentials rejected."},
	{UserPermissionDenied, "UserPermissionDenied", Terminal, "The user lacks permission for the operation."},
	{UserNotExist, "UserNotExist", Terminal, "The user does not exist."},
	{UserAlreadyExist, "UserAlreadyExist", Terminal, "The user name is taken."},
	{UserFrozen, "UserFrozen", Terminal, "The account is frozen."},
	{UserBanned, "UserBanned", Terminal, "The user is muted and cannot send."},
	{UserRemoved, "UserRemoved", Terminal, "The account was deleted."},
	{UserTooManyDevice, "UserTooManyDevice", Terminal, "The user has reached the device limit."},
	{UserPasswordChanged, "UserPasswordChanged", Terminal, "The password changed; log in again."},
	{UserKickedBySameDevice, "UserKickedBySameDevice", Terminal, "The same device logged in elsewhere; this session ended."},
	{UserKickedByOtherDevices, "UserKickedByOtherDevices", Terminal, "Another device of the user removed this one."},
	{UserAbnormal, "UserAbnormal", Terminal, "The account is in an abnormal state."},
	{UserCancel, "UserCancel", Terminal, "The user cancelled the operation."},
	{UserOldPasswordNotMatch, "UserOldPasswordNotMatch", Terminal, "The old password given for a password change is wrong."},
	{UserSigningIn, "UserSigningIn", Terminal, "A sign-in is already in progress."},
	{UserKickedByAppDeprecated, "UserKickedByAppDeprecated", Terminal, "The session was ended because this app/SDK version is no longer allowed."},
	{PushTokenInvalid, "PushTokenInvalid", Terminal, "The push token is invalid."},
	{PushAliasBindByOtherUser, "PushAliasBindByOtherUser", Terminal, "The push alias is bound to another user."},
	{PushAliasTokenNotMatch, "PushAliasTokenNotMatch", Terminal, "The push alias and token do not match."},
	{InvalidVerificationCode, "InvalidVerificationCode", Terminal, "The verification (captcha/SMS) code is wrong."},
	{InvalidRequestParameter, "InvalidRequestParameter", Terminal, "The server rejected a request parameter."},
	{InvalidUserNameParameter, "InvalidUserNameParameter", Terminal, "The user name is invalid."},
	{MissingAccessToken, "MissingAccessToken", Terminal, "The request carried no access token."},
	{CurrentUserIsInRoster, "CurrentUserIsInRoster", Terminal, "The user is already in the roster."},
	{CurrentUserIsInBlocklist, "CurrentUserIsInBlocklist", Terminal, "The user is in the block list."},
	{AnswerFailed, "AnswerFailed", Terminal, "The friend application is missing or expired, or its answer is wrong."},
	{InvalidToken, "InvalidToken", Recoverable, "The access token is invalid or expired."},
	{InvalidFileSign, "InvalidFileSign", Terminal, "The file signature is invalid."},
	{InvalidFileObjectType, "InvalidFileObjectType", Terminal, "The file object type is invalid."},
	{InvalidFileUploadToType, "InvalidFileUploadToType", Terminal, "The upload target type is invalid."},
	{InvalidFileDownloadUrl, "InvalidFileDownloadUrl", Terminal, "The download URL is invalid."},
	{MessageInvalid, "MessageInvalid", Terminal, "The message, or the message an operation refers to, is invalid."},
	{MessageOutRecallTime, "MessageOutRecallTime", Terminal, "The recall time limit has passed."},
	{MessageRecallDisabled, "MessageRecallDisabled", Terminal, "Recall is disabled for this app."},
	{MessageCensored, "MessageCensored", Terminal, "The content was rejected by the content filter."},
	{MessageInvalidType, "MessageInvalidType", Terminal, "The message type is not supported."},
	{MessageBadArg, "MessageBadArg", Terminal, "A message field is invalid."},
	{MessageRateLimitExceeded, "MessageRateLimitExceeded", Retryable, "Messages are being sent too fast."},
	{RosterNotFriend, "RosterNotFriend", Terminal, "The target is not a friend."},
	{RosterBlockListExist, "RosterBlockListExist", Terminal, "The target is in a block list."},
	{RosterRejectApplication, "RosterRejectApplication", Terminal, "The target rejects friend applications."},
	{RosterHasDeletedFromSystem, "RosterHasDeletedFromSystem", Terminal, "The target user was deleted from the system."},
	{GroupServerDbError, "GroupServerDbError", Terminal, "Group storage error on the server."},
	{GroupNotExist, "GroupNotExist", Terminal, "The group does not exist."},
	{GroupNotMemberFound, "GroupNotMemberFound", Terminal, "The user is not a member of the group."},
	{GroupMsgNotifyTypeUnknown, "GroupMsgNotifyTypeUnknown", Terminal, "Invalid group push mode."},
	{GroupOwnerCannotLeave, "GroupOwnerCannotLeave", Terminal, "The owner cannot leave the group."},
	{GroupTransferNotAllowed, "GroupTransferNotAllowed", Terminal, "The new owner must be a member."},
	{GroupRecoveryMode, "GroupRecoveryMode", Terminal, "The group is in repair mode."},
	{GroupExceedLimitGlobal, "GroupExceedLimitGlobal", Terminal, "The app's group limit is reached."},
	{GroupExceedLimitUserCreate, "GroupExceedLimitUserCreate", Terminal, "The user's created-groups limit is reached."},
	{GroupExceedLimitUserJoin, "GroupExceedLimitUserJoin", Terminal, "The user's joined-groups limit is reached."},
	{GroupCapacityExceedLimit, "GroupCapacityExceedLimit", Terminal, "The group is full."},
	{GroupMemberPermissionRequired, "GroupMemberPermissionRequired", Terminal, "Only members may do this."},
	{GroupAdminPermissionRequired, "GroupAdminPermissionRequired", Terminal, "Only admins may do this."},
	{GroupOwnerPermissionRequired, "GroupOwnerPermissionRequired", Terminal, "Only the owner may do this."},
	{GroupApplicationExpiredOrHandled, "GroupApplicationExpiredOrHandled", Terminal, "The join application expired or was already handled."},
	{GroupInvitationExpiredOrHandled, "GroupInvitationExpiredOrHandled", Terminal, "The invitation expired or was already handled."},
	{GroupKickTooManyTimes, "GroupKickTooManyTimes", Terminal, "Kicked too many times; cannot rejoin."},
	{GroupMemberExist, "GroupMemberExist", Terminal, "Already a member."},
	{GroupBlockListExist, "GroupBlockListExist", Terminal, "In the group's block list."},
	{GroupAnnouncementNotFound, "GroupAnnouncementNotFound", Terminal, "The announcement does not exist."},
	{GroupAnnouncementForbidden, "GroupAnnouncementForbidden", Terminal, "Announcements are disabled."},
	{GroupSharedFileNotFound, "GroupSharedFileNotFound", Terminal, "The shared file does not exist."},
	{GroupSharedFileOperateNotAllowed, "GroupSharedFileOperateNotAllowed", Terminal, "No permission on the shared file."},
	{GroupMemberBanned, "GroupMemberBanned", Terminal, "The member is muted in this group."},
	{ServerNotReachable, "ServerNotReachable", Retryable, "The server cannot be reached."},
	{ServerUnknownError, "ServerUnknownError", Retryable, "The server reported an unspecified error."},
	{ServerInvalid, "ServerInvalid", Terminal, "The server rejected the frame as invalid, or its reply made no sense."},
	{ServerDecryptionFailed, "ServerDecryptionFailed", Terminal, "The server could not decrypt the data."},
	{ServerEncryptMethodUnsupported, "ServerEncryptMethodUnsupported", Terminal, "The encryption method is not supported."},
	{ServerBusy, "ServerBusy", Retryable, "The server is overloaded; try later."},
	{ServerNeedRetry, "ServerNeedRetry", Retryable, "Transient server condition; retry."},
	{ServerTimeOut, "ServerTimeOut", Retryable, "The request or connection timed out."},
	{ServerConnectFailed, "ServerConnectFailed", Retryable, "The connection could not be established or was lost."},
	{ServerDNSFailed, "ServerDNSFailed", Retryable, "Service discovery failed."},
	{ServerDNSFetchFailed, "ServerDNSFetchFailed", Retryable, "The DNS request failed."},
	{ServerDNSUserCancelFailed, "ServerDNSUserCancelFailed", Terminal, "The DNS lookup was cancelled."},
	{ServerDNSParseDataFailed, "ServerDNSParseDataFailed", Retryable, "The DNS reply could not be used."},
	{ServerDNSAppIdEmpty, "ServerDNSAppIdEmpty", Terminal, "No app id is configured."},
	{ServerDNSAppIdInvalid, "ServerDNSAppIdInvalid", Terminal, "The DNS service does not know the app id."},
	{ServerDNSHealthCheckFailed, "ServerDNSHealthCheckFailed", Retryable, "No DNS server passed the health probe."},
	{ServerPrivateDNSParseDataFailed, "ServerPrivateDNSParseDataFailed", Retryable, "The reply of an application-configured DNS server could not be used."},
	{ServerTokenResponseInvalid, "ServerTokenResponseInvalid", Terminal, "The token reply is malformed."},
	{ServerTokenRequestTooMany, "ServerTokenRequestTooMany", Retryable, "Too many token requests."},
	{ServerTokenRequestParameterInvalid, "ServerTokenRequestParameterInvalid", Terminal, "The token request is invalid."},
	{ServerTokenRequestAppIdMissing, "ServerTokenRequestAppIdMissing", Terminal, "The token request has no app id."},
	{ServerTokenRequestAppIdInvalid, "ServerTokenRequestAppIdInvalid", Terminal, "The token request's app id is unknown."},
	{ServerTokenAppStatusNotNormal, "ServerTokenAppStatusNotNormal", Terminal, "Tokens are refused because the app is not in normal status."},
	{ServerNeedReconnected, "ServerNeedReconnected", Recoverable, "The server requires a new connection or login (e.g. cluster changed)."},
	{ServerFileUploadUnknownError, "ServerFileUploadUnknownError", Retryable, "The upload failed."},
	{ServerFileDownloadUnknownError, "ServerFileDownloadUnknownError", Retryable, "The download failed for an unknown reason."},
	{ServerInvalidLicense, "ServerInvalidLicense", Terminal, "The service licence is invalid."},
	{ServerLicenseLimit, "ServerLicenseLimit", Terminal, "The licence user limit is exceeded."},
	{ServerAppFrozen, "ServerAppFrozen", Terminal, "The app is frozen."},
	{ServerTooManyRequest, "ServerTooManyRequest", Retryable, "Too many requests; slow down."},
	{ServerNotAllowOpenRegister, "ServerNotAllowOpenRegister", Terminal, "Open registration is disabled for this app."},
	{ServerFireplaceUnknownError, "ServerFireplaceUnknownError", Terminal, "Unknown error from the long-connection gateway."},
	{ServerResponseInvalid, "ServerResponseInvalid", Retryable, "The HTTP reply is malformed."},
	{ServerInvalidUploadUrl, "ServerInvalidUploadUrl", Retryable, "The upload URL is invalid."},
	{ServerAppLicenseInvalid, "ServerAppLicenseInvalid", Terminal, "The app's licence is invalid."},
	{ServerAppLicenseExpired, "ServerAppLicenseExpired", Terminal, "The app's licence has expired."},
	{ServerAppLicenseExceedLimit, "ServerAppLicenseExceedLimit", Terminal, "The app's licence limit is exceeded."},
	{ServerAppIdMissing, "ServerAppIdMissing", Terminal, "The request has no app id."},
	{ServerAppIdInvalid, "ServerAppIdInvalid", Terminal, "The app id does not exist."},
	{ServerAppSignInvalid, "ServerAppSignInvalid", Terminal, "The app signature is invalid."},
	{ServerAppNotifierNotExist, "ServerAppNotifierNotExist", Terminal, "The push notifier (certificate) is not configured."},
	{ServerNoClusterInfoForClusterId, "ServerNoClusterInfoForClusterId", Terminal, "No cluster information for the user's cluster."},
	{ServerFileDownloadFailure, "ServerFileDownloadFailure", Retryable, "The file download failed."},
	{ServerAppStatusNotNormal, "ServerAppStatusNotNormal", Terminal, "The app is banned or revoked."},
	{ServerPlatformNotAllowed, "ServerPlatformNotAllowed", Terminal, "The platform is not enabled for this app."},
	{ServerCannotCreateDeviceSn, "ServerCannotCreateDeviceSn", Recoverable, "The server could not assign a device serial number."},
	{ServerRtcNotOpen, "ServerRtcNotOpen", Terminal, "Audio/video calling is not enabled."},
}

// Codes returns a copy of the table of SDK error codes, ordered by number. It
// feeds the code generator and documentation; the SDK itself uses the methods
// of Code.
func Codes() []CodeInfo {
	return slices.Clone(codeTable[:])
}

// info finds c in codeTable by binary search: the table is ordered, and a
// search avoids building a map at package init (which every wasm start would
// pay for).
func (c Code) info() (*CodeInfo, bool) {
	i, found := slices.BinarySearchFunc(codeTable[:], c, func(ci CodeInfo, c Code) int {
		return int(ci.Code) - int(c)
	})
	if !found {
		return nil, false
	}
	return &codeTable[i], true
}

// Known reports whether c is one of the codes of ERRORS.md §7.
func (c Code) Known() bool {
	_, ok := c.info()
	return ok
}

// String returns the name of c, e.g. "UserAlreadyExist", or "Code(n)" for a
// number this version does not know.
func (c Code) String() string {
	if ci, ok := c.info(); ok {
		return ci.Name
	}
	return "Code(" + strconv.Itoa(int(c)) + ")"
}

// Description returns the meaning of c from ERRORS.md §7, or "" for an
// unknown code. It is also the message of errors created without one.
func (c Code) Description() string {
	if ci, ok := c.info(); ok {
		return ci.Description
	}
	return ""
}

// Class returns the class of c (ERRORS.md §6.1). Unknown codes and codes the
// spec gives no class are Terminal; the class of NoError means nothing.
func (c Code) Class() Class {
	if ci, ok := c.info(); ok {
		return ci.Class
	}
	return Terminal
}

// CodeByName returns the code whose name is exactly name (case-sensitive, as
// the names are identifiers shared with the JavaScript facade).
func CodeByName(name string) (Code, bool) {
	for i := range codeTable {
		if codeTable[i].Name == name {
			return codeTable[i].Code, true
		}
	}
	return 0, false
}
