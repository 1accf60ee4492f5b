package xsync

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRoundTripRandom: for random values of every type, Unmarshal(Marshal(x))
// deep-equals x, Size is the encoded length, AppendMarshal appends exactly
// Marshal's bytes, and encoding is a fixed point.
func TestRoundTripRandom(t *testing.T) {
	r := newRand(t)
	n := 500
	if testing.Short() {
		n = 50
	}
	for _, reg := range registry {
		t.Run(reg.name, func(t *testing.T) {
			for range n {
				want := reg.new()
				randomize(r, reflect.ValueOf(want).Elem())
				enc := want.Marshal()
				require.Equal(t, want.Size(), len(enc))
				require.Equal(t, len(enc), cap(enc), "Marshal allocates exactly")
				prefix := []byte("prefix")
				require.Equal(t, append([]byte("prefix"), enc...), want.AppendMarshal(prefix))

				got := reg.new()
				require.NoError(t, got.Unmarshal(enc))
				require.Equal(t, want, got)
				require.Equal(t, enc, got.Marshal())
			}
		})
	}
}

// TestRoundTripNested builds frames whose payloads and meta payloads hold
// random messages of the right type and reads them back through the
// accessors.
func TestRoundTripNested(t *testing.T) {
	r := newRand(t)
	payloads := []struct {
		ns  NameSpace
		new func() message
		get func(*Meta) (message, error)
	}{
		{NSMessage, func() message { return new(MessageBody) }, func(m *Meta) (message, error) { return m.MessageBody() }},
		{NSPush, func() message { return new(MessageBody) }, func(m *Meta) (message, error) { return m.MessageBody() }},
		{NSGroupNotice, func() message { return new(GroupNotice) }, func(m *Meta) (message, error) { return m.GroupNotice() }},
		{NSRosterNotice, func() message { return new(RosterNotice) }, func(m *Meta) (message, error) { return m.RosterNotice() }},
		{NSUserNotice, func() message { return new(UserNotice) }, func(m *Meta) (message, error) { return m.UserNotice() }},
		{NSInfo, func() message { return new(Info) }, func(m *Meta) (message, error) { return m.Info() }},
		{NSConversation, func() message { return new(Conversation) }, func(m *Meta) (message, error) { return m.Conversation() }},
		{NSRtcSignal, func() message { return new(RtcSignal) }, func(m *Meta) (message, error) { return m.RtcSignal() }},
	}
	for range 100 {
		dl := new(SyncDL)
		randomize(r, reflect.ValueOf(dl).Elem())
		var inner []message
		dl.Metas = nil
		for range r.IntN(6) {
			p := payloads[r.IntN(len(payloads))]
			body := p.new()
			randomize(r, reflect.ValueOf(body).Elem())
			m := &Meta{Id: randUint64(r), From: &XID{Uid: randUint64(r)}, To: &XID{Uid: randUint64(r)}}
			m.SetPayload(p.ns, body)
			dl.Metas = append(dl.Metas, m)
			inner = append(inner, body)
		}
		wire := MarshalFrame(CommandSync, dl)
		assert.Equal(t, NewSyncDLFrame(dl).Marshal(), wire, "MarshalFrame = NewSyncDLFrame + Marshal")
		f, err := DecodeFrame(wire)
		require.NoError(t, err)
		got, err := f.SyncDL()
		require.NoError(t, err)
		require.Equal(t, dl, got)
		for i, m := range got.Metas {
			var p = payloads[0]
			for _, q := range payloads {
				if q.ns == m.Ns {
					p = q
				}
			}
			body, err := p.get(m)
			require.NoError(t, err)
			require.Equal(t, inner[i], body)
		}
	}
}
