package xsync

import "strconv"

// Enums are int32-based like protoc-gen-go enums, so that any value read from
// the wire (including values newer than this schema) is kept as is. String
// returns the proto name, or the decimal number for values this package does
// not know. The names live in tables rather than in fmt-based generated code
// to keep the wasm build small.

// enumName returns names[v] when v is a known value, else v in decimal.
func enumName(names []string, v int32) string {
	if v >= 0 && int(v) < len(names) {
		return names[v]
	}
	return strconv.Itoa(int(v))
}

// Vsn is Frame.VSN, the protocol version of a frame.
type Vsn int32

// Vsn values.
const (
	VsnXsyncV1 Vsn = 0 // the only version the JS clients speak
	VsnXsyncV2 Vsn = 1
)

var vsnNames = [...]string{"XSYNC_V1", "XSYNC_V2"}

// String returns the proto name of v.
func (v Vsn) String() string { return enumName(vsnNames[:], int32(v)) }

// Command is Frame.Command: which payload a frame carries.
type Command int32

// Command values.
const (
	CommandUnread    Command = 0
	CommandSync      Command = 1
	CommandNotice    Command = 2
	CommandProvision Command = 3
)

var commandNames = [...]string{"UNREAD", "SYNC", "NOTICE", "PROVISION"}

// String returns the proto name of c.
func (c Command) String() string { return enumName(commandNames[:], int32(c)) }

// CompressMethod is Frame.CompressMethod.
type CompressMethod int32

// CompressMethod values. Never send ZLIB to the JS clients.
const (
	CompressNone CompressMethod = 0
	CompressZlib CompressMethod = 1
)

var compressNames = [...]string{"NONE", "ZLIB"}

// String returns the proto name of c.
func (c CompressMethod) String() string { return enumName(compressNames[:], int32(c)) }

// EncryptMethod is Frame.EncryptMethod (unused by the JS clients).
type EncryptMethod int32

// EncryptMethod values.
const (
	EncryptNone      EncryptMethod = 0
	EncryptAESCBC128 EncryptMethod = 1
	EncryptAESCBC256 EncryptMethod = 2
	EncryptCustom    EncryptMethod = 3
)

var encryptNames = [...]string{"ENCRYPT_NONE", "AES_CBC_128", "AES_CBC_256", "CUSTOM"}

// String returns the proto name of e.
func (e EncryptMethod) String() string { return enumName(encryptNames[:], int32(e)) }

// ConvType is ConversationUnread.ConvType.
type ConvType int32

// ConvType values. The personal stream is listed as UNKNOWN.
const (
	ConvUnknown   ConvType = 0
	ConvChat      ConvType = 1
	ConvGroupChat ConvType = 2
)

var convTypeNames = [...]string{"UNKNOWN", "CHAT", "GROUPCHAT"}

// String returns the proto name of t.
func (t ConvType) String() string { return enumName(convTypeNames[:], int32(t)) }

// OsType is Provision.OsType.
type OsType int32

// OsType values. Browsers and mini-programs send WEB.
const (
	OsUnknown OsType = 0
	OsIOS     OsType = 1
	OsAndroid OsType = 2 // ANDR
	OsWindows OsType = 3 // WIN
	OsMacOS   OsType = 4 // OSX
	OsLinux   OsType = 5
	OsWeb     OsType = 6
)

var osTypeNames = [...]string{"UNKNOWN", "IOS", "ANDR", "WIN", "OSX", "LINUX", "WEB"}

// String returns the proto name of t.
func (t OsType) String() string { return enumName(osTypeNames[:], int32(t)) }

// NameSpace is Meta.NameSpace: which payload a Meta carries.
type NameSpace int32

// NameSpace values.
const (
	NSUnknown      NameSpace = 0
	NSMessage      NameSpace = 1
	NSGroupNotice  NameSpace = 2
	NSRosterNotice NameSpace = 3
	NSUserNotice   NameSpace = 4
	NSInfo         NameSpace = 5
	NSConversation NameSpace = 6
	NSPush         NameSpace = 7
	NSRtcSignal    NameSpace = 8
)

