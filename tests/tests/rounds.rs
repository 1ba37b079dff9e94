//! Rounds, projects, translations, images, the pop-up schedule, transitions and the audit log
//! through the JSON API, each on SQLite and on PostgreSQL.

use serde_json::{json, Value};
use youdecide_tests::{on_both_backends, Backend, Req, Resp, TestServer};

on_both_backends!(
    round_life_cycle,
    bad_rounds_are_refused_naming_the_field,
    projects_and_their_rules,
    csv_import_is_all_or_nothing,
    images_are_checked,
    translations_and_schedule,
    audit_log_records_changes_and_cannot_be_edited,
    other_partnerships_cannot_touch_rounds,
);

struct World {
    s: TestServer,
    admin: String,
    officer: String,
    pid: String,
}

fn world(backend: Backend) -> World {
    let s = TestServer::start(backend);
    let admin = s.admin_token("root@example.org");
    let p = s.post(
        "/api/v1/partnerships",
        Some(&admin),
        json!({"name": "Ashby Partnership"}),
    );
    let pid = p.json["id"].as_str().unwrap().to_string();
    let m = s.post(
        &format!("/api/v1/partnerships/{pid}/members"),
        Some(&admin),
        json!({"email": "officer@ashby.example", "role": "officer", "password": "officer-password-1"}),
    );
    assert_eq!(m.status, 201);
    let officer = s.token_for("officer@ashby.example");
    World {
        s,
        admin,
        officer,
        pid,
    }
}

fn round_body() -> Value {
    json!({"title": "Ashby Decides", "description": "£50,000 for local projects",
        "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2099-03-21T17:00:00Z",
        "method": {"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": true},
        "rule": "greedy",
        "areas": [
            {"key": "central", "name": "Central", "budget": 2500000, "postcodes": ["DN15 6", "dn15 7"]},
            {"key": "north", "name": "North", "budget": 1000000, "postcodes": ["DN16"]}
        ],
        "eligibility": {"min_age": 11, "mode": "self-declared"},
        "languages": ["en", "cy", "ur"]})
}

