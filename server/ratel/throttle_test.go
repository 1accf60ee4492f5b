package ratel_test

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/ratel"
	"github.com/flooim/floo/server/servertest"
)

// from returns a copy of env whose requests come from the loopback address
// ip (127.0.0.0/8 is all loopback on Linux), so the server sees another
// client address.
func from(t *testing.T, env *servertest.Env, ip string) *servertest.Env {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c := *env
	c.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
	t.Cleanup(c.Client.CloseIdleConnections)
	return &c
}

// attempt is one login: the HTTP status, the envelope code and Retry-After.
type attempt struct {
	status, code int
	retryAfter   string
}

func tryLogin(t *testing.T, env *servertest.Env, path string, params map[string]any) attempt {
	t.Helper()
	resp, reply := env.DoRaw(t, "POST", path, "", params)
	return attempt{resp.StatusCode, reply.Code, resp.Header.Get("Retry-After")}
}

func locked(a attempt) bool {
	return a.status == http.StatusTooManyRequests && a.code == ratel.CodeTooManyRequests && a.retryAfter != ""
}

// TestAccountLockout: failed password checks are counted per account,
// whatever address they come from: five are free, then each failure locks
// the account out for a time doubling from 1 s to 15 min, during which even
// the right password answers 429. A success resets the count. Names of no
// account behave the same way.
func TestAccountLockout(t *testing.T) {
	t.Parallel()
	clock := &servertest.Clock{}
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.Now = clock.Now }))
	ip1, ip2 := from(t, env, "127.0.0.2"), from(t, env, "127.0.0.3")
	bob := env.NewUser(t, "bob")
	wrong := map[string]any{"name": "bob", "password": "wrong-password"}
	right := map[string]any{"name": "bob", "password": bob.Password}
	byID := map[string]any{"user_id": bob.ID, "password": bob.Password}

	for i := 0; i < 3; i++ {
		assert.Equal(t, attempt{200, ratel.CodeBadParam, ""}, tryLogin(t, ip1, "/token/user", wrong))
	}
	for i := 0; i < 2; i++ {
		assert.Equal(t, attempt{200, ratel.CodeBadParam, ""}, tryLogin(t, ip2, "/token/user", wrong))
	}
	// Five failures from two addresses: the sixth is still answered, and
	// locks the account for a second.
	assert.Equal(t, attempt{200, ratel.CodeBadParam, ""}, tryLogin(t, ip2, "/token/user", wrong))
	for _, env := range []*servertest.Env{ip1, ip2} {
		a := tryLogin(t, env, "/token/user", right)
		assert.True(t, locked(a), "%+v", a)
		assert.Equal(t, "1", a.retryAfter)
		assert.True(t, locked(tryLogin(t, env, "/token/id", byID)), "by id too: it is the same account")
	}
	clock.Advance(time.Second)
	assert.Equal(t, attempt{200, ratel.CodeOK, ""}, tryLogin(t, ip2, "/token/user", right), "lock-out over")

	// The success reset the count: five free failures again, then the
	// lock-out doubles at each failure up to 15 minutes.
	for i := 0; i < 5; i++ {
		assert.Equal(t, ratel.CodeBadParam, tryLogin(t, ip1, "/token/user", wrong).code)
	}
	var waits []string
	for i := 0; i < 14; i++ {
		assert.Equal(t, ratel.CodeBadParam, tryLogin(t, ip1, "/token/user", wrong).code)
		a := tryLogin(t, ip2, "/token/user", wrong)
		require.True(t, locked(a), "%+v", a)
		waits = append(waits, a.retryAfter)
		s, err := strconv.Atoi(a.retryAfter)
		require.NoError(t, err)
		clock.Advance(time.Duration(s) * time.Second)
	}
	assert.Equal(t, []string{"1", "2", "4", "8", "16", "32", "64", "128", "256", "512", "900", "900", "900", "900"}, waits)
	assert.Equal(t, ratel.CodeOK, tryLogin(t, ip1, "/token/user", right).code)

	// A name that is no account: the same five free failures (10000), the
	// same lock-out.
	ghost := map[string]any{"name": "ghost", "password": "wrong-password"}
	for i := 0; i < 6; i++ {
		assert.Equal(t, attempt{200, ratel.CodeUserNotExist, ""}, tryLogin(t, []*servertest.Env{ip1, ip2}[i%2], "/token/user", ghost))
	}
	a := tryLogin(t, ip1, "/token/user", ghost)
	assert.True(t, locked(a), "%+v", a)
	assert.Equal(t, "1", a.retryAfter)

	// The password checks of authenticated calls count for the account too.
	carol := env.NewUser(t, "carol")
	for i := 0; i < 6; i++ {
		code, _ := ip1.Do(t, "POST", "/user/change_password", carol.Token,
			map[string]any{"old_password": "wrong-password", "new_password": "new-password"})
		assert.Equal(t, ratel.CodeBadParam, code)
	}
	a = tryLogin(t, ip2, "/token/user", map[string]any{"name": "carol", "password": carol.Password})
	assert.True(t, locked(a), "%+v", a)
	resp, _ := ip2.DoRaw(t, "POST", "/user/delete", carol.Token, map[string]any{"password": carol.Password})
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
}

// TestRateLimitIgnoresForwardedFor: the per-IP limit keys on the TCP peer;
// a forged X-Forwarded-For does not give a fresh bucket, another real
// address does.
func TestRateLimitIgnoresForwardedFor(t *testing.T) {
	t.Parallel()
	env := servertest.Start(t, servertest.WithConfig(func(c *server.Config) { c.RateLimit = 2 }))
	post := func(env *servertest.Env, forged string) int {
		req, err := http.NewRequest("POST", env.URL+"/token/user", nil)
		require.NoError(t, err)
		req.URL.RawQuery = url.Values{"name": {"x"}, "password": {"secret1"}}.Encode()
		req.Header.Set("X-Forwarded-For", forged)
		req.Header.Set("X-Real-IP", forged)
		resp, err := env.Client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	ip1 := from(t, env, "127.0.0.2")
	assert.Equal(t, []int{200, 200, 429, 429}, []int{post(ip1, "10.0.0.1"), post(ip1, "10.0.0.2"),
		post(ip1, "10.0.0.3"), post(ip1, "10.0.0.4")})
	assert.Equal(t, 200, post(from(t, env, "127.0.0.3"), "10.0.0.1"))
}
