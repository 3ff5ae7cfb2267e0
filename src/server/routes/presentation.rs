//! `/presentation…`: follow mode, the presenter's shared view and handing control.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::caller::Caller;
use crate::model::{FollowRequest, HandControl, Presentation, SharedView};
use crate::server::problem::{ApiJson, Problem};
use crate::server::Domain;

pub async fn current(
    State(domain): State<Domain>,
    Caller(session): Caller,
) -> Result<Json<Option<Presentation>>, Problem> {
    Ok(Json(domain.my_presentation(&session).await?))
}

pub async fn follow(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(request): ApiJson<FollowRequest>,
) -> Result<Json<Presentation>, Problem> {
    Ok(Json(domain.follow(&session, &request.user).await?))
}

pub async fn unfollow(
    State(domain): State<Domain>,
    Caller(session): Caller,
) -> Result<StatusCode, Problem> {
    domain.unfollow(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn control(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(request): ApiJson<HandControl>,
) -> Result<StatusCode, Problem> {
    domain.hand_control(&session, &request.to).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn view(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(view): ApiJson<SharedView>,
) -> Result<StatusCode, Problem> {
    domain.share_view(&session, view).await?;
    Ok(StatusCode::NO_CONTENT)
}
