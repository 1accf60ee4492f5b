//go:build !js

package native

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
)

// queuedCount returns the number of received messages waiting for Read.
func queuedCount(c core.Conn) int {
	cn := c.(*conn)
	cn.mu.Lock()
	defer cn.mu.Unlock()
	return len(cn.queue)
}

// TestReadReturnsWhatArrivedBeforeTheServerClosed: the server sends a few
// messages and closes at once, as it does after a kick notice. The reader
// has seen the close long before the engine reads; Read still returns every
// message first, then the close.
func TestReadReturnsWhatArrivedBeforeTheServerClosed(t *testing.T) {
	url := wsServer(t, func(ctx context.Context, c *websocket.Conn) {
		for _, m := range []string{"one", "two", "kick"} {
			c.Write(ctx, websocket.MessageBinary, []byte(m))
		}
		c.Close(4001, "kicked")
	})
	c := dial(t, &Dialer{}, url)
	select {
	case <-c.(*conn).readDone:
	case <-time.After(5 * time.Second):
		t.Fatal("the reader never saw the close: it does not read ahead")
	}
	for _, want := range []string{"one", "two", "kick"} {
		got, err := c.Read(testCtx(t))
		require.NoError(t, err, "message %q lost to the close", want)
		assert.Equal(t, want, string(got))
	}
	_, err := c.Read(testCtx(t))
	requireCode(t, err, core.ServerConnectFailed)
	assert.Equal(t, 4001, CloseCode(err))
}

// TestReadReturnsWhatArrivedBeforeALocalClose: the engine closes the
// transport when a write fails; messages already received are still read.
func TestReadReturnsWhatArrivedBeforeALocalClose(t *testing.T) {
	url := wsServer(t, func(ctx context.Context, c *websocket.Conn) {
		for _, m := range []string{"one", "two", "kick"} {
			c.Write(ctx, websocket.MessageBinary, []byte(m))
		}
		c.Read(ctx) // until the client's close frame
	})
	c := dial(t, &Dialer{}, url)
	require.Eventually(t, func() bool { return queuedCount(c) == 3 }, 5*time.Second, time.Millisecond)
	require.NoError(t, c.Close(1000, "write failed"))
	for _, want := range []string{"one", "two", "kick"} {
		got, err := c.Read(testCtx(t))
		require.NoError(t, err, "message %q lost to the close", want)
		assert.Equal(t, want, string(got))
	}
	_, err := c.Read(testCtx(t))
	requireCode(t, err, core.ServerConnectFailed)
	requireCode(t, c.Write(testCtx(t), []byte{1}), core.ServerConnectFailed)
}

// TestReadAheadIsBounded: the reader stops reading the socket once
// readAheadBytes are waiting for Read, and goes on when Read catches up.
func TestReadAheadIsBounded(t *testing.T) {
	big := readAheadBytes/2 + 1
	url := wsServer(t, func(ctx context.Context, c *websocket.Conn) {
		for i := byte(0); i < 3; i++ {
			if c.Write(ctx, websocket.MessageBinary, bytes.Repeat([]byte{i}, big)) != nil {
				return
			}
		}
		c.Read(ctx)
	})
	c := dial(t, &Dialer{}, url)
	require.Eventually(t, func() bool { return queuedCount(c) == 2 }, 5*time.Second, time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, 2, queuedCount(c), "the third message stays in the socket")
	for i := byte(0); i < 3; i++ {
		got, err := c.Read(testCtx(t))
		require.NoError(t, err)
		require.Len(t, got, big)
		assert.Equal(t, i, got[0])
	}

	// Closed while the reader waits for room: Close returns, and what was
	// queued is still read.
	c2 := dial(t, &Dialer{CloseTimeout: 200 * time.Millisecond}, url)
	require.Eventually(t, func() bool { return queuedCount(c2) == 2 }, 5*time.Second, time.Millisecond)
	require.NoError(t, c2.Close(1000, ""))
	for i := byte(0); i < 2; i++ {
		got, err := c2.Read(testCtx(t))
		require.NoError(t, err)
		assert.Equal(t, i, got[0])
	}
	_, err := c2.Read(testCtx(t))
	requireCode(t, err, core.ServerConnectFailed)
}
