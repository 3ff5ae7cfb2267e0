//! `/lists/{id}/patients…`: adding and removing a list's patients, and a patient's chat.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;

use super::caller::Caller;
use crate::model::{Conversation, PatientList};
use crate::server::problem::{ApiJson, ApiPath, Problem};
use crate::server::Domain;

#[derive(Deserialize)]
pub struct AddPatient {
    patient: String,
}

pub async fn add_patient(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(add): ApiJson<AddPatient>,
) -> Result<Json<PatientList>, Problem> {
    Ok(Json(domain.add_patient(&session, id, &add.patient).await?))
}

pub async fn remove_patient(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath((id, patient)): ApiPath<(Uuid, String)>,
) -> Result<Json<PatientList>, Problem> {
    Ok(Json(domain.remove_patient(&session, id, &patient).await?))
}

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
