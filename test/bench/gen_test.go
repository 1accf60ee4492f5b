package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/native"
	"github.com/flooim/floo/xsync"
)

// genClient is the lean load generator: one XSYNC connection speaking the
// protocol directly (PROTOCOL.md §4, §6, §7), without the SDK's outbox,
// pacing, caches or events, so that it costs the shared CPU as little as
// possible. It sends text messages without waiting for acks and pulls its
// streams the way the SDK does: one exchange in flight per stream, a notice
// meanwhile marks it dirty, and asking for the next page acknowledges the
// previous one.
type genClient struct {
	uid  uint64
	sn   uint32
	conn core.Conn

	wmu sync.Mutex // serializes conn.Write
	mid atomic.Uint64

	acked, refused atomic.Int64

	// onMeta is called on the read goroutine for every synced meta.
	onMeta func(m *xsync.Meta, at time.Time)

	streams map[uint64]*genStream // read goroutine only
	readErr error                 // why the read loop ended; read after done is closed
	done    chan struct{}         // closed when the read loop ended
}

type genStream struct{ inFlight, dirty bool }

// restToken logs name in over REST (POST /token/user) and returns the token.
func restToken(base, name, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"name": name, "password": password})
	req, err := http.NewRequest("POST", base+"/token/user", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("app_id", appID)
	req.Header.Set("content-type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var env struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return "", err
	}
	if env.Code != 200 || env.Data.Token == "" {
		return "", fmt.Errorf("token of %s: %d %s", name, env.Code, env.Message)
	}
	return env.Data.Token, nil
}

// dialGen logs u in on the server at addr (host:port) as a new device.
func dialGen(ctx context.Context, addr string, u user, onMeta func(*xsync.Meta, time.Time)) (*genClient, error) {
	token, err := restToken("http://"+addr, u.name, u.password)
	if err != nil {
		return nil, err
	}
	conn, err := (&native.Dialer{}).Dial(ctx, "ws://"+addr+"/")
	if err != nil {
		return nil, err
	}
	g := &genClient{uid: uint64(u.id), conn: conn, onMeta: onMeta, streams: map[uint64]*genStream{}, done: make(chan struct{})}
	g.mid.Store(uint64(time.Now().UnixMilli()) * 1000)
	err = g.write(xsync.NewProvisionFrame(&xsync.Provision{
		Xid: &xsync.XID{Uid: g.uid}, Token: token, OsType: xsync.OsWeb, SdkVsn: "2.0.0",
		DeviceGuid: "bench-" + u.name, DeviceInfo: "bench",
	}).Marshal())
	for err == nil {
		var b []byte
		if b, err = conn.Read(ctx); err != nil {
			break
		}
		f, derr := xsync.DecodeFrame(b)
		if derr != nil || f.Command != xsync.CommandProvision {
			continue
		}
		p, perr := f.Provision()
		switch {
		case perr != nil:
			err = perr
		case p.Status != nil && !p.Status.Code.OK():
			err = fmt.Errorf("provision of %s: %d %s", u.name, p.Status.Code, p.Status.Reason)
		case p.Xid == nil || p.Xid.DeviceSN == 0:
			err = errors.New("provision reply without a device")
		default:
			g.sn = p.Xid.DeviceSN
			go g.readLoop()
			go g.keepAlive()
			return g, nil
		}
	}
	conn.Close(1000, "")
	return nil, err
}

func (g *genClient) write(b []byte) error {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return g.conn.Write(ctx, b)
}

// send posts a text to uid without waiting for its ack.
func (g *genClient) send(to uint64, content string) error {
	m := xsync.NewMessageMeta(g.mid.Add(1), &xsync.XID{Uid: g.uid, DeviceSN: g.sn}, &xsync.XID{Uid: to},
		uint64(time.Now().UnixMilli()), &xsync.MessageBody{Type: xsync.MsgChat, Content: content, Operation: &xsync.MessageOperation{}})
	return g.write(xsync.NewSyncFrame(&xsync.SyncUL{Meta: m}).Marshal())
}

func (g *genClient) pull(stream, key uint64) {
	g.write(xsync.NewSyncFrame(&xsync.SyncUL{Xid: &xsync.XID{Uid: stream}, Key: key}).Marshal())
}

func (g *genClient) startSync(stream uint64) {
	st := g.streams[stream]
	if st == nil {
		st = &genStream{}
		g.streams[stream] = st
	}
	if st.inFlight {
		st.dirty = true
		return
	}
	st.inFlight = true
	g.pull(stream, 0)
}

func (g *genClient) readLoop() {
	defer close(g.done)
	ctx := context.Background()
	for {
		b, err := g.conn.Read(ctx)
		if err != nil {
			g.readErr = err
			return
		}
		at := time.Now()
		f, err := xsync.DecodeFrame(b)
		if err != nil {
			continue
		}
		switch f.Command {
		case xsync.CommandNotice:
			if n, err := f.Notice(); err == nil && n.Xid != nil {
				g.startSync(n.Xid.Uid)
			}
		case xsync.CommandUnread:
			if dl, err := f.UnreadDL(); err == nil {
				for _, u := range dl.Unread {
					if u.Xid != nil && u.N > 0 {
						g.startSync(u.Xid.Uid)
					}
				}
			}
		case xsync.CommandSync:
			dl, err := f.SyncDL()
			if err != nil {
				continue
			}
			if dl.ClientMid != 0 && !dl.IsFullSync {
				if dl.Status == nil || dl.Status.Code.OK() {
					g.acked.Add(1)
				} else {
					g.refused.Add(1)
				}
				continue
			}
			if dl.Xid == nil {
				continue
			}
			stream := dl.Xid.Uid
			for _, m := range dl.Metas {
				if g.onMeta != nil {
					g.onMeta(m, at)
				}
			}
			st := g.streams[stream]
			if st == nil {
				st = &genStream{}
				g.streams[stream] = st
			}
			switch {
			case dl.NextKey != 0:
				st.inFlight = true
				g.pull(stream, dl.NextKey)
			case st.dirty:
				st.dirty = false
				g.pull(stream, 0)
			default:
				st.inFlight = false
			}
		}
	}
}

// keepAlive sends an UNREAD every 30 s, as the SDK's heartbeat does, so
// that the server's idle timeout (120 s) spares the connections that only
// wait for the load scenario.
func (g *genClient) keepAlive() {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-g.done:
			return
		case <-t.C:
			g.write(xsync.NewUnreadFrame().Marshal())
		}
	}
}

// ended reports whether the connection is gone (the server closed it).
func (g *genClient) ended() bool {
	select {
	case <-g.done:
		return true
	default:
		return false
	}
}

func (g *genClient) close() {
	g.conn.Close(1000, "")
	<-g.done
}

// stampedText is the content of a load message: the send time in unix
// nanoseconds, so that the receiver measures the delivery latency.
func stampedText(t time.Time) string { return "t" + strconv.FormatInt(t.UnixNano(), 10) }

// stampOf reads the send time back; ok is false for other contents.
func stampOf(m *xsync.Meta) (time.Time, bool) {
	body, err := m.MessageBody()
	if err != nil || len(body.Content) < 2 || body.Content[0] != 't' {
		return time.Time{}, false
	}
	ns, err := strconv.ParseInt(body.Content[1:], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, ns), true
}
