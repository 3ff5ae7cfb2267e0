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

/// Every documented operation reaches a handler (not the fallback's 404, not a 405), and
/// without a session each is refused with 401 unless the document says it needs none.
#[tokio::test]
async fn every_documented_operation_is_routed_and_asks_for_what_it_says() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = common::demo_ward_server(dir.path().join("w.sqlite")).await;
    let http = reqwest::Client::new();
    let mut public = BTreeSet::new();
    for (path, method, op) in operations(&doc()) {
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
        if op["security"] == json!([]) {
            public.insert(format!("{method} {path}"));
        } else {
            assert_eq!(status, 401, "{method} {path} without a session: {body}");
        }
    }
    assert_eq!(
        public,
        BTreeSet::from(["POST /session", "GET /version", "GET /openapi.json"].map(String::from))
    );
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

/// A real server's responses, checked against the document: each response's status is
/// one the operation documents, its content type one that status documents, and a JSON
/// body valid under that schema (formats too) with no field the schema does not declare.
struct Checked {
    base: String,
    http: reqwest::Client,
    doc: Value,
    /// `METHOD template` of every operation whose response was checked.
    seen: std::sync::Mutex<BTreeSet<String>>,
}

impl Checked {
    fn new(url: &str) -> Self {
        Checked {
            base: format!("{url}/api/v1"),
            http: reqwest::Client::new(),
            doc: doc(),
            seen: Default::default(),
        }
    }

    /// The documented path that `path` (concrete, without its query) is an instance of.
    fn template(&self, path: &str) -> String {
        let parts: Vec<_> = path.split('/').collect();
        let mut best: Option<(usize, &String)> = None;
        for template in self.doc["paths"].as_object().unwrap().keys() {
            let t: Vec<_> = template.split('/').collect();
            if t.len() != parts.len() {
                continue;
            }
            let fits = t
                .iter()
                .zip(&parts)
                .all(|(t, p)| t.starts_with('{') || t == p);
            let literal = t.iter().filter(|t| !t.starts_with('{')).count();
            if fits && best.is_none_or(|(n, _)| literal > n) {
                best = Some((literal, template));
            }
        }
        best.unwrap_or_else(|| panic!("no documented path for {path}"))
            .1
            .clone()
    }

    /// Sends `method path` (with `?query` if any) as `token`, expects `status`, checks the
    /// response against the document and returns its JSON body (`null` when it has none).
    async fn call(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let template = self.template(path.split('?').next().unwrap());
        let what = format!("{method} {path}");
        let mut req = self.http.request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}{path}", self.base),
        );
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let got = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        let text = resp.text().await.unwrap();
        assert_eq!(got, status, "{what}: {text}");

        let op = &self.doc["paths"][&template][method.to_lowercase()];
        let responses = &op["responses"];
        let response = [got.to_string(), format!("{}XX", got / 100)]
            .iter()
            .find_map(|s| responses.get(s))
            .unwrap_or_else(|| panic!("{what}: {got} is not documented"));
        let response = resolve(&self.doc, response);
        let json = match content_type {
            None => {
                assert!(text.is_empty(), "{what}: a body without a content type");
                assert!(
                    response.get("content").is_none(),
                    "{what}: documented with a body, sent none"
                );
                Value::Null
            }
            Some(content_type) => {
                let content = response["content"]
                    .get(&content_type)
                    .unwrap_or_else(|| panic!("{what}: {content_type} is not documented"));
                if content_type == "application/json" || content_type.ends_with("+json") {
                    let json: Value = serde_json::from_str(&text).unwrap();
                    self.check(&content["schema"], &json, &what);
                    json
                } else {
                    Value::String(text)
                }
            }
        };
        self.seen
            .lock()
            .unwrap()
            .insert(format!("{} {template}", method.to_lowercase()));
        json
    }

    fn check(&self, schema: &Value, instance: &Value, what: &str) {
        let problems = self.problems(schema, instance);
        assert!(
            problems.is_empty(),
            "{what}: the response breaks its schema:\n{}\n{instance:#}",
            problems.join("\n")
        );
    }

    /// Where `instance` breaks `schema` (a schema of the document), or has fields it does
    /// not declare.
    fn problems(&self, schema: &Value, instance: &Value) -> Vec<String> {
        let root = json!({ "components": self.doc["components"], "allOf": [schema] });
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap();
        let mut problems: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        let mut extra = Vec::new();
        undeclared(&self.doc, schema, instance, "", &mut extra);
        problems.extend(extra.into_iter().map(|at| format!("{at} is not declared")));
        problems
    }
}

