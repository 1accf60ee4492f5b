package core

import "github.com/flooim/floo/internal/lite"

// Event is a value delivered to the handlers registered with
// Client.OnEvent. Each concrete type is a plain value struct named after its
// payload; EventName returns the official event name of JSAPI.md §8 (or a
// documented project extension), which the JavaScript facade uses to fire
// the event with the official payload.
//
// Events are delivered on one dispatcher goroutine in the order the engine
// emitted them; see Client.OnEvent.
type Event interface {
	EventName() string
}

// Official event names (JSAPI.md §8), including the official misspellings.
const (
	EventLoginSuccess                = "loginSuccess"
	EventLoginFail                   = "loginFail"
	EventLogout                      = "logout"
	EventFlooNotice                  = "flooNotice"
	EventFlooError                   = "flooError"
	EventRosterMessage               = "onRosterMessage"
	EventGroupMessage                = "onGroupMessage"
	EventRosterRTCMessage            = "onRosterRTCMessage"
	EventMentionMessage              = "onMentionMessage"
	EventInputStatusMessage          = "onInputStatusMessage"
	EventReceiveHistoryMsg           = "onReceiveHistoryMsg"
	EventSendingMessageStatusChanged = "onSendingMessageStatusChanged"
	EventMessageStatusChanged        = "onMessageStatusChanged"
	EventMessageRecalled             = "onMessageRecalled"
	EventMessageDeleted              = "onMessageDeleted"
	EventMessageCanceled             = "onMessageCanceled"
	EventRosterMessageContentAppend  = "onRosterMessageContentAppend"
	EventGroupMessageContentAppend   = "onGroupMessageContentAppend"
	EventRosterMessageReplace        = "onRosterMessageReplace"
	EventGroupMessageReplace         = "onGroupMessageReplace"
	EventUnreadChange                = "onUnreadChange"
	EventRecentListUpdate            = "recentlistUpdate"
	EventRosterListUpdate            = "onRosterListUpdate"
	EventRosterInfoUpdate            = "onRosterInfoUpdate"
	EventRosterApplied               = "onRosterApplied"
	EventRosterAccepted              = "onRosterAccepted"
	EventRosterDeclined              = "onRosterDeclined"
	EventRosterRemoved               = "onRosterRemoved"
	EventGroupListUpdate             = "onGroupListUpdate"
	EventGroupMemberChanged          = "onGroupMemberChanged"
	EventGroupCreated                = "onGroupCreated"
	EventGroupDestroyed              = "onGroupDestoryed" // sic
	EventGroupJoined                 = "onGroupJoined"
	EventGroupLeft                   = "onGroupLeaved" // sic
	EventGroupKicked                 = "onGroupKicked"
	EventGroupApplyAccepted          = "onGroupApplyAccepted"
	EventGroupApplyDeclined          = "onGroupApplyDeclined"
	EventGroupInvitedAccepted        = "onGroupInvitedAccepted"
	EventGroupInvitedDeclined        = "onGroupInvitedDeclined"
	EventGroupOwnerAssigned          = "onGroupOwnerAssigned"
	EventGroupAdminGranted           = "onGroupAdminGranted"
	EventGroupAdminRevoked           = "onGroupAdminRevoked"
	EventGroupMuted                  = "onGroupMuted"
	EventGroupUnmuted                = "onGroupUnmuted"
	EventGroupUnblocked              = "onGroupUnblocked"
	EventGroupAnnouncementUpdated    = "onGroupAnnouncementUpdated"
	EventGroupNotice                 = "onGroupNotice"
	EventGroupBanned                 = "onGroupBaned"           // sic
	EventGroupUnbanned               = "onGroupUnbaned"         // sic
	EventConnectionStateChanged      = "connectionStateChanged" // project extension
	EventSessionError                = "sessionError"           // project extension
	EventError                       = "error"                  // project extension: handler panics
	EventRTCSignal                   = "rtcSignal"              // project extension, for rtcManage
	EventSendStalled                 = "sendingStalled"         // project extension
)

// flooNotice categories (JSAPI.md §8).
const (
	NoticeCategoryLoginMessage          = "loginMessage"
	NoticeCategoryAction                = "action"
	NoticeCategoryUserNotice            = "userNotice"
	NoticeCategoryConversationDeleted   = "conversation_deleted"
	ConversationDeletedByUser           = "user_operation"
	ConversationDeletedByOtherOperation = "other_operation"
)

// Login failure reasons of the loginFail event (JSAPI.md §8).
const (
	LoginFailSocket      = "socket_failure"
	LoginFailTokenPrefix = "token failure:"
)

// Send states of SendingStatus (onSendingMessageStatusChanged).
const (
	SendStatusSending = "sending"
	SendStatusSent    = "sent"
	SendStatusFailed  = "failed"
)

// LoginSuccess: a Provision succeeded (loginSuccess). It fires after every
// successful Provision, including those of automatic reconnects; Reconnect
// tells them apart.
type LoginSuccess struct {
	UID       uint64
	DeviceSN  uint32
	Reconnect bool
}

