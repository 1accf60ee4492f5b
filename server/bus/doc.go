// Package bus connects the XSYNC gateways of several reference-server nodes
// that share one database, so that each reaches the clients connected to
// the others (server/README.md, "Fan-out between nodes").
//
// The database keeps everything that must last; the bus carries only what
// tells a node to act: wake-ups for stored data ("stream X of uid Y has new
// entries": the node's live devices of Y get a Notice and pull), and the
// items that are never stored, whole and at most once (typing indicators,
// kicks, token revocations, "device SN of uid logged in on node N"). A lost
// event therefore costs delay, never data: the device's next UNREAD
// heartbeat lists what waits, and after a reconnection (or after dropping
// events it could not keep up with) a node asks its gateway to notice every
// local connection of what waits for it (Handler.Resync).
//
// Two implementations: Local, in-process, the default of a gateway without
// a bus (a single node, or several gateways of one process, as tests run
// them), and NATS, over a NATS server (core NATS, no persistence). Both
// send an event only to the other nodes that watch its uid (Node.Watch,
// while they hold a live device of that user), in the order published, and
// never back to the publisher. On NATS each uid has its subject,
// <prefix>.u.<uid>; presence queries go to the same subject and are
// answered on an inbox. Events are encoded by Encode: a version byte, the
// kind, varints, the payload; about 12 bytes for a wake-up.
package bus
