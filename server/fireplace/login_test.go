package fireplace_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/fireplace"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/xsync"
)

func TestLoginAssignsDevices(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice := h.user(t, "alice")

	c1 := xsynctest.Dial(t, h.env.URL)
	sn1 := c1.Login(t, alice.Token, alice.ID, 0, "alice_1")
	assert.Equal(t, uint32(1), sn1, "deviceSN 0 gets the smallest free SN")

	// The same installation gets its SN back whatever it offers.
	c1.Close()
	c := xsynctest.Dial(t, h.env.URL)
	assert.Equal(t, sn1, c.Login(t, alice.Token, alice.ID, 777, "alice_1"))
	c.Close()

	// A free offered SN is taken as is (an official client's random SN).
	c = xsynctest.Dial(t, h.env.URL)
	assert.Equal(t, uint32(1000123456), c.Login(t, alice.Token, alice.ID, 1000123456, "alice_2"))
	c.Close()

	// An offered SN held by another installation: a new one, no conflict.
	c = xsynctest.Dial(t, h.env.URL)
	assert.Equal(t, uint32(2), c.Login(t, alice.Token, alice.ID, sn1, "alice_3"))

	// A Provision on a logged-in connection is a fresh login.
	assert.Equal(t, uint32(3), c.Login(t, alice.Token, alice.ID, 0, "alice_4"))
	requireStatus(t, c.Unread().Status, xsync.StatusOK)
}

func TestLoginFailures(t *testing.T) {
	t.Parallel()
	h := start(t, func(c *fireplace.Config) { c.MaxDevices = 2; c.CloseDelay = 200 * time.Millisecond })
	alice := h.user(t, "alice")
	bob := h.user(t, "bob")

	cases := []struct {
		name string
		p    *xsync.Provision
		code xsync.StatusCode
	}{
		{"unknown token", &xsync.Provision{Xid: &xsync.XID{Uid: uint64(alice.ID)}, Token: "nope", DeviceGuid: "g"}, xsync.StatusInvalidToken},
		{"token of another user", &xsync.Provision{Xid: &xsync.XID{Uid: uint64(alice.ID)}, Token: bob.Token, DeviceGuid: "g"}, xsync.StatusInvalidToken},
		{"no xid", &xsync.Provision{Token: alice.Token, DeviceGuid: "g"}, xsync.StatusInvalidToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := xsynctest.Dial(t, h.env.URL)
			reply := c.Provision(tc.p)
			requireStatus(t, reply.Status, tc.code)
			assert.NotEmpty(t, reply.Status.Reason)
			// Frames after a failed login are not processed, and the
			// connection closes after CloseDelay (1 s by default).
			c.Write(xsync.NewUnreadFrame())
			code, err := c.WaitClosed(3 * time.Second)
			require.NoError(t, err)
			assert.Equal(t, 1000, code)
			assert.Zero(t, c.Pending(), "nothing is answered after a failed login")
		})
	}

	t.Run("too many devices", func(t *testing.T) {
		h.login(t, alice, "a1")
		h.login(t, alice, "a2")
		c := xsynctest.Dial(t, h.env.URL)
		reply := c.Provision(&xsync.Provision{Xid: &xsync.XID{Uid: uint64(alice.ID)}, Token: alice.Token, DeviceGuid: "a3"})
		requireStatus(t, reply.Status, xsync.StatusTooManyDevices)
		// A known installation still logs in.
		h.login(t, alice, "a1")
	})

	t.Run("malformed provision", func(t *testing.T) {
		c := xsynctest.Dial(t, h.env.URL)
		require.NoError(t, c.WriteRaw((&xsync.Frame{Command: xsync.CommandProvision, Payload: []byte{0x0a, 0x05, 0x01}}).Marshal()))
		f, err := c.Next(time.Second)
		require.NoError(t, err)
		p, err := f.Provision()
		require.NoError(t, err)
		requireStatus(t, p.Status, xsync.StatusPBParserError)
	})
}

