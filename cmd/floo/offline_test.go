//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildBinaries builds cmd/floo and cmd/floo-server into a temporary
// directory.
func buildBinaries(t *testing.T) (floo, server string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds binaries")
	}
	dir := t.TempDir()
	floo, server = filepath.Join(dir, "floo"), filepath.Join(dir, "floo-server")
	for bin, pkg := range map[string]string{floo: ".", server: "../floo-server"} {
		out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	return floo, server
}

// freePort returns a local address nothing listens on (yet).
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	return addr
}

// startServerBinary runs floo-server on addr and data until it answers.
func startServerBinary(t *testing.T, bin, addr, data string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "-addr", addr, "-data", data, "-log-level", "warn")
	logs := newBuffer() // written by exec's goroutine
	cmd.Stderr = logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return cmd
		}
		require.True(t, time.Now().Before(deadline), "the server never listened: %s", logs.String())
		time.Sleep(20 * time.Millisecond)
	}
}

// runFloo runs the floo binary with home as FLOO_HOME.
func runFloo(t *testing.T, bin, home string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"FLOO_HOME=" + home, "PATH=" + os.Getenv("PATH")}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return result{code, out.String(), errOut.String()}
}

// TestSendWhileServerDown runs the real programs: alice's "floo send"
// while the server is stopped queues the message and exits; after the
// server is back, her next command (any that connects) delivers it, and
// bob's history holds it exactly once. (A send written before its process
// ended without reading the ack is core/integration's
// TestLocalStoreOutboxSurvivesRestart.)
func TestSendWhileServerDown(t *testing.T) {
	flooBin, serverBin := buildBinaries(t)
	addr, data := freePort(t), t.TempDir()
	url := "http://" + addr
	srv := startServerBinary(t, serverBin, addr, data)
	aliceHome, bobHome := t.TempDir(), t.TempDir()

	var ids [2]uint64
	for i, u := range []struct{ home, name string }{{aliceHome, "alice"}, {bobHome, "bob"}} {
		r := runFloo(t, flooBin, u.home, "-server", url, "register", u.name, u.name+"-pw")
		require.Equal(t, exitOK, r.code, r.stderr)
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &struct {
			ID *uint64 `json:"user_id"`
		}{&ids[i]}))
		r = runFloo(t, flooBin, u.home, "-server", url, "login", u.name, u.name+"-pw")
		require.Equal(t, exitOK, r.code, r.stderr)
	}
	alice, bob := ids[0], ids[1]
	str := func(v uint64) string { return strconv.FormatUint(v, 10) }

	// The server goes down; alice sends anyway.
	require.NoError(t, srv.Process.Signal(syscall.SIGTERM))
	srv.Wait()
	r := runFloo(t, flooBin, aliceHome, "-timeout", "10s", "send", str(bob), "sent while the server was down")
	require.Equal(t, exitQueued, r.code, "stdout %s stderr %s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, `"queued":true`)
	assert.Contains(t, r.stderr, "is queued")

	// Back up: alice's next command connects and delivers it.
	startServerBinary(t, serverBin, addr, data)
	r = runFloo(t, flooBin, aliceHome, "history", str(bob))
	require.Equal(t, exitOK, r.code, r.stderr)
	r = runFloo(t, flooBin, aliceHome, "send", str(bob), "after")
	require.Equal(t, exitOK, r.code, r.stderr)

	r = runFloo(t, flooBin, bobHome, "history", str(alice))
	require.Equal(t, exitOK, r.code, r.stderr)
	var got []string
	for _, l := range lines(r.stdout) {
		var m message
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		got = append(got, m.Content)
	}
	assert.Equal(t, []string{"sent while the server was down", "after"}, got, "each message exactly once, in order")
}
