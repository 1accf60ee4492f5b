package xsync

import (
	"bytes"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unknownFields are fields of every wire type with numbers no message uses
// (plus the reserved numbers, handled per message below).
var unknownFields = [][]byte{
	h("80 01 96 01"),                         // 16 varint 150
	h("81 01 01 02 03 04 05 06 07 08"),       // 16 fixed64
	h("8a 01 03 61 62 63"),                   // 17 bytes "abc"
	h("95 01 01 02 03 04"),                   // 18 fixed32
	h("9b 01 08 01 12 00 a3 01 a4 01 9c 01"), // 19 group { 1:1, 2:"", 20 group {} }
	h("f8 ff ff ff 0f 01"),                   // 2^29-1, the largest .proto field number
	h("9b 01 f8 ff ff ff 3f 01 9c 01"),       // group holding field 2^31-1, which protobuf-go skips too
	h("a0 06 ff ff ff ff ff ff ff ff ff 01"), // 100 varint max
	h("aa 06 00"),                            // 101 empty bytes
	h("b3 06 b4 06"),                         // 102 empty group
}

// withUnknown interleaves unknown fields before, between and after the
// fields of enc (top level only).
func withUnknown(t *testing.T, enc []byte, extra [][]byte) []byte {
	var out []byte
	fields := scanFields(t, enc)
	k := 0
	put := func() {
		out = append(out, extra[k%len(extra)]...)
		k++
	}
	put()
	for _, f := range fields {
		out = append(out, f.Raw...)
		put()
	}
	for k < len(extra) {
		put()
	}
	return out
}

// TestSkipUnknownFields: every message skips unknown fields of all wire
// types wherever they appear, and reserved field numbers are unknown too.
func TestSkipUnknownFields(t *testing.T) {
	s := schema(t)
	r := newRand(t)
	for i, pm := range s.Messages {
		extra := append([][]byte{}, unknownFields...)
		for _, n := range pm.Reserved {
			extra = append(extra, []byte{byte(n<<3 | wtVarint), 1}, []byte{byte(n<<3 | wtBytes), 1, 'x'})
		}
		for range 20 {
			want := registry[i].new()
			randomize(r, reflect.ValueOf(want).Elem())
			enc := withUnknown(t, want.Marshal(), extra)
			got := registry[i].new()
			require.NoError(t, got.Unmarshal(enc), pm.Name)
			require.Equal(t, want, got, pm.Name)
		}
	}
	// Unknown fields inside nested messages, too.
	enc := h("12 0e 08 07 12 08 08 01 9b 01 9c 01 10 02 3a 00 18 05")
	var dl SyncDL
	require.NoError(t, dl.Unmarshal(enc))
	assert.Equal(t, &SyncDL{Metas: []*Meta{{Id: 7, From: &XID{Uid: 1, DeviceSN: 2}}}, NextKey: 5}, &dl)
}

// TestUnknownEnumValues decode and survive a round trip.
func TestUnknownEnumValues(t *testing.T) {
	var m Meta
	require.NoError(t, m.Unmarshal(h("28 e7 07"))) // ns 999
	assert.Equal(t, NameSpace(999), m.Ns)
	assert.Equal(t, "999", m.Ns.String())
	assert.Equal(t, h("28 e7 07"), m.Marshal())

	var f Frame
	require.NoError(t, f.Unmarshal(h("18 ff ff ff ff 0f"))) // command 2^32-1 as 5 bytes: low 32 bits
	assert.Equal(t, Command(-1), f.Command)
}

// TestLastOneWins: repeated scalars keep the last value, repeated embedded
// messages are merged, repeated fields append.
func TestLastOneWins(t *testing.T) {
	var x XID
	require.NoError(t, x.Unmarshal(h("08 01 10 05 08 02")))
	assert.Equal(t, XID{Uid: 2, DeviceSN: 5}, x)

	var b MessageBody
	require.NoError(t, b.Unmarshal(h("22 01 61 22 01 62")))
	assert.Equal(t, "b", b.Content)

	var m Meta
	require.NoError(t, m.Unmarshal(h("12 02 08 01 12 02 10 02 32 01 61 32 00")))
	assert.Equal(t, &XID{Uid: 1, DeviceSN: 2}, m.From, "embedded messages merge")
	assert.Nil(t, m.Payload, "an empty last occurrence clears bytes")

	var dl SyncDL
	require.NoError(t, dl.Unmarshal(h("0a 02 08 02 12 00 0a 04 12 02 68 69 12 02 08 01")))
	assert.Equal(t, &Status{Code: StatusFail, Reason: "hi"}, dl.Status)
	assert.Equal(t, []*Meta{{}, {Id: 1}}, dl.Metas)

	var ul SyncUL
	require.NoError(t, ul.Unmarshal(h("1a 02 08 01 1a 02 20 02")))
	assert.Equal(t, &Meta{Id: 1, Timestamp: 2}, ul.Meta)
}

// TestVarintWidths: uint32, bool, enum and sint32 fields take what protobuf
// runtimes take from over-wide varints.
func TestVarintWidths(t *testing.T) {
	var x XID
	require.NoError(t, x.Unmarshal(h("10 ff ff ff ff ff ff ff ff ff 01"))) // deviceSN 2^64-1
	assert.Equal(t, uint32(0xffffffff), x.DeviceSN)

	var ul SyncUL
	require.NoError(t, ul.Unmarshal(h("20 80 80 04 28 81 80 80 80 10"))) // bool 65536; sint32 of 2^32+1
	assert.True(t, ul.IsFullSync)
	assert.Equal(t, int32(-1), ul.FullSyncNum)

	// Non-minimal varints are accepted: 0 written in 10 bytes.
	require.NoError(t, x.Unmarshal(h("08 80 80 80 80 80 80 80 80 80 00")))
	assert.Equal(t, XID{}, x)
}

// TestMalformed covers every class of malformed input.
func TestMalformed(t *testing.T) {
	deep := bytes.Repeat([]byte{0x9b, 0x01}, maxGroupDepth+2) // nested groups of field 19
	for _, c := range []struct {
		name string
		typ  string
		in   string
		raw  []byte
		err  error
		msg  string
	}{
		{"truncated tag", "XID", "80", nil, ErrTruncated, "xsync: truncated input at XID"},
		{"truncated varint", "XID", "08 80", nil, ErrTruncated, "xsync: truncated input at XID.uid"},
		{"truncated varint after tag", "XID", "08", nil, ErrTruncated, "xsync: truncated input at XID.uid"},
		{"overlong varint", "XID", "08 ff ff ff ff ff ff ff ff ff ff 01", nil, ErrOverflow, "xsync: varint overflows 64 bits at XID.uid"},
		{"10th byte above 1", "XID", "08 ff ff ff ff ff ff ff ff ff 02", nil, ErrOverflow, ""},
		{"overlong tag", "XID", "ff ff ff ff ff ff ff ff ff ff 01", nil, ErrOverflow, "xsync: varint overflows 64 bits at XID"},
		{"length beyond input", "Notice", "0a 05 08 01", nil, ErrTooLarge, "xsync: length exceeds input at Notice.xid"},
		{"huge length", "Meta", "32 ff ff ff ff ff ff ff ff ff 01", nil, ErrTooLarge, "xsync: length exceeds input at Meta.payload"},
		{"length 2^63", "Frame", "22 80 80 80 80 80 80 80 80 80 01", nil, ErrTooLarge, ""},
		{"string beyond input", "MessageBody", "22 03 61", nil, ErrTooLarge, "xsync: length exceeds input at MessageBody.content"},
		{"unknown bytes beyond input", "XID", "8a 01 05 00", nil, ErrTooLarge, "xsync: length exceeds input at XID.#17"},
		{"nested length beyond parent", "SyncDL", "12 02 12 05 08 01", nil, ErrTooLarge, "xsync: length exceeds input at SyncDL.metas[0].from"},
		{"varint for message", "Notice", "08 01", nil, ErrWireType, "xsync: wrong wire type at Notice.xid"},
		{"bytes for varint", "XID", "0a 00", nil, ErrWireType, "xsync: wrong wire type at XID.uid"},
		{"fixed32 for varint", "Frame", "1d 00 00 00 00", nil, ErrWireType, "xsync: wrong wire type at Frame.command"},
		{"group for string", "Status", "13 14", nil, ErrWireType, "xsync: wrong wire type at Status.reason"},
		{"bytes for repeated", "SyncDL", "10 01", nil, ErrWireType, "xsync: wrong wire type at SyncDL.metas[0]"},
		{"wire type 6", "XID", "0e", nil, ErrWireType, ""},
		{"wire type 7 unknown field", "XID", "87 01", nil, ErrWireType, "xsync: wrong wire type at XID.#16"},
		{"field number 0", "XID", "00 00", nil, ErrFieldNumber, "xsync: invalid field number at XID"},
		{"field number 0 bytes", "Frame", "02 00", nil, ErrFieldNumber, ""},
		{"field number 2^31", "XID", "80 80 80 80 40 00", nil, ErrFieldNumber, ""},
		{"field number 2^29", "XID", "80 80 80 80 10 00", nil, ErrFieldNumber, ""},
		{"field number 2^31 in group", "XID", "9b 01 80 80 80 80 40 00 9c 01", nil, ErrFieldNumber, "xsync: invalid field number at XID.#19"},
		{"field number in nested", "SyncDL", "12 02 00 00", nil, ErrFieldNumber, "xsync: invalid field number at SyncDL.metas[0]"},
		{"truncated fixed64", "XID", "81 01 01 02 03", nil, ErrTruncated, "xsync: truncated input at XID.#16"},
		{"truncated fixed32", "XID", "85 01 01", nil, ErrTruncated, ""},
		{"unterminated group", "XID", "9b 01 08 01", nil, ErrGroup, "xsync: malformed group at XID.#19"},
		{"mismatched end group", "XID", "9b 01 a4 01", nil, ErrGroup, ""},
		{"stray end group", "XID", "9c 01", nil, ErrGroup, ""},
		{"end group with known number", "XID", "0c", nil, ErrWireType, ""},
		{"groups nested too deep", "XID", "", deep, ErrGroup, ""},
		{"group with bad content", "XID", "9b 01 08 80", nil, ErrTruncated, ""},
		{"unread ul malformed", "UnreadUL", "0a 05", nil, ErrTooLarge, "xsync: length exceeds input at UnreadUL.#1"},
		{"deep path", "SyncDL", "12 0a 08 01 12 02 08 01 1a 02 08 80", nil, ErrTruncated, "xsync: truncated input at SyncDL.metas[0].to.uid"},
		{"second element", "UnreadDL", "12 00 12 02 10 80", nil, ErrTruncated, "xsync: truncated input at UnreadDL.unread[1].n"},
		{"to element", "GroupNotice", "22 02 08 01 22 01 08", nil, ErrTruncated, "xsync: truncated input at GroupNotice.to[1].uid"},
		{"roster to element", "RosterNotice", "1a 03 08 01", nil, ErrTooLarge, "xsync: length exceeds input at RosterNotice.to[0]"},
		{"operation xid", "MessageBody", "32 04 1a 02 08 80", nil, ErrTruncated, "xsync: truncated input at MessageBody.operation.xid.uid"},
		{"conversation operation", "Conversation", "12 02 10 00", nil, ErrWireType, "xsync: wrong wire type at Conversation.operation.xid"},
		{"provision status", "Provision", "0a 02 12 05", nil, ErrTooLarge, "xsync: length exceeds input at Provision.status.reason"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := c.raw
			if in == nil {
				in = h(c.in)
			}
			m := newMessage(t, c.typ)
			err := m.Unmarshal(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, c.err)
			if c.msg != "" {
				assert.EqualError(t, err, c.msg)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "xsync: "), err.Error())
		})
	}
}

