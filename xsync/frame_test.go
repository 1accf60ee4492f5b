package xsync

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFrameConstructors(t *testing.T) {
	ul := &SyncUL{Xid: &XID{Uid: 1}}
	dl := &SyncDL{Status: &Status{Code: StatusOK}}
	p := &Provision{Token: "t"}
	n := &Notice{Xid: &XID{Uid: 2}}
	u := &UnreadDL{Status: &Status{Code: StatusOK}}
	for _, c := range []struct {
		f       *Frame
		cmd     Command
		payload Marshaler
	}{
		{NewUnreadFrame(), CommandUnread, nil},
		{NewSyncFrame(ul), CommandSync, ul},
		{NewSyncDLFrame(dl), CommandSync, dl},
		{NewProvisionFrame(p), CommandProvision, p},
		{NewNoticeFrame(n), CommandNotice, n},
		{NewUnreadDLFrame(u), CommandUnread, u},
		{NewSyncFrame(nil), CommandSync, (*SyncUL)(nil)},
	} {
		assert.Equal(t, c.cmd, c.f.Command)
		var want []byte
		if c.payload != nil {
			want = c.payload.Marshal()
		}
		assert.Equal(t, want, c.f.Payload, c.cmd.String())
		assert.Equal(t, c.f.Marshal(), MarshalFrame(c.cmd, c.payload), c.cmd.String())
		assert.Equal(t, append([]byte{9}, c.f.Marshal()...), AppendFrame([]byte{9}, c.cmd, c.payload))
	}
}

func TestMarshalFrameSingleAllocation(t *testing.T) {
	dl := &SyncDL{Metas: []*Meta{{Id: 1, Payload: make([]byte, 300)}}}
	allocs := testing.AllocsPerRun(50, func() { _ = MarshalFrame(CommandSync, dl) })
	assert.Equal(t, 1.0, allocs)
	b := MarshalFrame(CommandSync, dl)
	assert.Equal(t, len(b), cap(b))
}

func TestFramePayloadAccessors(t *testing.T) {
	ul := &SyncUL{Xid: &XID{Uid: 1}, Meta: &Meta{Id: 5, Payload: []byte("p")}}
	dl := &SyncDL{Metas: []*Meta{{Id: 1, Payload: []byte("payload")}}, NextKey: 9}
	prov := &Provision{Status: &Status{Code: StatusOK}, Xid: &XID{Uid: 1, DeviceSN: 2}}
	notice := &Notice{Xid: &XID{Uid: 3}}
	unread := &UnreadDL{Unread: []*ConversationUnread{{Xid: &XID{Uid: 4}, N: 1}}}

	decode := func(f *Frame) *Frame {
		got, err := DecodeFrame(f.Marshal())
		require.NoError(t, err)
		return got
	}
	f := decode(NewSyncFrame(ul))
	gotUL, err := f.SyncUL()
	require.NoError(t, err)
	assert.Equal(t, ul, gotUL)

	f = decode(NewSyncDLFrame(dl))
	gotDL, err := f.SyncDL()
	require.NoError(t, err)
	assert.Equal(t, dl, gotDL)
	_, err = f.Notice()
	assert.ErrorIs(t, err, ErrCommand)
	assert.EqualError(t, err, "xsync: frame command does not match payload: want NOTICE, have SYNC")

	f = decode(NewProvisionFrame(prov))
	gotP, err := f.Provision()
	require.NoError(t, err)
	assert.Equal(t, prov, gotP)
	_, err = f.SyncDL()
	assert.ErrorIs(t, err, ErrCommand)

	f = decode(NewNoticeFrame(notice))
	gotN, err := f.Notice()
	require.NoError(t, err)
	assert.Equal(t, notice, gotN)
	_, err = f.UnreadDL()
	assert.ErrorIs(t, err, ErrCommand)

	f = decode(NewUnreadDLFrame(unread))
	gotU, err := f.UnreadDL()
	require.NoError(t, err)
	assert.Equal(t, unread, gotU)
	_, err = f.Provision()
	assert.ErrorIs(t, err, ErrCommand)
	_, err = f.SyncUL()
	assert.ErrorIs(t, err, ErrCommand)

	var nilFrame *Frame
	_, err = nilFrame.SyncDL()
	assert.ErrorIs(t, err, ErrCommand)

	// A malformed payload is reported with the payload's message name.
	bad := &Frame{Command: CommandSync, Payload: []byte{0x12, 0x05}}
	_, err = bad.SyncDL()
	assert.ErrorIs(t, err, ErrTooLarge)
	assert.EqualError(t, err, "xsync: length exceeds input at SyncDL.metas[0]")
	for _, call := range []func() error{
		func() error { _, err := (&Frame{Command: CommandSync, Payload: []byte{0x0a}}).SyncUL(); return err },
		func() error { _, err := (&Frame{Command: CommandUnread, Payload: []byte{0x0a}}).UnreadDL(); return err },
		func() error { _, err := (&Frame{Command: CommandNotice, Payload: []byte{0x0a}}).Notice(); return err },
		func() error {
			_, err := (&Frame{Command: CommandProvision, Payload: []byte{0x0a}}).Provision()
			return err
		},
	} {
		assert.ErrorIs(t, call(), ErrTruncated)
	}
}

func TestDecodeFrameErrors(t *testing.T) {
	_, err := DecodeFrame([]byte{0x22, 0x10, 0x00})
	assert.ErrorIs(t, err, ErrTooLarge)
	assert.EqualError(t, err, "xsync: length exceeds input at Frame.payload")
}

// TestFrameAccessorAliasesPayload documents that accessor results share
// the Frame's payload buffer rather than copying it.
func TestFrameAccessorAliasesPayload(t *testing.T) {
	f, err := DecodeFrame(NewSyncDLFrame(&SyncDL{Metas: []*Meta{{Payload: []byte("abc")}}}).Marshal())
	require.NoError(t, err)
	dl, err := f.SyncDL()
	require.NoError(t, err)
	f.Payload[len(f.Payload)-1] = 'Z'
	assert.Equal(t, []byte("abZ"), dl.Metas[0].Payload)
}
