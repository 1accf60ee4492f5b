//go:build crosscheck

package crosscheck

import (
	"bytes"
	"flag"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/flooim/floo/xsync"
	"github.com/flooim/floo/xsync/internal/xsyncpb"
)

var (
	flagSeed = flag.Uint64("crosscheck.seed", 0xF1005EED, "seed of the random message streams (each run logs it)")
	flagN    = flag.Int("crosscheck.n", 2000, "random messages per type and test (a tenth of it with -short)")
)

// codec is the method set of every hand-written message type.
type codec interface {
	Marshal() []byte
	AppendMarshal([]byte) []byte
	Size() int
	Unmarshal([]byte) error
}

// pair links a generated message type to its hand-written twin. The values are
// prototypes; tests make fresh ones with newPB and newOurs.
type pair struct {
	pb   proto.Message
	ours codec
}

var pairs = []pair{
	{&xsyncpb.Frame{}, &xsync.Frame{}},
	{&xsyncpb.Status{}, &xsync.Status{}},
	{&xsyncpb.XID{}, &xsync.XID{}},
	{&xsyncpb.ConversationUnread{}, &xsync.ConversationUnread{}},
	{&xsyncpb.UnreadUL{}, &xsync.UnreadUL{}},
	{&xsyncpb.UnreadDL{}, &xsync.UnreadDL{}},
	{&xsyncpb.SyncUL{}, &xsync.SyncUL{}},
	{&xsyncpb.SyncDL{}, &xsync.SyncDL{}},
	{&xsyncpb.Notice{}, &xsync.Notice{}},
	{&xsyncpb.Provision{}, &xsync.Provision{}},
	{&xsyncpb.Meta{}, &xsync.Meta{}},
	{&xsyncpb.MessageOperation{}, &xsync.MessageOperation{}},
	{&xsyncpb.MessageBody{}, &xsync.MessageBody{}},
	{&xsyncpb.GroupNotice{}, &xsync.GroupNotice{}},
	{&xsyncpb.RosterNotice{}, &xsync.RosterNotice{}},
	{&xsyncpb.UserNotice{}, &xsync.UserNotice{}},
	{&xsyncpb.Info{}, &xsync.Info{}},
	{&xsyncpb.ConversationOperation{}, &xsync.ConversationOperation{}},
	{&xsyncpb.Conversation{}, &xsync.Conversation{}},
	{&xsyncpb.RtcSignal{}, &xsync.RtcSignal{}},
}

func (p pair) name() string                       { return string(p.md().Name()) }
func (p pair) md() protoreflect.MessageDescriptor { return p.pb.ProtoReflect().Descriptor() }
func (p pair) newPB() proto.Message               { return p.pb.ProtoReflect().New().Interface() }
func (p pair) newOurs() codec                     { return reflect.New(reflect.TypeOf(p.ours).Elem()).Interface().(codec) }
func structOf(c codec) reflect.Value              { return reflect.ValueOf(c).Elem() }
func diffOurs(c codec, m proto.Message, n string) string {
	return diff(n, structOf(c), m.ProtoReflect())
}

// iterations returns how many random messages each type gets.
func iterations(t *testing.T, fraction int) int {
	n := *flagN / fraction
	if testing.Short() {
		n /= 10
	}
	return max(n, 1)
}

// forEachPair runs body as one subtest per message type, with that type's own
// reproducible random stream. The seed is logged so that any failure replays.
func forEachPair(t *testing.T, body func(t *testing.T, p pair, g *gen)) {
	t.Logf("seed %#x (replay: -args -crosscheck.seed=%d -crosscheck.n=%d)", *flagSeed, *flagSeed, *flagN)
	for _, p := range pairs {
		t.Run(p.name(), func(t *testing.T) {
			body(t, p, newGen(*flagSeed, t.Name()))
		})
	}
}

// encodeOurs marshals c and checks that Size and AppendMarshal agree with
// Marshal, so every test exercises all three encoding entry points.
func encodeOurs(t *testing.T, c codec, iter int) []byte {
	t.Helper()
	enc := c.Marshal()
	require.Equal(t, len(enc), c.Size(), "iteration %d: Size disagrees with len(Marshal())", iter)
	// Once with no spare capacity, once with room to grow in place.
	for _, buf := range [][]byte{{0xde, 0xad}, append(make([]byte, 0, 2+len(enc)), 0xde, 0xad)} {
		require.Equal(t, append([]byte{0xde, 0xad}, enc...), c.AppendMarshal(buf),
			"iteration %d: AppendMarshal must append Marshal's bytes", iter)
	}
	return enc
}

