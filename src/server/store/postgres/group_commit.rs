//! Group commit for sends, as in the SQLite store: messages waiting to be stored are
//! written together, in one transaction with their receipts, events and audit rows, by
//! one task per node. Each sender hears back only after that transaction committed.

use std::collections::HashSet;

use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::{append_events, audit, state_i16, urgent};
use crate::model::{EventKind, Message};
use crate::server::store::{OwnedAuditAct, StoreError, StoreResult, UrgentSchedule, UserEvent};

/// Messages per transaction at most (see the SQLite store's group commit).
const MAX_BATCH: usize = 64;

pub struct Job {
    pub message: Message,
    pub events: Vec<(Uuid, EventKind)>,
    pub schedule: Option<UrgentSchedule>,
    pub audit: Option<OwnedAuditAct>,
    /// The events written, or `None` when a message with this id was there already.
    pub done: oneshot::Sender<StoreResult<Option<Vec<UserEvent>>>>,
}

pub fn start(pool: PgPool, channel: String) -> mpsc::UnboundedSender<Job> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(pool, channel, rx));
    tx
}

async fn run(pool: PgPool, channel: String, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match commit(&pool, &channel, &batch).await {
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

async fn commit(
    pool: &PgPool,
    channel: &str,
    batch: &[Job],
) -> StoreResult<Vec<Option<Vec<UserEvent>>>> {
    let mut tx = pool.begin().await?;

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
    let stored: HashSet<Uuid> = insert
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
        .map(|j| stored.contains(&j.message.id) && seen.insert(j.message.id))
        .collect();
    let fresh = || batch.iter().zip(&new).filter(|(_, n)| **n).map(|(j, _)| j);

    let receipts: Vec<(&Message, &crate::model::Receipt)> = fresh()
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
    let mut written = append_events(&mut tx, channel, events, at)
        .await?
        .into_iter();

    let rows: Vec<&OwnedAuditAct> = fresh().filter_map(|j| j.audit.as_ref()).collect();
    if !rows.is_empty() {
        let mut prev = audit::lock_and_last_hash(&mut tx).await?;
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
