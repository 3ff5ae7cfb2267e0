-- The round's work. A job is on a patient (a FHIR Patient id, as lists hold), for a user
-- or a role (whoever holds it at the time, so a role's jobs pass with the role). Times are
-- unix milliseconds, compared as numbers. `overdue_told`: its assignee was told it is past
-- due (reset when the due time moves).
CREATE TABLE jobs (
    id              UUID PRIMARY KEY,
    patient_id      TEXT NOT NULL,
    text            TEXT NOT NULL,
    assignee_user   UUID REFERENCES users(id),
    assignee_role   UUID,
    due_at          BIGINT,
    priority        TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_by      UUID NOT NULL REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    closed_by       UUID REFERENCES users(id),
    closed_at       BIGINT,
    cancel_reason   TEXT,
    message_id      UUID,
    conversation_id UUID,
    updated_at      BIGINT NOT NULL,
    overdue_told    BOOLEAN NOT NULL DEFAULT false,
    CHECK ((assignee_user IS NULL) <> (assignee_role IS NULL))
);
CREATE INDEX jobs_by_patient ON jobs(patient_id, status);
CREATE INDEX jobs_due ON jobs(due_at) WHERE status = 'open' AND NOT overdue_told;
CREATE INDEX jobs_by_role ON jobs(assignee_role) WHERE status = 'open';

-- A patient's plan, as last written.
CREATE TABLE plans (
    patient_id TEXT PRIMARY KEY,
    text       TEXT NOT NULL,
    written_by UUID NOT NULL REFERENCES users(id),
    written_at BIGINT NOT NULL
);
