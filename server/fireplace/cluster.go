package fireplace

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/flooim/floo/server/bus"
	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// Fan-out between nodes (server/bus). Every change is first applied to the
// connections of this node, as with a single node, then published on the
// bus for the other nodes holding live devices of the user concerned.
// Stored data travels as wake-ups only ("stream X of uid Y has new
// entries"): the database is shared, and the receiving node's devices pull
// as after a local append. A lost wake-up delays an entry until the
// device's next UNREAD heartbeat at most, which lists every stream with
// something waiting; after the bus reconnects, every local connection is
// noticed of those streams at once (resync).

// presenceWait bounds the wait for the other nodes' online devices.
const presenceWait = 2 * time.Second

// peers is the gateway as a bus.Handler. A separate type keeps Deliver and
// the others out of the Gateway's exported methods.
type peers struct{ g *Gateway }

var _ bus.Handler = peers{}

// Deliver applies an event another node published.
func (p peers) Deliver(ev bus.Event) {
	g := p.g
	switch ev.Kind {
	case bus.Wake:
		g.noticeLocal(store.Delivery{UID: ev.UID, Stream: ev.Stream, OriginSN: ev.SN, TargetSN: ev.TargetSN})
	case bus.Transient:
		m := new(xsync.Meta)
		if err := m.Unmarshal(ev.Data); err != nil {
			g.log.Warn("fireplace: undecodable transient item from the bus", "uid", ev.UID, "err", err)
			return
		}
		for _, c := range g.liveConns(ev.UID) {
			c.addTransient(ev.Stream, m, ev.At)
		}
	case bus.Kick:
		g.kickLocal(ev.UID, ev.SN, xsync.UserNoticeType(ev.Type), string(ev.Data))
	case bus.Revoke:
		g.revokeLocal(context.Background(), ev.UID)
	case bus.Login:
		g.loggedInElsewhere(ev)
	}
}

// Resync notices every local connection of each stream with entries
// waiting for it, in the background; requests made while one runs are
// merged into one more run.
func (p peers) Resync() {
	g := p.g
	g.resyncMu.Lock()
	defer g.resyncMu.Unlock()
	if g.resyncRunning {
		g.resyncAgain = true
		return
	}
	g.resyncRunning = true
	g.resyncWG.Add(1)
	go g.resync()
}

// Online returns the devices of uid live on this node.
func (p peers) Online(uid int64) []uint32 { return p.g.localOnline(uid) }

// resync runs until no further request came in meanwhile.
func (g *Gateway) resync() {
	defer g.resyncWG.Done()
	for {
		g.resyncAll()
		g.resyncMu.Lock()
		if !g.resyncAgain {
			g.resyncRunning = false
			g.resyncMu.Unlock()
			return
		}
		g.resyncAgain = false
		g.resyncMu.Unlock()
	}
}

// resyncAll asks the store, for each live connection, which streams have
// entries past the device's cursor, and notices them (a stream with a
// Notice outstanding is skipped, as always). Typing indicators lost
// meanwhile are not replayed: they are at most once.
func (g *Gateway) resyncAll() {
	g.mu.RLock()
	conns := make([]*conn, 0, len(g.conns))
	for _, devs := range g.live {
		for _, c := range devs {
			conns = append(conns, c)
		}
	}
	g.mu.RUnlock()
	ctx := context.Background()
	for _, c := range conns {
		select {
		case <-c.done:
			continue
		default:
		}
		uid, sn := c.session()
		if uid == 0 {
			continue
		}
		list, err := g.st.Unread(ctx, uid, sn, 0)
		if err != nil {
			g.log.Warn("fireplace: resync after a bus interruption", "uid", uid, "err", err)
			continue
		}
		for _, u := range list {
			if u.N > 0 {
				c.notice(u.Stream)
			}
		}
	}
}

// noticeLocal notices the live devices of this node that d concerns.
func (g *Gateway) noticeLocal(d store.Delivery) {
	for _, c := range g.liveConns(d.UID) {
		_, sn := c.session()
		if d.OriginSN != 0 && d.OriginSN == sn {
			continue
		}
		if d.TargetSN != 0 && d.TargetSN != sn {
			continue
		}
		c.notice(d.Stream)
	}
}

// kickLocal kicks the live device sn of uid on this node (every device of
// uid here when sn is 0).
func (g *Gateway) kickLocal(uid int64, sn uint32, typ xsync.UserNoticeType, content string) {
	var conns []*conn
	if sn == 0 {
		conns = g.liveConns(uid)
	} else if c := g.liveConn(uid, sn); c != nil {
		conns = []*conn{c}
	}
	for _, c := range conns {
		// Out of the live set now, so nothing more is routed to it.
		_, csn := c.session()
		g.unregister(c, uid, csn)
		c.kick(typ, content)
	}
}

// revokeLocal ends each live session of uid on this node whose token no
// longer resolves.
func (g *Gateway) revokeLocal(ctx context.Context, uid int64) {
	for _, c := range g.liveConns(uid) {
		hash := c.token()
		if hash == nil {
			continue
		}
		_, err := g.st.LookupToken(ctx, hash, g.now())
		switch {
		case errors.Is(err, store.ErrNotFound):
			c.endSession(reasonTokenRevoked)
		case err != nil:
			g.log.Warn("fireplace: token check after revocation", "uid", uid, "err", err)
		}
	}
}

// loginRace is how recent a local login must be for loggedInElsewhere to
// weigh it against a login on another node; an older one is always the
// older login, whatever the two clocks say, as the bus takes milliseconds.
const loginRace = 5 * time.Second

// loggedInElsewhere kicks the local session of a device that logged in on
// another node. Only when the local login is itself recent (two logins
// racing) do the two login times decide, then the node ids: both nodes
// order the pair the same way, so exactly one session survives, the later
// by the clocks.
func (g *Gateway) loggedInElsewhere(ev bus.Event) {
	c := g.liveConn(ev.UID, ev.SN)
	if c == nil {
		return
	}
	at := c.loginTime()
	if g.now()-at < loginRace.Milliseconds() &&
		(at > ev.At || (at == ev.At && g.node.ID() > ev.Node)) {
		return
	}
	if g.unregister(c, ev.UID, ev.SN) {
		c.kick(xsync.UserNoticeKickBySameDevice, deviceSNContent(ev.SN))
	}
}

// deviceSNContent is the content of the device notices: {"device_sn":N}.
func deviceSNContent(sn uint32) string {
	return `{"device_sn":` + strconv.FormatUint(uint64(sn), 10) + `}`
}

// publishDeliveries sends the wake-ups of ds to the other nodes.
func (g *Gateway) publishDeliveries(ds []store.Delivery) {
	for _, d := range ds {
		g.node.Publish(bus.Event{Kind: bus.Wake, UID: d.UID, Stream: d.Stream, SN: d.OriginSN, TargetSN: d.TargetSN})
	}
}

// localOnline returns the devices of uid live on this node.
func (g *Gateway) localOnline(uid int64) []uint32 {
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := make([]uint32, 0, len(g.live[uid]))
	for sn := range g.live[uid] {
		out = append(out, sn)
	}
	return out
}
