//! How the PostgreSQL store writes a batch of sends (see `store::group_commit`): as one
//! call of `wardround_commit_sends` (migration 0003), so one round trip and one implicit
//! transaction, with two batches under way at once. Each round trip to PostgreSQL is a
//! process wake-up on a small machine; BEGIN, each insert, each locked append and COMMIT
//! used to be one each.

use std::collections::HashSet;

use async_trait::async_trait;
use sqlx::PgPool;
use uuid::Uuid;

use super::{AUDIT_LOCK, EVENTS_LOCK};
use crate::model::{Event, EventKind, AUDIT_GENESIS};
use crate::server::store::audit::at_text;
use crate::server::store::group_commit::{self, Committer, Job, Outcomes};
use crate::server::store::sql::state_i16;
use crate::server::store::{StoreError, StoreResult, UserEvent};

pub struct PgBatches {
    pub pool: PgPool,
    /// The NOTIFY channel and this node (see `PgStore`).
    pub channel: super::Channel,
    pub audit_keys: crate::server::audit_key::AuditKeys,
}

#[async_trait]
impl Committer for PgBatches {
    const DEPTH: usize = 2;

    async fn commit(&self, batch: &[Job]) -> StoreResult<Outcomes> {
        // A retry in the same batch carries the same message: its first job speaks for it.
        let mut seen = HashSet::new();
        let firsts: Vec<&Job> = batch.iter().filter(|j| seen.insert(j.message.id)).collect();
        let messages = || firsts.iter().map(|j| &j.message);
        let receipts = || {
            firsts
                .iter()
                .flat_map(|j| j.message.receipts.iter().map(move |r| (j.message.id, r)))
        };
        let windows = || {
            firsts
                .iter()
                .filter_map(|j| j.schedule.as_ref().map(|s| (&j.message, s)))
        };
        let renotify = || {
            windows().filter(|(_, s)| s.slots > 0).flat_map(|(m, s)| {
                let due = m.sent_at.timestamp_millis() + s.interval_ms;
                m.receipts.iter().map(move |r| (m.id, r.user_id, due))
            })
        };
        let events = || {
            firsts.iter().flat_map(|j| {
                j.events
                    .iter()
                    .map(move |(user, kind)| (j.message.id, *user, kind))
            })
        };
        let payloads = events()
            .map(|(_, _, kind)| serde_json::to_string(kind))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let acts = || {
            firsts
                .iter()
                .filter_map(|j| j.audit.as_ref().map(|a| (j.message.id, a)))
        };
        let at = batch
            .last()
            .map_or_else(chrono::Utc::now, |j| j.message.sent_at);

        let (inner, outer) = self.audit_keys.pads();
        let (key_id, _) = self.audit_keys.current();
        let (inserted, cursors): (Vec<Uuid>, Vec<i64>) = sqlx::query_as(
            "SELECT * FROM wardround_commit_sends(
                $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34,
                $35, $36, $37, $38, $39, $40)",
        )
        .bind(messages().map(|m| m.id).collect::<Vec<_>>())
        .bind(messages().map(|m| m.conversation_id).collect::<Vec<_>>())
        .bind(messages().map(|m| m.sender_id).collect::<Vec<_>>())
        .bind(messages().map(|m| m.body.as_str()).collect::<Vec<_>>())
        .bind(messages().map(|m| m.priority.as_str()).collect::<Vec<_>>())
        .bind(messages().map(|m| m.sent_at).collect::<Vec<_>>())
        .bind(messages().map(|m| m.ack_required).collect::<Vec<_>>())
        .bind(messages().map(|m| m.escalation_of).collect::<Vec<_>>())
        .bind(receipts().map(|(id, _)| id).collect::<Vec<_>>())
        .bind(receipts().map(|(_, r)| r.user_id).collect::<Vec<_>>())
        .bind(
            receipts()
                .map(|(_, r)| state_i16(r.state))
                .collect::<Vec<_>>(),
        )
        .bind(receipts().map(|(_, r)| r.at).collect::<Vec<_>>())
        .bind(windows().map(|(m, _)| m.id).collect::<Vec<_>>())
        .bind(windows().map(|(_, s)| s.interval_ms).collect::<Vec<_>>())
        .bind(
            windows()
                .map(|(_, s)| i64::from(s.slots))
                .collect::<Vec<_>>(),
        )
        .bind(
            windows()
                .map(|(m, s)| m.sent_at.timestamp_millis() + s.window_ms)
                .collect::<Vec<_>>(),
        )
        .bind(windows().map(|(_, s)| s.until_ack).collect::<Vec<_>>())
        .bind(
            windows()
                .map(|(_, s)| s.escalation_target.clone())
                .collect::<Vec<_>>(),
        )
        .bind(renotify().map(|(id, _, _)| id).collect::<Vec<_>>())
        .bind(renotify().map(|(_, user, _)| user).collect::<Vec<_>>())
        .bind(renotify().map(|(_, _, due)| due).collect::<Vec<_>>())
        .bind(events().map(|(id, _, _)| id).collect::<Vec<_>>())
        .bind(events().map(|(_, user, _)| user).collect::<Vec<_>>())
        .bind(payloads)
        .bind(at)
        .bind(EVENTS_LOCK)
        .bind(&self.channel.name)
        .bind(acts().map(|(id, _)| id).collect::<Vec<_>>())
        .bind(acts().map(|(_, a)| at_text(a.at)).collect::<Vec<_>>())
        .bind(acts().map(|(_, a)| a.actor.as_str()).collect::<Vec<_>>())
        .bind(
            acts()
                .map(|(_, a)| a.workstation.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(acts().map(|(_, a)| a.action.as_str()).collect::<Vec<_>>())
        .bind(
            acts()
                .map(|(_, a)| a.patient.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(acts().map(|(_, a)| a.detail.as_str()).collect::<Vec<_>>())
        .bind(AUDIT_LOCK)
        .bind(AUDIT_GENESIS)
        .bind(inner)
        .bind(outer)
        .bind(key_id)
        .bind(&self.channel.node)
        .fetch_one(&self.pool)
        .await?;

        let inserted: HashSet<Uuid> = inserted.into_iter().collect();
        let new = group_commit::new_jobs(batch, &inserted);
        let written: Vec<(Uuid, EventKind)> = batch
            .iter()
            .zip(&new)
            .filter(|(_, new)| **new)
            .flat_map(|(j, _)| j.events.iter().cloned())
            .collect();
        if written.len() != cursors.len() {
            return Err(StoreError::Corrupt("an event was not stored".into()));
        }
        let written = written
            .into_iter()
            .zip(cursors)
            .map(|((user_id, kind), cursor)| UserEvent {
                user_id,
                event: Event { cursor, kind },
            })
            .collect();
        Ok(group_commit::outcomes(batch, &new, written))
    }
}
