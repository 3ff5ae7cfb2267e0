//! `/patients`: finding a patient in the EHR, and one patient's detail; `/locations`:
//! finding the ward a census list follows.

use axum::extract::State;
use axum::Json;

use super::caller::Caller;
use crate::model::{PatientDetail, PatientQuery, PatientSummary};
use crate::server::problem::{ApiPath, ApiQuery, Problem};
use crate::server::Domain;

/// Search the EHR
#[utoipa::path(
    get,
    path = "/patients",
    operation_id = "search_patients",
    params(PatientQuery),
    responses((status = 200, body = Vec<PatientSummary>))
)]
pub async fn search(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiQuery(query): ApiQuery<PatientQuery>,
) -> Result<Json<Vec<PatientSummary>>, Problem> {
    Ok(Json(domain.search_patients(&session, &query).await?))
}

/// A patient's detail
#[utoipa::path(
    get,
    path = "/patients/{id}",
    operation_id = "patient",
    params(("id" = String, Path, description = "The FHIR Patient id")),
    responses((status = 200, body = PatientDetail))
)]
pub async fn patient(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PatientDetail>, Problem> {
    Ok(Json(domain.patient_detail(&session, &id).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocationQuery {
    /// The start of the location's name.
    name: String,
}

/// Find a ward (or room) in the EHR by name
#[utoipa::path(
    get,
    path = "/locations",
    operation_id = "find_locations",
    params(LocationQuery),
    responses((status = 200, body = Vec<crate::fhir::census::FoundLocation>))
)]
pub async fn locations(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiQuery(query): ApiQuery<LocationQuery>,
) -> Result<Json<Vec<crate::fhir::census::FoundLocation>>, Problem> {
    Ok(Json(domain.find_locations(&session, &query.name).await?))
}
