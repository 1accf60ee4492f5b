package jsbridge

import (
	"errors"
	"syscall/js"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

// sysManage holds the methods of im.sysManage (JSAPI.md §7). getStaticVars
// is not among them: the npm facade answers it from a generated table
// (npm/src/staticvars.ts), which keeps the enum names out of the module.
var sysManage = []entry{
	{"sendRosterMessage", kSync, func(a *call) (any, error) {
		mid, err := a.core().PostMessage(a.message(core.ToRoster, "uid"))
		return idString(mid), err
	}},
	{"sendGroupMessage", kSync, func(a *call) (any, error) {
		m := a.message(core.ToGroup, "gid")
		prio := a.num(a.f("priority"), "priority", 0, 0, 1<<31-1)
		return a.c.postLater(m, []core.SendOption{core.WithPriority(uint32(prio))}, readReceipts(a.arg(1)))
	}},
	{"sendMentionMessage", kSync, func(a *call) (any, error) {
		m := core.Message{To: a.fid("gid"), ToType: core.ToGroup, Content: a.text(a.need(a.f("txt"), "txt"), "txt"),
			Config: core.MentionConfig(core.MentionOptions{
				All: a.fflag("mentionAll"), UIDs: a.fids("mentionList"), MentionedMessage: a.ftext("mentionedMessage"),
				PushMessage: a.ftext("pushMessage"), SenderNickname: a.fstr("senderNickname"),
			}),
			Ext: a.ftext("ext")}
		return a.c.postLater(m, nil, readReceipts(a.arg(1)))
	}},
	{"sendInputStatusMessage", kSync, func(a *call) (any, error) {
		return nil, a.core().SendInputStatus(a.id(a.arg(0), "uid"), a.str(a.arg(1), "status"))
	}},
	{"forwardMessage", kSync, forwardMessage},
	{"sendMessage", kAsync, func(*call) (any, error) {
		return nil, core.NewError(core.GeneralError, "sysManage.sendMessage(frame) sends the official client's internal frames "+
			"and is not supported: use sendRosterMessage or sendGroupMessage")
	}},
	{"requireHistoryMessage", kAsync, func(a *call) (any, error) {
		page, err := a.core().History(a.ctx, a.id(a.arg(0), "uid"), a.idOpt(a.arg(1), "sid"), a.num(a.arg(2), "amount", 0, 0, 1000))
		o := newObject()
		o.Set("next", idString(page.Next))
		return o, err
	}},
	{"getNoticeMessage", kSync, func(a *call) (any, error) { return noticesValue(a.core().Notices()), nil }},
	{"getMessageStatus", kSync, func(a *call) (any, error) {
		m, ok := a.core().Message(a.id(a.arg(0), "cid"), a.id(a.arg(1), "mid"))
		a.flag(a.arg(2), "isGroup", false)
		if !ok {
			return nil, nil
		}
		return statusName(m.Status), nil
	}},
	{"markMessageUnread", kSync, func(a *call) (any, error) {
		m, ok := a.core().MarkMessageUnreadLocal(a.id(a.arg(0), "cid"), a.id(a.arg(1), "mid"))
		a.flag(a.arg(2), "isGroup", false)
		if !ok {
			return js.Null(), nil
		}
		return messageValue(&m), nil
	}},
	{"getConversationDraft", kSync, func(a *call) (any, error) {
		id := a.id(a.arg(0), "id")
		a.convType(a.arg(1), false)
		return a.core().Draft(id), nil
	}},
	{"saveConversationDraft", kSync, func(a *call) (any, error) {
		a.core().SaveDraft(a.id(a.arg(0), "id"), a.convType(a.arg(1), true), a.text(a.arg(2), "draft"), a.timestamp(a.arg(3)))
		return nil, nil
	}},
	{"touchConversation", kSync, func(a *call) (any, error) {
		a.core().TouchConversation(a.id(a.arg(0), "id"), a.convType(a.arg(1), true), a.timestamp(a.arg(2)))
		return nil, nil
	}},
	{"deleteConversation", kAsync, func(a *call) (any, error) {
		return nil, a.core().DeleteConversation(a.ctx, a.id(a.arg(0), "id"), a.flag(a.arg(1), "other_devices", true))
	}},
	{"makeSearch", kSync, func(a *call) (any, error) {
		return searchValue(a.core().SearchMessages(a.str(a.arg(0), "keyword"))), nil
	}},
	{"getServers", kSync, func(a *call) (any, error) { return a.c.servers(a.args) }},
	{"getLinkServer", kSync, func(a *call) (any, error) {
		servers := a.sys().LinkServers()
		out := make([]any, len(servers))
		for i, d := range servers {
			out[i] = d
		}
		return out, nil
	}},
	// The app values below take the official optional appid, which can only
	// be this client's: it is checked for its type and otherwise unused.
	{"getAppConfig", kSync, func(a *call) (any, error) { a.str(a.arg(0), "appid"); return raw(a.sys().AppConfig()), nil }},
	{"getAppStatus", kSync, func(a *call) (any, error) { a.str(a.arg(0), "appid"); return a.sys().AppStatus(), nil }},
	{"getAccountVerification", kSync, func(a *call) (any, error) {
		a.str(a.arg(0), "appid")
		return raw(a.sys().AccountVerification()), nil
	}},
	{"getServerIp", kSync, func(a *call) (any, error) {
		a.str(a.arg(0), "appid")
		return raw(serverCluster(a.sys().DNSData())), nil
	}},
	{"aysncParseLink", kAsync, func(a *call) (any, error) {
		url, link := a.text(a.arg(0), "url"), a.text(a.field(1, "link"), "link")
		if url == "" {
			a.fail("url is required")
		}
		v, err := a.sys().ResolveLink(a.ctx, core.LinkURL(url, link))
		return raw(v), err
	}},
	{"aysncParseLinkV2", kAsync, parseLink},
}

// message reads the parameters of sendRosterMessage and sendGroupMessage:
// {uid | gid, content, type = "text", ext?, config?, attachment?}. config
// and attachment may be objects (serialized as the official client does)
// or JSON text; the engine checks them.
func (a *call) message(toType, idKey string) core.Message {
	return core.Message{
		To: a.fid(idKey), ToType: toType, Type: a.fstr("type"), Content: a.text(a.need(a.f("content"), "content"), "content"),
		Ext: a.ftext("ext"), Config: a.jsonText(a.f("config"), "config"),
		Attachment: a.jsonText(a.f("attachment"), "attachment"),
	}
}

// forwardMessage implements forwardMessage({uid | gid, message}): the
// message object (JSAPI.md §10) is sent again, its file URL re-signed for
// the target first when it has one.
func forwardMessage(a *call) (any, error) {
	to, toType := a.idOpt(a.f("uid"), "uid"), core.ToRoster
	if to == 0 {
		to, toType = a.idOpt(a.f("gid"), "gid"), core.ToGroup
	}
	if to == 0 {
		a.fail("uid or gid is required")
	}
	v := a.f("message")
	if v.Type() != js.TypeObject {
		a.fail("message must be a message object, got " + typeName(v))
	}
	m := core.Message{
		To: to, ToType: toType, Type: a.str(v.Get("type"), "message.type"), Content: a.text(v.Get("content"), "message.content"),
		Ext: a.jsonText(v.Get("ext"), "message.ext"), Config: a.jsonText(v.Get("config"), "message.config"),
		Attachment: a.jsonText(v.Get("attach"), "message.attach"),
	}
	return a.c.postLater(m, nil, func(ctx lite.Context, m *core.Message) error {
		return a.sys().ResignAttachment(ctx, m, to, toType == core.ToGroup)
	})
}

// readReceipts returns the preparation of a group send (sendGroupMessage,
// sendMentionMessage). The group settings and member caches live in
// TypeScript (npm/src/managers/group.ts), so the npm facade passes, after
// the message, a function of the group id that resolves with the uids to
// list in config.groupMemberList when the group has read receipts on, or
// null (PROTOCOL.md §8.2, §9.5); it fetches what its caches miss. It is
// called only once the message was accepted, so that a refused send starts
// no request.
func readReceipts(members js.Value) func(lite.Context, *core.Message) error {
	return func(ctx lite.Context, m *core.Message) error {
		if members.Type() != js.TypeFunction {
			return nil
		}
		v, err := awaitPromise(ctx, members.Invoke(idString(m.To)))
		if err != nil {
			return flooErrorOf(err)
		}
		if typeName(v) != "array" {
			return nil
		}
		var w jsonv.Writer
		w.BeginObject()
		w.Key("groupMemberList")
		w.BeginArray()
		for i := range v.Length() {
			uid, err := argID(v.Index(i), "groupMemberList")
			if err != nil {
				return err
			}
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
}

// flooErrorOf turns a FlooError thrown by the npm facade back into the
// core error it describes (its SDK code, source, server code and URL), so
// that a failed preparation reports the same error as a failed Go call.
// Other errors are returned unchanged.
func flooErrorOf(err error) error {
	je, ok := errors.AsType[*JSError](err)
	if !ok || je.Name != "FlooError" {
		return err
	}
	v := je.Value
	code := core.GeneralError
	if n := v.Get("sdkCode"); n.Type() == js.TypeNumber {
		code = core.Code(n.Int())
	}
	ce := core.NewError(code, je.Message)
	if s := v.Get("source"); s.Type() == js.TypeString {
		ce.Source = core.Source(s.String())
	}
	if n := v.Get("serverCode"); n.Type() == js.TypeNumber {
		ce.ServerCode = n.Int()
	}
	if u := v.Get("url"); u.Type() == js.TypeString {
		ce.URL = u.String()
	}
	return ce
}

// postLater implements the sends that must return their client_mid at once
// but may need I/O first (sendGroupMessage, sendMentionMessage,
// forwardMessage): the mid is reserved now, prepare runs on a goroutine,
// and the message is queued under the reserved mid afterwards. Prepared
// sends are queued in call order, whatever order their preparations end
// in, so that two group messages cannot overtake each other. A failed
// preparation is reported by onSendingMessageStatusChanged, like any failed
// send.
//
// The mid is returned as a decimal string: the official client returns a
// number, which is exact only below 2^53 (JSAPI.md §14 deviations).
func (c *client) postLater(m core.Message, opts []core.SendOption, prepare func(lite.Context, *core.Message) error) (any, error) {
	mid, err := c.core.ReserveMessage(m, opts...)
	if err != nil {
		return nil, err
	}
	c.sendMu.Lock()
	prev := c.sendTail
	done := make(chan struct{})
	c.sendTail = done
	c.sendMu.Unlock()
	go func() {
		defer close(done)
		err := safeCall(func() error { return prepare(c.env.ctx, &m) })
		if prev != nil {
			select {
			case <-prev:
			case <-c.env.ctx.Done():
			}
		}
		c.core.PostReserved(mid, m, err, opts...)
	}()
	return idString(mid), nil
}

// parseLink implements aysncParseLinkV2(link): the link is resolved by the
// configured linkServer, else by the link servers of the DNS reply, the
// first one that answers.
func parseLink(a *call) (any, error) {
	link := a.text(a.arg(0), "link")
	if link == "" {
		a.fail("link is required")
	}
	servers := a.sys().LinkServers()
	if a.c.linkServer != "" {
		servers = append([]string{a.c.linkServer}, servers...)
	}
	err := error(core.NewError(core.ServerInvalid, "no link server is known: set config.linkServer"))
	for _, srv := range servers {
		var v jsonv.Value
		if v, err = a.sys().ResolveLink(a.ctx, core.LinkURL(srv, link)); err == nil {
			return raw(v), nil
		}
	}
	return nil, err
}

// serverCluster returns the cluster in use from a DnsData object: the first
// cluster of the dns_list entry with group_level 0 (REST.md §3), with its
// hosts and their ip_list (getServerIp).
func serverCluster(d jsonv.Value) jsonv.Value {
	for _, e := range d.Get("dns_list").Elements() {
		if lvl, _ := e.Get("group_level").AsInt64(); lvl == 0 {
			return e.Get("clusters").Index(0)
		}
	}
	return jsonv.Value{}
}

// field returns field key of argument i, which must be an object when
// present.
func (a *call) field(i int, key string) js.Value {
	o := a.arg(i)
	if isNullish(o) {
		return undefined
	}
	if o.Type() != js.TypeObject {
		a.fail("argument " + itoa(i+1) + " must be an object, got " + typeName(o))
	}
	return o.Get(key)
}

// convType reads a conversation type, "roster" or "group"; missing reads
// as "" unless required.
func (a *call) convType(v js.Value, required bool) string {
	t := a.str(v, "type")
	if t != core.ToRoster && t != core.ToGroup && (required || t != "") {
		a.fail(`type must be "roster" or "group"`)
	}
	return t
}

// timestamp reads an optional timestamp in milliseconds (a number or a
// decimal string); missing reads as now.
func (a *call) timestamp(v js.Value) uint64 {
	if ts := a.idOpt(v, "timestamp"); ts != 0 {
		return ts
	}
	return uint64(lite.Now().UnixMilli())
}
