use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;

use super::caller::Caller;
use crate::model::{Imported, PatientList, PatientQuery, PatientSummary};
use crate::server::problem::{ApiJson, ApiPath, ApiQuery, Problem};
use crate::server::Domain;

#[derive(Deserialize)]
pub struct NewList {
    name: String,
    team_id: Option<Uuid>,
}

#[derive(Deserialize)]
pub struct Named {
    name: String,
}

#[derive(Deserialize)]
pub struct AddPatient {
    patient: String,
}

#[derive(Deserialize)]
pub struct Mrns {
    mrns: Vec<String>,
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

pub async fn import(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(mrns): ApiJson<Mrns>,
) -> Result<Json<Imported>, Problem> {
    Ok(Json(domain.import_mrns(&session, id, &mrns.mrns).await?))
}

pub async fn search(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiQuery(query): ApiQuery<PatientQuery>,
) -> Result<Json<Vec<PatientSummary>>, Problem> {
    Ok(Json(domain.search_patients(&session, &query).await?))
}
