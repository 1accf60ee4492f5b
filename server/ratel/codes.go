package ratel

// Business codes of the REST envelope (ERRORS.md §4.1). The SDK maps each to
// an SDK error name; keep the numbers exactly as listed there.
const (
	CodeOK                   = 200   // success
	CodeTokenInvalid         = 402   // access token invalid or expired (clients relogin)
	CodeUserNotExist         = 10000 // user does not exist
	CodeVerificationCode     = 10001 // wrong verification code
	CodeBadParam             = 10002 // bad request parameter (also: wrong password on token endpoints)
	CodeMissingToken         = 10003 // access-token missing
	CodeUserExists           = 10004 // user already exists
	CodeAlreadyInRoster      = 10005 // already in the roster
	CodeInBlockList          = 10006 // in the block list
	CodeApplicationMissing   = 10007 // friend application missing/expired, or wrong answer
	CodeTokenInvalidNoLogin  = 10008 // access-token invalid (no relogin in official clients)
	CodeObjectStorage        = 10009 // object-storage error
	CodeNoPermission         = 10010 // no permission
	CodeUserIDBound          = 10011 // user id already bound (account binding)
	CodeRejectsApplications  = 10012 // the user rejects friend applications
	CodePushVendorUpload     = 12001 // push-service errors 12001–12006
	CodePushImageTooLarge    = 12002
	CodePushBadImageURL      = 12003
	CodePushTooManyTargets   = 12004
	CodePushNotEnabled       = 12005
	CodePushOther            = 12006
	CodeGroupDB              = 20000 // group database error
	CodeGroupNotExist        = 20001 // group does not exist
	CodeNotGroupMember       = 20002 // not a group member
	CodeBadPushMode          = 20003 // invalid msg_push_mode
	CodeOwnerCannotLeave     = 20004 // the owner cannot leave
	CodeTransferNotMember    = 20005 // transfer target is not a member
	CodeGroupRepair          = 20006 // group in repair mode
	CodeAppGroupLimit        = 20007 // app's group limit reached
	CodeUserCreateLimit      = 20008 // user's created-groups limit reached
	CodeUserJoinLimit        = 20009 // user's joined-groups limit reached
	CodeGroupFull            = 20010 // group member limit reached
	CodeMemberRequired       = 20011 // member permission required
	CodeAdminRequired        = 20012 // admin permission required
	CodeOwnerRequired        = 20013 // owner permission required
	CodeApplicationHandled   = 20014 // application expired or already handled
	CodeInvitationHandled    = 20015 // invitation expired or already handled
	CodeKickedTooOften       = 20016 // kicked too many times, cannot rejoin
	CodeAlreadyMember        = 20017 // already a member
	CodeGroupBlocked         = 20018 // in the group block list
	CodeAnnouncementNotFound = 20020 // announcement not found
	CodeAnnouncementDisabled = 20021 // announcements disabled by an admin
	CodeSharedFileNotFound   = 20022 // shared file not found
	CodeSharedFileDenied     = 20023 // no permission on the shared file
	CodeBadInviteQR          = 20024 // invalid group-invitation QR code
	CodeExpiredInviteQR      = 20025 // expired group-invitation QR code
	CodeLicenseInvalid       = 30021 // licence invalid
	CodeLicenseExpired       = 30022 // licence expired
	CodeLicenseLimit         = 30023 // licence limit exceeded
	CodeAppNotExist          = 40000 // app id does not exist

	// Codes of this server outside ERRORS.md §4.1. The SDK reads them as
	// ServerUnknownError; they travel with a matching HTTP status, which is
	// what the SDK actually acts on (ERRORS.md §4.3).
	CodeNotFound        = 404 // unknown path (HTTP 404)
	CodeTooManyRequests = 429 // rate limited (HTTP 429 → ServerTooManyRequest)
	CodeInternal        = 500 // unexpected server failure (HTTP 500 → ServerBusy, retryable)
)
