package fireplace_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/fireplace"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/ratel"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/xsync"
)

// tryLogin dials and sends a Provision for u with installation guid,
// returning the connection and the reply whatever its status.
func (h *harness) tryLogin(t *testing.T, u servertest.User, guid string) (*xsynctest.Client, *xsync.Provision) {
	t.Helper()
	c := xsynctest.Dial(t, h.env.URL)
	reply := c.Provision(&xsync.Provision{
		Xid: &xsync.XID{Uid: uint64(u.ID)}, Token: u.Token, OsType: xsync.OsWeb,
		SdkVsn: "2.0.0", DeviceGuid: guid, DeviceInfo: "Web",
	})
	return c, reply
}

// leave closes c and waits until the gateway has taken the device offline
// and written its last-seen time (at least at, the clock when leaving).
func (h *harness) leave(t *testing.T, c *xsynctest.Client) {
	t.Helper()
	at := h.clock.Now().UnixMilli()
	c.Close()
	require.Eventually(t, func() bool {
		d, err := h.store().Device(t.Context(), c.UID, c.SN)
		return err == nil && d.LastSeen >= at
	}, 10*time.Second, 5*time.Millisecond, "device %d of %d never went offline", c.SN, c.UID)
}

// guids lists the installation ids registered for uid, by SN.
func (h *harness) guids(t *testing.T, uid int64) []string {
	t.Helper()
	devs, err := h.store().ListDevices(t.Context(), uid)
	require.NoError(t, err)
	out := make([]string, len(devs))
	for i, d := range devs {
		out[i] = d.GUID
	}
	return out
}

func TestDeviceLimitReclaimsOnlyLongOfflineDevices(t *testing.T) {
	t.Parallel()
	h := start(t, func(c *fireplace.Config) {
		c.MaxDevices = 3
		c.DeviceReclaimAfter = time.Hour
		c.CloseDelay = 100 * time.Millisecond
	})
	alice := h.user(t, "alice")

	d1 := h.login(t, alice, "d1")
	d2 := h.login(t, alice, "d2")
	d3 := h.login(t, alice, "d3")
	h.leave(t, d1)
	h.clock.Advance(time.Minute)
	h.leave(t, d3)
	// d2 stays online throughout.

	// Everything offline was seen within the hour: refused.
	h.clock.Advance(58 * time.Minute)
	_, reply := h.tryLogin(t, alice, "d4")
	requireStatus(t, reply.Status, xsync.StatusTooManyDevices)
	assert.Equal(t, []string{"d1", "d2", "d3"}, h.guids(t, alice.ID), "a refusal reclaims nothing")

	// An hour after d1 left, d4 takes its slot (the least recently seen),
	// not d3's (left a minute later) nor d2's (online).
	h.clock.Advance(time.Minute)
	d4, reply := h.tryLogin(t, alice, "d4")
	requireStatus(t, reply.Status, xsync.StatusOK)
	d4.UID, d4.SN = alice.ID, reply.Xid.DeviceSN
	assert.Equal(t, d1.SN, reply.Xid.DeviceSN, "the reclaimed SN is the smallest free one again")
	assert.ElementsMatch(t, []string{"d2", "d3", "d4"}, h.guids(t, alice.ID))

	// Next comes d3's turn; then all three are online and nothing is
	// reclaimed, however long ago they logged in.
	h.clock.Advance(2 * time.Hour)
	_, reply = h.tryLogin(t, alice, "d5")
	requireStatus(t, reply.Status, xsync.StatusOK)
	assert.ElementsMatch(t, []string{"d2", "d4", "d5"}, h.guids(t, alice.ID))
	h.clock.Advance(24 * time.Hour)
	_, reply = h.tryLogin(t, alice, "d6")
	requireStatus(t, reply.Status, xsync.StatusTooManyDevices)
	assert.ElementsMatch(t, []string{"d2", "d4", "d5"}, h.guids(t, alice.ID))

	// The connections kept working through all of this.
	requireStatus(t, d2.Unread().Status, xsync.StatusOK)
	requireStatus(t, d4.Unread().Status, xsync.StatusOK)

	// A reclaimed installation coming back is a new device, under the
	// same rule: when d4 leaves, d1 gets its slot only an hour later.
	h.leave(t, d4)
	_, reply = h.tryLogin(t, alice, "d1")
	requireStatus(t, reply.Status, xsync.StatusTooManyDevices)
	h.clock.Advance(time.Hour)
	_, reply = h.tryLogin(t, alice, "d1")
	requireStatus(t, reply.Status, xsync.StatusOK)
	assert.ElementsMatch(t, []string{"d1", "d2", "d5"}, h.guids(t, alice.ID))
}

