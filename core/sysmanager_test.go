package core

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core/jsonv"
)

func TestSysManagerStaticVars(t *testing.T) {
	c, _, _ := newMgrClient(t)
	vars := c.Sys().StaticVars()
	assert.Len(t, vars, 19, "the tables of JSAPI.md §13.1")
	assert.Equal(t, map[string]int32{"UNREAD": 0, "DELIVERED": 1, "READ": 2}, vars["STATIC_MESSAGE_STATUS"])
	assert.Equal(t, map[string]int32{"UNREAD": 0, "SYNC": 1, "NOTICE": 2, "PROVISION": 3}, vars["STATIC_FRAME_COMMAND"])
	assert.Equal(t, int32(8), vars["STATIC_ROSTERNONTICE_TYPE"]["INFO_UPDATED"], "official misspelled key")
	assert.Len(t, vars["STATIC_ROSTERNONTICE_TYPE"], 11)
	assert.Equal(t, int32(28), vars["STATIC_GROUPNOTICE_TYPE"]["FILE_UPDATED"])
	assert.Len(t, vars["STATIC_GROUPNOTICE_TYPE"], 29)
	assert.Equal(t, int32(20), vars["STATIC_FRAME_ERROR_STATUS"]["RATE_LIMIT_EXCEEDED"])
	assert.Equal(t, int32(6), vars["STATIC_FRAME_OSTYPE"]["WEB"])
	assert.Equal(t, int32(6), vars["STATIC_INFO_NETWORK"]["UNKNOWN"])
	assert.Equal(t, int32(2), vars["STATIC_CONVERSATION_OPTYPE"]["DELETE_EVERYWHERE"])
	assert.Equal(t, int32(9), vars["STATIC_MESSAGE_OPTYPE"]["REPLACE"])
	assert.Equal(t, int32(8), vars["STATIC_MESSAGE_CONTENT_TYPE"]["RTC"])
	for name, table := range vars {
		assert.NotEmpty(t, table, name)
	}
}

func TestSysManagerURLs(t *testing.T) {
	c, _, _ := newMgrClient(t)
	s := c.Sys()
	assert.Equal(t, mgrRatel+"/file/download/avatar?object_name=u%2F1.png&image_type=2&access-token=tok&app_id=app1",
		s.ImageURL("u/1.png", true, "def"))
	assert.Equal(t, mgrRatel+"/file/download/avatar?object_name=a&access-token=tok&app_id=app1", s.ImageURL("a", false, ""))
	assert.Equal(t, "https://cdn.test/a.png?x=1&access-token=tok&app_id=app1", s.ImageURL("https://cdn.test/a.png?x=1", true, ""))
	assert.Equal(t, mgrRatel+"/file/download/avatar?object_name=a&image_type=2&access-token=tok&app_id=app1",
		s.ImageURL(mgrRatel+"/file/download/avatar?object_name=a", true, ""), "an avatar URL of ours gets the thumbnail too")
	assert.Equal(t, "default.png", s.ImageURL("", true, "default.png"))

	assert.Equal(t, mgrRatel+"/file/download/chat?file_sign=S&format=mp3&access-token=tok&app_id=app1",
		s.AudioURL(mgrRatel+"/file/download/chat?file_sign=S"))
	assert.Equal(t, "https://x/a?format=amr&access-token=tok&app_id=app1", s.AudioURL("https://x/a?format=amr"))
	assert.Equal(t, "https://x/f?image_type=2&w=10&access-token=tok&app_id=app1",
		s.ChatFileURL("https://x/f", [][2]string{{"image_type", "2"}, {"w", "10"}}))
	assert.Equal(t, "https://x/f?access-token=old&app_id=app1", s.ChatFileURL("https://x/f?access-token=old", nil), "no duplicate token")
	assert.Empty(t, s.AudioURL(""))

	mgrLogin(c, 0, 0, "")
	assert.Equal(t, "https://x/f?app_id=app1", s.ChatFileURL("https://x/f", nil), "no token without a session")
}

