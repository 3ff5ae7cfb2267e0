//! The `JobStore` trait on either engine: jobs, their changes, and patients' plans.

/// The columns `job_from` reads, of `jobs j` joined to its people and role.
pub(in crate::server::store) const JOB_SELECT: &str = "SELECT j.id, j.patient_id, j.text, j.due_at, j.priority, j.status, j.created_at, j.closed_at, j.cancel_reason, j.message_id, j.conversation_id, j.updated_at,
    j.assignee_user, au.display_name AS au_name, au.role AS au_role,
    j.assignee_role, r.name AS role_name,
    j.created_by, cu.display_name AS cu_name, cu.role AS cu_role,
    j.closed_by, xu.display_name AS xu_name, xu.role AS xu_role
  FROM jobs j
  LEFT JOIN users au ON au.id = j.assignee_user
  LEFT JOIN roles r ON r.id = j.assignee_role
  JOIN users cu ON cu.id = j.created_by
  LEFT JOIN users xu ON xu.id = j.closed_by";

/// Stamps `impl JobStore for $engine`, whose rows are `$db`'s.
macro_rules! jobs_impl {
    ($engine:ty, $db:ty) => {
        const _: () = {
            use chrono::{DateTime, Utc};
            use sqlx::Row as _;
            use uuid::Uuid;

            use $crate::model::{EventKind, Job, JobAssignee, JobPriority, JobStatus, Member, Plan};
            use $crate::server::store::sql::jobs::JOB_SELECT;
            use $crate::server::store::sql::{uuids, Engine as _, Id};
            use $crate::server::store::{
                JobEvents, JobRecord, JobScope, JobStore, JobWrite, StoreError, StoreResult,
                UserEvent,
            };

            type Row = <$db as sqlx::Database>::Row;
            type Conn = <$db as sqlx::Database>::Connection;

            fn time(ms: i64) -> StoreResult<DateTime<Utc>> {
                DateTime::from_timestamp_millis(ms)
                    .ok_or_else(|| StoreError::Corrupt(format!("a job's time {ms}")))
            }

            fn person(row: &Row, id: &str, prefix: &str) -> StoreResult<Option<Member>> {
                let Some(id) = row.try_get::<Option<Id>, _>(id)? else {
                    return Ok(None);
                };
                Ok(Some(Member {
                    id: id.0,
                    display_name: row.try_get(format!("{prefix}_name").as_str())?,
                    role: row.try_get(format!("{prefix}_role").as_str())?,
                }))
            }

            fn job_from(row: &Row) -> StoreResult<Job> {
                let assignee = match (
                    person(row, "assignee_user", "au")?,
                    row.try_get::<Option<Id>, _>("assignee_role")?,
                ) {
                    (Some(user), _) => JobAssignee::user(user),
                    (None, Some(role)) => JobAssignee::Role {
                        id: role.0,
                        name: row.try_get::<Option<String>, _>("role_name")?.unwrap_or_default(),
                    },
                    (None, None) => return Err(StoreError::Corrupt("a job for nobody".into())),
                };
                let priority: String = row.try_get("priority")?;
                let status: String = row.try_get("status")?;
                let created_by = person(row, "created_by", "cu")?
                    .ok_or_else(|| StoreError::Corrupt("a job by nobody".into()))?;
                let opt_time = |c: &str| -> StoreResult<Option<DateTime<Utc>>> {
                    row.try_get::<Option<i64>, _>(c)?.map(time).transpose()
                };
                Ok(Job {
                    id: row.try_get::<Id, _>("id")?.0,
                    patient: row.try_get("patient_id")?,
                    text: row.try_get("text")?,
                    assignee,
                    due_at: opt_time("due_at")?,
                    priority: JobPriority::parse(&priority)
                        .ok_or_else(|| StoreError::Corrupt(format!("job priority {priority:?}")))?,
                    status: JobStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("job status {status:?}")))?,
                    created_by,
                    created_at: time(row.try_get("created_at")?)?,
                    closed_by: person(row, "closed_by", "xu")?,
                    closed_at: opt_time("closed_at")?,
                    cancel_reason: row.try_get("cancel_reason")?,
                    message_id: row.try_get::<Option<Id>, _>("message_id")?.map(Uuid::from),
                    conversation_id: row
                        .try_get::<Option<Id>, _>("conversation_id")?
                        .map(Uuid::from),
                    updated_at: time(row.try_get("updated_at")?)?,
                    overdue: false,
                    mine: false,
                })
            }

            async fn one(conn: &mut Conn, id: Uuid) -> StoreResult<Option<Job>> {
                sqlx::query(&format!("{JOB_SELECT} WHERE j.id = $1"))
                    .bind(Id(id))
                    .fetch_optional(&mut *conn)
                    .await?
                    .map(|r| job_from(&r))
                    .transpose()
            }

            fn plan_from(row: &Row) -> StoreResult<Plan> {
                Ok(Plan {
                    patient: row.try_get("patient_id")?,
                    text: row.try_get("text")?,
                    written_by: Member {
                        id: row.try_get::<Id, _>("written_by")?.0,
                        display_name: row.try_get("display_name")?,
                        role: row.try_get("role")?,
                    },
                    written_at: time(row.try_get("written_at")?)?,
                })
            }

            const PLAN_SELECT: &str = "SELECT p.patient_id, p.text, p.written_by, p.written_at, u.display_name, u.role
                 FROM plans p JOIN users u ON u.id = p.written_by WHERE p.patient_id = $1";

            #[async_trait::async_trait]
            impl JobStore for $engine {
                async fn insert_job(
                    &self,
                    job: &JobRecord<'_>,
                    events: &JobEvents,
                ) -> StoreResult<Option<(Job, Vec<UserEvent>)>> {
                    let mut tx = self.begin_write().await?;
                    let at = job.at.timestamp_millis();
                    let inserted = sqlx::query(
                        "INSERT INTO jobs (id, patient_id, text, assignee_user, assignee_role, due_at, priority, status,
                                           created_by, created_at, message_id, conversation_id, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, $11, $9)
                         ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(Id(job.id))
                    .bind(job.patient)
                    .bind(job.text)
                    .bind(job.user.map(Id))
                    .bind(job.role.map(Id))
                    .bind(job.due_at.map(|d| d.timestamp_millis()))
                    .bind(job.priority.as_str())
                    .bind(Id(job.created_by))
                    .bind(at)
                    .bind(job.message.map(|(m, _)| Id(m)))
                    .bind(job.message.map(|(_, c)| Id(c)))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if inserted == 0 {
                        tx.rollback().await?;
                        return Ok(None);
                    }
                    let stored = one(&mut tx, job.id)
                        .await?
                        .ok_or_else(|| StoreError::Corrupt("a job vanished".into()))?;
                    let written = self.append_events_in(&mut tx, events(&stored), job.at).await?;
                    tx.commit().await?;
                    Ok(Some((stored, written)))
                }

                async fn jobs(
                    &self,
                    scope: JobScope<'_>,
                    status: Option<JobStatus>,
                    limit: u32,
                ) -> StoreResult<Vec<Job>> {
                    let status = status.map(JobStatus::as_str);
                    let tail = "AND ($2 IS NULL OR j.status = $2) ORDER BY j.created_at DESC, j.id LIMIT $3";
                    let rows = match scope {
                        JobScope::One(id) => {
                            sqlx::query(&format!("{JOB_SELECT} WHERE j.id = $1 {tail}"))
                                .bind(Id(id))
                                .bind(status)
                                .bind(i64::from(limit))
                                .fetch_all(self.reads())
                                .await?
                        }
                        JobScope::Patient(p) => {
                            sqlx::query(&format!("{JOB_SELECT} WHERE j.patient_id = $1 {tail}"))
                                .bind(p)
                                .bind(status)
                                .bind(i64::from(limit))
                                .fetch_all(self.reads())
                                .await?
                        }
                        JobScope::List(list) => {
                            sqlx::query(&format!(
                                "{JOB_SELECT} WHERE j.patient_id IN
                                   (SELECT patient_id FROM patient_list_entries WHERE list_id = $1) {tail}"
                            ))
                            .bind(Id(list))
                            .bind(status)
                            .bind(i64::from(limit))
                            .fetch_all(self.reads())
                            .await?
                        }
                        JobScope::Teams(user) => {
                            sqlx::query(&format!(
                                "{JOB_SELECT} WHERE j.patient_id IN
                                   (SELECT e.patient_id FROM patient_list_entries e
                                      JOIN patient_lists l ON l.id = e.list_id
                                      JOIN team_members tm ON tm.team_id = l.team_id
                                     WHERE tm.user_id = $1) {tail}"
                            ))
                            .bind(Id(user))
                            .bind(status)
                            .bind(i64::from(limit))
                            .fetch_all(self.reads())
                            .await?
                        }
                        JobScope::Role(role) => {
                            sqlx::query(&format!("{JOB_SELECT} WHERE j.assignee_role = $1 {tail}"))
                                .bind(Id(role))
                                .bind(status)
                                .bind(i64::from(limit))
                                .fetch_all(self.reads())
                                .await?
                        }
                    };
                    rows.iter().map(job_from).collect()
                }

                async fn write_job(
                    &self,
                    id: Uuid,
                    write: JobWrite<'_>,
                    at: DateTime<Utc>,
                    events: &JobEvents,
                ) -> StoreResult<Option<(Job, Vec<UserEvent>)>> {
                    let mut tx = self.begin_write().await?;
                    let ms = at.timestamp_millis();
                    let done = match write {
                        JobWrite::Close { status, by, reason } => sqlx::query(
                            "UPDATE jobs SET status = $2, closed_by = $3, closed_at = $4, cancel_reason = $5, updated_at = $4
                             WHERE id = $1 AND status = 'open'",
                        )
                        .bind(Id(id))
                        .bind(status.as_str())
                        .bind(Id(by))
                        .bind(ms)
                        .bind(reason)
                        .execute(&mut *tx)
                        .await?,
                        JobWrite::Assign { user, role } => sqlx::query(
                            "UPDATE jobs SET assignee_user = $2, assignee_role = $3, overdue_told = false, updated_at = $4
                             WHERE id = $1 AND status = 'open'",
                        )
                        .bind(Id(id))
                        .bind(user.map(Id))
                        .bind(role.map(Id))
                        .bind(ms)
                        .execute(&mut *tx)
                        .await?,
                        JobWrite::Edit { text, due, priority } => sqlx::query(
                            "UPDATE jobs SET text = COALESCE($2, text), priority = COALESCE($3, priority),
                                    due_at = CASE WHEN $4 THEN $5 ELSE due_at END,
                                    overdue_told = CASE WHEN $4 THEN false ELSE overdue_told END,
                                    updated_at = $6
                             WHERE id = $1 AND status = 'open'",
                        )
                        .bind(Id(id))
                        .bind(text)
                        .bind(priority.map(JobPriority::as_str))
                        .bind(due.is_some())
                        .bind(due.flatten().map(|d| d.timestamp_millis()))
                        .bind(ms)
                        .execute(&mut *tx)
                        .await?,
                        JobWrite::OverdueTold => sqlx::query(
                            "UPDATE jobs SET overdue_told = true
                             WHERE id = $1 AND status = 'open' AND NOT overdue_told",
                        )
                        .bind(Id(id))
                        .execute(&mut *tx)
                        .await?,
                    };
                    if done.rows_affected() == 0 {
                        tx.rollback().await?;
                        return Ok(None);
                    }
                    let job = one(&mut tx, id)
                        .await?
                        .ok_or_else(|| StoreError::Corrupt("a job vanished".into()))?;
                    let written = self.append_events_in(&mut tx, events(&job), at).await?;
                    tx.commit().await?;
                    Ok(Some((job, written)))
                }

                async fn jobs_due(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Job>> {
                    let rows = sqlx::query(&format!(
                        "{JOB_SELECT} WHERE j.status = 'open' AND NOT j.overdue_told AND j.due_at <= $1
                         ORDER BY j.due_at LIMIT $2"
                    ))
                    .bind(now.timestamp_millis())
                    .bind(i64::from(limit))
                    .fetch_all(self.reads())
                    .await?;
                    rows.iter().map(job_from).collect()
                }

                async fn next_job_due(&self) -> StoreResult<Option<DateTime<Utc>>> {
                    let next: Option<i64> = sqlx::query_scalar(
                        "SELECT MIN(due_at) FROM jobs WHERE status = 'open' AND NOT overdue_told",
                    )
                    .fetch_one(self.reads())
                    .await?;
                    next.map(time).transpose()
                }

                async fn patient_watchers(&self, patient: &str) -> StoreResult<Vec<Uuid>> {
                    let ids: Vec<Id> = sqlx::query_scalar(
                        "SELECT DISTINCT tm.user_id FROM patient_list_entries e
                           JOIN patient_lists l ON l.id = e.list_id
                           JOIN team_members tm ON tm.team_id = l.team_id
                          WHERE e.patient_id = $1",
                    )
                    .bind(patient)
                    .fetch_all(self.reads())
                    .await?;
                    Ok(uuids(ids))
                }

                async fn patient_teams(&self, patient: &str) -> StoreResult<Vec<Uuid>> {
                    let ids: Vec<Id> = sqlx::query_scalar(
                        "SELECT DISTINCT l.team_id FROM patient_list_entries e
                           JOIN patient_lists l ON l.id = e.list_id
                          WHERE e.patient_id = $1",
                    )
                    .bind(patient)
                    .fetch_all(self.reads())
                    .await?;
                    Ok(uuids(ids))
                }

                async fn plans(&self, patients: &[String]) -> StoreResult<Vec<Plan>> {
                    let mut conn = self.reads().acquire().await?;
                    let mut plans = Vec::new();
                    for p in patients {
                        if let Some(row) = sqlx::query(PLAN_SELECT)
                            .bind(p)
                            .fetch_optional(&mut *conn)
                            .await?
                        {
                            plans.push(plan_from(&row)?);
                        }
                    }
                    Ok(plans)
                }

                async fn write_plan(
                    &self,
                    patient: &str,
                    text: &str,
                    by: Uuid,
                    at: DateTime<Utc>,
                    events: Vec<(Uuid, EventKind)>,
                ) -> StoreResult<(Plan, Vec<UserEvent>)> {
                    let mut tx = self.begin_write().await?;
                    if text.is_empty() {
                        sqlx::query("DELETE FROM plans WHERE patient_id = $1")
                            .bind(patient)
                            .execute(&mut *tx)
                            .await?;
                    } else {
                        sqlx::query(
                            "INSERT INTO plans (patient_id, text, written_by, written_at) VALUES ($1, $2, $3, $4)
                             ON CONFLICT (patient_id) DO UPDATE
                             SET text = excluded.text, written_by = excluded.written_by, written_at = excluded.written_at",
                        )
                        .bind(patient)
                        .bind(text)
                        .bind(Id(by))
                        .bind(at.timestamp_millis())
                        .execute(&mut *tx)
                        .await?;
                    }
                    let writer = sqlx::query("SELECT id, display_name, role FROM users WHERE id = $1")
                        .bind(Id(by))
                        .fetch_one(&mut *tx)
                        .await?;
                    let plan = Plan {
                        patient: patient.to_string(),
                        text: text.to_string(),
                        written_by: <$engine>::member_from(&writer)?,
                        written_at: at,
                    };
                    let written = self.append_events_in(&mut tx, events, at).await?;
                    tx.commit().await?;
                    Ok((plan, written))
                }
            }
        };
    };
}
pub(crate) use jobs_impl;
