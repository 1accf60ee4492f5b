package fireplace

import (
	"context"

	"github.com/flooim/floo/server/bus"
	"github.com/flooim/floo/server/ratel"
	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

var _ ratel.Notifier = (*Gateway)(nil)

// Notify implements ratel.Notifier: the notice is stored once, with an
// entry in the personal stream of every recipient, and live devices are
// noticed. It returns after the store committed.
func (g *Gateway) Notify(ctx context.Context, n ratel.Notice) error {
	return g.storeNotice(ctx, n.To, n.From, n.FromDevice, n.NS, n.Payload, n.SkipDevice)
}

// storeNotice stores a server-generated meta for the personal streams of
// to. skip, when from is among the recipients, is a device of from that
// must not get it (the one that caused it).
func (g *Gateway) storeNotice(ctx context.Context, to []int64, from int64, fromSN uint32, ns int32, payload []byte, skip uint32) error {
	seen := make(map[int64]bool, len(to))
	ds := make([]store.Delivery, 0, len(to))
	for _, uid := range to {
		if uid <= 0 || seen[uid] {
			continue
		}
		seen[uid] = true
		d := store.Delivery{UID: uid, Stream: uid, Kind: store.ConvPersonal}
		if uid == from {
			d.OriginSN = skip
		}
		ds = append(ds, d)
	}
	if len(ds) == 0 {
		return nil
	}
	// One item for all recipients: ToUID 0 makes each of them see
	// themselves in Meta.to (see metas).
	conv := store.PersonalConv(0)
	if len(ds) == 1 {
		conv = store.PersonalConv(ds[0].UID)
	}
	req := &store.AppendRequest{
		Now:        g.now(),
		Item:       store.Item{Conv: conv, FromUID: from, FromSN: fromSN, NS: ns, Body: payload},
		Deliveries: ds,
	}
	if _, err := g.st.Append(ctx, req); err != nil {
		return err
	}
	g.notifyDeliveries(ds)
	return nil
}

// KickDevice implements ratel.Notifier: the live device (every live device
// of uid when deviceSN is 0), on this node or another, gets the user notice
// as an unstored SyncDL and is closed about a second later.
func (g *Gateway) KickDevice(_ context.Context, uid int64, deviceSN uint32, userNoticeType int32, content string) {
	g.kickLocal(uid, deviceSN, xsync.UserNoticeType(userNoticeType), content)
	g.node.Publish(bus.Event{Kind: bus.Kick, UID: uid, SN: deviceSN, Type: userNoticeType, Data: []byte(content)})
}

// TokensRevoked implements ratel.Notifier: each live session of uid, on
// this node or another, whose token no longer resolves ends with
// INVALID_TOKEN. It returns once the notices of this node are queued and
// the other nodes are told.
func (g *Gateway) TokensRevoked(ctx context.Context, uid int64) {
	g.revokeLocal(ctx, uid)
	g.node.Publish(bus.Event{Kind: bus.Revoke, UID: uid})
}