func TestSysManagerDNSValues(t *testing.T) {
	c, _, _ := newMgrClient(t)
	s := c.Sys()
	assert.Equal(t, "normal", s.AppStatus())
	b, _ := s.AccountVerification().Get("sms").Bool()
	assert.True(t, b)
	assert.Equal(t, []string{"link.test"}, s.LinkServers())
	ratel, fire, rtc := s.Servers()
	assert.Equal(t, []string{mgrRatel, "wss://fire.test", "wss://rtc.test"}, []string{ratel, fire, rtc})

	assert.False(t, s.AppConfig().Exists())
	cfg, err := jsonv.ParseString(`{"feature":true}`)
	require.NoError(t, err)
	c.pre.mu.Lock()
	c.pre.appConfig = cfg
	c.pre.mu.Unlock()
	assert.Equal(t, `{"feature":true}`, s.AppConfig().String())
}

func TestSysManagerFetchAppConfigWithoutToken(t *testing.T) {
	c, h, _ := newMgrClient(t)
	mgrLogin(c, 0, 0, "")
	h.ok("GET /app/config", `{"x":1}`)
	v, err := c.Sys().FetchAppConfig(mgrCtx(t))
	require.NoError(t, err)
	assert.Equal(t, `{"x":1}`, v.String())
	assert.Equal(t, url.Values{"platform": {"6"}}, h.last(t).Query)
}

func TestSysManagerForwardURL(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	h.ok("GET /file/upload/forward", `"`+mgrRatel+`/file/download/chat?file_sign=NEW"`)
	u, err := c.Sys().ForwardURL(ctx, mgrRatel+"/file/download/chat?x=1&file_sign=ab=c&d", 55, true)
	require.NoError(t, err)
	assert.Equal(t, mgrRatel+"/file/download/chat?file_sign=NEW", u)
	call := h.last(t)
	assert.Equal(t, url.Values{"file_sign": {"ab=c&d"}, "to_id": {"55"}, "to_type": {"2"}, "access-token": {"tok"}}, call.Query,
		"the signature is everything after the first sign=")

	_, err = c.Sys().ForwardURL(ctx, "https://x/no-signature", 55, false)
	requireCode(t, err, InvalidFileDownloadUrl)
	_, err = c.Sys().ForwardURL(ctx, "https://x/?file_sign=", 55, false)
	requireCode(t, err, InvalidFileDownloadUrl)
	h.ok("GET /file/upload/forward", `{"not":"a string"}`)
	_, err = c.Sys().ForwardURL(ctx, "https://x/?file_sign=a", 55, false)
	requireCode(t, err, ServerResponseInvalid)
}

func TestSysManagerForwardMessage(t *testing.T) {
	c, h, rec := newMgrClient(t)
	ctx := mgrCtx(t)
	h.ok("GET /file/upload/forward", `"https://ratel.test/file/download/chat?file_sign=NEW"`)
	m := Message{ID: 9, From: 3, To: 100, Type: TypeImage, Attachment: `{"url":"https://ratel.test/file/download/chat?file_sign=OLD","dName":"a.png","fLen":12345678901234}`, Ext: "e"}
	cmid, err := c.Sys().ForwardMessage(ctx, m, 12, ToGroup)
	require.NoError(t, err)
	assert.NotZero(t, cmid)
	assert.Equal(t, url.Values{"file_sign": {"OLD"}, "to_id": {"12"}, "to_type": {"2"}, "access-token": {"tok"}}, h.last(t).Query)

	// The fake session has no connection, so the engine fails the send at
	// once and reports the message it was given.
	ev := rec.waitFor(t, "send status of the forward", func(ev Event) bool {
		s, ok := ev.(SendingStatus)
		return ok && s.Mid == cmid && s.Message != nil
	})
	sent := ev.(SendingStatus).Message
	assert.Equal(t, uint64(12), sent.To)
	assert.Equal(t, ToGroup, sent.ToType)
	assert.Equal(t, "e", sent.Ext)
	assert.JSONEq(t, `{"url":"https://ratel.test/file/download/chat?file_sign=NEW","dName":"a.png","fLen":12345678901234}`, sent.Attachment)

	// Text messages are forwarded without a request.
	h.reset()
	_, err = c.Sys().ForwardMessage(ctx, Message{Type: TypeText, Content: "hi"}, 3, ToRoster)
	require.NoError(t, err)
	assert.Empty(t, h.all())

	_, err = c.Sys().ForwardMessage(ctx, m, 0, ToRoster)
	requireCode(t, err, InvalidParam)
	_, err = c.Sys().ForwardMessage(ctx, m, 3, "channel")
	requireCode(t, err, InvalidParam)
	_, err = c.Sys().ForwardMessage(ctx, Message{Type: TypeFile, Attachment: "{"}, 3, ToRoster)
	requireCode(t, err, InvalidParam)
}

