package jsbridge

import (
	"strconv"
	"strings"
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
)

func TestModule(t *testing.T) {
	m := Module()
	assert.Equal(t, Version(), m.Get("version").String())
	assert.Equal(t, js.TypeFunction, m.Get("newClient").Type())
}

// testPlatform returns a platform object with a socket that never opens,
// an HTTP transport that fails every request (recording them), memory
// storage and a recording deliver callback.
func testPlatform(t *testing.T) (platform js.Value, http js.Value, rec *recorder) {
	http = fakeHTTP(t)
	http.Set("fail", js.Global().Get("TypeError").New("offline"))
	rec = newRecorder(t)
	platform = newObject()
	platform.Set("transport", fakeSocket(t, "silent"))
	platform.Set("http", http)
	platform.Set("storage", jsEval(t, `const m = new Map(); return {
		get: (k) => m.has(k) ? m.get(k) : null, set: (k, v) => { m.set(k, v) }, remove: (k) => { m.delete(k) } }`))
	platform.Set("deliver", rec.obj.Get("deliver"))
	platform.Set("FlooError", testFlooError(t))
	platform.Set("log", jsEval(t, `return () => {}`))
	return platform, http, rec
}

func TestNewClientValidation(t *testing.T) {
	checkFuncs(t)
	platform, _, _ := testPlatform(t)
	e := &env{flooError: platform.Get("FlooError")}
	cases := []struct {
		config   string
		platform js.Value
		want     string
	}{
		{`return {appid: 5}`, platform, "config.appid must be a string"},
		{`return {autoLogin: "yes"}`, platform, "config.autoLogin must be a boolean"},
		{`return {logLevel: "loud"}`, platform, "LogLevel"},
		{`return {dnsServer: "ftp://x"}`, platform, "DNSServer"},
		{`return {requestTimeout: -1}`, platform, "config.requestTimeout must be an integer"},
		{`return {loginTimeout: 1.5}`, platform, "config.loginTimeout must be an integer"},
		{`return []`, platform, "config must be an object"},
	}
	for _, c := range cases {
		v := js.ValueOf(newClient(jsEval(t, c.config), c.platform))
		requireFlooError(t, e, v, "InvalidParam")
		assert.Contains(t, v.Get("message").String(), c.want, c.config)
	}

	// Without a platform there is no FlooError class: an Error stands in.
	v := js.ValueOf(newClient(js.Undefined(), js.Undefined()))
	assert.True(t, v.InstanceOf(jsGlobal.Error))
	assert.Equal(t, "InvalidParam", v.Get("sdkName").String())
	assert.Contains(t, v.Get("message").String(), "platform must be an object, got undefined")

	noDeliver := jsGlobal.Object.Call("assign", newObject(), platform)
	noDeliver.Delete("deliver")
	v = js.ValueOf(newClient(js.Undefined(), noDeliver))
	requireFlooError(t, e, v, "InvalidParam")
	assert.Contains(t, v.Get("message").String(), "platform.deliver must be a function")
}

