//! `/lists` and `/lists/{id}`: a team's patient lists, their rows, refresh and each
//! user's view of them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;

use super::caller::Caller;
use crate::model::{ColumnId, Imported, ListRows, ListView, PatientList};
use crate::server::problem::{ApiJson, ApiPath, ApiQuery, Problem};
use crate::server::Domain;

pub async fn index(
    State(domain): State<Domain>,
    Caller(session): Caller,
) -> Result<Json<Vec<PatientList>>, Problem> {
    Ok(Json(domain.lists(&session).await?))
}

#[derive(Deserialize)]
pub struct NewList {
    name: String,
    team_id: Option<Uuid>,
}

pub async fn create(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(new): ApiJson<NewList>,
) -> Result<(StatusCode, Json<PatientList>), Problem> {
    Ok((
        StatusCode::CREATED,
        Json(domain.new_list(&session, new.team_id, &new.name).await?),
    ))
}

#[derive(Deserialize)]
pub struct Named {
    name: String,
}

pub async fn rename(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(named): ApiJson<Named>,
) -> Result<Json<PatientList>, Problem> {
    Ok(Json(domain.rename_list(&session, id, &named.name).await?))
}

pub async fn duplicate(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(named): ApiJson<Named>,
) -> Result<(StatusCode, Json<PatientList>), Problem> {
    Ok((
        StatusCode::CREATED,
        Json(domain.duplicate_list(&session, id, &named.name).await?),
    ))
}

pub async fn delete(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, Problem> {
    domain.delete_list(&session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct Mrns {
    mrns: Vec<String>,
}

pub async fn import(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(mrns): ApiJson<Mrns>,
) -> Result<Json<Imported>, Problem> {
    Ok(Json(domain.import_mrns(&session, id, &mrns.mrns).await?))
}

#[derive(Deserialize)]
pub struct Wanted {
    /// Comma-separated column ids; the whole catalogue when absent.
    columns: Option<String>,
    /// `export` when the rows leave wardround: audited as an export.
    purpose: Option<String>,
}

pub async fn rows(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(wanted): ApiQuery<Wanted>,
) -> Result<Json<ListRows>, Problem> {
    let columns = match wanted.columns.as_deref() {
        None | Some("") => ColumnId::ALL.to_vec(),
        Some(spec) => spec
            .split(',')
            .map(|c| ColumnId::parse_or_explain(c.trim()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, e))?,
    };
    let exporting = match wanted.purpose.as_deref() {
        None | Some("view") => false,
        Some("export") => true,
        Some(other) => {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                format!("purpose must be view or export, not {other:?}"),
            ))
        }
    };
    Ok(Json(
        domain.list_rows(&session, id, &columns, exporting).await?,
    ))
}

#[derive(Deserialize, Default)]
pub struct Refresh {
    /// One patient; the whole list when absent.
    patient: Option<String>,
}

pub async fn refresh(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(refresh): ApiJson<Refresh>,
) -> Result<StatusCode, Problem> {
    domain.refresh(&session, id, refresh.patient).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct Scope {
    #[serde(default)]
    scope: ViewScope,
}

/// Whose arrangement is saved; anything else is a 400, not a personal view saved in
/// place of the team's.
#[derive(Deserialize, Default, PartialEq)]
#[serde(rename_all = "lowercase")]
enum ViewScope {
    #[default]
    Mine,
    /// The list's shared default.
    Team,
}

pub async fn save_view(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(scope): ApiQuery<Scope>,
    ApiJson(view): ApiJson<ListView>,
) -> Result<StatusCode, Problem> {
    let shared = scope.scope == ViewScope::Team;
    domain.save_view(&session, id, &view, shared).await?;
    Ok(StatusCode::NO_CONTENT)
}
