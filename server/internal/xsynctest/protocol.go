package xsynctest

import (
	"testing"
	"time"

	"github.com/flooim/floo/xsync"
)

// Provision sends a login request and returns the server's reply, whatever
// its status.
func (c *Client) Provision(p *xsync.Provision) *xsync.Provision {
	c.t.Helper()
	c.Write(xsync.NewProvisionFrame(p))
	f := c.mustTake("provision reply", isCommand(xsync.CommandProvision))
	reply, err := f.Provision()
	if err != nil {
		c.t.Fatalf("xsynctest: provision reply: %v", err)
	}
	return reply
}

// Login logs in as uid with token, offering deviceSN sn and installation
// guid, as the web client does (os_type WEB, sdk_vsn 2.0.0). It fails the
// test unless the reply is OK, records the session and returns the
// assigned deviceSN.
func (c *Client) Login(t testing.TB, token string, uid int64, sn uint32, guid string) uint32 {
	t.Helper()
	reply := c.Provision(&xsync.Provision{
		Xid: &xsync.XID{Uid: uint64(uid), DeviceSN: sn}, Token: token, OsType: xsync.OsWeb,
		SdkVsn: "2.0.0", DeviceGuid: guid, DeviceInfo: "Web",
	})
	if reply.Status == nil || reply.Status.Code != xsync.StatusOK {
		t.Fatalf("xsynctest: login of %d failed: %v", uid, reply.Status)
	}
	if reply.Xid == nil || reply.Xid.Uid != uint64(uid) || reply.Xid.DeviceSN == 0 {
		t.Fatalf("xsynctest: login reply without a device: %+v", reply.Xid)
	}
	c.UID, c.SN = uid, reply.Xid.DeviceSN
	return c.SN
}

func isCommand(cmd xsync.Command) func(*xsync.Frame) bool {
	return func(f *xsync.Frame) bool { return f.Command == cmd }
}

// Send sends m (giving it a client_mid if it has none, and the session as
// from) and waits for its ack, whatever its status.
func (c *Client) Send(m *xsync.Meta) *xsync.SyncDL {
	c.t.Helper()
	if m.Id == 0 {
		m.Id = c.NextMID()
	}
	if m.From == nil {
		m.From = &xsync.XID{Uid: uint64(c.UID), DeviceSN: c.SN}
	}
	c.Write(xsync.NewSyncFrame(&xsync.SyncUL{Meta: m}))
	return c.Ack(m.Id)
}

// Ack waits for the send result of client_mid.
func (c *Client) Ack(clientMID uint64) *xsync.SyncDL {
	c.t.Helper()
	return c.takeSyncDL("ack", func(d *xsync.SyncDL) bool { return d.ClientMid == clientMID && !d.IsFullSync })
}

// takeSyncDL waits for the first SyncDL that match accepts; other frames
// stay queued.
func (c *Client) takeSyncDL(what string, match func(*xsync.SyncDL) bool) *xsync.SyncDL {
	c.t.Helper()
	var dl *xsync.SyncDL
	c.mustTake(what, func(f *xsync.Frame) bool {
		if f.Command != xsync.CommandSync {
			return false
		}
		d, err := f.SyncDL()
		if err != nil || !match(d) {
			return false
		}
		dl = d
		return true
	})
	return dl
}

// SendOK is Send that fails the test unless the ack is OK, and returns it.
func (c *Client) SendOK(m *xsync.Meta) *xsync.SyncDL {
	c.t.Helper()
	ack := c.Send(m)
	if ack.Status == nil || ack.Status.Code != xsync.StatusOK {
		c.t.Fatalf("xsynctest: send %d refused: %v", ack.ClientMid, ack.Status)
	}
	return ack
}

// Pull sends SyncUL{xid, key} and returns the SyncDL for that stream.
func (c *Client) Pull(xid int64, key uint64) *xsync.SyncDL {
	c.t.Helper()
	c.Write(xsync.NewSyncFrame(&xsync.SyncUL{Xid: &xsync.XID{Uid: uint64(xid)}, Key: key}))
	return c.syncReply(xid, false)
}

func (c *Client) syncReply(xid int64, history bool) *xsync.SyncDL {
	c.t.Helper()
	dl := c.takeSyncDL("sync reply", func(d *xsync.SyncDL) bool {
		return d.ClientMid == 0 && d.IsFullSync == history && d.Xid != nil && d.Xid.Uid == uint64(xid)
	})
	if dl.Status == nil || dl.Status.Code != xsync.StatusOK {
		c.t.Fatalf("xsynctest: sync of %d failed: %v", xid, dl.Status)
	}
	return dl
}

// SyncAll pulls stream xid from key 0, following next_key until 0 (each
// request confirming the previous page), and returns every meta received.
// Notices for the stream that arrive meanwhile are consumed, and one more
// exchange is run for them, as the SDK does.
func (c *Client) SyncAll(xid int64) []*xsync.Meta {
	c.t.Helper()
	var out []*xsync.Meta
	for {
		key := uint64(0)
		for {
			dl := c.Pull(xid, key)
			out = append(out, dl.Metas...)
			if dl.NextKey == 0 {
				break
			}
			key = dl.NextKey
		}
		if !c.TakeNotice(xid, 0) {
			return out
		}
	}
}

