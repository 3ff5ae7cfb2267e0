//! The admin API, for `wardround admin`.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{segment, ApiClient, ClientError};
use crate::model::{Assignee, Assignment, MessagingPolicy, PolicyPatch, Team, TeamTemplate, User};

#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    #[serde(flatten)]
    pub user: User,
    pub disabled: bool,
    pub teams: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TeamInfo {
    #[serde(flatten)]
    pub team: Team,
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
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
}
