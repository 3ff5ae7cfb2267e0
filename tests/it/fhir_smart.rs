//! SMART Backend Services against a local token endpoint that checks the client's signed
//! assertion (signature, audience, issuer, expiry) the way an EHR's authorization server does.

use crate::ehr;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Form, Json};
use ehr::{fixtures, TestEhr};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{json, Value};
use wardround::fhir::http::{EhrAuth, EhrConfig, HttpSource};
use wardround::fhir::smart::{SigningAlgorithm, SmartConfig};
use wardround::fhir::FhirSource;

const CLIENT: &str = "wardround-4west";
const TOKEN: &str = "access-token-123";
const LIZ: &str = "ee9f8dd8-72d2-4769-8020-89e504b1504b";

struct AuthServer {
    url: Mutex<String>,
    key: DecodingKey,
    algorithm: Algorithm,
    issued: AtomicUsize,
    last_error: Mutex<Option<String>>,
}

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: String,
    client_assertion_type: String,
    client_assertion: String,
    scope: String,
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    exp: i64,
    jti: String,
}

async fn token(
    State(auth): State<Arc<AuthServer>>,
    Form(req): Form<TokenRequest>,
) -> (StatusCode, Json<Value>) {
    let refuse = |why: String| {
        *auth.last_error.lock().unwrap() = Some(why.clone());
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client", "error_description": why})),
        )
    };
    if req.grant_type != "client_credentials"
        || !req.client_assertion_type.ends_with("jwt-bearer")
        || req.scope.is_empty()
    {
        return refuse("not a client_credentials request with a JWT assertion".into());
    }
    let mut validation = Validation::new(auth.algorithm);
    let audience = auth.url.lock().unwrap().clone();
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    let claims = match jsonwebtoken::decode::<Claims>(&req.client_assertion, &auth.key, &validation)
    {
        Ok(data) => data.claims,
        Err(e) => return refuse(format!("assertion rejected: {e}")),
    };
    let now = chrono::Utc::now().timestamp();
    if claims.iss != CLIENT || claims.sub != CLIENT || claims.jti.is_empty() {
        return refuse("wrong issuer or subject".into());
    }
    if claims.exp > now + 300 {
        return refuse("assertion lives longer than five minutes".into());
    }
    auth.issued.fetch_add(1, Ordering::SeqCst);
    (
        StatusCode::OK,
        Json(
            json!({"access_token": TOKEN, "token_type": "bearer", "expires_in": 300, "scope": req.scope}),
        ),
    )
}

