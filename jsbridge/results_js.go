package jsbridge

import (
	"syscall/js"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/jsonv"
)

// This file converts the results of manager methods to the official shapes
// (JSAPI.md §4-§7, §12, §13). REST entities are handed over as the server
// sent them, from the Raw object core keeps in every entity: the official
// client resolves with the envelope's data, so an application sees every
// field, including ones this version does not know, under the server's
// names. Like event payloads, results are written as JSON and parsed by
// JavaScript in one call (see jsonToJS).

// raw returns a REST entity or any other JSON value, undefined when
// missing.
func raw(v jsonv.Value) js.Value { return jsonToJS(v) }

// messagesValue returns an array of message objects (JSAPI.md §10).
func messagesValue(msgs []core.Message) js.Value {
	var p payload
	p.BeginArray()
	for i := range msgs {
		p.appendMessage(&msgs[i])
	}
	p.EndArray()
	return p.value()
}

// noticesValue returns an array of notice metas (JSAPI.md §11).
func noticesValue(ns []core.NoticeMeta) js.Value {
	var p payload
	p.BeginArray()
	for i := range ns {
		p.appendNotice(&ns[i])
	}
	p.EndArray()
	return p.value()
}

// conversationsValue returns the conversation list (JSAPI.md §12), plus the
// unread count of each entry as "unread" (an extension: the official
// application computes it with getUnreadCount).
func conversationsValue(list []core.ConversationEntry) js.Value {
	var p payload
	p.BeginArray()
	for i := range list {
		e := &list[i]
		p.BeginObject()
		p.str("type", e.Type)
		p.uid("id", e.ID)
		p.str("content", e.Content)
		p.str("ext", e.Ext)
		if e.Timestamp != 0 {
			p.id("timestamp", e.Timestamp)
		} else {
			p.str("timestamp", "")
		}
		p.flag("hasAt", e.HasAt)
		p.str("draft", e.Draft)
		p.Key("draftTimestamp")
		p.Uint(e.DraftTimestamp)
		p.num("unread", e.Unread)
		p.EndObject()
	}
	p.EndArray()
	return p.value()
}

// searchValue returns the message hits of makeSearch as {rosterArr:
// [{user_id, content}], groupArr: [{group_id, content}]}: the npm facade
// adds the friend and group hits and the names from its caches
// (npm/src/managers/index.ts).
func searchValue(hits []core.MessageHit) js.Value {
	var p payload
	p.BeginObject()
	for _, group := range []bool{false, true} {
		key, idKey := "rosterArr", "user_id"
		if group {
			key, idKey = "groupArr", "group_id"
		}
		p.Key(key)
		p.BeginArray()
		for _, h := range hits {
			if h.Group == group {
				p.BeginObject()
				p.uid(idKey, h.ConversationID)
				p.str("content", h.Content)
				p.EndObject()
			}
		}
		p.EndArray()
	}
	p.EndObject()
	return p.value()
}

// tokenValue returns TokenData under its REST names (REST.md §5).
func tokenValue(t core.TokenData, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	var p payload
	p.BeginObject()
	p.str("token", t.Token)
	p.uid("user_id", t.UserID)
	p.Key("expire")
	p.Int(t.Expire)
	p.str("public_key", t.PublicKey)
	p.Key("encrypt_type")
	p.Int(t.EncryptType)
	p.str("push_token", t.PushToken)
	p.str("store_token", t.StoreToken)
	p.str("access_key_secret", t.AccessKeySecret)
	p.EndObject()
	return p.value(), nil
}

// statusName returns the name of a message status for getMessageStatus.
func statusName(s core.MessageStatus) string {
	switch s {
	case core.MessageDelivered:
		return "delivered"
	case core.MessageRead:
		return "read"
	}
	return "unread"
}
