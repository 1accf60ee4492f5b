package fireplace

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// provision handles a login (PROTOCOL.md §4.6-4.7, §14). A failure is
// answered and the connection closed about a second later; a Provision on a
// logged-in connection is a fresh login.
func (c *conn) provision(f *xsync.Frame) {
	g := c.g
	fail := func(code xsync.StatusCode, reason string) {
		c.send(xsync.CommandProvision, &xsync.Provision{Status: status(code, reason)})
		c.closeLater("login failed")
	}
	p, err := f.Provision()
	if err != nil {
		fail(xsync.StatusPBParserError, err.Error())
		return
	}
	ctx := context.Background()
	now := g.now()
	var uid int64
	var offered uint32
	if p.Xid != nil && p.Xid.Uid <= xsync.MaxSafeID {
		uid, offered = int64(p.Xid.Uid), p.Xid.DeviceSN
	}
	tok, err := g.st.LookupToken(ctx, store.HashToken(p.Token), now)
	switch {
	case errors.Is(err, store.ErrNotFound):
		fail(xsync.StatusInvalidToken, "invalid or expired token")
		return
	case err != nil:
		g.log.Error("fireplace: token lookup", "err", err)
		fail(xsync.StatusFail, reasonInternal)
		return
	case uid == 0 || tok.UserID != uid:
		fail(xsync.StatusInvalidToken, "token does not belong to this user")
		return
	}
	u, err := g.st.UserByID(ctx, uid)
	if err != nil || u.Deleted() {
		fail(xsync.StatusUnauthorized, reasonUserNotExist)
		return
	}

	guid := p.DeviceGuid
	if guid == "" {
		guid = g.guidFor(ctx, uid, offered)
	}
	dev, created, err := g.st.RegisterDevice(ctx, store.DeviceRegistration{
		UserID: uid, GUID: guid, OfferedSN: offered, Platform: int32(p.OsType),
		UserAgent: p.DeviceInfo, Now: now, MaxDevices: g.cfg.MaxDevices,
	})
	switch {
	case errors.Is(err, store.ErrTooManyDevices):
		fail(xsync.StatusTooManyDevices, "too many devices")
		return
	case err != nil:
		g.log.Error("fireplace: register device", "uid", uid, "err", err)
		fail(xsync.StatusFail, reasonInternal)
		return
	}
	// A new registration (possibly reusing the SN of a removed device)
	// starts its cursors at the present.
	if err := g.st.InitDeviceCursors(ctx, uid, dev.SN, created); err != nil {
		g.log.Error("fireplace: init cursors", "uid", uid, "err", err)
		fail(xsync.StatusFail, reasonInternal)
		return
	}

	if oldUID, oldSN := c.session(); oldUID != 0 {
		g.unregister(c, oldUID, oldSN)
	}
	c.startSession(uid, dev.SN)
	if old := g.register(c, uid, dev.SN); old != nil {
		old.kick(xsync.UserNoticeKickBySameDevice, `{"device_sn":`+strconv.FormatUint(uint64(dev.SN), 10)+`}`)
	}
	if created {
		// DEVICE_ADDED to the user's other devices (PROTOCOL.md §13.3),
		// stored before the reply so that it precedes anything the new
		// session does.
		body := (&xsync.UserNotice{Type: xsync.UserNoticeDeviceAdded,
			Content: `{"device_sn":` + strconv.FormatUint(uint64(dev.SN), 10) + `}`}).Marshal()
		if err := g.storeNotice(ctx, []int64{uid}, uid, dev.SN, int32(xsync.NSUserNotice), body, dev.SN); err != nil {
			g.log.Warn("fireplace: device added notice", "uid", uid, "err", err)
		}
	}
	c.send(xsync.CommandProvision, &xsync.Provision{
		Status: statusOK,
		Xid:    &xsync.XID{Uid: uint64(uid), DeviceSN: dev.SN},
	})
}

// guidFor makes up an installation id for a Provision without one: the
// device already registered under the offered SN, else a new random one.
func (g *Gateway) guidFor(ctx context.Context, uid int64, offered uint32) string {
	if offered != 0 {
		if d, err := g.st.Device(ctx, uid, offered); err == nil {
			return d.GUID
		}
	}
	var b [12]byte
	rand.Read(b[:])
	return "fireplace-" + hex.EncodeToString(b[:])
}

// startSession resets the per-session state for a (fresh) login.
func (c *conn) startSession(uid int64, sn uint32) {
	c.mu.Lock()
	c.uid, c.sn = uid, sn
	c.noticed = map[int64]bool{}
	c.transient = map[int64][]transientItem{}
	c.mu.Unlock()
	c.watermarks = map[int64]int64{}
	c.cursors = map[int64]int64{}
	c.unreadCount = 0
	c.rateGate = 0
}

// kick delivers a user notice as an unsolicited, unstored SyncDL on the
// personal stream and closes the connection about a second later
// (PROTOCOL.md §14).
func (c *conn) kick(typ xsync.UserNoticeType, content string) {
	uid, sn := c.session()
	if uid == 0 {
		c.close(closeNormal, "kicked")
		return
	}
	m := &xsync.Meta{
		From:      &xsync.XID{},
		To:        &xsync.XID{Uid: uint64(uid), DeviceSN: sn},
		Timestamp: uint64(c.g.now()),
	}
	m.SetPayload(xsync.NSUserNotice, &xsync.UserNotice{Type: typ, Content: content})
	c.send(xsync.CommandSync, &xsync.SyncDL{
		Status: statusOK,
		Xid:    &xsync.XID{Uid: uint64(uid)},
		Metas:  []*xsync.Meta{m},
	})
	c.closeLater("kicked")
}
