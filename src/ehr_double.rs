//! An EHR double: an HTTP server that serves FHIR resources from bundles the way a FHIR
//! server does (`metadata`, reads, searches by patient or identifier with paging,
//! references rewritten from `urn:uuid:` to `Type/id` as servers store them), with a
//! latency and faults to set. The integration tests run against it, and
//! `wardround ehr-double` serves it for trying wardround (or measuring it) against a slow
//! EHR without one. In memory only; it never writes what it serves anywhere.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

/// A minimal R4 CapabilityStatement: the version, and the searches the double answers.
pub const R4_METADATA: &str = r#"{"resourceType":"CapabilityStatement","status":"active","date":"2026-12-01","kind":"instance","fhirVersion":"4.0.1","format":["json"],"software":{"name":"wardround ehr-double"},"rest":[{"mode":"server","resource":[{"type":"Patient","interaction":[{"code":"read"},{"code":"search-type"}],"searchParam":[{"name":"identifier","type":"token"}]},{"type":"Encounter","interaction":[{"code":"read"},{"code":"search-type"}],"searchInclude":["Encounter:patient"]},{"type":"Observation","interaction":[{"code":"search-type"}]},{"type":"Location","interaction":[{"code":"read"},{"code":"search-type"}]}]}]}"#;

#[derive(Debug, thiserror::Error)]
pub enum DoubleError {
    #[error("cannot read {0}: {1}")]
    Read(String, std::io::Error),
    #[error("{0} is not JSON: {1}")]
    NotJson(String, String),
    #[error("cannot listen: {0}")]
    Listen(std::io::Error),
}

/// Entries a search page holds unless set otherwise: small, so the tests page.
const PAGE: usize = 10;
/// A page as FHIR servers commonly cap it (HAPI's default maximum), for the command and
/// the benchmark.
pub const SERVER_PAGE: usize = 50;

/// An STU3 server's CapabilityStatement, offering stays with their patients (`_include`).
pub const STU3_METADATA: &str = r#"{"resourceType":"CapabilityStatement","status":"active","date":"2026-12-01","kind":"instance","fhirVersion":"3.0.2","format":["json"],"rest":[{"mode":"server","resource":[{"type":"Patient","interaction":[{"code":"read"},{"code":"search-type"}]},{"type":"Encounter","interaction":[{"code":"read"},{"code":"search-type"}],"searchInclude":["Encounter:patient"]},{"type":"Observation","interaction":[{"code":"search-type"}]},{"type":"Location","interaction":[{"code":"read"},{"code":"search-type"}]}]}]}"#;

/// A DSTU2 server's Conformance, without `_include`: the census asks for its patients
/// by `_id` in a search of their own.
pub const DSTU2_METADATA: &str = r#"{"resourceType":"Conformance","status":"active","date":"2026-12-01","kind":"instance","fhirVersion":"1.0.2","format":["json"],"rest":[{"mode":"server","resource":[{"type":"Patient","interaction":[{"code":"read"},{"code":"search-type"}]},{"type":"Encounter","interaction":[{"code":"read"},{"code":"search-type"}]},{"type":"Observation","interaction":[{"code":"search-type"}]},{"type":"Location","interaction":[{"code":"read"},{"code":"search-type"}]}]}]}"#;

/// Requests `requests` keeps, the latest.
const MOST_REMEMBERED: usize = 20_000;

