//! The service itself: `/healthz`, `/readyz`, `/metrics`, `/version` and the OpenAPI document.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::server::problem::Problem;
use crate::server::Domain;

pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the store answers and the EHR can be read; the detail says which is not.
pub async fn readyz(State(domain): State<Domain>) -> Result<Json<Value>, Problem> {
    let unavailable = |detail: String| Problem::new(StatusCode::SERVICE_UNAVAILABLE, detail);
    domain
        .store()
        .latest_cursor(Uuid::nil())
        .await
        .map_err(|e| unavailable(format!("The store is not answering: {e}")))?;
    let ehr = domain
        .ehr_status()
        .await
        .map_err(|e| unavailable(format!("The EHR cannot be used: {e}")))?;
    Ok(Json(json!({"status": "ready", "store": "ok", "ehr": ehr})))
}

/// OpenMetrics text (Prometheus scrapes it); no authentication (it holds no patient
/// data), so scrape it on an internal network.
pub async fn metrics(State(domain): State<Domain>) -> impl axum::response::IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        domain.metrics().render(domain.hub().users_connected()),
    )
}

/// What this server is, for clients to check they speak the same API.
pub async fn version() -> Json<Value> {
    Json(json!({"name": "wardround", "version": env!("CARGO_PKG_VERSION"), "api": "v1"}))
}

/// The API's OpenAPI 3 description (api/openapi.json), for clients and for schemathesis.
pub async fn openapi() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("../../../api/openapi.json"),
    )
}
