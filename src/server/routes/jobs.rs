//! `/jobs`: the round's work on the caller's teams' patients; `/patients/{id}/plan`; and
//! `/lists/{id}/handover`, a list's handover sheet.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use uuid::Uuid;

use super::caller::Caller;
use crate::model::{HandoverSheet, Job, JobPatch, JobQuery, NewJob, Plan, PlanText};
use crate::server::problem::{ApiJson, ApiPath, ApiQuery, Problem};
use crate::server::Domain;

/// Jobs on my teams' patients (open ones unless `status` says otherwise), in the order
/// they are worked: overdue, then soonest due, then most urgent
#[utoipa::path(
    get,
    path = "/jobs",
    operation_id = "jobs",
    params(JobQuery),
    responses((status = 200, body = Vec<Job>))
)]
pub async fn index(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiQuery(query): ApiQuery<JobQuery>,
) -> Result<Json<Vec<Job>>, Problem> {
    Ok(Json(domain.list_jobs(&session, &query).await?))
}

/// A new job on a patient of my teams' lists, for a colleague or a role
#[utoipa::path(
    post,
    path = "/jobs",
    operation_id = "create_job",
    request_body = NewJob,
    responses((status = 201, body = Job))
)]
pub async fn create(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(new): ApiJson<NewJob>,
) -> Result<(StatusCode, Json<Job>), Problem> {
    Ok((
        StatusCode::CREATED,
        Json(domain.create_job(&session, &new).await?),
    ))
}

/// Mark a job done, cancel it, hand it to someone else or edit it
#[utoipa::path(
    patch,
    path = "/jobs/{id}",
    operation_id = "change_job",
    params(("id" = Uuid, Path, description = "The job's id")),
    request_body = JobPatch,
    responses((status = 200, body = Job))
)]
pub async fn change(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<JobPatch>,
) -> Result<Json<Job>, Problem> {
    Ok(Json(domain.change_job(&session, id, &patch).await?))
}

/// Write a patient's plan (an empty text clears it)
#[utoipa::path(
    put,
    path = "/patients/{id}/plan",
    operation_id = "write_plan",
    params(("id" = String, Path, description = "The FHIR Patient id")),
    request_body = PlanText,
    responses((status = 200, body = Plan))
)]
pub async fn plan(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(text): ApiJson<PlanText>,
) -> Result<Json<Plan>, Problem> {
    Ok(Json(domain.write_plan(&session, &id, &text.text).await?))
}

/// A list's handover sheet: bed, name, NEWS2, plan and open jobs of each patient
#[utoipa::path(
    get,
    path = "/lists/{id}/handover",
    operation_id = "handover",
    params(("id" = Uuid, Path, description = "The list's id"), Purpose),
    responses((status = 200, body = HandoverSheet))
)]
pub async fn handover(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(purpose): ApiQuery<Purpose>,
) -> Result<Json<HandoverSheet>, Problem> {
    let exporting = super::lists::exporting(purpose.purpose.as_deref())?;
    Ok(Json(domain.handover(&session, id, exporting).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Purpose {
    /// `export` when the sheet leaves wardround: audited as an export; `view` (the
    /// default) otherwise.
    #[param(pattern = "^(view|export)$")]
    purpose: Option<String>,
}
