//! The officers' pages in a real headless Chromium: create a round, add a project and a pop-up
//! session, see why it cannot open and then open it, preview it in Welsh, read the audit log;
//! forms without the CSRF token and officers of other partnerships are refused. Both backends.

use serde_json::json;
use youdecide_tests::browser::Browser;
use youdecide_tests::{on_both_backends, Backend, Req, TestServer};

#[path = "support/axe.rs"]
mod axe;

on_both_backends!(officer_sets_up_a_round_in_the_browser, forms_are_guarded);

fn partnership_with_admin(s: &TestServer) -> String {
    let root = s.admin_token("root@example.org");
    let p = s.post(
        "/api/v1/partnerships",
        Some(&root),
        json!({"name": "Brigg Partnership"}),
    );
    let pid = p.json["id"].as_str().unwrap().to_string();
    let m = s.post(
        &format!("/api/v1/partnerships/{pid}/members"),
        Some(&root),
        json!({"email": "lead@brigg.example", "role": "admin", "password": "lead-password-123"}),
    );
    assert_eq!(m.status, 201, "{}", m.text);
    pid
}

fn set(b: &Browser, id: &str, value: &str) {
    b.execute(&format!(
        "document.getElementById({}).value = {};",
        json!(id),
        json!(value)
    ));
}

fn officer_sets_up_a_round_in_the_browser(backend: Backend) {
    let s = TestServer::start(backend);
    let pid = partnership_with_admin(&s);
    let b = Browser::start();
    b.goto(&format!("{}/login", s.url));
    b.type_into("#email", "lead@brigg.example");
    b.type_into("#password", "lead-password-123");
    b.click("button[type=submit]");
    b.wait_for_url("/officer");
    b.click(&format!("a[href='/officer/p/{pid}']"));
    b.wait_for_url(&format!("/officer/p/{pid}"));
    assert!(b.text("main").contains("There are no rounds yet."));
    assert!(axe::violations(&b).is_empty(), "{:?}", axe::violations(&b));
    b.click(&format!("a[href='/officer/p/{pid}/rounds/new']"));
    b.wait_for_url("/rounds/new");

    // An empty form is refused with the problems listed, each linked to its field.
    b.click("main form button[type=submit]");
    assert!(b.wait_until("document.querySelector('.govuk-error-summary') !== null"));
    let summary = b.text(".govuk-error-summary");
    assert!(summary.contains("Enter a date and time"), "{summary}");
    assert!(axe::violations(&b).is_empty(), "{:?}", axe::violations(&b));

    set(&b, "title", "Brigg Decides 2027");
    set(&b, "description", "£1,000 for Brigg.");
    set(&b, "opens_at", "2026-01-01T09:00");
    set(&b, "closes_at", "2099-07-01T17:00");
    set(&b, "max_choices", "2");
    set(&b, "areas", "town | Town Centre | 1,000 | DN20 8");
    b.click("#languages-1"); // Welsh
    b.click("main form button[type=submit]");
    let url = b.wait_for_url("");
    assert!(
        b.wait_until("location.pathname.startsWith('/officer/rounds/')"),
        "{url}"
    );
    let rid = b
        .execute("return location.pathname.split('/')[3];")
        .as_str()
        .unwrap()
        .to_string();
    let main = b.text("main");
    assert!(main.contains("Brigg Decides 2027"), "{main}");
    assert!(main.contains("This round cannot open yet"), "{main}");
    assert!(main.contains("£1,000"), "{main}");

    // The round through the API says the same: times typed in UK summer time are stored in UTC.
    let token = s.token_for("lead@brigg.example");
    let round = s.get(&format!("/api/v1/rounds/{rid}"), Some(&token));
    assert_eq!(round.json["closes_at"], "2099-07-01T16:00:00Z");
    assert_eq!(round.json["areas"][0]["budget"], 100_000);
    assert_eq!(round.json["languages"], json!(["en", "cy"]));
    assert_eq!(round.json["method"]["max_choices"], 2);

    // A project with a bad cost is refused beside the field; a good one is listed.
    set(&b, "key", "bench");
    set(&b, "title", "A bench");
    set(&b, "cost", "lots");
    b.click("form[action$='/projects'] button[type=submit]");
    assert!(b.wait_until("document.querySelector('#cost-error') !== null"));
    assert!(b.text("#cost-error").contains("Enter the cost in pounds"));
    set(&b, "cost", "450");
    set(&b, "summary", "A new bench by the river.");
    b.click("form[action$='/projects'] button[type=submit]");
    assert!(b.wait_until("document.querySelector('main table') !== null"));
    assert!(b.text("main").contains("£450"));
    assert!(b.text("main").contains("This round is ready to open."));

    // A pop-up session.
    set(&b, "place", "Brigg Market");
    set(&b, "address", "Market Place");
    set(&b, "date", "2027-03-06");
    set(&b, "starts", "10:00");
    set(&b, "ends", "14:00");
    b.click("form[action$='/schedule'] button[type=submit]");
    assert!(b.wait_until("document.body.innerText.includes('Brigg Market')"));
    assert!(axe::violations(&b).is_empty(), "{:?}", axe::violations(&b));

    // The preview in Welsh, then open the round.
    b.goto(&format!("{}/officer/rounds/{rid}/preview?lang=cy", s.url));
    assert!(b.text("main").contains("Pwy sy'n cael pleidleisio"));
    assert!(b
        .text("main")
        .contains("This is how residents will see the round"));
    b.goto(&format!("{}/officer/rounds/{rid}", s.url));
    b.click("form[action$='/status'] input[value=open] + button");
    assert!(b.wait_until("document.body.innerText.includes('Public page')"));
    let round = s.get(&format!("/api/v1/rounds/{rid}"), Some(&token));
    assert_eq!(round.json["status"], "open");
    assert_eq!(round.json["schedule"][0]["place"], "Brigg Market");

    // The audit log shows who did what.
    b.goto(&format!("{}/officer/p/{pid}/audit", s.url));
    let log = b.text("main");
    for action in [
        "round.create",
        "project.create",
        "schedule.add",
        "round.open",
    ] {
        assert!(log.contains(action), "{action} in {log}");
    }
    assert!(log.contains("lead@brigg.example"));
}

