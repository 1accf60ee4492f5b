package core

import (
	"slices"
	"strconv"
	"strings"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
	"github.com/flooim/floo/xsync"
)

// SysManager gathers the system helpers of the official sysManage
// (JSAPI.md §7): uploads (upload.go), file URLs, forwarding of file
// messages, local search, the enum tables and the values learnt from DNS
// and the app config, and the group and mention sends (PostGroupMessage,
// PostMentionMessage). The other sends and the local stores are methods of
// Client.
// Obtain it with Client.Sys; it holds no state and is safe for concurrent
// use.
type SysManager struct{ c *Client }

// Sys returns the system manager of c.
func (c *Client) Sys() *SysManager { return &SysManager{c: c} }

// AccountCall is UserManager.AccountCall; the demo-app wrappers of
// sysManage (asyncQrcode, asyncWxlogin...) are AccountAPIs too.
func (s *SysManager) AccountCall(ctx lite.Context, api AccountAPI, params jsonv.Value) (jsonv.Value, error) {
	return s.c.accountCall(ctx, api, params)
}

// Static tables (getStaticVars, JSAPI.md §13.1). The npm facade answers
// getStaticVars from npm/src/staticvars.ts, generated from StaticVars, so
// that the wasm module links neither StaticVars nor, through it, the String
// method and name table of every xsync enum.

//go:generate go run ./internal/genstatic

// StaticVars returns the enum tables of xsync.proto under the official
// names, each mapping enum names to numbers, e.g.
// StaticVars()["STATIC_MESSAGE_STATUS"]["READ"] == 2. It reads no client
// state: a zero SysManager answers it too (the generator relies on that).
func (s *SysManager) StaticVars() map[string]map[string]int32 {
	return map[string]map[string]int32{
		"STATIC_FRAME_VSN":             enumTable[xsync.Vsn](),
		"STATIC_FRAME_COMMAND":         enumTable[xsync.Command](),
		"STATIC_FRAME_COMPRESS_METHOD": enumTable[xsync.CompressMethod](),
		"STATIC_FRAME_ERROR_STATUS":    enumTable[xsync.StatusCode](),
		"STATIC_FRAME_OSTYPE":          enumTable[xsync.OsType](),
		"STATIC_FRAME_ENCRYPTMETHOD":   enumTable[xsync.EncryptMethod](),
		"STATIC_META_NAMESPACE":        enumTable[xsync.NameSpace](),
		"STATIC_MESSAGE_TYPE":          enumTable[xsync.MessageType](),
		"STATIC_MESSAGE_OPTYPE":        enumTable[xsync.OpType](),
		"STATIC_MESSAGE_CONTENT_TYPE":  enumTable[xsync.ContentType](),
		"STATIC_MESSAGE_QOS":           enumTable[xsync.QoS](),
		"STATIC_GROUPNOTICE_TYPE":      enumTable[xsync.GroupNoticeType](),
		"STATIC_INFO_NETWORK":          enumTable[xsync.Network](),
		"STATIC_USERNOTICE_TYPE":       enumTable[xsync.UserNoticeType](),
		"STATIC_ROSTERNONTICE_TYPE":    enumTable[xsync.RosterNoticeType](), // sic
		"STATIC_CONVERSATION_TYPE":     enumTable[xsync.ConversationType](),
		"STATIC_CONVERSATION_OPTYPE":   enumTable[xsync.ConversationOpType](),
		"STATIC_RTC_SIGNAL_TYPE":       enumTable[xsync.RtcSignalType](),
		"STATIC_MESSAGE_STATUS":        enumTable[xsync.MessageStatus](),
	}
}

// enumTable lists the values of an xsync enum by name. xsync keeps its
// name tables private and names unknown values by their number, so the
// values are walked from 0 until the first unnamed one; every enum of
// xsync.proto is contiguous from 0.
func enumTable[T interface {
	~int32
	String() string
}]() map[string]int32 {
	m := make(map[string]int32)
	for v := int32(0); v < 1024; v++ {
		name := T(v).String()
		if name == strconv.Itoa(int(v)) {
			break
		}
		m[name] = v
	}
	return m
}

// DNS and app values (getServers, getAppStatus, getAppConfig...).

// Servers returns the ratel, fireplace and RTC URLs in use, "" before DNS
// is resolved (getServers).
func (s *SysManager) Servers() (ratel, fireplace, rtc string) { return s.c.Servers() }

// AppStatus returns the app_status of the DNS reply ("normal", "banned",
// "frozen", "revoked"), "" before DNS is resolved (getAppStatus).
func (s *SysManager) AppStatus() string {
	if d := s.c.currentDNS(); d != nil {
		return d.appStatus
	}
	return ""
}

