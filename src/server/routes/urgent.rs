//! Acknowledgement, what waits for the caller, their policy and their own settings.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use uuid::Uuid;

use super::caller::Caller;
use crate::model::{Conversation, EffectivePolicy, Message, UserSettings};
use crate::server::problem::{ApiJson, ApiPath, Problem};
use crate::server::Domain;

pub async fn acknowledge(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, Problem> {
    domain.acknowledge(&session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn awaiting(
    State(domain): State<Domain>,
    Caller(session): Caller,
) -> Result<Json<Vec<Message>>, Problem> {
    Ok(Json(domain.awaiting(&session).await?))
}

pub async fn policy(
    State(domain): State<Domain>,
    Caller(session): Caller,
) -> Result<Json<EffectivePolicy>, Problem> {
    Ok(Json(domain.my_policy(&session).await?))
}

pub async fn settings(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(settings): ApiJson<UserSettings>,
) -> Result<Json<EffectivePolicy>, Problem> {
    Ok(Json(domain.save_settings(&session, settings).await?))
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
