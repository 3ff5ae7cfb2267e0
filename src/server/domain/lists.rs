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

    pub async fn list_rows(
        &self,
        session: &Session,
        list_id: Uuid,
        columns: &[ColumnId],
    ) -> DomainResult<ListRows> {
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
        // Read concurrently: the source bounds how many requests reach the EHR at once.
        let charts =
            futures_util::future::join_all(list.patient_ids.iter().map(|id| self.ehr.chart(id)))
                .await;
        let rows = list
            .patient_ids
            .iter()
            .zip(charts)
            .map(|(id, chart)| match chart {
                Ok(Some(chart)) => columns::row(&chart, columns, now),
                Ok(None) => {
                    columns::unknown_row(id, columns, "The EHR does not know this patient.".into())
                }
                // One patient the EHR cannot give never fails the list.
                Err(e) => columns::unknown_row(id, columns, e.to_string()),
            })
            .collect();
        Ok(ListRows { list, rows })
    }
}
