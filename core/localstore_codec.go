package core

import (
	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/xsync"
)

// The values of the local store's records (localstore.go) are encoded by
// the engine, so that every LocalStore keeps the same bytes: a record
// version byte, then the fields in a fixed order as unsigned varints and
// length-prefixed strings. It is smaller and cheaper than JSON, and a few
// dozen lines instead of a dependency (encoding/binary is not linked into
// the wasm build).
//
// storeRecordVersion is the encoding of this version. A record of another
// version is skipped at load (the server rebuilds what it held); a future
// version that changes a record must bump it and decode the old one.
const storeRecordVersion = 1

type storeEnc []byte

func (e *storeEnc) u(v uint64) {
	for v >= 0x80 {
		*e = append(*e, byte(v)|0x80)
		v >>= 7
	}
	*e = append(*e, byte(v))
}

func (e *storeEnc) s(v string) {
	e.u(uint64(len(v)))
	*e = append(*e, v...)
}

func (e *storeEnc) b(v bool) {
	if v {
		e.u(1)
	} else {
		e.u(0)
	}
}

// ids writes an ascending id list as deltas, a few bytes per id.
func (e *storeEnc) ids(v []uint64) {
	e.u(uint64(len(v)))
	var prev uint64
	for _, id := range v {
		e.u(id - prev)
		prev = id
	}
}

// list writes ids in their order.
func (e *storeEnc) list(v []uint64) {
	e.u(uint64(len(v)))
	for _, id := range v {
		e.u(id)
	}
}

func newStoreEnc() storeEnc { return storeEnc{storeRecordVersion} }

// storeDec reads what storeEnc wrote; bad is set by the first read past
// the end or of a malformed value, after which reads return zeros.
type storeDec struct {
	b   []byte
	bad bool
}

func newStoreDec(b []byte) *storeDec {
	if len(b) == 0 || b[0] != storeRecordVersion {
		return &storeDec{bad: true}
	}
	return &storeDec{b: b[1:]}
}

func (d *storeDec) u() uint64 {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if len(d.b) == 0 {
			d.bad = true
			return 0
		}
		c := d.b[0]
		d.b = d.b[1:]
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	d.bad = true
	return 0
}

func (d *storeDec) s() string {
	n := d.u()
	if n > uint64(len(d.b)) {
		d.bad = true
		return ""
	}
	v := string(d.b[:n])
	d.b = d.b[n:]
	return v
}

func (d *storeDec) bl() bool { return d.u() != 0 }

func (d *storeDec) ids() []uint64 {
	n := d.u()
	if n > uint64(len(d.b)) { // at least a byte per id
		d.bad = true
		return nil
	}
	out := make([]uint64, 0, n)
	var prev uint64
	for i := uint64(0); i < n; i++ {
		prev += d.u()
		out = append(out, prev)
	}
	return out
}

func (d *storeDec) list() []uint64 {
	n := d.u()
	if n > uint64(len(d.b)) {
		d.bad = true
		return nil
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = d.u()
	}
	return out
}

func encodeMessage(e *storeEnc, m *Message) {
	e.u(m.ID)
	e.u(m.From)
	e.u(m.To)
	e.s(m.Type)
	e.s(m.Content)
	e.s(m.Ext)
	e.s(m.Config)
	e.s(m.Attachment)
	e.u(uint64(m.Status))
	e.u(m.Timestamp)
	e.s(m.ToType)
	e.b(m.IsSystem)
	e.b(m.IsPlayed)
	e.u(m.EditTimestamp)
	e.s(m.AppendedContent)
	e.s(m.AppendConfig)
	e.s(m.AppendExt)
	e.s(m.ReplaceConfig)
	e.s(m.ReplaceExt)
}

func decodeMessage(d *storeDec) Message {
	return Message{
		ID: d.u(), From: d.u(), To: d.u(),
		Type: d.s(), Content: d.s(), Ext: d.s(), Config: d.s(), Attachment: d.s(),
		Status: MessageStatus(d.u()), Timestamp: d.u(), ToType: d.s(),
		IsSystem: d.bl(), IsPlayed: d.bl(),
		EditTimestamp: d.u(), AppendedContent: d.s(), AppendConfig: d.s(), AppendExt: d.s(),
		ReplaceConfig: d.s(), ReplaceExt: d.s(),
	}
}