fn forms_are_guarded(backend: Backend) {
    let s = TestServer::start(backend);
    let pid = partnership_with_admin(&s);
    let sign_in = |email: &str, password: &str| {
        let form = s.get("/login", None);
        let csrf = form.cookie("yd_csrf").unwrap();
        let r = s.request(
            Req::new("POST", "/login")
                .cookies(&[("yd_csrf", &csrf)])
                .form(&[
                    ("csrf_token", &csrf),
                    ("email", email),
                    ("password", password),
                ]),
        );
        assert_eq!(r.status, 303, "{}", r.text);
        (r.cookie("yd_session").unwrap(), csrf)
    };
    let (session, csrf) = sign_in("lead@brigg.example", "lead-password-123");
    let fields = [
        ("title", "Guarded"),
        ("opens_at", "2026-01-01T09:00"),
        ("closes_at", "2099-01-01T09:00"),
        ("method_kind", "approval"),
        ("min_choices", "1"),
        ("rule", "greedy"),
        ("min_age", "16"),
        ("mode", "self-declared"),
        ("areas", "a | A | 100 | DN1"),
    ];
    let path = format!("/officer/p/{pid}/rounds/new");
    // Without the CSRF token: refused, nothing created.
    let r = s.request(
        Req::new("POST", &path)
            .cookies(&[("yd_session", &session), ("yd_csrf", &csrf)])
            .form(&fields),
    );
    assert_eq!(r.status, 403, "{}", r.text);
    let token = s.token_for("lead@brigg.example");
    let listed = s.get(&format!("/api/v1/partnerships/{pid}/rounds"), Some(&token));
    assert_eq!(listed.json.as_array().unwrap().len(), 0);
    // With it: created, and the answer sends the officer to the round.
    let mut with = fields.to_vec();
    with.push(("csrf_token", &csrf));
    let r = s.request(
        Req::new("POST", &path)
            .cookies(&[("yd_session", &session), ("yd_csrf", &csrf)])
            .form(&with),
    );
    assert_eq!(r.status, 303, "{}", r.text);
    let to = r.location.clone().unwrap();
    assert!(to.starts_with("/officer/rounds/"), "{to}");
    // A bad area line is refused with 422 and the typed values kept.
    let mut bad = with.clone();
    bad.retain(|(k, _)| *k != "areas");
    bad.push(("areas", "no budget here"));
    let r = s.request(
        Req::new("POST", &path)
            .cookies(&[("yd_session", &session), ("yd_csrf", &csrf)])
            .form(&bad),
    );
    assert_eq!(r.status, 422);
    assert!(r.text.contains("Line 1 of the areas must be"));
    assert!(r.text.contains(r#"value="Guarded""#));

    // An admin of another partnership cannot see or change this round.
    let root = s.admin_token("root@example.org");
    let other = s.post(
        "/api/v1/partnerships",
        Some(&root),
        json!({"name": "Elsewhere"}),
    );
    let other_pid = other.json["id"].as_str().unwrap();
    s.post(
        &format!("/api/v1/partnerships/{other_pid}/members"),
        Some(&root),
        json!({"email": "else@where.example", "role": "admin", "password": "else-password-123"}),
    );
    let (their_session, their_csrf) = sign_in("else@where.example", "else-password-123");
    let look = s.request(Req::new("GET", &to).cookies(&[("yd_session", &their_session)]));
    assert_eq!(look.status, 403);
    let change = s.request(
        Req::new("POST", &format!("{to}/status"))
            .cookies(&[("yd_session", &their_session), ("yd_csrf", &their_csrf)])
            .form(&[("csrf_token", their_csrf.as_str()), ("action", "cancel")]),
    );
    assert_eq!(change.status, 403);
    // Signed out: sent to sign in.
    let out = s.get(&to, None);
    assert_eq!(out.status, 303);
    assert_eq!(out.location.as_deref(), Some("/login"));
}