// TestDecodeResets: Unmarshal resets the receiver first.
func TestDecodeResets(t *testing.T) {
	b := &MessageBody{Content: "old", Operation: &MessageOperation{Mid: 1}, Priority: 3}
	require.NoError(t, b.Unmarshal(h("08 02")))
	assert.Equal(t, &MessageBody{Type: MsgChat}, b)
	dl := &SyncDL{Metas: []*Meta{{Id: 1}}, NextKey: 2}
	require.NoError(t, dl.Unmarshal(nil))
	assert.Equal(t, &SyncDL{}, dl)
}

// TestDecodeDoesNotAlias: decoded values survive the caller reusing its
// buffer.
func TestDecodeDoesNotAlias(t *testing.T) {
	body := &MessageBody{Content: "hello", Ext: "ext"}
	dl := &SyncDL{Metas: []*Meta{NewMessageMeta(1, &XID{Uid: 2}, &XID{Uid: 3}, 4, body)}, Status: &Status{Reason: "r"}}
	buf := NewSyncDLFrame(dl).Marshal()
	f, err := DecodeFrame(buf)
	require.NoError(t, err)
	var direct SyncDL
	require.NoError(t, direct.Unmarshal(f.Payload))
	for i := range buf {
		buf[i] = 0xEE
	}
	got, err := f.SyncDL()
	require.NoError(t, err)
	assert.Equal(t, dl, got)
	assert.Equal(t, dl, &direct)
	mb, err := got.Metas[0].MessageBody()
	require.NoError(t, err)
	assert.Equal(t, body, mb)

	// Bytes fields have their capacity capped: appending to one cannot
	// overwrite what follows it in the shared copy.
	two := &SyncDL{Metas: []*Meta{{Payload: []byte("aa")}, {Payload: []byte("bb")}}}
	var d2 SyncDL
	require.NoError(t, d2.Unmarshal(two.Marshal()))
	_ = append(d2.Metas[0].Payload, 'X', 'X', 'X', 'X')
	assert.Equal(t, []byte("bb"), d2.Metas[1].Payload)
	assert.Equal(t, len(d2.Metas[0].Payload), cap(d2.Metas[0].Payload))
}

