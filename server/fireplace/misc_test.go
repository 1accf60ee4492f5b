package fireplace_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/fireplace"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/ratel"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/xsync"
)

func TestTransportLimits(t *testing.T) {
	t.Parallel()
	h := start(t)
	alice := h.user(t, "alice")

	t.Run("oversize message closes with 1009", func(t *testing.T) {
		c := h.login(t, alice, "a")
		require.NoError(t, c.WriteRaw(make([]byte, 1<<20+1)))
		code, err := c.WaitClosed(3 * time.Second)
		require.NoError(t, err)
		assert.Equal(t, websocket.CloseMessageTooBig, code)
	})
	t.Run("1 MiB is still accepted", func(t *testing.T) {
		c := h.login(t, alice, "a")
		// A frame padded with an unknown field up to the limit.
		f := xsync.NewUnreadFrame().Marshal()
		pad := 1<<20 - len(f) - 4 // tag byte and a 3-byte length
		f = append(f, 0x52, byte(pad|0x80), byte(pad>>7|0x80), byte(pad>>14))
		f = append(f, make([]byte, pad)...)
		require.Equal(t, 1<<20, len(f))
		require.NoError(t, c.WriteRaw(f))
		fr, err := c.Next(3 * time.Second)
		require.NoError(t, err)
		assert.Equal(t, xsync.CommandUnread, fr.Command)
	})
	t.Run("text message closes with 1003", func(t *testing.T) {
		c := h.login(t, alice, "a")
		require.NoError(t, c.WriteMessage(websocket.TextMessage, []byte("hello")))
		code, err := c.WaitClosed(3 * time.Second)
		require.NoError(t, err)
		assert.Equal(t, websocket.CloseUnsupportedData, code)
	})
	t.Run("malformed frame", func(t *testing.T) {
		c := h.login(t, alice, "a")
		require.NoError(t, c.WriteRaw([]byte{0x22, 0x7f, 0x01}))
		f, err := c.Next(2 * time.Second)
		require.NoError(t, err)
		dl, err := f.UnreadDL()
		require.NoError(t, err)
		requireStatus(t, dl.Status, xsync.StatusPBParserError)
		// The connection lives on.
		requireStatus(t, c.Unread().Status, xsync.StatusOK)
	})
	t.Run("the official heartbeat and an empty frame", func(t *testing.T) {
		c := h.login(t, alice, "a")
		for _, b := range [][]byte{{0x08, 0x00, 0x10, 0x00, 0x18, 0x00}, {}} {
			require.NoError(t, c.WriteRaw(b))
			f, err := c.Next(2 * time.Second)
			require.NoError(t, err)
			dl, err := f.UnreadDL()
			require.NoError(t, err)
			requireStatus(t, dl.Status, xsync.StatusOK)
		}
	})
	t.Run("unknown commands and notices are ignored", func(t *testing.T) {
		c := h.login(t, alice, "a")
		c.Write(&xsync.Frame{Command: 9, Payload: []byte{1, 2, 3}})
		c.Write(xsync.NewNoticeFrame(&xsync.Notice{Xid: &xsync.XID{Uid: 1}}))
		noFrame(t, c, 200*time.Millisecond)
		requireStatus(t, c.Unread().Status, xsync.StatusOK)
	})
	t.Run("encrypted, compressed and future frames", func(t *testing.T) {
		c := h.login(t, alice, "a")
		for _, f := range []*xsync.Frame{
			{Command: xsync.CommandUnread, EncryptMethod: xsync.EncryptCustom},
			{Command: xsync.CommandUnread, CompressMethod: xsync.CompressZlib},
		} {
			c.Write(f)
			fr, err := c.Next(2 * time.Second)
			require.NoError(t, err)
			dl, err := fr.UnreadDL()
			require.NoError(t, err)
			requireStatus(t, dl.Status, xsync.StatusEncryptMethodUnsupported)
		}
		c.Write(&xsync.Frame{Vsn: xsync.VsnXsyncV2, Command: xsync.CommandUnread})
		fr, err := c.Next(2 * time.Second)
		require.NoError(t, err)
		dl, err := fr.UnreadDL()
		require.NoError(t, err)
		requireStatus(t, dl.Status, xsync.StatusUnknownCommand)
	})
}

func TestIdleTimeout(t *testing.T) {
	// The pings come at a third of the idle timeout, so a busy CI machine that
	// delays one of them by a few hundred milliseconds does not fail the test.
	h := start(t, func(c *fireplace.Config) { c.IdleTimeout = 900 * time.Millisecond })
	alice := h.user(t, "alice")
	c := h.login(t, alice, "a")
	// Pings count as activity: together they outlast the idle timeout.
	for range 4 {
		time.Sleep(300 * time.Millisecond)
		require.NoError(t, c.Ping())
	}
	requireStatus(t, c.Unread().Status, xsync.StatusOK)
	code, err := c.WaitClosed(5 * time.Second)
	require.NoError(t, err)
	assert.Equal(t, websocket.CloseNormalClosure, code)
}

