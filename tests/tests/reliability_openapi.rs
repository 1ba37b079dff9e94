//! The OpenAPI document at `/api/v1/openapi.json` describes the whole JSON API: every route
//! the server registers under `/api/v1` is in it, every operation in it is served, and each
//! operation describes its answers, with the JSON error shape for errors.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use youdecide_tests::{reliability, Backend, Req, TestServer};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The `(method, path)` of every `.route("…", web::method()…)` in the server's API route
/// modules (all but the health checks, which live outside `/api/v1`).
fn registered_routes() -> BTreeSet<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/src/routes");
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() == "health.rs" {
            continue;
        }
        let text: String = std::fs::read_to_string(&path)
            .unwrap()
            .split_whitespace()
            .collect();
        for (i, _) in text.match_indices("route(\"") {
            let rest = &text[i + "route(\"".len()..];
            let Some(end) = rest.find('"') else { continue };
            let route = &rest[..end];
            let after = &rest[end + 1..];
            let Some(method) = after.strip_prefix(",web::") else {
                continue;
            };
            let method: String = method
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            assert!(
                METHODS.contains(&method.as_str()),
                "{}: unexpected method {method} for {route}",
                path.display()
            );
            out.insert((method, format!("/api/v1{route}")));
        }
    }
    out
}

fn documented_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            if METHODS.contains(&method.as_str()) {
                out.insert((method.clone(), path.clone()));
            }
        }
    }
    out
}

/// Follows a local `$ref` (`#/components/...`).
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str() {
        Some(r) => {
            let pointer = r.strip_prefix('#').unwrap();
            doc.pointer(pointer)
                .unwrap_or_else(|| panic!("dangling reference {r}"))
        }
        None => v,
    }
}

#[test]
fn the_document_describes_every_route() {
    let s = TestServer::start(Backend::Sqlite);
    let r = s.get("/api/v1/openapi.json", None);
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.content_type.starts_with("application/json"));
    let doc = r.json;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));

    let registered = registered_routes();
    assert!(
        registered.len() > 50,
        "only {} routes found in the server's sources",
        registered.len()
    );
    let documented = documented_operations(&doc);
    let missing: Vec<_> = registered.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes missing from server/openapi.json: {missing:?}"
    );
    let extra: Vec<_> = documented.difference(&registered).collect();
    assert!(
        extra.is_empty(),
        "operations in server/openapi.json that the server does not register: {extra:?}"
    );

    let error = &doc["components"]["schemas"]["Error"];
    assert_eq!(error["required"], serde_json::json!(["error"]));
    assert_eq!(
        error["properties"]["error"]["required"],
        serde_json::json!(["code", "message"])
    );
    let mut ids = BTreeSet::new();
    for (method, path) in &documented {
        let op = &doc["paths"][path][method];
        let id = op["operationId"].as_str().unwrap_or_default();
        assert!(
            ids.insert(id.to_string()),
            "{method} {path}: operationId {id:?}"
        );
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|c| c.starts_with('2') || c == "304"),
            "{method} {path} has no success answer"
        );
        for (code, answer) in responses {
            let answer = resolve(&doc, answer);
            assert!(answer["description"].is_string(), "{method} {path} {code}");
            if code.starts_with('4') || code.starts_with('5') {
                let schema = &answer["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(
                    schema, "#/components/schemas/Error",
                    "{method} {path} {code} is not the error shape"
                );
            }
        }
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["in"] == "path" {
                assert!(
                    path.contains(&format!("{{{}}}", p["name"].as_str().unwrap())),
                    "{method} {path}: parameter {} is not in the path",
                    p["name"]
                );
            }
        }
        for segment in path.split('/').filter(|s| s.starts_with('{')) {
            let name = segment.trim_matches(['{', '}']);
            assert!(
                op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["name"] == name && p["in"] == "path"),
                "{method} {path}: path parameter {name} is not described"
            );
        }
    }

    // Every documented operation is served: none falls through to "no such API endpoint".
    let nil = "00000000-0000-0000-0000-000000000000";
    for (method, path) in &documented {
        let concrete: String = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { nil } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let r = s.request(Req::new(&method.to_uppercase(), &concrete));
        assert!(
            !r.text.contains("no such API endpoint"),
            "{method} {path} is documented but not served: {} {}",
            r.status,
            r.text
        );
        assert!(
            r.status < 500,
            "{method} {concrete}: {} {}",
            r.status,
            r.text
        );
    }
    reliability::report(
        "openapi",
        &format!(
            "{} operations documented, {} routes registered, none missing",
            documented.len(),
            registered.len()
        ),
    );
}
