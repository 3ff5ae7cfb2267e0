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

pub async fn me(
    State(domain): State<Domain>,
    AnyCaller(session): AnyCaller,
) -> Result<Json<Me>, Problem> {
    Ok(Json(domain.me(&session).await?))
}

/// Sets the caller's own password; every other session of theirs ends.
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

#[derive(Deserialize)]
pub struct Ping {
    token: Uuid,
}

pub async fn ping(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(ping): ApiJson<Ping>,
) -> Result<StatusCode, Problem> {
    domain.ping(&session, ping.token).await?;
    Ok(StatusCode::ACCEPTED)
}
