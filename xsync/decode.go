package xsync

import "math"

// Decoding accepts both proto3 output and the proto2-style output of the
// official clients (zero values written explicitly): absence means zero.
//
//   - Unknown fields of every wire type are skipped, including groups, at any
//     position; unknown enum values are kept as they are.
//   - A scalar field that appears twice keeps the last value. An embedded
//     message that appears twice is merged (fields of the second occurrence
//     override or, for repeated fields, extend the first), as protobuf
//     requires. Repeated fields append.
//   - uint32, enum and bool fields take the low 32 bits (resp. non-zero) of a
//     64-bit varint, as protobuf runtimes do. Strings need not be valid UTF-8.
//   - Empty bytes fields and absent repeated fields decode as nil, so that a
//     decoded value deep-equals the value that was encoded.
//   - Malformed input returns an error wrapping ErrTruncated, ErrOverflow,
//     ErrWireType, ErrFieldNumber, ErrTooLarge or ErrGroup, never panics,
//     and never allocates before checking a declared length against the
//     input that remains.
//
// Compared with protobuf-go on the same schema, this decoder accepts and
// rejects the same inputs with two deliberate exceptions: a known field with
// the wrong wire type is an error here (protobuf-go skips it as unknown), and
// strings that are not valid UTF-8 are accepted here (protobuf-go rejects
// them in proto3 files) because the official clients do not validate them.
//
// Memory: decoding makes one copy of the input for all bytes fields of one
// Unmarshal call (payloads alias that copy, never the caller's buffer), and
// one string copy per message for that message's string fields. Repeated
// messages and the XIDs under them are allocated in slabs sized from a first
// pass over the input. So a retained payload, string or element keeps its
// siblings alive, and the whole decoded value costs a handful of
// allocations instead of one per field.

// maxGroupDepth bounds the nesting of unknown groups, as protobuf-go does.
const maxGroupDepth = 10000

// maxFieldNumber is the largest valid field number. Inside an unknown group
// protobuf-go skips tags up to math.MaxInt32 (a MessageSet allowance), and so
// does this decoder, so that both accept exactly the same inputs.
const (
	maxFieldNumber      = 1<<29 - 1
	maxGroupFieldNumber = math.MaxInt32
)

// decoder holds the state of one top-level decode. Positions are absolute
// offsets into src; each message decoder gets the [start, end) range of its
// own bytes.
type decoder struct {
	src []byte
	// alias lets bytes fields point into src instead of a copy: used by the
	// Frame accessors, whose src is the payload the Frame already owns.
	alias bool
	// arena backs every bytes field (nil until the first one is seen).
	arena []byte

	// Slabs of structs handed out one by one. xidHint is how many XIDs the
	// enclosing message expects; it is capped by what the input can hold.
	xids    []XID
	xidHint int
	metas   []Meta
	unread  []ConversationUnread
}

// varint decodes the varint at src[i:end] and returns it with the position
// after it.
func (d *decoder) varint(i, end int) (uint64, int, error) {
	if i < end {
		if c := d.src[i]; c < 0x80 {
			return uint64(c), i + 1, nil
		}
	}
	return d.varintSlow(i, end)
}

func (d *decoder) varintSlow(i, end int) (uint64, int, error) {
	if end-i >= 10 {
		// Enough input for the longest varint: no end check per byte.
		b := d.src[i : i+10]
		var v uint64
		for k := 0; k < 9; k++ {
			c := b[k]
			v |= uint64(c&0x7f) << (7 * k)
			if c < 0x80 {
				return v, i + k + 1, nil
			}
		}
		if b[9] > 1 {
			return 0, i + 10, ErrOverflow // the 10th byte may only hold bit 63
		}
		return v | uint64(b[9])<<63, i + 10, nil
	}
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if i >= end {
			return 0, i, ErrTruncated
		}
		c := d.src[i]
		i++
		if shift == 63 && c > 1 {
			return 0, i, ErrOverflow // the 10th byte may only hold bit 63
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, i, nil
		}
	}
	return 0, i, ErrOverflow
}

// tag decodes a field tag of a message.
func (d *decoder) tag(i, end int) (num, wt, next int, err error) {
	return d.tagMax(i, end, maxFieldNumber)
}

