//! The API's OpenAPI 3.1 description, generated from the code: the operations from the
//! handlers' `#[utoipa::path]` annotations (collected by the router itself,
//! `routes::api`), the bodies' schemas from the model's types. Served at
//! `/api/v1/openapi.json`; `api/openapi.json` in the repository is this document written
//! out for integrators, and `tests/it/openapi.rs` fails when the two differ (run
//! `UPDATE_OPENAPI=1 cargo test --test it openapi` to rewrite the file).

use std::sync::OnceLock;

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    Content, HeaderBuilder, InfoBuilder, ObjectBuilder, OpenApi, Ref, RefOr, ResponseBuilder,
    Server, Type,
};
use utoipa::{PartialSchema, ToSchema};

use super::problem::Problem;
use crate::model::Event;

const DESCRIPTION: &str = "The wardround server's API. Errors are RFC 9457 problem+json. \
Authenticate with POST /session, then send Authorization: Bearer <token>. A 503 with \
Retry-After means the database is out of reach for the moment: retry (sends with the same \
message id are stored once). GET /events is a server-sent event stream whose events each \
carry one Event (components/schemas/Event) as JSON.";

/// The responses every operation may give besides its own: a refusal (401, 403, 404,
/// 409, 422, 429, …) and the store out of reach.
const REFUSED: &str = "Refused";
const UNAVAILABLE: &str = "Unavailable";
const EHR_FAILED: &str = "EhrFailed";

/// What a successful response without a description of its own says.
const DONE: &str = "Done";

/// The whole document.
pub fn document() -> OpenApi {
    let mut doc = super::routes::api().into_openapi();
    doc.info = InfoBuilder::new()
        .title("wardround")
        .version("1")
        .description(Some(DESCRIPTION))
        .build();
    doc.servers = Some(vec![Server::new("/api/v1")]);
    doc.security = Some(vec![SecurityRequirement::new(
        "bearer",
        Vec::<String>::new(),
    )]);

    let components = doc.components.get_or_insert_with(Default::default);
    components.security_schemes.insert(
        "bearer".into(),
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    // Problem is in every operation's error responses; Event is the event stream's
    // payload, which no JSON response carries.
    let mut schemas = vec![
        (Problem::name().into_owned(), Problem::schema()),
        (Event::name().into_owned(), Event::schema()),
    ];
    Problem::schemas(&mut schemas);
    Event::schemas(&mut schemas);
    components.schemas.extend(schemas);
    components.responses.insert(
        REFUSED.into(),
        problem_response(
            "Refused, with the reason",
            "With a 429: seconds to wait before trying again",
        )
        .into(),
    );
    components.responses.insert(
        UNAVAILABLE.into(),
        problem_response(
            "The database is out of reach just now (restarting, failing over): nothing was \
             stored; try again after Retry-After seconds",
            "Seconds to wait before trying again",
        )
        .into(),
    );

    components.responses.insert(
        EHR_FAILED.into(),
        problem_response(
            "The EHR failed or refused (its reason, naming the resource type and the EHR, \
             never a patient); nothing was changed",
            "Not sent with this status",
        )
        .into(),
    );

    for (path, item) in doc.paths.paths.iter_mut() {
        // Where an answer waits on the EHR.
        let reads_the_ehr = ["/lists", "/patients", "/locations"]
            .iter()
            .any(|p| path.starts_with(p));
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            complete(operation);
            if reads_the_ehr {
                operation
                    .responses
                    .responses
                    .entry("502".into())
                    .or_insert_with(|| Ref::from_response_name(EHR_FAILED).into());
            }
        }
    }
    doc
}

/// [`document`] as served and as `api/openapi.json` holds it: pretty JSON and a newline.
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| match document().to_pretty_json() {
        Ok(json) => json + "\n",
        Err(e) => {
            // Plain data with string keys: cannot happen.
            tracing::error!(error = %e, "the OpenAPI document did not serialise");
            String::from("{}\n")
        }
    })
}

fn problem_response(description: &str, retry_after: &str) -> utoipa::openapi::Response {
    let mut response = ResponseBuilder::new().description(description).content(
        "application/problem+json",
        Content::new(Some(Ref::from_schema_name(Problem::name()))),
    );
    let seconds = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0));
    response = response.header(
        "Retry-After",
        HeaderBuilder::new()
            .schema(seconds)
            .description(Some(retry_after))
            .build(),
    );
    response.build()
}

/// What every operation says alike: the common responses, "Done" for a success that says
/// nothing else, and `security: []` (no authentication) where a handler's annotation has
/// `security(())`.
fn complete(operation: &mut Operation) {
    let public = [SecurityRequirement::default()];
    if operation.security.as_deref() == Some(&public) {
        operation.security = Some(Vec::new());
    }
    let responses = &mut operation.responses.responses;
    for response in responses.values_mut() {
        if let RefOr::T(response) = response {
            if response.description.is_empty() {
                response.description = DONE.into();
            }
        }
    }
    responses
        .entry("4XX".into())
        .or_insert_with(|| Ref::from_response_name(REFUSED).into());
    responses
        .entry("503".into())
        .or_insert_with(|| Ref::from_response_name(UNAVAILABLE).into());
}
