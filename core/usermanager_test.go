package core

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

// mgrWrapperCase is one REST wrapper: calling it must send exactly one
// request with this method, path, query and body.
type mgrWrapperCase struct {
	name   string
	call   func(ctx lite.Context, c *Client) error
	method string
	path   string
	query  url.Values // nil: none
	body   string     // expected JSON body; "" for none, "{}" for (q) POSTs
	reply  string     // data of the reply; "true" when empty
}

// runWrapperCases checks placement (query vs body, REST.md §2.2) and number
// coercion of every case: bodies are compared as JSON, so {"user_id":"5"}
// would not match {"user_id":5}.
func runWrapperCases(t *testing.T, cases []mgrWrapperCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, h, _ := newMgrClient(t)
			reply := tc.reply
			if reply == "" {
				reply = "true"
			}
			h.ok(tc.method+" "+tc.path, reply)
			require.NoError(t, tc.call(mgrCtx(t), c))
			call := h.last(t)
			assert.Equal(t, tc.method, call.Method)
			assert.Equal(t, tc.path, call.Path)
			if tc.query == nil {
				assert.Empty(t, call.Query, "no query parameters")
			} else {
				assert.Equal(t, tc.query, call.Query)
			}
			if tc.body == "" {
				assert.Empty(t, call.Body, "GET without a body")
			} else {
				assert.JSONEq(t, tc.body, call.Body)
				assert.Equal(t, "application/json", call.Header["Content-Type"])
			}
			assert.Equal(t, "tok", call.Header["access-token"])
			assert.Equal(t, "app1", call.Header["app_id"])

			// Business errors come back unchanged.
			h.fail(tc.method+" "+tc.path, 20013, "permission denied")
			e := requireCode(t, tc.call(mgrCtx(t), c), errRESTCode(20013))
			assert.Equal(t, SourceREST, e.Source)
			assert.Equal(t, 20013, e.ServerCode)
			assert.Equal(t, "permission denied", e.Message)
		})
	}
}

func strp(s string) *string { return &s }

