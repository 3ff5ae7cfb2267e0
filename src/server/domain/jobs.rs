//! The round's work: jobs on a patient for a person or a role, changed by anyone in the
//! patient's care team (a team with a list holding the patient), and heard live by all of
//! them. A role's jobs are whoever holds the role now.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{Domain, DomainError, DomainResult, Session};
use crate::model::{
    work_order, AuditAction, EventKind, Job, JobAssignee, JobPatch, JobQuery, JobStatus, NewJob,
    MAX_JOB_CHARS, MAX_REASON_CHARS,
};
use crate::server::store::{JobRecord, JobScope, JobWrite};

/// Closed jobs one answer holds at most (the newest): history, not work. Open jobs are
/// never cut: none may go unseen.
const MOST_CLOSED: u32 = 2000;
/// Open jobs a patient may have: a bound no round reaches, so that nobody can bury the
/// real work under a flood.
const MOST_OPEN_PER_PATIENT: usize = 100;
/// How far back a due time may be when a job is made (written up after the fact).
const DUE_PAST: Duration = Duration::hours(24);
/// How far ahead a due time may be.
const DUE_AHEAD: Duration = Duration::days(60);

/// Who a job is for, resolved.
struct For {
    user: Option<Uuid>,
    role: Option<Uuid>,
    name: String,
}

impl Domain {
    /// Everyone in the patient's care team; the caller must be one of them (else 403: the
    /// patient's id is the caller's own word, not something learned here).
    async fn care_team(&self, session: &Session, patient: &str) -> DomainResult<Vec<Uuid>> {
        let team = self.store.patient_watchers(patient).await?;
        if team.contains(&session.user.id) {
            Ok(team)
        } else {
            Err(DomainError::Forbidden(
                "This patient is not on any of your team's lists.".into(),
            ))
        }
    }

    /// A job the caller may see and change.
    async fn job_of_care_team(&self, session: &Session, id: Uuid) -> DomainResult<Job> {
        let job = self
            .store
            .jobs(JobScope::One(id), None, 1)
            .await?
            .pop()
            .ok_or_else(|| DomainError::NotFound("No such job.".into()))?;
        // Crafted ids learn nothing: another team's job is as absent as one never made.
        if !self
            .store
            .patient_watchers(&job.patient)
            .await?
            .contains(&session.user.id)
        {
            return Err(DomainError::NotFound("No such job.".into()));
        }
        Ok(job)
    }

    /// `me`, a username (or a name only one colleague has), or `role:NAME`: someone who
    /// can see the patient, or a role of a team that can.
    async fn job_for(&self, session: &Session, patient: &str, who: &str) -> DomainResult<For> {
        let who = who.trim();
        if who.is_empty() || who.chars().count() > 100 || who.chars().any(char::is_control) {
            return Err(DomainError::Invalid(
                "Say who the job is for: a username, `me` or `role:NAME`.".into(),
            ));
        }
        if let Some(name) = who.strip_prefix("role:") {
            let role = self.role_named(name.trim()).await?;
            if !self
                .store
                .patient_teams(patient)
                .await?
                .contains(&role.team_id)
            {
                return Err(DomainError::Invalid(format!(
                    "{} is a role of {}, which has no list with this patient.",
                    role.name, role.team
                )));
            }
            return Ok(For {
                user: None,
                role: Some(role.id),
                name: role.name,
            });
        }
        let user = if who == "me" {
            session.user.clone()
        } else {
            self.colleague(who).await?
        };
        if !self
            .store
            .patient_watchers(patient)
            .await?
            .contains(&user.id)
        {
            return Err(DomainError::Invalid(format!(
                "{} is not in a team with this patient on a list.",
                user.display_name
            )));
        }
        Ok(For {
            user: Some(user.id),
            role: None,
            name: user.display_name,
        })
    }

    /// A job given to a role nobody holds now waits for whoever takes it: its giver is
    /// told so at once.
    async fn say_if_unheld(&self, session: &Session, who: &For) -> DomainResult<()> {
        let Some(role) = who.role else {
            return Ok(());
        };
        if self.holders_now(role).await?.is_empty() {
            self.tell(
                session.user.id,
                None,
                format!(
                    "Nobody holds {} now: the job waits for whoever takes it.",
                    who.name
                ),
            )
            .await?;
        }
        Ok(())
    }

