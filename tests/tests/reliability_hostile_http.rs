//! Hostile requests to the JSON API get a 4xx answer in the JSON error shape, never a 5xx
//! or a plain-text error: a body over the size limit, a bad query string, bytes that are not
//! UTF-8 or not JSON, an unknown method on a known path, a kiosk batch whose sequence numbers
//! run past the largest. On SQLite and on PostgreSQL.

use ed25519_dalek::SigningKey;
use youdecide_shared::sync::{self, Batch, KioskBallot, GENESIS};
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
    // An enrolled kiosk's signed batch whose records run past the largest sequence number
    // (the chain check overflowed).
    let k = s.post(
        &format!("/api/v1/partnerships/{pid}/kiosks"),
        Some(&admin),
        serde_json::json!({"name": "Hall"}),
    );
    let key = SigningKey::from_bytes(&[9; 32]);
    let enrolled = s.post(
        "/api/v1/kiosk/enroll",
        None,
        serde_json::json!({"code": k.json["enrollment_code"],
                           "public_key": hex::encode(key.verifying_key().to_bytes())}),
    );
    assert_eq!(enrolled.status, 201, "{}", enrolled.text);
    let kid = enrolled.json["kiosk_id"].as_str().unwrap();
    let record = |seq: u64, prev_hash: String| KioskBallot {
        id: uuid::Uuid::new_v4().to_string(),
        seq,
        prev_hash,
        round_id: nil.into(),
        cast_at: "2027-03-05T12:00:00Z".into(),
        area: "central".into(),
        person: None,
        choices: vec![("a".into(), 1)],
        language: "en".into(),
        tracking_code: "AAAA-BBBB-CCCC-DDDD".into(),
        assisted: false,
    };
    for first in [u64::MAX, i64::MAX as u64 + 1] {
        let a = record(first, GENESIS.into());
        let b = record(first.wrapping_add(1), a.hash());
        let batch = Batch {
            kiosk_id: kid.into(),
            sent_at: "2027-03-05T12:00:00Z".into(),
            ballots: vec![a, b],
            pending_after: 0,
        };
        let signed = serde_json::to_value(sync::sign(&batch, &key)).unwrap();
        let r = s.post(&format!("/api/v1/kiosk/{kid}/batches"), None, signed);
        json_error(&r, 409, "chain_broken");
    }
    assert_eq!(s.sql_count("SELECT COUNT(*) AS n FROM ballots"), 0);

    assert!(
        !s.log().contains("panicked"),
        "the server panicked:\n{}",
        s.log()
    );
}