func (d *decoder) tagMax(i, end int, max uint64) (num, wt, next int, err error) {
	v, next, err := d.varint(i, end)
	if err != nil {
		return 0, 0, next, err
	}
	if v>>3 == 0 || v>>3 > max {
		return 0, 0, next, ErrFieldNumber
	}
	return int(v >> 3), int(v & 7), next, nil
}

// uvarint decodes a varint field value, checking its wire type.
func (d *decoder) uvarint(i, end, wt int) (uint64, int, error) {
	if wt != wtVarint {
		return 0, i, ErrWireType
	}
	return d.varint(i, end)
}

// span decodes the length of a length-delimited field and returns the range
// of its contents, checked against end before anything is allocated for it.
func (d *decoder) span(i, end, wt int) (s, e int, err error) {
	if wt != wtBytes {
		return i, i, ErrWireType
	}
	n, s, err := d.varint(i, end)
	if err != nil {
		return s, s, err
	}
	if n > uint64(end-s) {
		return s, s, ErrTooLarge
	}
	return s, s + int(n), nil
}

// bytes returns the contents of src[s:e] for a bytes field: nil when empty,
// else a slice of the arena with its capacity capped so that appending to it
// cannot overwrite a neighbour.
func (d *decoder) bytes(s, e int) []byte {
	if s == e {
		return nil
	}
	if d.arena == nil {
		if d.alias {
			d.arena = d.src
		} else {
			d.arena = append([]byte(nil), d.src...)
		}
	}
	return d.arena[s:e:e]
}

// strs hands out the string fields of one message from a single string copy
// of that message's bytes, made when the first non-empty string is seen.
type strs struct {
	s    string
	base int
}

func (a *strs) get(d *decoder, start, end, s, e int) string {
	if s == e {
		return ""
	}
	if a.s == "" {
		a.s = string(d.src[start:end])
		a.base = start
	}
	return a.s[s-a.base : e-a.base]
}

// skip skips the value of an unknown field and returns the position after it.
func (d *decoder) skip(i, end, num, wt, depth int) (int, error) {
	switch wt {
	case wtVarint:
		_, j, err := d.varint(i, end)
		return j, err
	case wtFixed64:
		if end-i < 8 {
			return end, ErrTruncated
		}
		return i + 8, nil
	case wtFixed32:
		if end-i < 4 {
			return end, ErrTruncated
		}
		return i + 4, nil
	case wtBytes:
		_, e, err := d.span(i, end, wt)
		return e, err
	case wtStartGroup:
		if depth <= 0 {
			return i, ErrGroup
		}
		for {
			if i >= end {
				return i, ErrGroup // no end-group tag
			}
			num2, wt2, j, err := d.tagMax(i, end, maxGroupFieldNumber)
			if err != nil {
				return j, err
			}
			if wt2 == wtEndGroup {
				if num2 != num {
					return j, ErrGroup
				}
				return j, nil
			}
			if i, err = d.skip(j, end, num2, wt2, depth-1); err != nil {
				return i, err
			}
		}
	case wtEndGroup:
		return i, ErrGroup // an end-group tag outside any group
	default:
		return i, ErrWireType // 6 and 7 are not wire types
	}
}

// skipUnknown skips an unknown field and decorates its error.
func (d *decoder) skipUnknown(i, end, num, wt int) (int, error) {
	j, err := d.skip(i, end, num, wt, maxGroupDepth)
	if err != nil {
		return j, inUnknownField(err, num)
	}
	return j, nil
}

// count returns how many times field want occurs length-delimited in
// src[i:end]. It sizes slabs before decoding; it stops quietly at malformed
// input, which the decoding pass then reports.
func (d *decoder) count(i, end, want int) int {
	n := 0
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return n
		}
		if num == want && wt == wtBytes {
			n++
		}
		if i, err = d.skip(j, end, num, wt, maxGroupDepth); err != nil {
			return n
		}
	}
	return n
}

// newXID returns a zeroed XID from the slab, refilling it when empty. The
// refill is capped by the number of XIDs the rest of the input could hold
// (each takes at least 2 bytes), so hostile counts cannot inflate it.
func (d *decoder) newXID(pos int) *XID {
	if len(d.xids) == 0 {
		n := d.xidHint
		if limit := (len(d.src)-pos)/2 + 1; n > limit {
			n = limit
		}
		if n < 1 {
			n = 1
		}
		d.xids = make([]XID, n)
		d.xidHint = 1
	}
	x := &d.xids[0]
	d.xids = d.xids[1:]
	return x
}

