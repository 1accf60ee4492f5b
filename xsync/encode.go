package xsync

import "math/bits"

// Encoding is proto3 style: scalar fields equal to their zero value are
// omitted, every non-nil embedded message is written (possibly as an empty
// length-delimited field), and fields go out in ascending field-number order,
// so the output is deterministic. The one exception is Frame.command, which is
// always written (PROTOCOL.md §3.4) so that no frame is zero bytes long.
//
// Every field number in the schema is below 16, so every tag is one byte and
// is written as a constant.

// Wire types.
const (
	wtVarint     = 0
	wtFixed64    = 1
	wtBytes      = 2
	wtStartGroup = 3
	wtEndGroup   = 4
	wtFixed32    = 5
)

// sizeVarint returns the number of bytes of v as a varint.
func sizeVarint(v uint64) int {
	return int(9*uint32(bits.Len64(v))+64) / 64
}

// appendVarint appends v as a varint.
func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// zigzag32 maps a sint32 onto the varint written for it.
func zigzag32(v int32) uint64 { return uint64(uint32(v<<1) ^ uint32(v>>31)) }

// enumVarint is how int32 and enum values travel: sign-extended to 64 bits,
// so negative values take 10 bytes, as with every protobuf implementation.
func enumVarint(v int32) uint64 { return uint64(int64(v)) }

func sizeVarintField(v uint64) int {
	if v == 0 {
		return 0
	}
	return 1 + sizeVarint(v)
}

func sizeEnumField(v int32) int { return sizeVarintField(enumVarint(v)) }

func sizeBoolField(v bool) int {
	if v {
		return 2
	}
	return 0
}

// sizeLenField is the size of a string or bytes field of length n, which is
// omitted when n is 0.
func sizeLenField(n int) int {
	if n == 0 {
		return 0
	}
	return 1 + sizeVarint(uint64(n)) + n
}

// sizeMsgField is the size of a present embedded message of size n.
func sizeMsgField(n int) int { return 1 + sizeVarint(uint64(n)) + n }

func appendVarintField(b []byte, tag byte, v uint64) []byte {
	if v == 0 {
		return b
	}
	return appendVarint(append(b, tag), v)
}

func appendEnumField(b []byte, tag byte, v int32) []byte {
	return appendVarintField(b, tag, enumVarint(v))
}

func appendBoolField(b []byte, tag byte, v bool) []byte {
	if !v {
		return b
	}
	return append(b, tag, 1)
}

func appendStringField(b []byte, tag byte, s string) []byte {
	if len(s) == 0 {
		return b
	}
	b = appendVarint(append(b, tag), uint64(len(s)))
	return append(b, s...)
}

func appendBytesField(b []byte, tag byte, p []byte) []byte {
	if len(p) == 0 {
		return b
	}
	b = appendVarint(append(b, tag), uint64(len(p)))
	return append(b, p...)
}

// appendMsgHeader writes the tag and length of an embedded message of size n;
// the caller appends the message itself.
func appendMsgHeader(b []byte, tag byte, n int) []byte {
	return appendVarint(append(b, tag), uint64(n))
}

// Tags: field number << 3 | wire type.
const (
	t1v, t1b   = 1<<3 | wtVarint, 1<<3 | wtBytes
	t2v, t2b   = 2<<3 | wtVarint, 2<<3 | wtBytes
	t3v, t3b   = 3<<3 | wtVarint, 3<<3 | wtBytes
	t4v, t4b   = 4<<3 | wtVarint, 4<<3 | wtBytes
	t5v, t5b   = 5<<3 | wtVarint, 5<<3 | wtBytes
	t6v, t6b   = 6<<3 | wtVarint, 6<<3 | wtBytes
	t7v, t7b   = 7<<3 | wtVarint, 7<<3 | wtBytes
	t8v, t8b   = 8<<3 | wtVarint, 8<<3 | wtBytes
	t9v, t9b   = 9<<3 | wtVarint, 9<<3 | wtBytes
	t10v, t10b = 10<<3 | wtVarint, 10<<3 | wtBytes
	t11v, t11b = 11<<3 | wtVarint, 11<<3 | wtBytes
	t12v, t12b = 12<<3 | wtVarint, 12<<3 | wtBytes
	t13v, t13b = 13<<3 | wtVarint, 13<<3 | wtBytes
	t14v       = 14<<3 | wtVarint
	t15v       = 15<<3 | wtVarint
)

