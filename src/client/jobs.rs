//! The client's side of the round's work: jobs, plans and handover sheets.

use reqwest::Method;
use uuid::Uuid;

use super::{segment, ApiClient, ClientError};
use crate::model::{HandoverSheet, Job, JobPatch, JobQuery, NewJob, Plan, PlanText};

impl ApiClient {
    pub async fn jobs(&self, query: &JobQuery) -> Result<Vec<Job>, ClientError> {
        let mut params = Vec::new();
        if let Some(list) = query.list {
            params.push(format!("list={list}"));
        }
        for (key, value) in [
            ("patient", &query.patient),
            ("assignee", &query.assignee),
            ("status", &query.status),
            ("purpose", &query.purpose),
        ] {
            if let Some(v) = value {
                params.push(format!("{key}={}", segment(v)));
            }
        }
        let path = if params.is_empty() {
            "/api/v1/jobs".to_string()
        } else {
            format!("/api/v1/jobs?{}", params.join("&"))
        };
        self.call(Method::GET, &path, None::<&()>).await
    }

    pub async fn create_job(&self, new: &NewJob) -> Result<Job, ClientError> {
        self.call(Method::POST, "/api/v1/jobs", Some(new)).await
    }

    pub async fn change_job(&self, id: Uuid, patch: &JobPatch) -> Result<Job, ClientError> {
        self.call(Method::PATCH, &format!("/api/v1/jobs/{id}"), Some(patch))
            .await
    }

    pub async fn write_plan(&self, patient: &str, text: &str) -> Result<Plan, ClientError> {
        self.call(
            Method::PUT,
            &format!("/api/v1/patients/{}/plan", segment(patient)),
            Some(&PlanText { text: text.into() }),
        )
        .await
    }

    /// A list's handover sheet; `exporting` when it leaves wardround (audited so).
    pub async fn handover(
        &self,
        list: Uuid,
        exporting: bool,
    ) -> Result<HandoverSheet, ClientError> {
        let purpose = if exporting { "export" } else { "view" };
        self.call(
            Method::GET,
            &format!("/api/v1/lists/{list}/handover?purpose={purpose}"),
            None::<&()>,
        )
        .await
    }
}
