package xsync

// This file declares one struct per message of xsync.proto (package
// im.floo.protobuf). Field names follow protoc-gen-go so that code written
// against generated types reads the same against these. Embedded messages are
// pointers (nil = absent), repeated messages are slices of pointers, and
// sint32 fields are plain int32 (the zig-zag transform happens on the wire).

// Frame is the outer message: one WebSocket binary message (or one socket.io
// binary attachment) carries exactly one Frame. Payload holds a separately
// encoded message chosen by Command (PROTOCOL.md §3.5). Frame always writes
// Command, even when it is UNREAD, so no encoded frame is empty.
type Frame struct {
	Vsn            Vsn
	CompressMethod CompressMethod
	Command        Command
	Payload        []byte
	EncryptMethod  EncryptMethod
	EncryptKey     []byte
	CheckSum       uint32
	Tag            string
}

// Status is the result carried by server replies. A nil Status, or one whose
// Code is 0 or OK, means success (ERRORS.md §2); see Status.Err.
type Status struct {
	Code   StatusCode
	Reason string
}

// XID names a user, a group, or one device of a user. DeviceSN 0 means "no
// particular device". The field is spelled deviceSN on the wire schema.
type XID struct {
	Uid      uint64
	DeviceSN uint32
}

// ConversationUnread is one entry of an UnreadDL: N pending messages in the
// conversation Xid. Entries with N = 0 are listed too.
type ConversationUnread struct {
	Xid  *XID
	N    uint32
	Type ConvType
}

// UnreadUL is the (empty) uplink payload of an UNREAD frame. The official
// clients omit the payload entirely; both forms are equivalent.
type UnreadUL struct{}

// UnreadDL is the server's answer to an UNREAD frame.
type UnreadDL struct {
	Status *Status
	Unread []*ConversationUnread
}

// SyncUL is the uplink payload of a SYNC frame: a pull from a stream
// (Xid, Key), a history query (IsFullSync, FullSyncNum), or a send (Meta).
type SyncUL struct {
	Xid         *XID
	Key         uint64
	Meta        *Meta
	IsFullSync  bool
	FullSyncNum int32 // sint32 on the wire
}

// SyncDL is the downlink payload of a SYNC frame: sync data, a history page,
// or, when ClientMid > 0 and IsFullSync is false, a send result.
type SyncDL struct {
	Status        *Status
	Metas         []*Meta
	NextKey       uint64
	Xid           *XID
	ClientMid     uint64
	ServerMid     uint64
	ServerTime    uint64
	IsFullSync    bool
	PrevMid       uint64
	IsEagerSync   bool
	EditTimestamp uint64
}

// Notice tells the client that conversation Xid has new data; the client
// answers with a SyncUL for that Xid.
type Notice struct {
	Xid *XID
}

// Provision is the login request (client to server) and its result (server
// to client, with Status and the assigned deviceSN in Xid). Field numbers 3
// and 4 are reserved.
type Provision struct {
	_              noCompare
	Status         *Status
	Xid            *XID
	Password       string
	Token          string
	OsType         OsType
	SdkVsn         string
	IsManualLogin  bool
	DeviceGuid     string
	DeviceNotifier string
	DeviceToken    string
	DeviceInfo     string
	LastLoginTime  uint64
}

// Meta is one item of data in a stream. Payload holds a separately encoded
// message chosen by Ns (PROTOCOL.md §3.6); see the accessors in meta.go.
type Meta struct {
	Id        uint64
	From      *XID
	To        *XID
	Timestamp uint64
	Ns        NameSpace
	Payload   []byte
}

// MessageOperation is the operation carried by a MessageBody of type OPER:
// Type applied to message Mid of conversation Xid.
type MessageOperation struct {
	Type OpType
	Mid  uint64
	Xid  *XID
}

// MessageBody is the payload of MESSAGE and PUSH metas: a chat message or a
// message operation. Field numbers 2 and 3 are reserved.
type MessageBody struct {
	_             noCompare
	Type          MessageType
	Content       string
	Ctype         ContentType
	Operation     *MessageOperation
	Config        string
	Attachment    string
	Ext           string
	Qos           QoS
	SenderName    string
	IsSystem      bool
	Priority      uint32
	Status        MessageStatus
	EditTimestamp uint64
}

// GroupNotice is the payload of GROUP_NOTICE metas.
type GroupNotice struct {
	Type    GroupNoticeType
	Gid     *XID
	From    *XID
	To      []*XID
	Content string
}

// RosterNotice is the payload of ROSTER_NOTICE metas.
type RosterNotice struct {
	Type      RosterNoticeType
	From      *XID
	To        []*XID
	Content   string
	RosterVsn string
}

// UserNotice is the payload of USER_NOTICE metas.
type UserNotice struct {
	Type    UserNoticeType
	Content string
}

// Info is the payload of INFO metas (client telemetry; servers ignore it).
type Info struct {
	SdkVsn  string
	Network Network
	Content string
}

// ConversationOperation is the operation carried by a Conversation.
type ConversationOperation struct {
	Type ConversationOpType
	Xid  *XID
}

// Conversation is the payload of CONVERSATION metas (conversation delete).
type Conversation struct {
	Type      ConversationType
	Operation *ConversationOperation
}

// RtcSignal is the payload of RTC_SIGNAL metas (call signalling).
type RtcSignal struct {
	_           noCompare
	Type        RtcSignalType
	Content     string
	MediaServer string
}

// noCompare, as the first field of a struct, makes it not comparable with
// ==, so no equality function is linked for it (as protoc-gen-go's
// messages do); compare messages field by field.
type noCompare [0]func()
