-- Secure messaging: policies, acknowledgement, the urgent re-notify schedule, patient-linked
-- conversations and escalation.

ALTER TABLE users ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;

-- A messaging policy's settings as JSON (model::PolicySettings): one row per named policy;
-- `Global` always exists.
CREATE TABLE policies (
    name       TEXT PRIMARY KEY,
    settings   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- subject_kind 'user' | 'team'. A user's own assignment wins over a team's.
CREATE TABLE policy_assignments (
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    policy       TEXT NOT NULL REFERENCES policies(name),
    PRIMARY KEY (subject_kind, subject_id)
);

-- What a user chose where the policy lets them choose.
CREATE TABLE user_settings (
    user_id       TEXT PRIMARY KEY REFERENCES users(id),
    read_receipts INTEGER NOT NULL
);

ALTER TABLE receipts ADD COLUMN acknowledged_at TEXT;

-- 1 when the sender's policy re-notifies until acknowledged rather than read.
ALTER TABLE messages ADD COLUMN ack_required INTEGER NOT NULL DEFAULT 0;
-- An escalation message names the urgent message it escalates.
ALTER TABLE messages ADD COLUMN escalation_of TEXT;

-- A patient-linked conversation's subject: a FHIR Patient id (no clinical content).
ALTER TABLE conversations ADD COLUMN subject TEXT;
CREATE UNIQUE INDEX conversations_by_subject ON conversations(team_id, subject) WHERE subject IS NOT NULL;

-- One row per urgent message while its window is open. Times are unix milliseconds so
-- that comparisons are numeric.
CREATE TABLE urgent_windows (
    message_id        TEXT PRIMARY KEY REFERENCES messages(id),
    interval_ms       INTEGER NOT NULL,
    slots             INTEGER NOT NULL,
    closes_at         INTEGER NOT NULL,
    until_ack         INTEGER NOT NULL,
    escalation_target TEXT,
    closed            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX urgent_windows_open ON urgent_windows(closed, closes_at);

-- One row per recipient still to be re-notified. `slot` is the next re-notification
-- (1-based); it fires at sent_at + slot × interval. Firing moves `slot` on in the same
-- transaction as the event, so a restart neither loses nor repeats one.
CREATE TABLE renotify (
    message_id TEXT NOT NULL REFERENCES messages(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    slot       INTEGER NOT NULL,
    due_at     INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX renotify_due ON renotify(due_at);

-- The sender of escalation messages: cannot log in.
INSERT INTO users (id, username, display_name, role, password_hash, disabled, created_at)
VALUES ('00000000-0000-0000-0000-000000000000', 'wardround', 'wardround escalation', 'system', '!', 1, '1970-01-01T00:00:00Z');
