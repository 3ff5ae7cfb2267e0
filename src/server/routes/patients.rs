//! `/patients`: finding a patient in the EHR, and one patient's detail.

use axum::extract::State;
use axum::Json;

use super::caller::Caller;
use crate::model::{PatientDetail, PatientQuery, PatientSummary};
use crate::server::problem::{ApiPath, ApiQuery, Problem};
use crate::server::Domain;

pub async fn search(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiQuery(query): ApiQuery<PatientQuery>,
) -> Result<Json<Vec<PatientSummary>>, Problem> {
    Ok(Json(domain.search_patients(&session, &query).await?))
}

pub async fn patient(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PatientDetail>, Problem> {
    Ok(Json(domain.patient_detail(&session, &id).await?))
}
