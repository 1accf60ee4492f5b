package bus

import (
	"context"
)

// Kind says what an Event asks of the nodes that receive it.
type Kind uint8

// The kinds of Event. The numbers are the wire encoding: never renumber.
const (
	// Wake: Stream of UID has new stored entries. Live devices of UID get
	// a Notice for Stream, except device SN (the origin, 0 = none) and,
	// when TargetSN is not 0, every device but TargetSN.
	Wake Kind = 1
	// Transient: an at-most-once item (a typing indicator) for the live
	// devices of UID in Stream; Data is the encoded xsync.Meta, At the
	// time (Unix ms) after which it is dropped unpulled.
	Transient Kind = 2
	// Kick: device SN of UID (every device when SN is 0) gets the
	// UserNotice of type Type with content Data and is closed.
	Kick Kind = 3
	// Revoke: tokens of UID were deleted; each live session of UID checks
	// its token and ends if it no longer resolves.
	Revoke Kind = 4
	// Login: device SN of UID logged in at At (Unix ms, the login's clock)
	// on node Node. A node holding an older session of that device kicks
	// it (KICK_BY_SAME_DEVICE); on a tie of At the lower Node id loses.
	Login Kind = 5
	// query asks for the devices of UID online on each node (Node.Online);
	// it never reaches a Handler's Deliver.
	query Kind = 6
)

// Event is one message between nodes. Which fields count depends on Kind
// (see each kind); the others are zero.
type Event struct {
	Kind     Kind
	Node     uint64 // the sending node's id; set by Publish
	UID      int64
	Stream   int64
	SN       uint32
	TargetSN uint32
	Type     int32
	At       int64
	Data     []byte
}

// Handler is the gateway side of a node: what the bus calls. Its methods
// are called from one goroutine per node, in the order the events arrived;
// they should not block for long.
type Handler interface {
	// Deliver handles an event another node published for a uid this
	// node watches.
	Deliver(ev Event)
	// Resync is called after events may have been lost (the bus
	// reconnected, or this node fell behind): every local live connection
	// should be told to pull whatever waits for it.
	Resync()
	// Online returns the devices of uid with a live session on this node.
	Online(uid int64) []uint32
}

// Bus connects the nodes of one deployment. Each gateway joins it once.
type Bus interface {
	// Join attaches a node whose events go to h.
	Join(h Handler) (Node, error)
}

// Node is one gateway's attachment to the bus. It is safe for concurrent
// use.
type Node interface {
	// ID is the node's id, unique among the nodes of the bus with
	// overwhelming probability (random).
	ID() uint64
	// Watch says that this node has one more live device of uid: from now
	// on it receives the events published for uid. Watch and Unwatch
	// count: events stop when every Watch has had its Unwatch. They never
	// block on the network; call Sync to wait until the other nodes'
	// events reach this one.
	Watch(uid int64)
	Unwatch(uid int64)
	// Sync waits, within ctx, until the Watch calls made so far are in
	// effect at the bus. Best effort: a bus that is down returns at once.
	Sync(ctx context.Context)
	// Publish sends ev to the other nodes watching ev.UID. It does not
	// block on the network; an event that cannot be sent is dropped (the
	// receivers catch up at their clients' next pull).
	Publish(ev Event)
	// Online returns the devices of uid live on the other nodes, waiting
	// at most until ctx ends or the bus's presence wait passes.
	Online(ctx context.Context, uid int64) []uint32
	// Close leaves the bus. Deliver and Resync are not called after it
	// returns.
	Close() error
}
