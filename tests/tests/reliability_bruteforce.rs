//! Guessing secrets: officer sign-in (per account and per address), voting codes for online
//! ballots, and the kiosk attendant's PIN. After N wrong tries even the right secret is refused
//! for a while, with a plain-English message; every wrong try and every refusal is logged
//! (never the secret); once the window has passed the right secret works again. Sign-in and
//! codes on SQLite and PostgreSQL; the PIN on a real kiosk.

use diesel::{Connection, RunQueryDsl};
use serde_json::{json, Value};
use youdecide_tests::kiosk::{new_kiosk, setup, TestKiosk};
use youdecide_tests::{on_both_backends, reliability, Backend, Resp, TestServer};

on_both_backends!(sign_in_and_voting_codes_hold_their_limits);

/// Moves every counted attempt back past the 15-minute window, as waiting would.
fn wait_out_the_window(s: &TestServer) {
    let past = (chrono::Utc::now() - chrono::Duration::minutes(16))
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S%.6f");
    s.sql_execute(&format!(
        "UPDATE login_attempts SET attempted_at = '{past}'"
    ));
}

fn login(s: &TestServer, email: &str, password: &str) -> Resp {
    s.post(
        "/api/v1/login",
        None,
        json!({"email": email, "password": password}),
    )
}

/// Asserts a 429 whose message is a plain-English sentence saying how long to wait.
fn refused(r: &Resp, wait: &str) {
    r.assert_error(429, "too_many_attempts");
    let msg = r.json["error"]["message"].as_str().unwrap();
    assert!(msg.contains(wait), "{msg}");
    assert!(r.cookie("yd_session").is_none());
}

/// How many log lines since `from` hold every one of `words`.
fn lines(log: &str, from: usize, words: &[&str]) -> usize {
    log[from..]
        .lines()
        .filter(|l| words.iter().all(|w| l.contains(w)))
        .count()
}