// requireSameBytes compares encodings, for which nil and empty are the same
// (testify's Equal tells them apart).
func requireSameBytes(t *testing.T, want, got []byte, msgAndArgs ...any) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	require.Equal(t, want, got, msgAndArgs...)
}

// TestSchemaCoverage makes sure no message of the schema escapes the cross-check.
func TestSchemaCoverage(t *testing.T) {
	covered := map[protoreflect.FullName]bool{}
	for _, p := range pairs {
		assert.False(t, covered[p.md().FullName()], "%s listed twice", p.name())
		covered[p.md().FullName()] = true
		assert.Equal(t, p.name(), reflect.TypeOf(p.ours).Elem().Name(), "hand-written type must be named as the message")
	}
	msgs := xsyncpb.File_xsync_proto.Messages()
	require.Equal(t, 20, msgs.Len(), "xsync.proto changed: update pairs")
	for i := range msgs.Len() {
		md := msgs.Get(i)
		assert.True(t, covered[md.FullName()], "message %s has no pair", md.FullName())
		assert.Zero(t, md.Messages().Len(), "%s has nested messages: extend the cross-check", md.FullName())
	}
}

// TestFieldTypes checks the Go shape of every hand-written struct against the
// contract: protoc-gen-go's field names, no extra exported fields, pointers for
// embedded messages, []*T for repeated ones, named int32 types for enums,
// int32 for sint32 and plain Go types for the other scalars.
func TestFieldTypes(t *testing.T) {
	pkg := reflect.TypeOf(xsync.Frame{}).PkgPath()
	scalar := map[protoreflect.Kind]reflect.Type{
		protoreflect.BoolKind:   reflect.TypeFor[bool](),
		protoreflect.Sint32Kind: reflect.TypeFor[int32](),
		protoreflect.Int32Kind:  reflect.TypeFor[int32](),
		protoreflect.Uint32Kind: reflect.TypeFor[uint32](),
		protoreflect.Uint64Kind: reflect.TypeFor[uint64](),
		protoreflect.StringKind: reflect.TypeFor[string](),
		protoreflect.BytesKind:  reflect.TypeFor[[]byte](),
	}
	for _, p := range pairs {
		ot := reflect.TypeOf(p.ours).Elem()
		want := map[string]bool{}
		for _, f := range fieldsOf(p.md()) {
			want[f.goName] = true
			sf, ok := ot.FieldByName(f.goName)
			if !assert.True(t, ok, "%s.%s: missing field (proto %s)", ot.Name(), f.goName, f.fd.Name()) {
				continue
			}
			ft, fd, where := sf.Type, f.fd, ot.Name()+"."+f.goName
			switch {
			case fd.IsList() && fd.Message() != nil:
				ok := ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Pointer &&
					ft.Elem().Elem().Name() == string(fd.Message().Name()) && ft.Elem().Elem().PkgPath() == pkg
				assert.True(t, ok, "%s: want []*xsync.%s, got %s", where, fd.Message().Name(), ft)
			case fd.IsList():
				assert.Fail(t, "repeated scalars are not in the contract", where)
			case fd.Message() != nil:
				ok := ft.Kind() == reflect.Pointer && ft.Elem().Name() == string(fd.Message().Name()) && ft.Elem().PkgPath() == pkg
				assert.True(t, ok, "%s: want *xsync.%s, got %s", where, fd.Message().Name(), ft)
			case fd.Kind() == protoreflect.EnumKind:
				ok := ft.Kind() == reflect.Int32 && ft.Name() != "" && ft.Name() != "int32" && ft.PkgPath() == pkg
				assert.True(t, ok, "%s: want a named int32 type in xsync for enum %s, got %s", where, fd.Enum().FullName(), ft)
			default:
				wantT, known := scalar[fd.Kind()]
				if assert.True(t, known, "%s: kind %s not in the contract", where, fd.Kind()) {
					assert.Equal(t, wantT, ft, "%s (%s)", where, fd.Kind())
				}
			}
		}
		for i := range ot.NumField() {
			if sf := ot.Field(i); sf.IsExported() {
				assert.True(t, want[sf.Name], "%s.%s: exported field not in xsync.proto", ot.Name(), sf.Name)
			}
		}
	}
}

