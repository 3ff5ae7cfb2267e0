//! The admin API, for `wardround admin`.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{segment, ApiClient, ClientError};
use crate::model::{
    Assignee, Assignment, AuditEntry, AuditVerdict, MessagingPolicy, PolicyPatch, Team,
    TeamTemplate, User,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    #[serde(flatten)]
    pub user: User,
    pub disabled: bool,
    pub teams: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeamInfo {
    #[serde(flatten)]
    pub team: Team,
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Policies {
    pub policies: Vec<MessagingPolicy>,
    pub assignments: Vec<Assignment>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub password: &'a str,
    pub admin: bool,
    /// The password is for the first login only: the user sets their own then.
    pub one_time: bool,
}

impl ApiClient {
    pub async fn admin_users(&self) -> Result<Vec<Account>, ClientError> {
        self.call(Method::GET, "/api/v1/admin/users", None::<&()>)
            .await
    }

    pub async fn admin_add_user(&self, new: &NewAccount<'_>) -> Result<User, ClientError> {
        self.call(Method::POST, "/api/v1/admin/users", Some(new))
            .await
    }

    pub async fn admin_set_disabled(
        &self,
        username: &str,
        disabled: bool,
    ) -> Result<(), ClientError> {
        self.call_empty(
            Method::PATCH,
            &format!("/api/v1/admin/users/{}", segment(username)),
            Some(&json!({ "disabled": disabled })),
        )
        .await
    }

    pub async fn admin_reset_password(
        &self,
        username: &str,
        password: &str,
    ) -> Result<(), ClientError> {
        self.call_empty(
            Method::PATCH,
            &format!("/api/v1/admin/users/{}", segment(username)),
            Some(&json!({ "password": password })),
        )
        .await
    }

    pub async fn admin_teams(&self) -> Result<Vec<TeamInfo>, ClientError> {
        self.call(Method::GET, "/api/v1/admin/teams", None::<&()>)
            .await
    }

    pub async fn admin_create_team(
        &self,
        name: &str,
        template: Option<TeamTemplate>,
    ) -> Result<Team, ClientError> {
        self.call(
            Method::POST,
            "/api/v1/admin/teams",
            Some(&json!({ "name": name, "template": template })),
        )
        .await
    }

    pub async fn admin_team_member(
        &self,
        team: &str,
        username: &str,
        add: bool,
    ) -> Result<(), ClientError> {
        let method = if add { Method::PUT } else { Method::DELETE };
        self.call_empty(
            method,
            &format!(
                "/api/v1/admin/teams/{}/members/{}",
                segment(team),
                segment(username)
            ),
            None::<&()>,
        )
        .await
    }

    pub async fn admin_policies(&self) -> Result<Policies, ClientError> {
        self.call(Method::GET, "/api/v1/admin/policies", None::<&()>)
            .await
    }

    pub async fn admin_policy(&self, name: &str) -> Result<MessagingPolicy, ClientError> {
        self.call(
            Method::GET,
            &format!("/api/v1/admin/policies/{}", segment(name)),
            None::<&()>,
        )
        .await
    }

    pub async fn admin_create_policy(
        &self,
        name: &str,
        patch: &PolicyPatch,
    ) -> Result<MessagingPolicy, ClientError> {
        self.call(
            Method::POST,
            &format!("/api/v1/admin/policies/{}", segment(name)),
            Some(patch),
        )
        .await
    }

    pub async fn admin_set_policy(
        &self,
        name: &str,
        patch: &PolicyPatch,
    ) -> Result<MessagingPolicy, ClientError> {
        self.call(
            Method::PATCH,
            &format!("/api/v1/admin/policies/{}", segment(name)),
            Some(patch),
        )
        .await
    }

    /// Assigns `policy` to `assignee`, or with `None` removes their assignment.
    pub async fn admin_assign(
        &self,
        policy: Option<&str>,
        assignee: &Assignee,
    ) -> Result<(), ClientError> {
        self.call_empty(
            Method::POST,
            "/api/v1/admin/policy-assignments",
            Some(&json!({ "policy": policy, "assignee": assignee })),
        )
        .await
    }

    pub async fn admin_apply_package(
        &self,
        package: &str,
        assignee: &Assignee,
    ) -> Result<MessagingPolicy, ClientError> {
        self.call(
            Method::POST,
            &format!("/api/v1/admin/packages/{}/apply", segment(package)),
            Some(&json!({ "assignee": assignee })),
        )
        .await
    }

    /// Audit rows, as filtered.
    pub async fn admin_audit(
        &self,
        query: &AuditQuery<'_>,
    ) -> Result<Vec<AuditEntry>, ClientError> {
        self.call(
            Method::GET,
            &format!("/api/v1/admin/audit?{}", query.encoded()),
            None::<&()>,
        )
        .await
    }

    pub async fn admin_audit_verify(&self) -> Result<AuditVerdict, ClientError> {
        self.call(Method::GET, "/api/v1/admin/audit/verify", None::<&()>)
            .await
    }

    /// The log as FHIR R4 AuditEvent NDJSON.
    pub async fn admin_audit_fhir(&self, query: &AuditQuery<'_>) -> Result<String, ClientError> {
        let resp = self
            .send_request(
                Method::GET,
                &format!("/api/v1/admin/audit/fhir?{}", query.encoded()),
                None::<&()>,
            )
            .await?;
        resp.text()
            .await
            .map_err(|e| ClientError::Protocol(e.to_string()))
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery<'a> {
    pub actor: Option<&'a str>,
    pub patient: Option<&'a str>,
    pub since: Option<chrono::DateTime<chrono::Utc>>,
}

impl AuditQuery<'_> {
    fn encoded(&self) -> String {
        let mut parts = Vec::new();
        if let Some(a) = self.actor {
            parts.push(format!("actor={}", segment(a)));
        }
        if let Some(p) = self.patient {
            parts.push(format!("patient={}", segment(p)));
        }
        if let Some(s) = self.since {
            parts.push(format!("since={}", segment(&s.to_rfc3339())));
        }
        parts.join("&")
    }
}