fn sign_in_and_voting_codes_hold_their_limits(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.admin_token("root@example.org");
    let p = s.post(
        "/api/v1/partnerships",
        Some(&admin),
        json!({"name": "Ashby"}),
    );
    let pid = p.json["id"].as_str().unwrap().to_string();
    let m = s.post(
        &format!("/api/v1/partnerships/{pid}/members"),
        Some(&admin),
        json!({"email": "officer@ashby.example", "role": "officer", "password": "officer-password-1"}),
    );
    assert_eq!(m.status, 201, "{}", m.text);
    let m = s.post(
        &format!("/api/v1/partnerships/{pid}/members"),
        Some(&admin),
        json!({"email": "other@ashby.example", "role": "officer", "password": "other-password-1"}),
    );
    assert_eq!(m.status, 201, "{}", m.text);
    let rid = code_round(&s, &admin, &pid);
    let cycles = reliability::size(1, 10);
    let codes: Vec<String> = {
        let r = s.post(
            &format!("/api/v1/rounds/{rid}/codes"),
            Some(&admin),
            json!({"count": cycles}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        r.json["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect()
    };
    let o = s.post(
        &format!("/api/v1/rounds/{rid}/open"),
        Some(&admin),
        json!({}),
    );
    assert_eq!(o.status, 200, "{}", o.text);
    let mut wrong = 0;
    let mut refusals = 0;

    for (cycle, code) in codes.iter().enumerate() {
        // Five wrong passwords for one account: even the right one is refused.
        let from = s.log().len();
        for i in 0..5 {
            login(&s, "officer@ashby.example", &format!("guess-{cycle}-{i}"))
                .assert_error(401, "invalid_credentials");
            wrong += 1;
        }
        refused(
            &login(&s, "officer@ashby.example", "officer-password-1"),
            "15 minutes",
        );
        refusals += 1;
        let log = s.log();
        assert_eq!(
            lines(&log, from, &["sign-in failed"]),
            5,
            "{}",
            &log[from..]
        );
        assert_eq!(
            lines(&log, from, &["sign-in refused", "per account"]),
            1,
            "{}",
            &log[from..]
        );
        // Another account is still fine from here (15 failures left for this address)...
        assert_eq!(
            login(&s, "other@ashby.example", "other-password-1").status,
            200
        );
        // ...until this address has failed 20 times, over any accounts.
        for i in 0..15 {
            login(&s, &format!("nobody{i}@ashby.example"), "wrong-password")
                .assert_error(401, "invalid_credentials");
            wrong += 1;
        }
        refused(
            &login(&s, "other@ashby.example", "other-password-1"),
            "15 minutes",
        );
        refusals += 1;
        assert_eq!(
            lines(&s.log(), from, &["sign-in refused", "per address"]),
            1
        );
        wait_out_the_window(&s);
        assert_eq!(
            login(&s, "officer@ashby.example", "officer-password-1").status,
            200,
            "the window has passed"
        );

        // Ten wrong voting codes from this address: even an issued one is refused.
        let from = s.log().len();
        for i in 0..10 {
            let guess = format!("AAAA-BBBB-CCCC-{}", (b'A' + i as u8) as char);
            cast(&s, &rid, &guess).assert_error(422, "invalid_code");
            wrong += 1;
        }
        refused(&cast(&s, &rid, code), "15 minutes");
        refusals += 1;
        let log = s.log();
        assert_eq!(
            lines(&log, from, &["wrong code entered", &rid]),
            10,
            "{}",
            &log[from..]
        );
        assert_eq!(
            lines(&log, from, &["too many wrong codes", &rid]),
            1,
            "{}",
            &log[from..]
        );
        wait_out_the_window(&s);
        let ok = cast(&s, &rid, code);
        assert_eq!(ok.status, 201, "the window has passed: {}", ok.text);
    }
    // No secret, right or wrong, is ever logged.
    let log = s.log();
    for secret in [
        "officer-password-1",
        "other-password-1",
        "guess-0-0",
        "wrong-password",
    ] {
        assert!(!log.contains(secret), "the log holds a password");
    }
    for code in &codes {
        assert!(!log.contains(code.as_str()) && !log.contains(&code.replace('-', "")));
    }
    assert!(!log.contains("AAAA-BBBB-CCCC"));
    reliability::report(
        "brute force",
        &format!(
            "{backend:?}: {cycles} cycles, {wrong} wrong passwords and codes, {refusals} right \
             secrets refused while locked, each logged"
        ),
    );
}

fn cast(s: &TestServer, rid: &str, code: &str) -> Resp {
    s.post(
        &format!("/api/v1/rounds/{rid}/ballots"),
        None,
        json!({"eligibility": {"code": code, "postcode": "DN15 6AB", "age_confirmed": true},
               "choices": [{"project": "a"}]}),
    )
}

/// A draft round whose voters need a voting code.
fn code_round(s: &TestServer, admin: &str, pid: &str) -> String {
    let r = s.post(
        &format!("/api/v1/partnerships/{pid}/rounds"),
        Some(admin),
        json!({"title": "Ashby Decides", "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2099-03-21T17:00:00Z",
               "method": {"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": true},
               "rule": "greedy",
               "areas": [{"key": "central", "name": "Central", "budget": 1000, "postcodes": ["DN15"]}],
               "eligibility": {"min_age": 16, "mode": "code"}, "languages": ["en"]}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let rid = r.json["id"].as_str().unwrap().to_string();
    let p = s.post(
        &format!("/api/v1/rounds/{rid}/projects"),
        Some(admin),
        json!({"key": "a", "area": "central", "title": "Project a", "cost": 400}),
    );
    assert_eq!(p.status, 201, "{}", p.text);
    rid
}

/// Unlocks the kiosk's PIN as waiting five minutes would.
fn wait_out_the_pin_lock(k: &TestKiosk) {
    let path = k.dir.path().join("kiosk.db");
    let mut c = diesel::SqliteConnection::establish(&path.display().to_string()).unwrap();
    let past = (chrono::Utc::now() - chrono::Duration::minutes(6)).to_rfc3339();
    let n = diesel::sql_query(format!(
        "UPDATE settings SET value = '{past}' WHERE name = 'pin_locked_until'"
    ))
    .execute(&mut c)
    .unwrap();
    assert_eq!(n, 1, "the lock is kept in the kiosk's settings");
}

#[test]
fn attendant_pin_holds_its_limit() {
    let st = setup(Backend::Sqlite);
    let mut k = TestKiosk::new();
    k.enroll(&st.s.url, &new_kiosk(&st, "Library"));
    let out = k.cli_stdin(&["set-pin", "--pin-stdin"], "482916\n");
    assert!(out.status.success());
    k.start();
    let kiosk_log = || std::fs::read_to_string(k.dir.path().join("kiosk.log")).unwrap_or_default();
    let pin = |p: &str| k.post("/api/attendant/login", &json!({"pin": p}), &[]);
    let cycles = reliability::size(2, 10);
    let mut wrong = 0;
    for cycle in 0..cycles {
        let from = kiosk_log().len();
        for i in 0..4 {
            let (status, body) = pin(&format!("{:06}", cycle * 10 + i));
            assert_eq!((status, &body["error"]["code"]), (401, &json!("wrong_pin")));
            wrong += 1;
        }
        let (status, body) = pin("000009");
        wrong += 1;
        assert_eq!(
            (status, &body["error"]["code"]),
            (429, &json!("pin_locked"))
        );
        // Even the right PIN waits, and is told how long in plain English.
        let (status, body): (u16, Value) = pin("482916");
        assert_eq!(status, 429);
        let msg = body["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains("Wait 5 minutes") && msg.ends_with('.'),
            "{msg}"
        );
        let log = kiosk_log();
        assert_eq!(
            lines(&log, from, &["attendant PIN refused", "wrong PIN"]),
            4,
            "{}",
            &log[from..]
        );
        assert_eq!(
            lines(&log, from, &["attendant PIN refused", "locked"]),
            2,
            "{}",
            &log[from..]
        );
        wait_out_the_pin_lock(&k);
        let (status, body) = pin("482916");
        assert_eq!(status, 200, "the lock has passed: {body}");
        assert!(body["token"].as_str().is_some());
    }
    assert!(!kiosk_log().contains("482916"), "the log holds the PIN");
    reliability::report(
        "brute force",
        &format!(
            "attendant PIN: {cycles} lock cycles, {wrong} wrong PINs, the right PIN refused \
             while locked, each logged"
        ),
    );
}
