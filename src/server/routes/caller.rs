//! The `Authorization: Bearer` session of a request.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};

use crate::server::domain::Session;
use crate::server::problem::Problem;
use crate::server::Domain;

pub struct Caller(pub Session);

impl FromRequestParts<Domain> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        domain: &Domain,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "Log in first: this needs a bearer session token.",
                )
            })?;
        let mut session = domain.authenticate(token).await?;
        session.workstation = super::workstation::of(parts);
        Ok(Caller(session))
    }
}