// AccountVerification returns the opaque account_verification object of
// the DNS reply (getAccountVerification), missing before DNS is resolved.
func (s *SysManager) AccountVerification() jsonv.Value {
	if d := s.c.currentDNS(); d != nil {
		return d.data.Get("account_verification")
	}
	return jsonv.Value{}
}

// LinkServers returns the domains of link_server_list in the DNS reply
// (getLinkServer): the "Lanying link" resolvers.
func (s *SysManager) LinkServers() []string {
	d := s.c.currentDNS()
	if d == nil {
		return nil
	}
	var out []string
	for _, e := range d.data.Get("link_server_list").Elements() {
		if dom, ok := e.Get("domain").Str(); ok && dom != "" {
			out = append(out, dom)
		}
	}
	return out
}

// AppConfig returns the app config fetched at login (getAppConfig), missing
// when it has not been fetched.
func (s *SysManager) AppConfig() jsonv.Value { return s.c.Prefetched().AppConfig }

// FetchAppConfig fetches the app config (GET /app/config, platform 6 as the
// web and mini-program clients send; no token needed).
func (s *SysManager) FetchAppConfig(ctx lite.Context) (jsonv.Value, error) {
	return s.c.mcall(ctx, mgrGet("/app/config", [2]string{"platform", "6"}))
}

// File URLs (REST.md §9.3).

// ImageURL returns a displayable URL for an avatar (getImage): an object
// name becomes <ratel>/file/download/avatar?object_name=..., with
// image_type=2 for a thumbnail; the access token and app id are appended.
// An empty avatar gives def. The official thumbnail default is true.
func (s *SysManager) ImageURL(avatar string, thumbnail bool, def string) string {
	if avatar == "" {
		return def
	}
	u := avatar
	var q [][2]string
	if !isHTTPURL(avatar) {
		u = s.c.rest.baseURL() + "/file/download/avatar"
		q = append(q, [2]string{"object_name", avatar})
		if thumbnail {
			q = append(q, [2]string{"image_type", "2"})
		}
	} else if thumbnail && strings.Contains(avatar, "/file/download/avatar") && !strings.Contains(avatar, "image_type=") {
		q = append(q, [2]string{"image_type", "2"})
	}
	return s.withCredentials(appendQuery(u, q))
}

// AudioURL returns a playable URL for an audio file (getAudio): format=mp3
// plus the access token and app id.
func (s *SysManager) AudioURL(url string) string {
	if url == "" {
		return ""
	}
	if !strings.Contains(url, "format=") {
		url = appendQuery(url, [][2]string{{"format", "mp3"}})
	}
	return s.withCredentials(url)
}

// ChatFileURL returns a URL for a chat file (getChatFile): params (e.g.
// image_type, w, h) and then the access token and app id are appended.
func (s *SysManager) ChatFileURL(url string, params [][2]string) string {
	if url == "" {
		return ""
	}
	return s.withCredentials(appendQuery(url, params))
}

// withCredentials appends access-token and app_id, which file URLs carry
// because <img> and <audio> cannot send headers (REST.md §2.1).
func (s *SysManager) withCredentials(url string) string {
	var q [][2]string
	if tok := s.c.rest.currentToken(); tok != "" && !strings.Contains(url, "access-token=") {
		q = append(q, [2]string{"access-token", tok})
	}
	if !strings.Contains(url, "app_id=") {
		q = append(q, [2]string{"app_id", s.c.cfg.AppID})
	}
	return appendQuery(url, q)
}

// isHTTPURL tells a URL from an object name the way the official clients
// do: by the "http" prefix (REST.md §9.3).
func isHTTPURL(s string) bool { return strings.HasPrefix(s, "http") }

// DownloadAudio downloads an audio file as MP3 (downloadAudio). Failures
// are ServerFileDownloadFailure, except a cancelled ctx (UserCancel).
func (s *SysManager) DownloadAudio(ctx lite.Context, url string) ([]byte, error) {
	if url == "" {
		return nil, ClientError("url is required")
	}
	full := s.AudioURL(url)
	req := &HTTPRequest{Method: "GET", URL: full, Header: map[string]string{"app_id": s.c.cfg.AppID}}
	if tok := s.c.rest.currentToken(); tok != "" {
		req.Header["access-token"] = tok
	}
	resp, err := s.c.cfg.HTTP.Do(ctx, req)
	if err != nil {
		if e := FromTransportError(err); e.Code == UserCancel {
			return nil, e
		}
		e := WrapError(ServerFileDownloadFailure, SourceTransport, err)
		e.URL = full
		return nil, e
	}
	if resp.Status != 200 {
		e := NewError(ServerFileDownloadFailure, "download answered HTTP "+strconv.Itoa(resp.Status))
		e.Source = SourceTransport
		e.URL = full
		return nil, e
	}
	return resp.Body, nil
}

// Forwarding (REST.md §9.4).

