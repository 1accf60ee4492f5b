package proxy

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echo runs a TCP echo server on loopback and returns its address.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

func start(t *testing.T) *Proxy {
	t.Helper()
	p, err := Listen("127.0.0.1:0", echo(t), 1)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}

func dial(t *testing.T, p *Proxy) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// readN reads exactly n bytes within d.
func readN(c net.Conn, n int, d time.Duration) ([]byte, error) {
	c.SetReadDeadline(time.Now().Add(d))
	defer c.SetReadDeadline(time.Time{})
	b := make([]byte, n)
	_, err := io.ReadFull(c, b)
	return b, err
}

func TestForwardsAndSplits(t *testing.T) {
	p := start(t)
	c := dial(t, p)
	msg := bytes.Repeat([]byte("0123456789abcdef"), 64)
	_, err := c.Write(msg)
	require.NoError(t, err)
	got, err := readN(c, len(msg), 5*time.Second)
	require.NoError(t, err)
	assert.Equal(t, msg, got)

	p.SetSplit(3)
	p.SetDelay(5 * time.Millisecond)
	_, err = c.Write(msg)
	require.NoError(t, err)
	got, err = readN(c, len(msg), 10*time.Second)
	require.NoError(t, err)
	assert.Equal(t, msg, got, "split into pieces of at most 3 bytes both ways, same bytes in the same order")
	assert.Equal(t, 1, p.Conns())
}

func TestStallHoldsTrafficAndKeepsSocketsOpen(t *testing.T) {
	p := start(t)
	c := dial(t, p)
	_, err := c.Write([]byte("a"))
	require.NoError(t, err)
	_, err = readN(c, 1, 5*time.Second)
	require.NoError(t, err)

	p.Stall()
	_, err = c.Write([]byte("held"))
	require.NoError(t, err)
	_, err = readN(c, 1, 300*time.Millisecond)
	require.True(t, errors.Is(err, os.ErrDeadlineExceeded), "nothing comes back during a stall, and the socket is not closed: %v", err)
	// A connection made during the stall is accepted and silent too.
	c2 := dial(t, p)
	_, err = c2.Write([]byte("x"))
	require.NoError(t, err)
	_, err = readN(c2, 1, 200*time.Millisecond)
	require.True(t, errors.Is(err, os.ErrDeadlineExceeded), "%v", err)

	p.Resume()
	got, err := readN(c, 4, 5*time.Second)
	require.NoError(t, err)
	assert.Equal(t, "held", string(got), "held data is forwarded after the stall")
	got, err = readN(c2, 1, 5*time.Second)
	require.NoError(t, err)
	assert.Equal(t, "x", string(got))
}

func TestBlackholeSilencesOpenConnectionsOnly(t *testing.T) {
	p := start(t)
	c := dial(t, p)
	_, err := c.Write([]byte("a"))
	require.NoError(t, err)
	_, err = readN(c, 1, 5*time.Second)
	require.NoError(t, err)

	assert.Equal(t, 1, p.Blackhole())
	_, err = c.Write([]byte("lost"))
	require.NoError(t, err)
	_, err = readN(c, 1, 300*time.Millisecond)
	require.True(t, errors.Is(err, os.ErrDeadlineExceeded), "nothing comes back, and the socket is not closed: %v", err)

	// A new connection works.
	c2 := dial(t, p)
	_, err = c2.Write([]byte("new"))
	require.NoError(t, err)
	got, err := readN(c2, 3, 5*time.Second)
	require.NoError(t, err)
	assert.Equal(t, "new", string(got))

	// The silenced pair ends when its client closes.
	require.NoError(t, c.Close())
	require.Eventually(t, func() bool { return p.Conns() == 1 }, 5*time.Second, 10*time.Millisecond)
}

func TestCutClosesEveryConnection(t *testing.T) {
	p := start(t)
	c1, c2 := dial(t, p), dial(t, p)
	for _, c := range []net.Conn{c1, c2} {
		_, err := c.Write([]byte("a"))
		require.NoError(t, err)
		_, err = readN(c, 1, 5*time.Second)
		require.NoError(t, err)
	}
	assert.Equal(t, 2, p.Cut())
	for _, c := range []net.Conn{c1, c2} {
		_, err := readN(c, 1, 5*time.Second)
		require.Error(t, err)
		assert.False(t, errors.Is(err, os.ErrDeadlineExceeded), "closed, not silent: %v", err)
	}
	require.Eventually(t, func() bool { return p.Conns() == 0 }, 5*time.Second, 10*time.Millisecond)
	// New connections work again.
	c3 := dial(t, p)
	_, err := c3.Write([]byte("b"))
	require.NoError(t, err)
	got, err := readN(c3, 1, 5*time.Second)
	require.NoError(t, err)
	assert.Equal(t, "b", string(got))

	// A cut during a stall closes the held connections too.
	p.Stall()
	assert.Equal(t, 1, p.Cut())
	_, err = readN(c3, 1, 5*time.Second)
	assert.False(t, errors.Is(err, os.ErrDeadlineExceeded), "closed: %v", err)
	p.Resume()
}

func TestRefuse(t *testing.T) {
	p := start(t)
	p.Refuse(true)
	c := dial(t, p)
	_, err := readN(c, 1, 5*time.Second)
	assert.False(t, errors.Is(err, os.ErrDeadlineExceeded), "closed at once: %v", err)
	p.Refuse(false)
	c = dial(t, p)
	_, err = c.Write([]byte("z"))
	require.NoError(t, err)
	_, err = readN(c, 1, 5*time.Second)
	require.NoError(t, err)
}
