//! HTTP routes: thin handlers that parse, call the domain, and serialise.

mod admin;
mod caller;
mod conversations;
mod directory;
mod events;
mod health;
mod list_patients;
mod lists;
mod me;
mod messages;
mod patients;
mod presentation;
mod session;
mod workstation;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

use super::problem::Problem;
use super::Domain;

pub fn router(domain: Domain) -> Router {
    let api = Router::new()
        .route("/session", post(session::login).delete(session::logout))
        .route("/session/verify", post(session::verify))
        .route("/session/lock", post(session::locked))
        .route("/me", get(me::me))
        .route("/me/password", axum::routing::put(me::change_password))
        .route("/version", get(health::version))
        .route("/openapi.json", get(health::openapi))
        .route("/lists", get(lists::index).post(lists::create))
        .route(
            "/lists/{id}",
            axum::routing::patch(lists::rename).delete(lists::delete),
        )
        .route("/lists/{id}/duplicate", post(lists::duplicate))
        .route("/lists/{id}/patients", post(list_patients::add_patient))
        .route(
            "/lists/{id}/patients/{patient}",
            axum::routing::delete(list_patients::remove_patient),
        )
        .route("/lists/{id}/import", post(lists::import))
        .route("/patients", get(patients::search))
        .route("/lists/{id}/rows", get(lists::rows))
        .route("/lists/{id}/refresh", post(lists::refresh))
        .route("/lists/{id}/view", axum::routing::put(lists::save_view))
        .route("/patients/{id}", get(patients::patient))
        .route(
            "/conversations",
            get(conversations::index).post(conversations::start),
        )
        .route(
            "/conversations/{id}",
            axum::routing::patch(conversations::rename),
        )
        .route(
            "/conversations/{id}/members/{username}",
            axum::routing::put(conversations::add_member).delete(conversations::remove_member),
        )
        .route("/directory", get(directory::search))
        .route("/roles", get(directory::roles))
        .route("/me/status", axum::routing::put(directory::status))
        .route("/me/oncall", post(directory::on_call))
        .route("/admin/roles", post(directory::create_role))
        .route(
            "/admin/roles/{name}",
            axum::routing::delete(directory::delete_role),
        )
        .route("/admin/rota", post(directory::import_rota))
        .route(
            "/conversations/{id}/messages",
            get(conversations::messages).post(conversations::send),
        )
        .route("/messages/{id}/receipts", post(messages::receipt))
        .route("/messages/{id}/ack", post(messages::acknowledge))
        .route("/me/awaiting", get(me::awaiting))
        .route("/me/policy", get(me::policy))
        .route("/me/settings", axum::routing::put(me::settings))
        .route(
            "/lists/{id}/patients/{patient}/conversation",
            post(list_patients::patient_conversation),
        )
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route(
            "/admin/users/{username}",
            axum::routing::patch(admin::change_user),
        )
        .route("/admin/teams", get(admin::teams).post(admin::create_team))
        .route(
            "/admin/teams/{team}/members/{username}",
            axum::routing::put(admin::add_member).delete(admin::remove_member),
        )
        .route("/admin/policies", get(admin::policies))
        .route(
            "/admin/policies/{name}",
            get(admin::policy)
                .post(admin::create_policy)
                .patch(admin::update_policy),
        )
        .route("/admin/policy-assignments", post(admin::assign))
        .route("/admin/audit", get(admin::audit))
        .route("/admin/audit/verify", get(admin::audit_verify))
        .route("/admin/audit/fhir", get(admin::audit_fhir))
        .route(
            "/admin/packages/{package}/apply",
            post(admin::apply_package),
        )
        .route("/presentation", get(presentation::current))
        .route(
            "/presentation/follow",
            post(presentation::follow).delete(presentation::unfollow),
        )
        .route("/presentation/control", post(presentation::control))
        .route("/presentation/view", axum::routing::put(presentation::view))
        .route("/me/ping", post(me::ping))
        .route("/events", get(events::stream));
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .fallback(|| async {
            Problem::new(StatusCode::NOT_FOUND, "There is nothing at this address.")
        })
        .layer(axum::middleware::from_fn(refuse_nul_in_address))
        .layer(axum::middleware::from_fn_with_state(
            domain.clone(),
            observe,
        ))
        .with_state(domain)
}

/// A NUL (`%00`) in a path or query names nothing and could reach the store (which
/// PostgreSQL refuses with an error); refused here, once, for every route.
async fn refuse_nul_in_address(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let uri = request.uri();
    let nul = |s: &str| {
        s.as_bytes()
            .windows(3)
            .any(|w| w.eq_ignore_ascii_case(b"%00"))
    };
    if nul(uri.path()) || uri.query().is_some_and(nul) {
        return crate::server::problem::nul_problem().into_response();
    }
    next.run(request).await
}

/// Logs and times every request by its route's template (`/api/v1/lists/{id}/rows`),
/// never its path or query, which carry patient ids and search terms; with the user, once
/// `Caller` knows them.
async fn observe(
    axum::extract::State(domain): axum::extract::State<Domain>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("(no route)", |m| m.as_str())
        .to_string();
    let user = caller::RequestUser::default();
    request.extensions_mut().insert(user.clone());
    let response = next.run(request).await;
    let took = started.elapsed();
    let status = response.status().as_u16();
    domain
        .metrics()
        .request(method.as_str(), &route, status, took);
    let latency_ms = (took.as_secs_f64() * 1e5).round() / 100.0;
    let user = user.get();
    let user = tracing::field::display(user.as_ref().map_or("-".into(), ToString::to_string));
    if status >= 500 {
        tracing::warn!(target: "wardround::http", %method, %route, status, latency_ms, user, "request");
    } else {
        tracing::info!(target: "wardround::http", %method, %route, status, latency_ms, user, "request");
    }
    response
}