func TestUserManagerWrappers(t *testing.T) {
	u := func(c *Client) *UserManager { return c.User() }
	runWrapperCases(t, []mgrWrapperCase{
		{"RegisterAnonymous", func(ctx lite.Context, c *Client) error {
			_, err := u(c).RegisterAnonymous(ctx, "guest", "pw")
			return err
		}, "POST", "/user/register/anonymous", nil, `{"username":"guest","password":"pw"}`, `{"user_id":1}`},
		{"UpdateProfile", func(ctx lite.Context, c *Client) error {
			return u(c).UpdateProfile(ctx, ProfileUpdate{NickName: strp("Al"), PrivateInfo: strp("")})
		}, "POST", "/user/profile", nil, `{"nick_name":"Al","private_info":""}`, ""},
		{"UpdateNickName", func(ctx lite.Context, c *Client) error {
			return u(c).UpdateNickName(ctx, "Al B")
		}, "POST", "/user/nickname", url.Values{"nick_name": {"Al B"}}, `{}`, ""},
		{"UpdateAvatar", func(ctx lite.Context, c *Client) error {
			return u(c).UpdateAvatar(ctx, "obj/1.png")
		}, "POST", "/user/avatar", nil, `{"avatar":"obj/1.png"}`, ""},
		{"UpdateMobile", func(ctx lite.Context, c *Client) error {
			return u(c).UpdateMobile(ctx, "+8613800000000")
		}, "POST", "/user/mobile", url.Values{"mobile": {"+8613800000000"}}, `{}`, ""},
		{"UpdateAuthMode", func(ctx lite.Context, c *Client) error {
			return u(c).UpdateAuthMode(ctx, AuthModeQuestion)
		}, "POST", "/user/authmode", url.Values{"value": {"2"}}, `{}`, ""},
		{"UpdateSettings", func(ctx lite.Context, c *Client) error {
			return u(c).UpdateSettings(ctx, jsonv.Object(jsonv.Field("no_sounds", jsonv.Bool(true))))
		}, "POST", "/user/settings", nil, `{"no_sounds":true,"user_id":100}`, ""},
		{"UpdateSettingsKeepsUserID", func(ctx lite.Context, c *Client) error {
			return u(c).UpdateSettings(ctx, jsonv.Object(jsonv.Field("user_id", jsonv.Uint(5)), jsonv.Field("vibratory", jsonv.Bool(false))))
		}, "POST", "/user/settings", nil, `{"user_id":5,"vibratory":false}`, ""},
		{"SetPush", func(ctx lite.Context, c *Client) error {
			return u(c).SetPush(ctx, true)
		}, "POST", "/user/push", nil, `{"value":true}`, ""},
		{"SetPushDetail", func(ctx lite.Context, c *Client) error {
			return u(c).SetPushDetail(ctx, false)
		}, "POST", "/user/push/detail", nil, `{"value":false}`, ""},
		{"SetPushNickName", func(ctx lite.Context, c *Client) error {
			return u(c).SetPushNickName(ctx, "Al")
		}, "POST", "/user/push/nickname", nil, `{"value":"Al"}`, ""},
		{"SetSounds", func(ctx lite.Context, c *Client) error {
			return u(c).SetSounds(ctx, true)
		}, "POST", "/user/sounds", nil, `{"value":true}`, ""},
		{"SetVibratory", func(ctx lite.Context, c *Client) error {
			return u(c).SetVibratory(ctx, true)
		}, "POST", "/user/vibratory", nil, `{"value":true}`, ""},
		{"SetPushLimit", func(ctx lite.Context, c *Client) error {
			return u(c).SetPushLimit(ctx, 22, 7)
		}, "POST", "/user/push/limit", nil, `{"no_push_start_hour":22,"no_push_end_hour":7}`, ""},
		{"ChangePassword", func(ctx lite.Context, c *Client) error {
			return u(c).ChangePassword(ctx, "a", "b")
		}, "POST", "/user/change_password", nil, `{"old_password":"a","new_password":"b"}`, ""},
		{"DeleteUser", func(ctx lite.Context, c *Client) error {
			return u(c).DeleteUser(ctx, "pw")
		}, "POST", "/user/delete", nil, `{"password":"pw"}`, ""},
		{"KickDevice", func(ctx lite.Context, c *Client) error {
			return u(c).KickDevice(ctx, 3)
		}, "POST", "/user/kick", nil, `{"device_sn":3}`, ""},
		{"KickAllDevices", func(ctx lite.Context, c *Client) error {
			return u(c).KickAllDevices(ctx)
		}, "POST", "/user/kick", nil, `{}`, ""},
		{"BindDeviceToken", func(ctx lite.Context, c *Client) error {
			return u(c).BindDeviceToken(ctx, 3, "dtok", "fcm")
		}, "POST", "/user/token/bind", nil, `{"device_sn":3,"device_token":"dtok","notifier_name":"fcm"}`, ""},
		{"UnbindDeviceToken", func(ctx lite.Context, c *Client) error {
			return u(c).UnbindDeviceToken(ctx, 3)
		}, "POST", "/user/token/unbind", url.Values{"deviceSn": {"3"}}, `{}`, ""},
		{"AccountCallGET", func(ctx lite.Context, c *Client) error {
			p := jsonv.Object(jsonv.Field("mobile", jsonv.String("138")), jsonv.Field("n", jsonv.Int(4)))
			_, err := u(c).AccountCall(ctx, AccountUserSendSms, p)
			return err
		}, "GET", "/app/captcha/sms", url.Values{"mobile": {"138"}, "n": {"4"}}, "", `"sent"`},
		{"AccountCallPOST", func(ctx lite.Context, c *Client) error {
			p := jsonv.Object(jsonv.Field("expire_seconds", jsonv.Int(60)), jsonv.Field("secret_text", jsonv.String("s")))
			_, err := u(c).AccountCall(ctx, AccountGenerateSecretInfo, p)
			return err
		}, "POST", "/app/secret_info", nil, `{"expire_seconds":60,"secret_text":"s"}`, ""},
		{"AccountCallNoParams", func(ctx lite.Context, c *Client) error {
			_, err := c.Sys().AccountCall(ctx, AccountWechatUnbind, jsonv.Value{})
			return err
		}, "POST", "/app/wechat/unbind", nil, `{}`, ""},
	})
}