func TestSysManagerDownloadAudio(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	h.set("GET /file/download/chat", mgrReply{fn: func(call mgrCall) (*HTTPResponse, error) {
		if call.Query.Get("file_sign") == "bad" {
			return &HTTPResponse{Status: 403, Body: []byte("forbidden")}, nil
		}
		return &HTTPResponse{Status: 200, Body: []byte("ID3...")}, nil
	}})
	b, err := c.Sys().DownloadAudio(ctx, mgrRatel+"/file/download/chat?file_sign=ok")
	require.NoError(t, err)
	assert.Equal(t, "ID3...", string(b))
	call := h.last(t)
	assert.Equal(t, "mp3", call.Query.Get("format"))
	assert.Equal(t, "tok", call.Query.Get("access-token"))
	assert.Equal(t, "tok", call.Header["access-token"])

	_, err = c.Sys().DownloadAudio(ctx, mgrRatel+"/file/download/chat?file_sign=bad")
	requireCode(t, err, ServerFileDownloadFailure)
	h.set("GET /file/download/chat", mgrReply{err: assert.AnError})
	_, err = c.Sys().DownloadAudio(ctx, mgrRatel+"/file/download/chat?file_sign=x")
	requireCode(t, err, ServerFileDownloadFailure)
}

func TestSysManagerSearch(t *testing.T) {
	c, _, _ := newMgrClient(t)
	mgrPrefetch(t, c, []uint64{5, 3},
		`[{"user_id":3,"username":"bob","avatar":"b.png"},{"user_id":5,"username":"zed","alias":"Bobby"},{"user_id":7,"username":"bobcat"}]`,
		[]uint64{12}, `[{"group_id":12,"name":"Bob's team"},{"group_id":13,"name":"other"}]`)
	c.cache.Put(3, Message{ID: 1, From: 3, To: 100, Type: TypeText, Content: "see you BOB"})
	c.cache.Put(3, Message{ID: 2, From: 3, To: 100, Type: TypeImage, Content: "bob.png"})
	c.cache.Put(13, Message{ID: 3, From: 3, To: 13, Type: TypeText, Content: "bob said", ToType: ToGroup})
	c.convs.touch(3, ToRoster, nil)
	c.convs.touch(13, ToGroup, nil)

	res := c.Sys().Search("  bOb ")
	assert.Equal(t, []RosterHit{
		{UserID: 3, Username: "bob", Avatar: "b.png"},
		{UserID: 5, Username: "Bobby"},
		{UserID: 3, Username: "bob", Avatar: "b.png", Content: "see you BOB"},
	}, res.Rosters, "friends only (7 is not one), then text messages")
	assert.Equal(t, []GroupHit{
		{GroupID: 12, Name: "Bob's team"},
		{GroupID: 13, Name: "other", Content: "bob said"},
	}, res.Groups)
	assert.Equal(t, SearchResult{}, c.Sys().Search(" "))
}