func TestSendValidation(t *testing.T) {
	t.Parallel()
	h := start(t, func(c *fireplace.Config) {
		c.MaxMessageBytes = 1000
		c.Censor = func(s string) bool { return strings.Contains(s, "badword") }
	})
	p := newPair(t, h)

	requireStatus(t, p.a.Send(xsynctest.Text(p.bob, strings.Repeat("x", 1001))).Status, xsync.StatusInvalidParameter, "message too large")
	p.a.SendOK(xsynctest.Text(p.bob, strings.Repeat("x", 1000)))
	requireStatus(t, p.a.Send(xsynctest.Text(p.bob, "a badword")).Status, xsync.StatusWordCensored)

	spoof := xsynctest.Text(p.bob, "from bob, honest")
	spoof.From = &xsync.XID{Uid: uint64(p.bob)}
	requireStatus(t, p.a.Send(spoof).Status, xsync.StatusUnauthorized, "permission denied")

	m := xsynctest.Message(p.bob, &xsync.MessageBody{Type: xsync.MsgNormal, Content: "?"})
	requireStatus(t, p.a.Send(m).Status, xsync.StatusInvalidParameter, "invalid message type")

	bad := &xsync.Meta{To: &xsync.XID{Uid: uint64(p.bob)}, Ns: xsync.NSMessage, Payload: []byte{0x22, 0x7f}}
	requireStatus(t, p.a.Send(bad).Status, xsync.StatusPBParserError)

	notice := &xsync.Meta{To: &xsync.XID{Uid: uint64(p.bob)}, Ns: xsync.NSGroupNotice}
	requireStatus(t, p.a.Send(notice).Status, xsync.StatusInvalidParameter)

	rtc := &xsync.Meta{}
	rtc.SetPayload(xsync.NSRtcSignal, &xsync.RtcSignal{Type: xsync.RtcSignalVideoRoom, Content: "{}"})
	requireStatus(t, p.a.Send(rtc).Status, xsync.StatusFail, "rtc not supported")

	info := &xsync.Meta{}
	info.SetPayload(xsync.NSInfo, &xsync.Info{SdkVsn: "2.0.0"})
	ack := p.a.SendOK(info)
	assert.Zero(t, ack.ServerMid)

	// A send without a client_mid cannot be matched to its ack.
	p.a.Write(xsync.NewSyncFrame(&xsync.SyncUL{Meta: xsynctest.Text(p.bob, "no id")}))
	f, err := p.a.Next(2 * time.Second)
	require.NoError(t, err)
	dl, err := f.SyncDL()
	require.NoError(t, err)
	requireStatus(t, dl.Status, xsync.StatusInvalidParameter)

	// Only the accepted message reached bob.
	assert.Len(t, p.b.SyncAll(p.alice), 1)
}

func TestRateLimit(t *testing.T) {
	h := start(t, func(c *fireplace.Config) { c.SendRate = 0.001; c.SendBurst = 5 })
	p := newPair(t, h)
	for range 5 {
		p.a.SendOK(xsynctest.Text(p.bob, "ok"))
	}
	m := xsynctest.Text(p.bob, "too many")
	requireStatus(t, p.a.Send(m).Status, xsync.StatusRateLimitExceeded)
	// Pulls and heartbeats are still answered; the limit is per device.
	requireStatus(t, p.a.Unread().Status, xsync.StatusOK)
	p.a2.SendOK(xsynctest.Text(p.bob, "other device"))
	assert.Len(t, p.b.SyncAll(p.alice), 6)
}

// TestRepeatsCostNothing: a repeated client_mid is answered with the
// original ack and spends no send token, whether the budget has tokens
// left (the repeat meets its record in the append) or not (the refusal
// looks for it first).
func TestRepeatsCostNothing(t *testing.T) {
	t.Parallel()
	h := start(t, func(c *fireplace.Config) { c.SendRate = 0.001; c.SendBurst = 3 })
	p := newPair(t, h)
	text := func(id uint64) *xsync.Meta {
		m := xsynctest.Text(p.bob, "m"+strconv.FormatUint(id, 10))
		m.Id = id
		return m
	}
	first := p.a.SendOK(text(1))
	for range 5 {
		again := p.a.SendOK(text(1))
		assert.Equal(t, first.ServerMid, again.ServerMid)
	}
	p.a.SendOK(text(2))
	p.a.SendOK(text(3)) // the burst of 3, repeats not counted
	requireStatus(t, p.a.Send(text(4)).Status, xsync.StatusRateLimitExceeded)
	// With the budget empty, a repeat is still answered from its record.
	assert.Equal(t, first.ServerMid, p.a.SendOK(text(1)).ServerMid)
	assert.Equal(t, []string{"m1", "m2", "m3"}, contents(t, p.b.SyncAll(p.alice)))
}

