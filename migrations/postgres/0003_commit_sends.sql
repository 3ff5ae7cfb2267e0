-- A batch of sends as one statement, so as one round trip and one implicit transaction:
-- on a busy two-core machine each round trip to the database is a process wake-up, and
-- BEGIN, the inserts, the appends under their locks and COMMIT used to be one each.

-- One part of an audit row's hash: its UTF-8 bytes, then their length as eight bytes,
-- big-endian (as `model::AuditAct::hash` feeds SHA-256).
CREATE FUNCTION wardround_hash_part(part TEXT) RETURNS BYTEA
IMMUTABLE STRICT LANGUAGE sql AS $$
    SELECT convert_to(part, 'UTF8') || int8send(octet_length(convert_to(part, 'UTF8'))::bigint)
$$;

-- `model::AuditAct::hash`, byte for byte (`wardround admin audit verify` recomputes it in
-- Rust, so a difference shows as a broken chain): the previous hash, the time, actor,
-- action, patient ('' for none), detail and, when there is one, the workstation.
CREATE FUNCTION wardround_audit_hash(
    prev TEXT, at TEXT, actor TEXT, action TEXT, patient TEXT, detail TEXT, workstation TEXT
) RETURNS TEXT IMMUTABLE LANGUAGE sql AS $$
    SELECT encode(sha256(
        wardround_hash_part(prev) || wardround_hash_part(at) || wardround_hash_part(actor)
        || wardround_hash_part(action) || wardround_hash_part(coalesce(patient, ''))
        || wardround_hash_part(detail)
        || CASE WHEN workstation = '' THEN ''::bytea ELSE wardround_hash_part(workstation) END
    ), 'hex')
$$;

-- Stores a batch of sends: the messages not stored before (a retried send is skipped,
-- with everything of it), their receipts, urgent schedules, events and audit rows. Rows
-- of each kind name their message; only those of a message this call inserted are kept.
-- Returns the ids inserted and the events' cursors, in the order the events were given.
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
    OUT inserted UUID[], OUT cursors BIGINT[]
) LANGUAGE plpgsql AS $$
DECLARE
    prev TEXT;
    next_hash TEXT;
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
        PERFORM pg_notify(channel, cursors[cardinality(cursors)]::text);
    END IF;

    -- Held to commit: one chain, no forks between nodes.
    prev := coalesce(wardround_audit_last_hash(audit_lock), audit_genesis);
    FOR act IN
        SELECT a.* FROM unnest(a_message, a_at, a_actor, a_workstation, a_action, a_patient,
                               a_detail) WITH ORDINALITY
            AS a(message_id, at, actor, workstation, action, patient, detail, n)
        WHERE a.message_id = ANY(inserted)
        ORDER BY a.n
    LOOP
        next_hash := wardround_audit_hash(prev, act.at, act.actor, act.action, act.patient,
                                          act.detail, act.workstation);
        INSERT INTO audit_log (at, actor, workstation, action, patient, detail, prev_hash, hash)
        VALUES (act.at, act.actor, act.workstation, act.action, act.patient, act.detail,
                prev, next_hash);
        prev := next_hash;
    END LOOP;
END
$$;
