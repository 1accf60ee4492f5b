// Package jsonv parses, builds and encodes JSON without reflection.
//
// The client core is compiled to WebAssembly, where encoding/json, fmt and
// reflect each add 100-250 KB (brotli) to the download. jsonv covers what the
// core needs (REST envelopes, DNS replies, message config/attachment/ext
// strings, RTC signals, edit merges) with strconv, unicode/utf8 and errors
// only.
//
// # Values
//
// A [Value] is a parsed or constructed JSON value. Numbers keep their source
// text, so 64-bit ids in config and RTC signals (PROTOCOL.md §8.4, §12.2, §15)
// survive a parse and re-encode exactly; [Value.Int64], [Value.Uint64] and
// [Value.Float64] convert on demand. Objects keep their members in source
// order. When a key repeats, [Value.Get] returns the last occurrence, as
// encoding/json and JavaScript's JSON.parse do; [Value.Members] yields every
// occurrence, [Value.Set] and [Merge] collapse repeats (keeping the last),
// and [Value.Delete] removes them all.
//
// The zero Value is "missing": it is what Get, Index and GetPath return when
// nothing is there. Its Kind is [KindNull], [Value.Exists] reports false, and
// it encodes as null. Reading a field of a missing value is safe and yields
// another missing value, so lookups chain without checks:
//
//	token, ok := v.GetPath("data", "token").Str()
//
// The As* accessors coerce the way REST.md §2.3 requires of a server reading
// a request: integers may arrive as JSON numbers or decimal strings, booleans
// as true/false or "true"/"false".
//
// # Parsing
//
// [Parse] accepts exactly the RFC 8259 grammar: no comments, no trailing
// commas, no leading zeros or '+' signs, no single quotes, no byte order mark,
// and nothing but whitespace after the value. Two leniencies are deliberate,
// because they are shared by encoding/json and JSON.parse and a server reply
// should not fail as a whole over one bad character: invalid UTF-8 bytes in a
// string decode to U+FFFD (one per byte), and a \u escape of an unpaired
// UTF-16 surrogate decodes to U+FFFD. Containers may nest [MaxDepth] deep;
// deeper input fails with [ErrTooDeep] instead of exhausting the stack.
// Errors are [*ParseError] values carrying the byte offset of the problem.
//
// Parsing runs in time and memory linear in the input and never panics. To
// keep allocations low, the strings and numbers of a parsed Value that contain
// no escapes share the memory of the input (of one copy of it for [Parse]), so
// a small Value kept from a large document keeps that document alive; copy
// with strings.Clone what you keep for long.
//
// # Encoding
//
// [Value.AppendJSON] and [Writer] produce compact JSON. Strings escape the
// quote, the backslash and control characters, and also U+2028 and U+2029 so
// the output is safe inside JavaScript source; invalid UTF-8 is replaced with
// U+FFFD so the output is always valid UTF-8. HTML characters (<, >, &) are
// not escaped: the output goes to sockets and fetch bodies, not into pages.
//
// # Wasm
//
// Measured on a syscall/js program built with -trimpath -ldflags="-s -w",
// parsing, editing, merging and encoding with jsonv adds about 87 KB raw and
// 23 KB gzip. [Value.Float64] adds about 54 KB raw and 17 KB gzip more,
// because strconv.ParseFloat brings in strconv's quoting and Unicode tables
// through its error type, unless the program links them anyway; everything
// else avoids strconv's parsing functions for that reason. encoding/json
// adds about 1 MB raw and 260 KB gzip to the same program.
//
// # Concurrency
//
// Values are immutable: Set, Delete and Merge return new values and never
// modify the storage of their arguments, so a Value may be read from many
// goroutines at once. A [Writer] must not be used concurrently.
package jsonv