/// The check itself: a model value passes, and each way of breaking it is caught.
#[test]
fn the_check_catches_what_breaks_a_schema() {
    let api = Checked::new("http://127.0.0.1:9");
    let schema = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
    let message = serde_json::to_value(common::urgent()).unwrap();
    assert_eq!(
        api.problems(&schema("Message"), &message),
        Vec::<String>::new()
    );
    let broken = |change: &dyn Fn(&mut Value)| {
        let mut m = message.clone();
        change(&mut m);
        api.problems(&schema("Message"), &m)
    };
    for (what, problems) in [
        (
            "missing",
            broken(&|m| drop(m.as_object_mut().unwrap().remove("body"))),
        ),
        ("undeclared", broken(&|m| m["colour"] = json!("red"))),
        ("a bad date", broken(&|m| m["sent_at"] = json!("yesterday"))),
        ("a bad uuid", broken(&|m| m["id"] = json!("42"))),
        ("a bad enum", broken(&|m| m["priority"] = json!("whenever"))),
        (
            "nested",
            broken(&|m| m["receipts"][0]["state"] = json!("seen")),
        ),
        (
            "nested, undeclared",
            broken(&|m| m["receipts"][0]["colour"] = json!("red")),
        ),
    ] {
        assert!(!problems.is_empty(), "{what} passed");
    }

    let event = wardround::model::Event {
        cursor: 7,
        kind: wardround::model::EventKind::Message {
            message: common::urgent(),
        },
    };
    let mut event = serde_json::to_value(event).unwrap();
    assert_eq!(api.problems(&schema("Event"), &event), Vec::<String>::new());
    event["type"] = json!("telegram");
    assert!(!api.problems(&schema("Event"), &event).is_empty());
}

/// A `$ref` followed to what it names.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(doc, doc.pointer(r.trim_start_matches('#')).unwrap()),
        None => schema,
    }
}

/// A schema and everything it is composed of.
fn branches<'a>(doc: &'a Value, schema: &'a Value, out: &mut Vec<&'a Value>) {
    let schema = resolve(doc, schema);
    out.push(schema);
    for key in ["allOf", "oneOf", "anyOf"] {
        for branch in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            branches(doc, branch, out);
        }
    }
}

