-- 0004_groups: groups, members, block lists, join requests, invitations,
-- announcements and shared files. ("groups" is an SQL keyword, hence
-- chat_groups.)

CREATE TABLE chat_groups (
    id               INTEGER PRIMARY KEY, -- from entity_seq, never equal to a uid
    owner_id         INTEGER NOT NULL REFERENCES users (id),
    name             TEXT    NOT NULL DEFAULT '',
    type             INTEGER NOT NULL DEFAULT 0,
    status           INTEGER NOT NULL DEFAULT 0,
    ban_expire_time  INTEGER NOT NULL DEFAULT 0,
    read_ack         INTEGER NOT NULL DEFAULT 0,
    history_visible  INTEGER NOT NULL DEFAULT 0,
    avatar           TEXT    NOT NULL DEFAULT '',
    description      TEXT    NOT NULL DEFAULT '',
    ext              TEXT    NOT NULL DEFAULT '',
    capacity         INTEGER NOT NULL,
    apply_approval   INTEGER NOT NULL DEFAULT 0,
    member_invite    INTEGER NOT NULL DEFAULT 0,
    member_modify    INTEGER NOT NULL DEFAULT 0,
    hide_member_info INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX chat_groups_live_type ON chat_groups (type, id) WHERE status = 0;

-- The rowid keeps insertion order among members who joined in the same
-- millisecond (the owner is inserted first).
CREATE TABLE group_members (
    group_id        INTEGER NOT NULL REFERENCES chat_groups (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    role            INTEGER NOT NULL DEFAULT 0,
    display_name    TEXT    NOT NULL DEFAULT '',
    join_time       INTEGER NOT NULL,
    ban_expire_time INTEGER NOT NULL DEFAULT 0,
    msg_mute_mode   INTEGER NOT NULL DEFAULT 0,
    msg_push_mode   INTEGER NOT NULL DEFAULT 0,
    not_disturb     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE group_blocks (
    group_id   INTEGER NOT NULL REFERENCES chat_groups (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE group_applications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id     INTEGER NOT NULL REFERENCES chat_groups (id),
    applicant_id INTEGER NOT NULL REFERENCES users (id),
    reason       TEXT    NOT NULL DEFAULT '',
    status       INTEGER NOT NULL DEFAULT 0,
    expires_at   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (group_id, applicant_id)
);

CREATE TABLE group_invitations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id   INTEGER NOT NULL REFERENCES chat_groups (id),
    inviter_id INTEGER NOT NULL REFERENCES users (id),
    invitee_id INTEGER NOT NULL REFERENCES users (id),
    reason     TEXT    NOT NULL DEFAULT '',
    status     INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (group_id, inviter_id, invitee_id)
);
CREATE INDEX group_invitations_invitee ON group_invitations (invitee_id, id);

CREATE TABLE group_announcements (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id   INTEGER NOT NULL REFERENCES chat_groups (id),
    author     INTEGER NOT NULL,
    title      TEXT    NOT NULL DEFAULT '',
    content    TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX group_announcements_group ON group_announcements (group_id, id);

CREATE TABLE group_files (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id   INTEGER NOT NULL REFERENCES chat_groups (id),
    name       TEXT    NOT NULL DEFAULT '',
    size       INTEGER NOT NULL DEFAULT 0,
    type       TEXT    NOT NULL DEFAULT '',
    url        TEXT    NOT NULL DEFAULT '',
    uploader   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX group_files_group ON group_files (group_id, id);