// TestSendBudgetSurvivesReconnects: the send budget belongs to the device
// (uid, deviceSN), not to the connection (PROTOCOL.md §7.5, §18.10). A
// client that reconnects every 50 sends used to get a fresh burst each
// time; now it gets exactly the default 100 plus 50 per second, counted
// over ten seconds of a clock that moves only when the test says so.
func TestSendBudgetSurvivesReconnects(t *testing.T) {
	t.Parallel()
	h := startClock(t, &servertest.Clock{Base: time.Unix(1_800_000_000, 0)})
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	a := h.login(t, alice, "a")
	sn := a.SN
	b := h.login(t, bob, "b")

	var mid uint64 // client_mids unique per device, across its connections
	attempts, ok, refused := 0, 0, 0
	var okContents []string
	send := func(n int) {
		for range n {
			if attempts > 0 && attempts%50 == 0 {
				a.Close()
				a = xsynctest.Dial(t, h.env.URL)
				require.Equal(t, sn, a.Login(t, alice.Token, alice.ID, sn, "a"), "the same device")
			}
			attempts++
			mid++
			content := "m" + strconv.Itoa(attempts)
			m := xsynctest.Text(bob.ID, content)
			m.Id = mid
			ack := a.Send(m)
			switch ack.Status.Code {
			case xsync.StatusOK:
				require.NotZero(t, ack.ServerMid)
				ok++
				okContents = append(okContents, content)
			case xsync.StatusRateLimitExceeded:
				require.Zero(t, ack.ServerMid)
				refused++
			default:
				t.Fatalf("send %d: %v", attempts, ack.Status)
			}
		}
	}
	send(150)
	for range 10 {
		h.clock.Advance(time.Second)
		send(80)
	}
	assert.Equal(t, 950, attempts)
	assert.Equal(t, 100+10*50, ok, "burst 100, then 50 per second, whatever the reconnects")
	assert.Equal(t, 950-600, refused)
	// A refused send is not stored: bob finds exactly the accepted ones.
	assert.Equal(t, okContents, contents(t, b.SyncAll(alice.ID)))
}

// TestRateGateKeepsOrder: after a send is refused for rate, the later
// sends of the same connection are refused too, even with tokens back,
// until the refused one comes again (or a second has passed), so that a
// pipelined burst is never stored with holes that a retry fills out of
// order. Another connection of the device is not held back.
func TestRateGateKeepsOrder(t *testing.T) {
	t.Parallel()
	h := startClock(t, &servertest.Clock{Base: time.Unix(1_800_000_000, 0)},
		func(c *fireplace.Config) { c.SendRate = 2; c.SendBurst = 3 })
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	a := h.login(t, alice, "a")
	b := h.login(t, bob, "b")
	msg := func(n int) *xsync.Meta {
		m := xsynctest.Text(bob.ID, "m"+strconv.Itoa(n))
		m.Id = uint64(1000 + n)
		return m
	}
	// The client writes m1..m6 before reading any ack, as the SDK's
	// outbox does.
	for n := 1; n <= 6; n++ {
		m := msg(n)
		m.From = &xsync.XID{Uid: uint64(alice.ID), DeviceSN: a.SN}
		a.Write(xsync.NewSyncFrame(&xsync.SyncUL{Meta: m}))
	}
	for n := 1; n <= 3; n++ {
		requireStatus(t, a.Ack(uint64(1000+n)).Status, xsync.StatusOK)
	}
	for n := 4; n <= 6; n++ {
		requireStatus(t, a.Ack(uint64(1000+n)).Status, xsync.StatusRateLimitExceeded)
	}

	h.clock.Advance(500 * time.Millisecond) // one token
	requireStatus(t, a.Send(msg(5)).Status, xsync.StatusRateLimitExceeded, "rate limit exceeded")
	requireStatus(t, a.Send(msg(4)).Status, xsync.StatusOK) // the refused one first: it takes the token
	h.clock.Advance(time.Second)
	requireStatus(t, a.Send(msg(5)).Status, xsync.StatusOK)
	requireStatus(t, a.Send(msg(6)).Status, xsync.StatusOK)
	assert.Equal(t, []string{"m1", "m2", "m3", "m4", "m5", "m6"}, contents(t, b.SyncAll(alice.ID)))

	// A client that never retries is held back for a second only.
	requireStatus(t, a.Send(msg(7)).Status, xsync.StatusRateLimitExceeded)
	h.clock.Advance(999 * time.Millisecond)
	requireStatus(t, a.Send(msg(8)).Status, xsync.StatusRateLimitExceeded)
	h.clock.Advance(time.Millisecond)
	requireStatus(t, a.Send(msg(8)).Status, xsync.StatusOK)

	// The gate belongs to the connection: a new one of the same device
	// only meets the budget.
	requireStatus(t, a.Send(msg(9)).Status, xsync.StatusOK)
	requireStatus(t, a.Send(msg(10)).Status, xsync.StatusRateLimitExceeded)
	a2 := xsynctest.Dial(t, h.env.URL)
	a2.Login(t, alice.Token, alice.ID, a.SN, "a")
	h.clock.Advance(500 * time.Millisecond)
	requireStatus(t, a2.Send(msg(11)).Status, xsync.StatusOK)
	assert.Equal(t, []string{"m8", "m9", "m11"}, contents(t, b.SyncAll(alice.ID)))
}