/// Fields of `instance` that no part of `schema` declares (a schema says nothing of what
/// it does not list, so validation alone would pass them).
fn undeclared(doc: &Value, schema: &Value, instance: &Value, at: &str, out: &mut Vec<String>) {
    let mut parts = Vec::new();
    branches(doc, schema, &mut parts);
    if parts
        .iter()
        .any(|p| p.as_object().is_some_and(|o| o.is_empty()))
    {
        return; // any JSON at all
    }
    let find = |get: &dyn Fn(&Value) -> Option<&Value>| parts.iter().find_map(|p| get(p));
    match instance {
        Value::Object(fields) => {
            for (name, value) in fields {
                let at = format!("{at}/{name}");
                match find(&|p| p.get("properties")?.get(name))
                    .or_else(|| find(&|p| p.get("additionalProperties").filter(|a| a.is_object())))
                {
                    Some(schema) => undeclared(doc, schema, value, &at, out),
                    None => out.push(at),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let at = format!("{at}/{i}");
                if let Some(schema) = find(&|p| p.get("prefixItems")?.get(i))
                    .or_else(|| find(&|p| p.get("items").filter(|a| a.is_object())))
                {
                    undeclared(doc, schema, item, &at, out);
                }
            }
        }
        _ => {}
    }
}

/// Every operation, called on a real server over the demo ward as the nurse, a registrar
/// and IT, and its responses (errors too) and the event stream's events checked against
/// the document.
#[tokio::test]
async fn every_operation_answers_as_its_schema_says() {
    let dir = tempfile::tempdir().unwrap();
    let (server, ward) = common::demo_ward_server(dir.path().join("w.sqlite")).await;
    let cast = wardround::demo::seed(&server.domain).await.unwrap();
    server
        .domain
        .create_account("it", "IT Desk", "IT", common::PASSWORD, true, false)
        .await
        .unwrap();
    let api = Checked::new(&server.url());
    let login = |username: &'static str, password: String| {
        let api = &api;
        async move {
            let session = api
                .call(
                    None,
                    "POST",
                    "/session",
                    Some(json!({"username": username, "password": password})),
                    201,
                )
                .await;
            session["token"].as_str().unwrap().to_string()
        }
    };
    let nurse = login("nurse", cast.password.clone()).await;
    let registrar = login("pshah", cast.password.clone()).await;
    let admin = login("it", common::PASSWORD.into()).await;
    let (n, r, a) = (
        Some(nurse.as_str()),
        Some(registrar.as_str()),
        Some(admin.as_str()),
    );
    let id = |v: &Value| v["id"].as_str().unwrap().to_string();

    // Anyone; refusals are problems.
    api.call(None, "GET", "/version", None, 200).await;
    api.call(None, "GET", "/openapi.json", None, 200).await;
    api.call(None, "GET", "/me", None, 401).await;
    api.call(n, "GET", "/lists/not-a-uuid/rows", None, 400)
        .await;
    api.call(n, "POST", "/lists", Some(json!({"nmae": "typo"})), 422)
        .await;
    api.call(n, "GET", "/admin/users", None, 403).await;

    // The session and the lock screen.
    api.call(n, "GET", "/me", None, 200).await;
    api.call(n, "POST", "/session/lock", Some(json!({"idle": true})), 204)
        .await;
    let password = json!({ "password": cast.password });
    api.call(n, "POST", "/session/verify", Some(password), 204)
        .await;

    // Lists and patients.
    let ward_list = cast.list.to_string();
    let lists = api.call(n, "GET", "/lists", None, 200).await;
    assert!(!lists.as_array().unwrap().is_empty());
    let rows = api
        .call(n, "GET", &format!("/lists/{ward_list}/rows"), None, 200)
        .await;
    assert!(!rows["rows"].as_array().unwrap().is_empty());
    api.call(
        n,
        "GET",
        &format!("/lists/{ward_list}/rows?columns=bed,news2,obs:8867-4&purpose=export"),
        None,
        200,
    )
    .await;
    let patient = ward.patient_ids()[0].clone();
    let detail = api
        .call(n, "GET", &format!("/patients/{patient}"), None, 200)
        .await;
    let found = api
        .call(
            n,
            "GET",
            &format!("/patients?mrn={}", detail["mrn"].as_str().unwrap()),
            None,
            200,
        )
        .await;
    assert_eq!(found[0]["id"], json!(patient));
    let wards = api.call(n, "GET", "/locations?name=4%20W", None, 200).await;
    let ward_name = wards[0]["reference"].as_str().unwrap().to_string();
    let census = api
        .call(
            n,
            "POST",
            "/lists",
            Some(json!({"name": "4W census", "census": ward_name})),
            201,
        )
        .await;
    api.call(
        n,
        "POST",
        &format!("/lists/{}/patients/{patient}/seen", id(&census)),
        None,
        200,
    )
    .await;
    let take = api
        .call(n, "POST", "/lists", Some(json!({"name": "Take"})), 201)
        .await;
    let take = id(&take);
    api.call(
        n,
        "PATCH",
        &format!("/lists/{take}"),
        Some(json!({"name": "Take (nights)"})),
        200,
    )
    .await;
    api.call(
        n,
        "POST",
        &format!("/lists/{take}/patients"),
        Some(json!({ "patient": patient })),
        200,
    )
    .await;
    api.call(
        n,
        "POST",
        &format!("/lists/{take}/import"),
        Some(json!({"mrns": [detail["mrn"], "no-such-mrn"]})),
        200,
    )
    .await;
    let view = json!({
        "columns": ["bed", "name", "news2", "obs:8867-4"],
        "sort": ["news2:desc", "bed"],
        "widths": {"name": 24}
    });
    api.call(
        n,
        "PUT",
        &format!("/lists/{take}/view?scope=team"),
        Some(view.clone()),
        204,
    )
    .await;
    api.call(n, "PUT", &format!("/lists/{take}/view"), Some(view), 204)
        .await;
    let rows = api
        .call(n, "GET", &format!("/lists/{take}/rows"), None, 200)
        .await;
    assert!(rows["view"].is_object(), "{rows:#}");
    api.call(
        n,
        "POST",
        &format!("/lists/{take}/refresh"),
        Some(json!({ "patient": patient })),
        204,
    )
    .await;
    let copy = api
        .call(
            n,
            "POST",
            &format!("/lists/{take}/duplicate"),
            Some(json!({"name": "Take copy"})),
            201,
        )
        .await;
    api.call(
        n,
        "DELETE",
        &format!("/lists/{take}/patients/{patient}"),
        None,
        200,
    )
    .await;
    api.call(n, "DELETE", &format!("/lists/{}", id(&copy)), None, 204)
        .await;
    let about = api
        .call(
            n,
            "POST",
            &format!("/lists/{ward_list}/patients/{patient}/conversation"),
            None,
            200,
        )
        .await;
    assert_eq!(about["kind"], "patient");

    // Messaging: an urgent message to the registrar, read, acknowledged; a retried send.
    let chat = cast.registrar_chat.to_string();
    let message =
        json!({"id": uuid::Uuid::new_v4(), "body": "4W-4B NEWS2 7", "priority": "urgent"});
    let sent = api
        .call(
            n,
            "POST",
            &format!("/conversations/{chat}/messages"),
            Some(message.clone()),
            201,
        )
        .await;
    api.call(
        n,
        "POST",
        &format!("/conversations/{chat}/messages"),
        Some(message),
        200,
    )
    .await;
    let awaiting = api.call(r, "GET", "/me/awaiting", None, 200).await;
    assert!(!awaiting.as_array().unwrap().is_empty());
    let sent = id(&sent);
    api.call(
        r,
        "POST",
        &format!("/messages/{sent}/receipts"),
        Some(json!({"state": "read"})),
        204,
    )
    .await;
    api.call(r, "POST", &format!("/messages/{sent}/ack"), None, 204)
        .await;
    let page = api
        .call(
            n,
            "GET",
            &format!("/conversations/{chat}/messages?limit=10"),
            None,
            200,
        )
        .await;
    assert!(
        page[0]["receipts"][0]["acknowledged_at"].is_string(),
        "{page:#}"
    );
    api.call(n, "GET", "/conversations", None, 200).await;

    // Groups, people, roles and presence.
    let group = api
        .call(
            n,
            "POST",
            "/conversations",
            Some(json!({"kind": "group", "title": "Take team", "members": ["pshah", "treid"]})),
            200,
        )
        .await;
    let group = id(&group);
    api.call(
        n,
        "POST",
        "/conversations",
        Some(json!({"kind": "direct", "members": ["sokafor"]})),
        200,
    )
    .await;
    api.call(
        n,
        "PATCH",
        &format!("/conversations/{group}"),
        Some(json!({"title": "Night take"})),
        200,
    )
    .await;
    let with_admin = api
        .call(
            n,
            "PUT",
            &format!("/conversations/{group}/members/jbello?admin=true"),
            None,
            200,
        )
        .await;
    assert!(!with_admin["admins"].as_array().unwrap().is_empty());
    api.call(
        n,
        "DELETE",
        &format!("/conversations/{group}/members/treid"),
        None,
        204,
    )
    .await;
    api.call(n, "GET", "/directory?q=shah", None, 200).await;
    let on_call = "Medical registrar on call"; // the demo's role
    api.call(
        n,
        "POST",
        "/me/oncall",
        Some(json!({"action": "take", "role": on_call})),
        200,
    )
    .await;
    api.call(
        n,
        "POST",
        "/me/oncall",
        Some(json!({"action": "hand", "role": on_call, "to": "jbello"})),
        200,
    )
    .await;
    api.call(r, "GET", "/roles", None, 200).await;
    let thread = api
        .call(
            r,
            "POST",
            "/conversations",
            Some(json!({"kind": "role", "role": on_call})),
            200,
        )
        .await;
    assert!(thread["role"].is_object(), "{thread:#}");
    api.call(
        n,
        "PUT",
        "/me/status",
        Some(json!({"state": "dnd", "minutes": 30})),
        200,
    )
    .await;
    api.call(n, "GET", "/me/policy", None, 200).await;
    api.call(
        n,
        "PUT",
        "/me/settings",
        Some(json!({"read_receipts": false})),
        200,
    )
    .await;

    // Follow mode: the registrar follows the nurse, who shares a view and hands control.
    let presenting = api
        .call(
            r,
            "POST",
            "/presentation/follow",
            Some(json!({"user": "nurse"})),
            200,
        )
        .await;
    assert_eq!(presenting["presenter"]["display_name"], "Alex Morgan");
    api.call(
        n,
        "PUT",
        "/presentation/view",
        Some(json!({"list_id": ward_list, "sort": ["bed:asc"], "patient": patient})),
        204,
    )
    .await;
    api.call(
        n,
        "POST",
        "/presentation/control",
        Some(json!({"to": "pshah"})),
        204,
    )
    .await;
    let now = api.call(n, "GET", "/presentation", None, 200).await;
    assert!(now["view"].is_object(), "{now:#}");
    api.call(r, "DELETE", "/presentation/follow", None, 204)
        .await;
    assert_eq!(
        api.call(r, "GET", "/presentation", None, 200).await,
        Value::Null
    );
    api.call(
        n,
        "POST",
        "/me/ping",
        Some(json!({"token": uuid::Uuid::new_v4()})),
        202,
    )
    .await;

    // IT: accounts, teams, policies, roles, the rota and the audit log.
    api.call(
        a,
        "POST",
        "/admin/users",
        Some(json!({
            "username": "newbie",
            "display_name": "Nell Newbie",
            "role": "HCA",
            "password": "first day on the ward 2026"
        })),
        201,
    )
    .await;
    api.call(a, "GET", "/admin/users", None, 200).await;
    api.call(
        a,
        "PATCH",
        "/admin/users/newbie",
        Some(json!({"disabled": true})),
        204,
    )
    .await;
    api.call(
        a,
        "PATCH",
        "/admin/users/newbie",
        Some(json!({"disabled": false, "password": "second day on the ward 2026"})),
        204,
    )
    .await;
    let newbie = api
        .call(
            None,
            "POST",
            "/session",
            Some(json!({"username": "newbie", "password": "second day on the ward 2026"})),
            201,
        )
        .await;
    assert_eq!(newbie["must_change_password"], true);
    let newbie = newbie["token"].as_str().unwrap().to_string();
    api.call(
        Some(&newbie),
        "PUT",
        "/me/password",
        Some(
            json!({"current": "second day on the ward 2026", "new": "my own passphrase, at last"}),
        ),
        204,
    )
    .await;
    api.call(
        a,
        "POST",
        "/admin/teams",
        Some(json!({"name": "5 East", "template": "ward"})),
        201,
    )
    .await;
    api.call(a, "PUT", "/admin/teams/5%20East/members/newbie", None, 204)
        .await;
    api.call(a, "PUT", "/admin/teams/5%20East/members/treid", None, 204)
        .await;
    api.call(
        a,
        "DELETE",
        "/admin/teams/5%20East/members/treid",
        None,
        204,
    )
    .await;
    api.call(a, "GET", "/admin/teams", None, 200).await;
    api.call(
        a,
        "POST",
        "/admin/policies/nights",
        Some(json!({"allow_urgent": true, "escalation_target": {"kind": "role", "name": on_call}})),
        201,
    )
    .await;
    api.call(
        a,
        "PATCH",
        "/admin/policies/nights",
        Some(json!({"escalation_target": null, "lock_idle_secs": 300, "renotify_until": "ack"})),
        200,
    )
    .await;
    api.call(a, "GET", "/admin/policies/nights", None, 200)
        .await;
    api.call(
        a,
        "POST",
        "/admin/policy-assignments",
        Some(json!({"policy": "nights", "assignee": {"user": "newbie"}})),
        204,
    )
    .await;
    api.call(
        a,
        "POST",
        "/admin/packages/information_worker/apply",
        Some(json!({"assignee": {"team": "5 East"}})),
        200,
    )
    .await;
    api.call(a, "GET", "/admin/policies", None, 200).await;
    api.call(
        a,
        "POST",
        "/admin/roles",
        Some(json!({"name": "5E nurse in charge", "team": "5 East", "fallback": "team:5 East"})),
        201,
    )
    .await;
    let start = chrono::Utc::now() - chrono::Duration::hours(1);
    api.call(
        a,
        "POST",
        "/admin/rota",
        Some(json!([{
            "role": "5E nurse in charge",
            "username": "newbie",
            "start": start,
            "end": start + chrono::Duration::hours(12)
        }])),
        200,
    )
    .await;
    api.call(
        a,
        "DELETE",
        "/admin/roles/5E%20nurse%20in%20charge",
        None,
        204,
    )
    .await;
    api.call(a, "GET", "/admin/audit?actor=nurse", None, 200)
        .await;
    api.call(a, "GET", "/admin/audit/verify", None, 200).await;
    api.call(a, "GET", "/admin/audit/fhir?actor=nurse", None, 200)
        .await;

    // Jobs, plans and the handover sheet.
    let due = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let job = api
        .call(
            r,
            "POST",
            "/jobs",
            Some(
                json!({"patient": patient, "text": "Repeat potassium", "assignee": "nurse",
                        "due_at": due, "priority": "soon"}),
            ),
            201,
        )
        .await;
    api.call(
        r,
        "POST",
        "/jobs",
        Some(json!({"patient": patient, "text": "", "assignee": "nurse"})),
        422,
    )
    .await;
    api.call(n, "GET", "/jobs?assignee=me", None, 200).await;
    api.call(n, "GET", "/jobs?status=sometimes", None, 422)
        .await;
    api.call(
        n,
        "PATCH",
        &format!("/jobs/{}", id(&job)),
        Some(json!({"action": "done"})),
        200,
    )
    .await;
    api.call(
        n,
        "PATCH",
        &format!("/jobs/{}", id(&job)),
        Some(json!({"action": "cancel", "reason": "late"})),
        409,
    )
    .await;
    api.call(
        r,
        "PUT",
        &format!("/patients/{patient}/plan"),
        Some(json!({"text": "Wean oxygen.\nHome tomorrow."})),
        200,
    )
    .await;
    api.call(
        n,
        "GET",
        &format!("/lists/{ward_list}/handover?purpose=export"),
        None,
        200,
    )
    .await;

    // The nurse's event stream, from the start: every event is an Event.
    let me = api.call(n, "GET", "/me", None, 200).await;
    let kinds = events(&api, &nurse, me["cursor"].as_i64().unwrap()).await;
    for kind in [
        "message",
        "receipt",
        "acknowledged",
        "list",
        "list_deleted",
        "presentation",
        "conversation_changed",
        "pong",
        "job",
        "plan",
    ] {
        assert!(kinds.contains(kind), "no {kind} event in {kinds:?}");
    }

    api.call(n, "DELETE", "/session", None, 204).await;
    api.call(n, "GET", "/me", None, 401).await;

    let all: BTreeSet<String> = operations(&api.doc)
        .into_iter()
        .map(|(path, method, _)| format!("{method} {path}"))
        .collect();
    let seen = api.seen.lock().unwrap().clone();
    let missed: Vec<_> = all.difference(&seen).collect();
    assert!(missed.is_empty(), "operations not checked: {missed:?}");
}

/// Reads `token`'s event stream from the start up to `until`, checks each event's data
/// against the Event schema and its SSE id against its cursor; returns the event types.
async fn events(api: &Checked, token: &str, until: i64) -> BTreeSet<String> {
    let mut resp = api
        .http
        .get(format!("{}/events?cursor=0", api.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    api.seen.lock().unwrap().insert("get /events".into());
    let schema = json!({"$ref": "#/components/schemas/Event"});
    let (mut buffer, mut kinds, mut last) = (String::new(), BTreeSet::new(), 0);
    while last < until {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), resp.chunk())
            .await
            .expect("the stream goes quiet before the last event")
            .unwrap()
            .expect("the stream ends before the last event");
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            let field = |name: &str| {
                event
                    .lines()
                    .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
                    .map(str::trim_start)
            };
            let Some(data) = field("data") else {
                continue; // a keep-alive comment
            };
            let data: Value = serde_json::from_str(data).unwrap();
            api.check(&schema, &data, "an event");
            last = data["cursor"].as_i64().unwrap();
            assert_eq!(field("id"), Some(last.to_string().as_str()));
            kinds.insert(data["type"].as_str().unwrap().to_string());
        }
    }
    kinds
}
