package core

import (
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/internal/lite"
)

const mgrSlot = `{"upload_url":"https://up.test/put/1","download_url":"https://ratel.test/file/download/chat?file_sign=S","upload_method":"POST","oss_body_param":{}}`

func TestUploadChatFile(t *testing.T) {
	c, h, _ := newMgrClient(t)
	h.ok("GET /file/upload/chat", mgrSlot)
	var mu sync.Mutex
	var got [][2]int64
	h.onUpload = func(req *UploadRequest) (*HTTPResponse, error) {
		// Out of order, repeated and overshooting reports are tidied up.
		for _, p := range [][2]int64{{0, 0}, {4, 10}, {2, 10}, {4, 10}, {8, 10}, {12, 10}} {
			req.Progress(p[0], p[1])
		}
		return &HTTPResponse{Status: 200, Body: []byte(`{"code":200,"data":true}`)}, nil
	}
	u, err := c.Sys().Upload(mgrCtx(t), UploadOptions{
		File: []byte("0123456789"), FileName: "a.txt", ContentType: "text/plain",
		FileType: "file", ToType: UploadToChat, ToID: 7,
		Progress: func(loaded, total int64) {
			mu.Lock()
			got = append(got, [2]int64{loaded, total})
			mu.Unlock()
		},
	})
	require.NoError(t, err)
	assert.Equal(t, "https://ratel.test/file/download/chat?file_sign=S", u)

	call := h.last(t)
	assert.Equal(t, url.Values{"file_type": {"100"}, "to_id": {"7"}, "to_type": {"1"}}, call.Query)
	require.Len(t, h.uploads, 1)
	req := h.uploads[0]
	assert.Equal(t, "https://up.test/put/1", req.URL)
	assert.Equal(t, "file", req.FileField)
	assert.Equal(t, "a.txt", req.FileName)
	assert.Equal(t, "text/plain", req.ContentType)
	assert.Equal(t, int64(10), req.Size, "the size of a []byte is known")
	assert.Empty(t, req.Fields, "no oss fields without a key")
	assert.Equal(t, map[string]string{"app_id": "app1", "access-token": "tok"}, req.Header)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, [][2]int64{{0, 10}, {4, 10}, {8, 10}, {10, 10}}, got, "monotonic, capped, ending at the total")
}

