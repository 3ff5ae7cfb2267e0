//! Jobs and plans: the round's work on each patient, and what is handed over.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{StoreResult, UserEvent};
use crate::model::{EventKind, Job, JobPriority, JobStatus, Plan};

/// Which jobs: the domain decides what a caller may see and asks for that.
#[derive(Debug, Clone, Copy)]
pub enum JobScope<'a> {
    One(Uuid),
    Patient(&'a str),
    /// The patients of this list.
    List(Uuid),
    /// The patients of every list of `user`'s teams.
    Teams(Uuid),
    /// For this role.
    Role(Uuid),
}

/// A job as first stored.
#[derive(Debug, Clone)]
pub struct JobRecord<'a> {
    pub id: Uuid,
    pub patient: &'a str,
    pub text: &'a str,
    pub user: Option<Uuid>,
    pub role: Option<Uuid>,
    pub due_at: Option<DateTime<Utc>>,
    pub priority: JobPriority,
    pub created_by: Uuid,
    pub at: DateTime<Utc>,
    pub message: Option<(Uuid, Uuid)>,
}

/// One change to an open job, made to it as stored.
#[derive(Debug, Clone, Copy)]
pub enum JobWrite<'a> {
    /// Done or cancelled.
    Close {
        status: JobStatus,
        by: Uuid,
        reason: Option<&'a str>,
    },
    /// To a person or a role; the new assignee is told of it overdue afresh.
    Assign {
        user: Option<Uuid>,
        role: Option<Uuid>,
    },
    /// `due`: `Some` changes it (to none, for `Some(None)`).
    Edit {
        text: Option<&'a str>,
        due: Option<Option<DateTime<Utc>>>,
        priority: Option<JobPriority>,
    },
    /// Its assignee was told it is past due.
    OverdueTold,
}

/// The events a job change writes, made from the job as the change leaves it.
pub type JobEvents = dyn for<'j> Fn(&'j Job) -> Vec<(Uuid, EventKind)> + Send + Sync;

#[async_trait]
pub trait JobStore: Send + Sync {
    /// Stores a new job and the events `events` makes of it, atomically. `None` when a job
    /// with its id exists (a retried request): nothing is written.
    async fn insert_job(
        &self,
        job: &JobRecord<'_>,
        events: &JobEvents,
    ) -> StoreResult<Option<(Job, Vec<UserEvent>)>>;
    /// The newest `limit` jobs in `scope` (of one status, or any).
    async fn jobs(
        &self,
        scope: JobScope<'_>,
        status: Option<JobStatus>,
        limit: u32,
    ) -> StoreResult<Vec<Job>>;
    /// Makes `write` to job `id` at `at` if it is still open (and, for `OverdueTold`, not
    /// told yet), with the events `events` makes of the job after, atomically. `None`
    /// (nothing written) otherwise.
    async fn write_job(
        &self,
        id: Uuid,
        write: JobWrite<'_>,
        at: DateTime<Utc>,
        events: &JobEvents,
    ) -> StoreResult<Option<(Job, Vec<UserEvent>)>>;
    /// Open jobs due by `now` whose assignee has not been told.
    async fn jobs_due(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Job>>;
    /// When the next open job falls due, of those not yet told.
    async fn next_job_due(&self) -> StoreResult<Option<DateTime<Utc>>>;
    /// Everyone in a team with a list that holds the patient.
    async fn patient_watchers(&self, patient: &str) -> StoreResult<Vec<Uuid>>;
    /// The teams with a list that holds the patient.
    async fn patient_teams(&self, patient: &str) -> StoreResult<Vec<Uuid>>;

    /// The plans of those of `patients` that have one.
    async fn plans(&self, patients: &[String]) -> StoreResult<Vec<Plan>>;
    /// Writes (or, for an empty text, clears) a patient's plan and the events `events`
    /// makes of it, atomically.
    async fn write_plan(
        &self,
        patient: &str,
        text: &str,
        by: Uuid,
        at: DateTime<Utc>,
        events: Vec<(Uuid, EventKind)>,
    ) -> StoreResult<(Plan, Vec<UserEvent>)>;
}
