-- Where each act came from: the workstation's address and the name it gave. Empty for
-- the server's own acts and for rows written before this column (their hashes do not
-- cover it, and still verify).
ALTER TABLE audit_log ADD COLUMN workstation TEXT NOT NULL DEFAULT '';
