-- Failed logins per username (known or not, so that the answers do not tell which names
-- exist): the count since the last success, when the last one was (unix ms), and whether
-- the name is locked until IT unlocks it.
CREATE TABLE login_failures (
    username        TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    locked          INTEGER NOT NULL DEFAULT 0
);
