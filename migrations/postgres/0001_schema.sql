-- The PostgreSQL schema: the same tables as the SQLite migrations 0001–0007 arrive at,
-- in PostgreSQL's own types. Several `wardround serve` nodes share it.

-- Accounts and sessions. Session tokens are stored hashed; the token itself only ever
-- lives in the client's memory.
CREATE TABLE users (
    id            UUID PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT false,
    admin         BOOLEAN NOT NULL DEFAULT false,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE teams (
    id   UUID PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE team_members (
    team_id UUID NOT NULL REFERENCES teams(id),
    user_id UUID NOT NULL REFERENCES users(id),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_by_user ON team_members(user_id);

-- Patient lists hold FHIR Patient ids only: clinical content stays in the EHR.
CREATE TABLE patient_lists (
    id           UUID PRIMARY KEY,
    team_id      UUID NOT NULL REFERENCES teams(id),
    name         TEXT NOT NULL,
    default_view TEXT
);

CREATE TABLE patient_list_entries (
    list_id    UUID NOT NULL REFERENCES patient_lists(id),
    patient_id TEXT NOT NULL,
    position   BIGINT NOT NULL,
    PRIMARY KEY (list_id, patient_id)
);

-- How each user sees each list (columns, sort, widths). Layout only.
CREATE TABLE list_views (
    user_id UUID NOT NULL REFERENCES users(id),
    list_id UUID NOT NULL,
    view    TEXT NOT NULL,
    PRIMARY KEY (user_id, list_id)
);

CREATE TABLE conversations (
    id         UUID PRIMARY KEY,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    team_id    UUID REFERENCES teams(id),
    created_at TIMESTAMPTZ NOT NULL,
    -- A patient-linked conversation's subject: a FHIR Patient id (no clinical content).
    subject    TEXT
);
CREATE UNIQUE INDEX conversations_by_subject ON conversations(team_id, subject) WHERE subject IS NOT NULL;

CREATE TABLE conversation_members (
    conversation_id UUID NOT NULL REFERENCES conversations(id),
    user_id         UUID NOT NULL REFERENCES users(id),
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_by_user ON conversation_members(user_id);

-- id is chosen by the sending client: inserting the same id twice is a retry. seq keeps
-- the order of messages sent within one microsecond.
CREATE TABLE messages (
    id              UUID PRIMARY KEY,
    seq             BIGSERIAL NOT NULL,
    conversation_id UUID NOT NULL REFERENCES conversations(id),
    sender_id       UUID NOT NULL REFERENCES users(id),
    body            TEXT NOT NULL,
    priority        TEXT NOT NULL,
    sent_at         TIMESTAMPTZ NOT NULL,
    -- The sender's policy re-notifies until acknowledged rather than read.
    ack_required    BOOLEAN NOT NULL DEFAULT false,
    -- An escalation message names the urgent message it escalates.
    escalation_of   UUID
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, sent_at, seq);

-- state: 0 sent, 1 delivered, 2 read. Only ever moves forward.
CREATE TABLE receipts (
    message_id      UUID NOT NULL REFERENCES messages(id),
    user_id         UUID NOT NULL REFERENCES users(id),
    state           SMALLINT NOT NULL,
    at              TIMESTAMPTZ NOT NULL,
    acknowledged_at TIMESTAMPTZ,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX receipts_by_user ON receipts(user_id, state);

-- Each user's event stream. seq is the cursor a client resumes from; events are appended
-- under a lock held to commit, so seqs become visible in order (see `append_events`).
CREATE TABLE events (
    seq        BIGSERIAL PRIMARY KEY,
    user_id    UUID NOT NULL,
    payload    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_by_user ON events(user_id, seq);

-- A messaging policy's settings as JSON (model::PolicySettings); `Global` always exists.
CREATE TABLE policies (
    name       TEXT PRIMARY KEY,
    settings   TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- subject_kind 'user' | 'team'. A user's own assignment wins over a team's.
CREATE TABLE policy_assignments (
    subject_kind TEXT NOT NULL,
    subject_id   UUID NOT NULL,
    policy       TEXT NOT NULL REFERENCES policies(name),
    PRIMARY KEY (subject_kind, subject_id)
);

CREATE TABLE user_settings (
    user_id       UUID PRIMARY KEY REFERENCES users(id),
    read_receipts BOOLEAN NOT NULL
);

-- One row per urgent message while its window is open. Times are unix milliseconds, as
-- in the SQLite store, so that the scheduler's arithmetic is the same on both.
CREATE TABLE urgent_windows (
    message_id        UUID PRIMARY KEY REFERENCES messages(id),
    interval_ms       BIGINT NOT NULL,
    slots             BIGINT NOT NULL,
    closes_at         BIGINT NOT NULL,
    until_ack         BOOLEAN NOT NULL,
    escalation_target TEXT,
    closed            BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX urgent_windows_open ON urgent_windows(closes_at) WHERE NOT closed;

-- One row per recipient still to be re-notified; `slot` fires at sent_at + slot × interval.
CREATE TABLE renotify (
    message_id UUID NOT NULL REFERENCES messages(id),
    user_id    UUID NOT NULL REFERENCES users(id),
    slot       BIGINT NOT NULL,
    due_at     BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX renotify_due ON renotify(due_at);

-- Failed logins per username, known or not (unix ms).
CREATE TABLE login_failures (
    username        TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked          BOOLEAN NOT NULL DEFAULT false
);

-- The audit log: append-only, hash-chained (appended under a lock, see `audit`). `at` is
-- the RFC 3339 text the hash covers, as in the SQLite store.
CREATE TABLE audit_log (
    seq         BIGSERIAL PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    patient     TEXT,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    workstation TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_actor ON audit_log(actor, seq);
CREATE INDEX audit_by_patient ON audit_log(patient, seq);

-- Follow mode.
CREATE TABLE presentations (
    presenter_id  UUID PRIMARY KEY REFERENCES users(id),
    controller_id UUID NOT NULL REFERENCES users(id),
    view          TEXT
);

CREATE TABLE follows (
    follower_id  UUID PRIMARY KEY REFERENCES users(id),
    presenter_id UUID NOT NULL REFERENCES presentations(presenter_id) ON DELETE CASCADE,
    since        TIMESTAMPTZ NOT NULL
);
CREATE INDEX follows_by_presenter ON follows (presenter_id, since);

-- The sender of escalation messages: cannot log in.
INSERT INTO users (id, username, display_name, role, password_hash, disabled, created_at)
VALUES ('00000000-0000-0000-0000-000000000000', 'wardround', 'wardround escalation', 'system', '!', true, '1970-01-01T00:00:00Z');
