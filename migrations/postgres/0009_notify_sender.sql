-- Each NOTIFY names the node that committed (`cursor node`), so a node ignores its own:
-- it hands out what it committed itself, and reading those events back from the database
-- was a query per commit for nothing. Nodes of an older version cannot read the new
-- payload: stop them all before starting this one (README, "Upgrades").

DROP FUNCTION wardround_append_events(BIGINT, UUID[], TEXT[], TIMESTAMPTZ, TEXT);

CREATE FUNCTION wardround_append_events(
    lock_key BIGINT, users UUID[], payloads TEXT[], at TIMESTAMPTZ, channel TEXT,
    sender TEXT
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
        PERFORM pg_notify(channel, newest::text || ' ' || sender);
    END IF;
END
$$;

DROP FUNCTION wardround_commit_sends(
    UUID[], UUID[], UUID[], TEXT[], TEXT[], TIMESTAMPTZ[], BOOLEAN[], UUID[],
    UUID[], UUID[], SMALLINT[], TIMESTAMPTZ[],
    UUID[], BIGINT[], BIGINT[], BIGINT[], BOOLEAN[], TEXT[],
    UUID[], UUID[], BIGINT[],
    UUID[], UUID[], TEXT[], TIMESTAMPTZ,
    BIGINT, TEXT,
    UUID[], TEXT[], TEXT[], TEXT[], TEXT[], TEXT[], TEXT[], BIGINT, TEXT,
    BYTEA, BYTEA, TEXT
);

CREATE FUNCTION wardround_commit_sends(
    m_id UUID[], m_conversation UUID[], m_sender UUID[], m_body TEXT[], m_priority TEXT[],
    m_sent_at TIMESTAMPTZ[], m_ack_required BOOLEAN[], m_escalation_of UUID[],
    r_message UUID[], r_user UUID[], r_state SMALLINT[], r_at TIMESTAMPTZ[],
    w_message UUID[], w_interval_ms BIGINT[], w_slots BIGINT[], w_closes_at BIGINT[],
    w_until_ack BOOLEAN[], w_escalation_target TEXT[],
    n_message UUID[], n_user UUID[], n_due_at BIGINT[],
    e_message UUID[], e_user UUID[], e_payload TEXT[], events_at TIMESTAMPTZ,
    events_lock BIGINT, channel TEXT,
    a_message UUID[], a_at TEXT[], a_actor TEXT[], a_workstation TEXT[], a_action TEXT[],
    a_patient TEXT[], a_detail TEXT[], audit_lock BIGINT, audit_genesis TEXT,
    audit_ikey BYTEA, audit_okey BYTEA, audit_key_id TEXT, sender TEXT,
    OUT inserted UUID[], OUT cursors BIGINT[]
) LANGUAGE plpgsql AS $$
DECLARE
    prev TEXT;
    next_hash TEXT;
    next_seq BIGINT;
    head RECORD;
    act RECORD;
BEGIN
    -- In id order: two batches that each retry a message of the other (two nodes, or two
    -- commits under way on one) then wait on each other's rows in the same order, never in
    -- a cycle.
    WITH new AS (
        INSERT INTO messages (id, conversation_id, sender_id, body, priority, sent_at,
                              ack_required, escalation_of)
        SELECT * FROM unnest(m_id, m_conversation, m_sender, m_body, m_priority, m_sent_at,
                             m_ack_required, m_escalation_of) AS m
        ORDER BY 1
        ON CONFLICT (id) DO NOTHING
        RETURNING id
    )
    SELECT coalesce(array_agg(id), '{}') INTO inserted FROM new;
    cursors := '{}';
    IF cardinality(inserted) = 0 THEN
        RETURN;
    END IF;

    INSERT INTO receipts (message_id, user_id, state, at)
    SELECT * FROM unnest(r_message, r_user, r_state, r_at) AS r(message_id, user_id, state, at)
    WHERE r.message_id = ANY(inserted);

    INSERT INTO urgent_windows (message_id, interval_ms, slots, closes_at, until_ack,
                                escalation_target)
    SELECT * FROM unnest(w_message, w_interval_ms, w_slots, w_closes_at, w_until_ack,
                         w_escalation_target) AS w(message_id, i, s, c, u, e)
    WHERE w.message_id = ANY(inserted);

    INSERT INTO renotify (message_id, user_id, slot, due_at)
    SELECT n.message_id, n.user_id, 1, n.due_at
    FROM unnest(n_message, n_user, n_due_at) AS n(message_id, user_id, due_at)
    WHERE n.message_id = ANY(inserted);

    -- Held to commit, so a later cursor is never visible before an earlier one.
    PERFORM pg_advisory_xact_lock(events_lock);
    WITH appended AS (
        INSERT INTO events (user_id, payload, created_at)
        SELECT e.user_id, e.payload, events_at
        FROM unnest(e_message, e_user, e_payload) WITH ORDINALITY AS e(message_id, user_id, payload, n)
        WHERE e.message_id = ANY(inserted)
        ORDER BY e.n
        RETURNING seq
    )
    SELECT coalesce(array_agg(seq ORDER BY seq), '{}') INTO cursors FROM appended;
    IF cardinality(cursors) > 0 THEN
        PERFORM pg_notify(channel, cursors[cardinality(cursors)]::text || ' ' || sender);
    END IF;

    -- Held to commit: one chain, no forks between nodes.
    SELECT * INTO head FROM wardround_audit_head(audit_lock);
    prev := coalesce(head.hash, audit_genesis);
    next_seq := coalesce(head.seq, 0);
    FOR act IN
        SELECT a.* FROM unnest(a_message, a_at, a_actor, a_workstation, a_action, a_patient,
                               a_detail) WITH ORDINALITY
            AS a(message_id, at, actor, workstation, action, patient, detail, n)
        WHERE a.message_id = ANY(inserted)
        ORDER BY a.n
    LOOP
        next_hash := wardround_audit_mac(audit_ikey, audit_okey, prev, act.at, act.actor,
                                         act.action, act.patient, act.detail, act.workstation);
        next_seq := next_seq + 1;
        INSERT INTO audit_log (seq, at, actor, workstation, action, patient, detail, prev_hash,
                               hash, key_id)
        VALUES (next_seq, act.at, act.actor, act.workstation, act.action, act.patient,
                act.detail, prev, next_hash, audit_key_id);
        prev := next_hash;
    END LOOP;
END
$$;
