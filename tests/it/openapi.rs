//! The OpenAPI document is the router's: every route and method in `routes/mod.rs` is in
//! `api/openapi.json` and nothing else is, and the server serves it.

use crate::common;

use std::collections::BTreeSet;

/// `(path, method)` of every route the router declares, read from its source.
fn routed() -> BTreeSet<(String, String)> {
    let source = include_str!("../../src/server/routes/mod.rs");
    let mut out = BTreeSet::new();
    for chunk in source.split(".route(").skip(1) {
        let path = chunk.split('"').nth(1).unwrap().to_string();
        // The handlers up to the route's closing parenthesis: `get(..).post(..)` etc.
        let mut depth = 1;
        let end = chunk
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .unwrap()
            .0;
        for method in ["get", "post", "put", "patch", "delete"] {
            if chunk[..end].contains(&format!("{method}(")) {
                out.insert((path.clone(), method.to_string()));
            }
        }
    }
    out
}

fn documented() -> BTreeSet<(String, String)> {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../api/openapi.json")).unwrap();
    let mut out = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            out.insert((path.clone(), method.clone()));
        }
    }
    out
}

#[test]
fn every_route_is_documented_and_nothing_else() {
    let routed: BTreeSet<_> = routed()
        .into_iter()
        // Outside /api/v1: plain-text health and metrics.
        .filter(|(p, _)| !matches!(p.as_str(), "/healthz" | "/readyz" | "/metrics"))
        .collect();
    assert!(routed.len() > 40, "the router was read: {routed:?}");
    let documented = documented();
    let missing: Vec<_> = routed.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&routed).collect();
    assert!(
        missing.is_empty(),
        "routes missing from api/openapi.json: {missing:?}"
    );
    assert!(extra.is_empty(), "documented but not routed: {extra:?}");
}

#[tokio::test]
async fn the_server_serves_its_openapi_document() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = common::demo_ward_server(dir.path().join("w.sqlite")).await;
    let body: serde_json::Value = reqwest::get(format!("{}/api/v1/openapi.json", server.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["openapi"], "3.0.3");
    assert!(body["paths"]["/conversations/{id}/messages"]["post"].is_object());
}