// fileSign returns the signature of a chat-file download URL: everything
// after the first "sign=", as the official clients take it.
func fileSign(url string) (string, bool) {
	i := strings.Index(url, "sign=")
	if i < 0 || i+len("sign=") == len(url) {
		return "", false
	}
	return url[i+len("sign="):], true
}

// ForwardURL re-signs a chat-file download URL for another conversation
// (GET /file/upload/forward) and returns the new download URL. to is a
// user id, or a group id when toGroup is set. A URL without a signature is
// InvalidFileDownloadUrl.
func (s *SysManager) ForwardURL(ctx lite.Context, url string, to uint64, toGroup bool) (string, error) {
	if err := needID("target id", to); err != nil {
		return "", err
	}
	sign, ok := fileSign(url)
	if !ok {
		return "", NewError(InvalidFileDownloadUrl, "download URL without a file signature")
	}
	toType := "1"
	if toGroup {
		toType = "2"
	}
	q := [][2]string{{"file_sign", sign}, qID("to_id", to), {"to_type", toType}}
	if tok := s.c.rest.currentToken(); tok != "" {
		q = append(q, [2]string{"access-token", tok})
	}
	data, err := s.c.mcall(ctx, mgrGet("/file/upload/forward", q...))
	if err != nil {
		return "", err
	}
	newURL, _ := data.Str()
	if newURL == "" {
		e := NewError(ServerResponseInvalid, "forward reply without a download URL")
		e.Source = SourceREST
		e.URL = s.c.rest.baseURL() + "/file/upload/forward"
		return "", e
	}
	return newURL, nil
}

// ForwardMessage re-sends message m to conversation to (a user, or a
// group when toType is ToGroup) and returns the new client_mid
// (forwardMessage). A file URL in the attachment is re-signed for the
// target first (ForwardURL); the send itself is asynchronous, as with
// Client.PostMessage.
func (s *SysManager) ForwardMessage(ctx lite.Context, m Message, to uint64, toType string) (uint64, error) {
	if err := needID("target id", to); err != nil {
		return 0, err
	}
	if toType != ToRoster && toType != ToGroup {
		return 0, ClientError("target type must be roster or group")
	}
	fwd := Message{To: to, ToType: toType, Type: m.Type, Content: m.Content, Ext: m.Ext, Config: m.Config, Attachment: m.Attachment}
	if err := s.ResignAttachment(ctx, &fwd, to, toType == ToGroup); err != nil {
		return 0, err
	}
	return s.c.PostMessage(fwd)
}

// Local search (makeSearch).

// SearchResult is the result of Search (makeSearch's {rosterArr,
// groupArr}).
type SearchResult struct {
	Rosters []RosterHit // rosterArr
	Groups  []GroupHit  // groupArr
}

// RosterHit is a friend whose name matched (Content empty) or a one-to-one
// message that matched (Content = its text).
type RosterHit struct {
	UserID   uint64 // user_id
	Username string // username (the alias or nick name when there is one)
	Avatar   string // avatar
	Content  string // content: the matching message text, if any
}

// GroupHit is a group whose name matched (Content empty) or a group
// message that matched.
type GroupHit struct {
	GroupID uint64 // group_id
	Name    string // name
	Content string // content: the matching message text, if any
}

// Search looks keyword up, case-insensitively, in the cached friends
// (user name, nick name, alias), the cached groups (name) and the text of
// the stored messages of the conversation list, without I/O (makeSearch).
// Friends and groups come first, in id order, then message hits in
// conversation-list order, oldest message first.
func (s *SysManager) Search(keyword string) SearchResult {
	var res SearchResult
	kw := strings.ToLower(strings.TrimSpace(keyword))
	if kw == "" {
		return res
	}
	match := func(fields ...string) bool {
		for _, f := range fields {
			if f != "" && strings.Contains(strings.ToLower(f), kw) {
				return true
			}
		}
		return false
	}
	st, _ := s.c.mgrView()
	friends := append([]uint64(nil), st.rosterIDs...)
	rosters := make(map[uint64]RosterItem, len(st.rosters))
	for id, v := range st.rosters {
		rosters[id] = parseRosterItem(v)
	}
	groups := make(map[uint64]GroupInfo, len(st.groups))
	gids := make([]uint64, 0, len(st.groups))
	for id, v := range st.groups {
		groups[id] = parseGroupInfo(v)
		gids = append(gids, id)
	}
	st.mu.Unlock()
	slices.Sort(friends)
	slices.Sort(gids)

	hit := func(uid uint64, content string) RosterHit {
		it := rosters[uid]
		name := it.Username
		if it.NickName != "" {
			name = it.NickName
		}
		if it.Alias != "" {
			name = it.Alias
		}
		return RosterHit{UserID: uid, Username: name, Avatar: it.Avatar, Content: content}
	}
	for _, uid := range friends {
		if it, ok := rosters[uid]; ok && match(it.Username, it.NickName, it.Alias) {
			res.Rosters = append(res.Rosters, hit(uid, ""))
		}
	}
	for _, gid := range gids {
		if g := groups[gid]; match(g.Name) {
			res.Groups = append(res.Groups, GroupHit{GroupID: gid, Name: g.Name})
		}
	}
	for _, e := range s.c.convs.list() {
		for _, m := range s.c.cache.List(e.ID) {
			if (m.Type != TypeText && m.Type != "") || !match(m.Content) {
				continue
			}
			if e.Type == ToGroup {
				res.Groups = append(res.Groups, GroupHit{GroupID: e.ID, Name: groups[e.ID].Name, Content: m.Content})
			} else {
				res.Rosters = append(res.Rosters, hit(e.ID, m.Content))
			}
		}
	}
	return res
}