func (d *decoder) newMeta() *Meta {
	if len(d.metas) == 0 {
		return new(Meta)
	}
	m := &d.metas[0]
	d.metas = d.metas[1:]
	return m
}

func (d *decoder) newUnread() *ConversationUnread {
	if len(d.unread) == 0 {
		return new(ConversationUnread)
	}
	u := &d.unread[0]
	d.unread = d.unread[1:]
	return u
}

// xidField decodes an embedded XID into *p, merging into an existing one.
func (d *decoder) xidField(p **XID, i, end, wt int) (int, error) {
	s, e, err := d.span(i, end, wt)
	if err != nil {
		return e, err
	}
	if *p == nil {
		*p = d.newXID(s)
	}
	return e, (*p).decode(d, s, e)
}

// statusField decodes an embedded Status into *p, merging into an existing one.
func (d *decoder) statusField(p **Status, i, end, wt int) (int, error) {
	s, e, err := d.span(i, end, wt)
	if err != nil {
		return e, err
	}
	if *p == nil {
		*p = new(Status)
	}
	return e, (*p).decode(d, s, e)
}

// growXIDHint raises the XID hint to n.
func (d *decoder) growXIDHint(n int) {
	if d.xidHint < n {
		d.xidHint = n
	}
}

// Field names by number, for error paths.
var (
	frameFields        = [...]string{1: "vsn", 2: "compress_method", 3: "command", 4: "payload", 5: "encrypt_method", 6: "encrypt_key", 7: "check_sum", 8: "tag"}
	statusFields       = [...]string{1: "code", 2: "reason"}
	xidFields          = [...]string{1: "uid", 2: "deviceSN"}
	convUnreadFields   = [...]string{1: "xid", 2: "n", 3: "type"}
	syncULFields       = [...]string{1: "xid", 2: "key", 3: "meta", 4: "is_full_sync", 5: "full_sync_num"}
	syncDLFields       = [...]string{1: "status", 2: "metas", 3: "next_key", 4: "xid", 5: "client_mid", 6: "server_mid", 7: "server_time", 8: "is_full_sync", 9: "prev_mid", 10: "is_eager_sync", 11: "edit_timestamp"}
	provisionFields    = [...]string{1: "status", 2: "xid", 5: "password", 6: "token", 7: "os_type", 8: "sdk_vsn", 9: "is_manual_login", 10: "device_guid", 11: "device_notifier", 12: "device_token", 13: "device_info", 14: "last_login_time"}
	metaFields         = [...]string{1: "id", 2: "from", 3: "to", 4: "timestamp", 5: "ns", 6: "payload"}
	msgOpFields        = [...]string{1: "type", 2: "mid", 3: "xid"}
	msgBodyFields      = [...]string{1: "type", 4: "content", 5: "ctype", 6: "operation", 7: "config", 8: "attachment", 9: "ext", 10: "qos", 11: "sender_name", 12: "is_system", 13: "priority", 14: "status", 15: "edit_timestamp"}
	groupNoticeFields  = [...]string{1: "type", 2: "gid", 3: "from", 4: "to", 5: "content"}
	rosterNoticeFields = [...]string{1: "type", 2: "from", 3: "to", 4: "content", 5: "roster_vsn"}
	userNoticeFields   = [...]string{1: "type", 2: "content"}
	infoFields         = [...]string{1: "sdk_vsn", 2: "network", 3: "content"}
	convOpFields       = [...]string{1: "type", 2: "xid"}
	conversationFields = [...]string{1: "type", 2: "operation"}
	rtcSignalFields    = [...]string{1: "type", 2: "content", 3: "media_server"}
)

// topLevel finishes an Unmarshal: it names the message in the error path.
func topLevel(err error, name string) error {
	if err != nil {
		return inField(err, name, -1)
	}
	return nil
}

// Unmarshal resets m and decodes b into it. m does not alias b.
func (m *Frame) Unmarshal(b []byte) error {
	*m = Frame{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "Frame")
}