var nameSpaceNames = [...]string{
	"UNKNOWN", "MESSAGE", "GROUP_NOTICE", "ROSTER_NOTICE", "USER_NOTICE",
	"INFO", "CONVERSATION", "PUSH", "RTC_SIGNAL",
}

// String returns the proto name of ns.
func (ns NameSpace) String() string { return enumName(nameSpaceNames[:], int32(ns)) }

// OpType is MessageOperation.OpType.
type OpType int32

// OpType values.
const (
	OpUnknown    OpType = 0
	OpReadAck    OpType = 1
	OpReadAll    OpType = 2
	OpReadCancel OpType = 3
	OpDeliverAck OpType = 4
	OpRecall     OpType = 5
	OpDelete     OpType = 6
	OpPlayAck    OpType = 7
	OpAppend     OpType = 8
	OpReplace    OpType = 9
)

var opTypeNames = [...]string{
	"UNKNOWN", "READ_ACK", "READ_ALL", "READ_CANCEL", "DELIVER_ACK",
	"RECALL", "DELETE", "PLAY_ACK", "APPEND", "REPLACE",
}

// String returns the proto name of t.
func (t OpType) String() string { return enumName(opTypeNames[:], int32(t)) }

// MessageType is MessageBody.Type.
type MessageType int32

// MessageType values.
const (
	MsgNormal    MessageType = 0
	MsgOper      MessageType = 1
	MsgChat      MessageType = 2
	MsgGroupChat MessageType = 3
)

var messageTypeNames = [...]string{"NORMAL", "OPER", "CHAT", "GROUPCHAT"}

// String returns the proto name of t.
func (t MessageType) String() string { return enumName(messageTypeNames[:], int32(t)) }

// ContentType is MessageBody.ContentType.
type ContentType int32

// ContentType values.
const (
	CTypeText     ContentType = 0
	CTypeImage    ContentType = 1
	CTypeAudio    ContentType = 2
	CTypeVideo    ContentType = 3
	CTypeFile     ContentType = 4
	CTypeLocation ContentType = 5
	CTypeCommand  ContentType = 6
	CTypeForward  ContentType = 7
	CTypeRTC      ContentType = 8
)

var contentTypeNames = [...]string{
	"TEXT", "IMAGE", "AUDIO", "VIDEO", "FILE", "LOCATION", "COMMAND", "FORWARD", "RTC",
}

// String returns the proto name of t.
func (t ContentType) String() string { return enumName(contentTypeNames[:], int32(t)) }

// QoS is MessageBody.QoS.
type QoS int32

// QoS values. Typing indicators use AT_MOST_ONCE and are never stored.
const (
	QoSAtLeastOnce QoS = 0
	QoSAtMostOnce  QoS = 1
	QoSExactlyOnce QoS = 2
)

var qosNames = [...]string{"AT_LEAST_ONCE", "AT_MOST_ONCE", "EXACTLY_ONCE"}

// String returns the proto name of q.
func (q QoS) String() string { return enumName(qosNames[:], int32(q)) }

// MessageStatus is MessageBody.Status, the read state the server fills in.
type MessageStatus int32

// MessageStatus values.
const (
	MsgStatusUnread    MessageStatus = 0
	MsgStatusDelivered MessageStatus = 1
	MsgStatusRead      MessageStatus = 2
)

var messageStatusNames = [...]string{"UNREAD", "DELIVERED", "READ"}

// String returns the proto name of s.
func (s MessageStatus) String() string { return enumName(messageStatusNames[:], int32(s)) }

// GroupNoticeType is GroupNotice.Type.
type GroupNoticeType int32

