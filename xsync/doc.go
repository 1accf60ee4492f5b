// Package xsync implements the XSYNC wire protocol spoken between Lanying IM
// ("Floo") clients and the messaging gateway: the protobuf messages of
// xsync.proto (package im.floo.protobuf) with a hand-written codec, the error
// model of Status codes, and small helpers for frames, metas and ids.
//
// The package is platform-neutral and uses the standard library only, and not
// fmt, reflect or encoding/json either: it is linked into the WebAssembly SDK,
// where every such import costs 100 KB or more. It has no protobuf runtime.
// The name means the protocol, not "extended sync" as elsewhere in Go.
//
// # Messages
//
// Each message is a plain struct named as in the schema, with nested enums
// flattened into their own types (Frame.Command becomes Command, with values
// CommandUnread, CommandSync...). Embedded messages are pointers, nil when
// absent; repeated messages are slices of pointers. Every message type has
//
//	Size() int                     // exact encoded length
//	AppendMarshal(b []byte) []byte // append the encoding to b
//	Marshal() []byte               // encode into a new, exactly sized slice
//	Unmarshal(b []byte) error      // reset, then decode b
//
// # Encoding choices
//
// Output is proto3: zero scalars are omitted and fields are written in
// ascending field-number order, so output is deterministic and matches what
// protobuf-go writes for the same schema. Every non-nil embedded message is
// written, even when empty. The one departure is that Frame.command is always
// written (PROTOCOL.md §3.4), so a heartbeat is the two bytes 18 00 and no
// frame is zero bytes long.
//
// Input may be proto3 or proto2 style, as the official clients write it
// (their heartbeat is 08 00 10 00 18 00): explicit zeros and absent fields
// mean the same. Unknown fields (all wire types, groups included) and
// unknown enum values are accepted. Malformed input yields an error wrapping
// one of ErrTruncated, ErrOverflow, ErrWireType, ErrFieldNumber, ErrTooLarge
// or ErrGroup that names the field path, and never a panic; see decode.go for
// the details and for how decoded values share memory.
//
// Payloads stay encoded in Frame.Payload and Meta.Payload, since their type
// depends on Frame.Command and Meta.Ns: decode them with the accessors
// (Frame.SyncDL, Meta.MessageBody...), build them with the New*Frame
// constructors, AppendFrame, NewMessageMeta and Meta.SetPayload.
//
// # Errors
//
// Sentinels (ErrTruncated, ErrCommand...) are for conditions found locally.
// A non-OK Status from the server becomes an *Error through Status.Err; it
// matches other *Error values by Code under errors.Is. Which codes are
// temporary, recoverable or terminal is written down in the StatusCode doc.
//
// # Concurrency
//
// Messages are plain values and are not safe for concurrent mutation.
// Marshal, AppendMarshal and Size only read, so one message may be encoded
// by several goroutines at once as long as nobody modifies it meanwhile.
// Package-level functions are safe for concurrent use.
package xsync