func (m *Frame) decode(d *decoder, i, end int) error {
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		var v uint64
		switch num {
		case 1:
			v, i, err = d.uvarint(j, end, wt)
			m.Vsn = Vsn(v)
		case 2:
			v, i, err = d.uvarint(j, end, wt)
			m.CompressMethod = CompressMethod(v)
		case 3:
			v, i, err = d.uvarint(j, end, wt)
			m.Command = Command(v)
		case 4:
			var s int
			if s, i, err = d.span(j, end, wt); err == nil {
				m.Payload = d.bytes(s, i)
			}
		case 5:
			v, i, err = d.uvarint(j, end, wt)
			m.EncryptMethod = EncryptMethod(v)
		case 6:
			var s int
			if s, i, err = d.span(j, end, wt); err == nil {
				m.EncryptKey = d.bytes(s, i)
			}
		case 7:
			v, i, err = d.uvarint(j, end, wt)
			m.CheckSum = uint32(v)
		case 8:
			// Not through strs: a frame is mostly payload, and a rare tag
			// should not pin a copy of all of it.
			var s int
			if s, i, err = d.span(j, end, wt); err == nil {
				m.Tag = string(d.src[s:i])
			}
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, frameFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it. m does not alias b.
func (m *Status) Unmarshal(b []byte) error {
	*m = Status{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "Status")
}

func (m *Status) decode(d *decoder, i, end int) error {
	start := i
	var ss strs
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		switch num {
		case 1:
			var v uint64
			v, i, err = d.uvarint(j, end, wt)
			m.Code = StatusCode(v)
		case 2:
			var s int
			if s, i, err = d.span(j, end, wt); err == nil {
				m.Reason = ss.get(d, start, end, s, i)
			}
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, statusFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it.
func (m *XID) Unmarshal(b []byte) error {
	*m = XID{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "XID")
}

func (m *XID) decode(d *decoder, i, end int) error {
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		switch num {
		case 1:
			m.Uid, i, err = d.uvarint(j, end, wt)
		case 2:
			var v uint64
			v, i, err = d.uvarint(j, end, wt)
			m.DeviceSN = uint32(v)
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, xidFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it. m does not alias b.
func (m *ConversationUnread) Unmarshal(b []byte) error {
	*m = ConversationUnread{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "ConversationUnread")
}

func (m *ConversationUnread) decode(d *decoder, i, end int) error {
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		var v uint64
		switch num {
		case 1:
			i, err = d.xidField(&m.Xid, j, end, wt)
		case 2:
			v, i, err = d.uvarint(j, end, wt)
			m.N = uint32(v)
		case 3:
			v, i, err = d.uvarint(j, end, wt)
			m.Type = ConvType(v)
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, convUnreadFields[num], -1)
		}
	}
	return nil
}

// Unmarshal checks that b is well-formed; UnreadUL has no fields, so every
// field of b is unknown and skipped.
func (m *UnreadUL) Unmarshal(b []byte) error {
	d := decoder{src: b}
	for i := 0; i < len(b); {
		num, wt, j, err := d.tag(i, len(b))
		if err != nil {
			return topLevel(err, "UnreadUL")
		}
		if i, err = d.skipUnknown(j, len(b), num, wt); err != nil {
			return topLevel(err, "UnreadUL")
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it. m does not alias b.
func (m *UnreadDL) Unmarshal(b []byte) error {
	*m = UnreadDL{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "UnreadDL")
}

func (m *UnreadDL) decode(d *decoder, i, end int) error {
	if n := d.count(i, end, 2); n > 0 {
		d.unread = make([]ConversationUnread, n)
		m.Unread = make([]*ConversationUnread, 0, n)
		d.growXIDHint(n)
	}
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		switch num {
		case 1:
			i, err = d.statusField(&m.Status, j, end, wt)
		case 2:
			idx := len(m.Unread)
			var s int
			if s, i, err = d.span(j, end, wt); err == nil {
				u := d.newUnread()
				m.Unread = append(m.Unread, u)
				err = u.decode(d, s, i)
			}
			if err != nil {
				return inField(err, "unread", idx)
			}
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, "status", -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it. m does not alias b.
func (m *SyncUL) Unmarshal(b []byte) error {
	*m = SyncUL{}
	d := decoder{src: b, xidHint: 3} // xid, meta.from, meta.to
	return topLevel(m.decode(&d, 0, len(b)), "SyncUL")
}

func (m *SyncUL) decode(d *decoder, i, end int) error {
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		var v uint64
		switch num {
		case 1:
			i, err = d.xidField(&m.Xid, j, end, wt)
		case 2:
			m.Key, i, err = d.uvarint(j, end, wt)
		case 3:
			var s int
			if s, i, err = d.span(j, end, wt); err == nil {
				if m.Meta == nil {
					m.Meta = d.newMeta()
				}
				err = m.Meta.decode(d, s, i)
			}
		case 4:
			v, i, err = d.uvarint(j, end, wt)
			m.IsFullSync = v != 0
		case 5:
			v, i, err = d.uvarint(j, end, wt)
			u := uint32(v)
			m.FullSyncNum = int32(u>>1) ^ -int32(u&1)
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, syncULFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it. m does not alias b.
func (m *SyncDL) Unmarshal(b []byte) error {
	*m = SyncDL{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "SyncDL")
}

func (m *SyncDL) decode(d *decoder, i, end int) error {
	if n := d.count(i, end, 2); n > 0 {
		d.metas = make([]Meta, n)
		m.Metas = make([]*Meta, 0, n)
		d.growXIDHint(2*n + 1) // from and to of each meta, plus xid
	}
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		var v uint64
		switch num {
		case 1:
			i, err = d.statusField(&m.Status, j, end, wt)
		case 2:
			idx := len(m.Metas)
			var s int
			if s, i, err = d.span(j, end, wt); err == nil {
				x := d.newMeta()
				m.Metas = append(m.Metas, x)
				err = x.decode(d, s, i)
			}
			if err != nil {
				return inField(err, "metas", idx)
			}
		case 3:
			m.NextKey, i, err = d.uvarint(j, end, wt)
		case 4:
			i, err = d.xidField(&m.Xid, j, end, wt)
		case 5:
			m.ClientMid, i, err = d.uvarint(j, end, wt)
		case 6:
			m.ServerMid, i, err = d.uvarint(j, end, wt)
		case 7:
			m.ServerTime, i, err = d.uvarint(j, end, wt)
		case 8:
			v, i, err = d.uvarint(j, end, wt)
			m.IsFullSync = v != 0
		case 9:
			m.PrevMid, i, err = d.uvarint(j, end, wt)
		case 10:
			v, i, err = d.uvarint(j, end, wt)
			m.IsEagerSync = v != 0
		case 11:
			m.EditTimestamp, i, err = d.uvarint(j, end, wt)
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, syncDLFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it.
func (m *Notice) Unmarshal(b []byte) error {
	*m = Notice{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "Notice")
}

func (m *Notice) decode(d *decoder, i, end int) error {
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		switch num {
		case 1:
			i, err = d.xidField(&m.Xid, j, end, wt)
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, "xid", -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it. m does not alias b.
func (m *Provision) Unmarshal(b []byte) error {
	*m = Provision{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "Provision")
}

func (m *Provision) decode(d *decoder, i, end int) error {
	start := i
	var ss strs
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		var v uint64
		var p *string
		switch num {
		case 1:
			i, err = d.statusField(&m.Status, j, end, wt)
		case 2:
			i, err = d.xidField(&m.Xid, j, end, wt)
		case 5:
			p = &m.Password
		case 6:
			p = &m.Token
		case 7:
			v, i, err = d.uvarint(j, end, wt)
			m.OsType = OsType(v)
		case 8:
			p = &m.SdkVsn
		case 9:
			v, i, err = d.uvarint(j, end, wt)
			m.IsManualLogin = v != 0
		case 10:
			p = &m.DeviceGuid
		case 11:
			p = &m.DeviceNotifier
		case 12:
			p = &m.DeviceToken
		case 13:
			p = &m.DeviceInfo
		case 14:
			m.LastLoginTime, i, err = d.uvarint(j, end, wt)
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if p != nil {
			var s int
			if s, i, err = d.span(j, end, wt); err == nil {
				*p = ss.get(d, start, end, s, i)
			}
		}
		if err != nil {
			return inField(err, provisionFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it. m does not alias b.
func (m *Meta) Unmarshal(b []byte) error {
	*m = Meta{}
	d := decoder{src: b, xidHint: 2}
	return topLevel(m.decode(&d, 0, len(b)), "Meta")
}

func (m *Meta) decode(d *decoder, i, end int) error {
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		switch num {
		case 1:
			m.Id, i, err = d.uvarint(j, end, wt)
		case 2:
			i, err = d.xidField(&m.From, j, end, wt)
		case 3:
			i, err = d.xidField(&m.To, j, end, wt)
		case 4:
			m.Timestamp, i, err = d.uvarint(j, end, wt)
		case 5:
			var v uint64
			v, i, err = d.uvarint(j, end, wt)
			m.Ns = NameSpace(v)
		case 6:
			var s int
			if s, i, err = d.span(j, end, wt); err == nil {
				m.Payload = d.bytes(s, i)
			}
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, metaFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it.
func (m *MessageOperation) Unmarshal(b []byte) error {
	*m = MessageOperation{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "MessageOperation")
}

func (m *MessageOperation) decode(d *decoder, i, end int) error {
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		switch num {
		case 1:
			var v uint64
			v, i, err = d.uvarint(j, end, wt)
			m.Type = OpType(v)
		case 2:
			m.Mid, i, err = d.uvarint(j, end, wt)
		case 3:
			i, err = d.xidField(&m.Xid, j, end, wt)
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, msgOpFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it. m does not alias b.
func (m *MessageBody) Unmarshal(b []byte) error {
	*m = MessageBody{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "MessageBody")
}

func (m *MessageBody) decode(d *decoder, i, end int) error {
	start := i
	var ss strs
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		var v uint64
		var p *string
		switch num {
		case 1:
			v, i, err = d.uvarint(j, end, wt)
			m.Type = MessageType(v)
		case 4:
			p = &m.Content
		case 5:
			v, i, err = d.uvarint(j, end, wt)
			m.Ctype = ContentType(v)
		case 6:
			var s int
			if s, i, err = d.span(j, end, wt); err == nil {
				if m.Operation == nil {
					m.Operation = new(MessageOperation)
				}
				err = m.Operation.decode(d, s, i)
			}
		case 7:
			p = &m.Config
		case 8:
			p = &m.Attachment
		case 9:
			p = &m.Ext
		case 10:
			v, i, err = d.uvarint(j, end, wt)
			m.Qos = QoS(v)
		case 11:
			p = &m.SenderName
		case 12:
			v, i, err = d.uvarint(j, end, wt)
			m.IsSystem = v != 0
		case 13:
			v, i, err = d.uvarint(j, end, wt)
			m.Priority = uint32(v)
		case 14:
			v, i, err = d.uvarint(j, end, wt)
			m.Status = MessageStatus(v)
		case 15:
			m.EditTimestamp, i, err = d.uvarint(j, end, wt)
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if p != nil {
			var s int
			if s, i, err = d.span(j, end, wt); err == nil {
				*p = ss.get(d, start, end, s, i)
			}
		}
		if err != nil {
			return inField(err, msgBodyFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it. m does not alias b.
func (m *GroupNotice) Unmarshal(b []byte) error {
	*m = GroupNotice{}
	d := decoder{src: b, xidHint: 2}
	return topLevel(m.decode(&d, 0, len(b)), "GroupNotice")
}

func (m *GroupNotice) decode(d *decoder, i, end int) error {
	start := i
	var ss strs
	if n := d.count(i, end, 4); n > 0 {
		m.To = make([]*XID, 0, n)
		d.growXIDHint(n + 2)
	}
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		switch num {
		case 1:
			var v uint64
			v, i, err = d.uvarint(j, end, wt)
			m.Type = GroupNoticeType(v)
		case 2:
			i, err = d.xidField(&m.Gid, j, end, wt)
		case 3:
			i, err = d.xidField(&m.From, j, end, wt)
		case 4:
			var x *XID
			i, err = d.xidField(&x, j, end, wt)
			if err != nil {
				return inField(err, "to", len(m.To))
			}
			m.To = append(m.To, x)
		case 5:
			var s int
			if s, i, err = d.span(j, end, wt); err == nil {
				m.Content = ss.get(d, start, end, s, i)
			}
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, groupNoticeFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it. m does not alias b.
func (m *RosterNotice) Unmarshal(b []byte) error {
	*m = RosterNotice{}
	d := decoder{src: b, xidHint: 1}
	return topLevel(m.decode(&d, 0, len(b)), "RosterNotice")
}

func (m *RosterNotice) decode(d *decoder, i, end int) error {
	start := i
	var ss strs
	if n := d.count(i, end, 3); n > 0 {
		m.To = make([]*XID, 0, n)
		d.growXIDHint(n + 1)
	}
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		var s int
		switch num {
		case 1:
			var v uint64
			v, i, err = d.uvarint(j, end, wt)
			m.Type = RosterNoticeType(v)
		case 2:
			i, err = d.xidField(&m.From, j, end, wt)
		case 3:
			var x *XID
			i, err = d.xidField(&x, j, end, wt)
			if err != nil {
				return inField(err, "to", len(m.To))
			}
			m.To = append(m.To, x)
		case 4:
			if s, i, err = d.span(j, end, wt); err == nil {
				m.Content = ss.get(d, start, end, s, i)
			}
		case 5:
			if s, i, err = d.span(j, end, wt); err == nil {
				m.RosterVsn = ss.get(d, start, end, s, i)
			}
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, rosterNoticeFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it. m does not alias b.
func (m *UserNotice) Unmarshal(b []byte) error {
	*m = UserNotice{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "UserNotice")
}

func (m *UserNotice) decode(d *decoder, i, end int) error {
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		switch num {
		case 1:
			var v uint64
			v, i, err = d.uvarint(j, end, wt)
			m.Type = UserNoticeType(v)
		case 2:
			// The only string: copy just it rather than the whole message.
			var s int
			if s, i, err = d.span(j, end, wt); err == nil {
				m.Content = string(d.src[s:i])
			}
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, userNoticeFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it. m does not alias b.
func (m *Info) Unmarshal(b []byte) error {
	*m = Info{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "Info")
}

func (m *Info) decode(d *decoder, i, end int) error {
	start := i
	var ss strs
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		var s int
		switch num {
		case 1:
			if s, i, err = d.span(j, end, wt); err == nil {
				m.SdkVsn = ss.get(d, start, end, s, i)
			}
		case 2:
			var v uint64
			v, i, err = d.uvarint(j, end, wt)
			m.Network = Network(v)
		case 3:
			if s, i, err = d.span(j, end, wt); err == nil {
				m.Content = ss.get(d, start, end, s, i)
			}
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, infoFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it.
func (m *ConversationOperation) Unmarshal(b []byte) error {
	*m = ConversationOperation{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "ConversationOperation")
}

func (m *ConversationOperation) decode(d *decoder, i, end int) error {
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		switch num {
		case 1:
			var v uint64
			v, i, err = d.uvarint(j, end, wt)
			m.Type = ConversationOpType(v)
		case 2:
			i, err = d.xidField(&m.Xid, j, end, wt)
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, convOpFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it.
func (m *Conversation) Unmarshal(b []byte) error {
	*m = Conversation{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "Conversation")
}

func (m *Conversation) decode(d *decoder, i, end int) error {
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		switch num {
		case 1:
			var v uint64
			v, i, err = d.uvarint(j, end, wt)
			m.Type = ConversationType(v)
		case 2:
			var s int
			if s, i, err = d.span(j, end, wt); err == nil {
				if m.Operation == nil {
					m.Operation = new(ConversationOperation)
				}
				err = m.Operation.decode(d, s, i)
			}
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, conversationFields[num], -1)
		}
	}
	return nil
}

// Unmarshal resets m and decodes b into it. m does not alias b.
func (m *RtcSignal) Unmarshal(b []byte) error {
	*m = RtcSignal{}
	d := decoder{src: b}
	return topLevel(m.decode(&d, 0, len(b)), "RtcSignal")
}

func (m *RtcSignal) decode(d *decoder, i, end int) error {
	start := i
	var ss strs
	for i < end {
		num, wt, j, err := d.tag(i, end)
		if err != nil {
			return err
		}
		var s int
		switch num {
		case 1:
			var v uint64
			v, i, err = d.uvarint(j, end, wt)
			m.Type = RtcSignalType(v)
		case 2:
			if s, i, err = d.span(j, end, wt); err == nil {
				m.Content = ss.get(d, start, end, s, i)
			}
		case 3:
			if s, i, err = d.span(j, end, wt); err == nil {
				m.MediaServer = ss.get(d, start, end, s, i)
			}
		default:
			if i, err = d.skipUnknown(j, end, num, wt); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return inField(err, rtcSignalFields[num], -1)
		}
	}
	return nil
}