// TestSysManagerGroupAndMentionSends: sendGroupMessage adds
// groupMemberList when the group has read receipts on (fetching the
// settings and members once), sendMentionMessage writes the mention config.
func TestSysManagerGroupAndMentionSends(t *testing.T) {
	srv := newFakeServer(t)
	tokA := srv.AddUser(1001, "alice", "pw")
	tokB := srv.AddUser(1002, "bob", "pw")
	srv.AddUser(1003, "carol", "pw")
	srv.AddGroup(5001, 1001, 1002, 1003)
	srv.AddGroup(5002, 1001, 1002)
	srv.HTTP.handle("GET /group/info", func(r *HTTPRequest) (*HTTPResponse, error) {
		if strings.Contains(r.URL, "group_id=5001") {
			return envelope(200, "", `{"group_id":5001,"name":"receipts","read_ack":true}`), nil
		}
		return envelope(200, "", `{"group_id":5002,"name":"plain","read_ack":false}`), nil
	})
	srv.HTTP.handle("GET /group/member_list", func(r *HTTPRequest) (*HTTPResponse, error) {
		return envelope(200, "", `[{"user_id":1001},{"user_id":1002},{"user_id":1003}]`), nil
	})
	a, _ := newTestClient(t, srv, nil, nil)
	loginAs(t, a, 1001, tokA)
	b, brec := newTestClient(t, srv, nil, nil)
	loginAs(t, b, 1002, tokB)
	lastConfig := func() string {
		ms := sends(srv)
		require.NotEmpty(t, ms)
		body, err := ms[len(ms)-1].MessageBody()
		require.NoError(t, err)
		return body.Config
	}

	_, err := a.Sys().PostGroupMessage(ctxT(t), Message{To: 5001, Content: "hi", Config: `{"k":1}`})
	require.NoError(t, err)
	eventually(t, func() bool { return len(sends(srv)) == 1 }, "sent")
	assert.JSONEq(t, `{"k":1,"groupMemberList":[1002,1003]}`, lastConfig())
	_, err = a.Sys().PostGroupMessage(ctxT(t), Message{To: 5001, Content: "again"})
	require.NoError(t, err)
	eventually(t, func() bool { return len(sends(srv)) == 2 }, "sent")
	assert.JSONEq(t, `{"groupMemberList":[1002,1003]}`, lastConfig())
	assert.Len(t, srv.HTTP.requests("/group/info?"), 1, "settings fetched once")
	assert.Len(t, srv.HTTP.requests("/group/member_list"), 1, "members fetched once")

	_, err = a.Sys().PostGroupMessage(ctxT(t), Message{To: 5002, Content: "plain"})
	require.NoError(t, err)
	eventually(t, func() bool { return len(sends(srv)) == 3 }, "sent")
	assert.Empty(t, lastConfig(), "no read receipts, no member list")
	assert.Len(t, srv.HTTP.requests("/group/member_list"), 1)

	cmid, err := a.Sys().PostMentionMessage(ctxT(t), 5001, "@bob look", MentionOptions{UIDs: []uint64{1002}, MentionedMessage: "look", PushMessage: "alice mentioned you", SenderNickname: "al"})
	require.NoError(t, err)
	assert.NotZero(t, cmid)
	eventually(t, func() bool { return len(sends(srv)) == 4 }, "sent")
	assert.JSONEq(t, `{"mentionAll":false,"mentionList":[1002],"mentionedMessage":"look","pushMessage":"alice mentioned you","senderNickname":"al","groupMemberList":[1002,1003]}`, lastConfig())
	mm := brec.waitName(t, EventMentionMessage, 1).(MentionMessage)
	assert.Equal(t, "@bob look", mm.Message.Content)
	e, _ := b.Conversation(5001)
	assert.True(t, e.HasAt)

	_, err = a.Sys().PostGroupMessage(ctxT(t), Message{To: 5001, Config: "{bad"})
	assert.True(t, IsCode(err, InvalidParam), err)
	_, err = a.Sys().PostGroupMessage(ctxT(t), Message{Content: "no group"})
	assert.True(t, IsCode(err, InvalidParam), err)
	assert.Equal(t, `{"mentionAll":true,"mentionList":[],"mentionedMessage":"","pushMessage":"","senderNickname":""}`, MentionConfig(MentionOptions{All: true}))
}
