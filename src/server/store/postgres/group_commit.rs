//! How the PostgreSQL store writes a batch of sends (see `store::group_commit`). Each
//! round trip to PostgreSQL is a process wake-up on a small machine, so a batch takes
//! four: BEGIN; its messages and receipts as one statement; its events and audit rows
//! under their locks as one function call (migration 0003); COMMIT. Two batches are under
//! way at once: the second writes its messages while the first commits, and appends its
//! events only after the first has taken the events lock, so cursors keep batch order.

use std::collections::HashSet;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{audit, state_i16, urgent, AUDIT_LOCK, EVENTS_LOCK};
use crate::model::{AuditAct, Event, EventKind, AUDIT_GENESIS};
use crate::server::store::audit::{at_text, chain};
use crate::server::store::group_commit::{self, Committer, Job, Outcomes, OwnedAuditAct, Turn};
use crate::server::store::{StoreError, StoreResult, UserEvent};

pub struct PgBatches {
    pub pool: PgPool,
    /// The NOTIFY channel (see `PgStore`).
    pub channel: String,
    /// The audit chain's newest hash as this node last wrote it: the guess
    /// `wardround_append_sends` checks under the audit lock.
    pub audit_head: Mutex<Option<String>>,
}

/// Inserts the batch's new messages and their receipts; a message stored before (a retry)
/// is skipped with its receipts. The ids inserted.
const INSERT_MESSAGES: &str = "
WITH new AS (
    INSERT INTO messages (id, conversation_id, sender_id, body, priority, sent_at, ack_required, escalation_of)
    SELECT m.id, m.conversation_id, m.sender_id, m.body, m.priority, m.sent_at, m.ack_required, m.escalation_of
    FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $7::bool[], $8::uuid[])
        WITH ORDINALITY AS m(id, conversation_id, sender_id, body, priority, sent_at, ack_required, escalation_of, n)
    ORDER BY m.n
    ON CONFLICT (id) DO NOTHING
    RETURNING id
), receipts_ AS (
    INSERT INTO receipts (message_id, user_id, state, at)
    SELECT r.message_id, r.user_id, r.state, r.at
    FROM unnest($9::uuid[], $10::uuid[], $11::int2[], $12::timestamptz[]) AS r(message_id, user_id, state, at)
    WHERE r.message_id IN (SELECT id FROM new)
)
SELECT id FROM new";

#[async_trait]
impl Committer for PgBatches {
    const DEPTH: usize = 2;

    async fn commit(&self, batch: &[Job], mut turn: Turn) -> StoreResult<Outcomes> {
        let mut tx = self.pool.begin().await?;
        let inserted = insert_messages(&mut tx, batch).await?;
        let new = group_commit::new_jobs(batch, &inserted);
        let fresh = || batch.iter().zip(&new).filter(|(_, n)| **n).map(|(j, _)| j);
        for job in fresh() {
            if let Some(schedule) = &job.schedule {
                urgent::schedule(&mut tx, &job.message, schedule).await?;
            }
        }

        turn.wait().await;
        let events: Vec<(Uuid, EventKind)> = fresh().flat_map(|j| j.events.clone()).collect();
        let acts: Vec<AuditAct<'_>> = fresh()
            .filter_map(|j| j.audit.as_ref().map(OwnedAuditAct::as_act))
            .collect();
        let at = batch.last().map_or_else(Utc::now, |j| j.message.sent_at);
        let appended = self.append(&mut tx, events, &acts, at).await;
        // The next batch may append now: this one holds the locks until it commits, so
        // the next waits in PostgreSQL rather than here.
        turn.pass();
        let written = match appended {
            Ok(written) => written,
            Err(e) => {
                self.forget_audit_head();
                return Err(e);
            }
        };
        if let Err(e) = tx.commit().await {
            self.forget_audit_head();
            return Err(e.into());
        }
        Ok(group_commit::outcomes(batch, &new, written))
    }
}