func TestUserManagerResults(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	h.ok("GET /user/settings", `{"id":1,"user_id":"100","auth_mode":2,"auth_question":"q","group_confirm":"true","no_push":1,"no_push_start_hour":22,"push_nick_name":"Al"}`)
	s, err := c.User().Settings(ctx)
	require.NoError(t, err)
	assert.Equal(t, UserSettings{ID: 1, UserID: 100, AuthMode: 2, AuthQuestion: "q", GroupConfirm: true, NoPush: true,
		NoPushStartHour: 22, PushNickName: "Al", Raw: s.Raw}, s)
	assert.True(t, s.Raw.Exists())

	h.ok("GET /user/device/list", `[{"device_sn":3,"platform":6,"user_agent":"Web","user_id":100,"last_seen":1765000000123,"online":true,"current":true},{"device_sn":"9007199254740991","platform":1}]`)
	devs, err := c.User().Devices(ctx)
	require.NoError(t, err)
	require.Len(t, devs, 2)
	assert.Equal(t, uint64(3), devs[0].DeviceSN)
	assert.Equal(t, 6, devs[0].Platform)
	assert.Equal(t, "Web", devs[0].UserAgent)
	assert.Equal(t, uint64(1765000000123), devs[0].LastSeen)
	assert.True(t, devs[0].Online)
	assert.True(t, devs[0].Current)
	assert.False(t, devs[1].Online || devs[1].Current, "servers without the extensions give zero values")
	assert.Zero(t, devs[1].LastSeen)
	assert.Equal(t, uint64(1<<53-1), devs[1].DeviceSN, "ids stay exact up to 2^53-1")

	h.ok("GET /app/captcha/sms", `{"any":["thing",1]}`)
	v, err := c.User().AccountCall(ctx, AccountUserSendSms, jsonv.Value{})
	require.NoError(t, err)
	assert.Equal(t, `{"any":["thing",1]}`, v.String(), "account replies pass through")
}

func TestUserManagerProfileCache(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	h.ok("GET /user/profile", `{"user_id":100,"username":"al","nick_name":"Al","avatar":"a.png","public_info":"pub"}`)
	p, err := c.Roster().UserProfile(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, "Al", p.NickName)
	assert.Equal(t, "pub", p.PublicInfo)

	h.ok("POST /user/nickname", "true")
	require.NoError(t, c.User().UpdateNickName(ctx, "Alfred"))
	h.ok("POST /user/profile", "true")
	require.NoError(t, c.User().UpdateProfile(ctx, ProfileUpdate{Description: strp("hello")}))
	h.reset()
	p, err = c.Roster().UserProfile(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, "Alfred", p.NickName, "the cache follows successful updates")
	assert.Equal(t, "hello", p.Description)
	assert.Equal(t, "al", p.Username)
	assert.Empty(t, h.all(), "cached profile needs no request")

	// A failed update leaves the cache alone.
	h.fail("POST /user/avatar", 10002, "no")
	require.Error(t, c.User().UpdateAvatar(ctx, "b.png"))
	p, _ = c.Roster().UserProfile(ctx, false)
	assert.Equal(t, "a.png", p.Avatar)

	_, err = c.Roster().UserProfile(ctx, true)
	require.NoError(t, err)
	assert.Len(t, h.all(), 2, "force fetches again")
}

