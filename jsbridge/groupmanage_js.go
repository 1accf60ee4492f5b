package jsbridge

// groupManage holds the engine's methods of im.groupManage (JSAPI.md §6):
// the group message operations and cache reads. The REST wrappers and the
// group caches live in TypeScript (npm/src/managers/group.ts).
var groupManage = []entry{
	{"getGruopMessage", kSync, storedMessages},
	{"readGroupMessage", kAsync, readMessages},
	{"recallMessage", kAsync, recallMessage},
	{"deleteMessage", kAsync, deleteMessage},
	{"appendMessageContent", kAsync, appendContent},
	{"replaceMessage", kAsync, replaceMessage},
	{"getUnreadCount", kSync, unreadCount},
	{"consumeGroupAtStatus", kSync, func(a *call) (any, error) { a.core().ConsumeMention(a.conv()); return nil, nil }},
}

// done resolves REST calls whose reply data is true (REST.md §8) with true.
func done(err error) (any, error) { return true, err }
