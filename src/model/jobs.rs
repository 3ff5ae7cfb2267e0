//! The round's work: jobs on a patient, for a person or a role, ticked off live; and each
//! patient's plan, handed over at shift change with the open jobs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Member;

/// The most characters a job's text holds: one line of work, not a note.
pub const MAX_JOB_CHARS: usize = 300;
/// The most characters a plan holds, over at most [`MAX_PLAN_LINES`] lines.
pub const MAX_PLAN_CHARS: usize = 1000;
pub const MAX_PLAN_LINES: usize = 10;
/// The most characters of a reason to cancel a job.
pub const MAX_REASON_CHARS: usize = 200;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum JobPriority {
    #[default]
    Routine,
    Soon,
    Urgent,
}

impl JobPriority {
    pub const ALL: [JobPriority; 3] =
        [JobPriority::Routine, JobPriority::Soon, JobPriority::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            JobPriority::Routine => "routine",
            JobPriority::Soon => "soon",
            JobPriority::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    #[default]
    Open,
    Done,
    Cancelled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Open => "open",
            JobStatus::Done => "done",
            JobStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [JobStatus::Open, JobStatus::Done, JobStatus::Cancelled]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// Who a job is for: a person, or a role (whoever holds it now, so a role's jobs pass to
/// whoever takes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobAssignee {
    User {
        id: Uuid,
        display_name: String,
        role: String,
    },
    Role {
        id: Uuid,
        /// Empty when the role was deleted since.
        name: String,
    },
}

impl JobAssignee {
    /// As a sentence names them: `Alex Morgan`, `Medical registrar on call`.
    pub fn name(&self) -> &str {
        match self {
            JobAssignee::User { display_name, .. } => display_name,
            JobAssignee::Role { name, .. } if name.is_empty() => "a deleted role",
            JobAssignee::Role { name, .. } => name,
        }
    }

    pub fn user(member: Member) -> Self {
        JobAssignee::User {
            id: member.id,
            display_name: member.display_name,
            role: member.role,
        }
    }
}

/// A piece of the round's work on one patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Job {
    pub id: Uuid,
    /// The FHIR Patient id.
    pub patient: String,
    pub text: String,
    pub assignee: JobAssignee,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
    pub priority: JobPriority,
    pub status: JobStatus,
    pub created_by: Member,
    pub created_at: DateTime<Utc>,
    /// Who marked it done or cancelled it, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<Member>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    /// The chat message it was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
    /// Open and past its due time, by the server's clock when this was sent.
    #[serde(default)]
    pub overdue: bool,
    /// For whom this copy was sent: the job is theirs, or a role's they hold.
    #[serde(default)]
    pub mine: bool,
}

impl Job {
    pub fn is_open(&self) -> bool {
        self.status == JobStatus::Open
    }

    /// Overdue at `now`: open, with a due time passed.
    pub fn overdue_at(&self, now: DateTime<Utc>) -> bool {
        self.is_open() && self.due_at.is_some_and(|due| due <= now)
    }
}

/// `POST /api/v1/jobs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewJob {
    /// Chosen by the client, so that a retried request makes the job once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// The FHIR Patient id: on a list of one of the caller's teams.
    pub patient: String,
    pub text: String,
    /// A username, `me`, or `role:NAME`.
    pub assignee: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub priority: JobPriority,
    /// Made from this chat message (one the caller can read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Uuid>,
}

/// `PATCH /api/v1/jobs/{id}`: one change to an open job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum JobPatch {
    Done,
    Cancel {
        reason: String,
    },
    /// To a username, `me`, or `role:NAME`.
    Reassign {
        assignee: String,
    },
    /// What is given changes; `clear_due` takes the due time away.
    Edit {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due_at: Option<DateTime<Utc>>,
        #[serde(default)]
        clear_due: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        priority: Option<JobPriority>,
    },
}

/// `GET /api/v1/jobs` filters; the caller's teams' patients only, open jobs unless
/// `status` says otherwise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// Jobs on this list's patients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
    /// `me` (mine and my roles'), `roles` (my roles' alone), a username, or `role:NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// `open` (the default), `done`, `cancelled` or `all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `export` when the jobs leave wardround (audited as an export); `view` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(pattern = "^(view|export)$")]
    pub purpose: Option<String>,
}

/// A patient's plan: a few lines for whoever has them next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Plan {
    pub patient: String,
    pub text: String,
    pub written_by: Member,
    pub written_at: DateTime<Utc>,
}

/// `PUT /api/v1/patients/{id}/plan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanText {
    /// Empty clears the plan.
    pub text: String,
}

/// One patient on a handover sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HandoverRow {
    pub patient: String,
    pub bed: String,
    pub name: String,
    /// As the list shows it (`7`, `5*` partial, `—` none).
    pub news2: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub news2_score: Option<u32>,
    /// Discharged today (a census list): when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discharged_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    /// Open jobs, soonest due first.
    pub jobs: Vec<Job>,
}

/// A list's handover sheet: what the next shift needs, patient by patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HandoverSheet {
    pub list_id: Uuid,
    pub list: String,
    pub at: DateTime<Utc>,
    pub rows: Vec<HandoverRow>,
}

/// Jobs in the order a shift works them: overdue first, then by due time (none last),
/// then the most urgent, then the oldest.
pub fn work_order(a: &Job, b: &Job, now: DateTime<Utc>) -> std::cmp::Ordering {
    b.overdue_at(now)
        .cmp(&a.overdue_at(now))
        .then_with(|| match (a.due_at, b.due_at) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        })
        .then_with(|| b.priority.cmp(&a.priority))
        .then_with(|| a.created_at.cmp(&b.created_at))
}
