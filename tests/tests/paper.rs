//! Paper ballots on SQLite and PostgreSQL: a batch keyed twice by two officers; a deliberate
//! keying difference holds the batch until the sheet is keyed again; spoilt sheets are kept with
//! their reasons and appear in the count's `rejected` figure; paper ballots join "one person,
//! one counted ballot" at the collection time; bad keying is refused and changes nothing. And
//! the keying pages in headless Chromium, with axe-core.

use serde_json::{json, Value};
use youdecide_tests::browser::Browser;
use youdecide_tests::{on_both_backends, Backend, TestServer};

#[path = "support/axe.rs"]
mod axe;

on_both_backends!(paper_batches_are_keyed_twice, keying_pages_in_chromium);

struct World {
    s: TestServer,
    root: String,
    ann: String,
    bob: String,
    rid: String,
}

fn world(backend: Backend) -> World {
    let s = TestServer::start(backend);
    let root = s.admin_token("root@example.org");
    let p = s.post(
        "/api/v1/partnerships",
        Some(&root),
        json!({"name": "Scunthorpe"}),
    );
    let pid = p.json["id"].as_str().unwrap().to_string();
    for email in ["ann@council.example", "bob@council.example"] {
        let m = s.post(
            &format!("/api/v1/partnerships/{pid}/members"),
            Some(&root),
            json!({"email": email, "role": "officer", "password": "officer-password-123"}),
        );
        assert_eq!(m.status, 201, "{}", m.text);
    }
    let ann = s.token_for("ann@council.example");
    let bob = s.token_for("bob@council.example");
    let r = s.post(
        &format!("/api/v1/partnerships/{pid}/rounds"),
        Some(&root),
        json!({"title": "Ashby Decides", "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2099-03-21T17:00:00Z",
               "method": {"kind": "approval", "min_choices": 1, "max_choices": 2, "within_budget": true},
               "rule": "greedy",
               "areas": [{"key": "central", "name": "Central", "budget": 1000, "postcodes": ["DN15"]}],
               "eligibility": {"min_age": 16, "mode": "self-declared"}, "languages": ["en"]}),
    );
    let rid = r.json["id"].as_str().unwrap().to_string();
    for (k, c) in [("a", 600), ("b", 500), ("c", 300)] {
        let r = s.post(
            &format!("/api/v1/rounds/{rid}/projects"),
            Some(&root),
            json!({"key": k, "area": "central", "title": format!("Project {k}"), "cost": c}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    assert_eq!(
        s.post(
            &format!("/api/v1/rounds/{rid}/open"),
            Some(&root),
            json!({})
        )
        .status,
        200
    );
    World {
        s,
        root,
        ann,
        bob,
        rid,
    }
}

fn sheet(pass: i64, n: i64, name: &str, projects: &[&str]) -> Value {
    let choices: Vec<Value> = projects.iter().map(|p| json!({"project": p})).collect();
    json!({"pass": pass, "sheet": n, "postcode": "DN15 6AB", "age_confirmed": true,
           "name": name, "date_of_birth": "1960-05-01", "choices": choices})
}

fn paper_batches_are_keyed_twice(backend: Backend) {
    let w = world(backend);
    let s = &w.s;
    let batches = format!("/api/v1/rounds/{}/paper-batches", w.rid);
    for bad in [
        json!({"place": "", "collected_at": "2026-05-02T15:00:00+01:00", "collected_by": "Jo", "sheets": 3}),
        json!({"place": "Library", "collected_at": "yesterday", "collected_by": "Jo", "sheets": 3}),
        json!({"place": "Library", "collected_at": "2025-05-02T15:00:00Z", "collected_by": "Jo", "sheets": 3}),
        json!({"place": "Library", "collected_at": "2026-05-02T15:00:00Z", "collected_by": "Jo", "sheets": 0}),
    ] {
        s.post(&batches, Some(&w.ann), bad)
            .assert_error(422, "invalid_batch");
    }
    let b = s.post(
        &batches,
        Some(&w.ann),
        json!({"place": "Ashby Library", "collected_at": "2026-05-02T15:00:00+01:00",
               "collected_by": "Jo Clark", "sheets": 4}),
    );
    assert_eq!(b.status, 201, "{}", b.text);
    let bid = b.json["id"].as_str().unwrap().to_string();
    let key = |token: &str, body: Value| {
        s.post(
            &format!("/api/v1/paper-batches/{bid}/sheets"),
            Some(token),
            body,
        )
    };

    // Pass 1 by Ann: two valid sheets, one over budget, one illegible.
    let r = key(&w.ann, sheet(1, 1, "Mary Jones", &["a", "c"]));
    assert_eq!(
        r.json,
        json!({"pass": 1, "sheet": 1, "outcome": "valid", "reason": null})
    );
    assert_eq!(
        key(&w.ann, sheet(1, 2, "Tom Brown", &["b"])).json["outcome"],
        "valid"
    );
    let over = key(&w.ann, sheet(1, 3, "Sue Green", &["a", "b"]));
    assert_eq!(
        (over.json["outcome"].as_str(), over.json["reason"].as_str()),
        (Some("spoilt"), Some("over_budget"))
    );
    let mut illegible = sheet(1, 4, "", &[]);
    illegible["spoilt"] = json!("illegible");
    assert_eq!(key(&w.ann, illegible.clone()).json["reason"], "illegible");

    // Bad keying is refused and changes nothing.
    key(&w.ann, sheet(1, 5, "Extra Sheet", &["a"])).assert_error(422, "invalid_sheet");
    key(&w.ann, sheet(1, 1, "Mary Jones", &["zz"])).assert_error(422, "invalid_sheet");
    let mut odd = sheet(1, 1, "Mary Jones", &["a"]);
    odd["spoilt"] = json!("smudged");
    key(&w.ann, odd).assert_error(422, "invalid_sheet");
    key(&w.ann, sheet(2, 1, "Mary Jones", &["a", "c"])).assert_error(409, "same_officer");
    key(&w.bob, sheet(1, 1, "Mary Jones", &["a"])).assert_error(409, "pass_taken");

    // Pass 2 by Bob, with a deliberate difference on sheet 2 (another project).
    key(&w.bob, sheet(2, 1, "MARY  JONES", &["c", "a"]));
    key(&w.bob, sheet(2, 2, "Tom Brown", &["c"]));
    key(&w.bob, sheet(2, 3, "Sue Green", &["a", "b"]));
    let mut illegible2 = illegible.clone();
    illegible2["pass"] = json!(2);
    key(&w.bob, illegible2);
    let view = s.get(&format!("/api/v1/paper-batches/{bid}"), Some(&w.ann));
    assert_eq!(view.json["keyed"], json!({"1": 4, "2": 4}));
    assert_eq!(
        view.json["differences"],
        json!([{"sheet": 2, "problem": "the passes differ in: choices", "fields": ["choices"]}]),
        "sheet 1 agrees: names are compared as normalised"
    );
    let held = s.post(
        &format!("/api/v1/paper-batches/{bid}/reconcile"),
        Some(&w.ann),
        json!({}),
    );
    held.assert_error(409, "keying_differs");
    assert_eq!(held.json["error"]["details"]["differences"][0]["sheet"], 2);
    assert_eq!(
        s.sql_count("SELECT COUNT(*) AS n FROM ballots"),
        0,
        "held until resolved"
    );

    // Tom votes online too, before the batch is reconciled (so after his paper was collected).
    let online = s.post(
        &format!("/api/v1/rounds/{}/ballots", w.rid),
        None,
        json!({"eligibility": {"postcode": "DN15 1AA", "age_confirmed": true, "name": "Tom Brown",
                               "date_of_birth": "1960-05-01"},
               "choices": [{"project": "c"}], "language": "en"}),
    );
    assert_eq!(online.status, 201, "{}", online.text);
    let tom_online = online.json["tracking_code"].as_str().unwrap().to_string();

    // Resolved: Bob checks sheet 2 and keys it again as written.
    key(&w.bob, sheet(2, 2, "Tom Brown", &["b"]));
    let done = s.post(
        &format!("/api/v1/paper-batches/{bid}/reconcile"),
        Some(&w.ann),
        json!({}),
    );
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.json["ballots"], 4);
    key(&w.ann, sheet(1, 1, "Mary Jones", &["a"])).assert_error(409, "batch_reconciled");
    s.post(
        &format!("/api/v1/paper-batches/{bid}/reconcile"),
        Some(&w.ann),
        json!({}),
    )
    .assert_error(409, "batch_reconciled");
    assert_eq!(
        s.sql_count(
            "SELECT COUNT(*) AS n FROM ballots WHERE channel = 'paper' AND status = 'rejected'"
        ),
        2
    );
    assert_eq!(
        s.sql_count("SELECT COUNT(*) AS n FROM paper_sheets WHERE person IS NOT NULL"),
        4,
        "voter keys for the two valid sheets in both passes"
    );

    // Mary cannot vote online as well: she already has a ballot.
    let online = s.post(
        &format!("/api/v1/rounds/{}/ballots", w.rid),
        None,
        json!({"eligibility": {"postcode": "DN15 1AA", "age_confirmed": true, "name": "Mary Jones",
                               "date_of_birth": "1960-05-01"},
               "choices": [{"project": "b"}], "language": "en"}),
    );
    online.assert_error(409, "already_voted");
    assert_eq!(
        s.post(
            &format!("/api/v1/rounds/{}/close", w.rid),
            Some(&w.root),
            json!({})
        )
        .status,
        200
    );
    // A batch still being keyed holds the count until confirmed.
    let late = s.post(
        &batches,
        Some(&w.ann),
        json!({"place": "Market stall", "collected_at": "2026-05-03T12:00:00Z", "collected_by": "Jo", "sheets": 5}),
    );
    assert_eq!(late.status, 201, "{}", late.text);
    let held = s.post(
        &format!("/api/v1/rounds/{}/count", w.rid),
        Some(&w.ann),
        json!({}),
    );
    held.assert_error(409, "paper_pending");
    assert_eq!(
        held.json["error"]["details"]["batches"][0]["place"],
        "Market stall"
    );
    let counted = s.post(
        &format!("/api/v1/rounds/{}/count", w.rid),
        Some(&w.ann),
        json!({"confirm": true}),
    );
    assert_eq!(counted.status, 200, "{}", counted.text);
    let result = s.get(&format!("/api/v1/rounds/{}/results", w.rid), Some(&w.ann));
    assert_eq!(
        result.json["ballots"],
        json!({"counted": 2, "superseded": 1, "rejected": 2})
    );
    let rejected: Vec<&str> = result.json["review"]["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(rejected, vec!["spoilt: illegible", "spoilt: over_budget"]);
    assert_eq!(
        result.json["turnout"]["channels"],
        json!([{"channel": "paper", "ballots": 2}])
    );
    assert_eq!(
        s.get(&format!("/api/v1/ballots/{tom_online}"), None).json["status"],
        "superseded",
        "the paper ballot was cast first, at its collection time"
    );
    // A counted round takes no more paper.
    s.post(
        &batches,
        Some(&w.ann),
        json!({"place": "Library", "collected_at": "2026-05-02T15:00:00Z", "collected_by": "Jo", "sheets": 1}),
    )
    .assert_error(409, "round_not_taking_paper");
}

fn keying_pages_in_chromium(backend: Backend) {
    let w = world(backend);
    let b = Browser::start();
    let sign_in = |email: &str| {
        b.goto(&format!("{}/login", w.s.url));
        b.type_into("#email", email);
        b.type_into("#password", "officer-password-123");
        b.click("button[type=submit]");
        b.wait_for_url("/officer");
    };
    sign_in("ann@council.example");
    b.goto(&format!("{}/officer/rounds/{}/paper", w.s.url, w.rid));
    assert!(axe::violations(&b).is_empty(), "{:?}", axe::violations(&b));
    b.type_into("#place", "Ashby Library");
    b.type_into("#collected-day", "2");
    b.type_into("#collected-month", "5");
    b.type_into("#collected-year", "2026");
    b.type_into("#collected-time", "15:00");
    b.type_into("#collected_by", "Jo Clark");
    b.type_into("#sheets", "1");
    b.click("#create-batch");
    assert!(b.wait_until("document.querySelector('#key-sheet') !== null"));
    assert!(b.text("h1").contains("Key pass 1"), "{}", b.text("h1"));
    assert!(axe::violations(&b).is_empty(), "{:?}", axe::violations(&b));
    b.type_into("#sheet", "1");
    b.type_into("#postcode", "DN15 6AB");
    b.click("label[for=age]");
    b.type_into("#name", "Mary Jones");
    b.type_into("#dob-day", "1");
    b.type_into("#dob-month", "5");
    b.type_into("#dob-year", "1960");
    b.click("label[for=p-a]");
    b.click("label[for=p-c]");
    b.click("#key-sheet");
    assert!(b.wait_until("document.querySelector('.govuk-notification-banner') !== null"));
    assert!(b
        .text(".govuk-notification-banner")
        .contains("Sheet 1 keyed: valid"));
    let batch_url = b.current_url();

    // Ann cannot key the second pass; Bob can, and the batch then reconciles.
    b.goto(&batch_url.replace("pass=1", "pass=2"));
    b.type_into("#sheet", "1");
    b.type_into("#postcode", "DN15 6AB");
    b.click("#key-sheet");
    assert!(b.wait_until("document.querySelector('.govuk-error-summary') !== null"));
    assert!(b.text(".govuk-error-summary").contains("different officer"));
    assert!(axe::violations(&b).is_empty(), "{:?}", axe::violations(&b));
    b.click("form[action='/logout'] button");
    sign_in("bob@council.example");
    b.goto(&batch_url.replace("pass=1", "pass=2"));
    b.type_into("#sheet", "1");
    b.type_into("#postcode", "dn15 6ab");
    b.click("label[for=age]");
    b.type_into("#name", "Mary Jones");
    b.type_into("#dob-day", "1");
    b.type_into("#dob-month", "5");
    b.type_into("#dob-year", "1960");
    b.click("label[for=p-c]");
    b.click("label[for=p-a]");
    b.click("#key-sheet");
    assert!(b.wait_until("document.querySelector('.govuk-notification-banner') !== null"));
    assert!(b.text("main").contains("Both passes agree"));
    b.click("#reconcile");
    assert!(b.wait_until("document.body.innerText.includes('Reconciled')"));
    assert_eq!(
        w.s.sql_count("SELECT COUNT(*) AS n FROM ballots WHERE channel = 'paper'"),
        1
    );
    assert!(axe::violations(&b).is_empty(), "{:?}", axe::violations(&b));
}
