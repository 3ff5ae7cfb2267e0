//! `/conversations…`: the caller's conversations, their messages, and sending.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;

use super::caller::Caller;
use crate::model::{Conversation, Message, NewMessage};
use crate::server::problem::{ApiJson, ApiPath, ApiQuery, Problem};
use crate::server::Domain;

pub async fn index(
    State(domain): State<Domain>,
    Caller(session): Caller,
) -> Result<Json<Vec<Conversation>>, Problem> {
    Ok(Json(domain.conversations(&session).await?))
}

#[derive(Deserialize)]
pub struct Page {
    limit: Option<u32>,
    /// A message id: the page ends just before it (history, paging backwards).
    before: Option<Uuid>,
}

pub async fn messages(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(page): ApiQuery<Page>,
) -> Result<Json<Vec<Message>>, Problem> {
    Ok(Json(
        domain
            .messages_before(&session, id, page.before, page.limit)
            .await?,
    ))
}

/// 201 for a new message, 200 for a retry of one already stored.
pub async fn send(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(new): ApiJson<NewMessage>,
) -> Result<(StatusCode, Json<Message>), Problem> {
    let (message, created) = domain.send(&session, id, new).await?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(message),
    ))
}
