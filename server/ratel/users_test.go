package ratel_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/ratel"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

func registerDevice(t *testing.T, env *servertest.Env, uid int64, guid string) uint32 {
	t.Helper()
	d, _, err := env.Server.Store().RegisterDevice(context.Background(), store.DeviceRegistration{
		UserID: uid, GUID: guid, Platform: 6, UserAgent: "Web", Now: time.Now().UnixMilli()})
	require.NoError(t, err)
	return d.SN
}

func decodeUserNotice(t *testing.T, n ratel.Notice) xsync.UserNotice {
	t.Helper()
	require.Equal(t, ratel.NSUserNotice, n.NS)
	var un xsync.UserNotice
	require.NoError(t, un.Unmarshal(n.Payload))
	return un
}

func TestAppConfigAndUnsupported(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
		c.AppConfig = map[string]any{"feature": true}
	}))
	var cfg map[string]any
	env.OK(t, "GET", "/app/config", "bogus-token-is-ignored", url.Values{"platform": {"6"}}, &cfg)
	assert.Equal(t, map[string]any{"feature": true}, cfg)

	for _, p := range []string{"/app/captcha/sms", "/app/qr_code", "/app/wechat/is_bind", "/app/support_staff"} {
		code, _ := env.Do(t, "GET", p, "", nil)
		assert.Equal(t, ratel.CodeBadParam, code, p)
	}
	code, _ := env.Do(t, "POST", "/app/wechat/bind", "", map[string]any{"open_id": "x"})
	assert.Equal(t, ratel.CodeBadParam, code)
}

func TestAuthRules(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	alice := env.NewUser(t, "alice")

	tests := []struct {
		name   string
		header map[string]string
		query  string
		code   int
	}{
		{"header token", map[string]string{"access-token": alice.Token}, "", ratel.CodeOK},
		{"query token", nil, "access-token=" + url.QueryEscape(alice.Token), ratel.CodeOK},
		{"missing token", nil, "", ratel.CodeMissingToken},
		{"empty token", map[string]string{"access-token": ""}, "", ratel.CodeMissingToken},
		{"bogus token", map[string]string{"access-token": "nope"}, "", ratel.CodeTokenInvalid},
		{"wrong app", map[string]string{"access-token": alice.Token, "app_id": "other"}, "", ratel.CodeAppNotExist},
		{"wrong app in query", map[string]string{"access-token": alice.Token, "app_id": "-"}, "app_id=other", ratel.CodeAppNotExist},
		{"header app id wins", map[string]string{"access-token": alice.Token}, "app_id=other", ratel.CodeOK},
		{"no app id at all", map[string]string{"access-token": alice.Token, "app_id": "-"}, "", ratel.CodeOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", env.URL+"/user/profile?"+tt.query, nil)
			require.NoError(t, err)
			req.Header.Set("app_id", env.AppID)
			// GET may carry a JSON content type (PROTOCOL.md §17.18).
			req.Header.Set("Content-Type", "application/json")
			for k, v := range tt.header {
				if k == "app_id" && v == "-" {
					req.Header.Del("app_id")
					continue
				}
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, 200, resp.StatusCode)
			var env struct{ Code int }
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
			assert.Equal(t, tt.code, env.Code)
		})
	}

	// Endpoints without a token ignore a bogus one (PROTOCOL.md §17.18).
	var td ratel.TokenData
	env.OK(t, "POST", "/token/user", "garbage", map[string]any{"name": "alice", "password": alice.Password}, &td)
	assert.Equal(t, alice.ID, td.UserID)
}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	clk := &servertest.Clock{Base: time.Unix(1_700_000_000, 0)}
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.Now = clk.Now }))
	env.Register(t, "bob", "secret1")
	td := env.Login(t, "bob", "secret1", "")
	assert.Equal(t, clk.Now().Add(30*24*time.Hour).UnixMilli(), td.Expire, "expire is 30 days ahead, in ms")
	code, _ := env.Do(t, "GET", "/user/profile", td.Token, nil)
	assert.Equal(t, ratel.CodeOK, code)
	clk.Advance(30*24*time.Hour + time.Second)
	code, _ = env.Do(t, "GET", "/user/profile", td.Token, nil)
	assert.Equal(t, ratel.CodeTokenInvalid, code)
}