pub struct EhrDouble {
    /// What it serves; `admit`, `discharge` and `put` change it while it serves.
    resources: RwLock<Vec<Value>>,
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
    /// The most entries a search page holds (a search's `_count` asks for fewer).
    pub page_size: AtomicUsize,
    /// Every request answered 500, as an EHR that is down behind its proxy.
    pub down: AtomicBool,
    /// Requests whose path and query hold this are answered 500.
    pub fail_matching: Mutex<Option<String>>,
    /// Requests being answered now, and the most there were at once.
    pub in_flight: AtomicUsize,
    pub most_in_flight: AtomicUsize,
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), DoubleError> {
    let unreadable = |e: std::io::Error| DoubleError::Read(dir.display().to_string(), e);
    for e in std::fs::read_dir(dir).map_err(unreadable)? {
        let p = e.map_err(unreadable)?.path();
        if p.is_dir() {
            json_files(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    Ok(())
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

impl EhrDouble {
    /// Serves the resources of these bundles (or single resources), with `metadata` (a
    /// CapabilityStatement or DSTU2 Conformance) saying which FHIR version it speaks.
    pub fn from_bundles(
        bundles: Vec<Vec<u8>>,
        metadata: Vec<u8>,
    ) -> Result<Arc<EhrDouble>, DoubleError> {
        let mut resources = Vec::new();
        let mut urls = HashMap::new();
        for (n, bytes) in bundles.into_iter().enumerate() {
            let bundle: Value = serde_json::from_slice(&bytes)
                .map_err(|e| DoubleError::NotJson(format!("bundle {n}"), e.to_string()))?;
            if bundle["resourceType"] != "Bundle" {
                resources.push(bundle);
                continue;
            }
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
        let version: Value = serde_json::from_slice(&metadata)
            .map_err(|e| DoubleError::NotJson("metadata".into(), e.to_string()))?;
        let media_type = if version["resourceType"] == "Conformance" {
            "application/json+fhir"
        } else {
            "application/fhir+json"
        };
        Ok(Arc::new(EhrDouble {
            resources: RwLock::new(resources),
            metadata: Mutex::new(metadata),
            media_type,
            required_token: Mutex::new(None),
            smart_configuration: Mutex::new(None),
            requests: Mutex::new(Vec::new()),
            throttle: AtomicUsize::new(0),
            latency_ms: AtomicU64::new(0),
            page_size: AtomicUsize::new(PAGE),
            down: AtomicBool::new(false),
            fail_matching: Mutex::new(None),
            in_flight: AtomicUsize::new(0),
            most_in_flight: AtomicUsize::new(0),
        }))
    }

    /// Every JSON file under `dir`, in name order.
    pub fn bundles_in(dir: &Path) -> Result<Vec<Vec<u8>>, DoubleError> {
        let mut files = Vec::new();
        json_files(dir, &mut files)?;
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read(f).map_err(|e| DoubleError::Read(f.display().to_string(), e)))
            .collect()
    }

    pub fn from_dir(dir: &Path, metadata: &Path) -> Result<Arc<EhrDouble>, DoubleError> {
        let metadata = std::fs::read(metadata)
            .map_err(|e| DoubleError::Read(metadata.display().to_string(), e))?;
        Self::from_bundles(Self::bundles_in(dir)?, metadata)
    }

    /// Serves on a port of its own on loopback; the FHIR base URL.
    pub async fn serve(self: &Arc<Self>) -> Result<String, DoubleError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(DoubleError::Listen)?;
        self.serve_on(listener)
    }

    /// Serves on `listener` (in a task of its own); the FHIR base URL.
    pub fn serve_on(
        self: &Arc<Self>,
        listener: tokio::net::TcpListener,
    ) -> Result<String, DoubleError> {
        let addr = listener.local_addr().map_err(DoubleError::Listen)?;
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(format!("http://{addr}/fhir"))
    }

    pub fn requests(&self) -> Vec<(String, String)> {
        lock(&self.requests).clone()
    }

    /// Stores a resource, replacing the one of the same type and id: what an EHR's
    /// users do while it serves (an admission, a transfer, a discharge, a list edited).
    pub fn put(&self, resource: Value) {
        let mut resources = self.resources.write().unwrap_or_else(|p| p.into_inner());
        let same =
            |r: &Value| r["resourceType"] == resource["resourceType"] && r["id"] == resource["id"];
        match resources.iter_mut().find(|r| same(r)) {
            Some(r) => *r = resource,
            None => resources.push(resource),
        }
    }

    /// The resource of this type and id, as served now.
    pub fn get(&self, kind: &str, id: &str) -> Option<Value> {
        let resources = self.resources.read().unwrap_or_else(|p| p.into_inner());
        resources
            .iter()
            .find(|r| r["resourceType"] == kind && r["id"] == id)
            .cloned()
    }

    /// Every resource of a type, as served now.
    pub fn all(&self, kind: &str) -> Vec<Value> {
        let resources = self.resources.read().unwrap_or_else(|p| p.into_inner());
        resources
            .iter()
            .filter(|r| r["resourceType"] == kind)
            .cloned()
            .collect()
    }

    /// How many resources it serves.
    pub fn len(&self) -> usize {
        self.resources
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.resources
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn fhir(status: StatusCode, media: &str, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    if let Ok(media) = header::HeaderValue::from_str(media) {
        response.headers_mut().insert(header::CONTENT_TYPE, media);
    }
    response
}

fn to_json(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
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

async fn handle(State(ehr): State<Arc<EhrDouble>>, req: Request) -> Response {
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

fn down(ehr: &EhrDouble, why: &str) -> Response {
    let outcome = json!({"resourceType": "OperationOutcome", "issue": [{"severity": "fatal", "code": "transient", "diagnostics": why}]});
    fhir(
        StatusCode::INTERNAL_SERVER_ERROR,
        ehr.media_type,
        to_json(&outcome),
    )
}

/// Every part of a Patient's names, lower-cased: families, givens, texts' words.
fn patient_name_parts(r: &Value) -> Vec<String> {
    let mut parts = Vec::new();
    for n in r["name"].as_array().into_iter().flatten() {
        let mut add = |s: &str| {
            parts.extend(
                s.split([' ', ','])
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase),
            )
        };
        if let Some(f) = n["family"].as_str() {
            add(f);
        }
        // DSTU2 has the family as a list.
        for f in n["family"].as_array().into_iter().flatten() {
            add(f.as_str().unwrap_or_default());
        }
        for g in n["given"].as_array().into_iter().flatten() {
            add(g.as_str().unwrap_or_default());
        }
        if let Some(t) = n["text"].as_str() {
            add(t);
        }
    }
    parts
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

/// A search's matches (and what it included) as one page.
fn searchset(ehr: &EhrDouble, found: &[&Value], included: &[&Value]) -> Response {
    let entry = |r: &Value, mode: &str| {
        json!({
            "fullUrl": format!("http://test-ehr/fhir/{}/{}", r["resourceType"].as_str().unwrap_or(""), r["id"].as_str().unwrap_or("")),
            "resource": r,
            "search": {"mode": mode},
        })
    };
    let entries: Vec<Value> = found
        .iter()
        .map(|r| entry(r, "match"))
        .chain(included.iter().map(|r| entry(r, "include")))
        .collect();
    let bundle = json!({"resourceType": "Bundle", "type": "searchset", "total": found.len(), "entry": entries});
    fhir(StatusCode::OK, ehr.media_type, to_json(&bundle))
}

/// Percent-decoding of a query value (`%20`, `%7C`, `+`).
fn decode(value: &str) -> String {
    let hex = |b: u8| char::from(b).to_digit(16);
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| Some(hex(*bytes.get(i + 1)?)? * 16 + hex(*bytes.get(i + 2)?)?))
            .flatten();
        match (escaped, bytes[i]) {
            (Some(b), _) => {
                out.push(u8::try_from(b).unwrap_or(b'?'));
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, b) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn answer(ehr: &EhrDouble, req: Request) -> Response {
    let uri = req.uri().clone();
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    {
        // The latest requests only: the demo serves for as long as it runs.
        let mut requests = lock(&ehr.requests);
        if requests.len() >= MOST_REMEMBERED {
            requests.drain(..MOST_REMEMBERED / 2);
        }
        requests.push((uri.to_string(), accept));
    }
    if ehr.down.load(Ordering::SeqCst) {
        return down(ehr, "the EHR is down for maintenance");
    }
    if let Some(needle) = lock(&ehr.fail_matching).clone() {
        if uri.to_string().contains(&needle) {
            return down(ehr, "this request failed");
        }
    }
    if ehr.throttle.load(Ordering::SeqCst) > 0 {
        ehr.throttle.fetch_sub(1, Ordering::SeqCst);
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        return response;
    }
    let path = uri.path().trim_start_matches("/fhir/");
    let open = path == "metadata" || path.starts_with(".well-known/");
    if let (Some(wanted), false) = (lock(&ehr.required_token).clone(), open) {
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
    let resources = ehr.resources.read().unwrap_or_else(|p| p.into_inner());
    match parts.as_slice() {
        ["metadata"] => fhir(StatusCode::OK, ehr.media_type, lock(&ehr.metadata).clone()),
        [".well-known", "smart-configuration"] => match lock(&ehr.smart_configuration).clone() {
            Some(c) => fhir(StatusCode::OK, "application/json", to_json(&c)),
            None => fhir(StatusCode::NOT_FOUND, "application/json", b"{}".to_vec()),
        },
        [kind, id] => match resources
            .iter()
            .find(|r| r["resourceType"] == *kind && r["id"] == *id)
        {
            Some(r) => fhir(StatusCode::OK, ehr.media_type, to_json(r)),
            None => {
                let outcome = json!({"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "not-found", "diagnostics": format!("{kind}/{id} is not known")}]});
                fhir(StatusCode::NOT_FOUND, ehr.media_type, to_json(&outcome))
            }
        },
        ["Location"] if !query.contains_key("patient") => {
            let list = |q: &str| -> Vec<String> {
                q.replace("%2C", ",")
                    .split(',')
                    .map(str::to_string)
                    .collect()
            };
            let name = query.get("name").map(|n| decode(n).to_lowercase());
            let found: Vec<&Value> = resources
                .iter()
                .filter(|r| r["resourceType"] == "Location")
                .filter(|r| {
                    query.get("partof").is_none_or(|ids| {
                        list(ids).iter().any(|id| {
                            r["partOf"]["reference"].as_str() == Some(&format!("Location/{id}"))
                        })
                    })
                })
                // Servers match a name by its start, ignoring case.
                .filter(|r| {
                    name.as_deref().is_none_or(|n| {
                        r["name"]
                            .as_str()
                            .is_some_and(|have| have.to_lowercase().starts_with(n))
                    })
                })
                .filter(|r| {
                    query
                        .get("identifier")
                        .is_none_or(|i| has_identifier(r, &decode(i)))
                })
                .collect();
            searchset(ehr, &found, &[])
        }
        ["Encounter"] if query.contains_key("location") => {
            let wanted: Vec<String> = query["location"]
                .replace("%2C", ",")
                .split(',')
                .map(|id| format!("Location/{id}"))
                .collect();
            let found: Vec<&Value> = resources
                .iter()
                .filter(|r| r["resourceType"] == "Encounter")
                .filter(|r| {
                    query
                        .get("status")
                        .is_none_or(|s| r["status"] == s.as_str())
                })
                .filter(|r| {
                    r["location"].as_array().is_some_and(|ls| {
                        ls.iter().any(|l| {
                            l["location"]["reference"]
                                .as_str()
                                .is_some_and(|reference| wanted.iter().any(|w| w == reference))
                        })
                    })
                })
                .collect();
            let included: Vec<&Value> = if query.get("_include").map(String::as_str)
                == Some("Encounter:patient")
            {
                found
                    .iter()
                    .filter_map(|e| {
                        let subject = e["subject"]["reference"]
                            .as_str()
                            .or(e["patient"]["reference"].as_str())?;
                        resources.iter().find(|p| {
                            p["resourceType"] == "Patient"
                                && format!("Patient/{}", p["id"].as_str().unwrap_or("")) == subject
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            searchset(ehr, &found, &included)
        }
        ["List"] => {
            let found: Vec<&Value> = resources
                .iter()
                .filter(|r| r["resourceType"] == "List")
                .filter(|r| query.get("code").is_none_or(|codes| has_code(r, codes)))
                .filter(|r| {
                    query
                        .get("identifier")
                        .is_none_or(|i| has_identifier(r, &decode(i)))
                })
                .collect();
            searchset(ehr, &found, &[])
        }
        ["Patient"] if query.contains_key("_id") => {
            let ids: Vec<String> = decode(&query["_id"])
                .split(',')
                .map(str::to_string)
                .collect();
            let found: Vec<&Value> = resources
                .iter()
                .filter(|r| r["resourceType"] == "Patient")
                .filter(|r| {
                    r["id"]
                        .as_str()
                        .is_some_and(|id| ids.iter().any(|i| i == id))
                })
                .collect();
            searchset(ehr, &found, &[])
        }
        // As a FHIR server searches `name` (any part of any name, from its start, without
        // case) and `birthdate` (the day), with `identifier` when given too.
        ["Patient"] if query.contains_key("name") || query.contains_key("birthdate") => {
            let name = query.get("name").map(|n| decode(n).to_lowercase());
            let born = query.get("birthdate").map(|b| decode(b));
            let found: Vec<&Value> = resources
                .iter()
                .filter(|r| r["resourceType"] == "Patient")
                .filter(|r| {
                    name.as_deref().is_none_or(|wanted| {
                        let parts = patient_name_parts(r);
                        wanted
                            .split([' ', ','])
                            .filter(|w| !w.is_empty())
                            .all(|w| parts.iter().any(|p| p.starts_with(w)))
                    })
                })
                .filter(|r| {
                    born.as_deref()
                        .is_none_or(|b| r["birthDate"].as_str() == Some(b))
                })
                .filter(|r| {
                    query
                        .get("identifier")
                        .is_none_or(|i| has_identifier(r, &decode(i)))
                })
                .collect();
            searchset(ehr, &found, &[])
        }
        ["Patient"] if query.contains_key("identifier") => {
            let found: Vec<Value> = resources.iter()
                .filter(|r| r["resourceType"] == "Patient" && has_identifier(r, &query["identifier"]))
                .map(|r| json!({"fullUrl": format!("http://test-ehr/fhir/Patient/{}", r["id"].as_str().unwrap_or("")), "resource": r}))
                .collect();
            let bundle = json!({"resourceType": "Bundle", "type": "searchset", "total": found.len(), "entry": found});
            fhir(StatusCode::OK, ehr.media_type, to_json(&bundle))
        }
        [kind] => {
            let patient = query
                .get("patient")
                .or(query.get("subject"))
                .cloned()
                .unwrap_or_default();
            let matches: Vec<&Value> = resources
                .iter()
                .filter(|r| r["resourceType"] == *kind && about_patient(r, &patient))
                .filter(|r| query.get("category").is_none_or(|c| in_category(r, c)))
                .filter(|r| query.get("code").is_none_or(|codes| has_code(r, codes)))
                .collect();
            let offset: usize = query
                .get("_offset")
                .and_then(|o| o.parse().ok())
                .unwrap_or(0);
            let size = query
                .get("_count")
                .and_then(|c| c.parse().ok())
                .unwrap_or(usize::MAX)
                .min(ehr.page_size.load(Ordering::SeqCst))
                .max(1);
            let page: Vec<Value> = matches
                .iter()
                .skip(offset)
                .take(size)
                .map(|r| json!({"fullUrl": format!("http://test-ehr/fhir/{}/{}", r["resourceType"].as_str().unwrap_or(""), r["id"].as_str().unwrap_or("")), "resource": r}))
                .collect();
            let mut links = vec![json!({"relation": "self", "url": uri.to_string()})];
            if offset + size < matches.len() {
                let host = req
                    .headers()
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or("");
                let keep: String = ["category", "code", "_count"]
                    .iter()
                    .filter_map(|k| query.get(*k).map(|v| format!("&{k}={v}")))
                    .collect();
                links.push(json!({"relation": "next", "url": format!("http://{host}/fhir/{kind}?patient={patient}&_offset={}{keep}", offset + size)}));
            }
            let bundle = json!({"resourceType": "Bundle", "type": "searchset", "total": matches.len(), "link": links, "entry": page});
            fhir(StatusCode::OK, ehr.media_type, to_json(&bundle))
        }
        _ => fhir(StatusCode::BAD_REQUEST, ehr.media_type, b"{}".to_vec()),
    }
}
