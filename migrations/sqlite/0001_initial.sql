-- Accounts and sessions. Session tokens are stored hashed; the token itself only ever
-- lives in the client's memory.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE teams (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (team_id, user_id)
);

-- Patient lists hold FHIR Patient ids only: clinical content stays in the EHR.
CREATE TABLE patient_lists (
    id      TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(id),
    name    TEXT NOT NULL
);

CREATE TABLE patient_list_entries (
    list_id    TEXT NOT NULL REFERENCES patient_lists(id),
    patient_id TEXT NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (list_id, patient_id)
);

CREATE TABLE conversations (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    team_id    TEXT REFERENCES teams(id),
    created_at TEXT NOT NULL
);

CREATE TABLE conversation_members (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    user_id         TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (conversation_id, user_id)
);

-- id is chosen by the sending client: inserting the same id twice is a retry.
CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    sender_id       TEXT NOT NULL REFERENCES users(id),
    body            TEXT NOT NULL,
    priority        TEXT NOT NULL,
    sent_at         TEXT NOT NULL
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, sent_at);

-- state: 0 sent, 1 delivered, 2 read. Only ever moves forward.
CREATE TABLE receipts (
    message_id TEXT NOT NULL REFERENCES messages(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    state      INTEGER NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX receipts_by_user ON receipts(user_id, state);

-- Each user's event stream. seq is the cursor a client resumes from.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX events_by_user ON events(user_id, seq);