    /// The job as each of its care team sees it (whose it is, whether it is late, and the
    /// chat it came from only for those in that chat), for the event each hears. Nobody
    /// outside the care team hears of it, whoever made it or was given it before.
    async fn job_events(
        &self,
        job: &Job,
    ) -> DomainResult<Box<dyn Fn(&Job) -> Vec<(Uuid, EventKind)> + Send + Sync>> {
        let mut told: BTreeSet<Uuid> = self
            .store
            .patient_watchers(&job.patient)
            .await?
            .into_iter()
            .collect();
        told.remove(&super::SYSTEM_USER);
        let clock = self.clock.clone();
        let holders: Vec<Uuid> = match &job.assignee {
            JobAssignee::Role { id, .. } => self.holders_now(*id).await?,
            JobAssignee::User { .. } => Vec::new(),
        };
        let in_chat = match job.conversation_id {
            Some(c) => self
                .store
                .conversation_members(c)
                .await?
                .unwrap_or_default(),
            None => Vec::new(),
        };
        Ok(Box::new(move |job: &Job| {
            let now = clock.now();
            told.iter()
                .map(|&to| {
                    let mut seen = job.clone();
                    seen.overdue = job.overdue_at(now);
                    seen.mine = match &job.assignee {
                        JobAssignee::User { id, .. } => *id == to,
                        JobAssignee::Role { .. } => holders.contains(&to),
                    };
                    if !in_chat.contains(&to) {
                        hide_chat(&mut seen);
                    }
                    (
                        to,
                        EventKind::Job {
                            job: Box::new(seen),
                        },
                    )
                })
                .collect()
        }))
    }

    /// Marks each job as `viewer` sees it now.
    pub(super) async fn mark_for(&self, viewer: Uuid, jobs: &mut [Job]) -> DomainResult<()> {
        let now = self.clock.now();
        let mut held = std::collections::HashMap::new();
        let mut chats = std::collections::HashMap::new();
        for job in jobs {
            if let Some(c) = job.conversation_id {
                let in_chat = match chats.get(&c) {
                    Some(&known) => known,
                    None => {
                        let members = self
                            .store
                            .conversation_members(c)
                            .await?
                            .unwrap_or_default();
                        let known = members.contains(&viewer);
                        chats.insert(c, known);
                        known
                    }
                };
                if !in_chat {
                    hide_chat(job);
                }
            }
            job.overdue = job.overdue_at(now);
            job.mine = match &job.assignee {
                JobAssignee::User { id, .. } => *id == viewer,
                JobAssignee::Role { id, .. } => {
                    if !held.contains_key(id) {
                        held.insert(*id, self.holders_now(*id).await?.contains(&viewer));
                    }
                    held.get(id).copied().unwrap_or(false)
                }
            };
        }
        Ok(())
    }