// TestRefusedSendLeavesNoTrace: a send refused for rate stores nothing,
// notifies no one and leaves no dedup record, so its retry with the same
// client_mid is stored normally once the budget refilled (§7.5, §18.7).
func TestRefusedSendLeavesNoTrace(t *testing.T) {
	t.Parallel()
	h := startClock(t, &servertest.Clock{Base: time.Unix(1_800_000_000, 0)},
		func(c *fireplace.Config) { c.SendRate = 1; c.SendBurst = 2 })
	p := newPair(t, h)
	p.a.SendOK(xsynctest.Text(p.bob, "one"))
	p.a.SendOK(xsynctest.Text(p.bob, "two"))
	assert.Equal(t, []string{"one", "two"}, contents(t, p.b.SyncAll(p.alice)))
	p.a2.SyncAll(p.bob) // alice's other device: the sent copies
	for p.a2.TakeNotice(p.bob, 0) {
	}

	m := xsynctest.Text(p.bob, "three")
	ack := p.a.Send(m)
	requireStatus(t, ack.Status, xsync.StatusRateLimitExceeded)
	assert.Zero(t, ack.ServerMid)
	noFrame(t, p.b, 300*time.Millisecond)
	noFrame(t, p.a2, 0)
	assert.Empty(t, p.b.Pull(p.alice, 0).Metas, "nothing new stored for bob")

	h.clock.Advance(time.Second)
	again := p.a.Send(m) // same client_mid
	requireStatus(t, again.Status, xsync.StatusOK)
	assert.NotZero(t, again.ServerMid, "stored now, not answered from a dedup record")
	assert.Equal(t, []string{"three"}, contents(t, p.b.SyncAll(p.alice)))
}

func TestNotifyAndClose(t *testing.T) {
	t.Parallel()
	h := start(t)
	p := newPair(t, h)
	gid := h.group(t, p.alice, p.bob)
	payload := (&xsync.GroupNotice{Type: xsync.GroupNoticeInfoUpdated, Gid: &xsync.XID{Uid: uint64(gid)},
		From: &xsync.XID{Uid: uint64(p.alice)}, Content: `{"property":"name","name":"Team"}`}).Marshal()
	err := h.gateway().Notify(t.Context(), ratel.Notice{To: []int64{p.alice, p.bob, p.bob}, From: p.alice,
		FromDevice: p.a.SN, NS: ratel.NSGroupNotice, Payload: payload, SkipDevice: p.a.SN})
	require.NoError(t, err)

	for _, c := range []*xsynctest.Client{p.b, p.a2} {
		c.WaitNotice(int64(c.UID))
		got := c.SyncAll(int64(c.UID))
		require.Len(t, got, 1, "stored once per recipient")
		assert.Equal(t, xsync.NSGroupNotice, got[0].Ns)
		assert.Equal(t, uint64(c.UID), got[0].To.Uid, "each recipient is Meta.to")
		assert.Equal(t, xsync.XID{Uid: uint64(p.alice), DeviceSN: p.a.SN}, *got[0].From)
		assert.True(t, bytes.Equal(payload, got[0].Payload))
	}
	assert.False(t, p.a.TakeNotice(p.alice, 200*time.Millisecond), "SkipDevice")
	// The personal stream is listed as UNKNOWN.
	b := h.login(t, p.ub, "b-new")
	for _, u := range b.Unread().Unread {
		if int64(u.Xid.Uid) == p.bob {
			t.Fatalf("a new device has nothing pending: %v", u)
		}
	}

	st := h.gateway().Stats()
	assert.Equal(t, 4, st.Live)
	require.NoError(t, h.gateway().Close())
	for _, c := range []*xsynctest.Client{p.a, p.a2, p.b, b} {
		code, err := c.WaitClosed(2 * time.Second)
		require.NoError(t, err)
		assert.Equal(t, websocket.CloseGoingAway, code)
	}
	assert.Equal(t, fireplace.Stats{}, h.gateway().Stats())
	_, err = xsynctest.TryDial(t, h.env.URL)
	assert.Error(t, err, "no new connections after Close")
}
