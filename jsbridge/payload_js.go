package jsbridge

import (
	"strconv"
	"syscall/js"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/jsonv"
)

// This file converts engine values to the JavaScript shapes of the official
// API (JSAPI.md §8, §10, §11). Message ids, timestamps and notice ids are
// decimal strings; user and group ids are numbers (uidValue) except inside
// message objects and notice metas, where JSAPI.md gives them as strings.
//
// Payload objects are written as JSON and parsed by JavaScript in one call
// (see jsonToJS for why): a message object costs one crossing instead of
// twenty. Only FlooError values, which must be real Error instances, are
// attached afterwards.

// payload writes JSON objects with the field helpers below.
type payload struct{ jsonv.Writer }

func (p *payload) str(k, s string) {
	p.Key(k)
	p.String(s)
}

// id writes a 64-bit id as a decimal string. A message has five of them:
// they are written straight from the digits, without a string of their own
// to allocate and scan for characters to escape.
func (p *payload) id(k string, v uint64) {
	p.Key(k)
	var b [22]byte
	b[0] = '"'
	n := len(strconv.AppendUint(b[:1], v, 10))
	b[n] = '"'
	p.Raw(string(b[:n+1]))
}

// uid writes a user or group id as a number, or as a decimal string beyond
// 2^53-1 (uidValue).
func (p *payload) uid(k string, v uint64) {
	p.Key(k)
	p.uidValue(v)
}

func (p *payload) uidValue(v uint64) {
	if v <= maxSafeInt {
		p.Uint(v)
	} else {
		p.String(idString(v))
	}
}

func (p *payload) uids(k string, vs []uint64) {
	p.Key(k)
	p.BeginArray()
	for _, v := range vs {
		p.uidValue(v)
	}
	p.EndArray()
}

func (p *payload) num(k string, v int) {
	p.Key(k)
	p.Int(int64(v))
}

func (p *payload) flag(k string, v bool) {
	p.Key(k)
	p.Bool(v)
}

// value parses the document written so far.
func (p *payload) value() js.Value { return parseJSON(&p.Writer) }

// appendMessage writes the message object of JSAPI.md §10.
func (p *payload) appendMessage(m *core.Message) {
	p.BeginObject()
	p.id("id", m.ID)
	p.id("from", m.From)
	p.id("to", m.To)
	p.str("content", m.Content)
	p.str("type", m.Type)
	p.str("ext", m.Ext)
	appendJSONText(&p.Writer, "config", m.Config)
	appendJSONText(&p.Writer, "attach", m.Attachment)
	p.num("status", int(m.Status))
	p.id("timestamp", m.Timestamp)
	toType := m.ToType
	if toType == "" {
		toType = core.ToRoster
	}
	p.str("toType", toType)
	if m.IsSystem {
		p.flag("is_system", true)
	}
	p.flag("isHistory", m.IsHistory)
	p.flag("isNative", false)
	p.flag("isPlayed", m.IsPlayed)
	p.id("editTimestamp", m.EditTimestamp)
	if m.AppendedContent != "" {
		p.str("appendedContent", m.AppendedContent)
	}
	appendJSONText(&p.Writer, "appendConfig", m.AppendConfig)
	if m.AppendExt != "" {
		p.str("appendExt", m.AppendExt)
	}
	appendJSONText(&p.Writer, "replaceConfig", m.ReplaceConfig)
	if m.ReplaceExt != "" {
		p.str("replaceExt", m.ReplaceExt)
	}
	p.EndObject()
}

// messageValue returns the message object of JSAPI.md §10.
func messageValue(m *core.Message) js.Value {
	var p payload
	p.appendMessage(m)
	return p.value()
}

// appendXID writes {uid, deviceSN} with the uid as a decimal string
// (JSAPI.md §11).
func (p *payload) appendXID(x core.XID) {
	p.BeginObject()
	p.id("uid", x.UID)
	p.num("deviceSN", int(x.DeviceSN))
	p.EndObject()
}

