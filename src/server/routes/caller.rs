//! The `Authorization: Bearer` session of a request.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};

use crate::server::domain::Session;
use crate::server::problem::Problem;
use crate::server::Domain;

/// Who made a request, for the request log (see `routes::observe`): set once the
/// session is known.
#[derive(Clone, Default)]
pub struct RequestUser(std::sync::Arc<std::sync::OnceLock<uuid::Uuid>>);

impl RequestUser {
    pub fn get(&self) -> Option<uuid::Uuid> {
        self.0.get().copied()
    }

    fn record(parts: &Parts, session: &Session) {
        if let Some(me) = parts.extensions.get::<RequestUser>() {
            let _ = me.0.set(session.user.id);
        }
    }
}

/// An authenticated caller whose password is their own (the domain refuses a one-time
/// password's session everything else).
pub struct Caller(pub Session);

/// An authenticated caller, one-time password or not: for setting one's password,
/// logging out and `/me`.
pub struct AnyCaller(pub Session);

fn bearer(parts: &Parts) -> Result<&str, Problem> {
    parts
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
        })
}

impl FromRequestParts<Domain> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        domain: &Domain,
    ) -> Result<Self, Self::Rejection> {
        let mut session = domain.authenticate(bearer(parts)?).await?;
        session.workstation = super::workstation::of(parts);
        RequestUser::record(parts, &session);
        Ok(Caller(session))
    }
}

impl FromRequestParts<Domain> for AnyCaller {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        domain: &Domain,
    ) -> Result<Self, Self::Rejection> {
        let mut session = domain
            .authenticate_even_with_a_one_time_password(bearer(parts)?)
            .await?;
        session.workstation = super::workstation::of(parts);
        RequestUser::record(parts, &session);
        Ok(AnyCaller(session))
    }
}
