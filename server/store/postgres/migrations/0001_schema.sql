-- The PostgreSQL schema: the tables of the SQLite store's migrations
-- 0001 to 0005 in one file, with PostgreSQL types (BIGINT for SQLite's
-- INTEGER, BYTEA for BLOB, identity columns for AUTOINCREMENT). Flags stay
-- 0/1 integers so both stores run the same SQL.

-- From 0001_users of the SQLite schema.
-- 0001_users: the id sequence, accounts, settings, tokens and devices.

-- One sequence for uids and gids so they never collide (PROTOCOL.md §18.1).
CREATE TABLE entity_seq (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    next BIGINT NOT NULL
);
INSERT INTO entity_seq (id, next) VALUES (1, 10000001);

CREATE TABLE users (
    id            BIGINT PRIMARY KEY,
    username      TEXT    NOT NULL,
    password_hash BYTEA     NOT NULL,
    nick_name     TEXT    NOT NULL DEFAULT '',
    avatar        TEXT    NOT NULL DEFAULT '',
    description   TEXT    NOT NULL DEFAULT '',
    email         TEXT    NOT NULL DEFAULT '',
    mobile        TEXT    NOT NULL DEFAULT '',
    public_info   TEXT    NOT NULL DEFAULT '',
    private_info  TEXT    NOT NULL DEFAULT '',
    anonymous     BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    deleted_at    BIGINT NOT NULL DEFAULT 0
);
-- Names and mobiles are unique among live accounts only, so deleting an
-- account frees them while its row stays for old messages.
CREATE UNIQUE INDEX users_username ON users (lower(username)) WHERE deleted_at = 0;
CREATE UNIQUE INDEX users_mobile ON users (mobile) WHERE mobile <> '' AND deleted_at = 0;
CREATE INDEX users_email ON users (lower(email)) WHERE email <> '' AND deleted_at = 0;

CREATE TABLE user_settings (
    user_id            BIGINT PRIMARY KEY REFERENCES users (id),
    auth_mode          BIGINT NOT NULL DEFAULT 1,
    auth_question      TEXT    NOT NULL DEFAULT '',
    auth_answer        TEXT    NOT NULL DEFAULT '',
    auto_download      BIGINT NOT NULL DEFAULT 1,
    group_confirm      BIGINT NOT NULL DEFAULT 0,
    no_push            BIGINT NOT NULL DEFAULT 0,
    no_push_detail     BIGINT NOT NULL DEFAULT 0,
    no_push_start_hour BIGINT NOT NULL DEFAULT 0,
    no_push_end_hour   BIGINT NOT NULL DEFAULT 0,
    silence_start_time BIGINT NOT NULL DEFAULT 0,
    silence_end_time   BIGINT NOT NULL DEFAULT 0,
    no_sounds          BIGINT NOT NULL DEFAULT 0,
    vibratory          BIGINT NOT NULL DEFAULT 1,
    push_nick_name     TEXT    NOT NULL DEFAULT '',
    push_token         TEXT    NOT NULL DEFAULT ''
);

