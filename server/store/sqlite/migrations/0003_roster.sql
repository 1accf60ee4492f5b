-- 0003_roster: friendships, block lists, roster annotations, friend requests.

-- One row per (owner, other user) that has any relation or annotation.
-- Friendship is written on both rows together; blocked, alias, ext and
-- mute_notification belong to the owner alone.
CREATE TABLE roster (
    user_id           INTEGER NOT NULL REFERENCES users (id),
    other_id          INTEGER NOT NULL REFERENCES users (id),
    friend            INTEGER NOT NULL DEFAULT 0,
    was_friend        INTEGER NOT NULL DEFAULT 0,
    blocked           INTEGER NOT NULL DEFAULT 0,
    alias             TEXT    NOT NULL DEFAULT '',
    ext               TEXT    NOT NULL DEFAULT '',
    mute_notification INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (user_id, other_id)
) WITHOUT ROWID;

-- At most one request per ordered pair; a new request replaces the row (and
-- gets a new id, so it reappears after the reader's paging cursor).
CREATE TABLE roster_applications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    applicant_id INTEGER NOT NULL REFERENCES users (id),
    target_id    INTEGER NOT NULL REFERENCES users (id),
    alias        TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    status       INTEGER NOT NULL DEFAULT 0,
    expires_at   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (applicant_id, target_id)
);
CREATE INDEX roster_applications_target ON roster_applications (target_id, id);
