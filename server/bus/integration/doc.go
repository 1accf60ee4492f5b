// Package integration tests several reference-server nodes as one
// deployment: two servers in the test process on one PostgreSQL database
// (pgtest) and one NATS server (natstest, embedded), with native SDK
// clients (core/native) and raw XSYNC clients on either node. It has no
// non-test code.
//
// The tests cover one-to-one and group messages, typing, recall, read
// receipts and read sync between nodes, a user's devices on two nodes
// (multi-device sync, the same-device kick, device presence), kicks and
// token revocations made through the other node, and a NATS restart during
// which messages are sent. Waits are bounded and await events, and the
// clients' UNREAD heartbeat is left at its 50 s, so that nothing here is
// delivered by a heartbeat: every delivery is the bus's doing.
package integration
