-- Rows are MACed (HMAC-SHA256) with a key kept outside the database; this names the key
-- (its id, never the key). Empty for rows written before keys, which verify unkeyed and
-- only as the log's beginning.
ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
