//! `/me…`: the caller's own account, password, policy and settings, what waits for them,
//! and their event stream's ping.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;

use super::caller::{AnyCaller, Caller};
use crate::model::{EffectivePolicy, Me, Message, PasswordChange, UserSettings};
use crate::server::problem::{ApiJson, Problem};
use crate::server::Domain;

/// Who I am, my teams, my event cursor
#[utoipa::path(get, path = "/me", operation_id = "me", responses((status = 200, body = Me)))]
pub async fn me(
    State(domain): State<Domain>,
    AnyCaller(session): AnyCaller,
) -> Result<Json<Me>, Problem> {
    Ok(Json(domain.me(&session).await?))
}

/// Set my own password (required first after a one-time password): every other session of mine ends; this one goes on
#[utoipa::path(
    put,
    path = "/me/password",
    operation_id = "change_password",
    request_body = PasswordChange,
    responses((status = 204))
)]
pub async fn change_password(
    State(domain): State<Domain>,
    AnyCaller(session): AnyCaller,
    ApiJson(change): ApiJson<PasswordChange>,
) -> Result<StatusCode, Problem> {
    domain
        .change_own_password(&session, &change.current, &change.new)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Urgent and important messages waiting for me
#[utoipa::path(
    get,
    path = "/me/awaiting",
    operation_id = "awaiting",
    responses((status = 200, body = Vec<Message>))
)]
pub async fn awaiting(
    State(domain): State<Domain>,
    Caller(session): Caller,
) -> Result<Json<Vec<Message>>, Problem> {
    Ok(Json(domain.awaiting(&session).await?))
}

/// My effective messaging policy
#[utoipa::path(
    get,
    path = "/me/policy",
    operation_id = "my_policy",
    responses((status = 200, body = EffectivePolicy))
)]
pub async fn policy(
    State(domain): State<Domain>,
    Caller(session): Caller,
) -> Result<Json<EffectivePolicy>, Problem> {
    Ok(Json(domain.my_policy(&session).await?))
}

/// My own settings
#[utoipa::path(
    put,
    path = "/me/settings",
    operation_id = "save_settings",
    request_body = UserSettings,
    responses((status = 200, body = EffectivePolicy))
)]
pub async fn settings(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(settings): ApiJson<UserSettings>,
) -> Result<Json<EffectivePolicy>, Problem> {
    Ok(Json(domain.save_settings(&session, settings).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Ping {
    /// Comes back in a `pong` event on the caller's own event stream.
    token: Uuid,
}

/// A pong on my own event stream
#[utoipa::path(
    post,
    path = "/me/ping",
    operation_id = "ping",
    request_body = Ping,
    responses((status = 202))
)]
pub async fn ping(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(ping): ApiJson<Ping>,
) -> Result<StatusCode, Problem> {
    domain.ping(&session, ping.token).await?;
    Ok(StatusCode::ACCEPTED)
}
