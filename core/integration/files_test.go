//go:build !js

package integration

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/jsonv"
)

// TestFileUploadAndDownload: alice uploads a file from disk with progress
// (upload slot, then a streamed multipart POST), sends it as a file
// message, and bob downloads it from the message's attachment URL
// (REST.md §9).
func TestFileUploadAndDownload(t *testing.T) {
	env := startServer(t)
	alice, bob, carol := env.NewUser(t, "alice"), env.NewUser(t, "bob"), env.NewUser(t, "carol")
	a, b, c := newClient(t, env, clientOptions{}), newClient(t, env, clientOptions{}), newClient(t, env, clientOptions{})
	a.login(t, alice)
	b.login(t, bob)
	c.login(t, carol)

	data := make([]byte, 3<<20+123)
	for i := range data {
		data[i] = byte(i * 31 >> 3)
	}
	path := filepath.Join(t.TempDir(), "report.bin")
	require.NoError(t, os.WriteFile(path, data, 0o600))

	var mu sync.Mutex
	var progress [][2]int64
	downloadURL, err := a.Sys().Upload(ctxFor(t), core.UploadOptions{
		File:        path, // streamed from disk by core/native
		FileName:    "report.bin",
		ContentType: "application/octet-stream",
		FileType:    "file",
		ToType:      core.UploadToChat,
		ToID:        uint64(bob.ID),
		Progress: func(loaded, total int64) {
			mu.Lock()
			progress = append(progress, [2]int64{loaded, total})
			mu.Unlock()
		},
	})
	require.NoError(t, err, "the reference server answers {\"data\":true} (REST.md §9.2)")
	require.Contains(t, downloadURL, "/file/download/chat?file_sign=")
	mu.Lock()
	require.NotEmpty(t, progress)
	assert.Greater(t, len(progress), 2, "progress is reported along the way")
	assert.Equal(t, [2]int64{int64(len(data)), int64(len(data))}, progress[len(progress)-1])
	for i := 1; i < len(progress); i++ {
		assert.Greater(t, progress[i][0], progress[i-1][0])
	}
	mu.Unlock()

	var att jsonv.Writer
	att.BeginObject()
	att.Key("url")
	att.String(downloadURL)
	att.Key("dName")
	att.String("report.bin")
	att.Key("fLen")
	att.Int(int64(len(data)))
	att.EndObject()
	bm := b.rec.mark()
	_, err = a.SendMessage(ctxFor(t), core.Message{To: uint64(bob.ID), Type: core.TypeFile, Content: "report.bin", Attachment: string(att.Bytes())})
	require.NoError(t, err)
	got := b.waitContent(t, bm, alice.ID, "report.bin")
	assert.Equal(t, core.TypeFile, got.Type)
	v, err := jsonv.ParseString(got.Attachment)
	require.NoError(t, err)
	url, _ := v.Get("url").AsString()
	require.Equal(t, downloadURL, url)

	dl, err := b.http.Do(ctxFor(t), &core.HTTPRequest{Method: "GET", URL: url, Header: map[string]string{"app_id": env.AppID, "access-token": b.Token()}})
	require.NoError(t, err)
	require.Equal(t, 200, dl.Status)
	assert.True(t, bytes.Equal(data, dl.Body), "downloaded bytes match the upload")
	assert.NotEmpty(t, dl.Header["content-type"])

	// Someone outside the conversation may not read it.
	denied, err := c.http.Do(ctxFor(t), &core.HTTPRequest{Method: "GET", URL: url, Header: map[string]string{"app_id": env.AppID, "access-token": c.Token()}})
	require.NoError(t, err)
	assert.Equal(t, 403, denied.Status)
}
