//! Patient lists: membership from the store, rows computed from the EHR on each read.

use chrono::Utc;
use uuid::Uuid;

use super::{Domain, DomainError, DomainResult, Session};
use crate::fhir::columns;
use crate::model::{ColumnId, ListRows, PatientList};

impl Domain {
    pub async fn lists(&self, session: &Session) -> DomainResult<Vec<PatientList>> {
        Ok(self.store.lists_for(session.user.id).await?)
    }

    pub async fn list_rows(&self, session: &Session, list_id: Uuid) -> DomainResult<ListRows> {
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
        let now = Utc::now();
        let mut rows = Vec::with_capacity(list.patient_ids.len());
        for id in &list.patient_ids {
            let row = match self.ehr.chart(id).await? {
                Some(chart) => columns::row(&chart, &ColumnId::ALL, now),
                None => columns::unknown_row(id, &ColumnId::ALL),
            };
            rows.push(row);
        }
        Ok(ListRows { list, rows })
    }
}
