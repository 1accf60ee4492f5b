package core

import (
	"slices"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

// UserManager wraps the user and account endpoints of REST.md §5, §6 and
// §11 (the official userManage, JSAPI.md §4). Obtain it with Client.User;
// it holds no state of its own and is safe for concurrent use.
//
// Every method returns the *Error of the REST layer unchanged (business
// errors carry the server's code in ServerCode), UserNotLogin when the call
// needs a token and there is no session, and InvalidParam for bad arguments,
// before any I/O.
type UserManager struct{ c *Client }

// User returns the user manager of c.
func (c *Client) User() *UserManager { return &UserManager{c: c} }

// TokenUser asks POST /token/user for a token by user name without logging
// in (asyncTokenUser).
func (u *UserManager) TokenUser(ctx lite.Context, name, password string) (TokenData, error) {
	return u.c.TokenUser(ctx, name, password)
}

// TokenMobile is TokenUser with a mobile number in place of the name
// (asyncTokenUser({mobile, password})).
func (u *UserManager) TokenMobile(ctx lite.Context, mobile, password string) (TokenData, error) {
	if mobile == "" || password == "" {
		return TokenData{}, ClientError("mobile and password are required")
	}
	if err := u.c.waitDNS(ctx); err != nil {
		return TokenData{}, err
	}
	const path = "/token/user"
	body := newMgrBody().str("mobile", mobile).str("password", password).bytes()
	data, err := u.c.rest.call(ctx, mgrPost(path, body), true)
	if err != nil {
		return TokenData{}, err
	}
	return parseTokenData(data, u.c.rest.baseURL()+path)
}

// TokenID asks POST /token/id for a token by user id without logging in
// (asyncTokenId).
func (u *UserManager) TokenID(ctx lite.Context, uid uint64, password string) (TokenData, error) {
	return u.c.TokenID(ctx, uid, password)
}

// Register creates an account (POST /user/register/v2, asyncRegister) and
// returns its settings. No session is needed.
func (u *UserManager) Register(ctx lite.Context, username, password string) (UserSettings, error) {
	return u.register(ctx, "/user/register/v2", username, password)
}

// RegisterAnonymous creates an anonymous account
// (POST /user/register/anonymous, asyncRegisterAnonymous).
func (u *UserManager) RegisterAnonymous(ctx lite.Context, username, password string) (UserSettings, error) {
	return u.register(ctx, "/user/register/anonymous", username, password)
}

func (u *UserManager) register(ctx lite.Context, path, username, password string) (UserSettings, error) {
	if username == "" || password == "" {
		return UserSettings{}, ClientError("username and password are required")
	}
	data, err := u.c.mcall(ctx, mgrPost(path, newMgrBody().str("username", username).str("password", password).bytes()))
	if err != nil {
		return UserSettings{}, err
	}
	return parseUserSettings(data), nil
}

// Profile fetches the user's profile (GET /user/profile, asyncGetProfile)
// and refreshes the cached copy that RosterManager.UserProfile returns.
func (u *UserManager) Profile(ctx lite.Context) (Profile, error) {
	sess := u.c.mgrSession()
	data, err := u.c.mcall(ctx, mgrGet("/user/profile"))
	if err != nil {
		return Profile{}, err
	}
	u.c.mgrUpdate(sess, func(st *managerState) { st.profile = data })
	return parseProfile(data), nil
}

// ProfileUpdate holds the profile fields to change; nil fields are left
// alone.
type ProfileUpdate struct {
	NickName    *string // nick_name
	Description *string // description
	PublicInfo  *string // public_info
	PrivateInfo *string // private_info
}

// UpdateProfile changes profile fields (POST /user/profile,
// asyncUpdateProfile) and applies them to the cached profile.
func (u *UserManager) UpdateProfile(ctx lite.Context, p ProfileUpdate) error {
	b := newMgrBody()
	var fields []jsonv.Member
	for _, f := range [...]struct {
		key string
		v   *string
	}{{"nick_name", p.NickName}, {"description", p.Description}, {"public_info", p.PublicInfo}, {"private_info", p.PrivateInfo}} {
		if f.v != nil {
			b.str(f.key, *f.v)
			fields = append(fields, jsonv.Field(f.key, jsonv.String(*f.v)))
		}
	}
	if len(fields) == 0 {
		return ClientError("profile update without fields")
	}
	return u.profileCall(ctx, mgrPost("/user/profile", b.bytes()), fields...)
}

// UpdateNickName sets the nick name (POST /user/nickname, query;
// asyncUpdateNickName).
func (u *UserManager) UpdateNickName(ctx lite.Context, nickName string) error {
	if err := needText("nick name", nickName); err != nil {
		return err
	}
	return u.profileCall(ctx, mgrPostQuery("/user/nickname", [2]string{"nick_name", nickName}),
		jsonv.Field("nick_name", jsonv.String(nickName)))
}

// UpdateAvatar sets the avatar: an object name or a download URL from
// SysManager.Upload with ToType UploadToRosterAvatar (POST /user/avatar,
// asyncUpdateAvatar).
func (u *UserManager) UpdateAvatar(ctx lite.Context, avatar string) error {
	if err := needText("avatar", avatar); err != nil {
		return err
	}
	return u.profileCall(ctx, mgrPost("/user/avatar", newMgrBody().str("avatar", avatar).bytes()),
		jsonv.Field("avatar", jsonv.String(avatar)))
}

// UpdateMobile sets the mobile number (POST /user/mobile, query;
// asyncUpdateMobile).
func (u *UserManager) UpdateMobile(ctx lite.Context, mobile string) error {
	if err := needText("mobile", mobile); err != nil {
		return err
	}
	return u.profileCall(ctx, mgrPostQuery("/user/mobile", [2]string{"mobile", mobile}),
		jsonv.Field("mobile", jsonv.String(mobile)))
}

// profileCall performs req and, on success, merges fields into the cached
// profile, if there is one.
func (u *UserManager) profileCall(ctx lite.Context, req RESTRequest, fields ...jsonv.Member) error {
	sess := u.c.mgrSession()
	if _, err := u.c.mcall(ctx, req); err != nil {
		return err
	}
	u.c.mgrUpdate(sess, func(st *managerState) {
		if st.profile.Kind() == jsonv.KindObject {
			st.profile = jsonv.Merge(st.profile, jsonv.Object(fields...))
		}
	})
	return nil
}

// UpdateAuthMode sets how friend requests are handled, AuthModeAnyone to
// AuthModeRejectAll (POST /user/authmode, query; asyncUpdateAuthmode).
func (u *UserManager) UpdateAuthMode(ctx lite.Context, mode int) error {
	if err := needRange("auth mode", mode, AuthModeAnyone, AuthModeRejectAll); err != nil {
		return err
	}
	_, err := u.c.mcall(ctx, mgrPostQuery("/user/authmode", qInt("value", int64(mode))))
	return err
}

// Settings fetches the user's settings (GET /user/settings,
// asyncGetSettings).
func (u *UserManager) Settings(ctx lite.Context) (UserSettings, error) {
	data, err := u.c.mcall(ctx, mgrGet("/user/settings"))
	if err != nil {
		return UserSettings{}, err
	}
	return parseUserSettings(data), nil
}

// UpdateSettings changes settings (POST /user/settings,
// asyncUpdateSettings). fields is an object of UserSettings keys (REST.md
// §12, e.g. {"no_sounds": true}); user_id, which the official client
// always sends, is added when fields lacks it.
func (u *UserManager) UpdateSettings(ctx lite.Context, fields jsonv.Value) error {
	if fields.Kind() != jsonv.KindObject || fields.Len() == 0 {
		return ClientError("settings must be a non-empty object")
	}
	if !fields.Get("user_id").Exists() {
		uid := u.c.UID()
		if uid == 0 {
			return NewError(UserNotLogin, "settings update needs a logged-in session")
		}
		fields = fields.Set("user_id", jsonv.Uint(uid))
	}
	_, err := u.c.mcall(ctx, mgrPost("/user/settings", fields.AppendJSON(nil)))
	return err
}

// SetPush sets the push switch (POST /user/push {value}).
func (u *UserManager) SetPush(ctx lite.Context, value bool) error {
	return u.setFlag(ctx, "/user/push", value)
}

// SetPushDetail sets whether pushes show message details
// (POST /user/push/detail {value}).
func (u *UserManager) SetPushDetail(ctx lite.Context, value bool) error {
	return u.setFlag(ctx, "/user/push/detail", value)
}

// SetSounds sets the sound switch (POST /user/sounds {value}).
func (u *UserManager) SetSounds(ctx lite.Context, value bool) error {
	return u.setFlag(ctx, "/user/sounds", value)
}

// SetVibratory sets the vibration switch (POST /user/vibratory {value}).
func (u *UserManager) SetVibratory(ctx lite.Context, value bool) error {
	return u.setFlag(ctx, "/user/vibratory", value)
}

func (u *UserManager) setFlag(ctx lite.Context, path string, value bool) error {
	_, err := u.c.mcall(ctx, mgrPost(path, newMgrBody().boolean("value", value).bytes()))
	return err
}

// SetPushNickName sets the name shown in pushes
// (POST /user/push/nickname {value}).
func (u *UserManager) SetPushNickName(ctx lite.Context, name string) error {
	_, err := u.c.mcall(ctx, mgrPost("/user/push/nickname", newMgrBody().str("value", name).bytes()))
	return err
}

// SetPushLimit sets the do-not-disturb window, hours 0-23
// (POST /user/push/limit).
func (u *UserManager) SetPushLimit(ctx lite.Context, startHour, endHour int) error {
	if err := needRange("start hour", startHour, 0, 23); err != nil {
		return err
	}
	if err := needRange("end hour", endHour, 0, 23); err != nil {
		return err
	}
	body := newMgrBody().num("no_push_start_hour", int64(startHour)).num("no_push_end_hour", int64(endHour)).bytes()
	_, err := u.c.mcall(ctx, mgrPost("/user/push/limit", body))
	return err
}

// ChangePassword changes the password (POST /user/change_password,
// asyncUserChangePassword). The server logs the other devices out.
func (u *UserManager) ChangePassword(ctx lite.Context, oldPassword, newPassword string) error {
	if oldPassword == "" || newPassword == "" {
		return ClientError("old and new password are required")
	}
	body := newMgrBody().str("old_password", oldPassword).str("new_password", newPassword).bytes()
	_, err := u.c.mcall(ctx, mgrPost("/user/change_password", body))
	return err
}

// DeleteUser deletes the account (POST /user/delete, asyncDeleteUser).
func (u *UserManager) DeleteUser(ctx lite.Context, password string) error {
	if password == "" {
		return ClientError("password is required")
	}
	_, err := u.c.mcall(ctx, mgrPost("/user/delete", newMgrBody().str("password", password).bytes()))
	return err
}

// Devices lists the user's devices (GET /user/device/list,
// asyncGetDeviceList).
func (u *UserManager) Devices(ctx lite.Context) ([]Device, error) {
	data, err := u.c.mcall(ctx, mgrGet("/user/device/list"))
	if err != nil {
		return nil, err
	}
	return parseList(data, parseDevice), nil
}

// KickDevice logs device deviceSN of the user out (POST /user/kick,
// asyncKickDevice). A zero deviceSN is refused: the endpoint would kick
// every device, which KickAllDevices does on purpose.
func (u *UserManager) KickDevice(ctx lite.Context, deviceSN uint64) error {
	if err := needID("device_sn", deviceSN); err != nil {
		return err
	}
	_, err := u.c.mcall(ctx, mgrPost("/user/kick", newMgrBody().id("device_sn", deviceSN).bytes()))
	return err
}

// KickAllDevices logs every device of the user out, this one included
// (POST /user/kick without device_sn).
func (u *UserManager) KickAllDevices(ctx lite.Context) error {
	_, err := u.c.mcall(ctx, mgrPost("/user/kick", newMgrBody().bytes()))
	return err
}

// BindDeviceToken registers a push token for a device
// (POST /user/token/bind, asyncBindDeviceToken).
func (u *UserManager) BindDeviceToken(ctx lite.Context, deviceSN uint64, deviceToken, notifierName string) error {
	if err := needID("device_sn", deviceSN); err != nil {
		return err
	}
	if deviceToken == "" {
		return ClientError("device token is required")
	}
	body := newMgrBody().id("device_sn", deviceSN).str("device_token", deviceToken).str("notifier_name", notifierName).bytes()
	_, err := u.c.mcall(ctx, mgrPost("/user/token/bind", body))
	return err
}

// UnbindDeviceToken removes the push token of a device
// (POST /user/token/unbind, query "deviceSn" as the official client spells
// it; asyncUnbindDeviceToken).
func (u *UserManager) UnbindDeviceToken(ctx lite.Context, deviceSN uint64) error {
	if err := needID("device_sn", deviceSN); err != nil {
		return err
	}
	_, err := u.c.mcall(ctx, mgrPostQuery("/user/token/unbind", qID("deviceSn", deviceSN)))
	return err
}

// AccountAPI names one of the account and demo-app endpoints of REST.md §11
// by the official facade method that wraps it (userManage and sysManage).
// Their request and reply shapes are not published, so AccountCall passes
// parameters and replies through.
type AccountAPI string

// The account and demo-app endpoints (REST.md §11), named after the
// official methods, misspellings included.
const (
	AccountGenerateSecretInfo       AccountAPI = "asyncGenerateSecretInfo"
	AccountSendSecretInfo           AccountAPI = "asyncSendSecretInfo"
	AccountUserBindMobile           AccountAPI = "asyncUserBindMobile"
	AccountUserUpdateMobile         AccountAPI = "asyncUserUpdateMobile"
	AccountUserSendSms              AccountAPI = "asyncUserSendSms"
	AccountCaptchaSms               AccountAPI = "asyncCaptchaSms"
	AccountGenerateWXUrlLink        AccountAPI = "aysncGenerateWXUrlLink" // sic
	AccountUserNameCheck            AccountAPI = "asyncUserNameCheck"
	AccountUserMobileBind           AccountAPI = "asyncUserMobileBind"
	AccountUserMobileBindSign       AccountAPI = "asyncUserMobileBindSign"
	AccountUserMobileLogin          AccountAPI = "asyncUserMobileLogin"
	AccountCaptchaImagePost         AccountAPI = "asyncCaptchaImagePost"
	AccountGetUserVerification      AccountAPI = "asyncGetUserVerification"
	AccountUserVerificationByMobile AccountAPI = "userVerificationByMobile"
	AccountChangeMobileCheckPwd     AccountAPI = "userChangeMobileCheckPassword"
	AccountChangeMobileCheckMobile  AccountAPI = "userChangeMobileCheckMobile"
	AccountChangeMobile             AccountAPI = "userChangeMobile"
	AccountQrcode                   AccountAPI = "asyncQrcode"
	AccountQrlogin                  AccountAPI = "asyncQrlogin"
	AccountQrcodeGroupsign          AccountAPI = "asyncQrcodeGroupsign"
	AccountQrcodeGroupinvite        AccountAPI = "asyncQrcodeGroupinvite"
	AccountWoaQrcode                AccountAPI = "asyncWoaQrcode"
	AccountWoaQrcodeStatus          AccountAPI = "asyncWoaQrcodeStatus"
	AccountWoaQrlogin               AccountAPI = "asyncWoaQrlogin"
	AccountWoaIsBind                AccountAPI = "asyncWoaIsBind"
	AccountWxlogin                  AccountAPI = "asyncWxlogin"
	AccountWxbind                   AccountAPI = "asyncWxbind"
	AccountGetStaticContact         AccountAPI = "asyncGetStaticContact"
	AccountWechatUnbind             AccountAPI = "asyncWechatUnbind"
	AccountWechatIsbind             AccountAPI = "asyncWechatIsbind"
	AccountWechatBind               AccountAPI = "asyncWechatBind"
)

// accountEndpoints maps each AccountAPI to its method and path. GET
// parameters go in the query string, POST parameters in a JSON body
// (REST.md §2.2; servers accept both for POST).
var accountEndpoints = map[AccountAPI][2]string{
	AccountGenerateSecretInfo:       {"POST", "/app/secret_info"},
	AccountSendSecretInfo:           {"GET", "/app/secret_info"},
	AccountUserBindMobile:           {"POST", "/app/user/mobile_bind"},
	AccountUserUpdateMobile:         {"POST", "/app/user/mobile_update"},
	AccountUserSendSms:              {"GET", "/app/captcha/sms"},
	AccountCaptchaSms:               {"GET", "/app/captcha/sms_web"},
	AccountGenerateWXUrlLink:        {"POST", "/app/generate_url_link"},
	AccountUserNameCheck:            {"GET", "/app/user/name_check"},
	AccountUserMobileBind:           {"POST", "/app/user/mobile_bind"},
	AccountUserMobileBindSign:       {"POST", "/app/user/mobile_bind_with_sign"},
	AccountUserMobileLogin:          {"GET", "/app/user/info_pwd"},
	AccountCaptchaImagePost:         {"POST", "/app/captcha/image"},
	AccountGetUserVerification:      {"GET", "/app/user_verification"},
	AccountUserVerificationByMobile: {"POST", "/app/user_verification_by_mobile"},
	AccountChangeMobileCheckPwd:     {"POST", "/app/user/mobile_prechange_by_password"},
	AccountChangeMobileCheckMobile:  {"POST", "/app/user/mobile_prechange_by_mobile"},
	AccountChangeMobile:             {"POST", "/app/user/mobile_change"},
	AccountQrcode:                   {"GET", "/app/qr_code"},
	AccountQrlogin:                  {"GET", "/app/qr_login"},
	AccountQrcodeGroupsign:          {"GET", "/app/qrcode/group_sign"},
	AccountQrcodeGroupinvite:        {"GET", "/app/qrcode/group_invite"},
	AccountWoaQrcode:                {"GET", "/app/official_account/qrcode"},
	AccountWoaQrcodeStatus:          {"GET", "/app/official_account/qrcode_status"},
	AccountWoaQrlogin:               {"GET", "/app/official_account/login"},
	AccountWoaIsBind:                {"GET", "/app/official_account/is_bind"},
	AccountWxlogin:                  {"GET", "/app/wechat_login"},
	AccountWxbind:                   {"GET", "/user/bind_openid"},
	AccountGetStaticContact:         {"GET", "/app/support_staff"},
	AccountWechatUnbind:             {"POST", "/app/wechat/unbind"},
	AccountWechatIsbind:             {"GET", "/app/wechat/is_bind"},
	AccountWechatBind:               {"POST", "/app/wechat/bind"},
}

// AccountAPIs returns every AccountAPI, sorted, so that the JavaScript
// bridge can expose them all without a list of its own.
func AccountAPIs() []AccountAPI {
	out := make([]AccountAPI, 0, len(accountEndpoints))
	for a := range accountEndpoints {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Endpoint returns the method and path of a, and false for an unknown name.
func (a AccountAPI) Endpoint() (method, path string, ok bool) {
	e, ok := accountEndpoints[a]
	return e[0], e[1], ok
}

// AccountCall calls the account or demo-app endpoint api with params, an
// object (or the missing Value for none), and returns the reply's data as
// is. For GET endpoints each member becomes a query parameter (strings as
// they are, other values as JSON text); for POST endpoints params is the
// JSON body.
func (u *UserManager) AccountCall(ctx lite.Context, api AccountAPI, params jsonv.Value) (jsonv.Value, error) {
	return u.c.accountCall(ctx, api, params)
}

func (c *Client) accountCall(ctx lite.Context, api AccountAPI, params jsonv.Value) (jsonv.Value, error) {
	method, path, ok := api.Endpoint()
	if !ok {
		return jsonv.Value{}, ClientError("unknown account API " + string(api))
	}
	switch params.Kind() {
	case jsonv.KindObject:
	case jsonv.KindNull: // missing or null: no parameters
	default:
		return jsonv.Value{}, ClientError(string(api) + ": parameters must be an object")
	}
	req := RESTRequest{Method: method, Path: path}
	if method == "GET" {
		for k, v := range params.Members() {
			if s, ok := v.AsString(); ok {
				req.Query = append(req.Query, [2]string{k, s})
			}
		}
	} else if params.Kind() == jsonv.KindObject {
		req.Body = params.AppendJSON(nil)
	}
	return c.mcall(ctx, req)
}
