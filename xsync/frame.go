package xsync

// NewUnreadFrame returns an UNREAD request, which is also the heartbeat. It
// has no payload and encodes as the two bytes 18 00.
func NewUnreadFrame() *Frame { return &Frame{Command: CommandUnread} }

// NewSyncFrame returns a SYNC frame carrying ul (client to server).
func NewSyncFrame(ul *SyncUL) *Frame {
	return &Frame{Command: CommandSync, Payload: ul.Marshal()}
}

// NewProvisionFrame returns a PROVISION frame carrying p (the login request,
// or the server's reply).
func NewProvisionFrame(p *Provision) *Frame {
	return &Frame{Command: CommandProvision, Payload: p.Marshal()}
}

// NewNoticeFrame returns a NOTICE frame carrying n (server to client).
func NewNoticeFrame(n *Notice) *Frame {
	return &Frame{Command: CommandNotice, Payload: n.Marshal()}
}

// NewUnreadDLFrame returns an UNREAD frame carrying dl (server to client).
func NewUnreadDLFrame(dl *UnreadDL) *Frame {
	return &Frame{Command: CommandUnread, Payload: dl.Marshal()}
}

// NewSyncDLFrame returns a SYNC frame carrying dl (server to client).
func NewSyncDLFrame(dl *SyncDL) *Frame {
	return &Frame{Command: CommandSync, Payload: dl.Marshal()}
}

// AppendFrame appends the encoding of Frame{Command: cmd, Payload: <payload
// encoded>} to b, writing the payload in place instead of marshalling it
// separately first. It is the allocation-free form of the New*Frame
// constructors followed by AppendMarshal; payload may be nil.
func AppendFrame(b []byte, cmd Command, payload Marshaler) []byte {
	b = appendVarint(append(b, t3v), enumVarint(int32(cmd)))
	if payload == nil {
		return b
	}
	if n := payload.Size(); n > 0 {
		b = appendMsgHeader(b, t4b, n)
		b = payload.AppendMarshal(b)
	}
	return b
}

// MarshalFrame returns the encoding of Frame{Command: cmd, Payload: <payload
// encoded>} in a single allocation of the exact size.
func MarshalFrame(cmd Command, payload Marshaler) []byte {
	n := 1 + sizeVarint(enumVarint(int32(cmd)))
	if payload != nil {
		n += sizeLenField(payload.Size())
	}
	return AppendFrame(make([]byte, 0, n), cmd, payload)
}

// DecodeFrame decodes one Frame from b. The result does not alias b, so the
// caller may reuse b at once. The payload is left encoded: decode it with the
// accessor matching the frame's Command and direction (UnreadDL, SyncUL,
// SyncDL, Notice, Provision). DecodeFrame does not look at Vsn,
// CompressMethod or EncryptMethod; rejecting frames this SDK cannot read is
// the caller's decision.
func DecodeFrame(b []byte) (*Frame, error) {
	f := new(Frame)
	if err := f.Unmarshal(b); err != nil {
		return nil, err
	}
	return f, nil
}

// The payload accessors decode f.Payload as the message its Command carries
// in one direction (PROTOCOL.md §3.5), and fail with an error wrapping
// ErrCommand for another command. Bytes fields of the result (Meta.Payload)
// share memory with f.Payload instead of copying it: the Frame owns that
// buffer after DecodeFrame, and the payloads of a sync are most of its bytes.

func commandErr(f *Frame, want Command) error {
	have := "nil frame"
	if f != nil {
		have = f.Command.String()
	}
	return &wrapError{err: ErrCommand, msg: ErrCommand.Error() + ": want " + want.String() + ", have " + have}
}

// UnreadDL decodes the payload of a downlink UNREAD frame.
func (f *Frame) UnreadDL() (*UnreadDL, error) {
	if f == nil || f.Command != CommandUnread {
		return nil, commandErr(f, CommandUnread)
	}
	m := new(UnreadDL)
	d := decoder{src: f.Payload, alias: true}
	if err := m.decode(&d, 0, len(f.Payload)); err != nil {
		return nil, topLevel(err, "UnreadDL")
	}
	return m, nil
}

// SyncUL decodes the payload of an uplink SYNC frame.
func (f *Frame) SyncUL() (*SyncUL, error) {
	if f == nil || f.Command != CommandSync {
		return nil, commandErr(f, CommandSync)
	}
	m := new(SyncUL)
	d := decoder{src: f.Payload, alias: true, xidHint: 3}
	if err := m.decode(&d, 0, len(f.Payload)); err != nil {
		return nil, topLevel(err, "SyncUL")
	}
	return m, nil
}

// SyncDL decodes the payload of a downlink SYNC frame.
func (f *Frame) SyncDL() (*SyncDL, error) {
	if f == nil || f.Command != CommandSync {
		return nil, commandErr(f, CommandSync)
	}
	m := new(SyncDL)
	d := decoder{src: f.Payload, alias: true}
	if err := m.decode(&d, 0, len(f.Payload)); err != nil {
		return nil, topLevel(err, "SyncDL")
	}
	return m, nil
}

// Notice decodes the payload of a NOTICE frame.
func (f *Frame) Notice() (*Notice, error) {
	if f == nil || f.Command != CommandNotice {
		return nil, commandErr(f, CommandNotice)
	}
	m := new(Notice)
	d := decoder{src: f.Payload, alias: true}
	if err := m.decode(&d, 0, len(f.Payload)); err != nil {
		return nil, topLevel(err, "Notice")
	}
	return m, nil
}

// Provision decodes the payload of a PROVISION frame (either direction).
func (f *Frame) Provision() (*Provision, error) {
	if f == nil || f.Command != CommandProvision {
		return nil, commandErr(f, CommandProvision)
	}
	m := new(Provision)
	d := decoder{src: f.Payload, alias: true}
	if err := m.decode(&d, 0, len(f.Payload)); err != nil {
		return nil, topLevel(err, "Provision")
	}
	return m, nil
}
