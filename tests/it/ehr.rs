//! A test EHR: an axum server that serves fixture files the way a FHIR server does —
//! `metadata`, reads, searches by patient with paging, references rewritten from
//! `urn:uuid:` to `Type/id` as servers store them. Shared by the HTTP FHIR tests.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

const PAGE: usize = 10;

pub struct TestEhr {
    pub resources: Vec<Value>,
    pub metadata: Mutex<Vec<u8>>,
    pub media_type: &'static str,
    /// When set, every request but `metadata` and the SMART configuration must carry
    /// `Authorization: Bearer <this>`.
    pub required_token: Mutex<Option<String>>,
    /// Served at `.well-known/smart-configuration` when set.
    pub smart_configuration: Mutex<Option<Value>>,
    /// (path and query, Accept) of every request, in order.
    pub requests: Mutex<Vec<(String, String)>>,
    /// Requests still to be answered 429 Retry-After: 1.
    pub throttle: AtomicUsize,
    /// Added before every answer: a slow EHR.
    pub latency_ms: AtomicU64,
    /// Every request answered 500, as an EHR that is down behind its proxy.
    pub down: AtomicBool,
    /// Requests whose path and query hold this are answered 500.
    pub fail_matching: Mutex<Option<String>>,
    /// Requests being answered now, and the most there were at once.
    pub in_flight: AtomicUsize,
    pub most_in_flight: AtomicUsize,
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fhir")
}

pub fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/fhir");
    if !p.is_dir() {
        eprintln!("../shared/fixtures/fhir is absent: the shared-fixture part is skipped");
    }
    p.is_dir().then_some(p)
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

/// Replaces every `reference` that names a bundle entry by its fullUrl with `Type/id`.
fn rewrite(v: &mut Value, urls: &HashMap<String, String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                match child {
                    Value::String(s) if k == "reference" => {
                        if let Some(local) = urls.get(s.as_str()) {
                            *s = local.clone();
                        }
                    }
                    _ => rewrite(child, urls),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rewrite(i, urls)),
        _ => {}
    }
}

impl TestEhr {
    pub fn from_bundles(bundles: Vec<Vec<u8>>, metadata: &Path) -> Arc<TestEhr> {
        let mut resources = Vec::new();
        let mut urls = HashMap::new();
        for bytes in bundles {
            let bundle: Value = serde_json::from_slice(&bytes).unwrap();
            for entry in bundle["entry"].as_array().cloned().unwrap_or_default() {
                let r = entry["resource"].clone();
                let local = format!(
                    "{}/{}",
                    r["resourceType"].as_str().unwrap_or(""),
                    r["id"].as_str().unwrap_or("")
                );
                if let Some(url) = entry["fullUrl"].as_str() {
                    urls.insert(url.to_string(), local);
                }
                resources.push(r);
            }
        }
        for (i, r) in resources.iter_mut().enumerate() {
            rewrite(r, &urls);
            // A server gives every stored resource an id.
            if r["id"].as_str().is_none_or(str::is_empty) {
                r["id"] = json!(format!("assigned-{i}"));
            }
        }
        let metadata = std::fs::read(metadata).unwrap();
        let version: Value = serde_json::from_slice(&metadata).unwrap();
        let media_type = if version["resourceType"] == "Conformance" {
            "application/json+fhir"
        } else {
            "application/fhir+json"
        };
        Arc::new(TestEhr {
            resources,
            metadata: Mutex::new(metadata),
            media_type,
            required_token: Mutex::new(None),
            smart_configuration: Mutex::new(None),
            requests: Mutex::new(Vec::new()),
            throttle: AtomicUsize::new(0),
            latency_ms: AtomicU64::new(0),
            down: AtomicBool::new(false),
            fail_matching: Mutex::new(None),
            in_flight: AtomicUsize::new(0),
            most_in_flight: AtomicUsize::new(0),
        })
    }

    /// Every JSON file under `dir`, in name order.
    pub fn bundles_in(dir: &Path) -> Vec<Vec<u8>> {
        let mut files = Vec::new();
        json_files(dir, &mut files);
        files.sort();
        files.iter().map(|f| std::fs::read(f).unwrap()).collect()
    }