func TestClientLifecycle(t *testing.T) {
	checkFuncs(t)
	platform, http, rec := testPlatform(t)
	obj := js.ValueOf(newClient(jsEval(t, `return {appid: "testapp", autoLogin: false,
		dnsServer: "https://dns.example.com/v2/app_dns", logLevel: "error", requestTimeout: 1000}`), platform))
	require.Equal(t, js.TypeObject, obj.Type())
	e := &env{flooError: platform.Get("FlooError")}
	require.False(t, obj.InstanceOf(e.flooError), "newClient failed: %s", jsString(obj.Get("message")))

	assert.False(t, obj.Call("isLogin").Bool())
	assert.False(t, obj.Call("isReady").Bool())
	assert.Equal(t, "idle", obj.Call("state").String())
	um := obj.Get("userManage")
	assert.Equal(t, "testapp", um.Call("getAppid").String())
	assert.True(t, um.Call("getUid").IsUndefined())
	assert.Equal(t, "", um.Call("getToken").String())
	assert.Equal(t, 0, um.Call("getDeviceSN").Int())
	assert.Equal(t, `{"ratel":"","fireplace":"","rtc":""}`, jsonStringify(obj.Call("servers")))

	// Synchronous errors come back as FlooError values for the facade to throw.
	requireFlooError(t, e, obj.Call("setLogLevel", "verbose"), "InvalidParam")
	requireFlooError(t, e, obj.Call("setLogLevel", 3), "InvalidParam")
	assert.True(t, obj.Call("setLogLevel", "warn").IsUndefined())
	assert.True(t, obj.Call("setOnline", true).IsUndefined())
	requireFlooError(t, e, obj.Call("setOnline", "yes"), "InvalidParam")
	assert.True(t, obj.Call("setVisible", true).IsUndefined())
	assert.True(t, obj.Call("useClientMid", 1_700_000_000_000_500).IsUndefined())
	assert.True(t, obj.Call("useClientMid", 0).IsUndefined())
	requireFlooError(t, e, obj.Call("useClientMid", "x"), "InvalidParam")

	// Asynchronous methods reject: bad argument types are InvalidParam,
	// missing credentials core's SignInInvalidParam.
	requireFlooError(t, e, rejection(t, obj.Call("login", "alice")), "InvalidParam")
	v := rejection(t, obj.Call("login", jsEval(t, `return {name: 5, password: "pw"}`)))
	requireFlooError(t, e, v, "InvalidParam")
	assert.Equal(t, "login: name must be a string, got number", v.Get("message").String())
	requireFlooError(t, e, rejection(t, obj.Call("login", jsEval(t, `return {name: "", password: "pw"}`))), "SignInInvalidParam")
	requireFlooError(t, e, rejection(t, obj.Call("idLogin", jsEval(t, `return {user_id: "x1", password: "pw"}`))), "InvalidParam")
	requireFlooError(t, e, rejection(t, obj.Call("idLogin", jsEval(t, `return {password: "pw"}`))), "SignInInvalidParam")
	requireFlooError(t, e, rejection(t, obj.Call("tokenLogin", 1.5, "tok")), "InvalidParam")
	requireFlooError(t, e, rejection(t, obj.Call("logout", "all")), "InvalidParam")

	// A token login whose DNS lookup fails is retried (until the third
	// failure in a row ends it); closing the client settles it at once.
	login := obj.Call("tokenLogin", "1001", "tok")
	waitFor(t, "the DNS request", func() bool { return http.Get("reqs").Length() > 0 })
	assert.True(t, strings.HasPrefix(http.Get("reqs").Index(0).Get("url").String(), "https://dns.example.com/v2/app_dns"))
	waitFor(t, "a state event", func() bool { return len(rec.events()) > 0 })
	assert.Equal(t, "connectionStateChanged", rec.events()[0][0])
	assert.Equal(t, "connecting", rec.obj.Get("batches").Index(0).Index(0).Index(1).Get("state").String())

	closed := obj.Call("close")
	_, err := await(t, closed)
	require.NoError(t, err)
	loginErr := rejection(t, login)
	assert.True(t, loginErr.InstanceOf(e.flooError), "the pending login settles with a FlooError: %s", jsString(loginErr))
	assert.True(t, obj.Get("close").IsUndefined(), "methods are removed, then released")
	assert.True(t, um.Get("getUid").IsUndefined())
}

// TestLogoutResult: logout resolves to {unknown: [...]}, the sends written
// but not acknowledged (none without a session).
func TestLogoutResult(t *testing.T) {
	checkFuncs(t)
	platform, _, _ := testPlatform(t)
	obj := js.ValueOf(newClient(jsEval(t, `return {appid: "testapp", autoLogin: false, logLevel: "error"}`), platform))
	out, err := await(t, obj.Call("logout"))
	require.NoError(t, err)
	assert.Equal(t, `{"unknown":[]}`, jsonStringify(out))
	_, err = await(t, obj.Call("close"))
	require.NoError(t, err)
}

