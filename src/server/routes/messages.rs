//! `/messages/{id}/…`: read receipts and acknowledgements of one message.

use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;

use super::caller::Caller;
use crate::model::ReceiptUpdate;
use crate::server::problem::{ApiJson, ApiPath, Problem};
use crate::server::Domain;

/// Delivered or read
#[utoipa::path(
    post,
    path = "/messages/{id}/receipts",
    operation_id = "mark_receipt",
    params(("id" = Uuid, Path, description = "The message's id")),
    request_body = ReceiptUpdate,
    responses((status = 204))
)]
pub async fn receipt(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(update): ApiJson<ReceiptUpdate>,
) -> Result<StatusCode, Problem> {
    domain.mark(&session, id, update.state).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Acknowledge an urgent message
#[utoipa::path(
    post,
    path = "/messages/{id}/ack",
    operation_id = "acknowledge",
    params(("id" = Uuid, Path, description = "The message's id")),
    responses((status = 204))
)]
pub async fn acknowledge(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, Problem> {
    domain.acknowledge(&session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
