-- Reach the right person: conversations people start themselves, roles and who holds
-- them, and each person's presence (as SQLite's 0012).

ALTER TABLE conversations ADD COLUMN created_by UUID;
ALTER TABLE conversations ADD COLUMN pair TEXT;
CREATE UNIQUE INDEX conversations_by_pair ON conversations(pair) WHERE pair IS NOT NULL;
ALTER TABLE conversations ADD COLUMN role_id UUID;
CREATE UNIQUE INDEX conversations_by_role ON conversations(role_id, created_by) WHERE role_id IS NOT NULL;
ALTER TABLE conversation_members ADD COLUMN admin BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE roles (
    id         UUID PRIMARY KEY,
    name       TEXT NOT NULL,
    team_id    UUID NOT NULL REFERENCES teams(id),
    fallback   TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX roles_by_name ON roles(lower(name));

CREATE TABLE role_holders (
    id        UUID PRIMARY KEY,
    role_id   UUID NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    user_id   UUID NOT NULL REFERENCES users(id),
    starts_at BIGINT NOT NULL,
    ends_at   BIGINT,
    source    TEXT NOT NULL
);
CREATE INDEX role_holders_by_role ON role_holders(role_id, starts_at);
CREATE INDEX role_holders_by_user ON role_holders(user_id, starts_at);

CREATE TABLE user_status (
    user_id UUID PRIMARY KEY REFERENCES users(id),
    status  TEXT NOT NULL,
    until   BIGINT
);
