package main

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/servertest"
)

func listDevices(t *testing.T, env map[string]string, args ...string) []device {
	t.Helper()
	r := floo(t, env, append(args, "devices")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var out []device
	for _, l := range lines(r.stdout) {
		out = append(out, decode[device](t, l))
	}
	return out
}

// TestDevices lists the devices of a user while a listener runs, removes
// the listener's device and sees its session end and its slot go.
func TestDevices(t *testing.T) {
	srv := servertest.Start(t)
	env := map[string]string{"FLOO_HOME": t.TempDir(), "FLOO_SERVER": srv.URL}
	srv.Register(t, "dora", "dora-pw")
	r := floo(t, env, "login", "dora", "dora-pw")
	require.Equal(t, exitOK, r.code, r.stderr)
	cliSN := decode[struct {
		DeviceSN uint64 `json:"device_sn"`
	}](t, r.stdout).DeviceSN

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	errOut := newBuffer()
	listenCode := make(chan int, 1)
	go func() {
		listenCode <- run(ctx, []string{"listen"}, newBuffer(), errOut, func(k string) string { return env[k] })
	}()
	errOut.waitFor(t, "listening as")

	before := time.Now().UnixMilli()
	devs := listDevices(t, env)
	require.Len(t, devs, 2, "cli and listen")
	var self, listener device
	for _, d := range devs {
		if d.ThisDevice {
			self = d
		} else {
			listener = d
		}
	}
	assert.Equal(t, cliSN, self.DeviceSN, "the command runs as the cli device of login")
	assert.True(t, self.Online)
	assert.True(t, listener.Online)
	assert.False(t, listener.ThisDevice)
	assert.NotEqual(t, self.DeviceSN, listener.DeviceSN)
	assert.Equal(t, "floo-cli", listener.UserAgent)
	assert.NotEmpty(t, listener.Platform)
	assert.NotZero(t, listener.LastSeen)
	assert.LessOrEqual(t, listener.LastSeen, uint64(before), "last seen when the listener logged in")
	_, err := time.Parse(time.RFC3339, listener.LastSeenAt)
	assert.NoError(t, err)

	// Another -device is another device, and says so.
	other := listDevices(t, env, "-device", "other")
	require.Len(t, other, 3)
	assert.Equal(t, 1, countThis(other))
	assert.False(t, other[0].ThisDevice && other[0].DeviceSN == cliSN)

	// Removing the listener ends its session for good.
	r = floo(t, env, "devices", "rm", strconv.FormatUint(listener.DeviceSN, 10))
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.JSONEq(t, `{"removed":`+strconv.FormatUint(listener.DeviceSN, 10)+`}`, r.stdout)
	select {
	case code := <-listenCode:
		assert.Equal(t, exitError, code, "a removed listener does not carry on")
		assert.Contains(t, errOut.String(), "Kicked")
	case <-ctx.Done():
		t.Fatalf("listen did not end; stderr:\n%s", errOut.String())
	}
	devs = listDevices(t, env)
	for _, d := range devs {
		assert.NotEqual(t, listener.DeviceSN, d.DeviceSN, "the slot is gone")
	}

	// Refusals.
	r = floo(t, env, "devices", "rm", strconv.FormatUint(cliSN, 10))
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "this device")
	r = floo(t, env, "devices", "rm", "4000000000")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "no device 4000000000")
	for _, args := range [][]string{{"devices", "rm"}, {"devices", "ls"}, {"devices", "rm", "x"}, {"devices", "rm", "0"}} {
		r = floo(t, env, args...)
		assert.Equal(t, exitUsage, r.code, "args %q: %s", args, r.stderr)
	}
}

func countThis(devs []device) int {
	n := 0
	for _, d := range devs {
		if d.ThisDevice {
			n++
		}
	}
	return n
}

// A script that runs as a new device each time is never locked out by the
// device limit under the default rule; with reclaiming off, it is, and
// floo says what to do.
func TestDeviceLimitAndScripts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reclaim time.Duration
		ok      bool
	}{
		{"default", 0, true},
		{"never", -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := servertest.Start(t, servertest.WithConfig(func(c *server.Config) {
				c.MaxDevices = 2
				c.DeviceReclaimAfter = tc.reclaim
			}))
			env := map[string]string{"FLOO_HOME": t.TempDir(), "FLOO_SERVER": srv.URL}
			srv.Register(t, "erin", "erin-pw")
			require.Equal(t, exitOK, floo(t, env, "login", "erin", "erin-pw").code)
			var last result
			for i := range 4 {
				last = floo(t, env, "-device", "run"+strconv.Itoa(i), "devices")
				if last.code != exitOK {
					break
				}
			}
			if tc.ok {
				require.Equal(t, exitOK, last.code, last.stderr)
				assert.Len(t, lines(last.stdout), 2, "the limit holds")
				return
			}
			assert.Equal(t, exitError, last.code)
			assert.Contains(t, last.stderr, "UserTooManyDevice")
			assert.Contains(t, last.stderr, "floo devices rm")
		})
	}
}