// Every message type implements Size, AppendMarshal and Marshal the same
// way: Size computes the exact encoded length, AppendMarshal appends the
// encoding to b (growing it if needed) and returns the extended slice,
// Marshal allocates exactly Size bytes and fills them. A nil receiver has size
// 0, and Marshal returns nil rather than an empty slice for any message that
// encodes to nothing, matching how decoding produces nil for empty bytes
// fields. Marshal only reads the message.
//
// Sizes of embedded messages are recomputed each time they are needed rather
// than cached in the struct; the schema is at most four levels deep, so the
// cost stays linear with a small factor, and the structs stay plain values.

// Marshaler is implemented by every message type of this package.
type Marshaler interface {
	Size() int
	AppendMarshal(b []byte) []byte
	Marshal() []byte
}

// Size returns the encoded length of m.
func (m *Frame) Size() int {
	if m == nil {
		return 0
	}
	return sizeEnumField(int32(m.Vsn)) +
		sizeEnumField(int32(m.CompressMethod)) +
		1 + sizeVarint(enumVarint(int32(m.Command))) + // always written
		sizeLenField(len(m.Payload)) +
		sizeEnumField(int32(m.EncryptMethod)) +
		sizeLenField(len(m.EncryptKey)) +
		sizeVarintField(uint64(m.CheckSum)) +
		sizeLenField(len(m.Tag))
}

// AppendMarshal appends the encoding of m to b.
func (m *Frame) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendEnumField(b, t1v, int32(m.Vsn))
	b = appendEnumField(b, t2v, int32(m.CompressMethod))
	b = appendVarint(append(b, t3v), enumVarint(int32(m.Command)))
	b = appendBytesField(b, t4b, m.Payload)
	b = appendEnumField(b, t5v, int32(m.EncryptMethod))
	b = appendBytesField(b, t6b, m.EncryptKey)
	b = appendVarintField(b, t7v, uint64(m.CheckSum))
	return appendStringField(b, t8b, m.Tag)
}

// Marshal returns the encoding of m.
func (m *Frame) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *Status) Size() int {
	if m == nil {
		return 0
	}
	return sizeEnumField(int32(m.Code)) + sizeLenField(len(m.Reason))
}

// AppendMarshal appends the encoding of m to b.
func (m *Status) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendEnumField(b, t1v, int32(m.Code))
	return appendStringField(b, t2b, m.Reason)
}

// Marshal returns the encoding of m.
func (m *Status) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *XID) Size() int {
	if m == nil {
		return 0
	}
	return sizeVarintField(m.Uid) + sizeVarintField(uint64(m.DeviceSN))
}

// AppendMarshal appends the encoding of m to b.
func (m *XID) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendVarintField(b, t1v, m.Uid)
	return appendVarintField(b, t2v, uint64(m.DeviceSN))
}

// Marshal returns the encoding of m.
func (m *XID) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// appendXIDField writes x as embedded field tag when x is not nil. It is the
// most frequent embedded message, so it gets a helper that computes its size
// only once.
func appendXIDField(b []byte, tag byte, x *XID) []byte {
	if x == nil {
		return b
	}
	b = append(b, tag, byte(x.Size())) // an XID is at most 17 bytes: one length byte
	return x.AppendMarshal(b)
}

func sizeXIDField(x *XID) int {
	if x == nil {
		return 0
	}
	return 2 + x.Size()
}

// Size returns the encoded length of m.
func (m *ConversationUnread) Size() int {
	if m == nil {
		return 0
	}
	return sizeXIDField(m.Xid) + sizeVarintField(uint64(m.N)) + sizeEnumField(int32(m.Type))
}

// AppendMarshal appends the encoding of m to b.
func (m *ConversationUnread) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendXIDField(b, t1b, m.Xid)
	b = appendVarintField(b, t2v, uint64(m.N))
	return appendEnumField(b, t3v, int32(m.Type))
}

// Marshal returns the encoding of m.
func (m *ConversationUnread) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m, which is always 0.
func (m *UnreadUL) Size() int { return 0 }

// AppendMarshal returns b unchanged: UnreadUL has no fields.
func (m *UnreadUL) AppendMarshal(b []byte) []byte { return b }

// Marshal returns nil: UnreadUL has no fields.
func (m *UnreadUL) Marshal() []byte { return nil }

