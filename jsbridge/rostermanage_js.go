package jsbridge

import (
	"syscall/js"

	"github.com/flooim/floo/core/jsonv"
)

// rosterManage holds the engine's methods of im.rosterManage (JSAPI.md §5):
// the message operations and the reads of the roster caches, which the
// engine owns (docs/localstore.md "Who owns what"). The REST wrappers live
// in TypeScript (npm/src/managers/roster.ts); they read and update the
// engine's caches with cache (rosterCache) and call forgetRoster once
// asyncDeleteRoster succeeded, for the engine's local part of a removal;
// neither name is official, so neither is on the public manager.
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
	{"getAllRosterDetail", kSync, func(a *call) (any, error) { return byIDValue(a.core().Roster().RawAll()), nil }},
	{"getRosterInfo", kSync, func(a *call) (any, error) {
		v, _ := a.core().Roster().Raw(a.id(a.arg(0), "rid"))
		return jsonToJS(v), nil
	}},
	{"cache", kSync, rosterCache},
}

// rosterCache implements rosterManage.cache(op, ...args), the TypeScript
// wrappers' access to the engine's roster caches (one entry rather than
// one per operation: every function costs wasm bytes):
//
//	ids()                    the friend uids, undefined until known
//	keep(json)               caches the RosterItems of a POST /roster/list
//	                         reply; returns the uids cached
//	keepIds(json)            replaces the friend uids (a JSON array)
//	keepField(uid, key, json) sets a field of a cached item; returns
//	                         whether it is cached
//	keepBlocked(uid, blocked) records a block or unblock
func rosterCache(a *call) (any, error) {
	r := a.core().Roster()
	switch op := a.str(a.arg(0), "op"); op {
	case "ids":
		ids, ok := r.RawIDs()
		if !ok {
			return undefined, nil
		}
		return idsValue(ids), nil
	case "keep":
		return idsValue(r.Keep(a.doc(1))), nil
	case "keepIds":
		r.KeepIDs(a.docIDs(1))
	case "keepField":
		return r.KeepField(a.id(a.arg(1), "uid"), a.str(a.arg(2), "key"), a.doc(3)), nil
	case "keepBlocked":
		r.KeepBlocked(a.id(a.arg(1), "uid"), a.flag(a.arg(2), "blocked", false))
	default:
		a.fail("no cache operation " + op)
	}
	return nil, nil
}

// byIDValue returns the objects vals as a JavaScript object keyed by the
// decimal ids, in the order given.
func byIDValue(ids []uint64, vals []jsonv.Value) js.Value {
	var w jsonv.Writer
	w.BeginObject()
	for i, id := range ids {
		w.Key(idString(id))
		appendSafeJSON(&w, vals[i])
	}
	w.EndObject()
	return parseJSON(&w)
}

// doc reads argument i, a JSON document as text (written by the facade,
// of any size: a roster list); text that does not parse fails.
func (a *call) doc(i int) jsonv.Value {
	s, err := argString(a.arg(i), "document", 1<<30)
	a.check(err)
	v, err := jsonv.ParseString(s)
	a.check(err)
	return v
}

// docIDs reads argument i, a JSON array of ids (numbers or decimal
// strings) as text; other elements are skipped.
func (a *call) docIDs(i int) []uint64 {
	var ids []uint64
	for _, v := range a.doc(i).Elements() {
		if id, ok := v.AsUint64(); ok && id != 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// idsValue returns ids as a JavaScript array of uidValue ids.
func idsValue(ids []uint64) js.Value {
	var w jsonv.Writer
	w.BeginArray()
	for _, id := range ids {
		appendSafeJSON(&w, jsonv.Uint(id))
	}
	w.EndArray()
	return parseJSON(&w)
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