// TakeNotice consumes a queued or arriving Notice for xid, waiting up to
// timeout, and reports whether there was one.
func (c *Client) TakeNotice(xid int64, timeout time.Duration) bool {
	_, err := c.Take(timeout, func(f *xsync.Frame) bool {
		if f.Command != xsync.CommandNotice {
			return false
		}
		n, err := f.Notice()
		return err == nil && n.Xid != nil && n.Xid.Uid == uint64(xid)
	})
	return err == nil
}

// WaitNotice is TakeNotice with the client's timeout that fails the test
// when no Notice comes.
func (c *Client) WaitNotice(xid int64) {
	c.t.Helper()
	if !c.TakeNotice(xid, c.timeout()) {
		c.t.Fatalf("xsynctest: no notice for %d", xid)
	}
}

// History asks for n messages of conversation xid older than key.
func (c *Client) History(xid int64, key uint64, n int32) *xsync.SyncDL {
	c.t.Helper()
	c.Write(xsync.NewSyncFrame(&xsync.SyncUL{Xid: &xsync.XID{Uid: uint64(xid)}, Key: key,
		IsFullSync: true, FullSyncNum: n}))
	return c.syncReply(xid, true)
}

// Unread sends an UNREAD frame and returns the reply.
func (c *Client) Unread() *xsync.UnreadDL {
	c.t.Helper()
	c.Write(xsync.NewUnreadFrame())
	f := c.mustTake("unread reply", isCommand(xsync.CommandUnread))
	dl, err := f.UnreadDL()
	if err != nil {
		c.t.Fatalf("xsynctest: unread reply: %v", err)
	}
	return dl
}

// UnreadMap returns the unread counts of an UnreadDL by stream.
func UnreadMap(dl *xsync.UnreadDL) map[int64]uint32 {
	m := map[int64]uint32{}
	for _, u := range dl.Unread {
		m[int64(u.Xid.Uid)] = u.N
	}
	return m
}

// Text returns a one-to-one text message to uid.
func Text(to int64, content string) *xsync.Meta {
	return xsync.NewMessageMeta(0, nil, &xsync.XID{Uid: uint64(to)}, uint64(time.Now().UnixMilli()),
		&xsync.MessageBody{Type: xsync.MsgChat, Content: content, Operation: &xsync.MessageOperation{}})
}

// GroupText returns a group text message to gid.
func GroupText(gid int64, content string) *xsync.Meta {
	return xsync.NewMessageMeta(0, nil, &xsync.XID{Uid: uint64(gid)}, uint64(time.Now().UnixMilli()),
		&xsync.MessageBody{Type: xsync.MsgGroupChat, Content: content, Operation: &xsync.MessageOperation{}})
}

// Message returns a meta carrying body to to.
func Message(to int64, body *xsync.MessageBody) *xsync.Meta {
	return xsync.NewMessageMeta(0, nil, &xsync.XID{Uid: uint64(to)}, uint64(time.Now().UnixMilli()), body)
}

// Oper returns an operation meta: Meta.to = to, operation {typ, mid, xid}
// (xid 0 = omitted, as the official clients do for APPEND and REPLACE).
func Oper(typ xsync.OpType, to int64, mid uint64, xid int64) *xsync.Meta {
	op := &xsync.MessageOperation{Type: typ, Mid: mid}
	if xid != 0 {
		op.Xid = &xsync.XID{Uid: uint64(xid)}
	}
	return Message(to, &xsync.MessageBody{Type: xsync.MsgOper, Ctype: xsync.CTypeCommand, Operation: op})
}

// Edit returns an APPEND or REPLACE of mid in conversation to.
func Edit(typ xsync.OpType, to int64, mid uint64, content, config, ext string) *xsync.Meta {
	return Message(to, &xsync.MessageBody{Type: xsync.MsgOper, Content: content, Config: config, Ext: ext,
		Operation: &xsync.MessageOperation{Type: typ, Mid: mid}})
}

// Typing returns a typing indicator to uid (§11).
func Typing(to int64, status string) *xsync.Meta {
	return &xsync.Meta{To: &xsync.XID{Uid: uint64(to)}, Ns: xsync.NSMessage, Payload: (&xsync.MessageBody{
		Type: xsync.MsgChat, Ext: `{"input_status":"` + status + `"}`, Qos: xsync.QoSAtMostOnce,
	}).Marshal()}
}

// ConvDelete returns a conversation delete of xid (§10).
func ConvDelete(xid int64, everywhere bool) *xsync.Meta {
	typ := xsync.ConvOpDelete
	if everywhere {
		typ = xsync.ConvOpDeleteEverywhere
	}
	m := &xsync.Meta{}
	m.SetPayload(xsync.NSConversation, &xsync.Conversation{Type: xsync.ConversationOper,
		Operation: &xsync.ConversationOperation{Type: typ, Xid: &xsync.XID{Uid: uint64(xid)}}})
	return m
}

// Body decodes the MessageBody of m, failing the test if it cannot.
func Body(t testing.TB, m *xsync.Meta) *xsync.MessageBody {
	t.Helper()
	b, err := m.MessageBody()
	if err != nil {
		t.Fatalf("xsynctest: message body of %d: %v", m.Id, err)
	}
	return b
}

// IDs returns the ids of metas.
func IDs(ms []*xsync.Meta) []uint64 {
	out := make([]uint64, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Id)
	}
	return out
}