// GroupNoticeType values.
const (
	GroupNoticeUnknown             GroupNoticeType = 0
	GroupNoticePresence            GroupNoticeType = 1
	GroupNoticeAbsence             GroupNoticeType = 2
	GroupNoticeCreated             GroupNoticeType = 3
	GroupNoticeDestroyed           GroupNoticeType = 4
	GroupNoticeJoined              GroupNoticeType = 5
	GroupNoticeLeaved              GroupNoticeType = 6
	GroupNoticeApplyed             GroupNoticeType = 7
	GroupNoticeApplyAccepted       GroupNoticeType = 8
	GroupNoticeApplyDeclined       GroupNoticeType = 9
	GroupNoticeInvited             GroupNoticeType = 10
	GroupNoticeInviteAccepted      GroupNoticeType = 11
	GroupNoticeInviteDeclined      GroupNoticeType = 12
	GroupNoticeKicked              GroupNoticeType = 13
	GroupNoticeBlocked             GroupNoticeType = 14
	GroupNoticeUnblocked           GroupNoticeType = 15
	GroupNoticeOwnerAssigned       GroupNoticeType = 16
	GroupNoticeAdminGranted        GroupNoticeType = 17
	GroupNoticeAdminRevoked        GroupNoticeType = 18
	GroupNoticeMuted               GroupNoticeType = 19
	GroupNoticeUnmuted             GroupNoticeType = 20
	GroupNoticeBanned              GroupNoticeType = 21
	GroupNoticeUnbanned            GroupNoticeType = 22
	GroupNoticeInfoUpdated         GroupNoticeType = 23
	GroupNoticeAnnouncementUpdated GroupNoticeType = 24
	GroupNoticeMessageSetting      GroupNoticeType = 25
	GroupNoticeFileUploaded        GroupNoticeType = 26
	GroupNoticeFileDeleted         GroupNoticeType = 27
	GroupNoticeFileUpdated         GroupNoticeType = 28
)

var groupNoticeTypeNames = [...]string{
	"UNKNOWN", "PRESENCE", "ABSENCE", "CREATED", "DESTROYED", "JOINED", "LEAVED",
	"APPLYED", "APPLY_ACCEPTED", "APPLY_DECLINED", "INVITED", "INVITE_ACCEPTED",
	"INVITE_DECLINED", "KICKED", "BLOCKED", "UNBLOCKED", "OWNER_ASSIGNED",
	"ADMIN_GRANTED", "ADMIN_REVOKED", "MUTED", "UNMUTED", "BANNED", "UNBANNED",
	"INFO_UPDATED", "ANNOUNCEMENT_UPDATED", "MESSAGE_SETTING", "FILE_UPLOADED",
	"FILE_DELETED", "FILE_UPDATED",
}

// String returns the proto name of t.
func (t GroupNoticeType) String() string { return enumName(groupNoticeTypeNames[:], int32(t)) }

// RosterNoticeType is RosterNotice.Type.
type RosterNoticeType int32

// RosterNoticeType values.
const (
	RosterNoticeUnknown     RosterNoticeType = 0
	RosterNoticeAdded       RosterNoticeType = 1
	RosterNoticeRemoved     RosterNoticeType = 2
	RosterNoticeAccepted    RosterNoticeType = 3
	RosterNoticeDeclined    RosterNoticeType = 4
	RosterNoticeBlocked     RosterNoticeType = 5
	RosterNoticeUnblocked   RosterNoticeType = 6
	RosterNoticeApplied     RosterNoticeType = 7
	RosterNoticeInfoUpdated RosterNoticeType = 8
	RosterNoticeMuted       RosterNoticeType = 9
	RosterNoticeUnmuted     RosterNoticeType = 10
)

var rosterNoticeTypeNames = [...]string{
	"UNKNOWN", "ADDED", "REMOVED", "ACCEPTED", "DECLINED", "BLOCKED",
	"UNBLOCKED", "APPLIED", "INFO_UPDATED", "MUTED", "UNMUTED",
}

