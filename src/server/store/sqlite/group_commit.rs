//! Group commit for sends: messages waiting to be stored are written together, in one
//! transaction with their receipts, events and audit rows, by one task. Each sender hears
//! back only after that transaction has committed, so an acknowledged message is never
//! lost; under load one commit carries many messages, so acknowledging after the commit
//! stays cheap.

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use std::collections::HashSet;

use super::{append_events, audit, urgent};
use crate::model::{EventKind, Message};
use crate::server::store::{OwnedAuditAct, StoreError, StoreResult, UrgentSchedule, UserEvent};

/// Messages per transaction at most: enough to amortise the commit, few enough that the
/// first in a batch does not wait long for the last.
const MAX_BATCH: usize = 64;

pub struct Job {
    pub message: Message,
    pub events: Vec<(Uuid, EventKind)>,
    pub schedule: Option<UrgentSchedule>,
    pub audit: Option<OwnedAuditAct>,
    /// The events written, or `None` when a message with this id was there already.
    pub done: oneshot::Sender<StoreResult<Option<Vec<UserEvent>>>>,
}

pub fn start(writer: SqlitePool) -> mpsc::UnboundedSender<Job> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(writer, rx));
    tx
}

async fn run(writer: SqlitePool, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match commit(&writer, &batch).await {
            Ok(outcomes) => {
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = job.done.send(Ok(outcome));
                }
            }
            Err(e) => {
                // Nothing of the batch was stored; each sender is told, and retries.
                let reason = e.to_string();
                for job in batch {
                    let _ = job.done.send(Err(StoreError::Batch(reason.clone())));
                }
            }
        }
    }
}

/// The whole batch in a few statements: the messages (those not stored before), their
/// receipts, their events and their audit rows, each as one multi-row insert.
async fn commit(writer: &SqlitePool, batch: &[Job]) -> StoreResult<Vec<Option<Vec<UserEvent>>>> {
    // IMMEDIATE: see `SqliteStore::write_tx`.
    let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;

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
    let stored: HashSet<String> = insert
        .build_query_scalar()
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    // A message is new for the first job that carries it; a retry in the same batch, or
    // one stored before, is not.
    let mut seen = HashSet::new();
    let new: Vec<bool> = batch
        .iter()
        .map(|j| {
            let id = j.message.id.to_string();
            stored.contains(&id) && seen.insert(id)
        })
        .collect();
    let fresh = || batch.iter().zip(&new).filter(|(_, n)| **n).map(|(j, _)| j);

    let receipts: Vec<(&Message, &crate::model::Receipt)> = fresh()
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
    let mut written = append_events(&mut tx, events, at).await?.into_iter();

    let rows: Vec<&OwnedAuditAct> = fresh().filter_map(|j| j.audit.as_ref()).collect();
    if !rows.is_empty() {
        let mut prev = audit::last_hash(&mut tx).await?;
        for row in rows {
            prev = audit::append_tx(&mut tx, &prev, &row.as_act()).await?;
        }
    }
    tx.commit().await?;

    Ok(batch
        .iter()
        .zip(new)
        .map(|(job, new)| new.then(|| written.by_ref().take(job.events.len()).collect()))
        .collect())
}