// Size returns the encoded length of m.
func (m *UnreadDL) Size() int {
	if m == nil {
		return 0
	}
	n := 0
	if m.Status != nil {
		n += sizeMsgField(m.Status.Size())
	}
	for _, u := range m.Unread {
		n += sizeMsgField(u.Size())
	}
	return n
}

// AppendMarshal appends the encoding of m to b. A nil element of Unread is
// written as an empty entry so that positions are kept.
func (m *UnreadDL) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	if m.Status != nil {
		b = appendMsgHeader(b, t1b, m.Status.Size())
		b = m.Status.AppendMarshal(b)
	}
	for _, u := range m.Unread {
		b = appendMsgHeader(b, t2b, u.Size())
		b = u.AppendMarshal(b)
	}
	return b
}

// Marshal returns the encoding of m.
func (m *UnreadDL) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *SyncUL) Size() int {
	if m == nil {
		return 0
	}
	n := sizeXIDField(m.Xid) + sizeVarintField(m.Key)
	if m.Meta != nil {
		n += sizeMsgField(m.Meta.Size())
	}
	return n + sizeBoolField(m.IsFullSync) + sizeVarintField(zigzag32(m.FullSyncNum))
}

// AppendMarshal appends the encoding of m to b.
func (m *SyncUL) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendXIDField(b, t1b, m.Xid)
	b = appendVarintField(b, t2v, m.Key)
	if m.Meta != nil {
		b = appendMsgHeader(b, t3b, m.Meta.Size())
		b = m.Meta.AppendMarshal(b)
	}
	b = appendBoolField(b, t4v, m.IsFullSync)
	return appendVarintField(b, t5v, zigzag32(m.FullSyncNum))
}

// Marshal returns the encoding of m.
func (m *SyncUL) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *SyncDL) Size() int {
	if m == nil {
		return 0
	}
	n := 0
	if m.Status != nil {
		n += sizeMsgField(m.Status.Size())
	}
	for _, x := range m.Metas {
		n += sizeMsgField(x.Size())
	}
	return n + sizeVarintField(m.NextKey) +
		sizeXIDField(m.Xid) +
		sizeVarintField(m.ClientMid) +
		sizeVarintField(m.ServerMid) +
		sizeVarintField(m.ServerTime) +
		sizeBoolField(m.IsFullSync) +
		sizeVarintField(m.PrevMid) +
		sizeBoolField(m.IsEagerSync) +
		sizeVarintField(m.EditTimestamp)
}

// AppendMarshal appends the encoding of m to b. A nil element of Metas is
// written as an empty Meta so that positions are kept.
func (m *SyncDL) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	if m.Status != nil {
		b = appendMsgHeader(b, t1b, m.Status.Size())
		b = m.Status.AppendMarshal(b)
	}
	for _, x := range m.Metas {
		b = appendMsgHeader(b, t2b, x.Size())
		b = x.AppendMarshal(b)
	}
	b = appendVarintField(b, t3v, m.NextKey)
	b = appendXIDField(b, t4b, m.Xid)
	b = appendVarintField(b, t5v, m.ClientMid)
	b = appendVarintField(b, t6v, m.ServerMid)
	b = appendVarintField(b, t7v, m.ServerTime)
	b = appendBoolField(b, t8v, m.IsFullSync)
	b = appendVarintField(b, t9v, m.PrevMid)
	b = appendBoolField(b, t10v, m.IsEagerSync)
	return appendVarintField(b, t11v, m.EditTimestamp)
}

// Marshal returns the encoding of m.
func (m *SyncDL) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *Notice) Size() int {
	if m == nil {
		return 0
	}
	return sizeXIDField(m.Xid)
}

// AppendMarshal appends the encoding of m to b.
func (m *Notice) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	return appendXIDField(b, t1b, m.Xid)
}

// Marshal returns the encoding of m.
func (m *Notice) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *Provision) Size() int {
	if m == nil {
		return 0
	}
	n := 0
	if m.Status != nil {
		n += sizeMsgField(m.Status.Size())
	}
	return n + sizeXIDField(m.Xid) +
		sizeLenField(len(m.Password)) +
		sizeLenField(len(m.Token)) +
		sizeEnumField(int32(m.OsType)) +
		sizeLenField(len(m.SdkVsn)) +
		sizeBoolField(m.IsManualLogin) +
		sizeLenField(len(m.DeviceGuid)) +
		sizeLenField(len(m.DeviceNotifier)) +
		sizeLenField(len(m.DeviceToken)) +
		sizeLenField(len(m.DeviceInfo)) +
		sizeVarintField(m.LastLoginTime)
}