// String returns the proto name of t.
func (t RosterNoticeType) String() string { return enumName(rosterNoticeTypeNames[:], int32(t)) }

// UserNoticeType is UserNotice.Type.
type UserNoticeType int32

// UserNoticeType values.
const (
	UserNoticeUnknown              UserNoticeType = 0
	UserNoticePasswordChanged      UserNoticeType = 1
	UserNoticeFrozen               UserNoticeType = 2
	UserNoticeRemoved              UserNoticeType = 3
	UserNoticeKickBySameDevice     UserNoticeType = 4
	UserNoticeKickedByOtherDevice  UserNoticeType = 5
	UserNoticeInfoUpdated          UserNoticeType = 6
	UserNoticeDeviceLogin          UserNoticeType = 7
	UserNoticeDeviceLogout         UserNoticeType = 8
	UserNoticeDeviceAdded          UserNoticeType = 9
	UserNoticeDeviceRemoved        UserNoticeType = 10
	UserNoticeClusterChanged       UserNoticeType = 11
	UserNoticeDNSUpdate            UserNoticeType = 12
	UserNoticeTrafficLimitExceeded UserNoticeType = 13
)

var userNoticeTypeNames = [...]string{
	"UNKNOWN", "PASSWORD_CHANGED", "FROZEN", "REMOVED", "KICK_BY_SAME_DEVICE",
	"KICKED_BY_OTHER_DEVICE", "INFO_UPDATED", "DEVICE_LOGIN", "DEVICE_LOGOUT",
	"DEVICE_ADDED", "DEVICE_REMOVED", "CLUSTER_CHANGED", "DNS_UPDATE",
	"TRAFFIC_LIMIT_EXCEEDED",
}

// String returns the proto name of t.
func (t UserNoticeType) String() string { return enumName(userNoticeTypeNames[:], int32(t)) }

// Network is Info.Network. Note that WIRE, not UNKNOWN, is the zero value.
type Network int32

// Network values.
const (
	NetWire    Network = 0
	NetWifi    Network = 1
	Net2G      Network = 2
	Net3G      Network = 3
	Net4G      Network = 4
	Net5G      Network = 5
	NetUnknown Network = 6
)

var networkNames = [...]string{"WIRE", "WIFI", "NET_2G", "NET_3G", "NET_4G", "NET_5G", "UNKNOWN"}

// String returns the proto name of n.
func (n Network) String() string { return enumName(networkNames[:], int32(n)) }

// ConversationOpType is ConversationOperation.OpType.
type ConversationOpType int32

// ConversationOpType values.
const (
	ConvOpUnknown          ConversationOpType = 0
	ConvOpDelete           ConversationOpType = 1
	ConvOpDeleteEverywhere ConversationOpType = 2
)

var conversationOpTypeNames = [...]string{"UNKNOWN", "DELETE", "DELETE_EVERYWHERE"}

// String returns the proto name of t.
func (t ConversationOpType) String() string { return enumName(conversationOpTypeNames[:], int32(t)) }

// ConversationType is Conversation.Type.
type ConversationType int32

// ConversationType values.
const (
	ConversationUnknown ConversationType = 0
	ConversationOper    ConversationType = 1
)

var conversationTypeNames = [...]string{"UNKNOWN", "OPER"}

// String returns the proto name of t.
func (t ConversationType) String() string { return enumName(conversationTypeNames[:], int32(t)) }

// RtcSignalType is RtcSignal.Type.
type RtcSignalType int32

// RtcSignalType values.
const (
	RtcSignalUnknown   RtcSignalType = 0
	RtcSignalVideoRoom RtcSignalType = 1
)

var rtcSignalTypeNames = [...]string{"UNKNOWN", "VIDEO_ROOM"}

// String returns the proto name of t.
func (t RtcSignalType) String() string { return enumName(rtcSignalTypeNames[:], int32(t)) }
