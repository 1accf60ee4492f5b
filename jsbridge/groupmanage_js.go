package jsbridge

import "github.com/flooim/floo/core/jsonv"

// groupManage holds the engine's methods of im.groupManage (JSAPI.md §6):
// the group message operations and the reads of the group caches, which the
// engine owns (docs/localstore.md "Who owns what"). The REST wrappers live
// in TypeScript (npm/src/managers/group.ts); they read and update the
// engine's caches with the methods below whose names are not official (so
// not on the public manager). Documents cross as JSON text (a.doc).
var groupManage = []entry{
	{"getGruopMessage", kSync, storedMessages},
	{"readGroupMessage", kAsync, readMessages},
	{"recallMessage", kAsync, recallMessage},
	{"deleteMessage", kAsync, deleteMessage},
	{"appendMessageContent", kAsync, appendContent},
	{"replaceMessage", kAsync, replaceMessage},
	{"getUnreadCount", kSync, unreadCount},
	{"consumeGroupAtStatus", kSync, func(a *call) (any, error) { a.core().ConsumeMention(a.conv()); return nil, nil }},
	{"getAllGroupDetail", kSync, func(a *call) (any, error) {
		gids, infos := a.core().Group().RawAll()
		var w jsonv.Writer
		w.BeginObject()
		for i, gid := range gids {
			w.Key(idString(gid))
			appendSafeJSON(&w, infos[i])
		}
		w.EndObject()
		return parseJSON(&w), nil
	}},
	// cachedGroupIds: the joined gids, undefined until known.
	{"cachedGroupIds", kSync, func(a *call) (any, error) {
		ids, ok := a.core().Group().RawIDs()
		if !ok {
			return undefined, nil
		}
		return idsValue(ids), nil
	}},
	// cachedGroupInfo(gid): the cached info, undefined when missing or
	// stale (to fetch again).
	{"cachedGroupInfo", kSync, func(a *call) (any, error) {
		v, stale, _ := a.core().Group().Raw(a.conv())
		if stale {
			return undefined, nil
		}
		return jsonToJS(v), nil
	}},
	// cachedGroupMembers(gid): the cached member list, undefined when none.
	{"cachedGroupMembers", kSync, func(a *call) (any, error) {
		list, ok := a.core().Group().RawMembers(a.conv())
		if !ok {
			return undefined, nil
		}
		return jsonToJS(jsonv.Array(list...)), nil
	}},
	// keepGroupIds(json): replaces the joined gids (a JSON array of ids).
	{"keepGroupIds", kSync, func(a *call) (any, error) {
		a.core().Group().KeepIDs(a.docIDs(0))
		return nil, nil
	}},
	// keepGroup(gid, json, join?): merges an info object; with join, gid
	// is also joined.
	{"keepGroup", kSync, func(a *call) (any, error) {
		a.core().Group().Keep(a.conv(), a.doc(1), a.flag(a.arg(2), "join", false))
		return nil, nil
	}},
	// keepGroupFields(gid, json): merges fields into a cached info.
	{"keepGroupFields", kSync, func(a *call) (any, error) {
		a.core().Group().KeepFields(a.conv(), a.doc(1))
		return nil, nil
	}},
	// keepGroupMembers(gid, json): replaces a member list.
	{"keepGroupMembers", kSync, func(a *call) (any, error) {
		a.core().Group().KeepMembers(a.conv(), a.doc(1))
		return nil, nil
	}},
	// keepGroupRemoved(gid, json): drops members (a JSON array of ids).
	{"keepGroupRemoved", kSync, func(a *call) (any, error) {
		a.core().Group().KeepRemoved(a.conv(), a.docIDs(1))
		return nil, nil
	}},
	// keepGroupDisplayName(gid, uid, name)
	{"keepGroupDisplayName", kSync, func(a *call) (any, error) {
		a.core().Group().KeepDisplayName(a.conv(), a.id(a.arg(1), "uid"), a.str(a.arg(2), "name"))
		return nil, nil
	}},
	// forgetGroup(gid): the user left or destroyed it.
	{"forgetGroup", kSync, func(a *call) (any, error) { a.core().Group().Forget(a.conv()); return nil, nil }},
}

// done resolves REST calls whose reply data is true (REST.md §8) with true.
func done(err error) (any, error) { return true, err }