// TestProtoToOurs: random protoc-gen-go messages -> proto.Marshal (plain and
// deterministic) -> our Unmarshal must see every field -> our Marshal ->
// proto.Unmarshal must give back a message proto.Equal to the original.
func TestProtoToOurs(t *testing.T) {
	forEachPair(t, func(t *testing.T, p pair, g *gen) {
		for i := range iterations(t, 1) {
			m := p.newPB()
			g.fillPB(m.ProtoReflect(), 1)
			for _, opts := range []proto.MarshalOptions{{}, {Deterministic: true}} {
				in, err := opts.Marshal(m)
				require.NoError(t, err)
				// Decode from a scratch copy that is clobbered afterwards: the
				// codec documents that decoded values never alias the input,
				// which transports rely on when they reuse read buffers.
				scratch := bytes.Clone(in)
				ours := p.newOurs()
				require.NoError(t, ours.Unmarshal(scratch), "iteration %d: input %x", i, in)
				for k := range scratch {
					scratch[k] = 0xa5
				}
				require.Empty(t, diffOurs(ours, m, p.name()), "iteration %d: input %x", i, in)
				enc := encodeOurs(t, ours, i)
				back := p.newPB()
				require.NoError(t, proto.Unmarshal(enc, back), "iteration %d: our encoding %x", i, enc)
				require.True(t, proto.Equal(m, back), "iteration %d: input %x, re-encoded %x\nwant %v\ngot  %v", i, in, enc, m, back)
			}
		}
	})
}

// TestOursToProto: random values of our types -> our Marshal -> proto.Unmarshal
// must see every field -> proto.Marshal -> our Unmarshal must give back the
// original (nil and empty slices compare equal).
func TestOursToProto(t *testing.T) {
	forEachPair(t, func(t *testing.T, p pair, g *gen) {
		for i := range iterations(t, 1) {
			orig := p.newOurs()
			g.fillOurs(structOf(orig), p.md(), 1)
			enc := encodeOurs(t, orig, i)
			m := p.newPB()
			require.NoError(t, proto.Unmarshal(enc, m), "iteration %d: our encoding %x of %+v", i, enc, orig)
			require.Empty(t, diffOurs(orig, m, p.name()), "iteration %d: our encoding %x", i, enc)
			in, err := proto.Marshal(m)
			require.NoError(t, err)
			back := p.newOurs()
			require.NoError(t, back.Unmarshal(in), "iteration %d: input %x", i, in)
			normalize(structOf(orig))
			normalize(structOf(back))
			require.Equal(t, orig, back, "iteration %d: our encoding %x, protoc-gen-go's %x", i, enc, in)
		}
	})
}

// TestCanonicalBytes pins the exact bytes: ours must write what protoc-gen-go
// writes (fields in number order, proto3 zeros skipped, present embedded
// messages always written), plus Frame.command when it is 0. Golden files and
// the TS tests rely on this, not only on semantic equality.
func TestCanonicalBytes(t *testing.T) {
	forEachPair(t, func(t *testing.T, p pair, g *gen) {
		for i := range iterations(t, 1) {
			m := p.newPB()
			g.fillPB(m.ProtoReflect(), 1)
			in, err := proto.Marshal(m)
			require.NoError(t, err)
			want, err := canonical(p.md(), in)
			require.NoError(t, err)
			ours := p.newOurs()
			require.NoError(t, ours.Unmarshal(in), "iteration %d: input %x", i, in)
			requireSameBytes(t, want, ours.Marshal(), "iteration %d: re-encoding of %x", i, in)

			orig := p.newOurs()
			g.fillOurs(structOf(orig), p.md(), 1)
			enc := orig.Marshal()
			m = p.newPB()
			require.NoError(t, proto.Unmarshal(enc, m), "iteration %d: our encoding %x", i, enc)
			pbEnc, err := proto.Marshal(m)
			require.NoError(t, err)
			want, err = canonical(p.md(), pbEnc)
			require.NoError(t, err)
			requireSameBytes(t, want, enc, "iteration %d: encoding of %+v", i, orig)
		}
	})
}

// appendScalar appends field fd with value v the way any protobuf encoder
// would, whether or not v is zero.
func appendScalar(b []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) []byte {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		b = protowire.AppendTag(b, fd.Number(), protowire.VarintType)
		return protowire.AppendVarint(b, protowire.EncodeBool(v.Bool()))
	case protoreflect.EnumKind:
		b = protowire.AppendTag(b, fd.Number(), protowire.VarintType)
		return protowire.AppendVarint(b, uint64(int64(v.Enum()))) // sign-extended, as int32
	case protoreflect.Int32Kind, protoreflect.Int64Kind:
		b = protowire.AppendTag(b, fd.Number(), protowire.VarintType)
		return protowire.AppendVarint(b, uint64(v.Int()))
	case protoreflect.Sint32Kind, protoreflect.Sint64Kind:
		b = protowire.AppendTag(b, fd.Number(), protowire.VarintType)
		return protowire.AppendVarint(b, protowire.EncodeZigZag(v.Int()))
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind:
		b = protowire.AppendTag(b, fd.Number(), protowire.VarintType)
		return protowire.AppendVarint(b, v.Uint())
	case protoreflect.StringKind:
		b = protowire.AppendTag(b, fd.Number(), protowire.BytesType)
		return protowire.AppendString(b, v.String())
	case protoreflect.BytesKind:
		b = protowire.AppendTag(b, fd.Number(), protowire.BytesType)
		return protowire.AppendBytes(b, v.Bytes())
	}
	panic("crosscheck: unhandled kind " + fd.Kind().String())
}