func TestTokenEndpoints(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	uid := env.Register(t, "Carol", "secret1")
	owner := env.Token(t, "carol", "secret1") // names are case-insensitive
	env.OK(t, "POST", "/user/mobile", owner, url.Values{"mobile": {"13800000000"}}, nil)
	env.OK(t, "POST", "/user/profile", owner, map[string]any{"nick_name": "C"}, nil)
	_, err := env.Server.Store().UserByID(context.Background(), uid)
	require.NoError(t, err)
	email := "carol@example.com"
	require.NoError(t, env.Server.Store().UpdateProfile(context.Background(), uid, store.ProfilePatch{Email: &email}, 1))

	ok := func(path string, params map[string]any) ratel.TokenData {
		t.Helper()
		var td ratel.TokenData
		env.OK(t, "POST", path, "", params, &td)
		assert.Equal(t, uid, td.UserID, path)
		assert.Len(t, td.Token, 43, "32 random bytes, base64url")
		assert.Greater(t, td.Expire, time.Now().UnixMilli())
		return td
	}
	a := ok("/token/user", map[string]any{"name": "Carol", "password": "secret1", "device_guid": "g1"})
	b := ok("/token/user", map[string]any{"mobile": "13800000000", "password": "secret1"})
	assert.NotEqual(t, a.Token, b.Token, "every login gets a fresh token")
	ok("/token/id", map[string]any{"user_id": uid, "password": "secret1"})
	ok("/token/id", map[string]any{"user_id": json.Number(strings.TrimSpace(" " + itoa(uid))), "password": "secret1"})
	ok("/token/id", map[string]any{"user_id": itoa(uid), "password": "secret1"}) // id as a string
	ok("/token/login", map[string]any{"login_name": "carol", "password": "secret1"})
	ok("/token/login", map[string]any{"login_name": "13800000000", "password": "secret1"})
	ok("/token/login", map[string]any{"login_name": email, "password": "secret1"})

	fail := []struct {
		path   string
		params map[string]any
		code   int
	}{
		{"/token/user", map[string]any{"name": "carol", "password": "wrong!!"}, ratel.CodeBadParam},
		{"/token/user", map[string]any{"name": "nobody", "password": "secret1"}, ratel.CodeUserNotExist},
		{"/token/user", map[string]any{"mobile": "999", "password": "secret1"}, ratel.CodeUserNotExist},
		{"/token/user", map[string]any{"password": "secret1"}, ratel.CodeBadParam},
		{"/token/user", map[string]any{"name": "carol"}, ratel.CodeBadParam},
		{"/token/user", map[string]any{"name": "carol", "password": strings.Repeat("p", 100)}, ratel.CodeBadParam},
		{"/token/id", map[string]any{"user_id": 42, "password": "secret1"}, ratel.CodeUserNotExist},
		{"/token/id", map[string]any{"user_id": "x", "password": "secret1"}, ratel.CodeBadParam},
		{"/token/login", map[string]any{"login_name": "nobody@example.com", "password": "secret1"}, ratel.CodeUserNotExist},
		{"/token/user", map[string]any{"name": "carol", "password": "secret1", "device_guid": strings.Repeat("g", 200)}, ratel.CodeBadParam},
	}
	for _, f := range fail {
		code, data := env.Do(t, "POST", f.path, "", f.params)
		assert.Equal(t, f.code, code, "%s %v", f.path, f.params)
		assert.Equal(t, "null", string(data))
	}
}

func itoa(v int64) string { b, _ := json.Marshal(v); return string(b) }

func TestTokenStoredHashed(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := env.NewUser(t, "dora")
	_, err := env.Server.Store().LookupToken(context.Background(), []byte(u.Token), 0)
	assert.ErrorIs(t, err, store.ErrNotFound, "the clear token is not a key")
	tk, err := env.Server.Store().LookupToken(context.Background(), store.HashToken(u.Token), 0)
	require.NoError(t, err)
	assert.Equal(t, u.ID, tk.UserID)
}

