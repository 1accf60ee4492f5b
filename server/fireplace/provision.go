package fireplace

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/flooim/floo/server/bus"
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
	// From the registration until c is live, no other login or disconnect
	// of this user changes the registry here (devLocks).
	lk := g.deviceLock(uid)
	lk.Lock()
	dev, created, err := g.registerDevice(ctx, store.DeviceRegistration{
		UserID: uid, GUID: guid, OfferedSN: offered, Platform: int32(p.OsType),
		UserAgent: p.DeviceInfo, Now: now, MaxDevices: g.cfg.MaxDevices,
	})
	if err == nil {
		// A new registration (possibly reusing the SN of a removed device)
		// starts its cursors at the present.
		if err = g.st.InitDeviceCursors(ctx, uid, dev.SN, created); err != nil {
			err = fmt.Errorf("init cursors: %w", err)
		}
	}
	var old *conn
	if err == nil {
		if oldUID, oldSN := c.session(); oldUID != 0 {
			g.unregister(c, oldUID, oldSN)
		}
		c.startSession(uid, dev.SN, tok, now)
		c.admitted() // no longer counts as unauthenticated
		old = g.register(c, uid, dev.SN)
	}
	lk.Unlock()
	switch {
	case errors.Is(err, store.ErrTooManyDevices):
		fail(xsync.StatusTooManyDevices, "too many devices")
		return
	case err != nil:
		g.log.Error("fireplace: register device", "uid", uid, "err", err)
		fail(xsync.StatusFail, reasonInternal)
		return
	}
	if old != nil {
		old.kick(xsync.UserNoticeKickBySameDevice, deviceSNContent(dev.SN))
	}
	// A session of this device on another node ends too, and this node's
	// wake-ups for uid are in effect at the bus before the client hears it
	// is logged in (and pulls).
	g.node.Publish(bus.Event{Kind: bus.Login, UID: uid, SN: dev.SN, At: now})
	g.node.Sync(ctx)
	if created {
		// DEVICE_ADDED to the user's other devices (PROTOCOL.md §13.3),
		// stored before the reply so that it precedes anything the new
		// session does.
		body := (&xsync.UserNotice{Type: xsync.UserNoticeDeviceAdded,
			Content: deviceSNContent(dev.SN)}).Marshal()
		if err := g.storeNotice(ctx, []int64{uid}, uid, dev.SN, int32(xsync.NSUserNotice), body, dev.SN); err != nil {
			g.log.Warn("fireplace: device added notice", "uid", uid, "err", err)
		}
	}
	c.send(xsync.CommandProvision, &xsync.Provision{
		Status: statusOK,
		Xid:    &xsync.XID{Uid: uint64(uid), DeviceSN: dev.SN},
	})
}

// registerDevice registers the device of a login; at the device limit it
// reclaims the slots of the least recently seen devices that are offline
// and were last seen at least Config.DeviceReclaimAfter ago, as many as
// the new device needs, or none and fails with store.ErrTooManyDevices.
// The caller holds the user's deviceLock, so no reclaimed device logs in
// meanwhile.
func (g *Gateway) registerDevice(ctx context.Context, reg store.DeviceRegistration) (store.Device, bool, error) {
	dev, created, err := g.st.RegisterDevice(ctx, reg)
	if !errors.Is(err, store.ErrTooManyDevices) || g.cfg.DeviceReclaimAfter < 0 {
		return dev, created, err
	}
	devs, lerr := g.st.ListDevices(ctx, reg.UserID)
	if lerr != nil {
		return dev, created, lerr
	}
	victims := reclaimable(devs, g.OnlineDevices(reg.UserID), reg.Now-g.cfg.DeviceReclaimAfter.Milliseconds(),
		len(devs)-reg.MaxDevices+1)
	if victims == nil {
		return dev, created, err
	}
	for _, d := range victims {
		if err := g.st.RemoveDevice(ctx, reg.UserID, d.SN); err != nil && !errors.Is(err, store.ErrNotFound) {
			return store.Device{}, false, err
		}
		g.log.Info("fireplace: device slot reclaimed", "uid", reg.UserID, "sn", d.SN,
			"platform", d.Platform, "last_seen", d.LastSeen)
	}
	return g.st.RegisterDevice(ctx, reg)
}

