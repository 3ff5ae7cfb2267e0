//! Where a request comes from, for the audit log: the peer's address and the name the
//! workstation gives (`X-Wardround-Workstation`). The name is the client's word, so it is
//! cut to printable ASCII and recorded beside the address, never instead of it.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

pub const HEADER: &str = "x-wardround-workstation";

pub struct Workstation(pub String);

pub fn of(parts: &Parts) -> String {
    let addr = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let name = parts
        .headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|n| crate::sanitize::strict(n, 64))
        .filter(|n| !n.trim().is_empty());
    match (addr, name) {
        (Some(addr), Some(name)) => format!("{addr} {name}"),
        (addr, name) => addr.or(name).unwrap_or_default(),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Workstation {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Workstation(of(parts)))
    }
}
