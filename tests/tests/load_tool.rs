//! The load generator `youdecide-load` against a real server: a smoke run with tiny numbers
//! (online voters and signed kiosk batches, every ballot stored), and a server that refuses
//! ballots (codes never issued, a closed round): the tool counts and reports the errors.

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use std::process::{Command, Output};
use youdecide_tests::kiosk::setup;
use youdecide_tests::{bin, on_both_backends, Backend};

on_both_backends!(
    smoke_run_stores_every_ballot,
    refusals_are_counted_as_errors
);

fn load(args: &[&str]) -> Output {
    Command::new(bin("youdecide-load"))
        .args(args)
        .output()
        .expect("run youdecide-load")
}

/// The JSON summary the tool prints as its last stdout line.
fn summary(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "youdecide-load failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().last().expect("a summary line")).expect("JSON summary")
}

fn smoke_run_stores_every_ballot(backend: Backend) {
    let t = setup(backend);
    let out = load(&[
        "online",
        "--url",
        &t.s.url,
        "--round",
        &t.rid,
        "--clients",
        "3",
        "--ballots",
        "6",
    ]);
    let online = summary(&out);
    assert_eq!(online["ballots"], 6, "{online}");
    assert_eq!(online["errors"], 0, "{online}");
    assert!(online["p99_ms"].as_f64().unwrap() > 0.0, "{online}");

    let out = load(&[
        "kiosks",
        "--url",
        &t.s.url,
        "--round",
        &t.rid,
        "--kiosks",
        "2",
        "--ballots-per-kiosk",
        "25",
        "--batch",
        "10",
        "--admin-token",
        &t.admin,
    ]);
    let kiosks = summary(&out);
    assert_eq!(kiosks["ballots"], 50, "{kiosks}");
    assert_eq!(kiosks["errors"], 0, "{kiosks}");
    // 2 kiosks × 3 batches (10, 10, 5).
    assert_eq!(kiosks["requests"], 6, "{kiosks}");
    assert_eq!(
        t.s.sql_count(&format!(
            "SELECT COUNT(*) AS n FROM ballots WHERE round_id = '{}'",
            t.rid
        )),
        56
    );
    let listed = t.s.get(
        &format!("/api/v1/partnerships/{}/kiosks", t.pid),
        Some(&t.admin),
    );
    let received: i64 = listed
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["ballots_received"].as_i64().unwrap())
        .sum();
    assert_eq!(received, 50);

    let path = format!("/api/v1/rounds/{}", t.rid);
    let out = load(&[
        "read",
        "--url",
        &t.s.url,
        "--paths",
        &path,
        "--clients",
        "4",
        "--requests",
        "20",
    ]);
    let read = summary(&out);
    assert_eq!(
        (read["pages"].as_i64(), read["errors"].as_i64()),
        (Some(20), Some(0)),
        "{read}"
    );
    // A path that does not answer 200 stops the run before the clock starts.
    let out = load(&[
        "read",
        "--url",
        &t.s.url,
        "--paths",
        &format!("{path},/api/v1/rounds/nope"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("404"));
}

fn refusals_are_counted_as_errors(backend: Backend) {
    let t = setup(backend);
    let r = t.s.post(
        &format!("/api/v1/partnerships/{}/rounds", t.pid),
        Some(&t.admin),
        json!({"title": "Codes", "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2099-03-21T17:00:00Z",
               "method": {"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": true},
               "rule": "greedy",
               "areas": [{"key": "central", "name": "Central", "budget": 1000, "postcodes": ["DN15"]}],
               "eligibility": {"min_age": 16, "mode": "code"}, "languages": ["en"]}),
    );
    let code_round = r.json["id"].as_str().unwrap().to_string();
    t.s.post(
        &format!("/api/v1/rounds/{code_round}/projects"),
        Some(&t.admin),
        json!({"key": "a", "area": "central", "title": "Project a", "cost": 400}),
    );
    let o = t.s.post(
        &format!("/api/v1/rounds/{code_round}/open"),
        Some(&t.admin),
        json!({}),
    );
    assert_eq!(o.status, 200, "{}", o.text);
    // Codes of the right shape that were never issued: every ballot is refused.
    let dir = tempfile::tempdir().unwrap();
    let codes = dir.path().join("codes.txt");
    std::fs::write(
        &codes,
        "ABCD-EFGH-JKMN-PQRS\nBCDE-FGHJ-KMNP-QRST\nCDEF-GHJK-MNPQ-RSTV\n",
    )
    .unwrap();
    let out = load(&[
        "online",
        "--url",
        &t.s.url,
        "--round",
        &code_round,
        "--clients",
        "2",
        "--ballots",
        "3",
        "--codes-file",
        &codes.display().to_string(),
    ]);
    let refused = summary(&out);
    assert_eq!(refused["ballots"], 0, "{refused}");
    assert_eq!(refused["errors"], 3, "{refused}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("first error"), "{stderr}");
    assert!(
        stderr.contains("422 invalid_code"),
        "the refusal's status is reported: {stderr}"
    );

    // A kiosk whose log the server already holds, sending a fresh log from the start again:
    // its batches break the hash chain and are refused, and the tool counts them.
    let k = t.s.post(
        &format!("/api/v1/partnerships/{}/kiosks", t.pid),
        Some(&t.admin),
        json!({"name": "replayer"}),
    );
    let key = SigningKey::from_bytes(&[7; 32]);
    let e = t.s.post(
        "/api/v1/kiosk/enroll",
        None,
        json!({"code": k.json["enrollment_code"], "public_key": hex::encode(key.verifying_key().to_bytes())}),
    );
    assert_eq!(e.status, 201, "{}", e.text);
    let credentials = dir.path().join("kiosks.txt");
    std::fs::write(
        &credentials,
        format!(
            "{} {}\n",
            e.json["kiosk_id"].as_str().unwrap(),
            hex::encode([7u8; 32])
        ),
    )
    .unwrap();
    let kiosk_run = |t: &youdecide_tests::kiosk::Setup| {
        load(&[
            "kiosks",
            "--url",
            &t.s.url,
            "--round",
            &t.rid,
            "--kiosks",
            "1",
            "--ballots-per-kiosk",
            "10",
            "--batch",
            "5",
            "--credentials",
            &credentials.display().to_string(),
        ])
    };
    let first = summary(&kiosk_run(&t));
    assert_eq!(
        (first["ballots"].as_i64(), first["errors"].as_i64()),
        (Some(10), Some(0)),
        "{first}"
    );
    let out = kiosk_run(&t);
    let second = summary(&out);
    assert_eq!(second["ballots"], 0, "{second}");
    // A kiosk stops at its first refused batch: the rest would chain onto it.
    assert_eq!(second["errors"], 1, "{second}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("first error"));

    // A round that is not open cannot be loaded at all: one line, exit 1.
    let c = t.s.post(
        &format!("/api/v1/rounds/{}/close", t.rid),
        Some(&t.admin),
        json!({}),
    );
    assert_eq!(c.status, 200, "{}", c.text);
    let out = load(&[
        "online",
        "--url",
        &t.s.url,
        "--round",
        &t.rid,
        "--ballots",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("youdecide-load: "), "{stderr}");

    // Not on loopback: refused before anything is sent.
    let out = load(&["online", "--url", "http://192.0.2.1:80", "--round", &t.rid]);
    assert_eq!(out.status.code(), Some(2));
}
