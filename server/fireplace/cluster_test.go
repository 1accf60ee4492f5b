package fireplace_test

import (
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/bus"
	"github.com/flooim/floo/server/fireplace"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// TestResyncNoticesWhatWaits: an entry stored without a wake-up here (as
// by another node while the bus was down) is noticed by the resync that
// follows a bus reconnection; a device with nothing waiting hears nothing.
func TestResyncNoticesWhatWaits(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice, bob, a, b := h.duo(t)
	body := (&xsync.MessageBody{Type: xsync.MsgChat, Ctype: xsync.CTypeText, Content: "from elsewhere"}).Marshal()
	_, err := h.store().Append(t.Context(), &store.AppendRequest{
		Now: h.clock.Now().UnixMilli(),
		Item: store.Item{Conv: store.ChatConv(alice.ID, bob.ID), FromUID: alice.ID, FromSN: a.SN, ToUID: bob.ID,
			NS: int32(xsync.NSMessage), Body: body, Chat: true},
		Deliveries: []store.Delivery{{UID: bob.ID, Stream: alice.ID, Kind: store.ConvChat, Activity: true}},
	})
	require.NoError(t, err)
	assert.False(t, b.TakeNotice(alice.ID, 100*time.Millisecond), "nothing woke bob")

	fireplace.Resync(h.gateway())
	b.WaitNotice(alice.ID)
	assert.Equal(t, []string{"from elsewhere"}, contents(t, b.SyncAll(alice.ID)))
	noFrame(t, a, 100*time.Millisecond)
}

// TestTwoGatewaysOnTheLocalBus runs a second gateway on the same store,
// joined to the first by the in-process bus: two nodes in one process.
// Messages, typing, the same-device kick, presence and REST kicks cross
// between them.
func TestTwoGatewaysOnTheLocalBus(t *testing.T) {
	t.Parallel()
	local := bus.NewLocal()
	var first, second *fireplace.Gateway
	env := servertest.Start(t, servertest.WithGateway(func(d server.GatewayDeps) (server.Gateway, error) {
		cfg := d.FireplaceConfig()
		cfg.Bus = local
		var err error
		if first, err = fireplace.New(cfg); err != nil {
			return nil, err
		}
		cfg.Admit = nil
		if second, err = fireplace.New(cfg); err != nil {
			first.Close()
			return nil, err
		}
		return first, nil
	}))
	srv2 := httptest.NewServer(second)
	t.Cleanup(func() {
		srv2.CloseClientConnections()
		srv2.Close()
		second.Close()
	})
	alice, bob := env.NewUser(t, "alice"), env.NewUser(t, "bob")
	a := xsynctest.Dial(t, env.URL)
	snA := a.Login(t, alice.Token, alice.ID, 0, "alice-phone")
	b := xsynctest.Dial(t, srv2.URL)
	b.Login(t, bob.Token, bob.ID, 0, "bob-phone")
	b.SyncAll(bob.ID)

	ack := a.SendOK(xsynctest.Text(bob.ID, "to the other node"))
	b.WaitNotice(alice.ID)
	assert.Equal(t, []uint64{ack.ServerMid}, xsynctest.IDs(b.SyncAll(alice.ID)))
	b.SendOK(xsynctest.Typing(alice.ID, "typing"))
	a.WaitNotice(bob.ID)
	typing := a.Pull(bob.ID, 0)
	require.Len(t, typing.Metas, 1)
	assert.Zero(t, typing.Metas[0].Id, "typing is not stored")

	// Presence from either node covers both.
	online := second.OnlineDevices(alice.ID)
	assert.Equal(t, []uint32{snA}, online)

	// Alice's phone logs in on the second node: the first session is kicked.
	a2 := xsynctest.Dial(t, srv2.URL)
	require.Equal(t, snA, a2.Login(t, alice.Token, alice.ID, 0, "alice-phone"))
	f, err := a.Take(10*time.Second, func(f *xsync.Frame) bool { return f.Command == xsync.CommandSync })
	require.NoError(t, err, "no kick on the first node")
	dl, err := f.SyncDL()
	require.NoError(t, err)
	require.Len(t, dl.Metas, 1)
	n, err := dl.Metas[0].UserNotice()
	require.NoError(t, err)
	assert.Equal(t, xsync.UserNoticeKickBySameDevice, n.Type)
	_, err = a.WaitClosed(10 * time.Second)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return slices.Equal(first.OnlineDevices(alice.ID), []uint32{snA})
	}, 5*time.Second, 5*time.Millisecond, "the device is online on the second node only")

	// A REST kick made through the first node reaches the second.
	env.OK(t, "POST", "/user/kick", alice.Token, map[string]any{"device_sn": snA}, nil)
	f, err = a2.Take(10*time.Second, func(f *xsync.Frame) bool { return f.Command == xsync.CommandSync })
	require.NoError(t, err, "no kick on the second node")
	dl, _ = f.SyncDL()
	require.Len(t, dl.Metas, 1)
	n, _ = dl.Metas[0].UserNotice()
	assert.Equal(t, xsync.UserNoticeKickedByOtherDevice, n.Type)
}