// Group and mention sends (sendGroupMessage, sendMentionMessage).

// MentionOptions is the mention part of a group text (sendMentionMessage,
// PROTOCOL.md §12.2).
type MentionOptions struct {
	All              bool     // mentionAll: the whole group
	UIDs             []uint64 // mentionList: the users mentioned
	MentionedMessage string   // mentionedMessage: the text shown to them
	PushMessage      string   // pushMessage: the push notification text
	SenderNickname   string   // senderNickname
}

// MentionConfig returns the message config of a mention, with the uids as
// JSON numbers, as the official clients write them (PROTOCOL.md §12.2).
func MentionConfig(o MentionOptions) string {
	var w jsonv.Writer
	w.BeginObject()
	w.Key("mentionAll")
	w.Bool(o.All)
	w.Key("mentionList")
	w.BeginArray()
	for _, uid := range o.UIDs {
		w.Uint(uid)
	}
	w.EndArray()
	w.Key("mentionedMessage")
	w.String(o.MentionedMessage)
	w.Key("pushMessage")
	w.String(o.PushMessage)
	w.Key("senderNickname")
	w.String(o.SenderNickname)
	w.EndObject()
	return string(w.Bytes())
}

// PostGroupMessage queues message m for group m.To and returns its
// client_mid, as Client.PostMessage does (sendGroupMessage). When the
// group has read receipts on, it first adds config.groupMemberList, the
// uids of the other members, which is what asks the members' clients for
// read acks (PROTOCOL.md §8.2, §9.5). The group's settings and member list
// come from the caches, and are fetched once when not cached.
func (s *SysManager) PostGroupMessage(ctx lite.Context, m Message, opts ...SendOption) (uint64, error) {
	if err := needID("group id", m.To); err != nil {
		return 0, err
	}
	m.ToType = ToGroup
	if m.Config != "" {
		if _, err := jsonv.ParseString(m.Config); err != nil {
			return 0, ClientError("message: config is not valid JSON: " + err.Error())
		}
	}
	if err := s.AddReadReceipts(ctx, &m); err != nil {
		return 0, err
	}
	return s.c.PostMessage(m, opts...)
}

// PostMentionMessage queues a group text mentioning users
// (sendMentionMessage): MessageBody config = MentionConfig(mention), plus
// groupMemberList when the group has read receipts on. It returns the
// client_mid.
func (s *SysManager) PostMentionMessage(ctx lite.Context, gid uint64, text string, mention MentionOptions, opts ...SendOption) (uint64, error) {
	return s.PostGroupMessage(ctx, Message{To: gid, ToType: ToGroup, Type: TypeText, Content: text, Config: MentionConfig(mention)}, opts...)
}

// readReceiptMembers returns the uids of the other members of gid when the
// group has read receipts on, nil otherwise. The prefetched GroupBrief does
// not carry read_ack, so a group cached only from it is fetched once.
func (s *SysManager) readReceiptMembers(ctx lite.Context, gid uint64) ([]uint64, error) {
	st, _ := s.c.mgrView()
	v, cached := st.groups[gid]
	known := cached && v.Get("read_ack").Exists() && !st.groupStale[gid]
	st.mu.Unlock()
	var on bool
	if known {
		on, _ = v.Get("read_ack").Bool()
	} else {
		info, err := s.c.Group().Info(ctx, gid, true)
		if err != nil {
			return nil, err
		}
		on = info.ReadAck
	}
	if !on {
		return nil, nil
	}
	members, ok := s.c.Group().CachedMembers(gid)
	if !ok {
		var err error
		if members, err = s.c.Group().Members(ctx, gid); err != nil {
			return nil, err
		}
	}
	self := s.c.UID()
	out := make([]uint64, 0, len(members))
	for _, mb := range members {
		if mb.UserID != 0 && mb.UserID != self {
			out = append(out, mb.UserID)
		}
	}
	return out, nil
}