// TestLoginSettles: the loginTimeout option reaches the engine, and a login
// that cannot complete rejects with the documented code and fires
// loginFail (PROTOCOL.md §5 "Initial login").
func TestLoginSettles(t *testing.T) {
	checkFuncs(t)
	for _, tc := range []struct {
		name, setup, want string
		timeout           int // loginTimeout, ms
	}{
		// The DNS request never answers: the login timeout ends it.
		{"timeout", `http.hang = true`, "SignInTimeout", 300},
		// fetch rejects (offline, refused, unknown host): three lookups,
		// the last one after a backoff of 1 s.
		{"DNS", `http.fail = new TypeError("Failed to fetch")`, "ServerDNSFailed", 20000},
		// DNS works, the WebSocket is refused (close 1006): three dials.
		{"refused", `http.next = {status: 200, headers: {}, body: new TextEncoder().encode(JSON.stringify({code: 200, data:
			{app_status: "normal", dns_list: [{group_level: 0, clusters: [{ratel: [{protocol: "http", host: "127.0.0.1:1"}],
			webim: [{protocol: "http", host: "127.0.0.1:1"}], rtc: [{protocol: "http", host: "127.0.0.1:1"}]}]}]}}))}`, "ServerConnectFailed", 20000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			platform, http, rec := testPlatform(t)
			http.Set("fail", js.Null())
			platform.Set("transport", fakeSocket(t, "fail"))
			jsEval(t, `return (http) => { `+tc.setup+` }`).Invoke(http)
			obj := js.ValueOf(newClient(jsEval(t, `return {appid: "testapp", autoLogin: false, logLevel: "off",
				dnsServer: "https://dns.example.com/v2/app_dns", loginTimeout: `+strconv.Itoa(tc.timeout)+`}`), platform))
			e := &env{flooError: platform.Get("FlooError")}
			require.False(t, obj.InstanceOf(e.flooError), "newClient failed: %s", jsString(obj.Get("message")))
			defer func() { _, _ = await(t, obj.Call("close")) }()
			v := rejection(t, obj.Call("tokenLogin", "1001", "tok"))
			requireFlooError(t, e, v, tc.want)
			waitFor(t, "loginFail", func() bool {
				for _, ev := range rec.events() {
					if ev[0] == "loginFail" {
						return ev[1] == "socket_failure"
					}
				}
				return false
			})
		})
	}
}

