package fireplace_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/fireplace"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/xsync"
)

// The socket.io mode (PROTOCOL.md §3.2) is tested here at the byte level,
// with a plain WebSocket that writes and checks every Engine.IO and
// socket.io packet itself. scripts/test-sio.sh drives the real
// socket.io-client 2.x against the server.

const frameHeader = `451-["frame",{"_placeholder":true,"num":0}]`

// sioClient is a WebSocket at /socket.io/ read synchronously.
type sioClient struct {
	t  *testing.T
	ws *websocket.Conn
}

func sioURL(base, query string) string {
	return strings.TrimSuffix(xsynctest.WSURL(base), "/") + "/socket.io/?" + query
}

// dialSIO connects in socket.io mode and checks the opening: the OPEN
// packet, then `40`.
func dialSIO(t *testing.T, base string) *sioClient {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial(sioURL(base, "EIO=3&transport=websocket"), nil)
	require.NoError(t, err)
	resp.Body.Close()
	t.Cleanup(func() { ws.Close() })
	c := &sioClient{t: t, ws: ws}
	open := c.text()
	require.Regexp(t,
		`^0\{"sid":"[A-Za-z0-9_-]{20}","upgrades":\[\],"pingInterval":25000,"pingTimeout":5000\}$`, open)
	require.Equal(t, "40", c.text())
	return c
}

// next reads one message.
func (c *sioClient) next() (int, []byte, error) {
	c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	return c.ws.ReadMessage()
}

// text reads one message that must be text.
func (c *sioClient) text() string {
	c.t.Helper()
	typ, data, err := c.next()
	require.NoError(c.t, err)
	require.Equal(c.t, websocket.TextMessage, typ, "got %q", data)
	return string(data)
}

func (c *sioClient) write(typ int, b []byte) {
	c.t.Helper()
	require.NoError(c.t, c.ws.WriteMessage(typ, b))
}

// sendFrame sends f as the official web client does: the event header,
// then 0x04 and the Frame.
func (c *sioClient) sendFrame(f *xsync.Frame) {
	c.t.Helper()
	c.write(websocket.TextMessage, []byte(frameHeader))
	c.write(websocket.BinaryMessage, append([]byte{4}, f.Marshal()...))
}

// frame reads the next Frame, checking both messages of its event byte for
// byte.
func (c *sioClient) frame() *xsync.Frame {
	c.t.Helper()
	require.Equal(c.t, frameHeader, c.text())
	typ, data, err := c.next()
	require.NoError(c.t, err)
	require.Equal(c.t, websocket.BinaryMessage, typ)
	require.NotEmpty(c.t, data)
	require.Equal(c.t, byte(4), data[0], "attachment must start with the Engine.IO MESSAGE byte")
	f, err := xsync.DecodeFrame(data[1:])
	require.NoError(c.t, err)
	return f
}

// closeCode waits for the server to close and returns its close code.
func (c *sioClient) closeCode() int {
	c.t.Helper()
	for {
		_, _, err := c.next()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		require.ErrorAs(c.t, err, &ce)
		return ce.Code
	}
}

func (c *sioClient) login(u servertest.User, guid string) *xsync.Provision {
	c.t.Helper()
	c.sendFrame(xsync.NewProvisionFrame(&xsync.Provision{
		Xid: &xsync.XID{Uid: uint64(u.ID)}, Token: u.Token, OsType: xsync.OsWeb,
		SdkVsn: "3.0.0", DeviceGuid: guid, DeviceInfo: "Web",
	}))
	f := c.frame()
	require.Equal(c.t, xsync.CommandProvision, f.Command)
	p, err := f.Provision()
	require.NoError(c.t, err)
	require.Equal(c.t, xsync.StatusOK, p.Status.Code, p.Status.Reason)
	return p
}

func TestSocketIOSession(t *testing.T) {
	h := start(t)
	alice, bob := h.user(t, "alice"), h.user(t, "bob")
	c := dialSIO(t, h.env.URL)

	// Pings are answered with pongs carrying the same data, before login too.
	c.write(websocket.TextMessage, []byte("2"))
	require.Equal(t, "3", c.text())
	c.write(websocket.TextMessage, []byte("2probe"))
	require.Equal(t, "3probe", c.text())

	p := c.login(alice, "web-a")
	require.Equal(t, uint64(alice.ID), p.Xid.Uid)
	require.NotZero(t, p.Xid.DeviceSN)

	// UNREAD is answered in the same wrapping, also in the proto2 form of
	// the official clients (every field written).
	c.write(websocket.TextMessage, []byte(frameHeader))
	c.write(websocket.BinaryMessage, []byte{4, 0x08, 0x00, 0x10, 0x00, 0x18, 0x00})
	require.Equal(t, xsync.CommandUnread, c.frame().Command)

	// A message from a raw-mode client: a Notice, then the pull.
	b := h.login(t, bob, "b")
	ack := b.SendOK(xsynctest.Text(alice.ID, "hello over socket.io"))
	f := c.frame()
	require.Equal(t, xsync.CommandNotice, f.Command)
	n, err := f.Notice()
	require.NoError(t, err)
	require.Equal(t, uint64(bob.ID), n.Xid.Uid)
	c.sendFrame(xsync.NewSyncFrame(&xsync.SyncUL{Xid: n.Xid}))
	f = c.frame()
	require.Equal(t, xsync.CommandSync, f.Command)
	dl, err := f.SyncDL()
	require.NoError(t, err)
	require.Len(t, dl.Metas, 1)
	require.Equal(t, ack.ServerMid, dl.Metas[0].Id)
	require.Equal(t, "hello over socket.io", xsynctest.Body(t, dl.Metas[0]).Content)

	// And back: alice sends, bob receives in raw mode.
	mid := uint64(time.Now().UnixMilli()) * 1000
	m := xsynctest.Text(bob.ID, "hi back")
	m.Id, m.From = mid, &xsync.XID{Uid: uint64(alice.ID), DeviceSN: p.Xid.DeviceSN}
	c.sendFrame(xsync.NewSyncFrame(&xsync.SyncUL{Meta: m}))
	f = c.frame()
	dl, err = f.SyncDL()
	require.NoError(t, err)
	require.Equal(t, mid, dl.ClientMid)
	require.Equal(t, xsync.StatusOK, dl.Status.Code)
	b.WaitNotice(alice.ID)
	got := b.SyncAll(alice.ID)
	require.NotEmpty(t, got)
	require.Equal(t, "hi back", xsynctest.Body(t, got[len(got)-1]).Content)

	// `41` ends the session.
	c.write(websocket.TextMessage, []byte("41"))
	require.Equal(t, websocket.CloseNormalClosure, c.closeCode())
}

