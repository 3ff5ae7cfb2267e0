//! What passes at shift change: each patient's plan, and a list's handover sheet (bed,
//! name, NEWS2, plan, open jobs).

use uuid::Uuid;

use super::{Domain, DomainError, DomainResult, Session};
use crate::model::{
    work_order, AuditAction, CellValue, ColumnId, EventKind, HandoverRow, HandoverSheet, JobStatus,
    Plan, MAX_PLAN_CHARS, MAX_PLAN_LINES,
};
use crate::server::store::JobScope;

impl Domain {
    /// Writes (or, with an empty text, clears) a patient's plan for their care team.
    pub async fn write_plan(
        &self,
        session: &Session,
        patient: &str,
        text: &str,
    ) -> DomainResult<Plan> {
        let text = plan_text(text)?;
        let team = self.store.patient_watchers(patient).await?;
        if !team.contains(&session.user.id) {
            return Err(DomainError::Forbidden(
                "This patient is not on any of your team's lists.".into(),
            ));
        }
        let now = self.clock.now();
        let plan = Plan {
            patient: patient.to_string(),
            text: text.clone(),
            written_by: crate::model::Member {
                id: session.user.id,
                display_name: session.user.display_name.clone(),
                role: session.user.role.clone(),
            },
            written_at: now,
        };
        let events = team
            .iter()
            .filter(|&&u| u != super::SYSTEM_USER)
            .map(|&u| (u, EventKind::Plan { plan: plan.clone() }))
            .collect();
        let (plan, written) = self
            .store
            .write_plan(patient, &text, session.user.id, now, events)
            .await?;
        self.hub.wrote(&written);
        let detail = if text.is_empty() {
            "plan cleared".to_string()
        } else {
            format!("plan ({} lines)", text.lines().count())
        };
        self.audit(session, AuditAction::PlanWritten, Some(patient), detail)
            .await?;
        Ok(plan)
    }

    /// A patient's plan and open jobs, for the detail pane (the caller may see the patient).
    pub(super) async fn plan_and_jobs(
        &self,
        session: &Session,
        patient: &str,
    ) -> DomainResult<(Option<Plan>, Vec<crate::model::Job>)> {
        let plan = self.store.plans(&[patient.to_string()]).await?.pop();
        let mut jobs = self
            .store
            .jobs(JobScope::Patient(patient), Some(JobStatus::Open), u32::MAX)
            .await?;
        self.mark_for(session.user.id, &mut jobs).await?;
        let now = self.clock.now();
        jobs.sort_by(|a, b| work_order(a, b, now));
        Ok((plan, jobs))
    }

    /// A list's handover sheet; `exporting` when it leaves wardround.
    pub async fn handover(
        &self,
        session: &Session,
        list_id: Uuid,
        exporting: bool,
    ) -> DomainResult<HandoverSheet> {
        let rows = self
            .list_rows(
                session,
                list_id,
                &[ColumnId::Bed, ColumnId::Name, ColumnId::News2],
                exporting,
            )
            .await?;
        let list = &rows.list;
        let plans = self.store.plans(&list.patient_ids).await?;
        let mut jobs = self
            .store
            .jobs(JobScope::List(list.id), Some(JobStatus::Open), u32::MAX)
            .await?;
        self.mark_for(session.user.id, &mut jobs).await?;
        let now = self.clock.now();
        jobs.sort_by(|a, b| work_order(a, b, now));
        let text = |row: &crate::model::Row, c: ColumnId| {
            row.columns
                .get(&c)
                .map(|cell| cell.text.clone())
                .unwrap_or_default()
        };
        // Handed over bed by bed, as a round goes.
        let mut ordered: Vec<&crate::model::Row> = rows.rows.iter().collect();
        ordered.sort_by(|a, b| {
            crate::model::natural_cmp(&text(a, ColumnId::Bed), &text(b, ColumnId::Bed))
        });
        let sheet = HandoverSheet {
            list_id: list.id,
            list: list.name.clone(),
            at: now,
            rows: ordered
                .into_iter()
                .map(|row| HandoverRow {
                    patient: row.patient.clone(),
                    bed: text(row, ColumnId::Bed),
                    name: text(row, ColumnId::Name),
                    news2: text(row, ColumnId::News2),
                    news2_score: row
                        .columns
                        .get(&ColumnId::News2)
                        .and_then(|c| match c.value {
                            Some(CellValue::Number(n)) if n >= 0.0 => Some(n as u32),
                            _ => None,
                        }),
                    discharged_at: list.mark(&row.patient).gone_at,
                    plan: plans.iter().find(|p| p.patient == row.patient).cloned(),
                    jobs: jobs
                        .iter()
                        .filter(|j| j.patient == row.patient)
                        .cloned()
                        .collect(),
                })
                .collect(),
        };
        self.audit(
            session,
            AuditAction::HandoverViewed,
            None,
            format!(
                "list {} ({} patients){}",
                list.id,
                list.patient_ids.len(),
                if exporting { ", exported" } else { "" }
            ),
        )
        .await?;
        Ok(sheet)
    }
}

/// Up to [`MAX_PLAN_LINES`] lines, [`MAX_PLAN_CHARS`] in all, no control characters but
/// line ends; trailing spaces and blank lines at either end go.
fn plan_text(text: &str) -> DomainResult<String> {
    let lines: Vec<&str> = text.trim().lines().map(str::trim_end).collect();
    let text = lines.join("\n");
    // Empty clears the plan; text that shows nothing would be a blank one that looks set.
    if text.chars().count() > MAX_PLAN_CHARS
        || lines.len() > MAX_PLAN_LINES
        || (!text.is_empty() && !super::jobs::shows_something(&text))
        || text
            .chars()
            .any(|c| (c.is_control() && c != '\n') || super::jobs::deceptive(c))
    {
        return Err(DomainError::Invalid(format!(
            "A plan is at most {MAX_PLAN_LINES} lines and {MAX_PLAN_CHARS} characters, without control or invisible characters."
        )));
    }
    Ok(text)
}
