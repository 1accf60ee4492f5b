package core

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFacadeReservedSends: a mid reserved before the preparation is the
// mid the message goes out with, its status events carry it, and a failed
// preparation reports the send as failed under it.
func TestFacadeReservedSends(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	srv.AddGroup(5001, 1001, 1002)
	srv.HTTP.handle("GET /group/info", func(*HTTPRequest) (*HTTPResponse, error) {
		return envelope(200, "", `{"group_id":5001,"read_ack":true}`), nil
	})
	srv.HTTP.handle("GET /group/member_list", func(*HTTPRequest) (*HTTPResponse, error) {
		return envelope(200, "", `[{"user_id":1001},{"user_id":1002}]`), nil
	})
	c, rec := newTestClient(t, srv, nil, nil)

	_, err := c.ReserveMessage(Message{To: 5001, ToType: ToGroup, Content: "x"})
	requireCode(t, err, UserNotLogin)
	loginAs(t, c, 1001, tok)
	_, err = c.ReserveMessage(Message{To: 5001, ToType: ToGroup, Type: "sticker"})
	requireCode(t, err, InvalidParam)
	_, err = c.ReserveMessage(Message{ToType: ToGroup})
	requireCode(t, err, InvalidParam)

	m := Message{To: 5001, ToType: ToGroup, Content: "hi", Config: `{"k":1}`}
	cmid, err := c.ReserveMessage(m, WithPriority(2))
	require.NoError(t, err)
	require.NoError(t, c.Sys().AddReadReceipts(ctxT(t), &m))
	assert.JSONEq(t, `{"k":1,"groupMemberList":[1002]}`, m.Config)
	c.PostReserved(cmid, m, nil, WithPriority(2))
	eventually(t, func() bool { return len(sends(srv)) == 1 }, "sent")
	meta := sends(srv)[0]
	assert.Equal(t, cmid, meta.Id, "the reserved mid goes on the wire")
	body, err := meta.MessageBody()
	require.NoError(t, err)
	assert.Equal(t, uint32(2), body.Priority)
	sent := rec.wait(t, "sent status", func(e Event) bool {
		s, ok := e.(SendingStatus)
		return ok && s.Status == SendStatusSent
	}).(SendingStatus)
	assert.Equal(t, cmid, sent.Mid)
	assert.Equal(t, "hi", sent.Message.Content)

	cmid2, err := c.ReserveMessage(Message{To: 1002})
	require.NoError(t, err)
	assert.Greater(t, cmid2, cmid)
	c.PostReserved(cmid2, Message{To: 1002, Content: "lost"}, NewError(GroupNotExist, "gone"))
	failed := rec.wait(t, "failed status", func(e Event) bool {
		s, ok := e.(SendingStatus)
		return ok && s.Status == SendStatusFailed
	}).(SendingStatus)
	assert.Equal(t, cmid2, failed.Mid)
	assert.Equal(t, uint64(1002), failed.UID)
	assert.Equal(t, GroupNotExist, failed.Err.Code)
	assert.Equal(t, "gone", failed.ErrorReason)
	assert.Equal(t, cmid2, failed.Message.ID)
	assert.Equal(t, ToRoster, failed.Message.ToType)
	assert.Len(t, sends(srv), 1, "nothing written for the failed one")
}

func TestFacadeReadReceiptsOff(t *testing.T) {
	c, h, _ := newMgrClient(t)
	h.ok("GET /group/info", `{"group_id":7,"read_ack":false}`)
	m := Message{To: 7, Config: `{"k":1}`}
	require.NoError(t, c.Sys().AddReadReceipts(mgrCtx(t), &m))
	assert.Equal(t, `{"k":1}`, m.Config)
	requireCode(t, c.Sys().AddReadReceipts(mgrCtx(t), &Message{}), InvalidParam)
	h.fail("GET /group/info", 20001, "no group")
	requireCode(t, c.Sys().AddReadReceipts(mgrCtx(t), &Message{To: 8}), GroupNotExist)
}

