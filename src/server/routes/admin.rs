//! `/api/v1/admin`: what `wardround admin` calls. Every handler needs an admin caller.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::caller::Caller;
use crate::model::TeamTemplate;
use crate::model::{Assignee, Assignment, MessagingPolicy, Package, PolicyPatch, User};
use crate::server::domain::admin::{AccountInfo, TeamInfo};
use crate::server::domain::{DomainError, Session};
use crate::server::problem::{ApiJson, ApiPath, Problem};
use crate::server::Domain;

pub struct Admin(Session);

impl axum::extract::FromRequestParts<Domain> for Admin {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        domain: &Domain,
    ) -> Result<Self, Self::Rejection> {
        let Caller(session) = Caller::from_request_parts(parts, domain).await?;
        domain.require_admin(&session)?;
        Ok(Admin(session))
    }
}

#[derive(Deserialize)]
pub struct NewUser {
    username: String,
    display_name: String,
    #[serde(default)]
    role: String,
    password: String,
    #[serde(default)]
    admin: bool,
    /// The password is for the first login only (the default): the user sets their own.
    /// `false` for an account whose password is managed elsewhere (a load test, a
    /// provisioning system).
    #[serde(default = "one_time_by_default")]
    one_time: bool,
}

fn one_time_by_default() -> bool {
    true
}

pub async fn users(
    State(domain): State<Domain>,
    _: Admin,
) -> Result<Json<Vec<AccountInfo>>, Problem> {
    Ok(Json(domain.accounts().await?))
}

pub async fn add_user(
    State(domain): State<Domain>,
    _: Admin,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<User>), Problem> {
    let user = domain
        .create_account(
            &new.username,
            &new.display_name,
            &new.role,
            &new.password,
            new.admin,
            new.one_time,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Deserialize)]
pub struct AccountChange {
    #[serde(default)]
    disabled: Option<bool>,
    #[serde(default)]
    password: Option<String>,
}

pub async fn change_user(
    State(domain): State<Domain>,
    Admin(session): Admin,
    ApiPath(username): ApiPath<String>,
    ApiJson(change): ApiJson<AccountChange>,
) -> Result<StatusCode, Problem> {
    if change.disabled.is_none() && change.password.is_none() {
        return Err(DomainError::Invalid("Say `disabled` or `password`.".into()).into());
    }
    if let Some(disabled) = change.disabled {
        if disabled && username == session.user.username {
            return Err(
                DomainError::Conflict("You cannot disable your own account.".into()).into(),
            );
        }
        domain.set_account_disabled(&username, disabled).await?;
    }
    if let Some(password) = change.password {
        domain
            .reset_password_by(&username, &password, &session)
            .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct NewTeam {
    name: String,
    #[serde(default)]
    template: Option<TeamTemplate>,
}

pub async fn teams(State(domain): State<Domain>, _: Admin) -> Result<Json<Vec<TeamInfo>>, Problem> {
    Ok(Json(domain.team_infos().await?))
}

pub async fn create_team(
    State(domain): State<Domain>,
    _: Admin,
    ApiJson(new): ApiJson<NewTeam>,
) -> Result<(StatusCode, Json<crate::model::Team>), Problem> {
    Ok((
        StatusCode::CREATED,
        Json(domain.create_team_from(&new.name, new.template).await?),
    ))
}

pub async fn add_member(
    State(domain): State<Domain>,
    _: Admin,
    ApiPath((team, username)): ApiPath<(String, String)>,
) -> Result<StatusCode, Problem> {
    domain.add_team_member(&team, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove_member(
    State(domain): State<Domain>,
    _: Admin,
    ApiPath((team, username)): ApiPath<(String, String)>,
) -> Result<StatusCode, Problem> {
    domain.remove_team_member(&team, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
pub struct Policies {
    policies: Vec<MessagingPolicy>,
    assignments: Vec<Assignment>,
}

pub async fn policies(State(domain): State<Domain>, _: Admin) -> Result<Json<Policies>, Problem> {
    Ok(Json(Policies {
        policies: domain.policies().await?,
        assignments: domain.policy_assignments().await?,
    }))
}

pub async fn policy(
    State(domain): State<Domain>,
    _: Admin,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<MessagingPolicy>, Problem> {
    Ok(Json(domain.policy_named(&name).await?))
}

pub async fn create_policy(
    State(domain): State<Domain>,
    Admin(session): Admin,
    ApiPath(name): ApiPath<String>,
    ApiJson(patch): ApiJson<PolicyPatch>,
) -> Result<(StatusCode, Json<MessagingPolicy>), Problem> {
    let policy = domain.create_policy_as(&session, &name, &patch).await?;
    Ok((StatusCode::CREATED, Json(policy)))
}

pub async fn update_policy(
    State(domain): State<Domain>,
    Admin(session): Admin,
    ApiPath(name): ApiPath<String>,
    ApiJson(patch): ApiJson<PolicyPatch>,
) -> Result<Json<MessagingPolicy>, Problem> {
    Ok(Json(
        domain.update_policy_as(&session, &name, &patch).await?,
    ))
}

#[derive(Deserialize)]
pub struct AssignTo {
    /// Which policy; absent to unassign.
    #[serde(default)]
    policy: Option<String>,
    assignee: Assignee,
}

pub async fn assign(
    State(domain): State<Domain>,
    Admin(session): Admin,
    ApiJson(req): ApiJson<AssignTo>,
) -> Result<StatusCode, Problem> {
    domain
        .assign_policy_as(&session, req.policy.as_deref(), &req.assignee)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct ApplyPackage {
    assignee: Assignee,
}

pub async fn apply_package(
    State(domain): State<Domain>,
    Admin(session): Admin,
    ApiPath(package): ApiPath<String>,
    ApiJson(req): ApiJson<ApplyPackage>,
) -> Result<Json<MessagingPolicy>, Problem> {
    let package = Package::parse(&package).ok_or_else(|| {
        DomainError::NotFound(format!(
            "No package is called `{package}`; packages: clinical_worker, information_worker, patient_room."
        ))
    })?;
    Ok(Json(
        domain
            .apply_package_as(&session, package, &req.assignee)
            .await?,
    ))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    actor: Option<String>,
    patient: Option<String>,
    since: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn audit(
    State(domain): State<Domain>,
    _: Admin,
    crate::server::problem::ApiQuery(q): crate::server::problem::ApiQuery<AuditQuery>,
) -> Result<Json<Vec<crate::model::AuditEntry>>, Problem> {
    Ok(Json(domain.audit_query(q.actor, q.patient, q.since).await?))
}

pub async fn audit_verify(
    State(domain): State<Domain>,
    _: Admin,
) -> Result<Json<crate::model::AuditVerdict>, Problem> {
    Ok(Json(domain.audit_verify().await?))
}

/// The log as FHIR R4 AuditEvent NDJSON (one resource per line).
pub async fn audit_fhir(
    State(domain): State<Domain>,
    _: Admin,
    crate::server::problem::ApiQuery(q): crate::server::problem::ApiQuery<AuditQuery>,
) -> Result<impl axum::response::IntoResponse, Problem> {
    let entries = domain.audit_query(q.actor, q.patient, q.since).await?;
    let mut body = String::new();
    for e in &entries {
        body.push_str(&crate::server::domain::audit::audit_event(e, "wardround").to_string());
        body.push('\n');
    }
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/fhir+ndjson")],
        body,
    ))
}