func TestRegister(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	var s ratel.Settings
	env.OK(t, "POST", "/user/register/v2", "", map[string]any{"username": "erin", "password": "secret1"}, &s)
	assert.NotZero(t, s.UserID)
	assert.Equal(t, s.UserID, s.ID)
	assert.GreaterOrEqual(t, s.UserID, int64(store.FirstEntityID))
	assert.Equal(t, int32(1), s.AuthMode)

	bad := []struct {
		params map[string]any
		code   int
	}{
		{map[string]any{"username": "ERIN", "password": "secret1"}, ratel.CodeUserExists},
		{map[string]any{"username": "", "password": "secret1"}, ratel.CodeBadParam},
		{map[string]any{"password": "secret1"}, ratel.CodeBadParam},
		{map[string]any{"username": "has space", "password": "secret1"}, ratel.CodeBadParam},
		{map[string]any{"username": "_under", "password": "secret1"}, ratel.CodeBadParam},
		{map[string]any{"username": "名字", "password": "secret1"}, ratel.CodeBadParam},
		{map[string]any{"username": strings.Repeat("a", 65), "password": "secret1"}, ratel.CodeBadParam},
		{map[string]any{"username": "fred", "password": "short"}, ratel.CodeBadParam},
		{map[string]any{"username": "fred", "password": strings.Repeat("p", 73)}, ratel.CodeBadParam},
		{map[string]any{"username": "fred"}, ratel.CodeBadParam},
	}
	for _, b := range bad {
		code, _ := env.Do(t, "POST", "/user/register/v2", "", b.params)
		assert.Equal(t, b.code, code, "%v", b.params)
	}
	env.Register(t, "a.b-c_d@e", strings.Repeat("p", 72))

	// Anonymous registration generates a name when none is given.
	var anon ratel.Settings
	env.OK(t, "POST", "/user/register/anonymous", "", map[string]any{"password": "secret1"}, &anon)
	u, err := env.Server.Store().UserByID(context.Background(), anon.UserID)
	require.NoError(t, err)
	assert.True(t, u.Anonymous)
	assert.True(t, strings.HasPrefix(u.Username, "anonymous_"))
	env.OK(t, "POST", "/user/register/anonymous", "", map[string]any{"username": "guest1", "password": "secret1"}, nil)
	env.Token(t, "guest1", "secret1")
}

func TestRegistrationClosed(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.ClosedRegistration = true }))
	for _, p := range []string{"/user/register/v2", "/user/register/anonymous"} {
		code, _ := env.Do(t, "POST", p, "", map[string]any{"username": "x1", "password": "secret1"})
		assert.Equal(t, ratel.CodeNoPermission, code, p)
	}
}

func TestRateLimit(t *testing.T) {
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.RateLimit = 3 }))
	statuses := []int{}
	for i := 0; i < 5; i++ {
		resp, reply := env.DoRaw(t, "POST", "/token/user", "", map[string]any{"name": "x", "password": "secret1"})
		statuses = append(statuses, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			assert.Equal(t, ratel.CodeTooManyRequests, reply.Code)
		}
	}
	assert.Equal(t, []int{200, 200, 200, 429, 429}, statuses)
	resp, _ := env.DoRaw(t, "POST", "/user/register/v2", "", map[string]any{"username": "x", "password": "secret1"})
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "registration shares the bucket")
	resp, _ = env.DoRaw(t, "GET", "/app/config", "", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "other endpoints are not limited")
}

