//! Online ballots through the JSON API, each on SQLite and on PostgreSQL: validation with one
//! code per failure, one ballot per person, voting codes, receipts and monitoring.

use serde_json::{json, Value};
use youdecide_tests::{on_both_backends, Backend, Req, TestServer};

on_both_backends!(
    self_declared_voting,
    invalid_ballots_store_nothing,
    voting_codes_are_single_use,
    monitoring_is_checked,
    closed_rounds_take_no_ballots,
    poll_cards_print_usable_codes,
    concurrent_ballots_one_per_person,
);

struct World {
    s: TestServer,
    admin: String,
    rid: String,
}

fn world(backend: Backend, mode: &str) -> World {
    let s = TestServer::start(backend);
    let admin = s.admin_token("root@example.org");
    let p = s.post(
        "/api/v1/partnerships",
        Some(&admin),
        json!({"name": "Ashby"}),
    );
    let pid = p.json["id"].as_str().unwrap().to_string();
    let r = s.post(
        &format!("/api/v1/partnerships/{pid}/rounds"),
        Some(&admin),
        json!({"title": "Ashby Decides", "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2099-03-21T17:00:00Z",
               "method": {"kind": "approval", "min_choices": 1, "max_choices": 2, "within_budget": true},
               "rule": "greedy",
               "areas": [{"key": "central", "name": "Central", "budget": 800, "postcodes": ["DN15 6"]},
                         {"key": "north", "name": "North", "budget": 1000, "postcodes": ["DN16"]}],
               "eligibility": {"min_age": 16, "mode": mode}, "languages": ["en", "cy"]}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let rid = r.json["id"].as_str().unwrap().to_string();
    for (k, a, c) in [
        ("a", "central", 400),
        ("b", "central", 500),
        ("c", "central", 300),
        ("n", "north", 10),
    ] {
        let p = s.post(
            &format!("/api/v1/rounds/{rid}/projects"),
            Some(&admin),
            json!({"key": k, "area": a, "title": format!("Project {k}"), "cost": c}),
        );
        assert_eq!(p.status, 201, "{}", p.text);
    }
    World { s, admin, rid }
}

fn open(w: &World) {
    let r = w.s.post(
        &format!("/api/v1/rounds/{}/open", w.rid),
        Some(&w.admin),
        json!({}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
}

fn jane(choices: Value) -> Value {
    json!({"eligibility": {"postcode": "dn15 6ab", "age_confirmed": true, "name": "Jane Smith",
                           "date_of_birth": "1980-04-02"},
           "choices": choices, "language": "en"})
}

fn cast(w: &World, body: Value) -> youdecide_tests::Resp {
    w.s.post(&format!("/api/v1/rounds/{}/ballots", w.rid), None, body)
}

fn self_declared_voting(backend: Backend) {
    let w = world(backend, "self-declared");
    // Not open yet: the public cannot see the round at all.
    cast(&w, jane(json!([{"project": "a"}]))).assert_error(404, "not_found");
    open(&w);
    let r = cast(&w, jane(json!([{"project": "a"}, {"project": "c"}])));
    assert_eq!(r.status, 201, "{}", r.text);
    let tracking = r.json["tracking_code"].as_str().unwrap().to_string();
    assert_eq!(tracking.len(), 19);
    // The same person again, written differently, is refused at once.
    let mut again = jane(json!([{"project": "b"}]));
    again["eligibility"]["name"] = json!("  JANE   smith ");
    again["eligibility"]["postcode"] = json!("DN156AB");
    cast(&w, again).assert_error(409, "already_voted");
    // Someone else is fine.
    let mut john = jane(json!([{"project": "b"}]));
    john["eligibility"]["name"] = json!("John Smith");
    assert_eq!(cast(&w, john).status, 201);
    // The receipt shows only the status.
    let status = w.s.get(
        &format!("/api/v1/ballots/{}", tracking.to_lowercase()),
        None,
    );
    assert_eq!(status.status, 200, "{}", status.text);
    assert_eq!(status.json, json!({"status": "received"}));
    w.s.get("/api/v1/ballots/AAAA-BBBB-CCCC-DDDD", None)
        .assert_error(404, "not_found");
    w.s.get("/api/v1/ballots/nonsense", None)
        .assert_error(404, "not_found");
}

fn invalid_ballots_store_nothing(backend: Backend) {
    let w = world(backend, "self-declared");
    open(&w);
    let cases: Vec<(Value, u16, &str)> = vec![
        (jane(json!([])), 422, "too_few_choices"),
        (
            jane(json!([{"project": "a"}, {"project": "b"}, {"project": "c"}])),
            422,
            "too_many_choices",
        ),
        (
            jane(json!([{"project": "a"}, {"project": "b"}])),
            422,
            "over_budget",
        ),
        (
            jane(json!([{"project": "a"}, {"project": "a"}])),
            422,
            "duplicate_choice",
        ),
        (jane(json!([{"project": "zzz"}])), 422, "unknown_project"),
        (jane(json!([{"project": "n"}])), 422, "project_not_in_area"),
        (jane(json!([{"project": 5}])), 422, "invalid_field"),
        (jane(json!("everything")), 422, "invalid_field"),
        (json!({"choices": []}), 422, "invalid_field"),
        (json!([1, 2, 3]), 422, "invalid_field"),
    ];
    for (body, status, code) in cases {
        cast(&w, body).assert_error(status, code);
    }
    let mut b = jane(json!([{"project": "a"}]));
    b["eligibility"]["postcode"] = json!("ZZ1 1ZZ");
    cast(&w, b).assert_error(422, "postcode_not_in_round");
    let mut b = jane(json!([{"project": "a"}]));
    b["eligibility"]["date_of_birth"] = json!("2020-01-01");
    cast(&w, b).assert_error(422, "too_young");
    let mut b = jane(json!([{"project": "a"}]));
    b["eligibility"]["age_confirmed"] = json!(false);
    cast(&w, b).assert_error(422, "age_not_confirmed");
    let mut b = jane(json!([{"project": "a"}]));
    b["language"] = json!("pl");
    cast(&w, b).assert_error(422, "language_not_offered");
    let mut b = jane(json!([{"project": "a"}]));
    b["eligibility"]["name"] = json!("x".repeat(1_000_000));
    let r = cast(&w, b);
    assert!(r.status == 422 || r.status == 400, "{}", r.status);
    let huge: Vec<Value> = (0..100_000)
        .map(|i| json!({"project": format!("p{i}")}))
        .collect();
    let r = cast(&w, jane(json!(huge)));
    assert!(r.status == 422 || r.status == 400, "{}", r.status);
    w.s.request(
        Req::new("POST", &format!("/api/v1/rounds/{}/ballots", w.rid))
            .raw("application/json", "{\"eligibility\": "),
    )
    .assert_error(400, "invalid_json");
    // Nothing was stored: Jane can still vote, and the server is still serving.
    assert_eq!(cast(&w, jane(json!([{"project": "a"}]))).status, 201);
    assert_eq!(w.s.get("/healthz", None).status, 200);
}

fn voting_codes_are_single_use(backend: Backend) {
    let w = world(backend, "code");
    let issued = w.s.post(
        &format!("/api/v1/rounds/{}/codes", w.rid),
        Some(&w.admin),
        json!({"count": 3}),
    );
    assert_eq!(issued.status, 201, "{}", issued.text);
    let codes: Vec<String> = issued.json["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 3);
    assert!(codes.iter().all(|c| c.replace('-', "").len() == 13));
    w.s.post(
        &format!("/api/v1/rounds/{}/codes", w.rid),
        Some(&w.admin),
        json!({"count": 0}),
    )
    .assert_error(422, "invalid_field");
    open(&w);
    let with_code = |code: &str| {
        json!({"eligibility": {"code": code, "postcode": "DN15 6AB", "age_confirmed": true},
                                        "choices": [{"project": "a"}]})
    };
    assert_eq!(cast(&w, with_code(&codes[0].to_lowercase())).status, 201);
    cast(&w, with_code(&codes[0])).assert_error(409, "already_voted");
    cast(&w, with_code("AAAA-BBBB-CCCC-D")).assert_error(422, "invalid_code");
    cast(&w, json!({"eligibility": {"postcode": "DN15 6AB", "age_confirmed": true}, "choices": [{"project": "a"}]}))
        .assert_error(422, "code_required");
    // Guessing is rate-limited per address.
    for _ in 0..9 {
        cast(&w, with_code("AAAA-BBBB-CCCC-D")).assert_error(422, "invalid_code");
    }
    cast(&w, with_code(&codes[1])).assert_error(429, "too_many_attempts");
    // Codes are stored only as hashes: the plain code appears nowhere in the database file.
    if backend == Backend::Sqlite {
        let bytes = std::fs::read(&w.s.db.url).unwrap();
        let wal = std::fs::read(format!("{}-wal", w.s.db.url)).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).to_string() + &String::from_utf8_lossy(&wal);
        assert!(!text.contains(&codes[2].replace('-', "")) && !text.contains(&codes[2]));
    }
    // A round in another mode has no codes.
    let other = world(backend, "self-declared");
    other
        .s
        .post(
            &format!("/api/v1/rounds/{}/codes", other.rid),
            Some(&other.admin),
            json!({"count": 1}),
        )
        .assert_error(409, "codes_not_used");
}

fn monitoring_is_checked(backend: Backend) {
    let w = world(backend, "self-declared");
    open(&w);
    let path = format!("/api/v1/rounds/{}/monitoring", w.rid);
    let ok = w.s.post(
        &path,
        None,
        json!({"age_band": "25-34", "influence": "tend-to-agree"}),
    );
    assert_eq!(ok.status, 204, "{}", ok.text);
    let bad = w.s.post(&path, None, json!({"age_band": "ancient"}));
    bad.assert_error(422, "invalid_monitoring");
    assert!(bad.text.contains("age_band"));
    w.s.post(&path, None, json!({"ballot_id": "x"}))
        .assert_error(422, "invalid_field");
}

fn closed_rounds_take_no_ballots(backend: Backend) {
    let w = world(backend, "self-declared");
    open(&w);
    // A ballot just before closing (the server may keep the open round's definition for a
    // few seconds): the round's status is checked again when a ballot is written.
    let mut early = jane(json!([{"project": "a"}]));
    early["eligibility"]["name"] = json!("Early Bird");
    assert_eq!(cast(&w, early).status, 201);
    w.s.post(
        &format!("/api/v1/rounds/{}/close", w.rid),
        Some(&w.admin),
        json!({}),
    );
    cast(&w, jane(json!([{"project": "a"}]))).assert_error(409, "round_not_open");
    assert_eq!(
        w.s.sql_count(&format!(
            "SELECT COUNT(*) AS n FROM ballots WHERE round_id = '{}'",
            w.rid
        )),
        1
    );
}

fn poll_cards_print_usable_codes(backend: Backend) {
    let w = world(backend, "code");
    let url = format!("{}/api/v1/rounds/{}/poll-cards", w.s.url, w.rid);
    let resp = ureq::post(&url)
        .set("Authorization", &format!("Bearer {}", w.admin))
        .send_json(json!({"count": 10}))
        .expect("poll cards");
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.content_type(), "application/pdf");
    let mut pdf = Vec::new();
    std::io::Read::read_to_end(&mut resp.into_reader(), &mut pdf).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cards.pdf");
    std::fs::write(&file, &pdf).unwrap();
    // A real PDF reader finds two pages and ten codes in them.
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", file.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches('\u{c}').count(), 2, "two pages");
    let codes: Vec<String> = text
        .split_whitespace()
        .filter(|t| t.len() == 16 && t.matches('-').count() == 3)
        .map(str::to_string)
        .collect();
    assert_eq!(codes.len(), 10, "{text}");
    assert!(text.contains("Ashby Decides"));
    if let Ok(shots) = std::env::var("YOUDECIDE_SCREENSHOTS") {
        let _ = std::process::Command::new("pdftoppm")
            .args([
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                file.to_str().unwrap(),
                &format!("{shots}/poll-cards"),
            ])
            .status();
    }
    // The printed codes work, once each.
    open(&w);
    let ballot = |code: &str| {
        json!({"eligibility": {"code": code, "postcode": "DN15 6AB", "age_confirmed": true},
                                    "choices": [{"project": "c"}]})
    };
    assert_eq!(cast(&w, ballot(&codes[9])).status, 201);
    cast(&w, ballot(&codes[9])).assert_error(409, "already_voted");
}

/// Many voters at once, several of them the same person: ballots written together in one
/// group commit still get one ballot per person, and every 201 is stored.
fn concurrent_ballots_one_per_person(backend: Backend) {
    let w = world(backend, "code");
    open(&w);
    let issued = w.s.post(
        &format!("/api/v1/rounds/{}/codes", w.rid),
        Some(&w.admin),
        json!({"count": 24}),
    );
    let codes: Vec<String> = issued.json["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    // 24 different voters, and the first code tried 8 more times at the same moment.
    let mut bodies: Vec<Value> = codes
        .iter()
        .map(|c| {
            json!({"eligibility": {"code": c, "postcode": "DN15 6AB", "age_confirmed": true},
                        "choices": [{"project": "a"}]})
        })
        .collect();
    for _ in 0..8 {
        bodies.push(bodies[0].clone());
    }
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = bodies
            .iter()
            .map(|b| scope.spawn(|| cast(&w, b.clone())))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                let r = h.join().unwrap();
                if r.status != 201 {
                    r.assert_error(409, "already_voted");
                }
                r.status
            })
            .collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 24);
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 8);
    let stored = w.s.sql_count(&format!(
        "SELECT COUNT(*) AS n FROM ballots WHERE round_id = '{}'",
        w.rid
    ));
    assert_eq!(stored, 24);
}
