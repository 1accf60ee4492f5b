package fireplace_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/fireplace"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// The benchmarks run a whole server over loopback WebSockets. Each keeps
// its setup outside the timed loop and reports its own figure: bytes per
// idle connection, messages or deliveries per second end to end.

type benchUser struct {
	ID    int64  `json:"id"`
	Token string `json:"token"`
}

// startBench runs a server without rate limits and returns it with its
// gateway.
func startBench(b *testing.B) (*servertest.Env, *fireplace.Gateway) {
	var gw *fireplace.Gateway
	env := servertest.Start(b, servertest.WithGateway(func(d server.GatewayDeps) (server.Gateway, error) {
		var err error
		gw, err = fireplace.New(fireplace.Config{Store: d.Store, Logger: d.Logger, Now: d.Now, SendRate: -1})
		return gw, err
	}))
	return env, gw
}

// benchUsers creates n users with tokens directly in the store (the REST
// registration's bcrypt would dominate the setup).
func benchUsers(b *testing.B, st store.Store, prefix string, n int) []benchUser {
	ctx := context.Background()
	now := time.Now().UnixMilli()
	out := make([]benchUser, n)
	for i := range n {
		u := &store.User{Username: prefix + strconv.Itoa(i), PasswordHash: []byte("x"), CreatedAt: now, UpdatedAt: now}
		if err := st.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		tok := prefix + "-token-" + strconv.Itoa(i)
		if err := st.CreateToken(ctx, store.Token{Hash: store.HashToken(tok), UserID: u.ID,
			CreatedAt: now, ExpiresAt: now + time.Hour.Milliseconds()}); err != nil {
			b.Fatal(err)
		}
		out[i] = benchUser{ID: u.ID, Token: tok}
	}
	return out
}

// liveBytes is the memory the runtime holds for live heap objects and
// goroutine stacks, after a full collection.
func liveBytes() uint64 {
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc + ms.StackInuse
}

// BenchmarkIdleConnections opens 2000 logged-in connections that then stay
// quiet, and reports the gateway's memory per connection (live heap and
// goroutine stacks) and the number of such connections a GiB holds. The
// clients run in a child process so that only the server's side is
// measured. FIREPLACE_HEAP_PROFILE=<file> also writes a heap profile at the
// point of measurement.
func BenchmarkIdleConnections(b *testing.B) {
	const users, perUser = 200, 10 // 2000 connections within the device limit
	env, gw := startBench(b)
	us := benchUsers(b, env.Server.Store(), "idle", users)
	spec := filepath.Join(b.TempDir(), "clients.json")
	data, _ := json.Marshal(map[string]any{"url": env.URL, "users": us, "per_user": perUser})
	if err := os.WriteFile(spec, data, 0o600); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		before := liveBytes()
		cmd := exec.Command(os.Args[0], "-test.run=^TestIdleClientsHelper$", "-test.v")
		cmd.Env = append(os.Environ(), "FIREPLACE_IDLE_SPEC="+spec)
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		ready := make(chan struct{})
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if sc.Text() == "clients ready" {
					close(ready)
				}
			}
		}()
		select {
		case <-ready:
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			b.Fatal("the client process did not get ready")
		}
		n := users * perUser
		if live := gw.Stats().Live; live != n {
			b.Fatalf("%d live connections, want %d", live, n)
		}
		after := liveBytes()
		if path := os.Getenv("FIREPLACE_HEAP_PROFILE"); path != "" {
			f, _ := os.Create(path)
			pprof.WriteHeapProfile(f)
			f.Close()
		}
		perConn := float64(after-before) / float64(n)
		b.ReportMetric(perConn, "B/conn")
		b.ReportMetric(float64(1<<30)/perConn, "conns/GiB")
		stdin.Close()
		cmd.Wait()
	}
}

// TestIdleClientsHelper is the client process of BenchmarkIdleConnections;
// it does nothing in a normal test run.
func TestIdleClientsHelper(t *testing.T) {
	path := os.Getenv("FIREPLACE_IDLE_SPEC")
	if path == "" {
		t.Skip("only run by BenchmarkIdleConnections")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		URL     string      `json:"url"`
		Users   []benchUser `json:"users"`
		PerUser int         `json:"per_user"`
	}
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for _, u := range spec.Users {
		for d := range spec.PerUser {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				c := xsynctest.Dial(t, spec.URL)
				c.Timeout = 30 * time.Second
				c.Login(t, u.Token, u.ID, 0, "idle-"+strconv.Itoa(d))
			}()
		}
	}
	wg.Wait()
	os.Stdout.WriteString("clients ready\n")
	// Hold the connections until the parent closes stdin.
	bufio.NewReader(os.Stdin).ReadString('\n')
}

// pipeline sends metas from c keeping up to window sends unacknowledged,
// and waits for the last acks.
type pipeline struct {
	c      *xsynctest.Client
	window int
	out    int
}

