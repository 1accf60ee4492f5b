package fireplace

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// TestSIOOpenPacket checks the OPEN packet byte for byte, sid aside.
func TestSIOOpenPacket(t *testing.T) {
	g, err := New(Config{Store: nopStore{}})
	require.NoError(t, err)
	defer g.Close()
	p := string(g.sioOpenPacket())
	require.Len(t, p, len(`0{"sid":"","upgrades":[],"pingInterval":25000,"pingTimeout":5000}`)+20)
	require.True(t, strings.HasPrefix(p, `0{"sid":"`))
	require.True(t, strings.HasSuffix(p, `","upgrades":[],"pingInterval":25000,"pingTimeout":5000}`))
	require.NotEqual(t, p, string(g.sioOpenPacket()), "every connection has its own sid")
}

// TestSIORead feeds the reader's parser packets one by one.
func TestSIORead(t *testing.T) {
	g, err := New(Config{Store: nopStore{}})
	require.NoError(t, err)
	defer g.Close()
	c := newConn(g, nil, nil, true)
	txt := func(s string) ([]byte, sioVerdict) { return c.sioRead(websocket.TextMessage, []byte(s)) }
	bin := func(b ...byte) ([]byte, sioVerdict) { return c.sioRead(websocket.BinaryMessage, b) }

	_, v := txt(sioFrameHeader)
	require.Equal(t, sioNone, v)
	f, v := bin(4, 0x18, 0x00)
	require.Equal(t, sioFrame, v)
	require.Equal(t, []byte{0x18, 0x00}, f)

	// A zero-length Frame is a valid UNREAD (§3.1).
	txt(sioFrameHeader)
	f, v = bin(4)
	require.Equal(t, sioFrame, v)
	require.Empty(t, f)

	// The Frame completes only with the last announced attachment.
	txt(`452-["frame",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)
	_, v = bin(4, 1)
	require.Equal(t, sioNone, v)
	f, v = bin(4, 2)
	require.Equal(t, sioFrame, v)
	require.Equal(t, []byte{1}, f)

	// Pings queue a pong echoing their data; the latest one wins.
	_, v = txt("2")
	require.Equal(t, sioNone, v)
	require.Equal(t, "3", string(c.takePong()))
	require.Nil(t, c.takePong())
	txt("2a")
	txt("2probe")
	require.Equal(t, "3probe", string(c.takePong()))

	for _, s := range []string{"1", "41", "41/,"} {
		_, v = txt(s)
		require.Equal(t, sioClose, v, s)
	}
	for _, s := range []string{"3", "6", "40", "42[\"frame\",\"x\"]", "41/chat,", "44\"err\"", "43[1]"} {
		_, v = txt(s)
		require.Equal(t, sioNone, v, s)
	}
	for _, s := range []string{"", "7", "4", "45-[]", "450-[\"frame\"]", "45x-[]", "451234-[]"} {
		_, v = txt(s)
		require.Equal(t, sioBad, v, "%q", s)
	}
	// An event whose argument is not a placeholder is consumed and dropped.
	txt(`451-["frame","text",{"_placeholder":true,"num":0}]`)
	_, v = bin(4, 9)
	require.Equal(t, sioNone, v)
	_, v = bin(4, 9)
	require.Equal(t, sioBad, v, "no attachment was announced")
	// So is a frame event whose placeholder names a missing attachment.
	txt(`451-["frame",{"_placeholder":true,"num":1}]`)
	_, v = bin(4, 9)
	require.Equal(t, sioNone, v)
}

// The framing's cost next to raw mode, per Frame: go test -run - -bench SIO.

func BenchmarkSIOReadFrame(b *testing.B) {
	g, err := New(Config{Store: nopStore{}})
	require.NoError(b, err)
	defer g.Close()
	c := newConn(g, nil, nil, true)
	header := []byte(sioFrameHeader)
	att := append([]byte{4}, make([]byte, 200)...)
	b.ReportAllocs()
	for b.Loop() {
		c.sioRead(websocket.TextMessage, header)
		if _, v := c.sioRead(websocket.BinaryMessage, att); v != sioFrame {
			b.Fatal(v)
		}
	}
}

// benchWriter returns a server-side WebSocket whose peer discards
// everything it reads.
func benchWriter(b *testing.B) *websocket.Conn {
	up := websocket.Upgrader{}
	got := make(chan *websocket.Conn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			b.Error(err)
			return
		}
		got <- ws
	}))
	b.Cleanup(srv.Close)
	peer, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	require.NoError(b, err)
	b.Cleanup(func() { peer.Close() })
	go func() {
		for {
			_, r, err := peer.NextReader()
			if err != nil {
				return
			}
			io.Copy(io.Discard, r)
		}
	}()
	ws := <-got
	b.Cleanup(func() { ws.Close() })
	return ws
}

func BenchmarkSIOWriteFrame(b *testing.B) {
	frame := make([]byte, 200)
	for _, mode := range []string{"raw", "socket.io"} {
		b.Run(mode, func(b *testing.B) {
			ws := benchWriter(b)
			b.ReportAllocs()
			b.SetBytes(int64(len(frame)))
			for b.Loop() {
				var err error
				if mode == "raw" {
					err = ws.WriteMessage(websocket.BinaryMessage, frame)
				} else {
					err = writeSIOFrame(ws, frame)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzSIORead: whatever messages a client sends, the socket.io reader never
// panics, never waits for more than sioMaxAttachments attachments, and a
// Frame it returns is the tail of the binary message that completed it.
func FuzzSIORead(f *testing.F) {
	f.Add([]byte(sioFrameHeader), []byte{4, 0x18, 0x00}, true)
	f.Add([]byte(`452-/,7["frame",{"_placeholder":true,"num":1}]`), []byte{4}, true)
	f.Add([]byte("2probe"), []byte{}, false)
	f.Add([]byte(`451-["frame",{"_placeholder":true,"num":-1}]`), []byte{4, 1}, true)
	g, err := New(Config{Store: nopStore{}})
	require.NoError(f, err)
	f.Cleanup(func() { g.Close() })
	f.Fuzz(func(t *testing.T, text, bin []byte, twice bool) {
		c := newConn(g, nil, nil, true)
		msgs := [][2]any{{websocket.TextMessage, text}, {websocket.BinaryMessage, bin}}
		if twice {
			msgs = append(msgs, msgs[1])
		}
		for _, m := range msgs {
			typ, data := m[0].(int), m[1].([]byte)
			frame, v := c.sioRead(typ, data)
			if c.sioIn.want < 0 || c.sioIn.want > sioMaxAttachments {
				t.Fatalf("waiting for %d attachments", c.sioIn.want)
			}
			if v == sioFrame && (typ != websocket.BinaryMessage || len(frame) >= len(data)) {
				t.Fatalf("frame %x from %d message %x", frame, typ, data)
			}
			if v == sioBad || v == sioClose {
				return
			}
		}
	})
}