    pub async fn create_job(&self, session: &Session, new: &NewJob) -> DomainResult<Job> {
        let text = job_text(&new.text)?;
        self.care_team(session, &new.patient).await?;
        let now = self.clock.now();
        if let Some(due) = new.due_at {
            check_due(due, now)?;
        }
        let who = self.job_for(session, &new.patient, &new.assignee).await?;
        // Counted and stored under one lock. Nodes sharing PostgreSQL each hold their
        // own: a burst spread over several may pass the bound by a few, never by a flood.
        let _making = self.job_making.lock().await;
        let open = self
            .store
            .jobs(
                JobScope::Patient(&new.patient),
                Some(JobStatus::Open),
                u32::MAX,
            )
            .await?;
        if open.len() >= MOST_OPEN_PER_PATIENT && !open.iter().any(|j| Some(j.id) == new.id) {
            return Err(DomainError::Conflict(format!(
                "This patient has {MOST_OPEN_PER_PATIENT} open jobs: mark some done or cancel them first."
            )));
        }
        let message = match new.message_id {
            Some(m) => Some(self.message_to_job(session, m).await?),
            None => None,
        };
        let id = new.id.unwrap_or_else(Uuid::new_v4);
        let record = JobRecord {
            id,
            patient: &new.patient,
            text: &text,
            user: who.user,
            role: who.role,
            due_at: new.due_at,
            priority: new.priority,
            created_by: session.user.id,
            at: now,
            message,
        };
        let draft = Job {
            id,
            patient: new.patient.clone(),
            text: text.clone(),
            assignee: match (who.user, who.role) {
                (Some(id), _) => JobAssignee::User {
                    id,
                    display_name: who.name.clone(),
                    role: String::new(),
                },
                (None, role) => JobAssignee::Role {
                    id: role.unwrap_or_default(),
                    name: who.name.clone(),
                },
            },
            due_at: new.due_at,
            priority: new.priority,
            status: JobStatus::Open,
            created_by: crate::model::Member {
                id: session.user.id,
                display_name: session.user.display_name.clone(),
                role: session.user.role.clone(),
            },
            created_at: now,
            closed_by: None,
            closed_at: None,
            cancel_reason: None,
            message_id: message.map(|(m, _)| m),
            conversation_id: message.map(|(_, c)| c),
            updated_at: now,
            overdue: false,
            mine: false,
        };
        let events = self.job_events(&draft).await?;
        let Some((mut job, written)) = self.store.insert_job(&record, events.as_ref()).await?
        else {
            // A retried request: the job it made, if it was this caller's. Any other job
            // with the id, seen or not, is refused alike.
            let taken =
                || DomainError::Conflict("A job with this id exists: choose another id.".into());
            let mut existing = match self.job_of_care_team(session, id).await {
                Ok(job) => job,
                Err(DomainError::NotFound(_)) => return Err(taken()),
                Err(e) => return Err(e),
            };
            if existing.created_by.id != session.user.id || existing.patient != new.patient {
                return Err(taken());
            }
            self.mark_for(session.user.id, std::slice::from_mut(&mut existing))
                .await?;
            return Ok(existing);
        };
        self.hub.wrote(&written);
        self.urgent_sent.notify_one();
        self.say_if_unheld(session, &who).await?;
        self.audit(
            session,
            AuditAction::JobCreated,
            Some(&job.patient),
            format!(
                "job {} for {} ({}{})",
                job.id,
                who.user
                    .or(who.role)
                    .map(|u| u.to_string())
                    .unwrap_or_default(),
                job.priority.as_str(),
                job.due_at
                    .map(|d| format!(", due {}", d.to_rfc3339()))
                    .unwrap_or_default()
            ),
        )
        .await?;
        self.mark_for(session.user.id, std::slice::from_mut(&mut job))
            .await?;
        Ok(job)
    }

    /// The message a job is made from, if the caller can read it: its id and conversation.
    async fn message_to_job(&self, session: &Session, id: Uuid) -> DomainResult<(Uuid, Uuid)> {
        let not_found = || DomainError::NotFound("No such message.".into());
        let message = self.store.message(id).await?.ok_or_else(not_found)?;
        let members = self
            .store
            .conversation_members(message.conversation_id)
            .await?
            .unwrap_or_default();
        if !members.contains(&session.user.id) {
            return Err(not_found());
        }
        Ok((message.id, message.conversation_id))
    }