// appendNotice writes the notice meta of JSAPI.md §11.
func (p *payload) appendNotice(n *core.NoticeMeta) {
	p.BeginObject()
	p.id("id", n.ID)
	p.Key("from")
	p.appendXID(n.From)
	p.Key("to")
	p.appendXID(n.To)
	p.id("timestamp", n.Timestamp)
	p.num("ns", int(n.NS))
	p.Key("payload")
	p.BeginObject()
	p.num("type", int(n.Payload.Type))
	if n.Payload.Gid.UID != 0 {
		p.Key("gid")
		p.appendXID(n.Payload.Gid)
	}
	p.Key("from")
	p.appendXID(n.Payload.From)
	p.Key("to")
	p.BeginArray()
	for _, x := range n.Payload.To {
		p.appendXID(x)
	}
	p.EndArray()
	p.str("content", n.Payload.Content)
	if n.Payload.RosterVsn != "" {
		p.str("roster_vsn", n.Payload.RosterVsn)
	}
	p.EndObject()
	p.EndObject()
}

// category writes a flooError category: the named categories as strings,
// XSYNC status numbers as numbers, as the official clients send them
// (ERRORS.md §6.3).
func (p *payload) category(cat string) {
	p.Key("category")
	if n, ok := parseDecimal(cat); ok && n <= maxSafeInt {
		p.Uint(n)
	} else {
		p.String(cat)
	}
}

// appendUIDMid writes {uid, mid}: the conversation id as a number and the
// message id as a decimal string (JSAPI.md §14).
func (p *payload) appendUIDMid(uid, mid uint64) {
	p.BeginObject()
	p.uid("uid", uid)
	p.id("mid", mid)
	p.EndObject()
}

// withError sets o.error to the FlooError of err when err is not nil.
func (e *env) withError(o js.Value, err *core.Error) js.Value {
	if err != nil {
		o.Set("error", e.errorValue(err))
	}
	return o
}

