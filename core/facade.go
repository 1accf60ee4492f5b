package core

import (
	"strings"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

// This file holds the few additions the JavaScript facade (package
// jsbridge) needs on top of the engine's API. They exist because a
// JavaScript method that must answer synchronously cannot wait for I/O: the
// official sendGroupMessage and forwardMessage return the client_mid at
// once, yet may need a REST call first (the group's read-receipt setting, a
// re-signed file URL). The facade therefore reserves the client_mid, does
// the I/O on a goroutine and then queues the message under that mid.

// ReserveMessage validates m and opts as PostMessage does and reserves a
// client_mid for it, without queuing anything. The message is then queued
// with PostReserved, usually after some preparation that needed I/O. Without
// a session it fails with UserNotLogin; invalid messages are InvalidParam.
func (c *Client) ReserveMessage(m Message, opts ...SendOption) (uint64, error) {
	var o sendOptions
	for _, opt := range opts {
		opt(&o)
	}
	if _, err := buildMessage(&m, &o); err != nil {
		return 0, err
	}
	if !c.sessionActive() {
		return 0, NewError(UserNotLogin, "send needs a logged-in session")
	}
	return c.messageMid(), nil
}

// PostReserved queues m under the client_mid cmid reserved by
// ReserveMessage, exactly as PostMessage would have. When prep is not nil
// (the preparation failed), or the message can no longer be sent (the
// session ended meanwhile), the send is reported as failed with a
// SendingStatus event instead, so that every reserved mid gets an outcome.
func (c *Client) PostReserved(cmid uint64, m Message, prep error, opts ...SendOption) {
	var it *outItem
	err := prep
	if err == nil {
		it, err = c.newMessageItem(m, opts, cmid)
	}
	if err != nil {
		var e *Error
		if !asError(err, &e) {
			e = WrapError(GeneralError, SourceClient, err)
		}
		m.ID, m.From, m.Timestamp, m.Status = cmid, c.UID(), uint64(c.clock.Now().UnixMilli()), MessageUnread
		if m.ToType == "" {
			m.ToType = ToRoster
		}
		c.emit(SendingStatus{Status: SendStatusFailed, Mid: cmid, UID: m.To, Message: &m, ErrorReason: e.Message, Err: e})
		return
	}
	c.post(func() { c.enqueue(it) })
}

// AddReadReceipts adds config.groupMemberList to group message m when its
// group has read receipts on, as PostGroupMessage does before sending
// (PROTOCOL.md §8.2, §9.5). It may fetch the group's settings and members.
func (s *SysManager) AddReadReceipts(ctx lite.Context, m *Message) error {
	if err := needID("group id", m.To); err != nil {
		return err
	}
	members, err := s.readReceiptMembers(ctx, m.To)
	if err != nil || members == nil {
		return err
	}
	var w jsonv.Writer
	w.BeginObject()
	w.Key("groupMemberList")
	w.BeginArray()
	for _, uid := range members {
		w.Uint(uid)
	}
	w.EndArray()
	w.EndObject()
	if m.Config == "" {
		m.Config = string(w.Bytes())
	} else {
		m.Config = jsonv.MergeStrings(m.Config, string(w.Bytes()))
	}
	return nil
}

// ResignAttachment re-signs the file URL of m's attachment for conversation
// to (a group when toGroup), as ForwardMessage does before re-sending a file
// message (REST.md §9.4). Messages without a signed URL are left alone.
func (s *SysManager) ResignAttachment(ctx lite.Context, m *Message, to uint64, toGroup bool) error {
	if m.Attachment == "" {
		return nil
	}
	att, err := jsonv.ParseString(m.Attachment)
	if err != nil {
		return ClientError("message attachment is not valid JSON: " + err.Error())
	}
	url, _ := att.Get("url").Str()
	if !strings.Contains(url, "sign=") {
		return nil
	}
	newURL, err := s.ForwardURL(ctx, url, to, toGroup)
	if err != nil {
		return err
	}
	m.Attachment = string(att.Set("url", jsonv.String(newURL)).AppendJSON(nil))
	return nil
}

// Cleanup erases what the client stored (the official im.cleanup): it logs
// out, which ends the session and forgets the token, then deletes the
// stored user id, the deviceSN and device_guid of the last user and the
// cached DNS reply, so that the next start behaves like a first one.
func (c *Client) Cleanup(ctx lite.Context) error {
	st := c.cfg.Storage
	uid := c.UID()
	if uid == 0 {
		if v, ok := st.Get(keyUID); ok {
			uid, _ = parseDecimal(v, 1<<64-1)
		}
	}
	_, err := c.Logout(ctx, LogoutOptions{})
	keys := []string{keyUID, keyToken, keyTokenApp, dnsStorageKey(c.cfg.AppID)}
	if uid != 0 {
		keys = append(keys, keyDeviceSN(uid), keyGUID(uid))
	}
	for _, k := range keys {
		if e := st.Delete(k); e != nil && err == nil {
			err = e
		}
	}
	return err
}

// DNSData returns the DnsData object of the DNS reply in use (REST.md §3),
// missing before DNS is resolved: the source of getServerIp and other
// DNS-derived values.
func (s *SysManager) DNSData() jsonv.Value {
	if d := s.c.currentDNS(); d != nil {
		return d.data
	}
	return jsonv.Value{}
}

// ResolveLink performs GET url against a "Lanying link" resolver
// (aysncParseLink, REST.md §4) and returns the data of its envelope. url is
// absolute, e.g. "https://<link server>/info?link=...".
func (s *SysManager) ResolveLink(ctx lite.Context, url string) (jsonv.Value, error) {
	if !isHTTPURL(url) {
		return jsonv.Value{}, ClientError("link resolver URL must start with http")
	}
	req := &HTTPRequest{Method: "GET", URL: url, Header: map[string]string{"app_id": s.c.cfg.AppID}}
	return s.c.rest.roundTrip(ctx, req, false, false)
}

// LinkURL returns the resolver URL of link on link server domain (a host
// name from LinkServers, or a full http(s) URL of a resolver):
// https://<domain>/info?link=<link>.
func LinkURL(domain, link string) string {
	base := domain
	if !isHTTPURL(base) {
		base = "https://" + strings.TrimSuffix(base, "/") + "/info"
	}
	return appendQuery(base, [][2]string{{"link", link}})
}

// ForgetRoster drops what the engine keeps about a friend the user just
// removed (POST /roster/delete done by a facade whose roster cache lives
// elsewhere, as asyncDeleteRoster of the npm package): the friend in the
// engine's roster caches (read by Search), the stored messages, the unread
// count and the conversation-list entry. Like RosterManager.Delete it emits
// UnreadChanged and RecentListUpdated when those changed, then
// RosterListUpdated.
func (c *Client) ForgetRoster(uid uint64) {
	if uid == 0 {
		return
	}
	c.mgrUpdate(c.mgrSession(), func(st *managerState) {
		st.rosterIDs = mgrRemoveID(st.rosterIDs, uid)
		delete(st.rosters, uid)
	})
	c.cache.DeleteConversation(uid)
	hadUnread := c.unread.clear(uid)
	if c.convs.remove(uid) {
		c.emit(UnreadChanged{ConversationID: uid})
		c.emit(RecentListUpdated{})
	} else if hadUnread {
		c.emit(UnreadChanged{ConversationID: uid})
	}
	c.emit(RosterListUpdated{})
}

// MessageHit is a stored text message found by SearchMessages.
type MessageHit struct {
	_              noCompare
	ConversationID uint64 // the user or group id of the conversation
	Group          bool   // a group conversation
	Content        string // the message text
}

// SearchMessages returns the stored text messages of the conversation list
// whose text contains keyword, in conversation-list order, oldest message
// first: the message part of makeSearch, for a facade that searches its own
// friend and group caches. Unlike SysManager.Search, the case folding covers
// ASCII letters only, which keeps the Unicode case tables out of the wasm
// build; a keyword of spaces only finds nothing.
func (c *Client) SearchMessages(keyword string) []MessageHit {
	kw := strings.Trim(keyword, " \t\r\n\v\f")
	if kw == "" {
		return nil
	}
	var out []MessageHit
	for _, e := range c.convs.list() {
		for _, m := range c.cache.List(e.ID) {
			if (m.Type == TypeText || m.Type == "") && containsFoldASCII(m.Content, kw) {
				out = append(out, MessageHit{ConversationID: e.ID, Group: e.Type == ToGroup, Content: m.Content})
			}
		}
	}
	return out
}

// containsFoldASCII reports whether sub is within s, ASCII letters compared
// without regard to case and every other byte exactly.
func containsFoldASCII(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) && lowerASCII(s[i+j]) == lowerASCII(sub[j]) {
			j++
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

// lowerASCII lowers an ASCII capital letter and leaves other bytes alone.
func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
