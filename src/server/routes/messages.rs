//! `/messages/{id}/…`: read receipts and acknowledgements of one message.

use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;

use super::caller::Caller;
use crate::model::ReceiptUpdate;
use crate::server::problem::{ApiJson, ApiPath, Problem};
use crate::server::Domain;

pub async fn receipt(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(update): ApiJson<ReceiptUpdate>,
) -> Result<StatusCode, Problem> {
    domain.mark(&session, id, update.state).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn acknowledge(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, Problem> {
    domain.acknowledge(&session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