    pub async fn list_jobs(&self, session: &Session, query: &JobQuery) -> DomainResult<Vec<Job>> {
        let status = match query.status.as_deref().map(str::trim) {
            None | Some("") | Some("open") => Some(JobStatus::Open),
            Some("all") => None,
            Some(s) => Some(JobStatus::parse(s).ok_or_else(|| {
                DomainError::Invalid("status is `open`, `done`, `cancelled` or `all`.".into())
            })?),
        };
        if !matches!(
            query.purpose.as_deref(),
            None | Some("view") | Some("export")
        ) {
            return Err(DomainError::Invalid(
                "purpose is `view` or `export`.".into(),
            ));
        }
        let (mut jobs, seen) = match (&query.list, &query.patient) {
            (Some(list), patient) => {
                let list = self.team_list(session, *list).await?;
                let mut jobs = self.jobs_in(JobScope::List(list.id), status).await?;
                if let Some(p) = patient {
                    jobs.retain(|j| &j.patient == p);
                }
                (jobs, format!("jobs of list {}", list.id))
            }
            (None, Some(patient)) => {
                self.care_team(session, patient).await?;
                let jobs = self.jobs_in(JobScope::Patient(patient), status).await?;
                (jobs, "jobs".to_string())
            }
            (None, None) => {
                let jobs = self
                    .jobs_in(JobScope::Teams(session.user.id), status)
                    .await?;
                (jobs, "jobs of my teams".to_string())
            }
        };
        self.mark_for(session.user.id, &mut jobs).await?;
        match query.assignee.as_deref().map(str::trim) {
            None | Some("") => {}
            Some("me") => jobs.retain(|j| j.mine),
            Some("roles") => {
                jobs.retain(|j| j.mine && matches!(j.assignee, JobAssignee::Role { .. }))
            }
            Some(who) => {
                let wanted = match who.strip_prefix("role:") {
                    Some(role) => self.role_named(role.trim()).await?.id,
                    None => self.colleague(who).await?.id,
                };
                jobs.retain(|j| match &j.assignee {
                    JobAssignee::User { id, .. } | JobAssignee::Role { id, .. } => *id == wanted,
                });
            }
        }
        let now = self.clock.now();
        jobs.sort_by(|a, b| work_order(a, b, now));
        match query.purpose.as_deref() {
            None | Some("view") => {
                // Jobs say what is being done for whom: reading them is audited as
                // reading a list (or, for one patient, the patient).
                let action = if query.patient.is_some() {
                    AuditAction::PatientViewed
                } else {
                    AuditAction::ListViewed
                };
                self.audit(
                    session,
                    action,
                    query.patient.as_deref(),
                    format!("{seen} ({} jobs)", jobs.len()),
                )
                .await?;
            }
            Some("export") => {
                let scope = query
                    .list
                    .map(|l| format!("list {l}"))
                    .or_else(|| query.patient.as_ref().map(|_| "a patient".into()))
                    .unwrap_or_else(|| "my teams".into());
                self.audit(
                    session,
                    AuditAction::ListExported,
                    query.patient.as_deref(),
                    format!("jobs of {scope} ({} jobs)", jobs.len()),
                )
                .await?;
            }
            Some(_) => {}
        }
        Ok(jobs)
    }

    /// Every open job in `scope` (for `Open`), the newest closed ones (for done or
    /// cancelled), or both (`None`).
    async fn jobs_in(
        &self,
        scope: JobScope<'_>,
        status: Option<JobStatus>,
    ) -> DomainResult<Vec<Job>> {
        Ok(match status {
            Some(JobStatus::Open) => self.store.jobs(scope, status, u32::MAX).await?,
            Some(closed) => self.store.jobs(scope, Some(closed), MOST_CLOSED).await?,
            None => {
                let mut closed = self
                    .store
                    .jobs(scope, Some(JobStatus::Done), MOST_CLOSED)
                    .await?;
                closed.extend(
                    self.store
                        .jobs(scope, Some(JobStatus::Cancelled), MOST_CLOSED)
                        .await?,
                );
                closed.sort_by_key(|j| std::cmp::Reverse(j.updated_at));
                closed.truncate(MOST_CLOSED as usize);
                let mut jobs = self
                    .store
                    .jobs(scope, Some(JobStatus::Open), u32::MAX)
                    .await?;
                jobs.extend(closed);
                jobs
            }
        })
    }

