//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/server/store/sqlite"
	"github.com/flooim/floo/xsync"
)

// seedUser creates a user with a token directly in the database, so the
// test needs no registration round trip.
func seedUser(t *testing.T, db *sqlite.DB, name string) (int64, string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UnixMilli()
	u := store.User{Username: name, PasswordHash: []byte("x"), CreatedAt: now, UpdatedAt: now}
	require.NoError(t, db.CreateUser(ctx, &u))
	tok := "token-of-" + name
	require.NoError(t, db.CreateToken(ctx, store.Token{Hash: store.HashToken(tok), UserID: u.ID,
		CreatedAt: now, ExpiresAt: now + time.Hour.Milliseconds()}))
	return u.ID, tok
}

// serverProcess is the floo-server binary (this test binary running main)
// as a child process.
type serverProcess struct {
	cmd  *exec.Cmd
	addr string

	mu   sync.Mutex
	logs bytes.Buffer
	done chan struct{} // stderr fully read
}

var listenAddr = regexp.MustCompile(`msg="floo-server listening" addr=(\S+)`)

func startServerProcess(t *testing.T, args ...string) *serverProcess {
	t.Helper()
	p := &serverProcess{cmd: exec.Command(os.Args[0], args...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), childEnv+"=1")
	stderr, err := p.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		p.cmd.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if m := listenAddr.FindStringSubmatch(sc.Text()); m != nil {
				ready <- m[1]
			}
		}
	}()
	select {
	case p.addr = <-ready:
	case <-p.done:
		t.Fatalf("the server exited before listening:\n%s", p.Logs())
	case <-time.After(20 * time.Second):
		t.Fatalf("the server did not start:\n%s", p.Logs())
	}
	return p
}

func (p *serverProcess) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// wait waits for the process to exit and returns its error (nil = status 0).
func (p *serverProcess) wait(t *testing.T) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		<-p.done
		errc <- p.cmd.Wait()
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("the server did not exit:\n%s", p.Logs())
		return nil
	}
}

// TestSignalShutsDownGracefully runs the real server process, has a device
// send a message and get its ack, then sends SIGTERM (or SIGINT): the
// connections are closed with 1001, the process exits with status 0, the
// database is closed cleanly (its WAL checkpointed away), and the acked
// message is there when the database is opened again.
func TestSignalShutsDownGracefully(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			data := t.TempDir()
			dbPath := filepath.Join(data, "floo.db")
			db, err := sqlite.Open(context.Background(), dbPath)
			require.NoError(t, err)
			alice, aliceTok := seedUser(t, db, "alice")
			bob, bobTok := seedUser(t, db, "bob")
			require.NoError(t, db.Close())

			p := startServerProcess(t, "-addr", "127.0.0.1:0", "-data", data, "-max-upload", "1K")
			base := "http://" + p.addr

			// The -max-upload flag reaches the upload endpoint.
			assert.Equal(t, http.StatusRequestEntityTooLarge, uploadAvatar(t, base, aliceTok, 2048))
			assert.Equal(t, http.StatusOK, uploadAvatar(t, base, aliceTok, 1024))

			a := login(t, p.addr, aliceTok, alice)
			b := login(t, p.addr, bobTok, bob)
			text := "acked before " + sig.String()
			ack := roundTrip(t, a, xsync.NewSyncFrame(&xsync.SyncUL{Meta: xsync.NewMessageMeta(77, nil,
				&xsync.XID{Uid: uint64(bob)}, uint64(time.Now().UnixMilli()),
				&xsync.MessageBody{Type: xsync.MsgChat, Content: text})})).SyncDL
			dl, err := ack()
			require.NoError(t, err)
			require.Equal(t, xsync.StatusOK, dl.Status.Code)
			require.Equal(t, uint64(77), dl.ClientMid)
			require.NotZero(t, dl.ServerMid)

			require.NoError(t, p.cmd.Process.Signal(sig))
			for _, ws := range []*websocket.Conn{a, b} {
				ws.SetReadDeadline(time.Now().Add(10 * time.Second))
				var err error
				for err == nil {
					_, _, err = ws.ReadMessage()
				}
				assert.True(t, websocket.IsCloseError(err, websocket.CloseGoingAway),
					"live connections are told the server is going away: %v", err)
			}
			require.NoError(t, p.wait(t), "exit status 0 after a graceful shutdown:\n%s", p.Logs())
			logs := p.Logs()
			assert.Contains(t, logs, "shutting down")
			assert.NotContains(t, logs, "level=ERROR")

			// A clean close checkpoints the WAL into the database file.
			if st, err := os.Stat(dbPath + "-wal"); err == nil {
				assert.Zero(t, st.Size(), "the WAL was checkpointed at close")
			}
			db, err = sqlite.Open(context.Background(), dbPath)
			require.NoError(t, err)
			defer db.Close()
			it, err := db.Item(context.Background(), int64(dl.ServerMid))
			require.NoError(t, err, "the acked message survived the shutdown")
			var body xsync.MessageBody
			require.NoError(t, body.Unmarshal(it.Body))
			assert.Equal(t, text, body.Content)
			assert.Equal(t, alice, it.FromUID)
			assert.Equal(t, bob, it.ToUID)
		})
	}
}

// login opens a raw-mode XSYNC connection and logs uid in.
func login(t *testing.T, addr, token string, uid int64) *websocket.Conn {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+"/", nil)
	require.NoError(t, err)
	resp.Body.Close()
	t.Cleanup(func() { ws.Close() })
	p, err := roundTrip(t, ws, xsync.NewProvisionFrame(&xsync.Provision{Xid: &xsync.XID{Uid: uint64(uid)},
		Token: token, OsType: xsync.OsWeb, DeviceGuid: "web"})).Provision()
	require.NoError(t, err)
	require.Equal(t, xsync.StatusOK, p.Status.Code, p.Status.Reason)
	return ws
}

// roundTrip writes f and returns the next frame the server sends.
func roundTrip(t *testing.T, ws *websocket.Conn, f *xsync.Frame) *xsync.Frame {
	t.Helper()
	require.NoError(t, ws.WriteMessage(websocket.BinaryMessage, f.Marshal()))
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, data, err := ws.ReadMessage()
	require.NoError(t, err)
	reply, err := xsync.DecodeFrame(data)
	require.NoError(t, err)
	require.Equal(t, f.Command, reply.Command)
	return reply
}

// uploadAvatar gets a user-avatar upload slot and posts size bytes to it,
// returning the upload's HTTP status.
func uploadAvatar(t *testing.T, base, token string, size int) int {
	t.Helper()
	req, err := http.NewRequest("GET", base+"/file/upload/avatar/user", nil)
	require.NoError(t, err)
	req.Header.Set("access-token", token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var slot struct {
		Code int
		Data struct {
			UploadURL string `json:"upload_url"`
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&slot))
	resp.Body.Close()
	require.Equal(t, 200, slot.Code)
	require.True(t, strings.HasPrefix(slot.Data.UploadURL, base), slot.Data.UploadURL)

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "avatar.bin")
	require.NoError(t, err)
	fw.Write(bytes.Repeat([]byte{1}, size))
	require.NoError(t, mw.Close())
	req, err = http.NewRequest("POST", slot.Data.UploadURL, &buf)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("access-token", token)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
