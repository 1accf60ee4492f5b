-- 0001_users: the id sequence, accounts, settings, tokens and devices.

-- One sequence for uids and gids so they never collide (PROTOCOL.md §18.1).
CREATE TABLE entity_seq (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    next INTEGER NOT NULL
);
INSERT INTO entity_seq (id, next) VALUES (1, 10000001);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL,
    password_hash BLOB    NOT NULL,
    nick_name     TEXT    NOT NULL DEFAULT '',
    avatar        TEXT    NOT NULL DEFAULT '',
    description   TEXT    NOT NULL DEFAULT '',
    email         TEXT    NOT NULL DEFAULT '',
    mobile        TEXT    NOT NULL DEFAULT '',
    public_info   TEXT    NOT NULL DEFAULT '',
    private_info  TEXT    NOT NULL DEFAULT '',
    anonymous     INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    deleted_at    INTEGER NOT NULL DEFAULT 0
);
-- Names and mobiles are unique among live accounts only, so deleting an
-- account frees them while its row stays for old messages.
CREATE UNIQUE INDEX users_username ON users (username COLLATE NOCASE) WHERE deleted_at = 0;
CREATE UNIQUE INDEX users_mobile ON users (mobile) WHERE mobile <> '' AND deleted_at = 0;
CREATE INDEX users_email ON users (email COLLATE NOCASE) WHERE email <> '' AND deleted_at = 0;

CREATE TABLE user_settings (
    user_id            INTEGER PRIMARY KEY REFERENCES users (id),
    auth_mode          INTEGER NOT NULL DEFAULT 1,
    auth_question      TEXT    NOT NULL DEFAULT '',
    auth_answer        TEXT    NOT NULL DEFAULT '',
    auto_download      INTEGER NOT NULL DEFAULT 1,
    group_confirm      INTEGER NOT NULL DEFAULT 0,
    no_push            INTEGER NOT NULL DEFAULT 0,
    no_push_detail     INTEGER NOT NULL DEFAULT 0,
    no_push_start_hour INTEGER NOT NULL DEFAULT 0,
    no_push_end_hour   INTEGER NOT NULL DEFAULT 0,
    silence_start_time INTEGER NOT NULL DEFAULT 0,
    silence_end_time   INTEGER NOT NULL DEFAULT 0,
    no_sounds          INTEGER NOT NULL DEFAULT 0,
    vibratory          INTEGER NOT NULL DEFAULT 1,
    push_nick_name     TEXT    NOT NULL DEFAULT '',
    push_token         TEXT    NOT NULL DEFAULT ''
);

-- Only the SHA-256 of a token is kept.
CREATE TABLE tokens (
    hash        BLOB    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    device_guid TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX tokens_user ON tokens (user_id, device_guid);
CREATE INDEX tokens_expires ON tokens (expires_at);

CREATE TABLE devices (
    user_id       INTEGER NOT NULL REFERENCES users (id),
    sn            INTEGER NOT NULL CHECK (sn > 0 AND sn <= 4294967295),
    guid          TEXT    NOT NULL,
    platform      INTEGER NOT NULL DEFAULT 0,
    user_agent    TEXT    NOT NULL DEFAULT '',
    push_token    TEXT    NOT NULL DEFAULT '',
    notifier_name TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    PRIMARY KEY (user_id, sn)
);
CREATE UNIQUE INDEX devices_guid ON devices (user_id, guid);
CREATE INDEX devices_last_seen ON devices (last_seen);
