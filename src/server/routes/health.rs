use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;

use crate::server::problem::Problem;
use crate::server::Domain;

pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the store answers.
pub async fn readyz(State(domain): State<Domain>) -> Result<&'static str, Problem> {
    domain
        .store()
        .latest_cursor(Uuid::nil())
        .await
        .map(|_| "ready")
        .map_err(|e| {
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("The store is not answering: {e}"),
            )
        })
}