func TestFacadeResignAttachment(t *testing.T) {
	c, h, _ := newMgrClient(t)
	ctx := mgrCtx(t)
	h.ok("GET /file/upload/forward", `"https://ratel.test/file/download/chat?file_sign=NEW"`)
	m := Message{Type: TypeFile, Attachment: `{"url":"https://ratel.test/file/download/chat?file_sign=OLD","fLen":12345678901234567}`}
	require.NoError(t, c.Sys().ResignAttachment(ctx, &m, 9, true))
	assert.JSONEq(t, `{"url":"https://ratel.test/file/download/chat?file_sign=NEW","fLen":12345678901234567}`, m.Attachment)
	assert.Equal(t, url.Values{"file_sign": {"OLD"}, "to_id": {"9"}, "to_type": {"2"}, "access-token": {"tok"}}, h.last(t).Query)

	h.reset()
	plain := Message{Type: TypeImage, Attachment: `{"url":"https://cdn.test/a.png"}`}
	require.NoError(t, c.Sys().ResignAttachment(ctx, &plain, 9, false))
	assert.Equal(t, `{"url":"https://cdn.test/a.png"}`, plain.Attachment)
	require.NoError(t, c.Sys().ResignAttachment(ctx, &Message{}, 9, false))
	assert.Empty(t, h.all(), "nothing to re-sign, no request")
	requireCode(t, c.Sys().ResignAttachment(ctx, &Message{Attachment: "{"}, 9, false), InvalidParam)
}

func TestFacadeCleanup(t *testing.T) {
	srv := newFakeServer(t)
	tok := srv.AddUser(1001, "alice", "pw")
	st := NewMemoryStorage()
	c, rec := newTestClient(t, srv, st, nil)
	loginAs(t, c, 1001, tok)
	for _, k := range []string{keyUID, keyToken, keyTokenApp, keyDeviceSN(1001), keyGUID(1001), dnsStorageKey(fakeAppID)} {
		_, ok := st.Get(k)
		require.True(t, ok, "%s stored by the login", k)
	}
	require.NoError(t, c.Cleanup(ctxT(t)))
	for _, k := range []string{keyUID, keyToken, keyTokenApp, keyDeviceSN(1001), keyGUID(1001), dnsStorageKey(fakeAppID)} {
		_, ok := st.Get(k)
		assert.False(t, ok, "%s erased", k)
	}
	assert.False(t, c.IsLogin())
	rec.waitName(t, EventLogout, 1)

	// Without a session the stored uid still names the device keys.
	require.NoError(t, st.Set(keyUID, "77"))
	require.NoError(t, st.Set(keyGUID(77), "g"))
	require.NoError(t, c.Cleanup(ctxT(t)))
	_, ok := st.Get(keyGUID(77))
	assert.False(t, ok)
}

func TestFacadeDNSAndLinks(t *testing.T) {
	c, h, _ := newMgrClient(t)
	assert.Equal(t, "normal", jStr(c.Sys().DNSData(), "app_status"))
	assert.Equal(t, "https://link.test/info?link=a%2Fb%3Fc", LinkURL("link.test", "a/b?c"))
	assert.Equal(t, "https://r.test/x?k=1&link=l", LinkURL("https://r.test/x?k=1", "l"))

	h.ok("GET /info", `{"type":"group","id":12}`)
	v, err := c.Sys().ResolveLink(mgrCtx(t), LinkURL("link.test", "L"))
	require.NoError(t, err)
	assert.Equal(t, `{"type":"group","id":12}`, v.String())
	call := h.last(t)
	assert.Equal(t, "L", call.Query.Get("link"))
	assert.Equal(t, "app1", call.Header["app_id"])
	h.fail("GET /info", 404, "unknown link")
	_, err = c.Sys().ResolveLink(mgrCtx(t), LinkURL("link.test", "L"))
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "unknown link"), err)
	_, err = c.Sys().ResolveLink(mgrCtx(t), "ftp://x")
	requireCode(t, err, InvalidParam)

	c.setDNS(nil)
	assert.False(t, c.Sys().DNSData().Exists())
}