// With the default rule (DeviceReclaimAfter 0) a script that logs in as a
// new device on every run is never locked out, while the devices that are
// online keep their slots.
func TestDeviceLimitDefaultKeepsScriptsRunning(t *testing.T) {
	t.Parallel()
	h := start(t, func(c *fireplace.Config) { c.CloseDelay = 100 * time.Millisecond })
	alice := h.user(t, "alice")
	phone := h.login(t, alice, "phone")
	for i := range 15 {
		c, reply := h.tryLogin(t, alice, guid("run", i))
		requireStatus(t, reply.Status, xsync.StatusOK)
		c.UID, c.SN = alice.ID, reply.Xid.DeviceSN
		h.leave(t, c)
	}
	gs := h.guids(t, alice.ID)
	assert.Len(t, gs, 10, "the default limit is 10")
	assert.Contains(t, gs, "phone")
	assert.Contains(t, gs, guid("run", 14))
	assert.NotContains(t, gs, guid("run", 0), "the oldest runs made room")
	requireStatus(t, phone.Unread().Status, xsync.StatusOK)

	// Ten online devices: the eleventh is refused.
	h2 := start(t, func(c *fireplace.Config) { c.CloseDelay = 100 * time.Millisecond })
	bob := h2.user(t, "bob")
	for i := range 10 {
		h2.login(t, bob, guid("bob", i))
	}
	_, reply := h2.tryLogin(t, bob, "bob_10")
	requireStatus(t, reply.Status, xsync.StatusTooManyDevices)
}

func TestDeviceLimitOptions(t *testing.T) {
	t.Parallel()
	t.Run("never reclaim", func(t *testing.T) {
		h := start(t, func(c *fireplace.Config) {
			c.MaxDevices = 2
			c.DeviceReclaimAfter = -1
			c.CloseDelay = 100 * time.Millisecond
		})
		alice := h.user(t, "alice")
		h.leave(t, h.login(t, alice, "a1"))
		h.leave(t, h.login(t, alice, "a2"))
		h.clock.Advance(20 * 24 * time.Hour) // within the token's 30 days
		_, reply := h.tryLogin(t, alice, "a3")
		requireStatus(t, reply.Status, xsync.StatusTooManyDevices)
	})
	t.Run("no limit", func(t *testing.T) {
		h := start(t, func(c *fireplace.Config) { c.MaxDevices = -1 })
		alice := h.user(t, "alice")
		for i := range 12 {
			h.login(t, alice, guid("a", i))
		}
		assert.Len(t, h.guids(t, alice.ID), 12)
	})
}

// The device list tells a settings screen what it needs, and a device
// removed from it loses its session and its token.
func TestDeviceListAndRemoval(t *testing.T) {
	t.Parallel()
	h := start(t, func(c *fireplace.Config) { c.CloseDelay = 100 * time.Millisecond })
	alice := h.user(t, "alice")
	laptop := h.env.Login(t, alice.Name, alice.Password, "laptop")
	phone := h.env.Login(t, alice.Name, alice.Password, "phone")
	cl := xsynctest.Dial(t, h.env.URL)
	laptopSN := cl.Login(t, laptop.Token, alice.ID, 0, "laptop")
	cp := xsynctest.Dial(t, h.env.URL)
	phoneSN := cp.Login(t, phone.Token, alice.ID, 0, "phone")
	old := h.login(t, alice, "old")
	h.leave(t, old)
	oldSeen := h.clock.Now().UnixMilli()

	var list []ratel.DeviceInfo
	h.env.OK(t, "GET", "/user/device/list", laptop.Token, nil, &list)
	require.Len(t, list, 3)
	by := map[uint32]ratel.DeviceInfo{}
	for _, d := range list {
		by[d.DeviceSN] = d
		assert.Equal(t, int32(xsync.OsWeb), d.Platform)
		assert.Equal(t, alice.ID, d.UserID)
		assert.NotZero(t, d.LastSeen)
	}
	assert.True(t, by[laptopSN].Online)
	assert.True(t, by[laptopSN].Current, "the token was issued for the laptop's guid")
	assert.True(t, by[phoneSN].Online)
	assert.False(t, by[phoneSN].Current)
	assert.False(t, by[old.SN].Online)
	assert.False(t, by[old.SN].Current)
	assert.LessOrEqual(t, by[old.SN].LastSeen, oldSeen)
	assert.GreaterOrEqual(t, by[old.SN].LastSeen, by[phoneSN].LastSeen, "left after the phone logged in")

	// The laptop removes the phone: the phone is told and disconnected,
	// its slot is free and its token no longer logs in.
	h.env.OK(t, "POST", "/user/kick", laptop.Token, map[string]any{"device_sn": phoneSN}, nil)
	_, err := cp.WaitClosed(5 * time.Second)
	require.NoError(t, err)
	h.env.OK(t, "GET", "/user/device/list", laptop.Token, nil, &list)
	assert.Len(t, list, 2)
	for _, d := range list {
		assert.NotEqual(t, phoneSN, d.DeviceSN)
	}
	again := xsynctest.Dial(t, h.env.URL)
	reply := again.Provision(&xsync.Provision{Xid: &xsync.XID{Uid: uint64(alice.ID), DeviceSN: phoneSN},
		Token: phone.Token, OsType: xsync.OsWeb, DeviceGuid: "phone"})
	requireStatus(t, reply.Status, xsync.StatusInvalidToken)
	_, rep := h.env.DoRaw(t, "GET", "/user/device/list", phone.Token, nil)
	assert.NotEqual(t, 200, rep.Code, "the removed device's token is revoked for REST too")
	requireStatus(t, cl.Unread().Status, xsync.StatusOK)
}
