package jsbridge

import (
	"slices"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/jsonv"
)

// rosterManage holds the methods of im.rosterManage (JSAPI.md §5).
var rosterManage = []entry{
	{"asyncGetRosterIdList", kAsync, func(a *call) (any, error) {
		return idList(a.roster().IDs(a.ctx, a.flag(a.arg(0), "force", false)))
	}},
	{"asyncGetRosterInfo", kAsync, func(a *call) (any, error) {
		return rosterItem(a.roster().Info(a.ctx, a.id(a.arg(0), "rid"), a.flag(a.arg(1), "force", false)))
	}},
	{"asnycGetRosterListDetailByIds", kAsync, func(a *call) (any, error) {
		list, err := a.roster().ListDetailByIDs(a.ctx, a.ids(a.arg(0), "ids"))
		return rawList(len(list), func(i int) jsonv.Value { return list[i].Raw }), err
	}},
	{"asyncDeleteRoster", kAsync, func(a *call) (any, error) { return done(a.roster().Delete(a.ctx, a.fid("user_id"))) }},
	{"getAllRosterDetail", kSync, func(a *call) (any, error) {
		all := a.roster().All()
		ids := sortedKeys(all)
		return rawMap(ids, func(i int) jsonv.Value { return all[ids[i]].Raw }), nil
	}},
	{"getRosterInfo", kSync, func(a *call) (any, error) {
		it, _ := a.roster().Cached(a.id(a.arg(0), "rid"))
		return raw(it.Raw), nil
	}},
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
	{"asyncGetApplyList", kAsync, func(a *call) (any, error) {
		list, err := a.roster().ApplyList(a.ctx, a.listOptions())
		return rawList(len(list), func(i int) jsonv.Value { return list[i].Raw }), err
	}},
	{"asyncGetBlockedlist", kAsync, func(a *call) (any, error) { return idList(a.roster().BlockedList(a.ctx)) }},
	{"asyncBlockeAdd", kAsync, func(a *call) (any, error) { return done(a.roster().Block(a.ctx, a.fid("user_id"))) }},
	{"asyncBlockeRemove", kAsync, func(a *call) (any, error) { return done(a.roster().Unblock(a.ctx, a.fid("user_id"))) }},
	{"asyncApply", kAsync, func(a *call) (any, error) {
		return done(a.roster().Apply(a.ctx, core.ApplyRequest{UserID: a.fid("user_id"), Alias: a.fstr("alias"),
			Reason: a.fstr("reason"), AuthAnswer: a.fstr("auth_answer")}))
	}},
	{"asyncAccept", kAsync, func(a *call) (any, error) { return done(a.roster().Accept(a.ctx, a.fid("user_id"))) }},
	{"asyncDecline", kAsync, func(a *call) (any, error) {
		return done(a.roster().Decline(a.ctx, a.fid("user_id"), a.fstr("reason")))
	}},
	{"asyncUpdateRosterExt", kAsync, func(a *call) (any, error) {
		return done(a.roster().UpdateExt(a.ctx, a.fid("user_id"), a.ftext("ext")))
	}},
	{"asyncUpdateRosterAlias", kAsync, func(a *call) (any, error) {
		return done(a.roster().UpdateAlias(a.ctx, a.fid("user_id"), a.fstr("alias")))
	}},
	{"asyncSearchRosterByName", kAsync, func(a *call) (any, error) {
		return rosterItem(a.roster().SearchByName(a.ctx, a.fstr("username")))
	}},
	{"asyncSearchRosterById", kAsync, func(a *call) (any, error) {
		return rosterItem(a.roster().SearchByID(a.ctx, a.fid("user_id")))
	}},
}

func rosterItem(it core.RosterItem, err error) (any, error) { return raw(it.Raw), err }

// idList returns user or group ids as uidsValue does.
func idList(ids []uint64, err error) (any, error) { return uidsValue(ids), err }

// sortedKeys returns the keys of m in increasing order, so that maps cross
// to JavaScript in a stable order.
func sortedKeys[V any](m map[uint64]V) []uint64 {
	ids := make([]uint64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
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
// ext?); config and ext may be objects or JSON text.
func appendContent(a *call) (any, error) {
	conv, mid := a.convMid()
	return nil, a.core().AppendContent(a.ctx, conv, mid, a.text(a.arg(2), "content"),
		a.jsonText(a.arg(3), "config"), a.jsonText(a.arg(4), "ext"))
}

// replaceMessage implements replaceMessage(id, mid, content, config, ext).
func replaceMessage(a *call) (any, error) {
	conv, mid := a.convMid()
	return nil, a.core().Replace(a.ctx, conv, mid, a.text(a.arg(2), "content"),
		a.jsonText(a.arg(3), "config"), a.jsonText(a.arg(4), "ext"))
}