func TestFramesBeforeLoginAreRefused(t *testing.T) {
	t.Parallel()
	h := start(t)
	bob := h.user(t, "bob")
	c := xsynctest.Dial(t, h.env.URL)

	dl := c.Unread()
	requireStatus(t, dl.Status, xsync.StatusUnauthorized, "you must login first")

	ack := c.Send(xsynctest.Text(bob.ID, "hi"))
	requireStatus(t, ack.Status, xsync.StatusUnauthorized, "you must login first")
	assert.Zero(t, ack.ServerMid)

	c.Write(xsync.NewSyncFrame(&xsync.SyncUL{Xid: &xsync.XID{Uid: uint64(bob.ID)}}))
	f, err := c.Next(time.Second)
	require.NoError(t, err)
	sdl, err := f.SyncDL()
	require.NoError(t, err)
	requireStatus(t, sdl.Status, xsync.StatusUnauthorized, "you must login first")
	require.NotNil(t, sdl.Xid)
	assert.Equal(t, uint64(bob.ID), sdl.Xid.Uid)

	// Nothing was stored, and the connection may still log in.
	c.Login(t, bob.Token, bob.ID, 0, "b1")
	assert.Empty(t, xsynctest.UnreadMap(c.Unread()))
}

func TestKickBySameDevice(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice := h.user(t, "alice")
	bob := h.user(t, "bob")
	old := h.login(t, alice, "tab")
	// Two tabs of one browser profile share deviceSN and guid.
	newer := xsynctest.Dial(t, h.env.URL)
	newer.Login(t, alice.Token, alice.ID, old.SN, "tab")
	assert.Equal(t, old.SN, newer.SN)

	f, err := old.Take(2*time.Second, func(f *xsync.Frame) bool { return f.Command == xsync.CommandSync })
	require.NoError(t, err)
	dl, err := f.SyncDL()
	require.NoError(t, err)
	requireStatus(t, dl.Status, xsync.StatusOK)
	assert.Equal(t, uint64(alice.ID), dl.Xid.Uid, "the kick comes on the personal stream")
	assert.Zero(t, dl.NextKey)
	assert.Zero(t, dl.ClientMid)
	require.Len(t, dl.Metas, 1)
	un, err := dl.Metas[0].UserNotice()
	require.NoError(t, err)
	assert.Equal(t, xsync.UserNoticeKickBySameDevice, un.Type)
	code, err := old.WaitClosed(3 * time.Second)
	require.NoError(t, err)
	assert.Equal(t, 1000, code)

	// The newer connection is the live one: it gets alice's messages.
	b := h.login(t, bob, "b")
	b.SendOK(xsynctest.Text(alice.ID, "to the new tab"))
	newer.WaitNotice(bob.ID)
	assert.Equal(t, []string{"to the new tab"}, contents(t, newer.SyncAll(bob.ID)))
	// The kick was transient: the personal stream holds nothing for it.
	assert.NotContains(t, xsynctest.UnreadMap(newer.Unread()), alice.ID)
}

func TestKickDeviceThroughREST(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice := h.user(t, "alice")
	phone := h.login(t, alice, "phone")
	web := h.login(t, alice, "web")
	h.env.OK(t, "POST", "/user/kick", alice.Token, map[string]any{"device_sn": phone.SN}, nil)

	f, err := phone.Take(2*time.Second, func(f *xsync.Frame) bool { return f.Command == xsync.CommandSync })
	require.NoError(t, err)
	dl, err := f.SyncDL()
	require.NoError(t, err)
	require.Len(t, dl.Metas, 1)
	un, err := dl.Metas[0].UserNotice()
	require.NoError(t, err)
	assert.Equal(t, xsync.UserNoticeKickedByOtherDevice, un.Type)
	_, err = phone.WaitClosed(3 * time.Second)
	require.NoError(t, err)
	requireStatus(t, web.Unread().Status, xsync.StatusOK)
}

func TestDeviceAddedNotice(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice := h.user(t, "alice")
	first := h.login(t, alice, "first")
	h.login(t, alice, "second")
	first.WaitNotice(alice.ID)
	ms := first.SyncAll(alice.ID)
	require.Len(t, ms, 1)
	un, err := ms[0].UserNotice()
	require.NoError(t, err)
	assert.Equal(t, xsync.UserNoticeDeviceAdded, un.Type)
	assert.JSONEq(t, `{"device_sn":2}`, un.Content)
	assert.Equal(t, uint64(alice.ID), ms[0].To.Uid)
}
