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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    username: String,
    display_name: String,
    /// Free text shown beside the name ("RN", "Registrar").
    #[serde(default)]
    role: String,
    password: String,
    /// May use the admin API.
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

/// Accounts
#[utoipa::path(
    get,
    path = "/admin/users",
    operation_id = "users",
    responses((status = 200, body = Vec<AccountInfo>))
)]
pub async fn users(
    State(domain): State<Domain>,
    _: Admin,
) -> Result<Json<Vec<AccountInfo>>, Problem> {
    Ok(Json(domain.accounts().await?))
}

/// Add an account
#[utoipa::path(
    post,
    path = "/admin/users",
    operation_id = "add_user",
    request_body = NewUser,
    responses((status = 201, body = User))
)]
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

/// At least one of the two.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct AccountChange {
    /// Disable (and end every session) or enable again.
    #[serde(default)]
    disabled: Option<bool>,
    /// A new one-time password.
    #[serde(default)]
    password: Option<String>,
}

/// Disable, enable, reset password
#[utoipa::path(
    patch,
    path = "/admin/users/{username}",
    operation_id = "change_user",
    params(("username" = String, Path)),
    request_body = AccountChange,
    responses((status = 204))
)]
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewTeam {
    name: String,
    /// Starting channels (and, for a ward, a rounding list).
    #[serde(default)]
    template: Option<TeamTemplate>,
}

/// Teams
#[utoipa::path(
    get,
    path = "/admin/teams",
    operation_id = "teams",
    responses((status = 200, body = Vec<TeamInfo>))
)]
pub async fn teams(State(domain): State<Domain>, _: Admin) -> Result<Json<Vec<TeamInfo>>, Problem> {
    Ok(Json(domain.team_infos().await?))
}

/// A team (optionally from a template)
#[utoipa::path(
    post,
    path = "/admin/teams",
    operation_id = "create_team",
    request_body = NewTeam,
    responses((status = 201, body = crate::model::Team))
)]
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

/// Add a member
#[utoipa::path(
    put,
    path = "/admin/teams/{team}/members/{username}",
    operation_id = "add_team_member",
    params(("team" = String, Path, description = "The team's name"), ("username" = String, Path)),
    responses((status = 204))
)]
pub async fn add_member(
    State(domain): State<Domain>,
    _: Admin,
    ApiPath((team, username)): ApiPath<(String, String)>,
) -> Result<StatusCode, Problem> {
    domain.add_team_member(&team, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a member
#[utoipa::path(
    delete,
    path = "/admin/teams/{team}/members/{username}",
    operation_id = "remove_team_member",
    params(("team" = String, Path, description = "The team's name"), ("username" = String, Path)),
    responses((status = 204))
)]
pub async fn remove_member(
    State(domain): State<Domain>,
    _: Admin,
    ApiPath((team, username)): ApiPath<(String, String)>,
) -> Result<StatusCode, Problem> {
    domain.remove_team_member(&team, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Policies {
    policies: Vec<MessagingPolicy>,
    assignments: Vec<Assignment>,
}

/// Policies and assignments
#[utoipa::path(
    get,
    path = "/admin/policies",
    operation_id = "policies",
    responses((status = 200, body = Policies))
)]
pub async fn policies(State(domain): State<Domain>, _: Admin) -> Result<Json<Policies>, Problem> {
    Ok(Json(Policies {
        policies: domain.policies().await?,
        assignments: domain.policy_assignments().await?,
    }))
}

/// One policy
#[utoipa::path(
    get,
    path = "/admin/policies/{name}",
    operation_id = "policy",
    params(("name" = String, Path, description = "The policy's name (`Global` for the org-wide one)")),
    responses((status = 200, body = MessagingPolicy))
)]
pub async fn policy(
    State(domain): State<Domain>,
    _: Admin,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<MessagingPolicy>, Problem> {
    Ok(Json(domain.policy_named(&name).await?))
}

/// Create a policy
///
/// Settings not given are Global's.
#[utoipa::path(
    post,
    path = "/admin/policies/{name}",
    operation_id = "create_policy",
    params(("name" = String, Path, description = "The new policy's name")),
    request_body = PolicyPatch,
    responses((status = 201, body = MessagingPolicy))
)]
pub async fn create_policy(
    State(domain): State<Domain>,
    Admin(session): Admin,
    ApiPath(name): ApiPath<String>,
    ApiJson(patch): ApiJson<PolicyPatch>,
) -> Result<(StatusCode, Json<MessagingPolicy>), Problem> {
    let policy = domain.create_policy_as(&session, &name, &patch).await?;
    Ok((StatusCode::CREATED, Json(policy)))
}

/// Change a policy
#[utoipa::path(
    patch,
    path = "/admin/policies/{name}",
    operation_id = "update_policy",
    params(("name" = String, Path, description = "The policy's name (`Global` for the org-wide one)")),
    request_body = PolicyPatch,
    responses((status = 200, body = MessagingPolicy))
)]
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AssignTo {
    /// Which policy; absent to unassign.
    #[serde(default)]
    policy: Option<String>,
    assignee: Assignee,
}

/// Assign or unassign
#[utoipa::path(
    post,
    path = "/admin/policy-assignments",
    operation_id = "assign_policy",
    request_body = AssignTo,
    responses((status = 204))
)]
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ApplyPackage {
    assignee: Assignee,
}

/// Apply a policy package
#[utoipa::path(
    post,
    path = "/admin/packages/{package}/apply",
    operation_id = "apply_package",
    params((
        "package" = String,
        Path,
        description = "clinical_worker, information_worker or patient_room"
    )),
    request_body = ApplyPackage,
    responses((status = 200, body = MessagingPolicy))
)]
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this username's acts.
    actor: Option<String>,
    /// Only acts on this FHIR Patient id.
    patient: Option<String>,
    /// Only acts at or after this time.
    since: Option<chrono::DateTime<chrono::Utc>>,
}

/// Audit rows
#[utoipa::path(
    get,
    path = "/admin/audit",
    operation_id = "audit",
    params(AuditQuery),
    responses((status = 200, body = Vec<crate::model::AuditEntry>))
)]
pub async fn audit(
    State(domain): State<Domain>,
    _: Admin,
    crate::server::problem::ApiQuery(q): crate::server::problem::ApiQuery<AuditQuery>,
) -> Result<Json<Vec<crate::model::AuditEntry>>, Problem> {
    Ok(Json(domain.audit_query(q.actor, q.patient, q.since).await?))
}

/// Check the hash chain
#[utoipa::path(
    get,
    path = "/admin/audit/verify",
    operation_id = "audit_verify",
    responses((status = 200, body = crate::model::AuditVerdict))
)]
pub async fn audit_verify(
    State(domain): State<Domain>,
    _: Admin,
) -> Result<Json<crate::model::AuditVerdict>, Problem> {
    Ok(Json(domain.audit_verify().await?))
}

/// Audit rows as FHIR AuditEvent NDJSON
///
/// The log as FHIR R4 AuditEvent resources, one per line.
#[utoipa::path(
    get,
    path = "/admin/audit/fhir",
    operation_id = "audit_fhir",
    params(AuditQuery),
    responses((status = 200, content_type = "application/fhir+ndjson", body = String))
)]
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