// TestExplicitZeros feeds proto2-style input, as the original clients send it:
// every scalar written explicitly as zero, optionally after a non-zero value of
// the same field (the last value wins, so a zero must overwrite), and
// optionally with every embedded message present but empty.
func TestExplicitZeros(t *testing.T) {
	forEachPair(t, func(t *testing.T, p pair, g *gen) {
		md := p.md()
		for i := range max(iterations(t, 20), 3) {
			// Iteration 0 is the plain case; later ones add earlier non-zero
			// values and, every other time, empty embedded messages.
			overwrite, withMessages := i > 0, i%2 == 1
			var in []byte
			fds := md.Fields()
			for j := range fds.Len() {
				fd := fds.Get(j)
				switch {
				case fd.IsList():
				case fd.Message() != nil:
					if withMessages {
						in = protowire.AppendTag(in, fd.Number(), protowire.BytesType)
						in = protowire.AppendBytes(in, nil)
					}
				default:
					if overwrite {
						in = appendScalar(in, fd, g.scalar(fd))
					}
					in = appendScalar(in, fd, fd.Default())
				}
			}
			m := p.newPB()
			require.NoError(t, proto.Unmarshal(in, m), "input %x", in)
			ours := p.newOurs()
			require.NoError(t, ours.Unmarshal(in), "input %x", in)
			require.Empty(t, diffOurs(ours, m, p.name()), "input %x", in)
			if !withMessages {
				require.True(t, proto.Equal(p.newPB(), m), "protoc-gen-go: input %x must decode to the zero message, got %v", in, m)
				normalize(structOf(ours))
				require.Equal(t, p.newOurs(), ours, "input %x must decode to the zero value", in)
			}
			pbEnc, err := proto.Marshal(m)
			require.NoError(t, err)
			want, err := canonical(md, pbEnc)
			require.NoError(t, err)
			requireSameBytes(t, want, ours.Marshal(), "re-encoding of %x", in)
		}
	})
}

// TestUnknownFields: unknown fields of every wire type (groups included, nested
// one deep), with reserved and undeclared numbers up to the largest valid one,
// placed before, between and after the known fields at every nesting level,
// must be skipped by ours exactly as protoc-gen-go reads past them, and must
// not come back out of our Marshal.
func TestUnknownFields(t *testing.T) {
	forEachPair(t, func(t *testing.T, p pair, g *gen) {
		md := p.md()
		for i := range iterations(t, 1) {
			m := p.newPB()
			g.fillPB(m.ProtoReflect(), 1)
			clean, err := proto.Marshal(m)
			require.NoError(t, err)

			noisy := proto.Clone(m)
			g.addUnknown(noisy.ProtoReflect(), i)
			withTail, err := proto.Marshal(noisy)
			require.NoError(t, err)
			fields, err := spans(withTail)
			require.NoError(t, err)
			var in []byte
			for k, f := range fields {
				if g.oneIn(3) {
					in = append(in, g.unknownFields(md, i+k)...)
				}
				in = append(in, f...)
			}

			theirs := p.newPB()
			require.NoError(t, proto.Unmarshal(in, theirs), "iteration %d: input %x", i, in)
			require.NotEmpty(t, theirs.ProtoReflect().GetUnknown(), "iteration %d: the input must carry unknown fields", i)
			ours := p.newOurs()
			require.NoError(t, ours.Unmarshal(in), "iteration %d: input %x", i, in)
			require.Empty(t, diffOurs(ours, theirs, p.name()), "iteration %d: input %x", i, in)
			require.Empty(t, diffOurs(ours, m, p.name()), "iteration %d: input %x", i, in)

			enc := ours.Marshal()
			back := p.newPB()
			require.NoError(t, proto.Unmarshal(enc, back), "iteration %d: our encoding %x", i, enc)
			require.True(t, proto.Equal(m, back), "iteration %d: our re-encoding %x of %x kept unknown fields or lost known ones", i, enc, in)
			want, err := canonical(md, clean)
			require.NoError(t, err)
			requireSameBytes(t, want, enc, "iteration %d: re-encoding of %x", i, in)
		}
	})
}

