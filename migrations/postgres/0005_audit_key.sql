-- The audit log is MACed (HMAC-SHA256) with a key kept outside the database: the node
-- passes HMAC's padded inner and outer keys with each append (never stored), and each row
-- names its key. Rows written before keys (key_id '') verify unkeyed, as the log's start.
-- Sequence numbers are given under the audit lock, one after the other: a gap now means a
-- removed row, never a rolled-back insert.
ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';

-- HMAC-SHA256 of what `model::AuditAct::mac` covers, from the padded keys: byte for byte
-- as the verifier computes it in Rust.
CREATE FUNCTION wardround_audit_mac(
    ikey BYTEA, okey BYTEA,
    prev TEXT, at TEXT, actor TEXT, action TEXT, patient TEXT, detail TEXT, workstation TEXT
) RETURNS TEXT IMMUTABLE LANGUAGE sql AS $$
    SELECT encode(sha256(okey || sha256(ikey ||
        wardround_hash_part(prev) || wardround_hash_part(at) || wardround_hash_part(actor)
        || wardround_hash_part(action) || wardround_hash_part(coalesce(patient, ''))
        || wardround_hash_part(detail)
        || CASE WHEN workstation = '' THEN ''::bytea ELSE wardround_hash_part(workstation) END
    )), 'hex')
$$;

-- Takes the audit lock (held to commit) and returns the newest row's sequence number and
-- hash, read after the lock is held.
CREATE FUNCTION wardround_audit_head(lock_key BIGINT, OUT seq BIGINT, OUT hash TEXT)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT a.seq, a.hash INTO seq, hash FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
END
$$;

-- Appends one row after the head, under the lock.
CREATE FUNCTION wardround_append_audit(
    lock_key BIGINT, genesis TEXT, ikey BYTEA, okey BYTEA, key_id_ TEXT,
    at_ TEXT, actor_ TEXT, workstation_ TEXT, action_ TEXT, patient_ TEXT, detail_ TEXT
) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    head RECORD;
    prev TEXT;
BEGIN
    SELECT * INTO head FROM wardround_audit_head(lock_key);
    prev := coalesce(head.hash, genesis);
    INSERT INTO audit_log (seq, at, actor, workstation, action, patient, detail, prev_hash,
                           hash, key_id)
    VALUES (coalesce(head.seq, 0) + 1, at_, actor_, workstation_, action_, patient_, detail_,
            prev, wardround_audit_mac(ikey, okey, prev, at_, actor_, action_, patient_,
                                      detail_, workstation_),
            key_id_);
END
$$;

-- The batch of sends (migration 0003), now MACing its audit rows and numbering them.
DROP FUNCTION wardround_commit_sends(
    UUID[], UUID[], UUID[], TEXT[], TEXT[], TIMESTAMPTZ[], BOOLEAN[], UUID[],
    UUID[], UUID[], SMALLINT[], TIMESTAMPTZ[],
    UUID[], BIGINT[], BIGINT[], BIGINT[], BOOLEAN[], TEXT[],
    UUID[], UUID[], BIGINT[],
    UUID[], UUID[], TEXT[], TIMESTAMPTZ, BIGINT, TEXT,
    UUID[], TEXT[], TEXT[], TEXT[], TEXT[], TEXT[], TEXT[], BIGINT, TEXT);

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
    audit_ikey BYTEA, audit_okey BYTEA, audit_key_id TEXT,
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
        PERFORM pg_notify(channel, cursors[cardinality(cursors)]::text);
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
