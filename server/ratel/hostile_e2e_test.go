package ratel_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/ratel"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/xsync"
)

// sendBody posts body as it is, with a JSON content type, and returns the
// HTTP status and the envelope's code.
func sendBody(t *testing.T, env *servertest.Env, path, token string, body []byte) (status, code int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, env.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("app_id", env.AppID)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("access-token", token)
	}
	resp, err := env.Client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var env2 struct {
		Code int `json:"code"`
	}
	require.NoError(t, json.Unmarshal(b, &env2), "reply %q", b)
	return resp.StatusCode, env2.Code
}

// undecodable are bodies that are not one JSON object.
var undecodable = []string{
	`{"device_sn":`,        // cut short
	`{"nick_name":"x"} {}`, // trailing data
	`[1,2,3]`,              // not an object
	`"nick_name"`,          // not an object
	`nick_name=x`,          // a form, sent as JSON
}

// TestUndecodableKickKicksNobody: an undecodable /user/kick body used to
// read as "no device_sn", which means every other device. It must fail
// before anything happens.
func TestUndecodableKickKicksNobody(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	alice := env.NewUser(t, "alice")
	a1 := connect(t, env, alice, "alice-1")
	a2 := connect(t, env, alice, "alice-2")
	a1.c.SyncAll(alice.ID) // DEVICE_ADDED of alice-2

	for _, body := range undecodable {
		status, code := sendBody(t, env, "/user/kick", a1.token, []byte(body))
		assert.Equal(t, http.StatusOK, status, body)
		assert.Equal(t, ratel.CodeBadParam, code, body)
	}
	status, code := sendBody(t, env, "/user/kick", a1.token, bytes.Repeat([]byte(" "), 2<<20))
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Equal(t, ratel.CodeBadParam, code)

	assert.Empty(t, env.Notices.Kicks(), "nobody was kicked")
	requireUnreadOK(t, a2.c)
	noKick(t, a2)
	var devs []ratel.DeviceInfo
	env.OK(t, "GET", "/user/device/list", a2.token, nil, &devs)
	assert.Len(t, devs, 2, "both devices stay registered, and alice-2's token still works")
	// (This login replaces alice-2's connection, so it comes last.)
	assert.Equal(t, xsync.StatusOK, provisionStatus(t, env, alice.ID, a2.token, "alice-2"))
}

// noKick asserts that d receives nothing unsolicited for a moment.
func noKick(t *testing.T, d device) {
	t.Helper()
	f, err := d.c.Next(300 * time.Millisecond)
	assert.Error(t, err, "unexpected frame %v", f)
}

// TestUndecodableBodiesFail: every envelope endpoint answers an undecodable
// body with 10002 and an over-size one with HTTP 413, and changes nothing.
func TestUndecodableBodiesFail(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t)
	alice := env.NewUser(t, "alice")
	env.OK(t, "POST", "/user/profile", alice.Token, map[string]any{"nick_name": "before"}, nil)
	env.OK(t, "POST", "/user/settings", alice.Token, map[string]any{"no_sounds": false}, nil)

	for _, path := range []string{"/user/profile", "/user/settings", "/user/nickname", "/roster/apply",
		"/group/create", "/token/user", "/user/register/v2"} {
		for _, body := range undecodable {
			status, code := sendBody(t, env, path, alice.Token, []byte(body))
			assert.Equal(t, http.StatusOK, status, "%s %s", path, body)
			assert.Equal(t, ratel.CodeBadParam, code, "%s %s", path, body)
		}
	}
	// Over the 1 MiB limit, valid JSON or not.
	big := []byte(`{"nick_name":"` + strings.Repeat("x", 1<<20) + `"}`)
	for _, path := range []string{"/user/profile", "/user/settings"} {
		status, code := sendBody(t, env, path, alice.Token, big)
		assert.Equal(t, http.StatusRequestEntityTooLarge, status, path)
		assert.Equal(t, ratel.CodeBadParam, code, path)
	}
	status, code := sendBody(t, env, "/user/settings", alice.Token, []byte(`{"no_sounds":true,`+strings.Repeat(" ", 1<<20)+`}`))
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Equal(t, ratel.CodeBadParam, code)

	var p ratel.Profile
	env.OK(t, "GET", "/user/profile", alice.Token, nil, &p)
	assert.Equal(t, "before", p.NickName)
	var s ratel.Settings
	env.OK(t, "GET", "/user/settings", alice.Token, nil, &s)
	assert.False(t, s.NoSounds)

	// Empty and null bodies are no parameters at all, as before.
	for _, body := range []string{"", "null", " {} "} {
		status, code := sendBody(t, env, "/user/profile", alice.Token, []byte(body))
		assert.Equal(t, http.StatusOK, status, body)
		assert.Equal(t, ratel.CodeOK, code, body)
	}
}
