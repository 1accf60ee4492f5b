package core

import (
	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/xsync"
)

// Message is a chat message as the application sees it: the fields of the
// official message object (JSAPI.md §10) in Go form. The JSON fields
// (Config, Attachment) stay raw strings; the JavaScript facade parses them
// with a big-integer-safe parser. Ids are uint64; the facade turns them into
// decimal strings.
type Message struct {
	_          noCompare
	ID         uint64 // server message id; while sending, the client_mid
	From       uint64 // sender uid, 0 for system messages
	To         uint64 // receiver uid or gid
	Type       string // content type: text, image, audio, video, file, location, command, forward, rtc
	Content    string
	Ext        string // raw ext
	Config     string // raw config JSON, "" if none
	Attachment string // raw attachment JSON, "" if none
	Status     MessageStatus
	Timestamp  uint64 // ms
	ToType     string // ToRoster or ToGroup
	IsSystem   bool
	IsHistory  bool // came from a history page
	IsPlayed   bool // audio played (PLAY_ACK)

	EditTimestamp   uint64 // last APPEND/REPLACE time, 0 if never edited
	AppendedContent string // the last APPEND's text
	AppendConfig    string // the last APPEND's config (raw)
	AppendExt       string // the last APPEND's ext
	ReplaceConfig   string // the last REPLACE's config (raw)
	ReplaceExt      string // the last REPLACE's ext
}

// MessageStatus is the read state of a message (MessageBody.status).
type MessageStatus int

// Message read states.
const (
	MessageUnread    MessageStatus = 0
	MessageDelivered MessageStatus = 1
	MessageRead      MessageStatus = 2
)

// Conversation kinds (Message.ToType and ConversationEntry.Type).
const (
	ToRoster = "roster"
	ToGroup  = "group"
)

// Content type names (Message.Type), the lower-case ContentType names of
// xsync.proto.
const (
	TypeText     = "text"
	TypeImage    = "image"
	TypeAudio    = "audio"
	TypeVideo    = "video"
	TypeFile     = "file"
	TypeLocation = "location"
	TypeCommand  = "command"
	TypeForward  = "forward"
	TypeRTC      = "rtc"
)

var contentTypeNames = [...]string{
	xsync.CTypeText:     TypeText,
	xsync.CTypeImage:    TypeImage,
	xsync.CTypeAudio:    TypeAudio,
	xsync.CTypeVideo:    TypeVideo,
	xsync.CTypeFile:     TypeFile,
	xsync.CTypeLocation: TypeLocation,
	xsync.CTypeCommand:  TypeCommand,
	xsync.CTypeForward:  TypeForward,
	xsync.CTypeRTC:      TypeRTC,
}

// contentTypeName returns the name of ct; unknown future types are named by
// their number so nothing is lost.
func contentTypeName(ct xsync.ContentType) string {
	if ct >= 0 && int(ct) < len(contentTypeNames) {
		return contentTypeNames[ct]
	}
	return ct.String()
}

// contentTypeByName returns the ContentType of a name; "" means text.
func contentTypeByName(name string) (xsync.ContentType, bool) {
	if name == "" {
		return xsync.CTypeText, true
	}
	for i, n := range contentTypeNames {
		if n == name {
			return xsync.ContentType(i), true
		}
	}
	return 0, false
}

// ConversationID returns the conversation the message belongs to from the
// point of view of user self: the group for group messages, otherwise the
// party that is not self (PROTOCOL.md §6.1).
func (m *Message) ConversationID(self uint64) uint64 {
	if m.ToType == ToGroup {
		return m.To
	}
	if m.From == self {
		return m.To
	}
	return m.From
}

// countsUnread reports whether m counts for the unread count of its
// conversation: received (not sent by self), not yet read, and not a call
// control message (PROTOCOL.md §9.5).
func (m *Message) countsUnread(self uint64) bool {
	return m.From != self && m.Status != MessageRead && m.Type != TypeRTC
}

// configMentions reports whether the config's mentionList contains uid. Ids may be
// numbers or numeric strings.
func configMentions(config string, uid uint64) bool {
	if config == "" {
		return false
	}
	v, err := jsonv.ParseString(config)
	if err != nil {
		return false
	}
	list := v.Get("mentionList")
	for _, e := range list.Elements() {
		if id, ok := e.AsUint64(); ok && id == uid {
			return true
		}
	}
	return false
}

// configHasReadReceipts reports whether a group message asks for read
// receipts: its config carries groupMemberList (PROTOCOL.md §9.5).
func configHasReadReceipts(config string) bool {
	if config == "" {
		return false
	}
	v, err := jsonv.ParseString(config)
	if err != nil {
		return false
	}
	return v.Get("groupMemberList").Kind() == jsonv.KindArray
}

// isTypingExt reports whether ext is a typing indicator: a JSON object with
// an input_status key (PROTOCOL.md §11).
func isTypingExt(ext string) bool {
	if len(ext) < len(`{"input_status":""}`) {
		return false
	}
	v, err := jsonv.ParseString(ext)
	if err != nil {
		return false
	}
	return v.Get("input_status").Exists()
}

// messageFromBody builds the Message of a downlink chat meta.
func messageFromBody(meta *xsync.Meta, body *xsync.MessageBody) Message {
	m := Message{
		ID:            meta.Id,
		From:          xidUID(meta.From),
		To:            xidUID(meta.To),
		Type:          contentTypeName(body.Ctype),
		Content:       body.Content,
		Ext:           body.Ext,
		Config:        body.Config,
		Attachment:    body.Attachment,
		Status:        MessageStatus(body.Status),
		Timestamp:     meta.Timestamp,
		ToType:        ToRoster,
		IsSystem:      body.IsSystem,
		EditTimestamp: body.EditTimestamp,
	}
	if body.Type == xsync.MsgGroupChat {
		m.ToType = ToGroup
	}
	return m
}

func xidUID(x *xsync.XID) uint64 {
	if x == nil {
		return 0
	}
	return x.Uid
}

func xidOf(x *xsync.XID) XID {
	if x == nil {
		return XID{}
	}
	return XID{UID: x.Uid, DeviceSN: x.DeviceSN}
}

func xidsOf(xs []*xsync.XID) []XID {
	if len(xs) == 0 {
		return nil
	}
	out := make([]XID, len(xs))
	for i, x := range xs {
		out[i] = xidOf(x)
	}
	return out
}

// noCompare, as the first field of a struct, makes the struct not
// comparable with ==. For a comparable struct the compiler emits an
// equality function that every build links as soon as the type is
// allocated or held in an interface (~1 KB of wasm each); == on these
// values has no use, so the larger structs opt out.
type noCompare [0]func()