    pub async fn change_job(
        &self,
        session: &Session,
        id: Uuid,
        patch: &JobPatch,
    ) -> DomainResult<Job> {
        let job = self.job_of_care_team(session, id).await?;
        if !job.is_open() {
            return Err(closed(&job));
        }
        let now = self.clock.now();
        let reason;
        let mut handed_to = None;
        let edited;
        let (write, action, detail) = match patch {
            JobPatch::Done => (
                JobWrite::Close {
                    status: JobStatus::Done,
                    by: session.user.id,
                    reason: None,
                },
                AuditAction::JobDone,
                format!("job {id}"),
            ),
            JobPatch::Cancel { reason: why } => {
                reason = one_line(why, MAX_REASON_CHARS, "A reason to cancel")?;
                (
                    JobWrite::Close {
                        status: JobStatus::Cancelled,
                        by: session.user.id,
                        reason: Some(&reason),
                    },
                    AuditAction::JobCancelled,
                    format!("job {id}"),
                )
            }
            JobPatch::Reassign { assignee } => {
                let who = handed_to.insert(self.job_for(session, &job.patient, assignee).await?);
                let same = match &job.assignee {
                    JobAssignee::User { id, .. } => who.user == Some(*id),
                    JobAssignee::Role { id, .. } => who.role == Some(*id),
                };
                if same {
                    return Err(DomainError::Conflict(format!(
                        "The job is {}'s already.",
                        who.name
                    )));
                }
                (
                    JobWrite::Assign {
                        user: who.user,
                        role: who.role,
                    },
                    AuditAction::JobReassigned,
                    format!(
                        "job {id} to {}",
                        who.user
                            .or(who.role)
                            .map(|u| u.to_string())
                            .unwrap_or_default()
                    ),
                )
            }
            JobPatch::Edit {
                text,
                due_at,
                clear_due,
                priority,
            } => {
                edited = text.as_deref().map(job_text).transpose()?;
                if let Some(due) = due_at {
                    check_due(*due, now)?;
                }
                let due = match (due_at, clear_due) {
                    (Some(_), true) => {
                        return Err(DomainError::Invalid(
                            "Give a due time or clear it, not both.".into(),
                        ))
                    }
                    (Some(d), false) => Some(Some(*d)),
                    (None, true) => Some(None),
                    (None, false) => None,
                };
                if edited.is_none() && due.is_none() && priority.is_none() {
                    return Err(DomainError::Invalid(
                        "An edit changes the text, the due time or the priority.".into(),
                    ));
                }
                let what: Vec<&str> = [
                    edited.is_some().then_some("text"),
                    due.is_some().then_some("due time"),
                    priority.is_some().then_some("priority"),
                ]
                .into_iter()
                .flatten()
                .collect();
                (
                    JobWrite::Edit {
                        text: edited.as_deref(),
                        due,
                        priority: *priority,
                    },
                    AuditAction::JobEdited,
                    format!("job {id}: {}", what.join(", ")),
                )
            }
        };
        let after = match write {
            JobWrite::Assign { user, role } => {
                let mut moved = job.clone();
                moved.assignee = match (user, role) {
                    (Some(id), _) => JobAssignee::User {
                        id,
                        display_name: String::new(),
                        role: String::new(),
                    },
                    (None, r) => JobAssignee::Role {
                        id: r.unwrap_or_default(),
                        name: String::new(),
                    },
                };
                moved
            }
            _ => job.clone(),
        };
        let events = self.job_events(&after).await?;
        let Some((mut changed, written)) = self
            .store
            .write_job(id, write, now, events.as_ref())
            .await?
        else {
            // Done or cancelled by someone else a moment ago.
            let now_stored = self.job_of_care_team(session, id).await?;
            return Err(closed(&now_stored));
        };
        self.hub.wrote(&written);
        self.urgent_sent.notify_one();
        if let Some(who) = &handed_to {
            self.say_if_unheld(session, who).await?;
        }
        self.audit(session, action, Some(&changed.patient), detail)
            .await?;
        self.mark_for(session.user.id, std::slice::from_mut(&mut changed))
            .await?;
        Ok(changed)
    }

    /// Tells whoever each job is for that it is past due (once, until its due time or
    /// assignee changes). The number told.
    pub async fn run_jobs_due(&self) -> DomainResult<usize> {
        let now = self.clock.now();
        let mut told = 0;
        for job in self.store.jobs_due(now, 200).await? {
            let events = self.job_events(&job).await?;
            if let Some((_, written)) = self
                .store
                .write_job(job.id, JobWrite::OverdueTold, now, events.as_ref())
                .await?
            {
                self.hub.wrote(&written);
                told += 1;
            }
        }
        Ok(told)
    }