func encodeConversation(e *ConversationEntry) []byte {
	b := newStoreEnc()
	b.s(e.Type)
	b.s(e.Content)
	b.s(e.Ext)
	b.u(e.Timestamp)
	b.b(e.HasAt)
	b.s(e.Draft)
	b.u(e.DraftTimestamp)
	return b
}

func decodeConversation(id uint64, v []byte) (ConversationEntry, bool) {
	d := newStoreDec(v)
	e := ConversationEntry{ID: id, Type: d.s(), Content: d.s(), Ext: d.s(), Timestamp: d.u(), HasAt: d.bl(), Draft: d.s(), DraftTimestamp: d.u()}
	return e, !d.bad
}

func encodeUnread(s *unreadSet) []byte {
	b := newStoreEnc()
	b.u(uint64(s.untracked))
	b.u(s.floor)
	b.ids(s.ids)
	return b
}

func decodeUnread(v []byte) (*unreadSet, bool) {
	d := newStoreDec(v)
	s := &unreadSet{untracked: int(d.u()), floor: d.u(), ids: d.ids()}
	return s, !d.bad && s.count() > 0
}

func encodeSeen(s *seenIDs) []byte {
	b := newStoreEnc()
	b.u(s.floor)
	b.ids(s.ids)
	return b
}

func decodeSeen(v []byte) (*seenIDs, bool) {
	d := newStoreDec(v)
	s := &seenIDs{floor: d.u(), ids: d.ids()}
	return s, !d.bad
}

// encodeOutItem keeps what a send needs to go out again after a restart:
// the meta as written (its From is set again at every write), the message
// or operation for the events and the local application of its ack, and
// whether it was ever written to a connection.
func encodeOutItem(it *outItem) []byte {
	b := newStoreEnc()
	b.u(uint64(it.kind))
	b.u(it.conv)
	b.b(it.written)
	b.b(it.quiet)
	b.s(string(it.meta.Marshal()))
	encodeMessage(&b, &it.msg)
	b.u(uint64(it.op.typ))
	b.u(it.op.conv)
	b.u(it.op.mid)
	b.s(it.op.content)
	b.s(it.op.config)
	b.s(it.op.ext)
	return b
}

func decodeOutItem(cmid uint64, v []byte) (*outItem, bool) {
	d := newStoreDec(v)
	it := &outItem{cmid: cmid, kind: outKind(d.u()), conv: d.u(), written: d.bl(), quiet: d.bl()}
	raw := d.s()
	it.msg = decodeMessage(d)
	it.op = opData{typ: xsync.OpType(d.u()), conv: d.u(), mid: d.u(), content: d.s(), config: d.s(), ext: d.s()}
	if d.bad || it.kind > outConvOp {
		return nil, false
	}
	it.meta = &xsync.Meta{}
	if it.meta.Unmarshal([]byte(raw)) != nil || it.meta.Id != cmid {
		return nil, false
	}
	return it, true
}

func encodePrefetch(p *Prefetched) []byte {
	b := newStoreEnc()
	b.list(p.RosterIDs)
	b.list(p.GroupIDs)
	for _, v := range [...]jsonv.Value{p.Rosters, p.Groups, p.AppConfig} {
		if v.Exists() {
			b.s(v.String())
		} else {
			b.s("")
		}
	}
	return b
}

func decodePrefetch(v []byte) (Prefetched, bool) {
	d := newStoreDec(v)
	p := Prefetched{RosterIDs: d.list(), GroupIDs: d.list()}
	for _, dst := range [...]*jsonv.Value{&p.Rosters, &p.Groups, &p.AppConfig} {
		if s := d.s(); s != "" {
			*dst, _ = jsonv.ParseString(s)
		}
	}
	return p, !d.bad
}