func TestProfile(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := env.NewUser(t, "gwen")
	var p ratel.Profile
	env.OK(t, "GET", "/user/profile", u.Token, nil, &p)
	assert.Equal(t, ratel.Profile{UserID: u.ID, Username: "gwen"}, p)

	env.OK(t, "POST", "/user/profile", u.Token, map[string]any{"nick_name": "Gwen", "description": "hi",
		"public_info": "pub", "private_info": "priv", "user_id": 1}, nil)
	env.OK(t, "POST", "/user/nickname", u.Token, url.Values{"nick_name": {"格温"}}, nil) // (q)
	env.OK(t, "POST", "/user/avatar", u.Token, map[string]any{"avatar": "obj/abc"}, nil)
	env.OK(t, "POST", "/user/mobile", u.Token, url.Values{"mobile": {" +1 555 "}}, nil)
	env.OK(t, "GET", "/user/profile", u.Token, nil, &p)
	assert.Equal(t, ratel.Profile{UserID: u.ID, Username: "gwen", NickName: "格温", Avatar: "obj/abc",
		Description: "hi", Mobile: "+1 555", PublicInfo: "pub", PrivateInfo: "priv"}, p)

	var raw map[string]any
	env.OK(t, "GET", "/user/profile", u.Token, nil, &raw)
	for _, k := range []string{"user_id", "username", "nick_name", "avatar", "description", "email", "mobile", "public_info", "private_info"} {
		assert.Contains(t, raw, k, "Profile sends every field")
	}

	other := env.NewUser(t, "hal")
	code, _ := env.Do(t, "POST", "/user/mobile", other.Token, url.Values{"mobile": {"+1 555"}})
	assert.Equal(t, ratel.CodeUserExists, code, "a mobile belongs to one user")

	bad := []struct {
		path   string
		params any
	}{
		{"/user/nickname", url.Values{}},
		{"/user/nickname", url.Values{"nick_name": {strings.Repeat("名", 65)}}},
		{"/user/avatar", map[string]any{}},
		{"/user/avatar", map[string]any{"avatar": strings.Repeat("a", 3000)}},
		{"/user/mobile", url.Values{"mobile": {"abc"}}},
		{"/user/profile", map[string]any{"description": strings.Repeat("d", 5000)}},
		{"/user/profile", map[string]any{"nick_name": []int{1}}},
	}
	for _, b := range bad {
		code, _ := env.Do(t, "POST", b.path, u.Token, b.params)
		assert.Equal(t, ratel.CodeBadParam, code, "%s %v", b.path, b.params)
	}
	env.OK(t, "GET", "/user/profile", u.Token, nil, &p)
	assert.Equal(t, "格温", p.NickName, "failed updates change nothing")
}

func TestProfileNoticesAndHook(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := env.NewUser(t, "ivan")
	td := env.Login(t, "ivan", u.Password, "guid-1")
	sn := registerDevice(t, env, u.ID, "guid-1")
	env.Notices.Reset()

	env.OK(t, "POST", "/user/profile", td.Token, map[string]any{"nick_name": "Ivan", "private_info": "x"}, nil)
	ns := env.Notices.Notices()
	require.Len(t, ns, 1)
	n := ns[0]
	assert.Equal(t, []int64{u.ID}, n.To)
	assert.Equal(t, u.ID, n.From)
	assert.Equal(t, sn, n.FromDevice)
	assert.Equal(t, sn, n.SkipDevice, "the acting device is skipped")
	un := decodeUserNotice(t, n)
	assert.Equal(t, xsync.UserNoticeInfoUpdated, un.Type)
	assert.JSONEq(t, `{"nick_name":"Ivan","private_info":"x"}`, un.Content)

	// A token without device_guid cannot name its device.
	env.Notices.Reset()
	env.OK(t, "POST", "/user/settings", u.Token, map[string]any{"no_sounds": true}, nil)
	ns = env.Notices.Notices()
	require.Len(t, ns, 1)
	assert.Zero(t, ns[0].SkipDevice)
	assert.JSONEq(t, `{"no_sounds":true}`, decodeUserNotice(t, ns[0]).Content)

	// Profile hooks see only public fields.
	var got []map[string]any
	env.Server.API().AddProfileHook(func(c *ratel.Call, changed map[string]any) {
		assert.Equal(t, u.ID, c.UID)
		got = append(got, changed)
	})
	env.OK(t, "POST", "/user/profile", u.Token, map[string]any{"private_info": "y"}, nil)
	assert.Empty(t, got)
	env.OK(t, "POST", "/user/avatar", u.Token, map[string]any{"avatar": "a1"}, nil)
	assert.Equal(t, []map[string]any{{"avatar": "a1"}}, got)

	// No change, no notice.
	env.Notices.Reset()
	env.OK(t, "POST", "/user/profile", u.Token, map[string]any{}, nil)
	assert.Empty(t, env.Notices.Notices())
}

