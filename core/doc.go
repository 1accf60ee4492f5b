// Package core is the Floo client engine: login, the XSYNC session, sync,
// the managers and the SDK error model, in platform-neutral Go that both the
// native client and the WebAssembly build use.
//
// It imports the standard library only, and not the parts that bloat a wasm
// build (fmt, encoding/json, reflect, net/http, syscall/js): platform
// specifics such as sockets and HTTP sit behind interfaces implemented
// outside this package.
//
// # Architecture
//
// A Client is created from a Config with New. The platform pieces of the
// Config are the seam of transport.go: a Dialer opening XSYNC connections
// (one binary message per protobuf Frame), an HTTPDoer for REST, DNS and
// uploads, a Storage for the few values that must survive a restart, and a
// Clock that drives every timer (tests use a fake one). Browser and WeChat
// builds implement them in JavaScript behind jsbridge; core/native has the
// native implementations.
//
// A login (Login, IDLogin, TokenLogin, or AutoLogin from Storage) runs the
// sequence of PROTOCOL.md §4: DNS lookup (dns.go), token (token.go),
// roster and group prefetch (prefetch.go), then connection and Provision
// (session.go, conn.go). After a successful Provision the engine sends
// UNREAD, starts the 50 s heartbeat with its 20 s liveness rule, re-sends
// the outbox and pending history queries, and follows UNREAD, NOTICE and
// SYNC replies (sync.go): one exchange in flight per stream, a dirty flag
// for notices arriving meanwhile, next_key followed until 0 (asking for the
// next page is the acknowledgement of the previous one), and metas
// de-duplicated by server id so that a redelivery after a reconnect never
// reaches the application twice.
//
// Failures are handled by class (ERRORS.md §6.1): terminal errors end the
// session and stop reconnecting; recoverable ones (INVALID_TOKEN with
// credentials, DEVICE_GUID_CONFLICT, "you must login first") are repaired
// once; retryable ones, including connection losses, go through the
// ReconnectStrategy (reconnect.go): first retry immediate, then full jitter
// between ReconnectMin and a doubling ceiling capped at ReconnectMax, with
// fail-over to the next fireplace host after five failed attempts, and a
// new DNS lookup once every host has failed in turn (ratel hosts fail over
// the same way, rest.go). SetOnline(false) pauses reconnecting,
// SetOnline(true) reconnects at once.
//
// Reconnecting without end applies only once a login succeeded. A first
// login settles (login.go, PROTOCOL.md §5 "Initial login"): Login returns,
// and loginFail fires, with ServerDNSFailed after three failed DNS lookups
// in a row, ServerConnectFailed after three attempts in a row whose server
// refused the connection or could not be reached, SignInTimeout when
// Config.LoginTimeout (30 s) passed first, or the server's refusal
// (terminal errors, at once). Timeouts and busy servers are left to the
// login timeout. An auto-login reports loginFail under the same rule, once,
// but goes on retrying: it resumes a session that succeeded before.
//
// Sends (send.go) go through an outbox (PROTOCOL.md §7.5): each gets a
// client_mid from a strictly increasing counter seeded with the clock in
// ms × 1000, is kept until its ack, and is re-sent with the same
// client_mid after every reconnect (the server de-duplicates). Writes are
// paced by a token bucket (SendRate, SendBurst) below the server's send
// limit. A refusal for rate, busy or timeout keeps the item in place and
// writes it again after a jittered exponential backoff, holding back the
// later items of its conversation; any other refusal is final. A send once
// written is never failed by time: it stays until acknowledged. After 3 s
// without an ack the engine probes the connection (an UNREAD; no frame
// within 10 s means a new connection, PROTOCOL.md §5, which asks for the
// probe at 10 s: probing sooner costs one frame and finds a dead link 7 s
// earlier), and after 10 s it raises a SendStalled event and probes again. Only a send never written fails on logout or after the
// app's SendTimeout; Logout reports the written ones as unknown. Message
// operations (operations.go) use the same path and are applied locally
// when acknowledged; operations from peers and from the user's other
// devices are applied as they are synced.
// History (history.go) pages are matched to their queries by conversation.
//
// The message cache (cache.go, replaceable through Config.Cache), the
// conversation list (conversations.go), the unread counts (unread.go, kept
// apart from the cache, which holds only the newest messages of each
// conversation), the prefetched REST data and the stored notices back the
// synchronous getters of the JavaScript facade.
//
// # Local store
//
// With Config.LocalStore (localstore.go, localstore_engine.go) the
// conversation list, unread counts, recent messages, sync dedup and outbox
// of each user survive restarts: the in-memory structures above stay the
// owners, mark their changes in a journal, and the engine writes them in
// one batch per burst of events (a sync page) on a store goroutine; a
// session reads its user's records before its first dial and resends a
// stored outbox with the same client_mids. A session ending without a
// logout then keeps its sends for the next one instead of failing them.
// docs/localstore.md describes the records and the ownership.
//
// # Events
//
// Everything the engine reports arrives as an Event (events.go) through
// OnEvent: the official events of JSAPI.md §8 (loginSuccess,
// onRosterMessage, onSendingMessageStatusChanged, flooNotice, ...) as plain
// value structs, plus a few documented project extensions
// (connectionStateChanged, sessionError, error, rtcSignal). Events are
// queued without bound and delivered in emission order on one dispatcher
// goroutine (queue.go); a panicking handler is reported as an ErrorEvent.
//
// # Concurrency
//
// All exported methods are safe for concurrent use. Internally:
//
//   - The engine goroutine (Client.run) owns loopState: the session, the
//     current connection and its generation counter, sync, outbox, history
//     and joined-group state, and the scheduler multiplexing every timer.
//     Nothing else touches those fields. Other goroutines reach the engine
//     by Client.post (an unbounded FIFO of closures, so posting never
//     blocks, which matters for calls coming from JavaScript callbacks) or,
//     for connection traffic, through the inbound channel.
//   - Each connection has one reader goroutine, which reads and decodes
//     frames in order, and one writer goroutine, which writes the frames
//     the engine queued. A failed write closes the transport but does not
//     end the connection: the reader does, once it has read every frame
//     received before the close (the ordering contract of Conn), so that a
//     kick notice followed by the server's close is still acted upon. Reports carry the connection's generation; the
//     engine drops those of a connection it has torn down. Dials and the
//     login steps (DNS, token, prefetch) run on short-lived goroutines that
//     post their results back.
//   - Client.mu guards the published snapshot (state, uid, deviceSN, token,
//     the client_mid counter) read by the getters; the engine updates it.
//     Client.postMu guards the posted closures, Client.dnsMu the DNS result;
//     the message cache, the conversation list, the unread counts, the
//     prefetch cache, the notice store, the REST client and the event queue
//     each have their own mutex. Every one of these is a leaf lock: no other lock is taken while
//     it is held, and no event is emitted or callback run under it.
//   - With a local store, one more goroutine runs the store's calls in
//     order (loads, batches, wipes). Its journal mutex is the one nesting:
//     the conversation list and the unread tracker mark changes with their
//     mutex held, and the journal never takes theirs (localstore_engine.go).
//   - Close cancels the client context, waits for every goroutine the client
//     started (the local store's after its last batch is written), then
//     lets the dispatcher deliver the events already emitted.
//
// # Storage keys
//
// The engine persists, under the "floo." prefix: floo.uid, floo.token and
// floo.token_app (the session resumed by AutoLogin; Logout and terminal
// errors delete the token), floo.sn.<uid> and floo.guid.<uid> (the device
// identity of PROTOCOL.md §4.1, kept across logouts), and floo.dns.<app id>
// (the last DNS reply, reused when a lookup fails and as the source of the
// DNS servers to probe).
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
//
// # Wasm
//
// The package builds unchanged for GOOS=js GOARCH=wasm and its tests pass
// there (in Node, without the race detector). A few things matter in that
// build:
//
//   - Imports are kept to what a browser bundle can afford: no fmt (errors
//     and logs are built by concatenation and strconv), no encoding/json
//     (core/jsonv instead), no net/url (a small query escaper in rest.go),
//     no crypto/rand (math/rand/v2 for jitter and device guids, which need
//     no secrecy), and no time or context: durations, instants, timers
//     and cancellation come from internal/lite, which is those packages on
//     native builds (lite.Duration is time.Duration, lite.Context is
//     context.Context, so native callers pass the standard types) and a
//     small implementation on the host's clock and setTimeout in js/wasm
//     (~57 KB brotli less in the module). A test in deps_test.go fails the
//     build when one creeps in.
//   - JavaScript callbacks must not block: methods that may be called from
//     them (PostMessage, SendInputStatus, SetOnline, Probe, Disconnect,
//     Reconnect, the cache getters) never wait for the engine. Blocking methods (Login,
//     SendMessage, History, the operations, Logout) must be called from a
//     goroutine, as the bridge does for every Promise.
//   - Goroutines are cheap but there are no threads: the engine, the
//     dispatcher and the connection goroutines interleave on one thread, so
//     a slow event handler delays the engine only through the JavaScript
//     event loop, never through a lock.
package core
