package xsync

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewMessageMeta(t *testing.T) {
	body := &MessageBody{Type: MsgChat, Content: "hi"}
	from, to := &XID{Uid: 1, DeviceSN: 2}, &XID{Uid: 3}
	m := NewMessageMeta(10, from, to, 20, body)
	assert.Equal(t, &Meta{Id: 10, From: from, To: to, Timestamp: 20, Ns: NSMessage, Payload: body.Marshal()}, m)
	got, err := m.MessageBody()
	require.NoError(t, err)
	assert.Equal(t, body, got)

	empty := NewMessageMeta(1, nil, nil, 0, &MessageBody{})
	assert.Nil(t, empty.Payload, "an empty body leaves the payload nil")
	got, err = empty.MessageBody()
	require.NoError(t, err)
	assert.Equal(t, &MessageBody{}, got)
}

func TestMetaPayloadAccessors(t *testing.T) {
	cases := []struct {
		ns   NameSpace
		msg  message
		call func(*Meta) (any, error)
	}{
		{NSMessage, &MessageBody{Content: "m"}, func(m *Meta) (any, error) { return m.MessageBody() }},
		{NSPush, &MessageBody{Content: "p"}, func(m *Meta) (any, error) { return m.MessageBody() }},
		{NSGroupNotice, &GroupNotice{Type: GroupNoticeCreated, Gid: &XID{Uid: 1}}, func(m *Meta) (any, error) { return m.GroupNotice() }},
		{NSRosterNotice, &RosterNotice{Type: RosterNoticeAccepted, From: &XID{Uid: 1}}, func(m *Meta) (any, error) { return m.RosterNotice() }},
		{NSUserNotice, &UserNotice{Type: UserNoticeFrozen}, func(m *Meta) (any, error) { return m.UserNotice() }},
		{NSInfo, &Info{SdkVsn: "1"}, func(m *Meta) (any, error) { return m.Info() }},
		{NSConversation, &Conversation{Type: ConversationOper}, func(m *Meta) (any, error) { return m.Conversation() }},
		{NSRtcSignal, &RtcSignal{Content: "{}"}, func(m *Meta) (any, error) { return m.RtcSignal() }},
	}
	for _, c := range cases {
		m := &Meta{}
		m.SetPayload(c.ns, c.msg)
		assert.Equal(t, c.ns, m.Ns)
		assert.Equal(t, c.msg.Marshal(), m.Payload)
		got, err := c.call(m)
		require.NoError(t, err, c.ns.String())
		assert.Equal(t, c.msg, got, c.ns.String())

		// Every other accessor refuses this namespace.
		for _, o := range cases {
			if o.ns == c.ns || (isBody(o.ns) && isBody(c.ns)) {
				continue
			}
			_, err := o.call(m)
			assert.ErrorIs(t, err, ErrNamespace, "%s accessor on %s", o.ns, c.ns)
		}
		// A malformed payload surfaces the decode error.
		m.Payload = []byte{0x80}
		_, err = c.call(m)
		assert.ErrorIs(t, err, ErrTruncated, c.ns.String())
		// So does a nil meta.
		_, err = c.call(nil)
		assert.ErrorIs(t, err, ErrNamespace)
	}
	_, err := (&Meta{Ns: NSInfo}).MessageBody()
	assert.EqualError(t, err, "xsync: meta namespace does not match payload: want MESSAGE or PUSH, have INFO")
}

func isBody(ns NameSpace) bool { return ns == NSMessage || ns == NSPush }

func TestSetPayloadNil(t *testing.T) {
	m := &Meta{Payload: []byte("old")}
	m.SetPayload(NSUserNotice, nil)
	assert.Equal(t, NSUserNotice, m.Ns)
	assert.Nil(t, m.Payload)
	m.SetPayload(NSInfo, (*Info)(nil))
	assert.Nil(t, m.Payload)
}
