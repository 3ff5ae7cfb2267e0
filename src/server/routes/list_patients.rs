//! `/lists/{id}/patients…`: adding and removing a list's patients, and a patient's chat.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;

use super::caller::Caller;
use crate::model::{Conversation, PatientList};
use crate::server::problem::{ApiJson, ApiPath, Problem};
use crate::server::Domain;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AddPatient {
    /// The FHIR Patient id.
    patient: String,
}

/// Add a patient
#[utoipa::path(
    post,
    path = "/lists/{id}/patients",
    operation_id = "add_list_patient",
    params(("id" = Uuid, Path, description = "The list's id")),
    request_body = AddPatient,
    responses((status = 200, body = PatientList))
)]
pub async fn add_patient(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(add): ApiJson<AddPatient>,
) -> Result<Json<PatientList>, Problem> {
    Ok(Json(domain.add_patient(&session, id, &add.patient).await?))
}

/// Remove a patient
#[utoipa::path(
    delete,
    path = "/lists/{id}/patients/{patient}",
    operation_id = "remove_list_patient",
    params(
        ("id" = Uuid, Path, description = "The list's id"),
        ("patient" = String, Path, description = "The FHIR Patient id"),
    ),
    responses((status = 200, body = PatientList))
)]
pub async fn remove_patient(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath((id, patient)): ApiPath<(Uuid, String)>,
) -> Result<Json<PatientList>, Problem> {
    Ok(Json(domain.remove_patient(&session, id, &patient).await?))
}

/// The team's chat about a patient
#[utoipa::path(
    post,
    path = "/lists/{id}/patients/{patient}/conversation",
    operation_id = "patient_conversation",
    params(
        ("id" = Uuid, Path, description = "The list's id"),
        ("patient" = String, Path, description = "The FHIR Patient id"),
    ),
    responses((status = 200, body = Conversation))
)]
pub async fn patient_conversation(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath((list, patient)): ApiPath<(Uuid, String)>,
) -> Result<Json<Conversation>, Problem> {
    Ok(Json(
        domain
            .patient_conversation(&session, list, &patient)
            .await?,
    ))
}

/// Mark a patient the census brought as seen
#[utoipa::path(
    post,
    path = "/lists/{id}/patients/{patient}/seen",
    operation_id = "list_patient_seen",
    params(
        ("id" = Uuid, Path, description = "The list's id"),
        ("patient" = String, Path, description = "The FHIR Patient id"),
    ),
    responses((status = 200, body = PatientList))
)]
pub async fn seen(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath((id, patient)): ApiPath<(Uuid, String)>,
) -> Result<Json<PatientList>, Problem> {
    Ok(Json(domain.mark_seen(&session, id, &patient).await?))
}
