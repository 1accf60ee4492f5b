package xsync

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
)

// Fuzz targets. The properties, for every input:
//   - decoding never panics and always terminates, whatever lengths, counts
//     or nesting the input declares (oversized lengths are rejected before
//     anything is allocated for them);
//   - a failed decode returns an error wrapping one of the decode sentinels;
//   - a successful decode is canonical-stable: the value re-encodes to bytes
//     of exactly Size() length that decode to an equal value and re-encode
//     to the same bytes.
//
// Run one with, e.g., go test ./xsync -run '^$' -fuzz '^FuzzFrame$' -fuzztime 20s.
// Crashers land in testdata/fuzz/<Target>/ and stay there as regression seeds.

// malformedSeeds are hand-made bad inputs, one per class.
var malformedSeeds = []string{
	"80", "08 80", "08 ff ff ff ff ff ff ff ff ff ff 01", "08 ff ff ff ff ff ff ff ff ff 02",
	"0a 05 08 01", "32 ff ff ff ff ff ff ff ff ff 01", "12 02 12 05 08 01", "08 01 0a 00",
	"0e", "0f", "00 00", "80 80 80 80 40 00", "81 01 01 02", "9b 01 08 01", "9b 01 a4 01", "9c 01",
	"12 0a 08 01 12 02 08 01 1a 02 08 80", "22 80 80 80 80 80 80 80 80 80 01",
}

// decodeSentinels are the errors a failed decode may wrap.
var decodeSentinels = []error{ErrTruncated, ErrOverflow, ErrWireType, ErrFieldNumber, ErrTooLarge, ErrGroup}

// addSeeds adds every golden vector and every malformed seed.
func addSeeds(f *testing.F, add func(b []byte)) {
	file, err := os.ReadFile(goldenPath)
	if err != nil {
		f.Fatal(err)
	}
	var vecs []goldenVector
	if err := json.Unmarshal(file, &vecs); err != nil {
		f.Fatal(err)
	}
	for _, v := range vecs {
		b, err := hex.DecodeString(v.Hex)
		if err != nil {
			f.Fatal(err)
		}
		add(b)
	}
	for _, s := range malformedSeeds {
		add(h(s))
	}
	add(h("08 00 10 00 18 00"))
	add(nil)
}

// checkDecodeError fails unless err wraps a decode sentinel.
func checkDecodeError(t *testing.T, err error) {
	t.Helper()
	for _, s := range decodeSentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("decode error wraps no sentinel: %v", err)
}

// checkStable checks the canonical-stability property on a decoded m.
func checkStable(t *testing.T, m message) {
	t.Helper()
	enc := m.Marshal()
	if len(enc) != m.Size() {
		t.Fatalf("Size %d, encoded %d bytes", m.Size(), len(enc))
	}
	again := newLike(m)
	if err := again.Unmarshal(enc); err != nil {
		t.Fatalf("re-decode: %v (encoding %x)", err, enc)
	}
	if !reflect.DeepEqual(m, again) {
		t.Fatalf("re-decoded value differs:\n%#v\n%#v", m, again)
	}
	if enc2 := again.Marshal(); !bytes.Equal(enc, enc2) {
		t.Fatalf("encoding not stable: %x then %x", enc, enc2)
	}
}

// decode decodes b into m, checking the properties on both outcomes.
func decodeChecked(t *testing.T, m message, b []byte) bool {
	t.Helper()
	if err := m.Unmarshal(b); err != nil {
		checkDecodeError(t, err)
		return false
	}
	checkStable(t, m)
	return true
}

// metaPayloads decodes each meta's payload by namespace.
func metaPayloads(t *testing.T, metas []*Meta) {
	for _, m := range metas {
		if m == nil {
			continue
		}
		var err error
		var v message
		switch m.Ns {
		case NSMessage, NSPush:
			v, err = m.MessageBody()
		case NSGroupNotice:
			v, err = m.GroupNotice()
		case NSRosterNotice:
			v, err = m.RosterNotice()
		case NSUserNotice:
			v, err = m.UserNotice()
		case NSInfo:
			v, err = m.Info()
		case NSConversation:
			v, err = m.Conversation()
		case NSRtcSignal:
			v, err = m.RtcSignal()
		default:
			continue
		}
		if err != nil {
			checkDecodeError(t, err)
			continue
		}
		checkStable(t, v)
	}
}

// FuzzFrame: a frame and its payload, decoded by command in both directions,
// and the metas' payloads by namespace.
func FuzzFrame(f *testing.F) {
	addSeeds(f, func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := DecodeFrame(b)
		if err != nil {
			checkDecodeError(t, err)
			return
		}
		checkStable(t, fr)
		payloads := map[Command][]func() (message, error){
			CommandUnread:    {func() (message, error) { return fr.UnreadDL() }},
			CommandSync:      {func() (message, error) { return fr.SyncUL() }, func() (message, error) { return fr.SyncDL() }},
			CommandNotice:    {func() (message, error) { return fr.Notice() }},
			CommandProvision: {func() (message, error) { return fr.Provision() }},
		}
		for cmd, calls := range payloads {
			for _, call := range calls {
				v, err := call()
				switch {
				case cmd != fr.Command:
					if !errors.Is(err, ErrCommand) {
						t.Fatalf("accessor for %v on %v: %v", cmd, fr.Command, err)
					}
				case err != nil:
					checkDecodeError(t, err)
				default:
					checkStable(t, v)
					switch p := v.(type) {
					case *SyncDL:
						metaPayloads(t, p.Metas)
					case *SyncUL:
						if p.Meta != nil {
							metaPayloads(t, []*Meta{p.Meta})
						}
					}
				}
			}
		}
	})
}

// FuzzSyncDL: SyncDL decodes the same through Unmarshal (copying) and
// through the Frame accessor (aliasing the payload).
func FuzzSyncDL(f *testing.F) {
	addSeeds(f, func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, b []byte) {
		var m SyncDL
		ok := decodeChecked(t, &m, b)
		via, err := (&Frame{Command: CommandSync, Payload: b}).SyncDL()
		if ok != (err == nil) {
			t.Fatalf("Unmarshal ok=%v, accessor err=%v", ok, err)
		}
		if ok {
			if !reflect.DeepEqual(&m, via) {
				t.Fatalf("accessor result differs")
			}
			metaPayloads(t, m.Metas)
		}
	})
}

// FuzzMessageBody: the payload of chat messages and operations.
func FuzzMessageBody(f *testing.F) {
	addSeeds(f, func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeChecked(t, new(MessageBody), b)
	})
}

// FuzzProvision: the login request and reply.
func FuzzProvision(f *testing.F) {
	addSeeds(f, func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Provision
		if decodeChecked(t, &p, b) {
			_ = p.Status.Err()
			_ = p.Status.LoginClass()
		}
	})
}

// FuzzRoundTrip: every message type, chosen by the first argument.
func FuzzRoundTrip(f *testing.F) {
	addSeeds(f, func(b []byte) {
		for i := range registry {
			f.Add(uint8(i), b)
		}
	})
	f.Fuzz(func(t *testing.T, typ uint8, b []byte) {
		decodeChecked(t, registry[int(typ)%len(registry)].new(), b)
	})
}