func TestSocketIOPackets(t *testing.T) {
	h := start(t)
	alice := h.user(t, "alice")

	t.Run("other events and their attachments are ignored", func(t *testing.T) {
		c := dialSIO(t, h.env.URL)
		c.write(websocket.TextMessage, []byte(`42["hello","world"]`))
		c.write(websocket.TextMessage, []byte(`452-["other",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`))
		c.write(websocket.BinaryMessage, []byte{4, 1, 2})
		c.write(websocket.BinaryMessage, []byte{4, 3})
		c.write(websocket.TextMessage, []byte("40"))
		// A frame event in the long form: namespace, ack id, placeholder
		// in another attachment.
		c.write(websocket.TextMessage, []byte(`452-/,7["frame",{"_placeholder":true,"num":1}]`))
		c.write(websocket.BinaryMessage, []byte{4, 0xff})
		c.write(websocket.BinaryMessage, append([]byte{4}, xsync.NewProvisionFrame(&xsync.Provision{
			Xid: &xsync.XID{Uid: uint64(alice.ID)}, Token: alice.Token, OsType: xsync.OsWeb,
			SdkVsn: "3.0.0", DeviceGuid: "long-form", DeviceInfo: "Web",
		}).Marshal()...))
		f := c.frame()
		p, err := f.Provision()
		require.NoError(t, err)
		require.Equal(t, xsync.StatusOK, p.Status.Code)
	})

	type msg struct {
		typ int
		b   []byte
	}
	txt := func(s string) msg { return msg{websocket.TextMessage, []byte(s)} }
	bin := func(b ...byte) msg { return msg{websocket.BinaryMessage, b} }
	bad := map[string][]msg{
		"binary without a header":        {bin(4, 0x18, 0x00)},
		"attachment without 0x04":        {txt(frameHeader), bin(0x18, 0x00)},
		"text while attachments pending": {txt(frameHeader), txt("2")},
		"unknown Engine.IO type":         {txt("9")},
		"empty text":                     {txt("")},
		"no attachment count":            {txt(`45["frame",{"_placeholder":true,"num":0}]`)},
		"too many attachments":           {txt(`4517-["frame",{"_placeholder":true,"num":0}]`)},
	}
	for name, msgs := range bad {
		t.Run(name+" closes with 1003", func(t *testing.T) {
			c := dialSIO(t, h.env.URL)
			for _, m := range msgs {
				c.write(m.typ, m.b)
			}
			require.Equal(t, websocket.CloseUnsupportedData, c.closeCode())
		})
	}

	t.Run("Engine.IO close", func(t *testing.T) {
		c := dialSIO(t, h.env.URL)
		c.write(websocket.TextMessage, []byte("1"))
		require.Equal(t, websocket.CloseNormalClosure, c.closeCode())
	})

	t.Run("only EIO=3 over websocket", func(t *testing.T) {
		for _, q := range []string{"EIO=4&transport=websocket", "transport=websocket", "EIO=3&transport=polling"} {
			_, resp, err := websocket.DefaultDialer.Dial(sioURL(h.env.URL, q), nil)
			require.Error(t, err, q)
			require.Equal(t, http.StatusBadRequest, resp.StatusCode, q)
			resp.Body.Close()
		}
	})

	t.Run("raw mode stays at /", func(t *testing.T) {
		c := h.login(t, alice, "raw")
		require.NotNil(t, c.Unread())
	})
}

// A socket.io client that stops pinging after login is closed after
// pingInterval + pingTimeout; one that pings stays.
func TestSocketIOPingTimeout(t *testing.T) {
	h := start(t, func(c *fireplace.Config) {
		c.PingInterval = 150 * time.Millisecond
		c.PingTimeout = 100 * time.Millisecond
	})
	alice := h.user(t, "alice")
	ws, resp, err := websocket.DefaultDialer.Dial(sioURL(h.env.URL, "EIO=3&transport=websocket"), nil)
	require.NoError(t, err)
	resp.Body.Close()
	defer ws.Close()
	c := &sioClient{t: t, ws: ws}
	require.Regexp(t, `"pingInterval":150,"pingTimeout":100\}$`, c.text())
	require.Equal(t, "40", c.text())
	c.login(alice, "quiet")
	// Pinging keeps it open well past the timeout.
	for range 6 {
		time.Sleep(100 * time.Millisecond)
		c.write(websocket.TextMessage, []byte("2"))
		require.Equal(t, "3", c.text())
	}
	require.Equal(t, websocket.CloseNormalClosure, c.closeCode())
}
