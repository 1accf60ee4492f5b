package jsbridge

import (
	"syscall/js"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/jsonv"
)

// userManage holds the methods of im.userManage (JSAPI.md §4).
var userManage = []entry{
	{"getToken", kSync, func(a *call) (any, error) { return a.core().Token(), nil }},
	{"getUid", kSync, func(a *call) (any, error) { return optionalUID(a.core().UID()), nil }},
	{"getAppid", kSync, func(a *call) (any, error) { return a.core().AppID(), nil }},
	{"getDeviceSN", kSync, func(a *call) (any, error) { return int(a.core().DeviceSN()), nil }},
	{"deleteToken", kSync, func(a *call) (any, error) { a.core().DeleteToken(); return nil, nil }},
	{"getConversationList", kSync, func(a *call) (any, error) { return conversationsValue(a.core().Conversations()), nil }},
	{"asyncGetDeviceList", kAsync, func(a *call) (any, error) {
		r, err := a.user().Devices(a.ctx)
		return rawList(len(r), func(i int) jsonv.Value { return r[i].Raw }), err
	}},
	{"asyncKickDevice", kAsync, func(a *call) (any, error) {
		return done(a.user().KickDevice(a.ctx, a.fid("device_sn")))
	}},
	{"asyncBindDeviceToken", kAsync, func(a *call) (any, error) {
		return done(a.user().BindDeviceToken(a.ctx, a.fid("device_sn"), a.fstr("device_token"), a.fstr("notifier_name")))
	}},
	{"asyncUnbindDeviceToken", kAsync, func(a *call) (any, error) {
		return done(a.user().UnbindDeviceToken(a.ctx, a.fid("deviceSn")))
	}},
	{"asyncDeleteUser", kAsync, func(a *call) (any, error) { return done(a.user().DeleteUser(a.ctx, a.fstr("password"))) }},
	{"asyncTokenUser", kAsync, func(a *call) (any, error) {
		name, mobile, password := a.fstr("name"), a.fstr("mobile"), a.fstr("password")
		if name == "" && mobile != "" {
			return tokenValue(a.user().TokenMobile(a.ctx, mobile, password))
		}
		return tokenValue(a.user().TokenUser(a.ctx, name, password))
	}},
	{"asyncTokenId", kAsync, func(a *call) (any, error) {
		return tokenValue(a.user().TokenID(a.ctx, a.fid("user_id"), a.fstr("password")))
	}},
	{"asyncRegister", kAsync, register},
	{"asyncRegisterAnonymous", kAsync, func(a *call) (any, error) {
		return settings(a.user().RegisterAnonymous(a.ctx, a.fstr("username"), a.fstr("password")))
	}},
	{"asyncUpdateAuthmode", kAsync, func(a *call) (any, error) {
		return done(a.user().UpdateAuthMode(a.ctx, a.num(a.f("value"), "value", -1, 0, core.AuthModeRejectAll)))
	}},
	{"asyncUpdateAvatar", kAsync, func(a *call) (any, error) { return done(a.user().UpdateAvatar(a.ctx, a.ftext("avatar"))) }},
	{"asyncUpdateMobile", kAsync, func(a *call) (any, error) { return done(a.user().UpdateMobile(a.ctx, a.fstr("mobile"))) }},
	{"asyncUpdateNickName", kAsync, func(a *call) (any, error) {
		return done(a.user().UpdateNickName(a.ctx, a.fstr("nick_name")))
	}},
	{"asyncUserChangePassword", kAsync, func(a *call) (any, error) {
		return done(a.user().ChangePassword(a.ctx, a.fstr("old_password"), a.fstr("new_password")))
	}},
	{"asyncGetProfile", kAsync, func(a *call) (any, error) {
		p, err := a.user().Profile(a.ctx)
		return raw(p.Raw), err
	}},
	{"asyncUpdateProfile", kAsync, func(a *call) (any, error) {
		var p core.ProfileUpdate
		p.NickName, p.Description = a.fopt("nick_name"), a.fopt("description")
		p.PublicInfo, p.PrivateInfo = a.fopt("public_info"), a.fopt("private_info")
		return done(a.user().UpdateProfile(a.ctx, p))
	}},
	{"asyncGetSettings", kAsync, func(a *call) (any, error) { return settings(a.user().Settings(a.ctx)) }},
	{"asyncUpdateSettings", kAsync, func(a *call) (any, error) {
		return done(a.user().UpdateSettings(a.ctx, a.params(a.arg(0), "settings")))
	}},

	// The account and demo-app endpoints (REST.md §11) whose shapes are not
	// published: each method passes its parameter object through and
	// resolves with the reply's data. sysManage has the others.
	{string(core.AccountGenerateSecretInfo), kAsync, accountCall},
	{string(core.AccountSendSecretInfo), kAsync, accountCall},
	{string(core.AccountUserBindMobile), kAsync, accountCall},
	{string(core.AccountUserUpdateMobile), kAsync, accountCall},
	{string(core.AccountUserSendSms), kAsync, accountCall},
	{string(core.AccountCaptchaSms), kAsync, accountCall},
	{string(core.AccountGenerateWXUrlLink), kAsync, accountCall},
	{string(core.AccountUserNameCheck), kAsync, accountCall},
	{string(core.AccountUserMobileBind), kAsync, accountCall},
	{string(core.AccountUserMobileBindSign), kAsync, accountCall},
	{string(core.AccountUserMobileLogin), kAsync, accountCall},
	{string(core.AccountCaptchaImagePost), kAsync, accountCall},
	{string(core.AccountGetUserVerification), kAsync, accountCall},
	{string(core.AccountUserVerificationByMobile), kAsync, accountCall},
	{string(core.AccountChangeMobileCheckPwd), kAsync, accountCall},
	{string(core.AccountChangeMobileCheckMobile), kAsync, accountCall},
	{string(core.AccountChangeMobile), kAsync, accountCall},
}

// register implements userManage.asyncRegister and its misspelled twin
// rosterManage.asyncRegester({username, password}).
func register(a *call) (any, error) {
	return settings(a.user().Register(a.ctx, a.fstr("username"), a.fstr("password")))
}

func settings(s core.UserSettings, err error) (any, error) { return raw(s.Raw), err }

// accountCall implements the account and demo-app methods: the method's
// name is the core.AccountAPI.
func accountCall(a *call) (any, error) {
	v, err := a.user().AccountCall(a.ctx, core.AccountAPI(a.method), a.params(a.arg(0), "params"))
	return raw(v), err
}

// fopt reads an optional text field as a pointer: nil when missing, so that
// a profile update changes only the fields given.
func (a *call) fopt(key string) *string {
	v := a.f(key)
	if isNullish(v) {
		return nil
	}
	s := a.text(v, key)
	return &s
}

// optionalUID returns the uid as by uidValue, or undefined without a
// session.
func optionalUID(uid uint64) js.Value {
	if uid == 0 {
		return undefined
	}
	return uidValue(uid)
}
