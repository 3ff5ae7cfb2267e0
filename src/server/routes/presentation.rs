//! `/presentation…`: follow mode, the presenter's shared view and handing control.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::caller::Caller;
use crate::model::{FollowRequest, HandControl, Presentation, SharedView};
use crate::server::problem::{ApiJson, Problem};
use crate::server::Domain;

/// The presentation I am in
#[utoipa::path(
    get,
    path = "/presentation",
    operation_id = "presentation",
    responses((status = 200, body = Option<Presentation>, description = "The presentation, or null when I am in none"))
)]
pub async fn current(
    State(domain): State<Domain>,
    Caller(session): Caller,
) -> Result<Json<Option<Presentation>>, Problem> {
    Ok(Json(domain.my_presentation(&session).await?))
}

/// Follow a user's screen
#[utoipa::path(
    post,
    path = "/presentation/follow",
    operation_id = "follow",
    request_body = FollowRequest,
    responses((status = 200, body = Presentation))
)]
pub async fn follow(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(request): ApiJson<FollowRequest>,
) -> Result<Json<Presentation>, Problem> {
    Ok(Json(domain.follow(&session, &request.user).await?))
}

/// Stop following
#[utoipa::path(
    delete,
    path = "/presentation/follow",
    operation_id = "unfollow",
    responses((status = 204))
)]
pub async fn unfollow(
    State(domain): State<Domain>,
    Caller(session): Caller,
) -> Result<StatusCode, Problem> {
    domain.unfollow(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hand control
#[utoipa::path(
    post,
    path = "/presentation/control",
    operation_id = "hand_control",
    request_body = HandControl,
    responses((status = 204))
)]
pub async fn control(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(request): ApiJson<HandControl>,
) -> Result<StatusCode, Problem> {
    domain.hand_control(&session, &request.to).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What I show
#[utoipa::path(
    put,
    path = "/presentation/view",
    operation_id = "share_view",
    request_body = SharedView,
    responses((status = 204))
)]
pub async fn view(
    State(domain): State<Domain>,
    Caller(session): Caller,
    ApiJson(view): ApiJson<SharedView>,
) -> Result<StatusCode, Problem> {
    domain.share_view(&session, view).await?;
    Ok(StatusCode::NO_CONTENT)
}
