//! The OpenAPI document is generated from the code (`server::api_doc`): api/openapi.json is
//! that document, every operation in it is routed, and real responses of a real server
//! match its schemas.

use crate::common;

use std::collections::BTreeSet;

use serde_json::{json, Value};
use wardround::server::api_doc;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

fn doc() -> Value {
    serde_json::from_str(api_doc::json()).unwrap()
}

/// `(path, method, operation)` of every operation.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(METHODS.contains(&method.as_str()), "{method} {path}");
            out.push((path.clone(), method.clone(), op.clone()));
        }
    }
    out
}

#[test]
fn api_openapi_json_is_the_generated_document() {
    let generated = api_doc::json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/api/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(generated.lines().count()));
        panic!(
            "api/openapi.json is not the document the code generates (first difference at \
             line {}). Regenerate it with\n\n    UPDATE_OPENAPI=1 cargo test --test it openapi\n\n\
             and commit it.",
            first + 1
        );
    }
}

#[test]
fn every_operation_has_a_unique_id_a_summary_and_typed_bodies() {
    let doc = doc();
    assert_eq!(doc["openapi"], "3.1.0");
    let operations = operations(&doc);
    assert!(operations.len() > 60, "{}", operations.len());
    let mut ids = BTreeSet::new();
    for (path, method, op) in &operations {
        let what = format!("{method} {path}");
        let id = op["operationId"].as_str().unwrap_or_default();
        assert!(
            ids.insert(id.to_string()),
            "{what}: operationId {id:?} twice"
        );
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{what}: no summary"
        );
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{what}: no success"
        );
        for common in ["4XX", "503"] {
            assert!(responses.contains_key(common), "{what}: no {common}");
        }
    }
    // Nothing anywhere is a bare `{"type": "object"}` that says nothing of its fields.
    let mut vague = Vec::new();
    walk(&doc, "#", &mut |at, v| {
        if v.get("type") == Some(&json!("object"))
            && [
                "properties",
                "additionalProperties",
                "allOf",
                "oneOf",
                "anyOf",
            ]
            .iter()
            .all(|k| v.get(k).is_none())
        {
            vague.push(at.to_string());
        }
    });
    assert!(vague.is_empty(), "untyped objects: {vague:?}");
}

fn walk(v: &Value, at: &str, f: &mut impl FnMut(&str, &Value)) {
    f(at, v);
    match v {
        Value::Object(map) => map
            .iter()
            .for_each(|(k, v)| walk(v, &format!("{at}/{k}"), f)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| walk(v, &format!("{at}/{i}"), f)),
        _ => {}
    }
}

/// Every documented operation reaches a handler: not the fallback's 404, not a 405.
#[tokio::test]
async fn every_documented_operation_is_routed() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = common::demo_ward_server(dir.path().join("w.sqlite")).await;
    let http = reqwest::Client::new();
    for (path, method, _) in operations(&doc()) {
        let filled = path
            .split('/')
            .map(|part| {
                if part.starts_with('{') {
                    uuid::Uuid::nil().to_string()
                } else {
                    part.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let url = format!("{}/api/v1{filled}", server.url());
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let resp = http
            .request(method.clone(), &url)
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap_or_default();
        assert_ne!(status, 405, "{method} {path}");
        assert!(
            !(status == 404 && body.contains("nothing at this address")),
            "{method} {path} is not routed"
        );
    }
}

#[tokio::test]
async fn the_server_serves_its_openapi_document() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = common::demo_ward_server(dir.path().join("w.sqlite")).await;
    let resp = reqwest::get(format!("{}/api/v1/openapi.json", server.url()))
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(resp.text().await.unwrap(), api_doc::json());
}
