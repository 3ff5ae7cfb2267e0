//! How the SQLite store writes a batch of sends (see `store::group_commit`): the messages,
//! their receipts, their events and their audit rows, each as one multi-row insert.

use std::collections::HashSet;

use async_trait::async_trait;
use sqlx::SqlitePool;
use uuid::Uuid;

use super::{audit, events, urgent};
use crate::model::{AuditAct, EventKind, Message, Receipt};
use crate::server::store::group_commit::{self, Committer, Job, Outcomes, OwnedAuditAct};
use crate::server::store::StoreResult;

pub struct SqliteBatches {
    pub writer: SqlitePool,
    pub audit_keys: crate::server::audit_key::AuditKeys,
    /// The hash of the last audit row this committer wrote, which the next commit
    /// appends after when it still is the last (checked in the insert).
    pub audit_head: std::sync::Mutex<Option<String>>,
}

#[async_trait]
impl Committer for SqliteBatches {
    async fn commit(&self, batch: &[Job]) -> StoreResult<Outcomes> {
        // IMMEDIATE: see `SqliteStore::write_tx`.
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;

        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO messages (id, conversation_id, sender_id, body, priority, sent_at, ack_required, escalation_of) ",
        );
        insert.push_values(batch, |mut row, job| {
            let m = &job.message;
            row.push_bind(m.id.to_string())
                .push_bind(m.conversation_id.to_string())
                .push_bind(m.sender_id.to_string())
                .push_bind(&m.body)
                .push_bind(m.priority.as_str())
                .push_bind(m.sent_at)
                .push_bind(m.ack_required)
                .push_bind(m.escalation_of.map(|id| id.to_string()));
        });
        insert.push(" ON CONFLICT(id) DO NOTHING RETURNING id");
        let inserted: HashSet<Uuid> = insert
            .build_query_scalar::<String>()
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect();
        let new = group_commit::new_jobs(batch, &inserted);
        let fresh = || batch.iter().zip(&new).filter(|(_, n)| **n).map(|(j, _)| j);

        let receipts: Vec<(&Message, &Receipt)> = fresh()
            .flat_map(|j| j.message.receipts.iter().map(move |r| (&j.message, r)))
            .collect();
        for chunk in receipts.chunks(500) {
            let mut insert =
                sqlx::QueryBuilder::new("INSERT INTO receipts (message_id, user_id, state, at) ");
            insert.push_values(chunk, |mut row, (m, r)| {
                row.push_bind(m.id.to_string())
                    .push_bind(r.user_id.to_string())
                    .push_bind(r.state.as_i64())
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
        let written = events::append(&mut tx, events, at).await?;

        let acts: Vec<AuditAct<'_>> = fresh()
            .filter_map(|j| j.audit.as_ref().map(OwnedAuditAct::as_act))
            .collect();
        // Taken, not copied: a commit that fails leaves it unknown.
        let believed = self
            .audit_head
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let mut head = believed.clone();
        if !acts.is_empty() {
            let written = match &believed {
                Some(prev) => audit::append_if_last(&mut tx, &self.audit_keys, prev, &acts).await?,
                None => None,
            };
            head = Some(match written {
                Some(last) => last,
                // Another writer appended since (an admin's act, another node).
                None => {
                    let prev = audit::last_hash(&mut tx).await?;
                    audit::append_tx(&mut tx, &self.audit_keys, &prev, &acts).await?
                }
            });
        }
        tx.commit().await?;
        *self.audit_head.lock().unwrap_or_else(|p| p.into_inner()) = head;
        Ok(group_commit::outcomes(batch, &new, written))
    }
}
