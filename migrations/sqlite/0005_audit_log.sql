-- The audit log: append-only, each row carrying the hash of the row before, so that a
-- changed or removed row breaks the chain where it was. Patient ids only; no clinical
-- content.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    patient   TEXT,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_by_actor ON audit_log(actor, seq);
CREATE INDEX audit_by_patient ON audit_log(patient, seq);