// reclaimable picks the n least recently seen devices among devs that are
// not online and were last seen at or before cutoff (ms), or nil if there
// are fewer than n such devices.
func reclaimable(devs []store.Device, online []uint32, cutoff int64, n int) []store.Device {
	if n <= 0 {
		return nil
	}
	busy := make(map[uint32]bool, len(online))
	for _, sn := range online {
		busy[sn] = true
	}
	var out []store.Device
	for _, d := range devs {
		if !busy[d.SN] && d.LastSeen <= cutoff {
			out = append(out, d)
		}
	}
	if len(out) < n {
		return nil
	}
	slices.SortStableFunc(out, func(a, b store.Device) int { return cmp.Compare(a.LastSeen, b.LastSeen) })
	return out[:n]
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

// startSession resets the per-session state for a (fresh) login with tok
// at now (Unix ms).
func (c *conn) startSession(uid int64, sn uint32, tok store.Token, now int64) {
	// A page being built (a push) ends first, for the session it began in.
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	c.mu.Lock()
	c.uid, c.sn, c.loginAt = uid, sn, now
	c.noticed = map[int64]bool{}
	c.syncs = nil
	c.transient, c.tbytes = nil, 0
	c.tokenHash, c.tokenExp = tok.Hash, tok.ExpiresAt
	if c.expiry != nil {
		c.expiry.Stop()
	}
	c.expiry = time.AfterFunc(c.untilExpiry(), c.checkExpiry)
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
	c.push(xsync.CommandSync, &xsync.SyncDL{
		Status: statusOK,
		Xid:    &xsync.XID{Uid: uint64(uid)},
		Metas:  []*xsync.Meta{m},
	})
	c.closeLater("kicked")
}

// A session lives as long as its token (PROTOCOL.md §4.6 validates it only
// at login): when the token expires or is revoked, the session is told
// INVALID_TOKEN in an unsolicited UnreadDL, the status ERRORS.md §6.2 lists
// for a session (the SDK then fetches a new token when it can, else stops),
// and closed about a second later.
const (
	reasonTokenExpired = "token expired"
	reasonTokenRevoked = "token revoked"
)

// untilExpiry returns how long the session's token has left by the gateway
// clock. c.mu must be held.
func (c *conn) untilExpiry() time.Duration {
	return time.Duration(c.tokenExp-c.g.now()) * time.Millisecond
}

// tokenExpired reports whether the token of a logged-in session has
// expired. Every frame checks it: the timer runs on real time, while the
// gateway clock may be moved (tests, or a corrected system clock).
func (c *conn) tokenExpired() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.uid != 0 && c.g.now() >= c.tokenExp
}

// checkExpiry runs when the expiry timer fires: it ends the session, or
// waits on if the gateway clock says the token has time left.
func (c *conn) checkExpiry() {
	if c.tokenExpired() {
		c.endSession(reasonTokenExpired)
		return
	}
	c.mu.Lock()
	if !c.closing && c.uid != 0 {
		c.expiry = time.AfterFunc(max(c.untilExpiry(), time.Second), c.checkExpiry)
	}
	c.mu.Unlock()
}

// token returns the hash of the session's token, nil before login.
func (c *conn) token() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokenHash
}

// endSession ends a session whose token is no longer valid: out of the live
// set, INVALID_TOKEN, closed about a second later. Only the first call of
// the timer, a frame and a revocation racing each other does anything.
func (c *conn) endSession(reason string) {
	uid, sn := c.session()
	if uid == 0 || !c.closeLater(reason) {
		return
	}
	c.g.unregister(c, uid, sn)
	c.push(xsync.CommandUnread, &xsync.UnreadDL{Status: status(xsync.StatusInvalidToken, reason)})
}
