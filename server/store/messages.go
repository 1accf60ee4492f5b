package store

import "context"

// ConvKind says what a conversation log or a user's stream is.
type ConvKind int8

// Conversation kinds. The numbers are stored; never renumber them.
const (
	ConvChat     ConvKind = 1 // one-to-one: the unordered pair of uids
	ConvGroup    ConvKind = 2 // a group: its gid
	ConvPersonal ConvKind = 3 // a user's personal stream (PROTOCOL.md §6.1)
)

// Conv names one conversation log (PROTOCOL.md §18.2). Build it with
// ChatConv, GroupConv or PersonalConv so that a pair is always ordered.
type Conv struct {
	Kind ConvKind
	A, B int64 // ConvChat: the smaller and the larger uid; otherwise A = gid or uid, B = 0
}

// ChatConv returns the one-to-one log of u1 and u2, in either order.
func ChatConv(u1, u2 int64) Conv {
	if u1 > u2 {
		u1, u2 = u2, u1
	}
	return Conv{Kind: ConvChat, A: u1, B: u2}
}

// GroupConv returns the log of group gid.
func GroupConv(gid int64) Conv { return Conv{Kind: ConvGroup, A: gid} }

// PersonalConv returns the personal log of uid: notices and conversation
// operations addressed to that user alone.
func PersonalConv(uid int64) Conv { return Conv{Kind: ConvPersonal, A: uid} }

// Stream returns the name of the stream through which uid sees c: the peer
// of a one-to-one conversation, the gid of a group, uid itself for a
// personal log.
func (c Conv) Stream(uid int64) int64 {
	if c.Kind == ConvChat && c.A == uid {
		return c.B
	}
	return c.A
}

// NextMessageID is the id generator of PROTOCOL.md §18.1: unix_ms × 1024 +
// seq, where last is the highest id handed out so far. Using last+1 when the
// clock has not moved (or went back) makes ids strictly increasing and lets a
// busy millisecond borrow from the next one.
func NextMessageID(nowMS, last int64) int64 {
	id := nowMS * 1024
	if id <= last {
		id = last + 1
	}
	return id
}

// Item is one stored entry of a conversation log: a message, an operation, a
// notice or a conversation operation. Body is the encoded Meta payload; the
// store never interprets it.
type Item struct {
	ID        int64 // server id; assigned by Append
	Conv      Conv
	FromUID   int64
	FromSN    uint32
	ToUID     int64
	ToSN      uint32
	Timestamp int64 // server time, ms; assigned by Append
	NS        int32 // Meta.ns
	Body      []byte
	// Chat marks a chat message (MessageBody type CHAT or GROUPCHAT), the
	// only items History returns.
	Chat bool

	// Current state, changed by later items through their Effects.
	Recalled      bool
	Edited        bool   // Content, Config and Ext hold the edited values
	Content       string // valid when Edited
	Config        string // valid when Edited
	Ext           string // valid when Edited
	EditTimestamp int64  // ms of the last APPEND/REPLACE; 0 if never edited
}

// Delivery is one inbox entry an Append adds: the item becomes visible in
// stream Stream of user UID (PROTOCOL.md §18.3).
type Delivery struct {
	UID    int64
	Stream int64    // the stream as UID names it: peer uid, gid or UID itself
	Kind   ConvKind // what Stream is for UID (listed in UNREAD as CHAT, GROUPCHAT or UNKNOWN)
	// OriginSN is the sending device when it belongs to UID; that device
	// never receives the entry. 0 = not sent by one of UID's devices.
	OriginSN uint32
	// TargetSN restricts the entry to one device of UID; 0 = every device.
	TargetSN uint32
	// Activity marks new conversation activity (a chat message): the
	// conversation moves up in UNREAD listings and reappears after a
	// conversation delete.
	Activity bool
}

// MarkKind is a per-user mark on a message (PROTOCOL.md §9.5).
type MarkKind int8

// Mark kinds. The numbers are stored; never renumber them.
const (
	MarkRead      MarkKind = 1 // READ_ACK by the user
	MarkDelivered MarkKind = 2 // DELIVER_ACK by the user
	MarkPlayed    MarkKind = 3 // PLAY_ACK by the user
	MarkUnread    MarkKind = 4 // READ_CANCEL by the user: overrides READ_ALL until the next READ_ALL
	MarkDeleted   MarkKind = 5 // DELETE by the user: hidden from that user's history
)

// Mark is one mark on a message.
type Mark struct {
	UID  int64
	Kind MarkKind
}

// EffectKind says what an Effect changes.
type EffectKind int8

// Effect kinds.
const (
	// EffectMark sets Mark on message Target for user UID. MarkRead clears
	// the user's MarkUnread and vice versa.
	EffectMark EffectKind = iota + 1
	// EffectReadAll moves the READ_ALL position of (UID, Stream) up to
	// Target and clears the user's MarkUnread on messages of Conv up to it.
	EffectReadAll
	// EffectRecall marks message Target recalled.
	EffectRecall
	// EffectEdit replaces the current Content, Config, Ext and
	// EditTimestamp of message Target.
	EffectEdit
	// EffectClearConv deletes conversation Stream for user UID up to the
	// appended item (PROTOCOL.md §10). SN 0: for the user everywhere, which
	// also drops the pending entries of every device; otherwise for that
	// device only, whose cursor moves past them.
	EffectClearConv
)

// Effect is a state change applied in the same transaction as an append.
type Effect struct {
	Kind   EffectKind
	Target int64 // message id (EffectMark, EffectReadAll, EffectRecall, EffectEdit)
	UID    int64
	SN     uint32 // EffectClearConv
	Stream int64  // EffectReadAll, EffectClearConv
	Conv   Conv   // EffectReadAll
	Mark   MarkKind

	Content, Config, Ext string // EffectEdit
	EditTimestamp        int64  // EffectEdit
}