func TestSettings(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := env.NewUser(t, "jill")
	var s ratel.Settings
	env.OK(t, "GET", "/user/settings", u.Token, nil, &s)
	assert.Equal(t, u.ID, s.UserID)
	assert.True(t, s.AutoDownload)
	assert.True(t, s.Vibratory)

	env.OK(t, "POST", "/user/settings", u.Token, map[string]any{
		"user_id": itoa(u.ID), "auth_mode": "2", "auth_question": "2+2?", "auth_answer": "4",
		"group_confirm": "true", "no_push": true, "no_push_detail": false, "no_push_start_hour": 22,
		"no_push_end_hour": "7", "silence_start_time": 1, "silence_end_time": 2, "no_sounds": "false",
		"vibratory": false, "push_nick_name": "J", "auto_download": false, "unknown_field": 1,
	}, nil)
	env.OK(t, "GET", "/user/settings", u.Token, nil, &s)
	assert.Equal(t, ratel.Settings{ID: u.ID, UserID: u.ID, AuthMode: 2, AuthQuestion: "2+2?", AuthAnswer: "4",
		GroupConfirm: true, NoPush: true, NoPushStartHour: 22, NoPushEndHour: 7, SilenceStartTime: 1,
		SilenceEndTime: 2, PushNickName: "J"}, s)

	env.OK(t, "POST", "/user/authmode", u.Token, url.Values{"value": {"3"}}, nil)
	env.OK(t, "POST", "/user/push", u.Token, map[string]any{"value": true}, nil)
	env.OK(t, "POST", "/user/push/detail", u.Token, map[string]any{"value": false}, nil)
	env.OK(t, "POST", "/user/sounds", u.Token, url.Values{"value": {"false"}}, nil)
	env.OK(t, "POST", "/user/vibratory", u.Token, map[string]any{"value": "true"}, nil)
	env.OK(t, "POST", "/user/push/nickname", u.Token, map[string]any{"value": "Jay"}, nil)
	env.OK(t, "POST", "/user/push/limit", u.Token, map[string]any{"no_push_start_hour": 23, "no_push_end_hour": 6}, nil)
	env.OK(t, "GET", "/user/settings", u.Token, nil, &s)
	assert.Equal(t, int32(3), s.AuthMode)
	assert.False(t, s.NoPush)
	assert.True(t, s.NoPushDetail)
	assert.True(t, s.NoSounds)
	assert.True(t, s.Vibratory)
	assert.Equal(t, "Jay", s.PushNickName)
	assert.Equal(t, int32(23), s.NoPushStartHour)
	assert.Equal(t, int32(6), s.NoPushEndHour)

	bad := []struct {
		path   string
		params any
		code   int
	}{
		{"/user/settings", map[string]any{"user_id": 1, "no_push": true}, ratel.CodeNoPermission},
		{"/user/settings", map[string]any{"auth_mode": 4}, ratel.CodeBadParam},
		{"/user/settings", map[string]any{"no_push_start_hour": 24}, ratel.CodeBadParam},
		{"/user/settings", map[string]any{"no_push": "maybe"}, ratel.CodeBadParam},
		{"/user/settings", map[string]any{"auth_question": strings.Repeat("q", 300)}, ratel.CodeBadParam},
		{"/user/authmode", url.Values{"value": {"-1"}}, ratel.CodeBadParam},
		{"/user/authmode", url.Values{}, ratel.CodeBadParam},
		{"/user/push", map[string]any{}, ratel.CodeBadParam},
		{"/user/push/limit", map[string]any{"no_push_start_hour": 1}, ratel.CodeBadParam},
	}
	for _, b := range bad {
		code, _ := env.Do(t, "POST", b.path, u.Token, b.params)
		assert.Equal(t, b.code, code, "%s %v", b.path, b.params)
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := env.NewUser(t, "kate")
	mine := env.Login(t, "kate", u.Password, "guid-me")
	other := env.Login(t, "kate", u.Password, "guid-other")
	snMe := registerDevice(t, env, u.ID, "guid-me")
	snOther := registerDevice(t, env, u.ID, "guid-other")
	snThird := registerDevice(t, env, u.ID, "guid-third")

	code, _ := env.Do(t, "POST", "/user/change_password", mine.Token, map[string]any{"old_password": "wrong!", "new_password": "newpass1"})
	assert.Equal(t, ratel.CodeBadParam, code)
	code, _ = env.Do(t, "POST", "/user/change_password", mine.Token, map[string]any{"old_password": u.Password, "new_password": "abc"})
	assert.Equal(t, ratel.CodeBadParam, code, "the new password follows the rules")
	assert.Empty(t, env.Notices.Kicks())

	env.OK(t, "POST", "/user/change_password", mine.Token, map[string]any{"old_password": u.Password, "new_password": "newpass1"}, nil)
	code, _ = env.Do(t, "GET", "/user/profile", mine.Token, nil)
	assert.Equal(t, ratel.CodeOK, code, "the caller's token survives")
	code, _ = env.Do(t, "GET", "/user/profile", other.Token, nil)
	assert.Equal(t, ratel.CodeTokenInvalid, code, "other tokens are revoked")
	code, _ = env.Do(t, "GET", "/user/profile", u.Token, nil)
	assert.Equal(t, ratel.CodeTokenInvalid, code)

	kicks := env.Notices.Kicks()
	require.Len(t, kicks, 2)
	kicked := map[uint32]bool{}
	for _, k := range kicks {
		assert.Equal(t, u.ID, k.UID)
		assert.Equal(t, ratel.UserNoticePasswordChanged, k.UserNoticeType)
		kicked[k.DeviceSN] = true
	}
	assert.Equal(t, map[uint32]bool{snOther: true, snThird: true}, kicked)
	assert.False(t, kicked[snMe])

	code, _ = env.Do(t, "POST", "/token/user", "", map[string]any{"name": "kate", "password": u.Password})
	assert.Equal(t, ratel.CodeBadParam, code, "the old password no longer works")
	env.Token(t, "kate", "newpass1")
}

func TestDeleteUser(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := env.NewUser(t, "liam")
	registerDevice(t, env, u.ID, "g")
	code, _ := env.Do(t, "POST", "/user/delete", u.Token, map[string]any{"password": "nope123"})
	assert.Equal(t, ratel.CodeBadParam, code)

	env.OK(t, "POST", "/user/delete", u.Token, map[string]any{"password": u.Password}, nil)
	assert.Equal(t, []ratel.Kick{{UID: u.ID, DeviceSN: 0, UserNoticeType: ratel.UserNoticeRemoved, Content: "{}"}}, env.Notices.Kicks())
	code, _ = env.Do(t, "GET", "/user/profile", u.Token, nil)
	assert.Equal(t, ratel.CodeTokenInvalid, code)
	code, _ = env.Do(t, "POST", "/token/user", "", map[string]any{"name": "liam", "password": u.Password})
	assert.Equal(t, ratel.CodeUserNotExist, code)
	code, _ = env.Do(t, "POST", "/token/id", "", map[string]any{"user_id": u.ID, "password": u.Password})
	assert.Equal(t, ratel.CodeUserNotExist, code)
	again := env.Register(t, "liam", "secret1")
	assert.NotEqual(t, u.ID, again, "the name is free again")
}

func TestDevicesKickAndRemove(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := env.NewUser(t, "mia")
	me := env.Login(t, "mia", u.Password, "g-me")
	tOther := env.Login(t, "mia", u.Password, "g-2")
	snMe := registerDevice(t, env, u.ID, "g-me")
	sn2 := registerDevice(t, env, u.ID, "g-2")
	sn3 := registerDevice(t, env, u.ID, "g-3")
	sn4 := registerDevice(t, env, u.ID, "g-4")

	var list []ratel.DeviceInfo
	env.OK(t, "GET", "/user/device/list", me.Token, nil, &list)
	require.Len(t, list, 4)
	assert.NotZero(t, list[0].LastSeen)
	assert.Equal(t, ratel.DeviceInfo{DeviceSN: snMe, Platform: 6, UserAgent: "Web", UserID: u.ID,
		LastSeen: list[0].LastSeen, Current: true}, list[0], "the token was issued for g-me")
	assert.False(t, list[1].Current)
	assert.False(t, list[1].Online, "no session is open")

	// Kick one device (device_sn as a string, JSON body).
	env.OK(t, "POST", "/user/kick", me.Token, map[string]any{"device_sn": itoa(int64(sn2))}, nil)
	assert.Equal(t, []ratel.Kick{{UID: u.ID, DeviceSN: sn2, UserNoticeType: ratel.UserNoticeKickedByOtherDevice,
		Content: `{"device_sn":` + itoa(int64(sn2)) + `}`}}, env.Notices.Kicks())
	code, _ := env.Do(t, "GET", "/user/profile", tOther.Token, nil)
	assert.Equal(t, ratel.CodeTokenInvalid, code, "the kicked installation's token is revoked")
	env.OK(t, "GET", "/user/device/list", me.Token, nil, &list)
	assert.Len(t, list, 3)
	env.OK(t, "POST", "/user/kick", me.Token, url.Values{"device_sn": {itoa(int64(sn2))}}, nil) // idempotent, query form

	// Remove one: DEVICE_REMOVED.
	env.Notices.Reset()
	env.OK(t, "POST", "/user/device/remove", me.Token, map[string]any{"device_sn": sn3}, nil)
	require.Len(t, env.Notices.Kicks(), 1)
	assert.Equal(t, ratel.UserNoticeDeviceRemoved, env.Notices.Kicks()[0].UserNoticeType)
	code, _ = env.Do(t, "POST", "/user/device/remove", me.Token, map[string]any{"device_sn": sn3})
	assert.Equal(t, ratel.CodeBadParam, code, "unknown device")
	code, _ = env.Do(t, "POST", "/user/device/remove", me.Token, map[string]any{"device_sn": 0})
	assert.Equal(t, ratel.CodeBadParam, code)

	// Kick without device_sn: every other device.
	registerDevice(t, env, u.ID, "g-5")
	env.Notices.Reset()
	env.OK(t, "POST", "/user/kick", me.Token, map[string]any{}, nil)
	kicked := []uint32{}
	for _, k := range env.Notices.Kicks() {
		kicked = append(kicked, k.DeviceSN)
	}
	assert.ElementsMatch(t, []uint32{sn4, sn2}, kicked, "g-5 reused the smallest free SN")
	env.OK(t, "GET", "/user/device/list", me.Token, nil, &list)
	require.Len(t, list, 1)
	assert.Equal(t, snMe, list[0].DeviceSN)

	// Another user cannot see them.
	v := env.NewUser(t, "nina")
	env.OK(t, "GET", "/user/device/list", v.Token, nil, &list)
	assert.Empty(t, list)
}

func TestPushTokenBind(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := env.NewUser(t, "otto")
	sn := registerDevice(t, env, u.ID, "g")
	env.OK(t, "POST", "/user/token/bind", u.Token, map[string]any{"device_sn": sn, "device_token": "dt", "notifier_name": "fcm"}, nil)
	d, err := env.Server.Store().Device(context.Background(), u.ID, sn)
	require.NoError(t, err)
	assert.Equal(t, "dt", d.PushToken)
	assert.Equal(t, "fcm", d.NotifierName)
	env.OK(t, "POST", "/user/token/bind", u.Token, map[string]any{"device_sn": 99, "device_token": "dt"}, nil) // unknown: ignored
	env.OK(t, "POST", "/user/token/unbind", u.Token, url.Values{"deviceSn": {itoa(int64(sn))}}, nil)
	d, _ = env.Server.Store().Device(context.Background(), u.ID, sn)
	assert.Empty(t, d.PushToken)
	code, _ := env.Do(t, "POST", "/user/token/unbind", u.Token, url.Values{})
	assert.Equal(t, ratel.CodeBadParam, code)
}

func TestUnknownPathJSON404(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	resp, reply := env.DoRaw(t, "GET", "/no/such/endpoint", "", nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, ratel.CodeNotFound, reply.Code)
	resp, reply = env.DoRaw(t, "DELETE", "/user/profile", "", nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "wrong method")
	assert.Equal(t, ratel.CodeNotFound, reply.Code)
}
