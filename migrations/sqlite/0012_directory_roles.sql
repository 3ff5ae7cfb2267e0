-- Reach the right person: conversations people start themselves, roles and who holds
-- them, and each person's presence.

-- Who started a conversation: a group's creator manages it; a role conversation is the
-- creator's thread with the role.
ALTER TABLE conversations ADD COLUMN created_by TEXT;
-- A 1:1's two members in order (`a|b`): one 1:1 per pair, however many ask at once.
ALTER TABLE conversations ADD COLUMN pair TEXT;
CREATE UNIQUE INDEX conversations_by_pair ON conversations(pair) WHERE pair IS NOT NULL;
-- A conversation with a role: its messages go to whoever holds the role when sent.
ALTER TABLE conversations ADD COLUMN role_id TEXT;
CREATE UNIQUE INDEX conversations_by_role ON conversations(role_id, created_by) WHERE role_id IS NOT NULL;
-- A group's admins besides its creator.
ALTER TABLE conversation_members ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;

-- A named duty within a team. `fallback` (`team:NAME` or `role:NAME`) receives what is
-- written to the role while nobody holds it.
CREATE TABLE roles (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL COLLATE NOCASE UNIQUE,
    team_id    TEXT NOT NULL REFERENCES teams(id),
    fallback   TEXT,
    created_at TEXT NOT NULL
);

-- Who holds a role when (unix ms; no end: until handed on). `source`: 'rota' (imported)
-- or 'app' (taken or handed over by a person). Shifts may overlap.
CREATE TABLE role_holders (
    id        TEXT PRIMARY KEY,
    role_id   TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES users(id),
    starts_at INTEGER NOT NULL,
    ends_at   INTEGER,
    source    TEXT NOT NULL
);
CREATE INDEX role_holders_by_role ON role_holders(role_id, starts_at);
CREATE INDEX role_holders_by_user ON role_holders(user_id, starts_at);

-- What a person set: 'available', 'busy' or 'dnd', until a time (unix ms) or not.
CREATE TABLE user_status (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    status  TEXT NOT NULL,
    until   INTEGER
);