func TestConvertEvent(t *testing.T) {
	e := testEnv(t)
	conv := func(ev core.Event) (string, string) {
		name, payload, ok := e.eventValue(ev)
		require.True(t, ok)
		if payload.IsUndefined() {
			return name, "undefined"
		}
		return name, jsonStringify(payload)
	}
	msg := core.Message{
		ID: 9007199254740993, From: 1001, To: 2002, Type: "text", Content: "hi", Ext: `{"k":1}`,
		Config: `{"mentionList":[12345678901234567890]}`, Attachment: "not json", Status: core.MessageDelivered,
		Timestamp: 1700000000000, ToType: core.ToGroup, IsHistory: true,
	}
	name, payload := conv(core.GroupMessage{Message: msg})
	assert.Equal(t, "onGroupMessage", name)
	assert.Equal(t, `{"id":"9007199254740993","from":"1001","to":"2002","content":"hi","type":"text","ext":"{\"k\":1}",`+
		`"config":{"mentionList":["12345678901234567890"]},"status":1,"timestamp":"1700000000000","toType":"group",`+
		`"isHistory":true,"isNative":false,"isPlayed":false,"editTimestamp":"0"}`, payload)

	name, payload = conv(core.SendingStatus{Status: core.SendStatusFailed, Mid: 77, UID: 2002, ErrorCode: 12,
		ErrorReason: "censored", Err: core.FromStatus(12, "censored", core.StatusSend)})
	assert.Equal(t, "onSendingMessageStatusChanged", name)
	assert.Contains(t, payload, `"status":"failed","mid":"77","uid":2002,"errorCode":12,"errorReason":"censored","error":{`)
	assert.Contains(t, payload, `"sdkName":"MessageCensored"`)

	name, payload = conv(core.FlooError{Category: "7", Desc: "bad token", Err: core.FromStatus(7, "bad token", core.StatusOther)})
	assert.Equal(t, "flooError", name)
	assert.Contains(t, payload, `{"category":7,"desc":"bad token","code":`, "status categories are numbers")
	_, payload = conv(core.FlooError{Category: "DNS_FAILED", Desc: "x"})
	assert.Equal(t, `{"category":"DNS_FAILED","desc":"x"}`, payload)

	_, payload = conv(core.FlooNotice{Category: core.NoticeCategoryConversationDeleted, ConversationID: 5, Source: core.ConversationDeletedByUser})
	assert.Equal(t, `{"category":"conversation_deleted","desc":{"id":5,"source":"user_operation"}}`, payload)

	notice := core.NoticeMeta{ID: 1, From: core.XID{UID: 2, DeviceSN: 3}, To: core.XID{UID: 4}, Timestamp: 5, NS: 2,
		Payload: core.NoticePayload{Type: 1, Gid: core.XID{UID: 6}, From: core.XID{UID: 2}, To: []core.XID{{UID: 4}}, Content: "c"}}
	name, payload = conv(core.GroupNotice{Name: core.EventGroupJoined, Notice: notice})
	assert.Equal(t, "onGroupJoined", name)
	assert.Equal(t, `{"id":"1","from":{"uid":"2","deviceSN":3},"to":{"uid":"4","deviceSN":0},"timestamp":"5","ns":2,`+
		`"payload":{"type":1,"gid":{"uid":"6","deviceSN":0},"from":{"uid":"2","deviceSN":0},"to":[{"uid":"4","deviceSN":0}],"content":"c"}}`, payload)

	for _, c := range []struct {
		ev   core.Event
		want [2]string
	}{
		{core.LoginSuccess{UID: 1}, [2]string{"loginSuccess", `{}`}},
		{core.LoginFail{Reason: core.LoginFailSocket}, [2]string{"loginFail", `"socket_failure"`}},
		{core.Logout{}, [2]string{"logout", "undefined"}},
		{core.RecentListUpdated{}, [2]string{"recentlistUpdate", "undefined"}},
		{core.UnreadChanged{ConversationID: 8}, [2]string{"onUnreadChange", `8`}},
		{core.MessageRecalled{UID: 8, Mid: 1 << 60}, [2]string{"onMessageRecalled", `{"uid":8,"mid":"1152921504606846976"}`}},
		{core.HistoryReceived{ConversationID: 8, Next: 0}, [2]string{"onReceiveHistoryMsg", `{"next":"0","uid":8}`}},
		{core.RosterInfoUpdated{UIDs: []uint64{1, 2}}, [2]string{"onRosterInfoUpdate", `[1,2]`}},
		{core.RosterListUpdated{}, [2]string{"onRosterListUpdate", "undefined"}},
		{core.GroupMemberChanged{GroupID: 3}, [2]string{"onGroupMemberChanged", `3`}},
		{core.GroupBanned{GroupID: 3, ToUIDs: []uint64{4}}, [2]string{"onGroupBaned", `{"groupId":3,"toUids":[4]}`}},
		{core.GroupUnbanned{GroupID: 3, All: true}, [2]string{"onGroupUnbaned", `{"groupId":3,"toUids":[],"all":true}`}},
		{core.InputStatus{Ext: `{"input_status":"typing"}`, From: 1, To: 2}, [2]string{"onInputStatusMessage", `{"ext":"{\"input_status\":\"typing\"}","from":1,"to":2}`}},
		{core.StateChanged{State: core.StateConnected}, [2]string{"connectionStateChanged", `{"state":"connected"}`}},
		{core.SendStalled{Mid: 1 << 60, UID: 8}, [2]string{"sendingStalled", `{"uid":8,"mid":"1152921504606846976"}`}},
	} {
		name, payload := conv(c.ev)
		assert.Equal(t, c.want[0], name)
		assert.Equal(t, c.want[1], payload, c.want[0])
	}

	name, payload = conv(core.SessionError{Err: core.NewError(core.UserKickedBySameDevice, "")})
	assert.Equal(t, "sessionError", name)
	assert.Contains(t, payload, `"sdkName":"UserKickedBySameDevice"`)

	_, _, ok := e.eventValue("not an event")
	assert.False(t, ok)
}
