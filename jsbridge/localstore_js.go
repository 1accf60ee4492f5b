package jsbridge

import (
	"syscall/js"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/internal/lite"
)

// LocalStore is a core.LocalStore over a JavaScript object whose methods
// return Promises (npm/src/storage: IndexedDB in browsers, wx storage in
// mini-programs):
//
//	{
//	  load(user): Promise<Uint8Array | null>,
//	  apply(user, {drop: Uint8Array, records: Uint8Array, keep: number}): Promise<void>,
//	  wipe(user): Promise<void>,
//	}
//
// Records cross as one Uint8Array each way rather than as objects: a load
// of 5,000 messages is then one copy instead of tens of thousands of
// syscall/js calls. A record is kind (1 byte), a and b (8 bytes each,
// big-endian, so that JavaScript reads them as two exact 32-bit halves),
// the value's length (4 bytes, big-endian; 0xFFFFFFFF in apply deletes the
// record) and the value. drop is a list of 8-byte conversation ids.
//
// The engine calls the methods from its store goroutine, never from a
// JavaScript callback, so waiting for the Promise here is allowed. A
// rejection is the store's error; one whose reason has reset: true (the
// store could not read what it had, set it aside and starts empty) wraps
// core.ErrStoreReset.
type LocalStore struct {
	core.LocalStoreBase
	obj js.Value
}

// NewLocalStore returns a LocalStore over obj, checking that it has the
// three methods.
func NewLocalStore(obj js.Value) (*LocalStore, error) {
	if err := requireMethods(obj, "localStore", "load", "apply", "wipe"); err != nil {
		return nil, err
	}
	return &LocalStore{obj: obj}, nil
}

// storeRecordHead is the size of a record's fixed part: kind, a, b, length.
const storeRecordHead = 1 + 8 + 8 + 4

// storeCallTimeout bounds the wait for one Promise of the store. The engine
// waits for the store goroutine when the client closes, so a Promise that
// never settles (an IndexedDB open blocked by another tab that never lets
// go) must not hang close() forever; a real store answers in milliseconds.
const storeCallTimeout = 30 * lite.Second

// call invokes a method and waits for its Promise, at most
// storeCallTimeout.
func (s *LocalStore) call(method string, args ...any) (js.Value, error) {
	var p js.Value
	if err := safeCall(func() error {
		p = s.obj.Call(method, args...)
		return nil
	}); err != nil {
		return p, err
	}
	ctx, cancel := lite.WithTimeout(lite.Background(), storeCallTimeout)
	defer cancel()
	v, err := awaitPromise(ctx, p)
	if je, ok := err.(*JSError); ok && je.Value.Type() == js.TypeObject && je.Value.Get("reset").Truthy() {
		return v, storeResetError{je}
	}
	return v, err
}

// storeResetError is a rejection of a store that reset itself: it wraps
// both the JavaScript error and core.ErrStoreReset.
type storeResetError struct{ *JSError }

func (e storeResetError) Unwrap() []error { return []error{e.JSError, core.ErrStoreReset} }

// Load implements core.LocalStore.
func (s *LocalStore) Load(user string) ([]core.StoreRecord, error) {
	v, err := s.call("load", user)
	if err != nil {
		return nil, err
	}
	if isNullish(v) {
		return nil, nil
	}
	b, err := bytesFromJS(v)
	if err != nil {
		return nil, err
	}
	var out []core.StoreRecord
	for len(b) >= storeRecordHead {
		n := be32(b[17:])
		if uint64(len(b)-storeRecordHead) < uint64(n) {
			break
		}
		out = append(out, core.StoreRecord{
			Kind:  core.StoreKind(b[0]),
			A:     be64(b[1:]),
			B:     be64(b[9:]),
			Value: b[storeRecordHead : storeRecordHead+n : storeRecordHead+n],
		})
		b = b[storeRecordHead+n:]
	}
	if len(b) != 0 {
		return out, &JSError{Message: "local store: truncated record"}
	}
	return out, nil
}

// Apply implements core.LocalStore.
func (s *LocalStore) Apply(user string, b *core.StoreBatch) error {
	size := 0
	for _, r := range b.Records {
		size += storeRecordHead + len(r.Value)
	}
	buf := make([]byte, 0, size)
	for _, r := range b.Records {
		n := uint32(len(r.Value))
		if r.Value == nil {
			n = 0xFFFFFFFF
		}
		buf = append(buf, byte(r.Kind))
		buf = appendBE64(buf, r.A)
		buf = appendBE64(buf, r.B)
		buf = appendBE32(buf, n)
		buf = append(buf, r.Value...)
	}
	drop := make([]byte, 0, 8*len(b.Drop))
	for _, c := range b.Drop {
		drop = appendBE64(drop, c)
	}
	o := newObject()
	o.Set("drop", bytesToJS(drop))
	o.Set("records", bytesToJS(buf))
	o.Set("keep", b.Keep)
	_, err := s.call("apply", user, o)
	return err
}

// Wipe implements core.LocalStore.
func (s *LocalStore) Wipe(user string) error {
	_, err := s.call("wipe", user)
	return err
}

// Big-endian helpers: encoding/binary is not linked into the wasm build
// otherwise, and four loops are cheaper than the package.
func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func be64(b []byte) uint64 { return uint64(be32(b))<<32 | uint64(be32(b[4:])) }

func appendBE32(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func appendBE64(b []byte, v uint64) []byte {
	return appendBE32(appendBE32(b, uint32(v>>32)), uint32(v))
}

var _ core.LocalStore = (*LocalStore)(nil)