    pub(super) async fn next_job_due(&self) -> DomainResult<Option<DateTime<Utc>>> {
        Ok(self.store.next_job_due().await?)
    }

    /// A role changed hands: its open jobs are now the new holders', and those who held
    /// it (`people`) see them as no longer theirs.
    pub(super) async fn jobs_follow_role(&self, role: Uuid, people: &[Uuid]) -> DomainResult<()> {
        let jobs = self
            .store
            .jobs(JobScope::Role(role), Some(JobStatus::Open), u32::MAX)
            .await?;
        if jobs.is_empty() {
            return Ok(());
        }
        let holders = self.holders_now(role).await?;
        let now = self.clock.now();
        let told: BTreeSet<Uuid> = people.iter().chain(&holders).copied().collect();
        let (jobs, holders) = (&jobs, &holders);
        let events = told
            .iter()
            .flat_map(|&to| {
                jobs.iter().map(move |job| {
                    let mut seen = job.clone();
                    seen.overdue = job.overdue_at(now);
                    seen.mine = holders.contains(&to);
                    (
                        to,
                        EventKind::Job {
                            job: Box::new(seen),
                        },
                    )
                })
            })
            .collect();
        let written = self.store.append_events(events, now).await?;
        self.hub.wrote(&written);
        Ok(())
    }
}

/// The chat a job came from is for that chat's members to know of (a private 1:1).
fn hide_chat(job: &mut Job) {
    job.message_id = None;
    job.conversation_id = None;
}

fn closed(job: &Job) -> DomainError {
    let by = job
        .closed_by
        .as_ref()
        .map(|m| m.display_name.as_str())
        .unwrap_or("someone");
    let at = job
        .closed_at
        .map(|t| format!(" at {}", t.format("%H:%M UTC")))
        .unwrap_or_default();
    DomainError::Conflict(match job.status {
        JobStatus::Done => format!("This job was done by {by}{at}."),
        JobStatus::Cancelled => format!("This job was cancelled by {by}{at}."),
        JobStatus::Open => "This job is open.".into(),
    })
}

fn job_text(text: &str) -> DomainResult<String> {
    one_line(text, MAX_JOB_CHARS, "A job")
}

/// Characters that break a line, turn text around or hide in it without being control
/// characters: the line and paragraph separators; the bidirectional marks, overrides and
/// isolates that make a line read other than it is stored; and Unicode's default-ignorable
/// characters, which draw as nothing (zero-width space, word joiner, soft hyphen, Hangul
/// fillers, tags…), so a job of them alone is a blank urgent row. The zero-width joiners
/// and the variation selectors stay: emoji and some scripts need them.
pub(super) fn deceptive(c: char) -> bool {
    matches!(
        c,
        '\u{2028}'
            | '\u{2029}'
            | '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'
            | '\u{200e}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fffb}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

/// Whether `text` shows anything: not only spaces, joiners, variation selectors and the
/// blank braille cell.
pub(super) fn shows_something(text: &str) -> bool {
    text.chars().any(|c| {
        !c.is_whitespace()
            && !matches!(
                c,
                '\u{200c}' | '\u{200d}' | '\u{2800}' | '\u{fe00}'..='\u{fe0f}'
            )
    })
}

/// Trimmed, 1 to `most` characters, one line with no control characters.
fn one_line(text: &str, most: usize, what: &str) -> DomainResult<String> {
    let text = text.trim();
    if !shows_something(text)
        || text.chars().count() > most
        || text.chars().any(|c| c.is_control() || deceptive(c))
    {
        return Err(DomainError::Invalid(format!(
            "{what} is one line of 1 to {most} characters, without control or invisible characters."
        )));
    }
    Ok(text.to_string())
}

fn check_due(due: DateTime<Utc>, now: DateTime<Utc>) -> DomainResult<()> {
    if due < now - DUE_PAST || due > now + DUE_AHEAD {
        return Err(DomainError::Invalid(
            "A job is due within the next 60 days (or, written up late, the last 24 hours).".into(),
        ));
    }
    Ok(())
}
