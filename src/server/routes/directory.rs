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

#[derive(Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
}

pub async fn search(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiQuery(search): ApiQuery<Search>,
) -> Result<Json<Directory>, Problem> {
    Ok(Json(domain.directory(&session, &search.q).await?))
}

pub async fn roles(
    State(domain): State<Domain>,
    Caller(_session): Caller,
) -> Result<Json<Vec<RoleInfo>>, Problem> {
    Ok(Json(domain.roles().await?))
}

pub async fn status(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<Presence>, Problem> {
    Ok(Json(domain.set_status(&session, &change).await?))
}

pub async fn on_call(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(change): ApiJson<OnCall>,
) -> Result<Json<RoleInfo>, Problem> {
    Ok(Json(domain.on_call(&session, &change).await?))
}

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

pub async fn delete_role(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<StatusCode, Problem> {
    domain.delete_role(&session, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize)]
pub struct Imported {
    shifts: usize,
}

pub async fn import_rota(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(shifts): ApiJson<Vec<Shift>>,
) -> Result<Json<Imported>, Problem> {
    Ok(Json(Imported {
        shifts: domain.import_rota(&session, &shifts).await?,
    }))
}
