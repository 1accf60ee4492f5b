// Package core is the Floo client engine: login, the XSYNC session, sync,
// the managers and the SDK error model, in platform-neutral Go that both the
// native client and the WebAssembly build use.
//
// It imports the standard library only, and not the parts that bloat a wasm
// build (fmt, encoding/json, reflect, net/http, syscall/js): platform
// specifics such as sockets and HTTP sit behind interfaces implemented
// outside this package.
//
// # Errors
//
// Every error the engine returns or reports is, or wraps, an *Error carrying
// an SDK error Code (ERRORS.md §7). The names of the codes are the contract
// shared with the JavaScript facade; npm/src/codes.ts is generated from the
// table in codes.go by go generate ./core. The From* functions map XSYNC
// statuses, REST business codes, HTTP statuses, DNS replies and user notices
// onto codes as ERRORS.md prescribes, and Code.Class tells whether an error is
// terminal, recoverable or retryable.
package core
