package jsbridge

import "github.com/flooim/floo/core/jsonv"

// groupManage holds the engine's methods of im.groupManage (JSAPI.md §6):
// the group message operations and the reads of the group caches, which the
// engine owns (docs/localstore.md "Who owns what"). The REST wrappers live
// in TypeScript (npm/src/managers/group.ts); they read and update the
// engine's caches with cache (groupCache), not an official name, so not on
// the public manager. Documents cross as JSON text (a.doc).
var groupManage = []entry{
	{"getGruopMessage", kSync, storedMessages},
	{"readGroupMessage", kAsync, readMessages},
	{"recallMessage", kAsync, recallMessage},
	{"deleteMessage", kAsync, deleteMessage},
	{"appendMessageContent", kAsync, appendContent},
	{"replaceMessage", kAsync, replaceMessage},
	{"getUnreadCount", kSync, unreadCount},
	{"consumeGroupAtStatus", kSync, func(a *call) (any, error) { a.core().ConsumeMention(a.conv()); return nil, nil }},
	{"getAllGroupDetail", kSync, func(a *call) (any, error) { return byIDValue(a.core().Group().RawAll()), nil }},
	{"cache", kSync, groupCache},
}

// groupCache implements groupManage.cache(op, gid?, ...args), the
// TypeScript wrappers' access to the engine's group caches (see
// rosterCache):
//
//	ids()                       the joined gids, undefined until known
//	info(gid)                   the cached info, undefined when missing or
//	                            stale (to fetch again)
//	members(gid)                the cached member list, undefined when none
//	keepIds(json)               replaces the joined gids (a JSON array)
//	keep(gid, json, join)       merges an info object; with join, gid is
//	                            joined too (a group created)
//	keepFields(gid, json)       merges fields into a cached info
//	keepMembers(gid, json)      replaces a member list
//	removeMembers(gid, json)    drops members (a JSON array of uids)
//	displayName(gid, uid, name) sets a member's card name
//	forget(gid)                 the user left or destroyed it
func groupCache(a *call) (any, error) {
	g := a.core().Group()
	op := a.str(a.arg(0), "op")
	switch op {
	case "ids":
		ids, ok := g.RawIDs()
		if !ok {
			return undefined, nil
		}
		return idsValue(ids), nil
	case "keepIds":
		g.KeepIDs(a.docIDs(1))
		return nil, nil
	}
	gid := a.id(a.arg(1), "gid")
	switch op {
	case "info":
		v, stale, _ := g.Raw(gid)
		if stale {
			return undefined, nil
		}
		return jsonToJS(v), nil
	case "members":
		list, ok := g.RawMembers(gid)
		if !ok {
			return undefined, nil
		}
		return jsonToJS(jsonv.Array(list...)), nil
	case "keep":
		g.Keep(gid, a.doc(2), a.flag(a.arg(3), "join", false))
	case "keepFields":
		g.KeepFields(gid, a.doc(2))
	case "keepMembers":
		g.KeepMembers(gid, a.doc(2))
	case "removeMembers":
		g.KeepRemoved(gid, a.docIDs(2))
	case "displayName":
		g.KeepDisplayName(gid, a.id(a.arg(2), "uid"), a.str(a.arg(3), "name"))
	case "forget":
		g.Forget(gid)
	default:
		a.fail("no cache operation " + op)
	}
	return nil, nil
}

// done resolves REST calls whose reply data is true (REST.md §8) with true.
func done(err error) (any, error) { return true, err }
