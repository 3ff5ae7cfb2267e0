-- `Nurse` beside `nurse` is two accounts nobody can tell apart in a list or the audit log.
CREATE UNIQUE INDEX users_username_nocase ON users(lower(username));