fn new_round(w: &World) -> String {
    let r = w.s.post(
        &format!("/api/v1/partnerships/{}/rounds", w.pid),
        Some(&w.admin),
        round_body(),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["id"].as_str().unwrap().to_string()
}

fn project(key: &str, area: &str, cost: i64) -> Value {
    json!({"key": key, "area": area, "title": format!("Project {key}"), "summary": "A good thing",
           "cost": cost, "category": "Parks"})
}

fn add_project(w: &World, rid: &str, key: &str, area: &str, cost: i64) -> Resp {
    w.s.post(
        &format!("/api/v1/rounds/{rid}/projects"),
        Some(&w.admin),
        project(key, area, cost),
    )
}

fn rounds_listed(w: &World, token: Option<&str>) -> usize {
    let r =
        w.s.get(&format!("/api/v1/partnerships/{}/rounds", w.pid), token);
    assert_eq!(r.status, 200, "{}", r.text);
    r.json.as_array().unwrap().len()
}

fn round_life_cycle(backend: Backend) {
    let w = world(backend);
    let rid = new_round(&w);
    let r = w.s.get(&format!("/api/v1/rounds/{rid}"), Some(&w.officer));
    assert_eq!(r.json["status"], "draft");
    assert_eq!(r.json["areas"][0]["postcodes"], json!(["DN15 6", "DN15 7"]));
    assert_eq!(r.json["method"]["kind"], "approval");
    // Drafts are hidden from the public.
    w.s.get(&format!("/api/v1/rounds/{rid}"), None)
        .assert_error(404, "not_found");
    assert_eq!(rounds_listed(&w, None), 0);
    assert_eq!(rounds_listed(&w, Some(&w.officer)), 1);
    // Opening needs projects in every area.
    let open = w.s.post(
        &format!("/api/v1/rounds/{rid}/open"),
        Some(&w.officer),
        json!({}),
    );
    open.assert_error(409, "cannot_open");
    assert!(open.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("the area \"Central\" has no projects"));
    assert_eq!(add_project(&w, &rid, "p1", "central", 500_000).status, 201);
    assert_eq!(add_project(&w, &rid, "p2", "north", 2_000_000).status, 201);
    let open = w.s.post(
        &format!("/api/v1/rounds/{rid}/open"),
        Some(&w.officer),
        json!({}),
    );
    open.assert_error(409, "cannot_open");
    assert!(
        open.text.contains("costs more than the budget of its area"),
        "{}",
        open.text
    );
    let fix = w.s.request(
        Req::new("PATCH", &format!("/api/v1/rounds/{rid}/projects/p2"))
            .token(Some(&w.admin))
            .json(json!({"cost": 900_000})),
    );
    assert_eq!(fix.status, 200, "{}", fix.text);
    let open = w.s.post(
        &format!("/api/v1/rounds/{rid}/open"),
        Some(&w.officer),
        json!({}),
    );
    assert_eq!(
        (open.status, open.json["status"].as_str()),
        (200, Some("open")),
        "{}",
        open.text
    );
    // Open rounds are public and frozen.
    let public = w.s.get(&format!("/api/v1/rounds/{rid}"), None);
    assert_eq!(public.status, 200);
    assert_eq!(public.json["projects"].as_array().unwrap().len(), 2);
    assert_eq!(rounds_listed(&w, None), 1);
    w.s.request(
        Req::new("PATCH", &format!("/api/v1/rounds/{rid}"))
            .token(Some(&w.admin))
            .json(json!({"title": "New"})),
    )
    .assert_error(409, "round_not_draft");
    add_project(&w, &rid, "p3", "central", 1).assert_error(409, "round_not_draft");
    // Transitions follow the life cycle.
    w.s.post(
        &format!("/api/v1/rounds/{rid}/open"),
        Some(&w.officer),
        json!({}),
    )
    .assert_error(409, "invalid_transition");
    let closed = w.s.post(
        &format!("/api/v1/rounds/{rid}/close"),
        Some(&w.officer),
        json!({}),
    );
    assert_eq!(closed.json["status"], "closed");
    let cancelled = w.s.post(
        &format!("/api/v1/rounds/{rid}/cancel"),
        Some(&w.admin),
        json!({}),
    );
    assert_eq!(cancelled.json["status"], "cancelled");
    w.s.post(
        &format!("/api/v1/rounds/{rid}/open"),
        Some(&w.officer),
        json!({}),
    )
    .assert_error(409, "invalid_transition");
    assert_eq!(rounds_listed(&w, None), 0);
}

fn bad_rounds_are_refused_naming_the_field(backend: Backend) {
    let w = world(backend);
    let path = format!("/api/v1/partnerships/{}/rounds", w.pid);
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"areas": [{"key": "c", "name": "C", "budget": -1, "postcodes": []}]}),
            "areas[0].budget",
        ),
        (
            json!({"areas": [{"key": "c", "name": "C", "budget": 1.5, "postcodes": []}]}),
            "areas[0].budget",
        ),
        (
            json!({"areas": [{"key": "c", "name": "C", "budget": 1_000_000_000_001i64, "postcodes": []}]}),
            "areas[0].budget",
        ),
        (json!({"closes_at": "2025-01-01T00:00:00Z"}), "closes_at"),
        (json!({"opens_at": "next tuesday"}), "opens_at"),
        (
            json!({"areas": [{"key": "c", "name": "C", "budget": 5, "postcodes": ["12345"]}]}),
            "areas[0].postcodes[0]",
        ),
        (json!({"rule": "borda"}), "rule"),
        (
            json!({"method": {"kind": "ranked", "max_ranks": 3}, "rule": "equal-shares"}),
            "rule",
        ),
        (json!({"languages": ["en", "fr"]}), "languages[1]"),
        (
            json!({"eligibility": {"min_age": 11, "mode": "vibes"}}),
            "eligibility.mode",
        ),
        (json!({"areas": []}), "areas"),
    ];
    for (patch, field) in cases {
        let mut body = round_body();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = w.s.post(&path, Some(&w.admin), body);
        assert_eq!(r.status, 422, "{field}: {}", r.text);
        let fields: Vec<&str> = r.json["error"]["details"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{field} not named in {}", r.text);
        assert!(
            r.json["error"]["message"].as_str().unwrap().contains(field),
            "{}",
            r.text
        );
    }
    w.s.request(
        Req::new("POST", &path)
            .token(Some(&w.admin))
            .raw("application/json", "{\"title\": "),
    )
    .assert_error(400, "invalid_json");
    assert_eq!(rounds_listed(&w, Some(&w.admin)), 0, "nothing stored");
    // Only admins create rounds.
    w.s.post(&path, Some(&w.officer), round_body())
        .assert_error(403, "forbidden");
}

