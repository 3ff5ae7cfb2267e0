//! Group commit for sends, for both stores: messages waiting to be stored are written
//! together, in one transaction with their receipts, events and audit rows, by one task
//! per node. Each sender hears back only after that transaction has committed, so an
//! acknowledged message is never lost; under load one commit carries many messages, so
//! acknowledging after the commit stays cheap. The stores say how a batch is written
//! ([`Committer`]); the batching, the retry rules and the answers are here.
//!
//! A store whose commit is a round trip to another process (PostgreSQL) has two batches
//! under way at once ([`Committer::DEPTH`]), so one is sent while the other commits.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::{StoreError, StoreResult, UrgentSchedule, UserEvent};
use crate::model::{AuditAct, EventKind, Message};

/// Messages per transaction at most: enough to amortise the commit, few enough that the
/// first in a batch does not wait long for the last.
const MAX_BATCH: usize = 64;

/// The events written for each job, or `None` where its message was stored before.
pub type Outcomes = Vec<Option<Vec<UserEvent>>>;

/// An audit act, owned, to travel to the group-commit task.
#[derive(Debug, Clone)]
pub struct OwnedAuditAct {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub workstation: String,
    pub action: crate::model::AuditAction,
    pub patient: Option<String>,
    pub detail: String,
}

impl From<&AuditAct<'_>> for OwnedAuditAct {
    fn from(act: &AuditAct<'_>) -> Self {
        OwnedAuditAct {
            at: act.at,
            actor: act.actor.to_string(),
            workstation: act.workstation.to_string(),
            action: act.action,
            patient: act.patient.map(str::to_string),
            detail: act.detail.to_string(),
        }
    }
}

impl OwnedAuditAct {
    pub fn as_act(&self) -> AuditAct<'_> {
        AuditAct {
            at: self.at,
            actor: &self.actor,
            workstation: &self.workstation,
            action: self.action,
            patient: self.patient.as_deref(),
            detail: &self.detail,
        }
    }
}

pub struct Job {
    pub message: Message,
    pub events: Vec<(Uuid, EventKind)>,
    pub schedule: Option<UrgentSchedule>,
    pub audit: Option<OwnedAuditAct>,
    done: oneshot::Sender<StoreResult<Option<Vec<UserEvent>>>>,
}

/// How a store writes one batch, all or nothing.
#[async_trait]
pub trait Committer: Send + Sync + 'static {
    /// Batches under way at once.
    const DEPTH: usize = 1;

    async fn commit(&self, batch: &[Job]) -> StoreResult<Outcomes>;
}

pub type Sends = mpsc::UnboundedSender<Job>;

pub fn start<C: Committer>(committer: C) -> Sends {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(committer, rx));
    tx
}

async fn run<C: Committer>(committer: C, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut under_way = FuturesUnordered::new();
    let mut open = true;
    while open || !under_way.is_empty() {
        tokio::select! {
            first = jobs.recv(), if open && under_way.len() < C::DEPTH => {
                let Some(first) = first else {
                    open = false;
                    continue;
                };
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match jobs.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                crate::server::metrics::COMMIT_BATCHES.observe(batch.len() as f64);
                under_way.push(commit_and_answer(&committer, batch));
            }
            Some(()) = under_way.next(), if !under_way.is_empty() => {}
        }
    }
}

async fn commit_and_answer(committer: &impl Committer, batch: Vec<Job>) {
    match committer.commit(&batch).await {
        Ok(outcomes) => {
            for (job, outcome) in batch.into_iter().zip(outcomes) {
                let _ = job.done.send(Ok(outcome));
            }
        }
        Err(e) => {
            // Nothing of the batch was stored; each sender is told, and retries.
            let (reason, unavailable) = (e.to_string(), e.is_unavailable());
            for job in batch {
                let _ = job.done.send(Err(StoreError::Batch {
                    reason: reason.clone(),
                    unavailable,
                }));
            }
        }
    }
}

/// Queues a message and waits for the commit that stores it: its events, or `None` when a
/// message with its id was stored before (a retried send).
pub async fn submit(
    sends: &Sends,
    message: &Message,
    events: Vec<(Uuid, EventKind)>,
    schedule: Option<&UrgentSchedule>,
    audit: Option<&AuditAct<'_>>,
) -> StoreResult<Option<Vec<UserEvent>>> {
    let (done, written) = oneshot::channel();
    let job = Job {
        message: message.clone(),
        events,
        schedule: schedule.cloned(),
        audit: audit.map(OwnedAuditAct::from),
        done,
    };
    let stopped = || StoreError::Batch {
        reason: "the store is closing".into(),
        unavailable: true,
    };
    sends.send(job).map_err(|_| stopped())?;
    written.await.map_err(|_| stopped())?
}

/// Which jobs store a new message, given the ids the batch's insert took: a message is new
/// for the first job that carries it; a retry in the same batch, or one stored before, is
/// not.
pub fn new_jobs(batch: &[Job], inserted: &HashSet<Uuid>) -> Vec<bool> {
    let mut seen = HashSet::new();
    batch
        .iter()
        .map(|j| inserted.contains(&j.message.id) && seen.insert(j.message.id))
        .collect()
}

/// Each new job's events, from all the batch's events written in job order.
pub fn outcomes(batch: &[Job], new: &[bool], written: Vec<UserEvent>) -> Outcomes {
    let mut written = written.into_iter();
    batch
        .iter()
        .zip(new)
        .map(|(job, new)| new.then(|| written.by_ref().take(job.events.len()).collect()))
        .collect()
}