func TestUserManagerTokens(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	h.ok("POST /token/user", `{"token":"T","user_id":"42","expire":1}`)
	td, err := c.User().TokenMobile(ctx, "138", "pw")
	require.NoError(t, err)
	assert.Equal(t, TokenData{Token: "T", UserID: 42, Expire: 1}, td)
	assert.JSONEq(t, `{"mobile":"138","password":"pw"}`, h.last(t).Body)

	h.ok("POST /token/id", `{"token":"I","user_id":42}`)
	h.reset()
	td, err = c.User().TokenID(ctx, 42, "pw")
	require.NoError(t, err)
	assert.Equal(t, "I", td.Token)
	assert.JSONEq(t, `{"user_id":42,"password":"pw"}`, h.last(t).Body)

	h.reset()
	td, err = c.User().TokenUser(ctx, "al", "pw")
	require.NoError(t, err)
	assert.Equal(t, "T", td.Token)
	assert.JSONEq(t, `{"name":"al","password":"pw"}`, h.last(t).Body)

	h.ok("POST /token/user", `{"user_id":42}`)
	_, err = c.User().TokenMobile(ctx, "138", "pw")
	requireCode(t, err, ServerTokenResponseInvalid)
	h.fail("POST /token/user", 10002, "wrong password")
	_, err = c.User().TokenMobile(ctx, "138", "pw")
	requireCode(t, err, UserAuthFailed)
}

func TestUserManagerBadArguments(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	u := c.User()
	for name, err := range map[string]error{
		"register":      func() error { _, err := u.Register(ctx, "", "pw"); return err }(),
		"profile":       u.UpdateProfile(ctx, ProfileUpdate{}),
		"nick":          u.UpdateNickName(ctx, " "),
		"avatar":        u.UpdateAvatar(ctx, ""),
		"authmode":      u.UpdateAuthMode(ctx, 4),
		"settings":      u.UpdateSettings(ctx, jsonv.String("x")),
		"settingsEmpty": u.UpdateSettings(ctx, jsonv.Object()),
		"pushlimit":     u.SetPushLimit(ctx, 0, 24),
		"password":      u.ChangePassword(ctx, "a", ""),
		"delete":        u.DeleteUser(ctx, ""),
		"kick":          u.KickDevice(ctx, 0),
		"bind":          u.BindDeviceToken(ctx, 1, "", "x"),
		"unbind":        u.UnbindDeviceToken(ctx, 0),
		"mobileToken":   func() error { _, err := u.TokenMobile(ctx, "", "pw"); return err }(),
		"accountName":   func() error { _, err := u.AccountCall(ctx, "nope", jsonv.Value{}); return err }(),
		"accountParams": func() error { _, err := u.AccountCall(ctx, AccountQrcode, jsonv.Array()); return err }(),
	} {
		assert.True(t, IsCode(err, InvalidParam), "%s: %v", name, err)
	}
	assert.Empty(t, h.all(), "bad arguments are refused before any I/O")

	mgrLogin(c, 1, 0, "tok")
	err := u.UpdateSettings(ctx, jsonv.Object(jsonv.Field("no_push", jsonv.Bool(true))))
	requireCode(t, err, UserNotLogin)
}

func TestAccountAPIsTable(t *testing.T) {
	apis := AccountAPIs()
	assert.Len(t, apis, 31)
	for _, a := range apis {
		m, p, ok := a.Endpoint()
		require.True(t, ok, a)
		assert.Contains(t, []string{"GET", "POST"}, m, a)
		assert.Equal(t, byte('/'), p[0], a)
	}
	m, p, _ := AccountGenerateWXUrlLink.Endpoint()
	assert.Equal(t, [2]string{"POST", "/app/generate_url_link"}, [2]string{m, p})
	assert.Equal(t, AccountAPI("aysncGenerateWXUrlLink"), AccountGenerateWXUrlLink, "official misspelling kept")
	_, _, ok := AccountAPI("asyncNothing").Endpoint()
	assert.False(t, ok)
}
