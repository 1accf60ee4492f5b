-- 0005_files: uploaded file metadata, one-time upload tickets, signing keys.

CREATE TABLE files (
    id           TEXT    PRIMARY KEY,
    owner_id     INTEGER NOT NULL REFERENCES users (id),
    kind         INTEGER NOT NULL,
    file_type    INTEGER NOT NULL DEFAULT 0,
    to_type      INTEGER NOT NULL DEFAULT 0,
    to_id        INTEGER NOT NULL DEFAULT 0,
    name         TEXT    NOT NULL DEFAULT '',
    content_type TEXT    NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    uploaded     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    uploaded_at  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE upload_tickets (
    id         TEXT    PRIMARY KEY,
    file_id    TEXT    NOT NULL REFERENCES files (id),
    expires_at INTEGER NOT NULL
);
CREATE INDEX upload_tickets_expires ON upload_tickets (expires_at);

-- Server-wide secrets, created on first use and kept across restarts.
CREATE TABLE server_keys (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
