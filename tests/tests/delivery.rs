//! "You said, we did" on SQLite and PostgreSQL: delivery updates only for funded projects of a
//! published round, every bad field refused with nothing stored; the public list, timeline
//! page, Atom feed and the round page's progress; photos; and an officer adding an update in
//! headless Chromium, with axe-core on the public timeline.

use serde_json::{json, Value};
use youdecide_tests::browser::Browser;
use youdecide_tests::kiosk::PIXEL_PNG;
use youdecide_tests::{on_both_backends, Backend, Req, TestServer};

#[path = "support/axe.rs"]
mod axe;

on_both_backends!(delivery_updates, delivery_in_chromium);

/// A published round: "a" and "c" funded, "b" not.
fn published(s: &TestServer, root: &str) -> String {
    let p = s.post("/api/v1/partnerships", Some(root), json!({"name": "Brigg"}));
    let pid = p.json["id"].as_str().unwrap().to_string();
    let r = s.post(
        &format!("/api/v1/partnerships/{pid}/rounds"),
        Some(root),
        json!({"title": "Brigg Decides", "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2099-03-21T17:00:00Z",
               "method": {"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": false},
               "rule": "greedy",
               "areas": [{"key": "central", "name": "Central", "budget": 100000, "postcodes": ["DN20"]}],
               "eligibility": {"min_age": 16, "mode": "self-declared"}, "languages": ["en", "cy"]}),
    );
    let rid = r.json["id"].as_str().unwrap().to_string();
    for (k, cost, title) in [
        ("a", 60000, "Park benches"),
        ("b", 50000, "Youth club"),
        ("c", 30000, "Bulb planting"),
    ] {
        s.post(
            &format!("/api/v1/rounds/{rid}/projects"),
            Some(root),
            json!({"key": k, "area": "central", "title": title, "cost": cost}),
        );
    }
    let api = |path: &str| format!("/api/v1/rounds/{rid}/{path}");
    assert_eq!(s.post(&api("open"), Some(root), json!({})).status, 200);
    for i in 0..3 {
        let choices: Vec<Value> = ["a", "c"].iter().map(|p| json!({"project": p})).collect();
        let r = s.post(
            &api("ballots"),
            None,
            json!({"eligibility": {"postcode": "DN20 8AA", "age_confirmed": true, "name": format!("Voter {i}"),
                                   "date_of_birth": "1970-01-01"}, "choices": choices, "language": "en"}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    assert_eq!(s.post(&api("close"), Some(root), json!({})).status, 200);
    // Before publication, updates are refused.
    s.post(
        &api("projects/a/updates"),
        Some(root),
        json!({"status": "planned", "day": "2026-11-01", "body": "Benches ordered."}),
    )
    .assert_error(409, "round_not_published");
    assert_eq!(
        s.post(&api("count"), Some(root), json!({"confirm": true}))
            .status,
        200
    );
    assert_eq!(s.post(&api("publish"), Some(root), json!({})).status, 200);
    rid
}

fn delivery_updates(backend: Backend) {
    let s = TestServer::start(backend);
    let root = s.admin_token("root@example.org");
    let rid = published(&s, &root);
    let api = |path: &str| format!("/api/v1/rounds/{rid}/{path}");
    let add = |key: &str, body: Value| {
        s.post(&api(&format!("projects/{key}/updates")), Some(&root), body)
    };

    add(
        "b",
        json!({"status": "planned", "day": "2026-11-01", "body": "Not funded."}),
    )
    .assert_error(409, "project_not_funded");
    add(
        "zz",
        json!({"status": "planned", "day": "2026-11-01", "body": "x"}),
    )
    .assert_error(404, "not_found");
    for (bad, field) in [
        (
            json!({"status": "started", "day": "2026-11-01", "body": "x"}),
            "status",
        ),
        (
            json!({"status": "cancelled", "day": "2026-11-01", "body": "Stopped."}),
            "reason",
        ),
        (
            json!({"status": "planned", "day": "2099-01-01", "body": "x"}),
            "day",
        ),
        (
            json!({"status": "planned", "day": "2025-01-01", "body": "x"}),
            "day",
        ),
        (
            json!({"status": "planned", "day": "tomorrow", "body": "x"}),
            "day",
        ),
        (
            json!({"status": "planned", "day": "2026-11-01", "body": "  "}),
            "body",
        ),
        (
            json!({"status": "planned", "day": "2026-11-01", "body": "x", "spend_to_date": -5}),
            "spend_to_date",
        ),
        (
            json!({"status": "planned", "day": "2026-11-01", "body": "x", "spend_to_date": 600_001}),
            "spend_to_date",
        ),
    ] {
        let r = add("a", bad.clone());
        r.assert_error(422, "invalid_update");
        assert!(r.text.contains(field), "{bad}: {}", r.text);
    }
    assert_eq!(
        s.get(&api("updates"), None).json["updates"],
        json!([]),
        "nothing stored"
    );

    let first = add(
        "a",
        json!({"status": "in-progress", "day": "2026-10-01", "body": "Benches ordered from a local firm.", "spend_to_date": 25000}),
    );
    assert_eq!(first.status, 201, "{}", first.text);
    let second = add(
        "a",
        json!({"status": "delivered", "day": "2026-11-20", "body": "Six benches are in the park."}),
    );
    assert_eq!(second.status, 201, "{}", second.text);
    let changed = add(
        "c",
        json!({"status": "changed", "reason": "The spring bulbs sold out.", "day": "2026-11-02", "body": "Autumn bulbs instead."}),
    );
    assert_eq!(changed.status, 201, "{}", changed.text);
    let uid = second.json["id"].as_str().unwrap().to_string();
    let photo = s.request(
        Req::new("PUT", &api(&format!("updates/{uid}/photo")))
            .token(Some(&root))
            .bytes("image/png", PIXEL_PNG),
    );
    assert_eq!(photo.status, 200, "{}", photo.text);

    let list = s.get(&api("updates"), None);
    let days: Vec<&str> = list.json["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["day"].as_str().unwrap())
        .collect();
    assert_eq!(
        days,
        vec!["2026-11-20", "2026-11-02", "2026-10-01"],
        "newest first"
    );
    assert_eq!(
        list.json["progress"],
        json!([{"project": "a", "title": "Park benches", "status": "delivered"},
               {"project": "c", "title": "Bulb planting", "status": "changed"}])
    );
    let photo_url = list.json["updates"][0]["photo_url"]
        .as_str()
        .unwrap()
        .to_string();
    let got = s.get(&photo_url, None);
    assert_eq!(got.status, 200);

    // The public timeline, the round page and the Atom feed.
    let page = s.get(&format!("/rounds/{rid}/delivery"), None);
    assert_eq!(page.status, 200);
    for needle in [
        "You said, we did",
        "Six benches are in the park.",
        "The spring bulbs sold out.",
        "Spent so far: £250",
        "Delivered",
        "Changed",
    ] {
        assert!(page.text.contains(needle), "{needle}");
    }
    let round_page = s.get(&format!("/rounds/{rid}"), None);
    assert!(
        round_page
            .text
            .contains("1 of 2 funded projects delivered, 0 in progress."),
        "{}",
        round_page.text
    );
    let welsh = s.get(&format!("/rounds/{rid}/delivery?lang=cy"), None);
    assert!(welsh.text.contains("Dywedoch chi, gwnaethon ni"));
    let feed = s.get(&format!("/rounds/{rid}/delivery.atom"), None);
    assert_eq!(
        feed.header("content-type").as_deref(),
        Some("application/atom+xml; charset=utf-8")
    );
    assert!(feed
        .text
        .starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    assert!(feed
        .text
        .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    assert_eq!(feed.text.matches("<entry>").count(), 3);
    assert_eq!(feed.text.matches("</entry>").count(), 3);
    assert!(feed.text.contains(&format!("<id>urn:uuid:{uid}</id>")));
    assert!(feed.text.contains("<title>Park benches: Delivered</title>"));

    // A mistaken update can be removed.
    let gone = s.request(Req::new("DELETE", &api(&format!("updates/{uid}"))).token(Some(&root)));
    assert_eq!(gone.status, 204);
    assert_eq!(
        s.get(&api("updates"), None).json["updates"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(s.get(&photo_url, None).status, 404);
}

fn delivery_in_chromium(backend: Backend) {
    let s = TestServer::start(backend);
    let root = s.admin_token("root@example.org");
    let rid = published(&s, &root);
    let b = Browser::start();
    b.goto(&format!("{}/login", s.url));
    b.type_into("#email", "root@example.org");
    b.type_into("#password", "admin-password-123");
    b.click("button[type=submit]");
    b.wait_for_url("/officer");
    b.goto(&format!("{}/officer/rounds/{rid}/delivery", s.url));
    assert!(axe::violations(&b).is_empty(), "{:?}", axe::violations(&b));
    // A cancelled project needs a reason: refused, then added.
    b.click("label[for=status-cancelled]");
    b.type_into("#day", "2026-11-03");
    b.type_into("#body", "Not going ahead.");
    b.click("#add-update");
    assert!(b.wait_until("document.querySelector('.govuk-error-summary') !== null"));
    assert!(b.text(".govuk-error-summary").contains("say why"));
    assert!(axe::violations(&b).is_empty(), "{:?}", axe::violations(&b));
    b.click("label[for=status-in-progress]");
    b.type_into("#spend_to_date", "120.50");
    b.click("#add-update");
    assert!(b.wait_until("document.querySelector('.govuk-error-summary') === null && document.body.innerText.includes('Not going ahead.')"));
    b.goto(&format!("{}/rounds/{rid}/delivery", s.url));
    assert!(
        b.text("main").contains("Spent so far: £120.50"),
        "{}",
        b.text("main")
    );
    assert!(axe::violations(&b).is_empty(), "{:?}", axe::violations(&b));
}