// TestDecodeAllocationBound: what a decode allocates is bounded by a
// constant factor of its input, however the input lies about lengths and
// counts.
func TestDecodeAllocationBound(t *testing.T) {
	if testing.Short() {
		t.Skip("measures allocations")
	}
	inputs := map[string][]byte{
		"huge length":   h("12 ff ff ff ff 0f"),
		"many metas":    bytes.Repeat(h("12 00"), 4096),
		"many xids":     bytes.Repeat(h("12 04 12 00 1a 00"), 2048),
		"many to":       bytes.Repeat(h("22 00"), 4096),
		"many unread":   bytes.Repeat(h("12 02 0a 00"), 2048),
		"deep groups":   bytes.Repeat([]byte{0x9b, 0x01}, 4096),
		"long string":   append(h("22 ff 7f"), bytes.Repeat([]byte{'a'}, 16383)...),
		"xid at end":    append(bytes.Repeat(h("12 00"), 4096), h("22 00")...),
		"many payloads": bytes.Repeat(h("12 03 32 01 61"), 2048),
	}
	types := []string{"SyncDL", "GroupNotice", "UnreadDL", "MessageBody", "Frame", "SyncUL", "RosterNotice"}
	for name, in := range inputs {
		for _, typ := range types {
			m := newMessage(t, typ)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			const runs = 20
			for range runs {
				_ = m.Unmarshal(in)
			}
			runtime.ReadMemStats(&after)
			perRun := (after.TotalAlloc - before.TotalAlloc) / runs
			// 40 bytes per input byte covers a Meta (64 bytes) per 2-byte
			// empty element plus its pointer; a fixed 2 KiB covers errors.
			assert.LessOrEqual(t, perRun, uint64(40*len(in)+2048), "%s as %s: %d bytes for %d input bytes", name, typ, perRun, len(in))
		}
	}
}

// TestErrorsAreComparable: decode errors wrap exactly one sentinel.
func TestErrorsAreComparable(t *testing.T) {
	var x XID
	err := x.Unmarshal(h("08"))
	for _, s := range []error{ErrOverflow, ErrWireType, ErrFieldNumber, ErrTooLarge, ErrGroup, ErrCommand, ErrNamespace, ErrInvalidID} {
		assert.False(t, errors.Is(err, s), s.Error())
	}
	assert.True(t, errors.Is(err, ErrTruncated))
}