// LoginFail: a login failed for good (loginFail). Reason is the official
// payload: "socket_failure" or "token failure:" + message.
type LoginFail struct {
	Reason string
	Err    *Error
}

// Logout: Logout was called (logout).
type Logout struct{}

// FlooNotice is a progress or session notice (flooNotice {category, desc}).
// For the category "conversation_deleted" the official desc is an object;
// it is given as ConversationID and Source instead, Desc being empty.
type FlooNotice struct {
	_              noCompare
	Category       string
	Desc           string
	ConversationID uint64
	Source         string
}

// FlooError is a session-level error with an official category
// (flooError {category, desc}, ERRORS.md §6.3).
type FlooError struct {
	_        noCompare
	Category string
	Desc     string
	Err      *Error
}

// RosterMessage: a one-to-one message was received, or an own send was
// confirmed (onRosterMessage). Messages from the user's other devices are
// included; history pages come with IsHistory set.
type RosterMessage struct{ Message Message }

// GroupMessage: a group message was received or an own send confirmed
// (onGroupMessage).
type GroupMessage struct{ Message Message }

// RosterRTCMessage: a one-to-one message of type "rtc" (onRosterRTCMessage).
type RosterRTCMessage struct{ Message Message }

// MentionMessage: a group message whose config.mentionList contains the
// local user (onMentionMessage).
type MentionMessage struct{ Message Message }

// InputStatus: the peer's typing indicator (onInputStatusMessage). Ext is
// the raw ext, e.g. {"input_status":"typing"}.
type InputStatus struct {
	_    noCompare
	Ext  string
	From uint64
	To   uint64
}

// HistoryReceived: a history page was processed (onReceiveHistoryMsg).
// Next is the id to pass as beforeID for the next older page, 0 when there
// is none.
type HistoryReceived struct {
	ConversationID uint64
	Next           uint64
}

// SendingStatus reports send progress (onSendingMessageStatusChanged). Mid
// is the client_mid. On "sent" Message carries the stored message with its
// server id; on "failed" ErrorCode and ErrorReason are the raw XSYNC status
// and reason (0 and the message for failures without a status, such as a
// timeout), and Err the mapped error.
type SendingStatus struct {
	_           noCompare
	Status      string
	Mid         uint64
	UID         uint64 // conversation id
	Message     *Message
	ErrorCode   int
	ErrorReason string
	Err         *Error
}

// SendStalled: a send written to the connection got no ack within 10 s
// (project extension, sendingStalled). It is not final: the send stays
// "sending" and is written again on every reconnect until acknowledged;
// the engine probes the connection at the same time (PROTOCOL.md §5, §7.5).
// Mid is the client_mid, UID the conversation.
type SendStalled struct {
	_        noCompare
	Mid, UID uint64
}

// MessageStatusChanged: an operation was applied to a stored message
// (onMessageStatusChanged). UID is the conversation id.
type MessageStatusChanged struct{ UID, Mid uint64 }

// MessageRecalled: a message was recalled (onMessageRecalled).
type MessageRecalled struct{ UID, Mid uint64 }

// MessageDeleted: a message was deleted for this user (onMessageDeleted).
type MessageDeleted struct{ UID, Mid uint64 }

// MessageCanceled: a message was marked unread again (onMessageCanceled).
type MessageCanceled struct{ UID, Mid uint64 }

// ContentAppended: an APPEND was applied; Message is the updated message
// (onRosterMessageContentAppend or onGroupMessageContentAppend by ToType).
type ContentAppended struct{ Message Message }

// MessageReplaced: a REPLACE was applied; Message is the updated message
// (onRosterMessageReplace or onGroupMessageReplace by ToType).
type MessageReplaced struct{ Message Message }

// UnreadChanged: the unread count of a conversation may have changed
// (onUnreadChange, payload: the conversation id).
type UnreadChanged struct{ ConversationID uint64 }

// RecentListUpdated: the conversation list changed (recentlistUpdate).
type RecentListUpdated struct{}

// XID is a user, group or device address as carried in notices.
type XID struct {
	UID      uint64
	DeviceSN uint32
}

// NoticeMeta is a roster or group notice as delivered (JSAPI.md §11). NS
// and Payload.Type are the numbers of xsync.proto.
type NoticeMeta struct {
	ID        uint64
	From      XID
	To        XID
	Timestamp uint64
	NS        int32
	Payload   NoticePayload
}

// NoticePayload is the decoded GroupNotice or RosterNotice of a NoticeMeta.
// Gid is zero for roster notices; RosterVsn is empty for group notices.
type NoticePayload struct {
	Type      int32
	Gid       XID
	From      XID
	To        []XID
	Content   string
	RosterVsn string
}

// RosterNotice is a roster notice event; Name is the official event it
// fires (onRosterApplied, onRosterAccepted, onRosterDeclined,
// onRosterRemoved).
type RosterNotice struct {
	Name   string
	Notice NoticeMeta
}