-- Only the SHA-256 of a token is kept.
CREATE TABLE tokens (
    hash        BYTEA     PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    device_guid TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX tokens_user ON tokens (user_id, device_guid);
CREATE INDEX tokens_expires ON tokens (expires_at);

CREATE TABLE devices (
    user_id       BIGINT NOT NULL REFERENCES users (id),
    sn            BIGINT NOT NULL CHECK (sn > 0 AND sn <= 4294967295),
    guid          TEXT    NOT NULL,
    platform      BIGINT NOT NULL DEFAULT 0,
    user_agent    TEXT    NOT NULL DEFAULT '',
    push_token    TEXT    NOT NULL DEFAULT '',
    notifier_name TEXT    NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    last_seen     BIGINT NOT NULL,
    PRIMARY KEY (user_id, sn)
);
CREATE UNIQUE INDEX devices_guid ON devices (user_id, guid);
CREATE INDEX devices_last_seen ON devices (last_seen);

-- From 0002_messages of the SQLite schema.
-- 0002_messages: the XSYNC gateway's storage (PROTOCOL.md §18.2).
--
-- No foreign keys to users: system items come from uid 0, and deleted
-- accounts keep their messages.

-- Conversation logs. One table for every log; (conv_kind, conv_a, conv_b)
-- names the log (store.Conv). The id is the server id of §18.1, assigned in
-- the write transaction as NextMessageID(now, max(id)).
CREATE TABLE msg_items (
    id        BIGINT PRIMARY KEY,
    conv_kind BIGINT NOT NULL,
    conv_a    BIGINT NOT NULL,
    conv_b    BIGINT NOT NULL,
    from_uid  BIGINT NOT NULL,
    from_sn   BIGINT NOT NULL,
    to_uid    BIGINT NOT NULL,
    to_sn     BIGINT NOT NULL,
    ts        BIGINT NOT NULL,
    ns        BIGINT NOT NULL,
    body      BYTEA     NOT NULL,
    chat      BIGINT NOT NULL DEFAULT 0,
    -- current state, changed by later operations
    recalled  BIGINT NOT NULL DEFAULT 0,
    edited    BIGINT NOT NULL DEFAULT 0,
    content   TEXT    NOT NULL DEFAULT '',
    config    TEXT    NOT NULL DEFAULT '',
    ext       TEXT    NOT NULL DEFAULT '',
    edit_ts   BIGINT NOT NULL DEFAULT 0
);
-- History pages walk a conversation's chat messages backwards.
CREATE INDEX msg_items_history ON msg_items (conv_kind, conv_a, conv_b, id) WHERE chat = 1;

-- User inboxes: which items each user sees in which stream. origin_sn is the
-- sending device when it is one of this user's devices, target_sn restricts
-- the entry to one device (0 = all).
CREATE TABLE msg_inbox (
    uid       BIGINT NOT NULL,
    stream    BIGINT NOT NULL,
    id        BIGINT NOT NULL,
    origin_sn BIGINT NOT NULL DEFAULT 0,
    target_sn BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (uid, stream, id)
);

-- Where a device's cursors start when it has none: the last id when it
-- registered.
CREATE TABLE msg_devices (
    uid  BIGINT NOT NULL,
    sn   BIGINT NOT NULL,
    base BIGINT NOT NULL,
    PRIMARY KEY (uid, sn)
);

-- Confirmed position of each device in each stream.
CREATE TABLE msg_cursors (
    uid    BIGINT NOT NULL,
    sn     BIGINT NOT NULL,
    stream BIGINT NOT NULL,
    pos    BIGINT NOT NULL,
    PRIMARY KEY (uid, sn, stream)
);
-- "Delivered to any device of the user" is the highest pos of a stream.
CREATE INDEX msg_cursors_stream ON msg_cursors (uid, stream, pos);

-- Per-user conversation state. last_entry is the newest inbox entry (lets
-- UNREAD skip streams with nothing new), last_activity the newest chat
-- message, cleared the conversation delete position.
CREATE TABLE msg_conv_state (
    uid           BIGINT NOT NULL,
    stream        BIGINT NOT NULL,
    kind          BIGINT NOT NULL,
    last_entry    BIGINT NOT NULL DEFAULT 0,
    last_activity BIGINT NOT NULL DEFAULT 0,
    read_all      BIGINT NOT NULL DEFAULT 0,
    cleared       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (uid, stream)
);

-- Conversation deletes of a single device (ConversationOperation DELETE).
CREATE TABLE msg_conv_device (
    uid     BIGINT NOT NULL,
    sn      BIGINT NOT NULL,
    stream  BIGINT NOT NULL,
    cleared BIGINT NOT NULL,
    PRIMARY KEY (uid, sn, stream)
);

-- Per-user marks on messages: read, delivered, played, unread (a cancelled
-- read), deleted.
CREATE TABLE msg_marks (
    id   BIGINT NOT NULL,
    uid  BIGINT NOT NULL,
    kind BIGINT NOT NULL,
    PRIMARY KEY (id, uid, kind)
);
-- READ_ALL clears a user's cancelled reads in a conversation; they are rare.
CREATE INDEX msg_marks_unread ON msg_marks (uid, id) WHERE kind = 4;

-- Dedup of sends: the ack given to (uid, sn, client_mid), kept 24 h.
-- client_mid is the uint64 reinterpreted as int64.
CREATE TABLE msg_acks (
    uid        BIGINT NOT NULL,
    sn         BIGINT NOT NULL,
    client_mid BIGINT NOT NULL,
    server_mid BIGINT NOT NULL,
    server_ts  BIGINT NOT NULL,
    edit_ts    BIGINT NOT NULL,
    created    BIGINT NOT NULL,
    PRIMARY KEY (uid, sn, client_mid)
);
CREATE INDEX msg_acks_created ON msg_acks (created);

-- From 0003_roster of the SQLite schema.
-- 0003_roster: friendships, block lists, roster annotations, friend requests.

-- One row per (owner, other user) that has any relation or annotation.
-- Friendship is written on both rows together; blocked, alias, ext and
-- mute_notification belong to the owner alone.
CREATE TABLE roster (
    user_id           BIGINT NOT NULL REFERENCES users (id),
    other_id          BIGINT NOT NULL REFERENCES users (id),
    friend            BIGINT NOT NULL DEFAULT 0,
    was_friend        BIGINT NOT NULL DEFAULT 0,
    blocked           BIGINT NOT NULL DEFAULT 0,
    alias             TEXT    NOT NULL DEFAULT '',
    ext               TEXT    NOT NULL DEFAULT '',
    mute_notification BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (user_id, other_id)
);

-- At most one request per ordered pair; a new request replaces the row (and
-- gets a new id, so it reappears after the reader's paging cursor).
CREATE TABLE roster_applications (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    applicant_id BIGINT NOT NULL REFERENCES users (id),
    target_id    BIGINT NOT NULL REFERENCES users (id),
    alias        TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    status       BIGINT NOT NULL DEFAULT 0,
    expires_at   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (applicant_id, target_id)
);
CREATE INDEX roster_applications_target ON roster_applications (target_id, id);

-- From 0004_groups of the SQLite schema.
-- 0004_groups: groups, members, block lists, join requests, invitations,
-- announcements and shared files. ("groups" is an SQL keyword, hence
-- chat_groups.)

CREATE TABLE chat_groups (
    id               BIGINT PRIMARY KEY, -- from entity_seq, never equal to a uid
    owner_id         BIGINT NOT NULL REFERENCES users (id),
    name             TEXT    NOT NULL DEFAULT '',
    type             BIGINT NOT NULL DEFAULT 0,
    status           BIGINT NOT NULL DEFAULT 0,
    ban_expire_time  BIGINT NOT NULL DEFAULT 0,
    read_ack         BIGINT NOT NULL DEFAULT 0,
    history_visible  BIGINT NOT NULL DEFAULT 0,
    avatar           TEXT    NOT NULL DEFAULT '',
    description      TEXT    NOT NULL DEFAULT '',
    ext              TEXT    NOT NULL DEFAULT '',
    capacity         BIGINT NOT NULL,
    apply_approval   BIGINT NOT NULL DEFAULT 0,
    member_invite    BIGINT NOT NULL DEFAULT 0,
    member_modify    BIGINT NOT NULL DEFAULT 0,
    hide_member_info BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX chat_groups_live_type ON chat_groups (type, id) WHERE status = 0;

-- seq keeps insertion order among members who joined in the same
-- millisecond (the owner is inserted first); SQLite uses the rowid.
CREATE TABLE group_members (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY,
    group_id        BIGINT NOT NULL REFERENCES chat_groups (id),
    user_id         BIGINT NOT NULL REFERENCES users (id),
    role            BIGINT NOT NULL DEFAULT 0,
    display_name    TEXT    NOT NULL DEFAULT '',
    join_time       BIGINT NOT NULL,
    ban_expire_time BIGINT NOT NULL DEFAULT 0,
    msg_mute_mode   BIGINT NOT NULL DEFAULT 0,
    msg_push_mode   BIGINT NOT NULL DEFAULT 0,
    not_disturb     BIGINT NOT NULL DEFAULT 0,
    UNIQUE (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE group_blocks (
    group_id   BIGINT NOT NULL REFERENCES chat_groups (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE group_applications (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    group_id     BIGINT NOT NULL REFERENCES chat_groups (id),
    applicant_id BIGINT NOT NULL REFERENCES users (id),
    reason       TEXT    NOT NULL DEFAULT '',
    status       BIGINT NOT NULL DEFAULT 0,
    expires_at   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (group_id, applicant_id)
);

CREATE TABLE group_invitations (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    group_id   BIGINT NOT NULL REFERENCES chat_groups (id),
    inviter_id BIGINT NOT NULL REFERENCES users (id),
    invitee_id BIGINT NOT NULL REFERENCES users (id),
    reason     TEXT    NOT NULL DEFAULT '',
    status     BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (group_id, inviter_id, invitee_id)
);
CREATE INDEX group_invitations_invitee ON group_invitations (invitee_id, id);

CREATE TABLE group_announcements (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    group_id   BIGINT NOT NULL REFERENCES chat_groups (id),
    author     BIGINT NOT NULL,
    title      TEXT    NOT NULL DEFAULT '',
    content    TEXT    NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX group_announcements_group ON group_announcements (group_id, id);

CREATE TABLE group_files (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    group_id   BIGINT NOT NULL REFERENCES chat_groups (id),
    name       TEXT    NOT NULL DEFAULT '',
    size       BIGINT NOT NULL DEFAULT 0,
    type       TEXT    NOT NULL DEFAULT '',
    url        TEXT    NOT NULL DEFAULT '',
    uploader   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX group_files_group ON group_files (group_id, id);

-- From 0005_files of the SQLite schema.
-- 0005_files: uploaded file metadata, one-time upload tickets, signing keys.

CREATE TABLE files (
    id           TEXT    PRIMARY KEY,
    owner_id     BIGINT NOT NULL REFERENCES users (id),
    kind         BIGINT NOT NULL,
    file_type    BIGINT NOT NULL DEFAULT 0,
    to_type      BIGINT NOT NULL DEFAULT 0,
    to_id        BIGINT NOT NULL DEFAULT 0,
    name         TEXT    NOT NULL DEFAULT '',
    content_type TEXT    NOT NULL DEFAULT '',
    size         BIGINT NOT NULL DEFAULT 0,
    uploaded     BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    uploaded_at  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE upload_tickets (
    id         TEXT    PRIMARY KEY,
    file_id    TEXT    NOT NULL REFERENCES files (id),
    expires_at BIGINT NOT NULL
);
CREATE INDEX upload_tickets_expires ON upload_tickets (expires_at);

-- Server-wide secrets, created on first use and kept across restarts.
CREATE TABLE server_keys (
    name  TEXT PRIMARY KEY,
    value BYTEA  NOT NULL
);