// TestTruncated cuts valid encodings at every length (a sample of lengths for
// long ones): ours must fail exactly when protoc-gen-go fails (a cut inside a
// field) and, when both succeed (a cut between fields), read the same values.
func TestTruncated(t *testing.T) {
	forEachPair(t, func(t *testing.T, p pair, g *gen) {
		for i := range iterations(t, 10) {
			m := p.newPB()
			g.fillPB(m.ProtoReflect(), 1)
			in, err := proto.Marshal(m)
			require.NoError(t, err)
			cuts := make([]int, 0, len(in))
			if len(in) <= 300 {
				for k := range len(in) {
					cuts = append(cuts, k)
				}
			} else {
				for range 300 {
					cuts = append(cuts, g.r.IntN(len(in)))
				}
			}
			for _, k := range cuts {
				short := in[:k:k]
				theirs := p.newPB()
				errPB := proto.Unmarshal(short, theirs)
				ours := p.newOurs()
				errOurs := ours.Unmarshal(short)
				require.Equal(t, errPB == nil, errOurs == nil,
					"iteration %d: %x cut to %d bytes: protoc-gen-go error %v, ours %v", i, in, k, errPB, errOurs)
				if errPB == nil {
					require.Empty(t, diffOurs(ours, theirs, p.name()), "iteration %d: input %x", i, short)
				}
			}
		}
	})
}

// TestConcatenation decodes two encodings of the same type written back to
// back, which protobuf defines as a merge: scalars take the last value,
// embedded messages that occur twice merge recursively, repeated fields
// append. Ours must read the same values as protoc-gen-go.
func TestConcatenation(t *testing.T) {
	forEachPair(t, func(t *testing.T, p pair, g *gen) {
		for i := range iterations(t, 4) {
			var in []byte
			for range 2 {
				m := p.newPB()
				g.fillPB(m.ProtoReflect(), 1)
				b, err := proto.Marshal(m)
				require.NoError(t, err)
				in = append(in, b...)
			}
			theirs := p.newPB()
			require.NoError(t, proto.Unmarshal(in, theirs), "iteration %d: input %x", i, in)
			ours := p.newOurs()
			require.NoError(t, ours.Unmarshal(in), "iteration %d: input %x", i, in)
			require.Empty(t, diffOurs(ours, theirs, p.name()), "iteration %d: input %x", i, in)
			pbEnc, err := proto.Marshal(theirs)
			require.NoError(t, err)
			want, err := canonical(p.md(), pbEnc)
			require.NoError(t, err)
			requireSameBytes(t, want, ours.Marshal(), "iteration %d: re-encoding of %x", i, in)
		}
	})
}

// TestMutatedInput corrupts 1 to 3 bytes of valid encodings. The two decoders
// may disagree on whether to accept the result, in documented ways: ours
// rejects a declared field arriving with the wrong wire type (protoc-gen-go
// keeps it as an unknown field), while protoc-gen-go rejects invalid UTF-8 in
// strings and field numbers above 2^29-1 (ours accepts and skips those). Any
// other rejection by ours alone is a finding. Whenever both accept, they must
// read exactly the same values: a corrupted frame may be refused, never
// silently read differently.
func TestMutatedInput(t *testing.T) {
	forEachPair(t, func(t *testing.T, p pair, g *gen) {
		tally := map[string]int{}
		for i := range iterations(t, 2) {
			m := p.newPB()
			g.fillPB(m.ProtoReflect(), 1)
			in, err := proto.Marshal(m)
			require.NoError(t, err)
			if len(in) == 0 {
				continue
			}
			for range 1 + g.r.IntN(3) {
				in[g.r.IntN(len(in))] = byte(g.r.Uint32())
			}
			theirs := p.newPB()
			errPB := proto.Unmarshal(in, theirs)
			ours := p.newOurs()
			errOurs := ours.Unmarshal(in)
			switch {
			case errPB == nil && errOurs == nil:
				tally["both accept"]++
				require.Empty(t, diffOurs(ours, theirs, p.name()), "iteration %d: input %x", i, in)
			case errPB != nil && errOurs != nil:
				tally["both reject"]++
			case errOurs != nil:
				tally["only ours rejects"]++
				require.ErrorIs(t, errOurs, xsync.ErrWireType, "iteration %d: input %x accepted by protoc-gen-go", i, in)
			case strings.Contains(errPB.Error(), "UTF-8"):
				tally["only protoc-gen-go rejects (UTF-8)"]++
			default:
				tally["only protoc-gen-go rejects (other)"]++
			}
		}
		t.Logf("%v", tally)
	})
}
