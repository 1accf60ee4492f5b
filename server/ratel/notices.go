package ratel

import "github.com/flooim/floo/xsync"

// UserNotice types (PROTOCOL.md §13.3) as the int32 the Notifier takes.
const (
	UserNoticePasswordChanged     = int32(xsync.UserNoticePasswordChanged)
	UserNoticeFrozen              = int32(xsync.UserNoticeFrozen)
	UserNoticeRemoved             = int32(xsync.UserNoticeRemoved)
	UserNoticeKickBySameDevice    = int32(xsync.UserNoticeKickBySameDevice)
	UserNoticeKickedByOtherDevice = int32(xsync.UserNoticeKickedByOtherDevice)
	UserNoticeInfoUpdated         = int32(xsync.UserNoticeInfoUpdated)
	UserNoticeDeviceLogin         = int32(xsync.UserNoticeDeviceLogin)
	UserNoticeDeviceLogout        = int32(xsync.UserNoticeDeviceLogout)
	UserNoticeDeviceAdded         = int32(xsync.UserNoticeDeviceAdded)
	UserNoticeDeviceRemoved       = int32(xsync.UserNoticeDeviceRemoved)
)

// UserNoticePayload encodes UserNotice{type, content} for Notice.Payload.
func UserNoticePayload(typ int32, content string) []byte {
	n := xsync.UserNotice{Type: xsync.UserNoticeType(typ), Content: content}
	return n.Marshal()
}
