//! Hostile requests to the JSON API get a 4xx answer in the JSON error shape, never a 5xx
//! or a plain-text error: a body over the size limit, a bad query string, bytes that are not
//! UTF-8 or not JSON, an unknown method on a known path. On SQLite and on PostgreSQL.

use youdecide_tests::{on_both_backends, Backend, Req, Resp, TestServer};

on_both_backends!(hostile_requests_get_json_errors);

/// Asserts a 4xx answer in the JSON error shape with this code.
fn json_error(r: &Resp, status: u16, code: &str) {
    assert!(
        r.content_type.starts_with("application/json"),
        "not JSON ({}): {}",
        r.content_type,
        r.text
    );
    r.assert_error(status, code);
    assert!(r.json["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}

fn hostile_requests_get_json_errors(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.admin_token("admin@example.test");
    let p = s.post(
        "/api/v1/partnerships",
        Some(&admin),
        serde_json::json!({"name": "Hostile Input Partnership"}),
    );
    assert_eq!(p.status, 201, "{}", p.text);
    let pid = p.json["id"].as_str().unwrap();
    let nil = "00000000-0000-0000-0000-000000000000";

    // Over the 4 MB body limit, on handlers that read the body as bytes (was plain text).
    let big = vec![b'a'; 5 * 1024 * 1024];
    for path in [
        format!("/api/v1/rounds/{nil}/ballots"),
        format!("/api/v1/rounds/{nil}/projects/import"),
        format!("/api/v1/kiosk/{nil}/batches"),
    ] {
        let r = s.request(
            Req::new("POST", &path)
                .token(Some(&admin))
                .bytes("application/json", &big),
        );
        json_error(&r, 413, "payload_too_large");
    }

    // A query string that does not parse (was plain text).
    for query in ["limit=zz", "limit=99999999999999999999", "limit=-"] {
        let r = s.get(
            &format!("/api/v1/partnerships/{pid}/audit?{query}"),
            Some(&admin),
        );
        json_error(&r, 400, "invalid_query");
    }
    let r = s.get(
        &format!("/api/v1/partnerships/{pid}/audit?limit=-5"),
        Some(&admin),
    );
    assert_eq!(r.status, 200, "a negative limit is clamped: {}", r.text);

    // Bytes that are not UTF-8, or not JSON, or nested too deep.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    for body in [
        &b"\xff\xfe{\"name\": 1}"[..],
        b"{",
        b"null",
        deep.as_bytes(),
    ] {
        for path in [
            format!("/api/v1/partnerships/{pid}/rounds"),
            format!("/api/v1/partnerships/{pid}/kiosks"),
            "/api/v1/kiosk/enroll".to_string(),
            format!("/api/v1/kiosk/{nil}/batches"),
        ] {
            let r = s.request(
                Req::new("POST", &path)
                    .token(Some(&admin))
                    .bytes("application/json", body),
            );
            assert!(
                (400..500).contains(&r.status) && r.json["error"]["code"].is_string(),
                "POST {path}: {} {}",
                r.status,
                r.text
            );
        }
    }

    // Methods the API does not have on a path it has.
    for method in ["DELETE", "PUT", "OPTIONS"] {
        let r = s.request(Req::new(
            method,
            &format!("/api/v1/partnerships/{pid}/audit"),
        ));
        json_error(&r, 404, "not_found");
    }
    assert!(
        !s.log().contains("panicked"),
        "the server panicked:\n{}",
        s.log()
    );
}
