package jsbridge

import (
	"syscall/js"
)

// userManage holds the methods of im.userManage (JSAPI.md §4) that belong
// to the engine: the session's values and the token calls. The REST
// wrappers are TypeScript (npm/src/managers/user.ts), over client.rest.
var userManage = []entry{
	{"getToken", kSync, func(a *call) (any, error) { return a.core().Token(), nil }},
	{"getUid", kSync, func(a *call) (any, error) { return optionalUID(a.core().UID()), nil }},
	{"getAppid", kSync, func(a *call) (any, error) { return a.core().AppID(), nil }},
	{"getDeviceSN", kSync, func(a *call) (any, error) { return int(a.core().DeviceSN()), nil }},
	{"deleteToken", kSync, func(a *call) (any, error) { a.core().DeleteToken(); return nil, nil }},
	{"getConversationList", kSync, func(a *call) (any, error) { return conversationsValue(a.core().Conversations()), nil }},
	{"asyncTokenUser", kAsync, func(a *call) (any, error) {
		name, mobile, password := a.fstr("name"), a.fstr("mobile"), a.fstr("password")
		if name == "" && mobile != "" {
			return tokenValue(a.user().TokenMobile(a.ctx, mobile, password))
		}
		return tokenValue(a.core().TokenUser(a.ctx, name, password))
	}},
	{"asyncTokenId", kAsync, func(a *call) (any, error) {
		return tokenValue(a.core().TokenID(a.ctx, a.fid("user_id"), a.fstr("password")))
	}},
}

// optionalUID returns the uid as by uidValue, or undefined without a
// session.
func optionalUID(uid uint64) js.Value {
	if uid == 0 {
		return undefined
	}
	return uidValue(uid)
}
