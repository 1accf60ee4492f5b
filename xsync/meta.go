package xsync

// NewMessageMeta returns a MESSAGE meta carrying body, as a client sends it
// (id = client_mid, ts = client time in ms) or a server delivers it (id =
// server_mid, ts = server time).
func NewMessageMeta(id uint64, from, to *XID, ts uint64, body *MessageBody) *Meta {
	return &Meta{Id: id, From: from, To: to, Timestamp: ts, Ns: NSMessage, Payload: body.Marshal()}
}

// SetPayload sets m.Ns to ns and m.Payload to the encoding of msg (nil when
// msg is nil). It does not check that msg is the type ns calls for.
func (m *Meta) SetPayload(ns NameSpace, msg Marshaler) {
	m.Ns = ns
	m.Payload = nil
	if msg != nil {
		m.Payload = msg.Marshal()
	}
}

// The payload accessors decode m.Payload as the message m.Ns calls for
// (PROTOCOL.md §3.6) and fail with an error wrapping ErrNamespace for another
// namespace. The result does not alias m.Payload.

func namespaceErr(m *Meta, want string) error {
	have := "nil meta"
	if m != nil {
		have = m.Ns.String()
	}
	return &wrapError{err: ErrNamespace, msg: ErrNamespace.Error() + ": want " + want + ", have " + have}
}

// MessageBody decodes the payload of a MESSAGE or PUSH meta.
func (m *Meta) MessageBody() (*MessageBody, error) {
	if m == nil || (m.Ns != NSMessage && m.Ns != NSPush) {
		return nil, namespaceErr(m, "MESSAGE or PUSH")
	}
	v := new(MessageBody)
	if err := v.Unmarshal(m.Payload); err != nil {
		return nil, err
	}
	return v, nil
}

// GroupNotice decodes the payload of a GROUP_NOTICE meta.
func (m *Meta) GroupNotice() (*GroupNotice, error) {
	if m == nil || m.Ns != NSGroupNotice {
		return nil, namespaceErr(m, "GROUP_NOTICE")
	}
	v := new(GroupNotice)
	if err := v.Unmarshal(m.Payload); err != nil {
		return nil, err
	}
	return v, nil
}

// RosterNotice decodes the payload of a ROSTER_NOTICE meta.
func (m *Meta) RosterNotice() (*RosterNotice, error) {
	if m == nil || m.Ns != NSRosterNotice {
		return nil, namespaceErr(m, "ROSTER_NOTICE")
	}
	v := new(RosterNotice)
	if err := v.Unmarshal(m.Payload); err != nil {
		return nil, err
	}
	return v, nil
}

// UserNotice decodes the payload of a USER_NOTICE meta.
func (m *Meta) UserNotice() (*UserNotice, error) {
	if m == nil || m.Ns != NSUserNotice {
		return nil, namespaceErr(m, "USER_NOTICE")
	}
	v := new(UserNotice)
	if err := v.Unmarshal(m.Payload); err != nil {
		return nil, err
	}
	return v, nil
}

// Info decodes the payload of an INFO meta.
func (m *Meta) Info() (*Info, error) {
	if m == nil || m.Ns != NSInfo {
		return nil, namespaceErr(m, "INFO")
	}
	v := new(Info)
	if err := v.Unmarshal(m.Payload); err != nil {
		return nil, err
	}
	return v, nil
}

// Conversation decodes the payload of a CONVERSATION meta.
func (m *Meta) Conversation() (*Conversation, error) {
	if m == nil || m.Ns != NSConversation {
		return nil, namespaceErr(m, "CONVERSATION")
	}
	v := new(Conversation)
	if err := v.Unmarshal(m.Payload); err != nil {
		return nil, err
	}
	return v, nil
}

// RtcSignal decodes the payload of an RTC_SIGNAL meta.
func (m *Meta) RtcSignal() (*RtcSignal, error) {
	if m == nil || m.Ns != NSRtcSignal {
		return nil, namespaceErr(m, "RTC_SIGNAL")
	}
	v := new(RtcSignal)
	if err := v.Unmarshal(m.Payload); err != nil {
		return nil, err
	}
	return v, nil
}
