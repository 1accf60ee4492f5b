package bus

import (
	"encoding/binary"
	"errors"
	"math"
)

// wireVersion is the first byte of every encoded event. A node ignores
// events of another version, so nodes of two releases can share a bus
// during a rolling upgrade without misreading each other (their clients
// then catch up at the next pull).
const wireVersion = 1

var errBadEvent = errors.New("bus: malformed event")

// Encode returns the wire form of ev: the version byte, the kind byte,
// then Node, UID, Stream, SN, TargetSN, Type and At as varints (zigzag for
// the signed ones) and Data to the end. A wake-up takes about 12 bytes.
func Encode(ev Event) []byte {
	b := make([]byte, 0, 24+len(ev.Data))
	b = append(b, wireVersion, byte(ev.Kind))
	b = binary.AppendUvarint(b, ev.Node)
	b = binary.AppendVarint(b, ev.UID)
	b = binary.AppendVarint(b, ev.Stream)
	b = binary.AppendUvarint(b, uint64(ev.SN))
	b = binary.AppendUvarint(b, uint64(ev.TargetSN))
	b = binary.AppendVarint(b, int64(ev.Type))
	b = binary.AppendVarint(b, ev.At)
	return append(b, ev.Data...)
}

// Decode parses what Encode wrote. Data aliases b.
func Decode(b []byte) (Event, error) {
	var ev Event
	if len(b) < 2 || b[0] != wireVersion || b[1] == 0 {
		return ev, errBadEvent
	}
	ev.Kind = Kind(b[1])
	b = b[2:]
	bad := false
	uv := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			bad = true
			return 0
		}
		b = b[n:]
		return v
	}
	sv := func() int64 {
		v, n := binary.Varint(b)
		if n <= 0 {
			bad = true
			return 0
		}
		b = b[n:]
		return v
	}
	ev.Node = uv()
	ev.UID = sv()
	ev.Stream = sv()
	sn, target := uv(), uv()
	typ := sv()
	ev.At = sv()
	if bad || sn > math.MaxUint32 || target > math.MaxUint32 || typ < math.MinInt32 || typ > math.MaxInt32 {
		return Event{}, errBadEvent
	}
	ev.SN, ev.TargetSN, ev.Type = uint32(sn), uint32(target), int32(typ)
	if len(b) > 0 {
		ev.Data = b
	}
	return ev, nil
}

// encodeSNs is the reply to a presence query: the device SNs as uvarints.
func encodeSNs(sns []uint32) []byte {
	b := make([]byte, 0, len(sns)*2)
	for _, sn := range sns {
		b = binary.AppendUvarint(b, uint64(sn))
	}
	return b
}

func decodeSNs(b []byte) []uint32 {
	var out []uint32
	for len(b) > 0 {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > math.MaxUint32 {
			return out
		}
		out = append(out, uint32(v))
		b = b[n:]
	}
	return out
}