// DedupKey identifies one send of one device (PROTOCOL.md §7.3).
type DedupKey struct {
	UID       int64
	SN        uint32
	ClientMID uint64
}

// Ack is what a successful send was answered with, kept for dedup.
type Ack struct {
	ServerMID     int64
	ServerTime    int64
	EditTimestamp int64
}

// AppendRequest is one stored send: the item, its inbox entries, its state
// changes and its dedup record, written in one transaction.
type AppendRequest struct {
	Now        int64 // ms; becomes Item.Timestamp and the base of Item.ID
	Item       Item  // ID and Timestamp are assigned
	Deliveries []Delivery
	Effects    []Effect
	// Dedup, when set, records the ack under this key. If the key is
	// already recorded nothing is written and the recorded ack is returned
	// with Duplicate set.
	Dedup *DedupKey
	// DedupSince ignores dedup records created before it (ms).
	DedupSince int64
}

// AppendResult is the outcome of Append.
type AppendResult struct {
	Ack
	Duplicate bool
}

// SyncPage is one page read from a stream of one device.
type SyncPage struct {
	// Items are the deliverable entries examined, ascending.
	Items []Item
	// Last is the id of the last entry examined (deliverable or not), 0 if
	// none was examined.
	Last int64
	// More is true when the limit ended the page: entries after Last may
	// exist. False means the stream had nothing after Last when it was read.
	More bool
}

// StreamUnread is one line of an UNREAD listing.
type StreamUnread struct {
	Stream       int64
	Kind         ConvKind
	N            int   // entries waiting for the device
	LastActivity int64 // id of the last chat message, 0 if none
}

// HistoryQuery selects a page of a conversation's chat messages for one
// reader (PROTOCOL.md §6.5).
type HistoryQuery struct {
	UID    int64  // the reader
	SN     uint32 // the reader's device (its own conversation deletes apply)
	Stream int64  // the conversation as the reader names it
	Conv   Conv
	Before int64 // only ids below it; 0 = from the newest
	Limit  int
	// Since leaves out messages with a timestamp before it (ms): the join
	// time in groups whose history is not visible to new members.
	Since int64
}

// CursorPos is a device's confirmed position in a stream.
type CursorPos struct {
	UID    int64
	SN     uint32
	Stream int64
	Pos    int64
}

// ReadPositions is one user's read state in one stream.
type ReadPositions struct {
	ReadAll   int64 // READ_ALL position
	Delivered int64 // highest cursor any device of the user confirmed
}

// Messages stores the conversation logs, inboxes, cursors, read state and
// the dedup records of the XSYNC gateway (PROTOCOL.md §18).
//
// Ids come from NextMessageID over the highest stored id inside the write
// transaction, so items become visible in id order: a reader that has seen
// id X never later finds a new item below X. Sync cursors depend on it.
type Messages interface {
	// Append stores r.Item with a new id, its deliveries, its effects and
	// its dedup record atomically and durably. Effects on an unknown target
	// fail with ErrNotFound and store nothing.
	Append(ctx context.Context, r *AppendRequest) (AppendResult, error)
	// LookupAck returns the ack recorded for k at or after since;
	// ErrNotFound if there is none.
	LookupAck(ctx context.Context, k DedupKey, since int64) (Ack, error)
	// PurgeAcks removes dedup records created before cutoff.
	PurgeAcks(ctx context.Context, cutoff int64) (int64, error)
	// Item returns one stored item with its current state.
	Item(ctx context.Context, id int64) (Item, error)
	// LastItemID returns the highest stored id, 0 if none.
	LastItemID(ctx context.Context) (int64, error)

	// InitDeviceCursors records where a device's cursors start when it has
	// none: the current last id (PROTOCOL.md §18.2), so a new device is not
	// flooded with old entries. reset replaces an existing start and drops
	// the device's cursors and conversation deletes (a new device reusing
	// the SN of a removed one).
	InitDeviceCursors(ctx context.Context, uid int64, sn uint32, reset bool) error
	// Cursor returns the confirmed position of (uid, sn) in stream.
	Cursor(ctx context.Context, uid int64, sn uint32, stream int64) (int64, error)
	// AdvanceCursors raises each cursor to its Pos where it is below, in
	// one transaction (the gateway batches confirmations).
	AdvanceCursors(ctx context.Context, cs []CursorPos) error
	// SyncPage examines up to limit entries of (uid, stream) above after,
	// ascending, and returns those deliverable to device sn (not from it,
	// not targeted at another device).
	SyncPage(ctx context.Context, uid int64, sn uint32, stream, after int64, limit int) (SyncPage, error)
	// Unread returns the streams with entries waiting for (uid, sn), and,
	// when recent > 0, also the recent conversations with activity not
	// deleted for that device, up to recent of them; ordered by last
	// activity ascending.
	Unread(ctx context.Context, uid int64, sn uint32, recent int) ([]StreamUnread, error)

	// History returns up to q.Limit chat messages newest first, leaving out
	// recalled ones, those the reader deleted and those covered by the
	// reader's conversation deletes; more reports whether older ones exist.
	History(ctx context.Context, q HistoryQuery) (items []Item, more bool, err error)
	// ReadPositions returns the read state of uid in stream.
	ReadPositions(ctx context.Context, uid int64, stream int64) (ReadPositions, error)
	// Marks returns the marks of the given messages.
	Marks(ctx context.Context, ids []int64) (map[int64][]Mark, error)
}
