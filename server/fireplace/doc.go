// Package fireplace is the reference server's XSYNC gateway: the WebSocket
// endpoint the Floo clients keep open to log in (Provision), pull their
// streams (UNREAD, SYNC, history), send messages and operations, and be told
// of new data (NOTICE). PROTOCOL.md §3-§11, §13-§14 and §18 are its design;
// ERRORS.md §2-§3 fixes its status codes and reason strings.
//
// # Connections
//
// Each WebSocket (raw mode, PROTOCOL.md §3.1, or socket.io mode under
// /socket.io/, §3.2 and sio.go: the same session in other wrapping) runs
// two goroutines: a reader, which processes the connection's frames one
// at a time in arrival order, and a writer, which drains a queue bounded in
// frames and in bytes. Any goroutine may queue a frame without blocking.
// Replies to the connection's own requests are paced by the reader, which
// reads no further request while the queue holds more than a quarter of its
// byte budget; a Notice or kick that finds the queue full disconnects the
// client (1013) instead of slowing down everyone's fan-out. Sync and history
// pages end early at Config.PageBytes. Binary messages above 1 MiB close the
// connection with 1009, text messages in raw mode with 1003, no login within
// 10 s of the upgrade (pings do not count) with 1000, and 120 s without any
// frame (pings included) after login with 1000 (socket.io mode: 30 s, the
// ping interval and timeout). A panic while handling a frame is
// recovered: it closes that connection with 1011 and leaves the rest of the
// server running.
//
// # Storage and delivery
//
// Everything stored goes through store.Messages in one transaction per send
// (the item, every inbox entry, the state change and the dedup record), and
// is acknowledged only after that transaction committed with
// synchronous=FULL. Then each live device concerned is told: on a raw
// WebSocket whose stream is idle (no exchange open), it gets the page
// itself, unasked, as PROTOCOL.md §6.3 allows; otherwise, and always in
// socket.io mode or with Config.NoPush, at most one outstanding Notice per
// stream, and it pulls the entries itself with SyncUL (push.go has the
// rules). A delivered entry counts as received only when the device
// confirms it with the next key (§18.4), so a dropped connection loses
// nothing. A confirmation of a stream whose last read reached its end, with
// nothing signalled since, is answered without reading the store. Confirmations
// are written in batches every 50 ms rather than one transaction per pull
// (see cursorBook): a crash may make a device receive the last few entries
// again, which at-least-once delivery allows.
//
// Per connection the gateway keeps, per stream, a delivered watermark, the
// outstanding-Notice flag, whether an exchange is open or a page being
// built, and the transient items (typing indicators, kept
// at most 10 s; at most Config.TransientItems and Config.TransientBytes per
// connection, the oldest dropped first). Only one connection per (uid, deviceSN) is live: a second
// login of the same device kicks the older one.
//
// # Several nodes
//
// Gateways of several nodes on one database reach each other's devices
// through Config.Bus (server/bus, cluster.go): each change is applied to
// the local connections, then published for the other nodes holding live
// devices of the user: wake-ups for stored entries (the devices pull from
// the shared store), typing indicators, kicks, revocations and logins (the
// same device logging in on another node is kicked here). Presence
// (OnlineDevices) asks the other nodes. After the bus reconnects, every
// local connection is noticed of the streams with entries waiting for it.
//
// # Concurrency
//
// Gateway is safe for concurrent use. Sends that change an existing message
// (recall, edit) hold a lock striped by the target id, so two edits of one
// message never interleave their read-modify-write.
package fireplace
