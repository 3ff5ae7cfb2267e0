//! `/directory`, `/roles`, `/me/status`, `/me/oncall` and `/admin/roles…`: finding people
//! and roles, saying whether one can be reached, and who is on call.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::caller::Caller;
use crate::model::{Directory, NewRole, OnCall, Presence, RoleInfo, Shift, StatusChange};
use crate::server::problem::{ApiJson, ApiPath, ApiQuery, Problem};
use crate::server::Domain;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Search {
    /// Part of a name, username, job or team; everyone when empty.
    #[serde(default)]
    q: String,
}

/// People and roles matching q (name, username, job, team), with presence and who holds each role now
#[utoipa::path(
    get,
    path = "/directory",
    operation_id = "directory",
    params(Search),
    responses((status = 200, body = Directory))
)]
pub async fn search(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiQuery(search): ApiQuery<Search>,
) -> Result<Json<Directory>, Problem> {
    Ok(Json(domain.directory(&session, &search.q).await?))
}

/// Every role and who holds it now
#[utoipa::path(
    get,
    path = "/roles",
    operation_id = "roles",
    responses((status = 200, body = Vec<RoleInfo>))
)]
pub async fn roles(
    State(domain): State<Domain>,
    Caller(_session): Caller,
) -> Result<Json<Vec<RoleInfo>>, Problem> {
    Ok(Json(domain.roles().await?))
}

/// Set my presence: available, busy or dnd, for some minutes or until changed
#[utoipa::path(
    put,
    path = "/me/status",
    operation_id = "set_status",
    request_body = StatusChange,
    responses((status = 200, body = Presence))
)]
pub async fn status(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<Presence>, Problem> {
    Ok(Json(domain.set_status(&session, &change).await?))
}

/// Take a role, hand it to a colleague, or give it up
#[utoipa::path(
    post,
    path = "/me/oncall",
    operation_id = "on_call",
    request_body = OnCall,
    responses((status = 200, body = RoleInfo))
)]
pub async fn on_call(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(change): ApiJson<OnCall>,
) -> Result<Json<RoleInfo>, Problem> {
    Ok(Json(domain.on_call(&session, &change).await?))
}

/// Define a role within a team, with an optional fallback (team:NAME or role:NAME)
#[utoipa::path(
    post,
    path = "/admin/roles",
    operation_id = "create_role",
    request_body = NewRole,
    responses((status = 201, body = RoleInfo))
)]
pub async fn create_role(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(new): ApiJson<NewRole>,
) -> Result<(StatusCode, Json<RoleInfo>), Problem> {
    Ok((
        StatusCode::CREATED,
        Json(domain.create_role(&session, &new).await?),
    ))
}

/// Delete a role (its threads stay)
#[utoipa::path(
    delete,
    path = "/admin/roles/{name}",
    operation_id = "delete_role",
    params(("name" = String, Path, description = "The role's name")),
    responses((status = 204))
)]
pub async fn delete_role(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<StatusCode, Problem> {
    domain.delete_role(&session, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a rota import stored.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RotaImported {
    /// How many shifts.
    shifts: usize,
}

/// Import a rota's shifts: each role, username, start and end (all or none)
#[utoipa::path(
    post,
    path = "/admin/rota",
    operation_id = "import_rota",
    request_body = Vec<Shift>,
    responses((status = 200, body = RotaImported))
)]
pub async fn import_rota(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(shifts): ApiJson<Vec<Shift>>,
) -> Result<Json<RotaImported>, Problem> {
    Ok(Json(RotaImported {
        shifts: domain.import_rota(&session, &shifts).await?,
    }))
}
