//! The real kiosk against the real server, on SQLite and on PostgreSQL: enrol, vote with the
//! server down, kill the kiosk part-way, restart both, sync, and check the server holds exactly
//! the confirmed ballots; then a revoked kiosk stops.

use serde_json::{json, Value};
use youdecide_tests::kiosk::{ballot, new_kiosk, setup, Setup, TestKiosk};
use youdecide_tests::{on_both_backends, Backend};

on_both_backends!(
    offline_voting_survives_crashes_and_syncs_exactly,
    enrolment_codes_are_one_time,
    attendant_controls,
);

fn kiosks(setup: &Setup) -> Vec<Value> {
    let r = setup.s.get(
        &format!("/api/v1/partnerships/{}/kiosks", setup.pid),
        Some(&setup.admin),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.json.as_array().unwrap().clone()
}

fn offline_voting_survives_crashes_and_syncs_exactly(backend: Backend) {
    let mut setup = setup(backend);
    let code = new_kiosk(&setup, "Tesco tablet");
    let mut kiosk = TestKiosk::new();
    let enrolled = kiosk.enroll(&setup.s.url, &code);
    assert_eq!(
        enrolled["rounds"], 1,
        "the kiosk took a copy of the open round"
    );
    kiosk.start();

    // Online, the kiosk fetches the projects' pictures in the background.
    let picture_url = format!("{}/images/{}/a", kiosk.url.as_deref().unwrap(), setup.rid);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while ureq::get(&picture_url).call().is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the kiosk fetched the picture"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    // The server goes away; voting carries on, with the projects' pictures.
    setup.s.kill();
    let picture = ureq::get(&picture_url)
        .call()
        .expect("the kiosk serves the picture offline");
    assert_eq!(picture.content_type(), "image/png");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut picture.into_reader(), &mut bytes).unwrap();
    assert_eq!(bytes, youdecide_tests::kiosk::PIXEL_PNG);
    let mut codes = Vec::new();
    for i in 0..5 {
        let (status, body) = kiosk.cast(&ballot(&setup.rid, &format!("Voter {i}")));
        assert_eq!(status, 201, "{body}");
        codes.push(body["tracking_code"].as_str().unwrap().to_string());
    }
    let (status, body) = kiosk.cast(&ballot(&setup.rid, "Voter 3"));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("already_voted"))
    );
    let mut bad = ballot(&setup.rid, "Voter 9");
    bad["choices"] = json!([{"project": "a"}, {"project": "b"}, {"project": "zz"}]);
    let (status, body) = kiosk.cast(&bad);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("unknown_project"))
    );

    // A crash: every confirmed ballot is still there, in an unbroken chain.
    kiosk.kill9();
    let st = kiosk.status();
    assert_eq!(
        (
            st["ballots_total"].as_i64(),
            st["ballots_unsynced"].as_i64()
        ),
        (Some(5), Some(5))
    );
    assert_eq!(st["chain_ok"], true);
    kiosk.start();
    for i in 5..8 {
        let (status, body) = kiosk.cast(&ballot(&setup.rid, &format!("Voter {i}")));
        assert_eq!(status, 201, "{body}");
        codes.push(body["tracking_code"].as_str().unwrap().to_string());
    }
    kiosk.kill9();

    // With the server still down, a sync says so and exits non-zero.
    let out = kiosk.cli(&["sync"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot be reached") && err.lines().count() == 1,
        "{err}"
    );

    // The server comes back; one sync delivers everything exactly once.
    setup.s.restart();
    let out = kiosk.cli(&["sync"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let st = kiosk.status();
    assert_eq!(
        (
            st["ballots_total"].as_i64(),
            st["ballots_unsynced"].as_i64()
        ),
        (Some(8), Some(0))
    );
    assert!(st["last_sync_at"].is_string());
    for c in &codes {
        let r = setup.s.get(&format!("/api/v1/ballots/{c}"), None);
        assert_eq!(r.json["status"], "received", "{c}: {}", r.text);
    }
    let list = kiosks(&setup);
    assert_eq!(list[0]["ballots_received"], 8);
    assert_eq!(list[0]["pending_reported"], 0);
    assert_eq!(list[0]["clock_warning"], false);
    // Syncing again changes nothing.
    assert!(kiosk.cli(&["sync"]).status.success());
    assert_eq!(kiosks(&setup)[0]["ballots_received"], 8);

    // Someone who voted at the kiosk cannot also vote online.
    let mut online = ballot(&setup.rid, "Voter 1");
    online.as_object_mut().unwrap().remove("round");
    setup
        .s
        .post(
            &format!("/api/v1/rounds/{}/ballots", setup.rid),
            None,
            online,
        )
        .assert_error(409, "already_voted");

    // Revoked: the kiosk can still take votes, but sync stops and says why.
    let kid = list[0]["id"].as_str().unwrap().to_string();
    let r = setup.s.post(
        &format!("/api/v1/kiosks/{kid}/revoke"),
        Some(&setup.admin),
        json!({}),
    );
    assert_eq!(r.json["revoked"], true);
    kiosk.start();
    let (status, _) = kiosk.cast(&ballot(&setup.rid, "Voter 8"));
    assert_eq!(status, 201);
    kiosk.kill9();
    let out = kiosk.cli(&["sync"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("revoked"));
    assert_eq!(kiosks(&setup)[0]["ballots_received"], 8);
}

fn enrolment_codes_are_one_time(backend: Backend) {
    let setup = setup(backend);
    let code = new_kiosk(&setup, "Precinct tablet");
    let first = TestKiosk::new();
    first.enroll(&setup.s.url, &code.to_lowercase());
    let second = TestKiosk::new();
    let out = second.cli(&["enroll", "--server", &setup.s.url, "--code", &code]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not valid, has been used, or has expired")
    );
    // Enrolling the same kiosk again is refused locally.
    let again = first.cli(&["enroll", "--server", &setup.s.url, "--code", &code]);
    assert_eq!(again.status.code(), Some(2));
    // An unenrolled kiosk's status says what to do.
    let out = second.cli(&["status"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("youdecide-kiosk enroll"));
    // Bad arguments.
    let out = second.cli(&["enroll", "--server", "nonsense", "--code", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let out = second.cli(&["enroll", "--server", "http://127.0.0.1:1", "--code", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach"));
}

fn attendant_controls(backend: Backend) {
    let setup = setup(backend);
    let code = new_kiosk(&setup, "Tablet");
    let mut k = TestKiosk::new();
    k.enroll(&setup.s.url, &code);
    let weak = k.cli_stdin(&["set-pin", "--pin-stdin"], "12\n");
    assert_eq!(weak.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("6 to 12 digits"));
    assert!(k
        .cli_stdin(&["set-pin", "--pin-stdin"], "482916\n")
        .status
        .success());
    k.start();
    // Nothing without the PIN.
    let (status, _) = k.post("/api/attendant", &json!({"action": "close"}), &[]);
    assert_eq!(status, 401);
    let (status, body) = k.post("/api/attendant/login", &json!({"pin": "000000"}), &[]);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("wrong_pin"))
    );
    let (status, body) = k.post("/api/attendant/login", &json!({"pin": "482916"}), &[]);
    assert_eq!(status, 200);
    let token = body["token"].as_str().unwrap().to_string();
    let auth = [("X-Attendant-Token", token.as_str())];
    let (_, v) = k.post("/api/attendant", &json!({"action": "status"}), &auth);
    assert_eq!(
        (v["ballots_total"].as_i64(), v["closed"].as_bool()),
        (Some(0), Some(false))
    );
    assert_eq!(v["round_titles"], json!(["Ashby Decides"]));
    // Closed for the day: no ballots; open again: ballots.
    let (_, v) = k.post("/api/attendant", &json!({"action": "close"}), &auth);
    assert_eq!(v["closed"], true);
    let (status, body) = k.cast(&ballot(&setup.rid, "Late Voter"));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("kiosk_closed"))
    );
    k.post("/api/attendant", &json!({"action": "open"}), &auth);
    assert_eq!(k.cast(&ballot(&setup.rid, "Late Voter")).0, 201);
    let (_, v) = k.post("/api/attendant", &json!({"action": "sync"}), &auth);
    assert_eq!(v["ballots_today"], 1);
    // An assisted vote: recorded as such (and nothing about who), for the next ballot only.
    let (_, v) = k.post(
        "/api/attendant",
        &json!({"action": "start-assisted"}),
        &auth,
    );
    assert_eq!(v["assisted_session"], true);
    assert_eq!(k.cast(&ballot(&setup.rid, "Helped Voter")).0, 201);
    let (_, v) = k.post("/api/attendant", &json!({"action": "status"}), &auth);
    assert_eq!(
        v["assisted_session"], false,
        "one ballot per assisted session"
    );
    assert_eq!(k.cast(&ballot(&setup.rid, "Alone Voter")).0, 201);
    k.post("/api/attendant", &json!({"action": "sync"}), &auth);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while setup.s.sql_count("SELECT COUNT(*) AS n FROM ballots") < 3 {
        assert!(std::time::Instant::now() < deadline, "the kiosk synced");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(
        setup
            .s
            .sql_count("SELECT COUNT(*) AS n FROM ballots WHERE assisted"),
        1
    );
    // Five wrong PINs lock the screen, even for the right PIN.
    for _ in 0..4 {
        assert_eq!(
            k.post("/api/attendant/login", &json!({"pin": "111111"}), &[])
                .0,
            401
        );
    }
    assert_eq!(
        k.post("/api/attendant/login", &json!({"pin": "111111"}), &[])
            .0,
        429
    );
    assert_eq!(
        k.post("/api/attendant/login", &json!({"pin": "482916"}), &[])
            .0,
        429
    );
}