    pub fn from_dir(dir: &Path, metadata: &Path) -> Arc<TestEhr> {
        let mut files = Vec::new();
        json_files(dir, &mut files);
        files.sort();
        Self::from_bundles(
            files.iter().map(|f| std::fs::read(f).unwrap()).collect(),
            metadata,
        )
    }

    pub async fn serve(self: &Arc<Self>) -> String {
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/fhir")
    }

    pub fn requests(&self) -> Vec<(String, String)> {
        self.requests.lock().unwrap().clone()
    }
}

fn fhir(status: StatusCode, media: &str, body: Vec<u8>) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, media)
        .body(Body::from(body))
        .unwrap()
}

fn about_patient(r: &Value, patient: &str) -> bool {
    let wanted = format!("Patient/{patient}");
    ["subject", "patient"]
        .iter()
        .any(|k| r[*k]["reference"].as_str() == Some(wanted.as_str()))
}

fn in_category(r: &Value, code: &str) -> bool {
    let cats = match &r["category"] {
        Value::Array(a) => a.clone(),
        Value::Null => vec![],
        one => vec![one.clone()],
    };
    cats.iter().any(|c| {
        c["coding"]
            .as_array()
            .is_some_and(|cs| cs.iter().any(|x| x["code"] == code))
    })
}

/// `code=a,b,system|c`: any of the codes, on the resource or (for panels) a component.
fn has_code(r: &Value, codes: &str) -> bool {
    let wanted: Vec<&str> = codes
        .split(',')
        .map(|c| c.rsplit('|').next().unwrap_or(c))
        .collect();
    let matches = |concept: &Value| {
        concept["coding"].as_array().is_some_and(|cs| {
            cs.iter()
                .any(|x| x["code"].as_str().is_some_and(|c| wanted.contains(&c)))
        })
    };
    matches(&r["code"])
        || r["component"]
            .as_array()
            .is_some_and(|cs| cs.iter().any(|c| matches(&c["code"])))
}

async fn handle(State(ehr): State<Arc<TestEhr>>, req: Request) -> Response {
    let now = ehr.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    ehr.most_in_flight.fetch_max(now, Ordering::SeqCst);
    let latency = ehr.latency_ms.load(Ordering::SeqCst);
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    let answer = answer(&ehr, req).await;
    ehr.in_flight.fetch_sub(1, Ordering::SeqCst);
    answer
}

fn down(ehr: &TestEhr, why: &str) -> Response {
    let outcome = json!({"resourceType": "OperationOutcome", "issue": [{"severity": "fatal", "code": "transient", "diagnostics": why}]});
    fhir(
        StatusCode::INTERNAL_SERVER_ERROR,
        ehr.media_type,
        serde_json::to_vec(&outcome).unwrap(),
    )
}

/// `identifier=[system|]value` against any of a resource's identifiers.
fn has_identifier(r: &Value, wanted: &str) -> bool {
    let wanted = wanted.replace("%7C", "|").replace("%7c", "|");
    let (system, value) = match wanted.split_once('|') {
        Some((s, v)) => (Some(s.to_string()), v.to_string()),
        None => (None, wanted.clone()),
    };
    r["identifier"].as_array().is_some_and(|ids| {
        ids.iter().any(|i| {
            i["value"].as_str() == Some(value.as_str())
                && system
                    .as_deref()
                    .is_none_or(|s| s.is_empty() || i["system"].as_str() == Some(s))
        })
    })
}