// AppendMarshal appends the encoding of m to b.
func (m *Provision) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	if m.Status != nil {
		b = appendMsgHeader(b, t1b, m.Status.Size())
		b = m.Status.AppendMarshal(b)
	}
	b = appendXIDField(b, t2b, m.Xid)
	b = appendStringField(b, t5b, m.Password)
	b = appendStringField(b, t6b, m.Token)
	b = appendEnumField(b, t7v, int32(m.OsType))
	b = appendStringField(b, t8b, m.SdkVsn)
	b = appendBoolField(b, t9v, m.IsManualLogin)
	b = appendStringField(b, t10b, m.DeviceGuid)
	b = appendStringField(b, t11b, m.DeviceNotifier)
	b = appendStringField(b, t12b, m.DeviceToken)
	b = appendStringField(b, t13b, m.DeviceInfo)
	return appendVarintField(b, t14v, m.LastLoginTime)
}

// Marshal returns the encoding of m.
func (m *Provision) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *Meta) Size() int {
	if m == nil {
		return 0
	}
	return sizeVarintField(m.Id) +
		sizeXIDField(m.From) +
		sizeXIDField(m.To) +
		sizeVarintField(m.Timestamp) +
		sizeEnumField(int32(m.Ns)) +
		sizeLenField(len(m.Payload))
}

// AppendMarshal appends the encoding of m to b.
func (m *Meta) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendVarintField(b, t1v, m.Id)
	b = appendXIDField(b, t2b, m.From)
	b = appendXIDField(b, t3b, m.To)
	b = appendVarintField(b, t4v, m.Timestamp)
	b = appendEnumField(b, t5v, int32(m.Ns))
	return appendBytesField(b, t6b, m.Payload)
}

// Marshal returns the encoding of m.
func (m *Meta) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *MessageOperation) Size() int {
	if m == nil {
		return 0
	}
	return sizeEnumField(int32(m.Type)) + sizeVarintField(m.Mid) + sizeXIDField(m.Xid)
}

// AppendMarshal appends the encoding of m to b.
func (m *MessageOperation) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendEnumField(b, t1v, int32(m.Type))
	b = appendVarintField(b, t2v, m.Mid)
	return appendXIDField(b, t3b, m.Xid)
}

// Marshal returns the encoding of m.
func (m *MessageOperation) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *MessageBody) Size() int {
	if m == nil {
		return 0
	}
	n := sizeEnumField(int32(m.Type)) +
		sizeLenField(len(m.Content)) +
		sizeEnumField(int32(m.Ctype))
	if m.Operation != nil {
		n += sizeMsgField(m.Operation.Size())
	}
	return n + sizeLenField(len(m.Config)) +
		sizeLenField(len(m.Attachment)) +
		sizeLenField(len(m.Ext)) +
		sizeEnumField(int32(m.Qos)) +
		sizeLenField(len(m.SenderName)) +
		sizeBoolField(m.IsSystem) +
		sizeVarintField(uint64(m.Priority)) +
		sizeEnumField(int32(m.Status)) +
		sizeVarintField(m.EditTimestamp)
}

// AppendMarshal appends the encoding of m to b.
func (m *MessageBody) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendEnumField(b, t1v, int32(m.Type))
	b = appendStringField(b, t4b, m.Content)
	b = appendEnumField(b, t5v, int32(m.Ctype))
	if m.Operation != nil {
		b = appendMsgHeader(b, t6b, m.Operation.Size())
		b = m.Operation.AppendMarshal(b)
	}
	b = appendStringField(b, t7b, m.Config)
	b = appendStringField(b, t8b, m.Attachment)
	b = appendStringField(b, t9b, m.Ext)
	b = appendEnumField(b, t10v, int32(m.Qos))
	b = appendStringField(b, t11b, m.SenderName)
	b = appendBoolField(b, t12v, m.IsSystem)
	b = appendVarintField(b, t13v, uint64(m.Priority))
	b = appendEnumField(b, t14v, int32(m.Status))
	return appendVarintField(b, t15v, m.EditTimestamp)
}

// Marshal returns the encoding of m.
func (m *MessageBody) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *GroupNotice) Size() int {
	if m == nil {
		return 0
	}
	n := sizeEnumField(int32(m.Type)) + sizeXIDField(m.Gid) + sizeXIDField(m.From)
	for _, x := range m.To {
		n += 2 + x.Size()
	}
	return n + sizeLenField(len(m.Content))
}