func (p *pipeline) send(b *testing.B, m *xsync.Meta) {
	m.Id = p.c.NextMID()
	m.From = &xsync.XID{Uid: uint64(p.c.UID), DeviceSN: p.c.SN}
	p.c.Write(xsync.NewSyncFrame(&xsync.SyncUL{Meta: m}))
	p.out++
	for p.out >= p.window {
		p.ack(b)
	}
}

func (p *pipeline) ack(b *testing.B) {
	_, err := p.c.Take(30*time.Second, func(f *xsync.Frame) bool { return f.Command == xsync.CommandSync })
	if err != nil {
		b.Fatal(err)
	}
	p.out--
}

func (p *pipeline) drain(b *testing.B) {
	for p.out > 0 {
		p.ack(b)
	}
}

// receive adds the chat messages of stream that reach c to count, until
// stop is closed: it pulls when noticed, takes pushed pages (push.go) as
// they come, and asks for next_key after every page, as the SDK does.
func receive(c *xsynctest.Client, stream int64, count *atomic.Int64, stop <-chan struct{}) {
	pull := func(key uint64) {
		c.Write(xsync.NewSyncFrame(&xsync.SyncUL{Xid: &xsync.XID{Uid: uint64(stream)}, Key: key}))
	}
	for {
		select {
		case <-stop:
			return
		default:
		}
		f, err := c.Take(100*time.Millisecond, func(f *xsync.Frame) bool {
			return f.Command == xsync.CommandNotice || f.Command == xsync.CommandSync
		})
		switch {
		case xsynctest.IsTimeout(err):
			continue
		case err != nil:
			return
		case f.Command == xsync.CommandNotice:
			pull(0)
			continue
		}
		dl, err := f.SyncDL()
		if err != nil {
			return
		}
		count.Add(int64(len(dl.Metas)))
		if dl.NextKey != 0 {
			pull(dl.NextKey)
		}
	}
}

// waitCount waits until count reaches want (or 30 s pass).
func waitCount(count *atomic.Int64, want int64) bool {
	deadline := time.Now().Add(30 * time.Second)
	for count.Load() < want {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// BenchmarkDirectMessages measures one-to-one messages per second from a
// sender to a receiver, counted when the receiver has pulled them.
func BenchmarkDirectMessages(b *testing.B) {
	env, _ := startBench(b)
	us := benchUsers(b, env.Server.Store(), "dm", 2)
	sender := xsynctest.Dial(b, env.URL)
	sender.Login(b, us[0].Token, us[0].ID, 0, "s")
	receiver := xsynctest.Dial(b, env.URL)
	receiver.Login(b, us[1].Token, us[1].ID, 0, "r")
	var got atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { receive(receiver, us[0].ID, &got, stop); close(done) }()
	p := &pipeline{c: sender, window: 64}
	start := time.Now()
	n := 0
	for b.Loop() {
		p.send(b, xsynctest.Text(us[1].ID, "benchmark message"))
		n++
	}
	p.drain(b)
	ok := waitCount(&got, int64(n))
	elapsed := time.Since(start)
	close(stop)
	<-done
	if !ok {
		b.Fatalf("received %d of %d", got.Load(), n)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "msgs/s")
}

// BenchmarkGroupMessages measures deliveries per second in a group of 500
// members, all connected, each pulling what it is noticed of.
func BenchmarkGroupMessages(b *testing.B) {
	const members = 500
	env, _ := startBench(b)
	st := env.Server.Store()
	us := benchUsers(b, st, "grp", members)
	now := time.Now().UnixMilli()
	g := &store.Group{OwnerID: us[0].ID, Name: "bench", Capacity: members, HistoryVisible: true, CreatedAt: now, UpdatedAt: now}
	var ms []store.Member
	for _, u := range us[1:] {
		ms = append(ms, store.Member{UserID: u.ID, JoinTime: now})
	}
	if err := st.CreateGroup(context.Background(), g, ms); err != nil {
		b.Fatal(err)
	}
	clients := make([]*xsynctest.Client, members)
	for i, u := range us {
		clients[i] = xsynctest.Dial(b, env.URL)
		clients[i].Timeout = 30 * time.Second
		clients[i].Login(b, u.Token, u.ID, 0, "g")
	}
	var got atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, c := range clients[1:] {
		wg.Add(1)
		go func() { defer wg.Done(); receive(c, g.ID, &got, stop) }()
	}
	p := &pipeline{c: clients[0], window: 16}
	start := time.Now()
	n := 0
	for b.Loop() {
		p.send(b, xsynctest.GroupText(g.ID, "hello everyone"))
		n++
	}
	p.drain(b)
	want := int64(n * (members - 1))
	ok := waitCount(&got, want)
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	if !ok {
		b.Fatalf("delivered %d of %d", got.Load(), want)
	}
	b.ReportMetric(float64(want)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(n)/elapsed.Seconds(), "msgs/s")
}
