//! `/session…`: logging in and out, and the lock screen's lock and unlock.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::caller::{AnyCaller, Caller};
use crate::model::{LoginRequest, LoginResponse};
use crate::server::problem::{ApiJson, Problem};
use crate::server::Domain;

/// Log in
#[utoipa::path(
    post,
    path = "/session",
    operation_id = "login",
    security(()),
    request_body = LoginRequest,
    responses((status = 201, body = LoginResponse))
)]
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

/// Log out
#[utoipa::path(
    delete,
    path = "/session",
    operation_id = "logout",
    responses((status = 204))
)]
pub async fn logout(
    State(domain): State<Domain>,
    AnyCaller(session): AnyCaller,
) -> Result<StatusCode, Problem> {
    domain.logout(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Locked {
    /// Locked by the idle timer rather than on demand.
    #[serde(default)]
    idle: bool,
}

/// The screen locked (audited)
///
/// The client locked its screen: recorded in the audit log.
#[utoipa::path(
    post,
    path = "/session/lock",
    operation_id = "record_lock",
    request_body = Locked,
    responses((status = 204))
)]
pub async fn locked(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(req): ApiJson<Locked>,
) -> Result<StatusCode, Problem> {
    domain.record_lock(&session, req.idle).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Unlock {
    password: String,
}

/// Check the session user's password (unlocking)
///
/// 204 when the password is the session user's: a locked screen may open.
#[utoipa::path(
    post,
    path = "/session/verify",
    operation_id = "verify_password",
    request_body = Unlock,
    responses((status = 204))
)]
pub async fn verify(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(req): ApiJson<Unlock>,
) -> Result<StatusCode, Problem> {
    domain.verify_password(&session, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