async fn answer(ehr: &TestEhr, req: Request) -> Response {
    let uri = req.uri().clone();
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    ehr.requests.lock().unwrap().push((uri.to_string(), accept));
    if ehr.down.load(Ordering::SeqCst) {
        return down(ehr, "the EHR is down for maintenance");
    }
    if let Some(needle) = ehr.fail_matching.lock().unwrap().clone() {
        if uri.to_string().contains(&needle) {
            return down(ehr, "this request failed");
        }
    }
    if ehr.throttle.load(Ordering::SeqCst) > 0 {
        ehr.throttle.fetch_sub(1, Ordering::SeqCst);
        return Response::builder()
            .status(429)
            .header(header::RETRY_AFTER, "1")
            .body(Body::empty())
            .unwrap();
    }
    let path = uri.path().trim_start_matches("/fhir/");
    let open = path == "metadata" || path.starts_with(".well-known/");
    if let (Some(wanted), false) = (ehr.required_token.lock().unwrap().clone(), open) {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if given != format!("Bearer {wanted}") {
            return fhir(StatusCode::UNAUTHORIZED, ehr.media_type, b"{}".to_vec());
        }
    }
    let query: HashMap<String, String> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["metadata"] => fhir(
            StatusCode::OK,
            ehr.media_type,
            ehr.metadata.lock().unwrap().clone(),
        ),
        [".well-known", "smart-configuration"] => {
            match ehr.smart_configuration.lock().unwrap().clone() {
                Some(c) => fhir(
                    StatusCode::OK,
                    "application/json",
                    serde_json::to_vec(&c).unwrap(),
                ),
                None => fhir(StatusCode::NOT_FOUND, "application/json", b"{}".to_vec()),
            }
        }
        [kind, id] => match ehr
            .resources
            .iter()
            .find(|r| r["resourceType"] == *kind && r["id"] == *id)
        {
            Some(r) => fhir(
                StatusCode::OK,
                ehr.media_type,
                serde_json::to_vec(r).unwrap(),
            ),
            None => {
                let outcome = json!({"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "not-found", "diagnostics": format!("{kind}/{id} is not known")}]});
                fhir(
                    StatusCode::NOT_FOUND,
                    ehr.media_type,
                    serde_json::to_vec(&outcome).unwrap(),
                )
            }
        },
        ["Patient"] if query.contains_key("identifier") => {
            let found: Vec<Value> = ehr
                .resources
                .iter()
                .filter(|r| r["resourceType"] == "Patient" && has_identifier(r, &query["identifier"]))
                .map(|r| json!({"fullUrl": format!("http://test-ehr/fhir/Patient/{}", r["id"].as_str().unwrap_or("")), "resource": r}))
                .collect();
            let bundle = json!({"resourceType": "Bundle", "type": "searchset", "total": found.len(), "entry": found});
            fhir(
                StatusCode::OK,
                ehr.media_type,
                serde_json::to_vec(&bundle).unwrap(),
            )
        }
        [kind] => {
            let patient = query
                .get("patient")
                .or(query.get("subject"))
                .cloned()
                .unwrap_or_default();
            let matches: Vec<&Value> = ehr
                .resources
                .iter()
                .filter(|r| r["resourceType"] == *kind && about_patient(r, &patient))
                .filter(|r| query.get("category").is_none_or(|c| in_category(r, c)))
                .filter(|r| query.get("code").is_none_or(|codes| has_code(r, codes)))
                .collect();
            let offset: usize = query
                .get("_offset")
                .and_then(|o| o.parse().ok())
                .unwrap_or(0);
            let page: Vec<Value> = matches
                .iter()
                .skip(offset)
                .take(PAGE)
                .map(|r| json!({"fullUrl": format!("http://test-ehr/fhir/{}/{}", r["resourceType"].as_str().unwrap_or(""), r["id"].as_str().unwrap_or("")), "resource": r}))
                .collect();
            let mut links = vec![json!({"relation": "self", "url": uri.to_string()})];
            if offset + PAGE < matches.len() {
                let host = req
                    .headers()
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or("");
                let keep: String = ["category", "code"]
                    .iter()
                    .filter_map(|k| query.get(*k).map(|v| format!("&{k}={v}")))
                    .collect();
                links.push(json!({"relation": "next", "url": format!("http://{host}/fhir/{kind}?patient={patient}&_offset={}{keep}", offset + PAGE)}));
            }
            let bundle = json!({"resourceType": "Bundle", "type": "searchset", "total": matches.len(), "link": links, "entry": page});
            fhir(
                StatusCode::OK,
                ehr.media_type,
                serde_json::to_vec(&bundle).unwrap(),
            )
        }
        _ => fhir(StatusCode::BAD_REQUEST, ehr.media_type, b"{}".to_vec()),
    }
}