// AppendMarshal appends the encoding of m to b. A nil element of To is
// written as an empty XID so that positions are kept.
func (m *GroupNotice) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendEnumField(b, t1v, int32(m.Type))
	b = appendXIDField(b, t2b, m.Gid)
	b = appendXIDField(b, t3b, m.From)
	for _, x := range m.To {
		b = append(b, t4b, byte(x.Size()))
		b = x.AppendMarshal(b)
	}
	return appendStringField(b, t5b, m.Content)
}

// Marshal returns the encoding of m.
func (m *GroupNotice) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *RosterNotice) Size() int {
	if m == nil {
		return 0
	}
	n := sizeEnumField(int32(m.Type)) + sizeXIDField(m.From)
	for _, x := range m.To {
		n += 2 + x.Size()
	}
	return n + sizeLenField(len(m.Content)) + sizeLenField(len(m.RosterVsn))
}

// AppendMarshal appends the encoding of m to b. A nil element of To is
// written as an empty XID so that positions are kept.
func (m *RosterNotice) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendEnumField(b, t1v, int32(m.Type))
	b = appendXIDField(b, t2b, m.From)
	for _, x := range m.To {
		b = append(b, t3b, byte(x.Size()))
		b = x.AppendMarshal(b)
	}
	b = appendStringField(b, t4b, m.Content)
	return appendStringField(b, t5b, m.RosterVsn)
}

// Marshal returns the encoding of m.
func (m *RosterNotice) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *UserNotice) Size() int {
	if m == nil {
		return 0
	}
	return sizeEnumField(int32(m.Type)) + sizeLenField(len(m.Content))
}

// AppendMarshal appends the encoding of m to b.
func (m *UserNotice) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendEnumField(b, t1v, int32(m.Type))
	return appendStringField(b, t2b, m.Content)
}

// Marshal returns the encoding of m.
func (m *UserNotice) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *Info) Size() int {
	if m == nil {
		return 0
	}
	return sizeLenField(len(m.SdkVsn)) + sizeEnumField(int32(m.Network)) + sizeLenField(len(m.Content))
}

// AppendMarshal appends the encoding of m to b.
func (m *Info) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendStringField(b, t1b, m.SdkVsn)
	b = appendEnumField(b, t2v, int32(m.Network))
	return appendStringField(b, t3b, m.Content)
}

// Marshal returns the encoding of m.
func (m *Info) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *ConversationOperation) Size() int {
	if m == nil {
		return 0
	}
	return sizeEnumField(int32(m.Type)) + sizeXIDField(m.Xid)
}

// AppendMarshal appends the encoding of m to b.
func (m *ConversationOperation) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendEnumField(b, t1v, int32(m.Type))
	return appendXIDField(b, t2b, m.Xid)
}

// Marshal returns the encoding of m.
func (m *ConversationOperation) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *Conversation) Size() int {
	if m == nil {
		return 0
	}
	n := sizeEnumField(int32(m.Type))
	if m.Operation != nil {
		n += sizeMsgField(m.Operation.Size())
	}
	return n
}

// AppendMarshal appends the encoding of m to b.
func (m *Conversation) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendEnumField(b, t1v, int32(m.Type))
	if m.Operation != nil {
		b = appendMsgHeader(b, t2b, m.Operation.Size())
		b = m.Operation.AppendMarshal(b)
	}
	return b
}

// Marshal returns the encoding of m.
func (m *Conversation) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}

// Size returns the encoded length of m.
func (m *RtcSignal) Size() int {
	if m == nil {
		return 0
	}
	return sizeEnumField(int32(m.Type)) + sizeLenField(len(m.Content)) + sizeLenField(len(m.MediaServer))
}

// AppendMarshal appends the encoding of m to b.
func (m *RtcSignal) AppendMarshal(b []byte) []byte {
	if m == nil {
		return b
	}
	b = appendEnumField(b, t1v, int32(m.Type))
	b = appendStringField(b, t2b, m.Content)
	return appendStringField(b, t3b, m.MediaServer)
}

// Marshal returns the encoding of m.
func (m *RtcSignal) Marshal() []byte {
	n := m.Size()
	if n == 0 {
		return nil
	}
	return m.AppendMarshal(make([]byte, 0, n))
}