async fn insert_messages(tx: &mut PgConnection, batch: &[Job]) -> StoreResult<HashSet<Uuid>> {
    let messages = batch.iter().map(|j| &j.message);
    // A retry in the same batch carries the same receipts: the first job's are enough.
    let mut seen = HashSet::new();
    let receipts: Vec<_> = batch
        .iter()
        .filter(|j| seen.insert(j.message.id))
        .flat_map(|j| j.message.receipts.iter().map(move |r| (j.message.id, r)))
        .collect();
    let ids: Vec<Uuid> = sqlx::query_scalar(INSERT_MESSAGES)
        .bind(messages.clone().map(|m| m.id).collect::<Vec<_>>())
        .bind(
            messages
                .clone()
                .map(|m| m.conversation_id)
                .collect::<Vec<_>>(),
        )
        .bind(messages.clone().map(|m| m.sender_id).collect::<Vec<_>>())
        .bind(
            messages
                .clone()
                .map(|m| m.body.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            messages
                .clone()
                .map(|m| m.priority.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(messages.clone().map(|m| m.sent_at).collect::<Vec<_>>())
        .bind(messages.clone().map(|m| m.ack_required).collect::<Vec<_>>())
        .bind(messages.map(|m| m.escalation_of).collect::<Vec<_>>())
        .bind(receipts.iter().map(|(id, _)| *id).collect::<Vec<_>>())
        .bind(receipts.iter().map(|(_, r)| r.user_id).collect::<Vec<_>>())
        .bind(
            receipts
                .iter()
                .map(|(_, r)| state_i16(r.state))
                .collect::<Vec<_>>(),
        )
        .bind(receipts.iter().map(|(_, r)| r.at).collect::<Vec<_>>())
        .fetch_all(&mut *tx)
        .await?;
    Ok(ids.into_iter().collect())
}

impl PgBatches {
    /// Appends the events and audit rows of the batch's new messages, under their locks.
    async fn append(
        &self,
        tx: &mut PgConnection,
        events: Vec<(Uuid, EventKind)>,
        acts: &[AuditAct<'_>],
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<UserEvent>> {
        let payloads = events
            .iter()
            .map(|(_, kind)| serde_json::to_string(kind))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let guess = self.audit_head_guess();
        let chained = chain(guess.as_deref().unwrap_or(AUDIT_GENESIS), acts);
        let column =
            |f: fn(&AuditAct<'_>) -> Option<String>| acts.iter().map(f).collect::<Vec<_>>();
        let (cursors, head, audited): (Vec<i64>, Option<String>, bool) = sqlx::query_as(
            "SELECT * FROM wardround_append_sends($1, $2, $3, $4, $5, $6, $7,
                                                  $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(EVENTS_LOCK)
        .bind(events.iter().map(|(user, _)| *user).collect::<Vec<_>>())
        .bind(payloads)
        .bind(at)
        .bind(&self.channel)
        .bind(AUDIT_LOCK)
        .bind(&guess)
        .bind(column(|a| Some(at_text(a.at))))
        .bind(column(|a| Some(a.actor.to_string())))
        .bind(column(|a| Some(a.workstation.to_string())))
        .bind(column(|a| Some(a.action.as_str().to_string())))
        .bind(column(|a| a.patient.map(str::to_string)))
        .bind(column(|a| Some(a.detail.to_string())))
        .bind(
            chained
                .iter()
                .map(|(prev, _)| prev.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            chained
                .iter()
                .map(|(_, hash)| hash.as_str())
                .collect::<Vec<_>>(),
        )
        .fetch_one(&mut *tx)
        .await?;
        if cursors.len() != events.len() {
            return Err(StoreError::Corrupt("an event was not stored".into()));
        }
        let head = if audited {
            head
        } else {
            // Guessed wrong: chain to the newest row, still under the audit lock.
            let newest = head.unwrap_or_else(|| AUDIT_GENESIS.to_string());
            Some(audit::append_tx(tx, &newest, acts).await?)
        };
        if head.is_some() {
            self.set_audit_head(head);
        }
        Ok(events
            .into_iter()
            .zip(cursors)
            .map(|((user_id, kind), cursor)| UserEvent {
                user_id,
                event: Event { cursor, kind },
            })
            .collect())
    }

    fn audit_head_guess(&self) -> Option<String> {
        self.audit_head.lock().map_or(None, |head| head.clone())
    }

    fn set_audit_head(&self, head: Option<String>) {
        if let Ok(mut guess) = self.audit_head.lock() {
            *guess = head;
        }
    }

    /// A batch that did not commit leaves the chain where it was: the next guess would be
    /// wrong, so make none (it then costs one more round trip, not a wrong row).
    fn forget_audit_head(&self) {
        self.set_audit_head(None);
    }
}
