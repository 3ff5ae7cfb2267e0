//! Patient lists: membership from the store, rows computed from the EHR on each read.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use uuid::Uuid;

use super::{Domain, DomainError, DomainResult, Session};
use crate::fhir::{columns, FhirError, PatientChart};
use crate::model::{AuditAction, ColumnId, ListRows, ListView, PatientDetail, PatientList};

impl Domain {
    pub async fn lists(&self, session: &Session) -> DomainResult<Vec<PatientList>> {
        Ok(self.store.lists_for(session.user.id).await?)
    }

    /// The list's rows; `exporting` when they leave wardround (a file, another system),
    /// which the audit log records as an export rather than a view.
    pub async fn list_rows(
        &self,
        session: &Session,
        list_id: Uuid,
        columns: &[ColumnId],
        exporting: bool,
    ) -> DomainResult<ListRows> {
        let list = self.team_list(session, list_id).await?;
        // A discharged patient shows as they were when they left (their bed, their stay):
        // the EHR is not asked about them again.
        let as_left: Vec<Option<Arc<PatientChart>>> = list
            .patient_ids
            .iter()
            .map(|p| {
                list.mark(p)
                    .gone_at
                    .and_then(|_| self.census.as_discharged(p))
            })
            .collect();
        let reading = PatientList {
            patient_ids: list
                .patient_ids
                .iter()
                .zip(&as_left)
                .filter(|(_, left)| left.is_none())
                .map(|(p, _)| p.clone())
                .collect(),
            ..list.clone()
        };
        let mut read = self
            .charts_for(
                session.user.id,
                &reading,
                (!exporting).then_some(ANSWER_WITHIN),
            )
            .await
            .into_iter();
        let charts: Vec<Option<ChartRead>> = as_left
            .into_iter()
            .map(|left| match left {
                Some(chart) => Some(Ok(Some(chart))),
                None => read.next().flatten(),
            })
            .collect();
        let now = Utc::now();
        let rows = list
            .patient_ids
            .iter()
            .zip(charts)
            .map(|(id, chart)| match chart {
                Some(Ok(Some(chart))) => columns::row(&chart, columns, now),
                Some(Ok(None)) => self.identified(
                    columns::unknown_row(id, columns, "The EHR does not know this patient.".into()),
                    columns,
                ),
                // One patient the EHR cannot give never fails the list.
                Some(Err(e)) => {
                    self.identified(columns::unknown_row(id, columns, e.to_string()), columns)
                }
                // Still coming: what was read before, if anything, meanwhile.
                None => match self.reads.last_known(id) {
                    Some(chart) => crate::model::Row {
                        pending: true,
                        ..columns::row(&chart, columns, now)
                    },
                    None => columns::pending_row(id, columns),
                },
            })
            .collect();
        let mut rows: Vec<crate::model::Row> = rows;
        if columns.contains(&ColumnId::Unread) {
            self.fill_unread(session, &mut rows).await?;
        }
        if columns.contains(&ColumnId::Jobs) {
            self.fill_jobs(list.id, &mut rows).await?;
        }
        let view = self.store.list_view(session.user.id, list.id).await?;
        let action = if exporting {
            AuditAction::ListExported
        } else {
            AuditAction::ListViewed
        };
        self.audit(
            session,
            action,
            None,
            format!("list {} ({} patients)", list.id, list.patient_ids.len()),
        )
        .await?;
        Ok(ListRows { list, rows, view })
    }
}

impl Domain {
    /// A row the EHR could not give, with who the patient is and where (from the census
    /// or an earlier read) where known: nothing clinical, which would be out of date.
    fn identified(&self, mut row: crate::model::Row, columns: &[ColumnId]) -> crate::model::Row {
        let Some(known) = self.reads.last_known(&row.patient) else {
            return row;
        };
        let known = columns::row(&known, columns, Utc::now());
        for c in [ColumnId::Bed, ColumnId::Name, ColumnId::Mrn, ColumnId::Sex] {
            match known.columns.get(&c) {
                Some(cell) if cell.value.is_some() || !cell.text.is_empty() && cell.text != "—" =>
                {
                    row.columns.insert(c, cell.clone());
                }
                _ => {}
            }
        }
        row
    }
}

/// How long a list waits for the EHR before it answers with what it has: an EHR that
/// answers within it fills the list at once; a slow one shows the list now and its cells
/// as they arrive.
const ANSWER_WITHIN: Duration = Duration::from_millis(500);

type ChartRead = Result<Option<Arc<PatientChart>>, FhirError>;

