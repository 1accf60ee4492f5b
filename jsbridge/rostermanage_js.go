package jsbridge

// rosterManage holds the engine's methods of im.rosterManage (JSAPI.md §5):
// the message operations and cache reads. The REST wrappers and the roster
// caches live in TypeScript (npm/src/managers/roster.ts), which calls
// forgetRoster (not an official name, so not on the public manager) once
// asyncDeleteRoster succeeded, for the engine's local part of a removal.
var rosterManage = []entry{
	{"getRosterMessageByRid", kSync, storedMessages},
	{"getUnreadCount", kSync, unreadCount},
	{"readRosterMessage", kAsync, readMessages},
	{"recallMessage", kAsync, recallMessage},
	{"deleteMessage", kAsync, deleteMessage},
	{"unreadMessage", kAsync, func(a *call) (any, error) {
		conv, mid := a.convMid()
		return nil, a.core().MarkUnread(a.ctx, conv, mid)
	}},
	{"appendMessageContent", kAsync, appendContent},
	{"replaceMessage", kAsync, replaceMessage},
	{"forgetRoster", kSync, func(a *call) (any, error) { a.core().ForgetRoster(a.id(a.arg(0), "uid")); return nil, nil }},
}

// The message methods rosterManage and groupManage share (JSAPI.md §5, §6):
// the first argument is the conversation, the friend's uid or the gid.

// convMid reads the (conversation, message id) arguments.
func (a *call) convMid() (uint64, uint64) {
	return a.conv(), a.id(a.arg(1), "mid")
}

// conv reads the conversation id, the first argument, named as the
// official documentation names it.
func (a *call) conv() uint64 {
	name := "uid"
	if a.mgr == "groupManage" {
		name = "gid"
	}
	return a.id(a.arg(0), name)
}

// storedMessages implements getRosterMessageByRid and getGruopMessage.
func storedMessages(a *call) (any, error) {
	return messagesValue(a.core().Messages(a.conv())), nil
}

func unreadCount(a *call) (any, error) {
	return a.core().UnreadCount(a.conv()), nil
}

// readMessages implements readRosterMessage and readGroupMessage: one
// message with mid, else the whole conversation (READ_ACKs and a READ_ALL).
// The Promise settles when the server acknowledged it.
func readMessages(a *call) (any, error) {
	conv, mid := a.conv(), a.idOpt(a.arg(1), "mid")
	if mid == 0 {
		return nil, a.core().ReadAll(a.ctx, conv)
	}
	return nil, a.core().ReadMessage(a.ctx, conv, mid)
}

func recallMessage(a *call) (any, error) {
	conv, mid := a.convMid()
	return nil, a.core().Recall(a.ctx, conv, mid)
}

func deleteMessage(a *call) (any, error) {
	conv, mid := a.convMid()
	return nil, a.core().DeleteMessage(a.ctx, conv, mid)
}

// appendContent implements appendMessageContent(id, mid, content, config?,
// ext?): content is required; config may be an object or JSON text, ext is
// a string, as in messages (JSAPI.md §10).
func appendContent(a *call) (any, error) {
	conv, mid := a.convMid()
	return nil, a.core().AppendContent(a.ctx, conv, mid, a.text(a.need(a.arg(2), "content"), "content"),
		a.jsonText(a.arg(3), "config"), a.text(a.arg(4), "ext"))
}

// replaceMessage implements replaceMessage(id, mid, content, config, ext);
// ext is a string, as in messages (JSAPI.md §10).
func replaceMessage(a *call) (any, error) {
	conv, mid := a.convMid()
	return nil, a.core().Replace(a.ctx, conv, mid, a.text(a.arg(2), "content"),
		a.jsonText(a.arg(3), "config"), a.text(a.arg(4), "ext"))
}