// convertEvent writes the official name of an engine event and its
// payload, as JSON values, into p, for the event pump, which parses a whole
// batch in one call. An event whose payload is undefined writes its name
// only. A payload that JSON cannot carry (a FlooError, which must be a real
// Error instance) is made by fix from the parsed value: fix, when not nil,
// is given the parsed payload and returns the one to deliver. Items that
// are not events write nothing and return ok false. Unknown event types
// (added to core later) still arrive, under their EventName, with an
// undefined payload.
func (e *env) convertEvent(p *payload, item any) (fix func(js.Value) js.Value, ok bool) {
	ev, ok := item.(core.Event)
	if !ok {
		return nil, false
	}
	p.String(ev.EventName())
	switch v := ev.(type) {
	case core.LoginSuccess:
		p.BeginObject()
		p.EndObject()
	case core.LoginFail:
		p.String(v.Reason)
	case core.Logout, core.RecentListUpdated:
	case core.FlooNotice:
		p.BeginObject()
		p.str("category", v.Category)
		if v.Category == core.NoticeCategoryConversationDeleted {
			p.Key("desc")
			p.BeginObject()
			p.uid("id", v.ConversationID)
			p.str("source", v.Source)
			p.EndObject()
		} else {
			p.str("desc", v.Desc)
		}
		p.EndObject()
	case core.FlooError:
		p.BeginObject()
		p.category(v.Category)
		p.str("desc", v.Desc)
		if v.Err != nil {
			p.num("code", v.Err.FacadeCode())
		}
		p.EndObject()
		fix = e.errorFix(v.Err)
	case core.RosterMessage:
		p.appendMessage(&v.Message)
	case core.GroupMessage:
		p.appendMessage(&v.Message)
	case core.RosterRTCMessage:
		p.appendMessage(&v.Message)
	case core.MentionMessage:
		p.appendMessage(&v.Message)
	case core.ContentAppended:
		p.appendMessage(&v.Message)
	case core.MessageReplaced:
		p.appendMessage(&v.Message)
	case core.InputStatus:
		p.BeginObject()
		p.str("ext", v.Ext)
		p.uid("from", v.From)
		p.uid("to", v.To)
		p.EndObject()
	case core.HistoryReceived:
		p.BeginObject()
		p.id("next", v.Next)
		p.uid("uid", v.ConversationID)
		p.EndObject()
	case core.SendingStatus:
		p.BeginObject()
		p.str("status", v.Status)
		p.id("mid", v.Mid)
		if v.UID != 0 {
			p.uid("uid", v.UID)
		}
		if v.Message != nil {
			p.Key("message")
			p.appendMessage(v.Message)
		}
		if v.Status == core.SendStatusFailed {
			p.num("errorCode", v.ErrorCode)
			p.str("errorReason", v.ErrorReason)
			fix = e.errorFix(v.Err)
		}
		p.EndObject()
	case core.SendStalled:
		p.appendUIDMid(v.UID, v.Mid)
	case core.MessageStatusChanged:
		p.appendUIDMid(v.UID, v.Mid)
	case core.MessageRecalled:
		p.appendUIDMid(v.UID, v.Mid)
	case core.MessageDeleted:
		p.appendUIDMid(v.UID, v.Mid)
	case core.MessageCanceled:
		p.appendUIDMid(v.UID, v.Mid)
	case core.UnreadChanged:
		p.uidValue(v.ConversationID)
	case core.RosterNotice:
		p.appendNotice(&v.Notice)
	case core.GroupNotice:
		p.appendNotice(&v.Notice)
	case core.RosterListUpdated:
		if v.Notice != nil {
			p.appendNotice(v.Notice)
		}
	case core.GroupListUpdated:
		if v.Notice != nil {
			p.appendNotice(v.Notice)
		}
	case core.RosterInfoUpdated:
		p.BeginArray()
		for _, id := range v.UIDs {
			p.uidValue(id)
		}
		p.EndArray()
	case core.GroupMemberChanged:
		p.uidValue(v.GroupID)
	case core.GroupBanned:
		p.BeginObject()
		p.uid("groupId", v.GroupID)
		p.uids("toUids", v.ToUIDs)
		if v.Content != "" {
			p.str("content", v.Content)
		}
		if v.All {
			p.flag("all", true)
		}
		p.EndObject()
	case core.GroupUnbanned:
		p.BeginObject()
		p.uid("groupId", v.GroupID)
		p.uids("toUids", v.ToUIDs)
		if v.All {
			p.flag("all", true)
		}
		p.EndObject()
	case core.StateChanged:
		p.BeginObject()
		p.str("state", string(v.State))
		if v.RetryIn > 0 {
			p.num("retryIn", int(v.RetryIn.Milliseconds()))
		}
		p.EndObject()
		fix = e.errorFix(v.Err)
	case core.SessionError:
		fix = e.errorPayload(v.Err)
	case core.ErrorEvent:
		fix = e.errorPayload(v.Err)
	case core.RTCSignal:
		p.BeginObject()
		p.id("id", v.ID)
		p.uid("from", v.From)
		p.uid("to", v.To)
		p.str("content", v.Content)
		p.str("mediaServer", v.MediaServer)
		p.EndObject()
	}
	return fix, true
}

// errorFix returns the fix that sets the parsed object's error member to
// the FlooError of err, or nil when err is nil.
func (e *env) errorFix(err *core.Error) func(js.Value) js.Value {
	if err == nil {
		return nil
	}
	return func(o js.Value) js.Value { return e.withError(o, err) }
}

// errorPayload returns the fix whose payload is the FlooError of err.
func (e *env) errorPayload(err error) func(js.Value) js.Value {
	return func(js.Value) js.Value { return e.errorValue(err) }
}
