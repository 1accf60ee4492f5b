package servertest_test

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/ratel"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/server/store"
)

func TestHelpers(t *testing.T) {
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
		c.AppID = "custom"
		c.AppConfig = map[string]any{"k": "v"}
	}))
	assert.Equal(t, "custom", env.AppID, "Do sends the configured app id")
	assert.DirExists(t, env.DataDir)

	u := env.NewUser(t, "sam")
	assert.NotZero(t, u.ID)
	assert.NotEmpty(t, u.Token)

	// GET params travel in the query string, numbers without exponent.
	var s ratel.Settings
	env.OK(t, "POST", "/user/authmode", u.Token, url.Values{"value": {"2"}}, nil)
	env.OK(t, "GET", "/user/settings", u.Token, map[string]any{"user_id": 12345678901}, &s)
	assert.Equal(t, int32(2), s.AuthMode)

	code, data := env.Do(t, "GET", "/app/config", "", nil)
	assert.Equal(t, ratel.CodeOK, code)
	assert.JSONEq(t, `{"k":"v"}`, string(data))

	resp, reply := env.DoRaw(t, "GET", "/missing", "", nil)
	assert.Equal(t, 404, resp.StatusCode)
	var whole map[string]any
	require.NoError(t, json.Unmarshal(reply.Raw, &whole))
	assert.Contains(t, whole, "message")

	td := env.Login(t, "sam", u.Password, "guid-x")
	assert.Equal(t, u.ID, td.UserID)
	tk, err := env.Server.Store().LookupToken(t.Context(), store.HashToken(td.Token), 0)
	require.NoError(t, err)
	assert.Equal(t, "guid-x", tk.DeviceGUID)
}

func TestClock(t *testing.T) {
	base := time.Unix(1_700_000_000, 0)
	frozen := &servertest.Clock{Base: base}
	assert.Equal(t, base, frozen.Now(), "a clock with a Base stands still")
	frozen.Advance(time.Hour)
	frozen.Advance(-time.Minute)
	assert.Equal(t, base.Add(59*time.Minute), frozen.Now())

	running := &servertest.Clock{}
	before := time.Now()
	got := running.Now()
	assert.False(t, got.Before(before), "a zero Base follows real time")
	running.Advance(24 * time.Hour)
	assert.WithinDuration(t, time.Now().Add(24*time.Hour), running.Now(), time.Minute)
}
