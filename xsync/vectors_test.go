package xsync

import (
	"encoding/hex"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vector is one exact encoding of one value.
type vector struct {
	name string
	msg  message // the value; its type selects the decoder
	hex  string
	// decodeOnly marks input that is valid but not what this encoder writes
	// (proto2-style zeros, for example).
	decodeOnly bool
}

// checkVector checks a vector in both directions.
func checkVector(t *testing.T, v vector) {
	t.Helper()
	want := h(v.hex)
	if !v.decodeOnly {
		assert.Equal(t, hex.EncodeToString(want), hex.EncodeToString(v.msg.Marshal()), "encode")
		assert.Equal(t, len(want), v.msg.Size(), "size")
		prefix := []byte{0xAA, 0xBB}
		assert.Equal(t, append(append([]byte{}, prefix...), want...), v.msg.AppendMarshal(prefix), "append keeps prefix")
	}
	got := newLike(v.msg)
	require.NoError(t, got.Unmarshal(want), "decode")
	assert.Equal(t, v.msg, got, "decode")
}

// newLike returns a new zero message of the same type as m.
func newLike(m message) message {
	for _, r := range registry {
		if n := r.new(); sameType(n, m) {
			return n
		}
	}
	panic("unregistered type")
}

func sameType(a, b message) bool {
	switch a.(type) {
	case *Frame:
		_, ok := b.(*Frame)
		return ok
	case *Status:
		_, ok := b.(*Status)
		return ok
	case *XID:
		_, ok := b.(*XID)
		return ok
	case *ConversationUnread:
		_, ok := b.(*ConversationUnread)
		return ok
	case *UnreadUL:
		_, ok := b.(*UnreadUL)
		return ok
	case *UnreadDL:
		_, ok := b.(*UnreadDL)
		return ok
	case *SyncUL:
		_, ok := b.(*SyncUL)
		return ok
	case *SyncDL:
		_, ok := b.(*SyncDL)
		return ok
	case *Notice:
		_, ok := b.(*Notice)
		return ok
	case *Provision:
		_, ok := b.(*Provision)
		return ok
	case *Meta:
		_, ok := b.(*Meta)
		return ok
	case *MessageOperation:
		_, ok := b.(*MessageOperation)
		return ok
	case *MessageBody:
		_, ok := b.(*MessageBody)
		return ok
	case *GroupNotice:
		_, ok := b.(*GroupNotice)
		return ok
	case *RosterNotice:
		_, ok := b.(*RosterNotice)
		return ok
	case *UserNotice:
		_, ok := b.(*UserNotice)
		return ok
	case *Info:
		_, ok := b.(*Info)
		return ok
	case *ConversationOperation:
		_, ok := b.(*ConversationOperation)
		return ok
	case *Conversation:
		_, ok := b.(*Conversation)
		return ok
	case *RtcSignal:
		_, ok := b.(*RtcSignal)
		return ok
	}
	return false
}

// TestAppendixA checks the wire examples of PROTOCOL.md Appendix A exactly.
func TestAppendixA(t *testing.T) {
	notice := &Notice{Xid: &XID{Uid: 12345}}
	for _, v := range []vector{
		{name: "official heartbeat", msg: &Frame{}, hex: "08 00 10 00 18 00", decodeOnly: true},
		{name: "proto3 heartbeat (zero bytes)", msg: &Frame{}, hex: "", decodeOnly: true},
		{name: "SDK heartbeat", msg: &Frame{Command: CommandUnread}, hex: "18 00"},
		{name: "notice", msg: notice, hex: "0a 03 08 b9 60"},
		{name: "notice frame", msg: &Frame{Command: CommandNotice, Payload: h("0a 03 08 b9 60")}, hex: "18 02 22 05 0a 03 08 b9 60"},
		{name: "history request", msg: &SyncUL{Xid: &XID{Uid: 12345}, IsFullSync: true, FullSyncNum: 20}, hex: "0a 03 08 b9 60 20 01 28 28"},
		{name: "provision reply", msg: &Provision{Status: &Status{Code: StatusOK}, Xid: &XID{Uid: 12345, DeviceSN: 1000123456}}, hex: "0a 02 08 01 12 09 08 b9 60 10 c0 d8 f2 dc 03"},
	} {
		t.Run(v.name, func(t *testing.T) { checkVector(t, v) })
	}
	// The frame built by the helpers is byte-equal to the appendix.
	assert.Equal(t, h("18 02 22 05 0a 03 08 b9 60"), NewNoticeFrame(notice).Marshal())
	assert.Equal(t, h("18 00"), NewUnreadFrame().Marshal())
	// The appendix's note on how the official clients misread a Notice as an
	// XID relies on their lenient runtime; this codec decodes Notice properly
	// and refuses the misreading, since XID.uid (field 1) is a varint.
	var x XID
	err := x.Unmarshal(h("0a 03 08 b9 60"))
	require.ErrorIs(t, err, ErrWireType)
	assert.EqualError(t, err, "xsync: wrong wire type at XID.uid")
}

// TestVectors covers each message type, boundary values included.
func TestVectors(t *testing.T) {
	for _, v := range []vector{
		// Frame
		{name: "frame all fields", msg: &Frame{Vsn: VsnXsyncV2, CompressMethod: CompressZlib, Command: CommandProvision, Payload: []byte{0}, EncryptMethod: EncryptCustom, EncryptKey: []byte("k"), CheckSum: math.MaxUint32, Tag: "t"},
			hex: "08 01 10 01 18 03 22 01 00 28 03 32 01 6b 38 ff ff ff ff 0f 42 01 74"},
		{name: "frame unknown command", msg: &Frame{Command: 7}, hex: "18 07"},
		{name: "frame negative command", msg: &Frame{Command: -1}, hex: "18 ff ff ff ff ff ff ff ff ff 01"},
		{name: "frame proto2 zeros", msg: &Frame{Command: CommandSync}, hex: "08 00 10 00 18 01 22 00 28 00 32 00 38 00 42 00", decodeOnly: true},
		// Status
		{name: "status ok", msg: &Status{Code: StatusOK}, hex: "08 01"},
		{name: "status empty", msg: &Status{}, hex: ""},
		{name: "status reason", msg: &Status{Code: StatusUnauthorized, Reason: ReasonNotLoggedIn}, hex: "08 09 12 14" + hex.EncodeToString([]byte(ReasonNotLoggedIn))},
		{name: "status future code", msg: &Status{Code: 300}, hex: "08 ac 02"},
		// XID
		{name: "xid zero", msg: &XID{}, hex: ""},
		{name: "xid max", msg: &XID{Uid: math.MaxUint64, DeviceSN: math.MaxUint32}, hex: "08 ff ff ff ff ff ff ff ff ff 01 10 ff ff ff ff 0f"},
		{name: "xid safe max", msg: &XID{Uid: MaxSafeID}, hex: "08 ff ff ff ff ff ff ff 0f"},
		{name: "xid 127/128", msg: &XID{Uid: 127, DeviceSN: 128}, hex: "08 7f 10 80 01"},
		// ConversationUnread
		{name: "conversation unread", msg: &ConversationUnread{Xid: &XID{Uid: 5}, N: 3, Type: ConvGroupChat}, hex: "0a 02 08 05 10 03 18 02"},
		{name: "conversation unread n=0 personal", msg: &ConversationUnread{Xid: &XID{}}, hex: "0a 00"},
		// UnreadUL
		{name: "unread ul", msg: &UnreadUL{}, hex: ""},
		// UnreadDL
		{name: "unread dl", msg: &UnreadDL{Status: &Status{Code: StatusOK}, Unread: []*ConversationUnread{{Xid: &XID{Uid: 1}, N: 1, Type: ConvChat}, {Xid: &XID{Uid: 2}}}},
			hex: "0a 02 08 01 12 08 0a 02 08 01 10 01 18 01 12 04 0a 02 08 02"},
		{name: "unread dl empty status", msg: &UnreadDL{Status: &Status{}}, hex: "0a 00"},
		// SyncUL
		{name: "sync ul pull", msg: &SyncUL{Xid: &XID{Uid: 9}, Key: 1 << 40}, hex: "0a 02 08 09 10 80 80 80 80 80 20"},
		{name: "sync ul min sint32", msg: &SyncUL{FullSyncNum: math.MinInt32}, hex: "28 ff ff ff ff 0f"},
		{name: "sync ul max sint32", msg: &SyncUL{FullSyncNum: math.MaxInt32}, hex: "28 fe ff ff ff 0f"},
		{name: "sync ul -1", msg: &SyncUL{FullSyncNum: -1}, hex: "28 01"},
		{name: "sync ul send", msg: &SyncUL{Meta: &Meta{Id: 7, From: &XID{Uid: 1, DeviceSN: 2}, To: &XID{Uid: 3}, Ns: NSMessage, Payload: []byte{0x08, 0x02}}},
			hex: "1a 12 08 07 12 04 08 01 10 02 1a 02 08 03 28 01 32 02 08 02"},
		// SyncDL
		{name: "sync dl ack", msg: &SyncDL{Status: &Status{Code: StatusOK}, ClientMid: 1, ServerMid: 2, ServerTime: 3, EditTimestamp: 4},
			hex: "0a 02 08 01 28 01 30 02 38 03 58 04"},
		{name: "sync dl all scalars", msg: &SyncDL{NextKey: 1, Xid: &XID{Uid: 2}, IsFullSync: true, PrevMid: 5, IsEagerSync: true},
			hex: "18 01 22 02 08 02 40 01 48 05 50 01"},
		{name: "sync dl empty meta", msg: &SyncDL{Metas: []*Meta{{}, {Id: 1}}}, hex: "12 00 12 02 08 01"},
		// Notice
		{name: "notice empty xid", msg: &Notice{Xid: &XID{}}, hex: "0a 00"},
		{name: "notice nil xid", msg: &Notice{}, hex: ""},
		// Provision
		{name: "provision login", msg: &Provision{Xid: &XID{Uid: 1}, Password: "p", Token: "t", OsType: OsWeb, SdkVsn: "v", IsManualLogin: true, DeviceGuid: "g", DeviceNotifier: "n", DeviceToken: "d", DeviceInfo: "i", LastLoginTime: 1},
			hex: "12 02 08 01 2a 01 70 32 01 74 38 06 42 01 76 48 01 52 01 67 5a 01 6e 62 01 64 6a 01 69 70 01"},
		// Meta
		{name: "meta", msg: &Meta{Id: 1, From: &XID{Uid: 2}, To: &XID{Uid: 3}, Timestamp: 4, Ns: NSRtcSignal, Payload: []byte("x")},
			hex: "08 01 12 02 08 02 1a 02 08 03 20 04 28 08 32 01 78"},
		{name: "meta unknown ns", msg: &Meta{Ns: 99}, hex: "28 63"},
		// MessageOperation
		{name: "operation", msg: &MessageOperation{Type: OpReplace, Mid: 10, Xid: &XID{Uid: 11}}, hex: "08 09 10 0a 1a 02 08 0b"},
		// MessageBody
		{name: "body all fields", msg: &MessageBody{Type: MsgOper, Content: "c", Ctype: CTypeRTC, Operation: &MessageOperation{Type: OpRecall}, Config: "{}", Attachment: "a", Ext: "e", Qos: QoSAtMostOnce, SenderName: "s", IsSystem: true, Priority: 2, Status: MsgStatusRead, EditTimestamp: 1},
			hex: "08 01 22 01 63 28 08 32 02 08 05 3a 02 7b 7d 42 01 61 4a 01 65 50 01 5a 01 73 60 01 68 02 70 02 78 01"},
		{name: "body empty strings", msg: &MessageBody{Type: MsgChat}, hex: "08 02"},
		{name: "body invalid utf8", msg: &MessageBody{Content: "\xff\xfe"}, hex: "22 02 ff fe"},
		// GroupNotice
		{name: "group notice", msg: &GroupNotice{Type: GroupNoticeKicked, Gid: &XID{Uid: 1}, From: &XID{Uid: 2}, To: []*XID{{Uid: 3}, {Uid: 4}}, Content: "c"},
			hex: "08 0d 12 02 08 01 1a 02 08 02 22 02 08 03 22 02 08 04 2a 01 63"},
		// RosterNotice
		{name: "roster notice", msg: &RosterNotice{Type: RosterNoticeAdded, From: &XID{Uid: 2}, To: []*XID{{Uid: 3}}, Content: "c", RosterVsn: "v"},
			hex: "08 01 12 02 08 02 1a 02 08 03 22 01 63 2a 01 76"},
		// UserNotice
		{name: "user notice", msg: &UserNotice{Type: UserNoticeKickBySameDevice, Content: "c"}, hex: "08 04 12 01 63"},
		// Info
		{name: "info", msg: &Info{SdkVsn: "1", Network: NetUnknown, Content: "c"}, hex: "0a 01 31 10 06 1a 01 63"},
		// ConversationOperation
		{name: "conversation operation", msg: &ConversationOperation{Type: ConvOpDeleteEverywhere, Xid: &XID{Uid: 1}}, hex: "08 02 12 02 08 01"},
		// Conversation
		{name: "conversation", msg: &Conversation{Type: ConversationOper, Operation: &ConversationOperation{Type: ConvOpDelete}}, hex: "08 01 12 02 08 01"},
		// RtcSignal
		{name: "rtc signal", msg: &RtcSignal{Type: RtcSignalVideoRoom, Content: `{"id":1}`, MediaServer: "m"}, hex: "08 01 12 08 7b 22 69 64 22 3a 31 7d 1a 01 6d"},
	} {
		t.Run(v.name, func(t *testing.T) { checkVector(t, v) })
	}
}

// TestZeroLengthFrameIsUnread: a zero-length binary message is a valid
// UNREAD frame (PROTOCOL.md §3.1).
func TestZeroLengthFrameIsUnread(t *testing.T) {
	for _, b := range [][]byte{nil, {}} {
		f, err := DecodeFrame(b)
		require.NoError(t, err)
		assert.Equal(t, CommandUnread, f.Command)
		assert.Nil(t, f.Payload)
		dl, err := f.UnreadDL()
		require.NoError(t, err)
		assert.Equal(t, &UnreadDL{}, dl)
	}
}

// TestNilMarshal: nil receivers marshal to nothing and have size 0.
func TestNilMarshal(t *testing.T) {
	for _, r := range registry {
		m := r.new()
		// A typed nil pointer of each type, through the interface.
		var nilMsg message
		switch m.(type) {
		case *Frame:
			nilMsg = (*Frame)(nil)
		case *SyncDL:
			nilMsg = (*SyncDL)(nil)
		case *XID:
			nilMsg = (*XID)(nil)
		case *MessageBody:
			nilMsg = (*MessageBody)(nil)
		case *Provision:
			nilMsg = (*Provision)(nil)
		default:
			continue
		}
		assert.Nil(t, nilMsg.Marshal(), r.name)
		assert.Zero(t, nilMsg.Size(), r.name)
		assert.Equal(t, []byte{1}, nilMsg.AppendMarshal([]byte{1}), r.name)
	}
	// Nil elements of repeated fields are written as empty messages.
	dl := &SyncDL{Metas: []*Meta{nil, {Id: 1}}}
	assert.Equal(t, h("12 00 12 02 08 01"), dl.Marshal())
	gn := &GroupNotice{To: []*XID{nil}}
	assert.Equal(t, h("22 00"), gn.Marshal())
	assert.Equal(t, gn.Size(), len(gn.Marshal()))
}
