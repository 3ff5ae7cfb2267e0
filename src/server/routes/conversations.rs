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

/// My conversations
#[utoipa::path(
    get,
    path = "/conversations",
    operation_id = "conversations",
    responses((status = 200, body = Vec<Conversation>))
)]
pub async fn index(
    State(domain): State<Domain>,
    Caller(session): Caller,
) -> Result<Json<Vec<Conversation>>, Problem> {
    Ok(Json(domain.conversations(&session).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// Page size, clamped to 1..=100 (default 100)
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295_i64)]
    limit: Option<u32>,
    /// A message of this conversation: only messages strictly older than it (by sent time,
    /// then storage order). Not a message of this conversation: 404
    before: Option<Uuid>,
}

/// Latest messages, or (before) the page just older: oldest first
#[utoipa::path(
    get,
    path = "/conversations/{id}/messages",
    operation_id = "messages",
    params(("id" = Uuid, Path, description = "The conversation's id"), Page),
    responses((status = 200, body = Vec<Message>))
)]
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

/// Send (idempotent by id)
#[utoipa::path(
    post,
    path = "/conversations/{id}/messages",
    operation_id = "send",
    params(("id" = Uuid, Path, description = "The conversation's id")),
    request_body = NewMessage,
    responses(
        (status = 201, body = Message, description = "Stored"),
        (status = 200, body = Message, description = "Stored before: a retry of the same id"),
    )
)]
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

/// Start a conversation: the pair's one 1:1 (`direct`, one username in members), a group (`group`, a title and members), or the caller's thread with a role (`role`)
///
/// `{"kind":"direct","members":["USERNAME"]}` gives the pair's 1:1 (the same one each
/// time); `{"kind":"group",…}` a new group; `{"kind":"role","role":"NAME"}` the caller's
/// thread with a role.
#[utoipa::path(
    post,
    path = "/conversations",
    operation_id = "start_conversation",
    request_body = StartConversation,
    responses((status = 200, body = Conversation))
)]
pub async fn start(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(start): ApiJson<StartConversation>,
) -> Result<Json<Conversation>, Problem> {
    Ok(Json(domain.start_conversation(&session, &start).await?))
}

/// Rename a group (its creator, its admins, administrators)
#[utoipa::path(
    patch,
    path = "/conversations/{id}",
    operation_id = "rename_conversation",
    params(("id" = Uuid, Path, description = "The conversation's id")),
    request_body = ConversationPatch,
    responses((status = 200, body = Conversation))
)]
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// Make them one of the group's admins, or not; absent: as they are.
    admin: Option<bool>,
}

/// Add a member to a group; ?admin=true|false makes them one of its admins or not (its creator, its admins, administrators)
#[utoipa::path(
    put,
    path = "/conversations/{id}/members/{username}",
    operation_id = "put_member",
    params(
        ("id" = Uuid, Path, description = "The conversation's id"),
        ("username" = String, Path),
        MemberQuery,
    ),
    responses((status = 200, body = Conversation))
)]
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

/// Remove a member from a group, or leave it
#[utoipa::path(
    delete,
    path = "/conversations/{id}/members/{username}",
    operation_id = "remove_member",
    params(
        ("id" = Uuid, Path, description = "The conversation's id"),
        ("username" = String, Path),
    ),
    responses((status = 204))
)]
pub async fn remove_member(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiPath((id, username)): ApiPath<(Uuid, String)>,
) -> Result<StatusCode, Problem> {
    domain.remove_member(&session, id, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}