async fn auth_server(public_pem: &str, algorithm: Algorithm) -> Arc<AuthServer> {
    let key = match algorithm {
        Algorithm::ES384 => DecodingKey::from_ec_pem(public_pem.as_bytes()).unwrap(),
        _ => DecodingKey::from_rsa_pem(public_pem.as_bytes()).unwrap(),
    };
    let auth = Arc::new(AuthServer {
        url: Mutex::new(String::new()),
        key,
        algorithm,
        issued: AtomicUsize::new(0),
        last_error: Mutex::new(None),
    });
    let app = axum::Router::new()
        .route("/token", axum::routing::post(token))
        .with_state(auth.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    *auth.url.lock().unwrap() = format!("http://{}/token", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    auth
}

fn key(name: &str) -> String {
    std::fs::read_to_string(fixtures().join("../smart").join(name)).unwrap()
}

fn smart(algorithm: SigningAlgorithm, private: &str, token_url: Option<String>) -> SmartConfig {
    SmartConfig {
        client_id: CLIENT.into(),
        private_key_pem: key(private),
        algorithm,
        key_id: Some("test-key".into()),
        scope: "system/Patient.read system/Observation.read".into(),
        token_url,
    }
}

/// The r4 fixtures behind a token, advertising `token_url` in their CapabilityStatement.
async fn protected_ehr(advertised: Option<&str>) -> (Arc<ehr::EhrDouble>, String) {
    let ehr = TestEhr::from_dir(
        &fixtures().join("r4"),
        &fixtures().join("capability/r4/smart-minimal-no-resources-4.0.0.json"),
    );
    let mut metadata: Value = serde_json::from_slice(&ehr.metadata.lock().unwrap()).unwrap();
    let oauth = &mut metadata["rest"][0]["security"]["extension"][0]["extension"];
    for e in oauth.as_array_mut().unwrap() {
        if e["url"] == "token" {
            e["valueUri"] = advertised.map_or(Value::Null, |u| json!(u));
        }
    }
    *ehr.metadata.lock().unwrap() = serde_json::to_vec(&metadata).unwrap();
    *ehr.required_token.lock().unwrap() = Some(TOKEN.into());
    let url = ehr::serve(&ehr).await;
    (ehr, url)
}

fn source(url: &str, smart: SmartConfig) -> HttpSource {
    let mut c = EhrConfig::new(url);
    c.timeout = Duration::from_secs(10);
    c.auth = EhrAuth::Smart(smart);
    HttpSource::new(c).unwrap()
}

#[tokio::test]
async fn rs384_token_from_the_advertised_endpoint_is_used_and_reused() {
    let auth = auth_server(&key("rs384-public.pem"), Algorithm::RS384).await;
    let token_url = auth.url.lock().unwrap().clone();
    let (ehr, url) = protected_ehr(Some(&token_url)).await;
    let source = source(
        &url,
        smart(SigningAlgorithm::Rs384, "rs384-private.pem", None),
    );
    let chart = source.chart(LIZ).await.unwrap();
    assert!(chart.is_some(), "{:?}", auth.last_error.lock().unwrap());
    source.forget(None).await;
    assert!(source.chart(LIZ).await.unwrap().is_some());
    assert_eq!(
        auth.issued.load(Ordering::SeqCst),
        1,
        "the token is reused until it nears expiry"
    );
    assert!(ehr.requests().len() > 5);
}

#[tokio::test]
async fn es384_with_the_endpoint_from_well_known_smart_configuration() {
    let auth = auth_server(&key("es384-public.pem"), Algorithm::ES384).await;
    let token_url = auth.url.lock().unwrap().clone();
    let (ehr, url) = protected_ehr(None).await;
    *ehr.smart_configuration.lock().unwrap() =
        Some(json!({"token_endpoint": token_url, "grant_types_supported": ["client_credentials"]}));
    let source = source(
        &url,
        smart(SigningAlgorithm::Es384, "es384-private.pem", None),
    );
    assert!(
        source.chart(LIZ).await.unwrap().is_some(),
        "{:?}",
        auth.last_error.lock().unwrap()
    );
    assert_eq!(auth.issued.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_assertion_signed_with_the_wrong_key_is_refused_clearly() {
    let auth = auth_server(&key("rs384-public.pem"), Algorithm::RS384).await;
    let token_url = auth.url.lock().unwrap().clone();
    let (_ehr, url) = protected_ehr(None).await;
    // The ES384 key is not the one the authorization server holds.
    let source = source(
        &url,
        smart(
            SigningAlgorithm::Es384,
            "es384-private.pem",
            Some(token_url),
        ),
    );
    let err = source.chart(LIZ).await.unwrap_err().to_string();
    assert!(
        err.contains("refused wardround's SMART token request"),
        "{err}"
    );
    assert!(auth
        .last_error
        .lock()
        .unwrap()
        .as_deref()
        .is_some_and(|e| e.contains("assertion rejected")));
    assert_eq!(auth.issued.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn without_a_token_the_ehr_says_401_and_wardround_says_so() {
    let (_ehr, url) = protected_ehr(None).await;
    let source = HttpSource::new(EhrConfig::new(&url)).unwrap();
    let err = source.chart(LIZ).await.unwrap_err().to_string();
    assert!(err.contains("401") && err.contains("credentials"), "{err}");
}
