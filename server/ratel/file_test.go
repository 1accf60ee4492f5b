package ratel_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/ratel"
	"github.com/flooim/floo/server/servertest"
)

var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 300)...)

// upload posts a multipart body to an upload URL the way the official web
// client does: the extra form fields first, then the file. It returns the
// HTTP status and body.
func upload(t *testing.T, client *http.Client, uploadURL, token, filename, ctype string, content []byte, extra map[string]string) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range extra {
		require.NoError(t, mw.WriteField(k, v))
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+filename+`"`)
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	pw, err := mw.CreatePart(h)
	require.NoError(t, err)
	_, err = pw.Write(content)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	req, err := http.NewRequest("POST", uploadURL, &buf)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("app_id", "welovemaxim")
	if token != "" {
		req.Header.Set("access-token", token)
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// download fetches a file URL with the token in the query string, as an
// <img> element would, and returns status, content type and body.
func download(t *testing.T, client *http.Client, fileURL, token string) (int, string, []byte) {
	t.Helper()
	if token != "" {
		fileURL += "&access-token=" + url.QueryEscape(token) + "&app_id=welovemaxim"
	}
	resp, err := client.Get(fileURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

func chatSlot(t *testing.T, env *servertest.Env, u servertest.User, fileType int, toID int64, toType int) ratel.UploadSlot {
	t.Helper()
	var s ratel.UploadSlot
	env.OK(t, "GET", "/file/upload/chat", u.Token, url.Values{"file_type": {id(int64(fileType))},
		"to_id": {id(toID)}, "to_type": {id(int64(toType))}}, &s)
	return s
}

func TestFileChatUploadDownload(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := users(t, env, "alice", "bob", "carol", "dave")
	alice, bob, carol, dave := u[0], u[1], u[2], u[3]

	s := chatSlot(t, env, alice, 102, bob.ID, 1)
	assert.True(t, strings.HasPrefix(s.UploadURL, env.URL+"/file/upload/put/"), s.UploadURL)
	assert.True(t, strings.HasPrefix(s.DownloadURL, env.URL+"/file/download/chat?file_sign="), s.DownloadURL)
	du, err := url.Parse(s.DownloadURL)
	require.NoError(t, err)
	assert.Equal(t, []string{"file_sign"}, keys(du.Query()), "file_sign is the only (so the last) parameter")
	assert.Equal(t, "POST", s.UploadMethod)
	assert.NotNil(t, s.OSSBodyParam)

	// Not uploaded yet: the signed URL names no file.
	st, _, _ := download(t, env.Client, s.DownloadURL, bob.Token)
	assert.Equal(t, http.StatusNotFound, st)

	st, body := upload(t, env.Client, s.UploadURL, alice.Token, "pic.png", "image/png", pngBytes,
		map[string]string{"key": "ignored", "policy": "ignored"})
	assert.Equal(t, http.StatusOK, st)
	assert.Equal(t, `{"data":true}`, body, "the web client accepts exactly this body")
	st, _ = upload(t, env.Client, s.UploadURL, alice.Token, "pic.png", "image/png", pngBytes, nil)
	assert.NotEqual(t, http.StatusOK, st, "upload ids are one-time")

	for _, who := range []servertest.User{alice, bob} {
		st, ct, got := download(t, env.Client, s.DownloadURL, who.Token)
		assert.Equal(t, http.StatusOK, st, who.Name)
		assert.Equal(t, "image/png", ct)
		assert.Equal(t, pngBytes, got)
	}
	// Header token works too.
	req, _ := http.NewRequest("GET", s.DownloadURL, nil)
	req.Header.Set("access-token", bob.Token)
	resp, err := env.Client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	st, _, _ = download(t, env.Client, s.DownloadURL, carol.Token)
	assert.Equal(t, http.StatusForbidden, st, "not in the conversation")
	st, _, _ = download(t, env.Client, s.DownloadURL, "")
	assert.Equal(t, http.StatusForbidden, st, "no token")
	st, _, _ = download(t, env.Client, s.DownloadURL, "bogus")
	assert.Equal(t, http.StatusForbidden, st, "bad token")
	tampered := strings.Replace(s.DownloadURL, id(bob.ID), id(carol.ID), 1)
	require.NotEqual(t, s.DownloadURL, tampered)
	st, _, _ = download(t, env.Client, tampered, carol.Token)
	assert.Equal(t, http.StatusForbidden, st, "forged signature")

	// Forward into a group: a new URL for the group's members only.
	g := createGroup(t, env, alice, map[string]any{"name": "G", "user_list": []any{dave.ID}})
	sign := s.DownloadURL[strings.Index(s.DownloadURL, "sign=")+len("sign="):]
	var fwd string
	env.OK(t, "GET", "/file/upload/forward", alice.Token, url.Values{"file_sign": {sign}, "to_id": {id(g.GroupID)}, "to_type": {"2"}}, &fwd)
	assert.True(t, strings.HasPrefix(fwd, env.URL+"/file/download/chat?file_sign="), fwd)
	assert.NotEqual(t, s.DownloadURL, fwd)
	st, _, got := download(t, env.Client, fwd, dave.Token)
	assert.Equal(t, http.StatusOK, st)
	assert.Equal(t, pngBytes, got)
	st, _, _ = download(t, env.Client, s.DownloadURL, dave.Token)
	assert.Equal(t, http.StatusForbidden, st, "the original URL stays bound to its conversation")
	st, _, _ = download(t, env.Client, fwd, bob.Token)
	assert.Equal(t, http.StatusForbidden, st, "bob is not in the group")

	assert.Equal(t, ratel.CodeNoPermission, code(t, env, "GET", "/file/upload/forward", carol.Token, url.Values{"file_sign": {sign}, "to_id": {id(bob.ID)}, "to_type": {"1"}}))
	assert.Equal(t, ratel.CodeBadParam, code(t, env, "GET", "/file/upload/forward", alice.Token, url.Values{"file_sign": {"x.1.2.3.y"}, "to_id": {id(bob.ID)}, "to_type": {"1"}}))
	assert.Equal(t, ratel.CodeNotGroupMember, code(t, env, "GET", "/file/upload/forward", bob.Token, url.Values{"file_sign": {sign}, "to_id": {id(g.GroupID)}, "to_type": {"2"}}))

	// The signing key survives a restart, so stored URLs keep working.
	env.Restart(t)
	st, _, got = download(t, env.Client, s.DownloadURL, bob.Token)
	assert.Equal(t, http.StatusOK, st)
	assert.Equal(t, pngBytes, got)
}

func keys(v url.Values) []string {
	var out []string
	for k := range v {
		out = append(out, k)
	}
	return out
}

func TestFileSlotRules(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := users(t, env, "alice", "bob", "carol")
	alice, bob, carol := u[0], u[1], u[2]
	env.OK(t, "POST", "/roster/block", carol.Token, url.Values{"user_id": {id(alice.ID)}}, nil)
	g := createGroup(t, env, bob, map[string]any{"name": "G"})

	q := func(ft, to, tt string) url.Values {
		return url.Values{"file_type": {ft}, "to_id": {to}, "to_type": {tt}}
	}
	assert.Equal(t, ratel.CodeInBlockList, code(t, env, "GET", "/file/upload/chat", alice.Token, q("100", id(carol.ID), "1")))
	assert.Equal(t, ratel.CodeUserNotExist, code(t, env, "GET", "/file/upload/chat", alice.Token, q("100", "42", "1")))
	assert.Equal(t, ratel.CodeNotGroupMember, code(t, env, "GET", "/file/upload/chat", alice.Token, q("200", id(g.GroupID), "2")))
	assert.Equal(t, ratel.CodeGroupNotExist, code(t, env, "GET", "/file/upload/chat", alice.Token, q("100", "42", "2")))
	assert.Equal(t, ratel.CodeBadParam, code(t, env, "GET", "/file/upload/chat", alice.Token, q("200", id(bob.ID), "1")))
	assert.Equal(t, ratel.CodeBadParam, code(t, env, "GET", "/file/upload/chat", alice.Token, q("999", id(bob.ID), "1")))
	assert.Equal(t, ratel.CodeBadParam, code(t, env, "GET", "/file/upload/chat", alice.Token, q("100", id(bob.ID), "3")))
	assert.Equal(t, ratel.CodeMissingToken, code(t, env, "GET", "/file/upload/chat", "", q("100", id(bob.ID), "1")))

	// Banned group members cannot send, so they get no slot.
	env.OK(t, "POST", "/group/settings/ban_all", bob.Token, map[string]any{"group_id": g.GroupID}, nil)
	results(t, env, bob, "/group/invite", map[string]any{"group_id": g.GroupID, "user_list": []any{alice.ID}})
	assert.Equal(t, ratel.CodeNoPermission, code(t, env, "GET", "/file/upload/chat", alice.Token, q("202", id(g.GroupID), "2")))
	s := chatSlot(t, env, bob, 202, g.GroupID, 2)
	assert.NotEmpty(t, s.UploadURL, "admins are not held by a group-wide ban")

	// The upload needs the slot owner's token.
	st, body := upload(t, env.Client, s.UploadURL, "", "a.bin", "", []byte("x"), nil)
	assert.Equal(t, http.StatusOK, st)
	assert.Contains(t, body, `"code":10003`)
	st, _ = upload(t, env.Client, s.UploadURL, alice.Token, "a.bin", "", []byte("x"), nil)
	assert.Equal(t, http.StatusForbidden, st)
}

func TestFileAvatars(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	u := users(t, env, "alice", "bob")
	alice, bob := u[0], u[1]

	var s ratel.UploadSlot
	env.OK(t, "GET", "/file/upload/avatar/user", alice.Token, nil, &s)
	require.True(t, strings.HasPrefix(s.DownloadURL, env.URL+"/file/download/avatar?object_name="), s.DownloadURL)
	// No Content-Type on the part: the type comes from the file name.
	st, body := upload(t, env.Client, s.UploadURL, alice.Token, "me.png", "", pngBytes, nil)
	require.Equal(t, http.StatusOK, st, body)
	env.OK(t, "POST", "/user/avatar", alice.Token, map[string]any{"avatar": s.DownloadURL}, nil)

	st, ct, got := download(t, env.Client, s.DownloadURL+"&image_type=2", bob.Token)
	assert.Equal(t, http.StatusOK, st)
	assert.Equal(t, "image/png", ct)
	assert.Equal(t, pngBytes, got)
	st, _, _ = download(t, env.Client, s.DownloadURL, "")
	assert.Equal(t, http.StatusForbidden, st)
	st, _, _ = download(t, env.Client, env.URL+"/file/download/avatar?object_name=nope", bob.Token)
	assert.Equal(t, http.StatusNotFound, st)

	// Group avatars follow the member_modify rule.
	g := createGroup(t, env, alice, map[string]any{"name": "G", "user_list": []any{bob.ID}})
	assert.Equal(t, ratel.CodeMemberRequired, code(t, env, "GET", "/file/upload/avatar/group", bob.Token, url.Values{"group_id": {id(g.GroupID)}}))
	// The official client passes the token in the query for this one.
	var gs ratel.UploadSlot
	env.OK(t, "GET", "/file/upload/avatar/group?access-token="+url.QueryEscape(alice.Token), "", url.Values{"group_id": {id(g.GroupID)}}, &gs)
	// Sniffed when neither the part nor the name says.
	st, _ = upload(t, env.Client, gs.UploadURL, alice.Token, "blob", "application/octet-stream", pngBytes, nil)
	require.Equal(t, http.StatusOK, st)
	st, ct, _ = download(t, env.Client, gs.DownloadURL, bob.Token)
	assert.Equal(t, http.StatusOK, st)
	assert.Equal(t, "image/png", ct)

	// A chat file is not reachable as an avatar.
	cs := chatSlot(t, env, alice, 100, bob.ID, 1)
	st, _ = upload(t, env.Client, cs.UploadURL, alice.Token, "page.html", "text/html", []byte("<script>x</script>"), nil)
	require.Equal(t, http.StatusOK, st)
	objectName := cs.UploadURL[strings.LastIndex(cs.UploadURL, "/")+1:]
	st, _, _ = download(t, env.Client, env.URL+"/file/download/avatar?object_name="+objectName, bob.Token)
	assert.Equal(t, http.StatusNotFound, st)
	resp, err := env.Client.Get(cs.DownloadURL + "&access-token=" + url.QueryEscape(bob.Token))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Disposition"), "attachment", "active content is never shown inline")
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
}

func TestFileUploadSizeLimit(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.MaxUploadBytes = 1000 }))
	alice := env.NewUser(t, "alice")
	slot := func() ratel.UploadSlot {
		var s ratel.UploadSlot
		env.OK(t, "GET", "/file/upload/avatar/user", alice.Token, nil, &s)
		return s
	}
	st, _ := upload(t, env.Client, slot().UploadURL, alice.Token, "big.bin", "", bytes.Repeat([]byte{1}, 1001), nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, st)
	st, _ = upload(t, env.Client, slot().UploadURL, alice.Token, "huge.bin", "", bytes.Repeat([]byte{1}, 1<<20), nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, st)
	entries, err := os.ReadDir(filepath.Join(env.DataDir, "files"))
	if err == nil {
		assert.Empty(t, entries, "nothing of a refused upload is kept")
	}

	s := slot()
	st, body := upload(t, env.Client, s.UploadURL, alice.Token, "ok.bin", "", bytes.Repeat([]byte{1}, 1000), nil)
	assert.Equal(t, http.StatusOK, st, body)
	objectName := s.DownloadURL[strings.Index(s.DownloadURL, "object_name=")+len("object_name="):]
	f, err := env.Server.Store().GetFile(context.Background(), objectName)
	require.NoError(t, err)
	assert.Equal(t, int64(1000), f.Size)
	assert.Equal(t, "ok.bin", f.Name)
	assert.FileExists(t, filepath.Join(env.DataDir, "files", objectName))
	st, _, got := download(t, env.Client, s.DownloadURL, alice.Token)
	assert.Equal(t, http.StatusOK, st)
	assert.Len(t, got, 1000)
}
