use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::caller::{AnyCaller, Caller};
use crate::model::{LoginRequest, LoginResponse, Me, PasswordChange};
use crate::server::problem::{ApiJson, Problem};
use crate::server::Domain;

pub async fn login(
    State(domain): State<Domain>,
    super::workstation::Workstation(from): super::workstation::Workstation,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<(StatusCode, Json<LoginResponse>), Problem> {
    Ok((
        StatusCode::CREATED,
        Json(domain.login(&req.username, &req.password, &from).await?),
    ))
}

pub async fn logout(
    State(domain): State<Domain>,
    AnyCaller(session): AnyCaller,
) -> Result<StatusCode, Problem> {
    domain.logout(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

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

#[derive(serde::Deserialize)]
pub struct Locked {
    #[serde(default)]
    idle: bool,
}

/// The client locked its screen: recorded in the audit log.
pub async fn locked(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(req): ApiJson<Locked>,
) -> Result<StatusCode, Problem> {
    domain.record_lock(&session, req.idle).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize)]
pub struct Unlock {
    password: String,
}

/// 204 when the password is the session user's: a locked screen may open.
pub async fn verify(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(req): ApiJson<Unlock>,
) -> Result<StatusCode, Problem> {
    domain.verify_password(&session, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
