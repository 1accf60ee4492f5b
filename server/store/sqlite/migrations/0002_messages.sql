-- 0002_messages: the XSYNC gateway's storage (PROTOCOL.md §18.2).
--
-- No foreign keys to users: system items come from uid 0, and deleted
-- accounts keep their messages.

-- Conversation logs. One table for every log; (conv_kind, conv_a, conv_b)
-- names the log (store.Conv). The id is the server id of §18.1, assigned in
-- the write transaction as NextMessageID(now, max(id)).
CREATE TABLE msg_items (
    id        INTEGER PRIMARY KEY,
    conv_kind INTEGER NOT NULL,
    conv_a    INTEGER NOT NULL,
    conv_b    INTEGER NOT NULL,
    from_uid  INTEGER NOT NULL,
    from_sn   INTEGER NOT NULL,
    to_uid    INTEGER NOT NULL,
    to_sn     INTEGER NOT NULL,
    ts        INTEGER NOT NULL,
    ns        INTEGER NOT NULL,
    body      BLOB    NOT NULL,
    chat      INTEGER NOT NULL DEFAULT 0,
    -- current state, changed by later operations
    recalled  INTEGER NOT NULL DEFAULT 0,
    edited    INTEGER NOT NULL DEFAULT 0,
    content   TEXT    NOT NULL DEFAULT '',
    config    TEXT    NOT NULL DEFAULT '',
    ext       TEXT    NOT NULL DEFAULT '',
    edit_ts   INTEGER NOT NULL DEFAULT 0
);
-- History pages walk a conversation's chat messages backwards.
CREATE INDEX msg_items_history ON msg_items (conv_kind, conv_a, conv_b, id) WHERE chat = 1;

-- User inboxes: which items each user sees in which stream. origin_sn is the
-- sending device when it is one of this user's devices, target_sn restricts
-- the entry to one device (0 = all).
CREATE TABLE msg_inbox (
    uid       INTEGER NOT NULL,
    stream    INTEGER NOT NULL,
    id        INTEGER NOT NULL,
    origin_sn INTEGER NOT NULL DEFAULT 0,
    target_sn INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (uid, stream, id)
) WITHOUT ROWID;

-- Where a device's cursors start when it has none: the last id when it
-- registered.
CREATE TABLE msg_devices (
    uid  INTEGER NOT NULL,
    sn   INTEGER NOT NULL,
    base INTEGER NOT NULL,
    PRIMARY KEY (uid, sn)
) WITHOUT ROWID;

-- Confirmed position of each device in each stream.
CREATE TABLE msg_cursors (
    uid    INTEGER NOT NULL,
    sn     INTEGER NOT NULL,
    stream INTEGER NOT NULL,
    pos    INTEGER NOT NULL,
    PRIMARY KEY (uid, sn, stream)
) WITHOUT ROWID;
-- "Delivered to any device of the user" is the highest pos of a stream.
CREATE INDEX msg_cursors_stream ON msg_cursors (uid, stream, pos);

-- Per-user conversation state. last_entry is the newest inbox entry (lets
-- UNREAD skip streams with nothing new), last_activity the newest chat
-- message, cleared the conversation delete position.
CREATE TABLE msg_conv_state (
    uid           INTEGER NOT NULL,
    stream        INTEGER NOT NULL,
    kind          INTEGER NOT NULL,
    last_entry    INTEGER NOT NULL DEFAULT 0,
    last_activity INTEGER NOT NULL DEFAULT 0,
    read_all      INTEGER NOT NULL DEFAULT 0,
    cleared       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (uid, stream)
) WITHOUT ROWID;

-- Conversation deletes of a single device (ConversationOperation DELETE).
CREATE TABLE msg_conv_device (
    uid     INTEGER NOT NULL,
    sn      INTEGER NOT NULL,
    stream  INTEGER NOT NULL,
    cleared INTEGER NOT NULL,
    PRIMARY KEY (uid, sn, stream)
) WITHOUT ROWID;

-- Per-user marks on messages: read, delivered, played, unread (a cancelled
-- read), deleted.
CREATE TABLE msg_marks (
    id   INTEGER NOT NULL,
    uid  INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    PRIMARY KEY (id, uid, kind)
) WITHOUT ROWID;
-- READ_ALL clears a user's cancelled reads in a conversation; they are rare.
CREATE INDEX msg_marks_unread ON msg_marks (uid, id) WHERE kind = 4;

-- Dedup of sends: the ack given to (uid, sn, client_mid), kept 24 h.
-- client_mid is the uint64 reinterpreted as int64.
CREATE TABLE msg_acks (
    uid        INTEGER NOT NULL,
    sn         INTEGER NOT NULL,
    client_mid INTEGER NOT NULL,
    server_mid INTEGER NOT NULL,
    server_ts  INTEGER NOT NULL,
    edit_ts    INTEGER NOT NULL,
    created    INTEGER NOT NULL,
    PRIMARY KEY (uid, sn, client_mid)
) WITHOUT ROWID;
CREATE INDEX msg_acks_created ON msg_acks (created);