fn projects_and_their_rules(backend: Backend) {
    let w = world(backend);
    let rid = new_round(&w);
    assert_eq!(add_project(&w, &rid, "p1", "central", 500_000).status, 201);
    add_project(&w, &rid, "p1", "north", 5).assert_error(409, "duplicate_key");
    let r = add_project(&w, &rid, "p9", "east", 5);
    assert_eq!(r.status, 422);
    assert!(
        r.text.contains("there is no area \\\"east\\\""),
        "{}",
        r.text
    );
    for (cost, needle) in [
        (json!(-5), "must not be negative"),
        (json!(2.5), "cost"),
        (json!(1_000_000_000_001i64), "at most"),
    ] {
        let mut body = project("p8", "central", 1);
        body["cost"] = cost;
        let r = w.s.post(
            &format!("/api/v1/rounds/{rid}/projects"),
            Some(&w.admin),
            body,
        );
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(r.text.contains(needle), "{needle}: {}", r.text);
    }
    // Renaming a key, then deleting.
    let r = w.s.request(
        Req::new("PATCH", &format!("/api/v1/rounds/{rid}/projects/p1"))
            .token(Some(&w.admin))
            .json(json!({"key": "bench", "title": "Benches"})),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let round = w.s.get(&format!("/api/v1/rounds/{rid}"), Some(&w.admin));
    let keys: Vec<&str> = round.json["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["bench"]);
    assert_eq!(round.json["projects"][0]["area"], "central");
    let d = w.s.request(
        Req::new("DELETE", &format!("/api/v1/rounds/{rid}/projects/bench")).token(Some(&w.admin)),
    );
    assert_eq!(d.status, 204);
    w.s.request(
        Req::new("DELETE", &format!("/api/v1/rounds/{rid}/projects/bench")).token(Some(&w.admin)),
    )
    .assert_error(404, "not_found");
    // An area with projects cannot be dropped.
    add_project(&w, &rid, "n1", "north", 5);
    let r = w.s.request(Req::new("PATCH", &format!("/api/v1/rounds/{rid}")).token(Some(&w.admin))
        .json(json!({"areas": [{"key": "central", "name": "Central", "budget": 10, "postcodes": ["DN15"]}]})));
    r.assert_error(422, "area_in_use");
}

fn csv_import_is_all_or_nothing(backend: Backend) {
    let w = world(backend);
    let rid = new_round(&w);
    let path = format!("/api/v1/rounds/{rid}/projects/import");
    let bad = "key,area,title,cost,summary\nb1,central,Benches,150000,Seats\nb2,east,Lights,100,\nb3,north,Bins,ten,\n";
    let r = w.s.request(
        Req::new("POST", &path)
            .token(Some(&w.admin))
            .raw("text/csv", bad),
    );
    assert_eq!(r.status, 422, "{}", r.text);
    let lines: Vec<(u64, &str)> = r.json["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(lines, vec![(3, "area"), (4, "cost")]);
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Nothing was imported."));
    let wrong_columns = w.s.request(
        Req::new("POST", &path)
            .token(Some(&w.admin))
            .raw("text/csv", "id,area,name,price\n1,central,x,5\n"),
    );
    assert_eq!(wrong_columns.status, 422);
    assert!(
        wrong_columns
            .text
            .contains("the column \\\"key\\\" is missing"),
        "{}",
        wrong_columns.text
    );
    let round = w.s.get(&format!("/api/v1/rounds/{rid}"), Some(&w.admin));
    assert_eq!(
        round.json["projects"].as_array().unwrap().len(),
        0,
        "nothing imported"
    );
    let good = "key,area,title,cost,summary,category\nb1,central,\"Benches, new\",150000,Seats,Parks\nb2,north,Lights,100,,\n";
    let r = w.s.request(
        Req::new("POST", &path)
            .token(Some(&w.admin))
            .raw("text/csv", good),
    );
    assert_eq!(
        (r.status, r.json["imported"].as_u64()),
        (201, Some(2)),
        "{}",
        r.text
    );
    let again = w.s.request(
        Req::new("POST", &path)
            .token(Some(&w.admin))
            .raw("text/csv", good),
    );
    assert_eq!(again.status, 422, "existing keys are refused");
    let round = w.s.get(&format!("/api/v1/rounds/{rid}"), Some(&w.admin));
    assert_eq!(round.json["projects"][0]["title"], "Benches, new");
}

fn images_are_checked(backend: Backend) {
    let w = world(backend);
    let rid = new_round(&w);
    add_project(&w, &rid, "p1", "central", 5);
    let path = format!("/api/v1/rounds/{rid}/projects/p1/image");
    let up = |ct: &str, body: &str| {
        w.s.request(Req::new("PUT", &path).token(Some(&w.admin)).raw(ct, body))
    };
    up("image/png", "<svg onload=alert(1)></svg>").assert_error(422, "invalid_image");
    up("image/svg+xml", "<svg></svg>").assert_error(422, "invalid_image");
    let big = "\u{FF}".repeat(10);
    up("image/jpeg", &big).assert_error(422, "invalid_image");
    let huge = "x".repeat(2 * 1024 * 1024 + 10);
    let r = up("image/png", &huge);
    assert_eq!(r.status, 422, "{}", &r.text[..r.text.len().min(200)]);
    assert!(r.text.contains("larger than 2 MB"));
    let round = w.s.get(&format!("/api/v1/rounds/{rid}"), Some(&w.admin));
    assert_eq!(
        round.json["projects"][0]["image_url"],
        Value::Null,
        "nothing stored"
    );
    // A real PNG (1x1) goes in and comes back with its type.
    let pixel: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0,
        0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89, 0, 0, 0, 13, 0x49, 0x44, 0x41,
        0x54, 0x78, 0x9C, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0D, 0x0A, 0x2D, 0xB4, 0, 0, 0, 0, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];
    let resp = ureq::put(&format!("{}{path}", w.s.url))
        .set("Authorization", &format!("Bearer {}", w.admin))
        .set("Content-Type", "image/png")
        .send_bytes(pixel)
        .expect("upload");
    assert_eq!(resp.status(), 200);
    let got = ureq::get(&format!("{}{path}", w.s.url))
        .set("Authorization", &format!("Bearer {}", w.admin))
        .call()
        .unwrap();
    assert_eq!(got.content_type(), "image/png");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut got.into_reader(), &mut bytes).unwrap();
    assert_eq!(bytes, pixel);
    // Not visible to the public while the round is a draft.
    w.s.get(&path, None).assert_error(404, "not_found");
}

fn translations_and_schedule(backend: Backend) {
    let w = world(backend);
    let rid = new_round(&w);
    add_project(&w, &rid, "p1", "central", 5);
    let put = |path: &str, body: Value| {
        w.s.request(Req::new("PUT", path).token(Some(&w.admin)).json(body))
    };
    let r = put(
        &format!("/api/v1/rounds/{rid}/translations/cy"),
        json!({"title": "Ashby yn Penderfynu", "description": "£50,000"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let r = put(
        &format!("/api/v1/rounds/{rid}/projects/p1/translations/ur"),
        json!({"title": "منصوبہ", "summary": "اچھی چیز"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    put(
        &format!("/api/v1/rounds/{rid}/translations/pl"),
        json!({"title": "x"}),
    )
    .assert_error(422, "language_not_offered");
    put(
        &format!("/api/v1/rounds/{rid}/translations/fr"),
        json!({"title": "x"}),
    )
    .assert_error(404, "not_found");
    put(
        &format!("/api/v1/rounds/{rid}/projects/nope/translations/cy"),
        json!({"title": "x"}),
    )
    .assert_error(404, "not_found");
    put(
        &format!("/api/v1/rounds/{rid}/translations/cy"),
        json!({"title": ""}),
    )
    .assert_error(422, "invalid_translation");
    let round = w.s.get(&format!("/api/v1/rounds/{rid}"), Some(&w.admin));
    assert_eq!(
        round.json["translations"]["cy"]["title"],
        "Ashby yn Penderfynu"
    );
    assert_eq!(
        round.json["projects"][0]["translations"]["ur"]["title"],
        "منصوبہ"
    );
    // The pop-up schedule.
    let path = format!("/api/v1/rounds/{rid}/schedule");
    let slot = w.s.post(&path, Some(&w.officer), json!({"place": "Tesco Extra", "address": "High St, Ashby", "date": "2027-03-06", "starts": "10:00", "ends": "16:00"}));
    assert_eq!(slot.status, 201, "{}", slot.text);
    for (body, field) in [
        (
            json!({"place": "X", "date": "2027-03-06", "starts": "16:00", "ends": "10:00"}),
            "ends",
        ),
        (
            json!({"place": "X", "date": "2027-03-06", "starts": "9am", "ends": "10:00"}),
            "starts",
        ),
        (
            json!({"place": "", "date": "2027-03-06", "starts": "09:00", "ends": "10:00"}),
            "place",
        ),
        (
            json!({"place": "X", "date": "2027-02-30", "starts": "09:00", "ends": "10:00"}),
            "date",
        ),
    ] {
        let r = w.s.post(&path, Some(&w.officer), body);
        assert_eq!(r.status, 422, "{field}: {}", r.text);
        assert!(r.text.contains(field), "{field}: {}", r.text);
    }
    let round = w.s.get(&format!("/api/v1/rounds/{rid}"), Some(&w.admin));
    let schedule = round.json["schedule"].as_array().unwrap();
    assert_eq!(schedule.len(), 1);
    assert_eq!(schedule[0]["date"], "2027-03-06");
    let sid = schedule[0]["id"].as_str().unwrap();
    let d =
        w.s.request(Req::new("DELETE", &format!("{path}/{sid}")).token(Some(&w.officer)));
    assert_eq!(d.status, 204);
}

fn audit_log_records_changes_and_cannot_be_edited(backend: Backend) {
    let w = world(backend);
    let rid = new_round(&w);
    add_project(&w, &rid, "p1", "central", 5);
    w.s.request(
        Req::new("PATCH", &format!("/api/v1/rounds/{rid}"))
            .token(Some(&w.admin))
            .json(json!({"title": "Ashby Decides 2027"})),
    );
    let log = w.s.get(
        &format!("/api/v1/partnerships/{}/audit", w.pid),
        Some(&w.admin),
    );
    assert_eq!(log.status, 200, "{}", log.text);
    let entries = log.json.as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec!["round.update", "project.create", "round.create"]
    );
    assert_eq!(entries[0]["actor"]["email"], "root@example.org");
    assert_eq!(entries[0]["before"]["title"], "Ashby Decides");
    assert_eq!(entries[0]["after"]["title"], "Ashby Decides 2027");
    w.s.get(
        &format!("/api/v1/partnerships/{}/audit", w.pid),
        Some(&w.officer),
    )
    .assert_error(403, "forbidden");
    // Even with direct database access, entries cannot be changed or removed.
    use diesel::{Connection, RunQueryDsl};
    let sql_update = diesel::sql_query("UPDATE audit_log SET actor_email = 'someone@else.example'");
    let sql_delete = diesel::sql_query("DELETE FROM audit_log");
    match backend {
        Backend::Sqlite => {
            let mut c = diesel::SqliteConnection::establish(&w.s.db.url).unwrap();
            assert!(sql_update.execute(&mut c).is_err());
            assert!(sql_delete.execute(&mut c).is_err());
        }
        Backend::Postgres => {
            let mut c = diesel::PgConnection::establish(&w.s.db.url).unwrap();
            assert!(sql_update.execute(&mut c).is_err());
            assert!(sql_delete.execute(&mut c).is_err());
        }
    }
    let again = w.s.get(
        &format!("/api/v1/partnerships/{}/audit", w.pid),
        Some(&w.admin),
    );
    assert_eq!(again.json, log.json);
}

fn other_partnerships_cannot_touch_rounds(backend: Backend) {
    let w = world(backend);
    let rid = new_round(&w);
    let other = w.s.post(
        "/api/v1/partnerships",
        Some(&w.admin),
        json!({"name": "Other"}),
    );
    let oid = other.json["id"].as_str().unwrap();
    w.s.post(
        &format!("/api/v1/partnerships/{oid}/members"),
        Some(&w.admin),
        json!({"email": "boss@other.example", "role": "admin", "password": "boss-password-1"}),
    );
    let boss = w.s.token_for("boss@other.example");
    w.s.get(&format!("/api/v1/rounds/{rid}"), Some(&boss))
        .assert_error(404, "not_found");
    add_project_as(&w, &rid, &boss).assert_error(403, "forbidden");
    w.s.post(
        &format!("/api/v1/rounds/{rid}/open"),
        Some(&boss),
        json!({}),
    )
    .assert_error(403, "forbidden");
    w.s.post(
        &format!("/api/v1/partnerships/{}/rounds", w.pid),
        Some(&boss),
        round_body(),
    )
    .assert_error(403, "forbidden");
    w.s.get(&format!("/api/v1/rounds/{rid}"), Some("ydt_bogus"))
        .assert_error(401, "invalid_token");
}

fn add_project_as(w: &World, rid: &str, token: &str) -> Resp {
    w.s.post(
        &format!("/api/v1/rounds/{rid}/projects"),
        Some(token),
        project("x", "central", 5),
    )
}
