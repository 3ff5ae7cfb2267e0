//! `/conversations…`: the caller's conversations, their messages, and sending.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;

use super::caller::Caller;
use crate::model::{Conversation, ConversationPatch, Message, NewMessage, StartConversation};
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

/// `{"kind":"direct","members":["USERNAME"]}` gives the pair's 1:1 (the same one each
/// time); `{"kind":"group",…}` a new group; `{"kind":"role","role":"NAME"}` the caller's
/// thread with a role.
pub async fn start(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(start): ApiJson<StartConversation>,
) -> Result<Json<Conversation>, Problem> {
    Ok(Json(domain.start_conversation(&session, &start).await?))
}

pub async fn rename(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<ConversationPatch>,
) -> Result<Json<Conversation>, Problem> {
    Ok(Json(
        domain
            .rename_conversation(&session, id, &patch.title)
            .await?,
    ))
}

#[derive(Deserialize)]
pub struct MemberQuery {
    admin: Option<bool>,
}

/// Adds a member; `?admin=true|false` makes them one of the group's admins, or not.
pub async fn add_member(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath((id, username)): ApiPath<(Uuid, String)>,
    ApiQuery(query): ApiQuery<MemberQuery>,
) -> Result<Json<Conversation>, Problem> {
    Ok(Json(
        domain
            .put_member(&session, id, &username, query.admin)
            .await?,
    ))
}

pub async fn remove_member(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath((id, username)): ApiPath<(Uuid, String)>,
) -> Result<StatusCode, Problem> {
    domain.remove_member(&session, id, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}
