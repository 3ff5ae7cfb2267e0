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

/// My teams' patient lists
#[utoipa::path(
    get,
    path = "/lists",
    operation_id = "lists",
    responses((status = 200, body = Vec<PatientList>))
)]
pub async fn index(
    State(domain): State<Domain>,
    Caller(session): Caller,
) -> Result<Json<Vec<PatientList>>, Problem> {
    Ok(Json(domain.lists(&session).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewList {
    name: String,
    /// Which of my teams; my first team when absent.
    team_id: Option<Uuid>,
    /// Keep the list from this ward's census (`Location/ID`, `system|value` or its
    /// name): the patients with an in-progress inpatient stay there, kept up to date.
    census: Option<String>,
    /// Keep the list from one of the EHR's own lists (`List/ID` or `List?code=…`).
    fhir_list: Option<String>,
}

/// A new list
#[utoipa::path(
    post,
    path = "/lists",
    operation_id = "create_list",
    request_body = NewList,
    responses((status = 201, body = PatientList))
)]
pub async fn create(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(new): ApiJson<NewList>,
) -> Result<(StatusCode, Json<PatientList>), Problem> {
    use crate::server::domain::census::NewSource;
    let source = match (new.census, new.fhir_list) {
        (Some(_), Some(_)) => {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "A list follows a census or an EHR list, not both.",
            ))
        }
        (Some(location), None) => Some(NewSource::Census(location)),
        (None, Some(reference)) => Some(NewSource::FhirList(reference)),
        (None, None) => None,
    };
    let list = match source {
        Some(source) => {
            domain
                .new_sourced_list(&session, new.team_id, &new.name, source)
                .await?
        }
        None => domain.new_list(&session, new.team_id, &new.name).await?,
    };
    Ok((StatusCode::CREATED, Json(list)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ListName {
    name: String,
}

/// Rename a list
#[utoipa::path(
    patch,
    path = "/lists/{id}",
    operation_id = "rename_list",
    params(("id" = Uuid, Path, description = "The list's id")),
    request_body = ListName,
    responses((status = 200, body = PatientList))
)]
pub async fn rename(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(named): ApiJson<ListName>,
) -> Result<Json<PatientList>, Problem> {
    Ok(Json(domain.rename_list(&session, id, &named.name).await?))
}

/// Copy a list
#[utoipa::path(
    post,
    path = "/lists/{id}/duplicate",
    operation_id = "duplicate_list",
    params(("id" = Uuid, Path, description = "The list's id")),
    request_body = ListName,
    responses((status = 201, body = PatientList))
)]
pub async fn duplicate(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(named): ApiJson<ListName>,
) -> Result<(StatusCode, Json<PatientList>), Problem> {
    Ok((
        StatusCode::CREATED,
        Json(domain.duplicate_list(&session, id, &named.name).await?),
    ))
}

/// Delete a list
#[utoipa::path(
    delete,
    path = "/lists/{id}",
    operation_id = "delete_list",
    params(("id" = Uuid, Path, description = "The list's id")),
    responses((status = 204))
)]
pub async fn delete(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, Problem> {
    domain.delete_list(&session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Mrns {
    mrns: Vec<String>,
}

/// Add patients by MRN
#[utoipa::path(
    post,
    path = "/lists/{id}/import",
    operation_id = "import_mrns",
    params(("id" = Uuid, Path, description = "The list's id")),
    request_body = Mrns,
    responses((status = 200, body = Imported))
)]
pub async fn import(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(mrns): ApiJson<Mrns>,
) -> Result<Json<Imported>, Problem> {
    Ok(Json(domain.import_mrns(&session, id, &mrns.mrns).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Wanted {
    /// Comma-separated column ids; the whole catalogue when absent.
    columns: Option<String>,
    /// `export` when the rows leave wardround: audited as an export; `view` (the default)
    /// otherwise.
    #[param(pattern = "^(view|export)$")]
    purpose: Option<String>,
}

/// A list's rows
#[utoipa::path(
    get,
    path = "/lists/{id}/rows",
    operation_id = "list_rows",
    params(("id" = Uuid, Path, description = "The list's id"), Wanted),
    responses((status = 200, body = ListRows))
)]
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
    let exporting = exporting(wanted.purpose.as_deref())?;
    Ok(Json(
        domain.list_rows(&session, id, &columns, exporting).await?,
    ))
}

/// `purpose`: `export` when what is read leaves wardround (audited as an export).
pub(super) fn exporting(purpose: Option<&str>) -> Result<bool, Problem> {
    match purpose {
        None | Some("view") => Ok(false),
        Some("export") => Ok(true),
        Some(other) => Err(Problem::new(
            StatusCode::BAD_REQUEST,
            format!("purpose must be view or export, not {other:?}"),
        )),
    }
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct Refresh {
    /// One patient; the whole list when absent.
    patient: Option<String>,
}

/// Fetch the latest from the EHR
#[utoipa::path(
    post,
    path = "/lists/{id}/refresh",
    operation_id = "refresh_list",
    params(("id" = Uuid, Path, description = "The list's id")),
    request_body = Refresh,
    responses((status = 204))
)]
pub async fn refresh(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(refresh): ApiJson<Refresh>,
) -> Result<StatusCode, Problem> {
    domain.refresh(&session, id, refresh.patient).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Scope {
    /// `team`: save as the list's shared default (the team's, for whoever has not arranged
    /// it); `mine` (the default): the caller's own.
    #[serde(default)]
    #[param(inline)]
    scope: ViewScope,
}

/// Whose arrangement is saved; anything else is a 400, not a personal view saved in
/// place of the team's.
#[derive(Deserialize, Default, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
enum ViewScope {
    #[default]
    Mine,
    /// The list's shared default.
    Team,
}

/// Save how I arrange a list
#[utoipa::path(
    put,
    path = "/lists/{id}/view",
    operation_id = "save_list_view",
    params(("id" = Uuid, Path, description = "The list's id"), Scope),
    request_body = ListView,
    responses((status = 204))
)]
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