impl Domain {
    /// The charts of the list's patients, in its order: all of them (`within` none), or
    /// those the EHR gave within `within`, `None` for the rest. Those still being read
    /// go on being read, and `user` hears when they arrive (`list_filled`).
    async fn charts_for(
        &self,
        user: Uuid,
        list: &PatientList,
        within: Option<Duration>,
    ) -> Vec<Option<ChartRead>> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        for (i, id) in list.patient_ids.iter().enumerate() {
            let (domain, id, tx) = (self.clone(), id.clone(), tx.clone());
            // Read concurrently: the source bounds how many requests reach the EHR at once.
            tokio::spawn(async move {
                let _ = tx.send((i, domain.chart(&id).await));
            });
        }
        drop(tx);
        let n = list.patient_ids.len();
        let mut charts: Vec<Option<ChartRead>> = (0..n).map(|_| None).collect();
        let mut got = 0;
        let deadline = within.map(|w| tokio::time::Instant::now() + w);
        while got < n {
            let next = match deadline {
                None => rx.recv().await,
                Some(at) => match tokio::time::timeout_at(at, rx.recv()).await {
                    Ok(next) => next,
                    Err(_) => break,
                },
            };
            let Some((i, chart)) = next else { break };
            charts[i] = Some(chart);
            got += 1;
        }
        if got < n {
            let waiting = list
                .patient_ids
                .iter()
                .zip(&charts)
                .filter(|(_, c)| c.is_none())
                .map(|(id, _)| id.clone())
                .collect();
            self.fill_later(user, list.id, waiting);
        }
        charts
    }

    /// The caller's unread messages in each patient's chat.
    async fn fill_unread(
        &self,
        session: &Session,
        rows: &mut [crate::model::Row],
    ) -> DomainResult<()> {
        let unread: std::collections::HashMap<String, u32> = self
            .store
            .conversations_for(session.user.id)
            .await?
            .into_iter()
            .filter_map(|c| Some((c.subject?, c.unread)))
            .collect();
        for row in rows {
            let n = unread.get(&row.patient).copied().unwrap_or(0);
            row.columns
                .insert(ColumnId::Unread, crate::model::Cell::unread(n));
        }
        Ok(())
    }

    /// Each patient's open jobs, and whether one is overdue.
    async fn fill_jobs(&self, list: Uuid, rows: &mut [crate::model::Row]) -> DomainResult<()> {
        let jobs = self
            .store
            .jobs(
                crate::server::store::JobScope::List(list),
                Some(crate::model::JobStatus::Open),
                u32::MAX,
            )
            .await?;
        let now = self.clock.now();
        for row in rows {
            let theirs = jobs.iter().filter(|j| j.patient == row.patient);
            let open = u32::try_from(theirs.clone().count()).unwrap_or(u32::MAX);
            let overdue = theirs.clone().any(|j| j.overdue_at(now));
            row.columns
                .insert(ColumnId::Jobs, crate::model::Cell::jobs(open, overdue));
        }
        Ok(())
    }

    /// The list if the caller's team owns it.
    pub(super) async fn team_list(
        &self,
        session: &Session,
        list_id: Uuid,
    ) -> DomainResult<PatientList> {
        let list = self
            .store
            .list(list_id)
            .await?
            .ok_or_else(|| DomainError::NotFound("No such patient list.".into()))?;
        let teams = self.store.teams_of(session.user.id).await?;
        if !teams.iter().any(|t| t.id == list.team_id) {
            return Err(DomainError::Forbidden(
                "This list belongs to a team you are not a member of.".into(),
            ));
        }
        Ok(list)
    }

    /// One patient in detail, for a caller who has the patient on one of their lists.
    pub async fn patient_detail(
        &self,
        session: &Session,
        patient_id: &str,
    ) -> DomainResult<PatientDetail> {
        let on_a_list = self
            .store
            .lists_for(session.user.id)
            .await?
            .iter()
            .any(|l| l.patient_ids.iter().any(|p| p == patient_id));
        if !on_a_list {
            return Err(DomainError::Forbidden(
                "This patient is not on any of your team's lists.".into(),
            ));
        }
        let chart = self
            .chart(patient_id)
            .await?
            .ok_or_else(|| DomainError::NotFound("The EHR does not know this patient.".into()))?;
        self.audit(
            session,
            AuditAction::PatientViewed,
            Some(patient_id),
            "detail",
        )
        .await?;
        let (plan, jobs) = self.plan_and_jobs(session, patient_id).await?;
        Ok(PatientDetail {
            plan,
            jobs,
            ..crate::fhir::detail::detail(&chart, Utc::now())
        })
    }

    /// "Fetch latest": the next read of these patients (the whole list for `None`) goes
    /// to the EHR rather than the cache.
    pub async fn refresh(
        &self,
        session: &Session,
        list_id: Uuid,
        patient: Option<String>,
    ) -> DomainResult<()> {
        let list = self.team_list(session, list_id).await?;
        match &patient {
            Some(p) if list.patient_ids.contains(p) => {
                self.reads.forget_failures(Some(std::slice::from_ref(p)));
                self.ehr.forget(Some(std::slice::from_ref(p))).await
            }
            Some(_) => {
                return Err(DomainError::NotFound(
                    "That patient is not on this list.".into(),
                ))
            }
            None => {
                self.reads.forget_failures(Some(&list.patient_ids));
                self.ehr.forget(Some(&list.patient_ids)).await
            }
        }
        // The census too, on either: who is in the ward now, not a minute ago.
        if list.source.is_some() {
            self.follow_source(list.id).await?;
        }
        self.audit(
            session,
            AuditAction::PatientRefreshed,
            patient.as_deref(),
            format!("list {list_id}"),
        )
        .await?;
        Ok(())
    }
}

impl Domain {
    /// Saves how the caller arranges a list; `shared` makes it the team's default instead.
    pub async fn save_view(
        &self,
        session: &Session,
        list_id: Uuid,
        view: &ListView,
        shared: bool,
    ) -> DomainResult<()> {
        let list = self.team_list(session, list_id).await?;
        if view.columns.len() > 40
            || view.sort.len() > 8
            || view.widths.values().any(|w| *w == 0 || *w > 200)
        {
            return Err(DomainError::Invalid(
                "A view has at most 40 columns, 8 sort keys and widths of 1 to 200.".into(),
            ));
        }
        let user = (!shared).then_some(session.user.id);
        self.store.save_list_view(user, list.id, view).await?;
        let scope = if shared { "team default" } else { "own" };
        self.audit(
            session,
            AuditAction::ListColumnsEdited,
            None,
            format!("list {list_id} ({scope})"),
        )
        .await
    }
}
