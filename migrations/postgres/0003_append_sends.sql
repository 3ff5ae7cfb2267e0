-- A batch of sends' appends under locks as one round trip, where they were two or three:
-- its events (as wardround_append_events) and, when the caller guessed the audit chain's
-- newest hash right, its audit rows chained to that hash. Each node remembers the hash
-- it wrote last, so on one node the guess is right unless something else was audited in
-- between; a wrong guess (another node, a login, a failed batch) inserts no audit row and
-- returns the newest hash, which the caller chains to and inserts with the lock still
-- held. The guess never decides what is stored, only how many round trips it takes.
CREATE FUNCTION wardround_append_sends(
    events_lock BIGINT, users UUID[], payloads TEXT[], at TIMESTAMPTZ, channel TEXT,
    audit_lock BIGINT, expected_prev TEXT,
    a_at TEXT[], a_actor TEXT[], a_workstation TEXT[], a_action TEXT[], a_patient TEXT[],
    a_detail TEXT[], a_prev TEXT[], a_hash TEXT[],
    OUT cursors BIGINT[], OUT last_hash TEXT, OUT audited BOOLEAN
) LANGUAGE plpgsql AS $$
BEGIN
    SELECT coalesce(array_agg(c ORDER BY n), '{}')
    INTO cursors
    FROM wardround_append_events(events_lock, users, payloads, at, channel)
        WITH ORDINALITY AS e(c, n);

    IF coalesce(array_length(a_hash, 1), 0) = 0 THEN
        audited := true;
        RETURN;
    END IF;
    last_hash := wardround_audit_last_hash(audit_lock);
    audited := coalesce(last_hash = expected_prev, false);
    IF audited THEN
        INSERT INTO audit_log (at, actor, workstation, action, patient, detail, prev_hash, hash)
        SELECT a.at, a.actor, a.workstation, a.action, a.patient, a.detail, a.prev, a.hash
        FROM unnest(a_at, a_actor, a_workstation, a_action, a_patient, a_detail, a_prev, a_hash)
            WITH ORDINALITY AS a(at, actor, workstation, action, patient, detail, prev, hash, n)
        ORDER BY a.n;
        last_hash := a_hash[array_upper(a_hash, 1)];
    END IF;
END
$$;