func TestUploadTargets(t *testing.T) {
	cases := []struct {
		name  string
		opts  UploadOptions
		key   string
		query url.Values
	}{
		{"rosterAvatar", UploadOptions{ToType: UploadToRosterAvatar}, "GET /file/upload/avatar/user", url.Values{}},
		{"groupAvatar", UploadOptions{ToType: UploadToGroupAvatar, GroupID: 12}, "GET /file/upload/avatar/group",
			url.Values{"group_id": {"12"}, "access-token": {"tok"}}},
		{"groupImage", UploadOptions{ToType: UploadToChat, FileType: "image", ChatType: ToGroup, ToID: 12}, "GET /file/upload/chat",
			url.Values{"file_type": {"102"}, "to_id": {"12"}, "to_type": {"2"}}},
		{"mp3", UploadOptions{ToType: UploadToChat, FileType: "audio-mp3", ToID: 5}, "GET /file/upload/chat",
			url.Values{"file_type": {"104"}, "to_id": {"5"}, "to_type": {"1"}}},
		{"shareFileDefaultsToGroup", UploadOptions{ToType: UploadToChat, FileType: "shareVideo", GroupID: 12}, "GET /file/upload/chat",
			url.Values{"file_type": {"203"}, "to_id": {"12"}, "to_type": {"2"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, h, _ := newMgrClient(t)
			h.ok(tc.key, mgrSlot)
			tc.opts.File = "wx://tmp/file" // a platform handle is passed through untouched
			u, err := c.Sys().Upload(mgrCtx(t), tc.opts)
			require.NoError(t, err)
			assert.NotEmpty(t, u)
			call := h.last(t)
			assert.Equal(t, tc.key, call.Method+" "+call.Path)
			if len(tc.query) == 0 {
				assert.Empty(t, call.Query)
			} else {
				assert.Equal(t, tc.query, call.Query)
			}
			require.Len(t, h.uploads, 1)
			assert.Equal(t, "wx://tmp/file", h.uploads[0].File)
			assert.Zero(t, h.uploads[0].Size, "unknown size stays 0")
		})
	}
}

func TestUploadOSSFields(t *testing.T) {
	c, h, _ := newMgrClient(t)
	h.ok("GET /file/upload/avatar/user", `{"upload_url":"https://oss.test/","download_url":"https://cdn.test/k",
		"oss_body_param":{"OSSAccessKeyId":"id","policy":"p","signature":"s","callback":"cb","key":"avatars/k"}}`)
	h.onUpload = func(*UploadRequest) (*HTTPResponse, error) {
		return &HTTPResponse{Status: 200, Body: []byte(`{"Status":"OK"}`)}, nil
	}
	u, err := c.Sys().Upload(mgrCtx(t), UploadOptions{File: []byte("x"), ToType: UploadToRosterAvatar})
	require.NoError(t, err)
	assert.Equal(t, "https://cdn.test/k", u)
	assert.Equal(t, [][2]string{{"OSSAccessKeyId", "id"}, {"policy", "p"}, {"signature", "s"}, {"callback", "cb"}, {"key", "avatars/k"}},
		h.uploads[0].Fields, "oss fields first, in order, when a key is set")
}

func TestUploadFailures(t *testing.T) {
	t.Run("rejectedBody", func(t *testing.T) {
		for _, body := range []string{`{"code":200,"data":false}`, `{"Status":"Fail"}`, `ok`, ``, `{"data":"true"}`} {
			c, h, _ := newMgrClient(t)
			h.ok("GET /file/upload/avatar/user", mgrSlot)
			progress := 0
			h.onUpload = func(req *UploadRequest) (*HTTPResponse, error) {
				req.Progress(1, 1)
				return &HTTPResponse{Status: 200, Body: []byte(body)}, nil
			}
			_, err := c.Sys().Upload(mgrCtx(t), UploadOptions{File: []byte("x"), ToType: UploadToRosterAvatar,
				Progress: func(int64, int64) { progress++ }})
			e := requireCode(t, err, ServerFileUploadUnknownError)
			assert.Equal(t, "https://up.test/put/1", e.URL, body)
			assert.Equal(t, SourceTransport, e.Source)
			assert.Equal(t, 1, progress, "no completion report after a failure")
		}
	})
	t.Run("transport", func(t *testing.T) {
		c, h, _ := newMgrClient(t)
		h.ok("GET /file/upload/avatar/user", mgrSlot)
		h.onUpload = func(*UploadRequest) (*HTTPResponse, error) { return nil, lite.DeadlineExceeded }
		_, err := c.Sys().Upload(mgrCtx(t), UploadOptions{File: []byte("x"), ToType: UploadToRosterAvatar})
		e := requireCode(t, err, ServerTimeOut)
		assert.Equal(t, "https://up.test/put/1", e.URL)
	})
	t.Run("noUploadURL", func(t *testing.T) {
		c, h, _ := newMgrClient(t)
		h.ok("GET /file/upload/avatar/user", `{"upload_url":"","download_url":"x"}`)
		_, err := c.Sys().Upload(mgrCtx(t), UploadOptions{File: []byte("x"), ToType: UploadToRosterAvatar})
		requireCode(t, err, ServerInvalidUploadUrl)
		assert.Empty(t, h.uploads, "nothing is uploaded without a URL")
	})
	t.Run("slotError", func(t *testing.T) {
		c, h, _ := newMgrClient(t)
		h.fail("GET /file/upload/chat", 10009, "oss error")
		_, err := c.Sys().Upload(mgrCtx(t), UploadOptions{File: []byte("x"), ToType: UploadToChat, FileType: "file", ToID: 3})
		e := requireCode(t, err, ServerFileUploadUnknownError)
		assert.Equal(t, 10009, e.ServerCode, "REST errors of the slot come back unchanged")
	})
	t.Run("badArguments", func(t *testing.T) {
		c, h, _ := newMgrClient(t)
		ctx := mgrCtx(t)
		s := c.Sys()
		_, err := s.Upload(ctx, UploadOptions{ToType: UploadToChat})
		requireCode(t, err, InvalidParam)
		_, err = s.Upload(ctx, UploadOptions{File: []byte("x"), ToType: "wall"})
		requireCode(t, err, InvalidFileUploadToType)
		_, err = s.Upload(ctx, UploadOptions{File: []byte("x"), ToType: UploadToChat, FileType: "doc", ToID: 1})
		requireCode(t, err, InvalidParam)
		_, err = s.Upload(ctx, UploadOptions{File: []byte("x"), ToType: UploadToChat, FileType: "file"})
		requireCode(t, err, InvalidParam)
		_, err = s.Upload(ctx, UploadOptions{File: []byte("x"), ToType: UploadToChat, FileType: "file", ToID: 1, ChatType: "room"})
		requireCode(t, err, InvalidParam)
		_, err = s.Upload(ctx, UploadOptions{File: []byte("x"), ToType: UploadToGroupAvatar})
		requireCode(t, err, InvalidParam)
		_, err = s.Upload(ctx, UploadOptions{File: []byte("x"), Size: -1, ToType: UploadToRosterAvatar})
		requireCode(t, err, InvalidParam)
		_, err = s.ChatFileUploadSlot(ctx, 105, 1, 1)
		requireCode(t, err, InvalidParam)
		_, err = s.ChatFileUploadSlot(ctx, 100, 3, 1)
		requireCode(t, err, InvalidParam)
		assert.Empty(t, h.all())
		assert.Empty(t, h.uploads)
	})
}

func TestUploadFileTypes(t *testing.T) {
	for name, want := range map[string]int{"file": 100, "audio": 101, "image": 102, "video": 103, "audio-mp3": 104,
		"shareFile": 200, "shareAudio": 201, "shareImage": 202, "shareVideo": 203} {
		got, ok := UploadFileType(name)
		assert.True(t, ok, name)
		assert.Equal(t, want, got, name)
	}
	_, ok := UploadFileType("pdf")
	assert.False(t, ok)
}
