//! Errors as `application/problem+json` (RFC 9457), and extractors whose rejections are
//! problems too, so a malformed request always gets a readable reason.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::domain::DomainError;
use crate::fhir::FhirError;

/// An RFC 9457 problem: why a request was refused or could not be done.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The status's reason phrase (`Not Found`).
    pub title: String,
    /// The HTTP status, as the response's.
    pub status: u16,
    /// What went wrong and, where it helps, what to do, in words for the user.
    pub detail: String,
    /// Sent as the Retry-After header, not in the body.
    #[serde(skip)]
    pub retry_after_secs: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            retry_after_secs: None,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        response
    }
}

impl From<DomainError> for Problem {
    fn from(e: DomainError) -> Self {
        let status = match &e {
            DomainError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
            DomainError::NotFound(_) => StatusCode::NOT_FOUND,
            DomainError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            DomainError::Conflict(_) => StatusCode::CONFLICT,
            DomainError::TooMany {
                retry_after_secs, ..
            } => {
                let mut p = Problem::new(StatusCode::TOO_MANY_REQUESTS, e.to_string());
                p.retry_after_secs = Some(*retry_after_secs);
                return p;
            }
            DomainError::Store(store) if store.is_unavailable() => {
                // Clients retry 5xx (the outbox resends with the same id): say when.
                tracing::error!(error = %e, "store unavailable");
                let mut p = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The database is unavailable just now; nothing was lost. Try again shortly.",
                );
                p.retry_after_secs = Some(1);
                return p;
            }
            // The EHR's failure, not ours: the message names the resource type and the
            // EHR's base URL, never a patient's id.
            DomainError::Ehr(FhirError::NoSuch(_)) => StatusCode::NOT_FOUND,
            DomainError::Ehr(_) => StatusCode::BAD_GATEWAY,
            DomainError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            // The cause goes to the server log; the caller gets no internals.
            tracing::error!(error = %e, "internal error");
            return Problem::new(
                status,
                "The server could not complete the request; the cause is in its log.",
            );
        }
        Problem::new(status, e.to_string())
    }
}

/// `Json<T>` whose rejection is a problem+json 400/415/422 with serde's reason.
pub struct ApiJson<T>(pub T);

/// How long a request's JSON body may take to arrive once its headers have: a client
/// that sends `Content-Length: 100` and then one byte holds no connection longer.
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Expected request with `Content-Type: application/json`",
            ));
        }
        let body = match tokio::time::timeout(BODY_TIMEOUT, Bytes::from_request(req, state)).await {
            Ok(Ok(body)) => body,
            Ok(Err(rejection)) => {
                return Err(Problem::new(rejection.status(), rejection.body_text()))
            }
            Err(_) => {
                return Err(Problem::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "The request's body did not arrive within 10 s.",
                ))
            }
        };
        if has_nul(&body) {
            return Err(nul_problem());
        }
        axum::Json::<T>::from_bytes(&body)
            .map(|axum::Json(v)| ApiJson(v))
            .map_err(json_problem)
    }
}

fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(essence) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
    else {
        return false;
    };
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Whether a JSON text holds the NUL character, which it can only spell `\u0000`. No
/// clinical text has one; PostgreSQL cannot store one, and a message refused only when
/// its batch is written would fail the other senders' messages in that batch.
fn has_nul(json: &[u8]) -> bool {
    let mut backslashes = 0;
    for (i, &b) in json.iter().enumerate() {
        if b == b'\\' {
            backslashes += 1;
            continue;
        }
        // An odd run of backslashes escapes this byte; an even run is literal backslashes.
        if b == b'u' && backslashes % 2 == 1 && json.get(i + 1..i + 5) == Some(b"0000") {
            return true;
        }
        backslashes = 0;
    }
    false
}

pub fn nul_problem() -> Problem {
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Text may not contain the NUL character (U+0000).",
    )
}

fn json_problem(r: JsonRejection) -> Problem {
    // Not JSON: 400. JSON of the wrong shape (a missing field, a misspelled one, a wrong
    // type): 422, naming the field.
    let status = match r {
        JsonRejection::JsonSyntaxError(_) => StatusCode::BAD_REQUEST,
        JsonRejection::JsonDataError(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => r.status(),
    };
    Problem::new(status, r.body_text())
}

/// `Path<T>` whose rejection is a problem+json 400.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|r: PathRejection| Problem::new(StatusCode::BAD_REQUEST, r.body_text()))
    }
}

/// `Query<T>` whose rejection is a problem+json 400.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|r: QueryRejection| Problem::new(StatusCode::BAD_REQUEST, r.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::StoreError;

    #[test]
    fn a_nul_is_found_however_it_is_escaped_and_a_literal_backslash_u_is_not_one() {
        assert!(has_nul(br#"{"body":"a\u0000b"}"#));
        assert!(
            has_nul(br#"{"body":"a\\\u0000b"}"#),
            "a backslash, then a NUL"
        );
        assert!(
            !has_nul(br#"{"body":"a\\u0000b"}"#),
            "a backslash, then the text u0000"
        );
        assert!(has_nul(br#"{"body":"\u00001"}"#));
        assert!(!has_nul(br#"{"body":"caf\u00e9"}"#));
    }

    #[test]
    fn a_database_out_of_reach_is_a_503_to_retry_and_a_corrupt_row_a_500() {
        let down = Problem::from(DomainError::Store(StoreError::Database(
            sqlx::Error::PoolTimedOut,
        )));
        assert_eq!(down.status, 503);
        assert_eq!(down.retry_after_secs, Some(1));
        let batch = Problem::from(DomainError::Store(StoreError::Batch {
            reason: "connection reset".into(),
            unavailable: true,
        }));
        assert_eq!(batch.status, 503);
        let corrupt = Problem::from(DomainError::Store(StoreError::Corrupt("row".into())));
        assert_eq!(corrupt.status, 500);
        assert_eq!(corrupt.retry_after_secs, None);
    }
}
