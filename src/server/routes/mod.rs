//! HTTP routes: thin handlers that parse, call the domain, and serialise.

mod admin;
mod caller;
mod conversations;
mod directory;
mod events;
mod health;
mod jobs;
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
use axum::routing::get;
use axum::Router;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use super::problem::Problem;
use super::Domain;

/// Every `/api/v1` operation. Each handler's `#[utoipa::path]` names its method and path,
/// so this one list is both the router and the paths of the OpenAPI document
/// (`server::api_doc`).
pub(crate) fn api() -> OpenApiRouter<Domain> {
    let paths = [
        routes!(session::login, session::logout),
        routes!(session::verify),
        routes!(session::locked),
        routes!(me::me),
        routes!(me::change_password),
        routes!(health::version),
        routes!(health::openapi),
        routes!(lists::index, lists::create),
        routes!(lists::rename, lists::delete),
        routes!(lists::duplicate),
        routes!(list_patients::add_patient),
        routes!(list_patients::remove_patient),
        routes!(lists::import),
        routes!(patients::search),
        routes!(lists::rows),
        routes!(lists::refresh),
        routes!(lists::save_view),
        routes!(patients::patient),
        routes!(conversations::index, conversations::start),
        routes!(conversations::rename),
        routes!(conversations::add_member, conversations::remove_member),
        routes!(directory::search),
        routes!(directory::roles),
        routes!(directory::status),
        routes!(directory::on_call),
        routes!(directory::create_role),
        routes!(directory::delete_role),
        routes!(directory::import_rota),
        routes!(conversations::messages, conversations::send),
        routes!(messages::receipt),
        routes!(messages::acknowledge),
        routes!(me::awaiting),
        routes!(me::policy),
        routes!(me::settings),
        routes!(list_patients::patient_conversation),
        routes!(list_patients::seen),
        routes!(patients::locations),
        routes!(admin::users, admin::add_user),
        routes!(admin::change_user),
        routes!(admin::teams, admin::create_team),
        routes!(admin::add_member, admin::remove_member),
        routes!(admin::policies),
        routes!(admin::policy, admin::create_policy, admin::update_policy),
        routes!(admin::assign),
        routes!(admin::audit),
        routes!(admin::audit_verify),
        routes!(admin::audit_fhir),
        routes!(admin::apply_package),
        routes!(jobs::index, jobs::create),
        routes!(jobs::change),
        routes!(jobs::plan),
        routes!(jobs::handover),
        routes!(presentation::current),
        routes!(presentation::follow, presentation::unfollow),
        routes!(presentation::control),
        routes!(presentation::view),
        routes!(me::ping),
        routes!(events::stream),
    ];
    paths.into_iter().fold(OpenApiRouter::new(), at_one_path)
}

/// Adds handlers that share one path. `OpenApiRouter::routes` would route handlers of
/// several paths at every one of those paths: refused here.
fn at_one_path(
    router: OpenApiRouter<Domain>,
    handlers: UtoipaMethodRouter<Domain>,
) -> OpenApiRouter<Domain> {
    let paths: Vec<_> = handlers.1.paths.keys().collect();
    assert_eq!(
        paths.len(),
        1,
        "one routes!(…) per path: these handlers have the paths {paths:?}"
    );
    router.routes(handlers)
}

pub fn router(domain: Domain) -> Router {
    Router::new()
        .nest("/api/v1", api().into())
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
        // Outermost: what a gone client leaves behind still finishes, and is logged.
        .layer(axum::middleware::from_fn(to_completion))
        .with_state(domain)
}

/// Runs each request to its end even when its client goes away (a workstation dropping
/// off the network, a client's timeout): a handler dropped halfway through a write
/// transaction left the store's one writer connection unusable (sqlx's transactions are
/// not safe to cancel), failing every write after it until a restart.
async fn to_completion(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(error = %e, "a request's task failed");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The server could not complete the request; the cause is in its log.",
            )
            .into_response()
        }
    }
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
    // A fixed set: the method is the client's to make up, and each new one would be a new
    // series in /metrics and a longer log line.
    let method = match *request.method() {
        axum::http::Method::GET => "GET",
        axum::http::Method::POST => "POST",
        axum::http::Method::PUT => "PUT",
        axum::http::Method::PATCH => "PATCH",
        axum::http::Method::DELETE => "DELETE",
        axum::http::Method::HEAD => "HEAD",
        axum::http::Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
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
    domain.metrics().request(method, &route, status, took);
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
