//! Group commit for sends: messages waiting to be stored are written together, in one
//! transaction with their receipts, events and audit rows, by one task. Each sender hears
//! back only after that transaction has committed, so an acknowledged message is never
//! lost; under load one commit carries many messages, so acknowledging after the commit
//! stays cheap.

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::{append_events, audit, insert_message_tx};
use crate::model::{AuditAction, EventKind, Message};
use crate::server::store::{StoreError, StoreResult, UrgentSchedule, UserEvent};

/// Messages per transaction at most: enough to amortise the commit, few enough that the
/// first in a batch does not wait long for the last.
const MAX_BATCH: usize = 64;

/// An audit row, owned, to travel to the committing task.
pub struct AuditRow {
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub workstation: String,
    pub action: AuditAction,
    pub detail: String,
}

pub struct Job {
    pub message: Message,
    pub events: Vec<(Uuid, EventKind)>,
    pub schedule: Option<UrgentSchedule>,
    pub audit: Option<AuditRow>,
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

async fn commit(writer: &SqlitePool, batch: &[Job]) -> StoreResult<Vec<Option<Vec<UserEvent>>>> {
    let mut tx = writer.begin().await?;
    let mut chain = if batch.iter().any(|j| j.audit.is_some()) {
        Some(audit::last_hash(&mut tx).await?)
    } else {
        None
    };
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        if !insert_message_tx(&mut tx, &job.message, job.schedule.as_ref()).await? {
            outcomes.push(None);
            continue;
        }
        let written = append_events(&mut tx, job.events.clone(), job.message.sent_at).await?;
        if let (Some(row), Some(prev)) = (&job.audit, chain.as_mut()) {
            let act = crate::model::AuditAct {
                at: row.at,
                actor: &row.actor,
                workstation: &row.workstation,
                action: row.action,
                patient: None,
                detail: &row.detail,
            };
            *prev = audit::append_tx(&mut tx, prev, &act).await?;
        }
        outcomes.push(Some(written));
    }
    tx.commit().await?;
    Ok(outcomes)
}
