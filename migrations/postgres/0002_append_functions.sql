-- Appends that must happen under a lock, as one round trip each: on a busy two-core
-- machine every round trip to the database is a process wake-up, and a send used to make
-- three for its events and two for its audit row's predecessor.

-- Takes the events lock (held to commit, so cursors become visible in order), appends
-- one event per (user, payload) in the order given, tells the other nodes the newest
-- cursor, and returns the cursors in order.
CREATE FUNCTION wardround_append_events(
    lock_key BIGINT, users UUID[], payloads TEXT[], at TIMESTAMPTZ, channel TEXT
) RETURNS SETOF BIGINT LANGUAGE plpgsql AS $$
DECLARE
    cursor_ BIGINT;
    newest BIGINT := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    FOR cursor_ IN
        INSERT INTO events (user_id, payload, created_at)
        SELECT e.user_id, e.payload, at
        FROM unnest(users, payloads) WITH ORDINALITY AS e(user_id, payload, n)
        ORDER BY e.n
        RETURNING seq
    LOOP
        newest := greatest(newest, cursor_);
        RETURN NEXT cursor_;
    END LOOP;
    IF newest > 0 THEN
        PERFORM pg_notify(channel, newest::text);
    END IF;
END
$$;

-- Takes the audit lock (held to commit: one chain, no forks between nodes) and returns
-- the newest row's hash, read after the lock is held.
CREATE FUNCTION wardround_audit_last_hash(lock_key BIGINT) RETURNS TEXT LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1);
END
$$;
