//! How the PostgreSQL store writes a batch of sends (see `store::group_commit`), as the
//! SQLite store does; its events under the events lock, its audit rows under the audit
//! lock (see `append_events` and `audit`).

use std::collections::HashSet;

use async_trait::async_trait;
use sqlx::PgPool;
use uuid::Uuid;

use super::{append_events, audit, state_i16, urgent};
use crate::model::{AuditAct, EventKind, Message, Receipt};
use crate::server::store::group_commit::{self, Committer, Job, Outcomes, OwnedAuditAct};
use crate::server::store::StoreResult;

pub struct PgBatches {
    pub pool: PgPool,
    /// The NOTIFY channel (see `PgStore`).
    pub channel: String,
}

#[async_trait]
impl Committer for PgBatches {
    async fn commit(&self, batch: &[Job]) -> StoreResult<Outcomes> {
        let mut tx = self.pool.begin().await?;

        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO messages (id, conversation_id, sender_id, body, priority, sent_at, ack_required, escalation_of) ",
        );
        insert.push_values(batch, |mut row, job| {
            let m = &job.message;
            row.push_bind(m.id)
                .push_bind(m.conversation_id)
                .push_bind(m.sender_id)
                .push_bind(&m.body)
                .push_bind(m.priority.as_str())
                .push_bind(m.sent_at)
                .push_bind(m.ack_required)
                .push_bind(m.escalation_of);
        });
        insert.push(" ON CONFLICT (id) DO NOTHING RETURNING id");
        let inserted: HashSet<Uuid> = insert
            .build_query_scalar()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
        let new = group_commit::new_jobs(batch, &inserted);
        let fresh = || batch.iter().zip(&new).filter(|(_, n)| **n).map(|(j, _)| j);

        let receipts: Vec<(&Message, &Receipt)> = fresh()
            .flat_map(|j| j.message.receipts.iter().map(move |r| (&j.message, r)))
            .collect();
        for chunk in receipts.chunks(1000) {
            let mut insert =
                sqlx::QueryBuilder::new("INSERT INTO receipts (message_id, user_id, state, at) ");
            insert.push_values(chunk, |mut row, (m, r)| {
                row.push_bind(m.id)
                    .push_bind(r.user_id)
                    .push_bind(state_i16(r.state))
                    .push_bind(r.at);
            });
            insert.build().execute(&mut *tx).await?;
        }
        for job in fresh() {
            if let Some(schedule) = &job.schedule {
                urgent::schedule(&mut tx, &job.message, schedule).await?;
            }
        }

        let events: Vec<(Uuid, EventKind)> = fresh().flat_map(|j| j.events.clone()).collect();
        let at = batch
            .last()
            .map_or_else(chrono::Utc::now, |j| j.message.sent_at);
        let written = append_events(&mut tx, &self.channel, events, at).await?;

        let acts: Vec<AuditAct<'_>> = fresh()
            .filter_map(|j| j.audit.as_ref().map(OwnedAuditAct::as_act))
            .collect();
        if !acts.is_empty() {
            let prev = audit::lock_and_last_hash(&mut tx).await?;
            audit::append_tx(&mut tx, &prev, &acts).await?;
        }
        tx.commit().await?;
        Ok(group_commit::outcomes(batch, &new, written))
    }
}