// RosterListUpdated: the friend list changed (onRosterListUpdate). Notice is
// the notice that changed it, or nil.
type RosterListUpdated struct{ Notice *NoticeMeta }

// RosterInfoUpdated: cached friend details changed (onRosterInfoUpdate).
type RosterInfoUpdated struct{ UIDs []uint64 }

// GroupNotice is a group notice event; Name is the official event it fires
// (onGroupCreated, onGroupJoined, ..., onGroupNotice for invitations).
type GroupNotice struct {
	Name   string
	Notice NoticeMeta
}

// GroupListUpdated: the joined-group list or a group's info changed
// (onGroupListUpdate). Notice is the notice that changed it, or nil.
type GroupListUpdated struct{ Notice *NoticeMeta }

// GroupMemberChanged: a group's member list changed (onGroupMemberChanged).
type GroupMemberChanged struct{ GroupID uint64 }

// GroupBanned: members, or with All the whole group, were banned
// (onGroupBaned).
type GroupBanned struct {
	GroupID uint64
	ToUIDs  []uint64
	Content string
	All     bool
}

// GroupUnbanned: a ban was lifted (onGroupUnbaned).
type GroupUnbanned struct {
	GroupID uint64
	ToUIDs  []uint64
	All     bool
}

// StateChanged reports a change of the connection state (project
// extension, connectionStateChanged). Err is the cause of a drop, if any.
// RetryIn, with StateReconnecting, is the wait before the next attempt, so
// that an application can show a countdown.
type StateChanged struct {
	_       noCompare
	State   State
	Err     *Error
	RetryIn lite.Duration
}

// SessionError reports an error of the running session that is not the
// answer to a call (project extension, sessionError): terminal errors that
// ended the session, non-OK statuses of sync replies, prefetch failures. It
// accompanies the official flooError/flooNotice events, which carry less.
type SessionError struct{ Err *Error }

// ErrorEvent reports an internal problem, such as a panicking event handler
// (project extension, error).
type ErrorEvent struct{ Err *Error }

// RTCSignal is an RTC_SIGNAL meta received (project extension, rtcSignal):
// Janus JSON for the RTC layer (PROTOCOL.md §15).
type RTCSignal struct {
	_           noCompare
	ID          uint64
	From        uint64
	To          uint64
	Content     string
	MediaServer string
}

// EventName implementations.

func (LoginSuccess) EventName() string         { return EventLoginSuccess }
func (LoginFail) EventName() string            { return EventLoginFail }
func (Logout) EventName() string               { return EventLogout }
func (FlooNotice) EventName() string           { return EventFlooNotice }
func (FlooError) EventName() string            { return EventFlooError }
func (RosterMessage) EventName() string        { return EventRosterMessage }
func (GroupMessage) EventName() string         { return EventGroupMessage }
func (RosterRTCMessage) EventName() string     { return EventRosterRTCMessage }
func (MentionMessage) EventName() string       { return EventMentionMessage }
func (InputStatus) EventName() string          { return EventInputStatusMessage }
func (HistoryReceived) EventName() string      { return EventReceiveHistoryMsg }
func (SendingStatus) EventName() string        { return EventSendingMessageStatusChanged }
func (SendStalled) EventName() string          { return EventSendStalled }
func (MessageStatusChanged) EventName() string { return EventMessageStatusChanged }
func (MessageRecalled) EventName() string      { return EventMessageRecalled }
func (MessageDeleted) EventName() string       { return EventMessageDeleted }
func (MessageCanceled) EventName() string      { return EventMessageCanceled }
func (UnreadChanged) EventName() string        { return EventUnreadChange }
func (RecentListUpdated) EventName() string    { return EventRecentListUpdate }
func (e RosterNotice) EventName() string       { return e.Name }
func (RosterListUpdated) EventName() string    { return EventRosterListUpdate }
func (RosterInfoUpdated) EventName() string    { return EventRosterInfoUpdate }
func (e GroupNotice) EventName() string        { return e.Name }
func (GroupListUpdated) EventName() string     { return EventGroupListUpdate }
func (GroupMemberChanged) EventName() string   { return EventGroupMemberChanged }
func (GroupBanned) EventName() string          { return EventGroupBanned }
func (GroupUnbanned) EventName() string        { return EventGroupUnbanned }
func (StateChanged) EventName() string         { return EventConnectionStateChanged }
func (SessionError) EventName() string         { return EventSessionError }
func (ErrorEvent) EventName() string           { return EventError }
func (RTCSignal) EventName() string            { return EventRTCSignal }

// EventName returns onGroupMessageContentAppend for group messages and
// onRosterMessageContentAppend otherwise.
func (e ContentAppended) EventName() string {
	if e.Message.ToType == ToGroup {
		return EventGroupMessageContentAppend
	}
	return EventRosterMessageContentAppend
}

// EventName returns onGroupMessageReplace for group messages and
// onRosterMessageReplace otherwise.
func (e MessageReplaced) EventName() string {
	if e.Message.ToType == ToGroup {
		return EventGroupMessageReplace
	}
	return EventRosterMessageReplace
}
