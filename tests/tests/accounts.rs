//! Partnerships, members, sign-in, sessions, CSRF, API tokens and partnership isolation,
//! through the real server, each on SQLite and on PostgreSQL.

use serde_json::json;
use youdecide_tests::{on_both_backends, Backend, Req, TestServer};

on_both_backends!(
    health_and_readiness,
    admin_sets_up_partnership_and_members,
    wrong_password_and_unknown_user,
    sign_in_is_rate_limited,
    csrf_token_is_required_with_a_session,
    officer_cannot_touch_another_partnership,
    revoked_tokens_are_refused,
    bad_input_changes_nothing,
    browser_sign_in_and_out,
    admins_change_and_remove_members,
    members_change_their_password,
    logs_hold_no_secrets,
    sigterm_stops_gracefully,
);

/// A server with a site admin, partnership A (with an officer) and partnership B.
struct World {
    server: TestServer,
    admin: String,
    a: String,
    b: String,
    officer: String,
}

fn world(backend: Backend) -> World {
    let server = TestServer::start(backend);
    let admin = server.admin_token("root@example.org");
    let a = server.post(
        "/api/v1/partnerships",
        Some(&admin),
        json!({"name": "Alpha Partnership"}),
    );
    assert_eq!(a.status, 201, "{}", a.text);
    let b = server.post(
        "/api/v1/partnerships",
        Some(&admin),
        json!({"name": "Beta Partnership"}),
    );
    assert_eq!(b.status, 201, "{}", b.text);
    let a = a.json["id"].as_str().unwrap().to_string();
    let b = b.json["id"].as_str().unwrap().to_string();
    let m = server.post(
        &format!("/api/v1/partnerships/{a}/members"),
        Some(&admin),
        json!({"email": "officer@alpha.example", "role": "officer", "password": "officer-password-1"}),
    );
    assert_eq!(m.status, 201, "{}", m.text);
    let officer = server.token_for("officer@alpha.example");
    World {
        server,
        admin,
        a,
        b,
        officer,
    }
}

fn login(server: &TestServer, email: &str, password: &str) -> youdecide_tests::Resp {
    server.post(
        "/api/v1/login",
        None,
        json!({"email": email, "password": password}),
    )
}

fn member_count(w: &World, pid: &str) -> usize {
    let r = w.server.get(
        &format!("/api/v1/partnerships/{pid}/members"),
        Some(&w.admin),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.json.as_array().unwrap().len()
}

fn health_and_readiness(backend: Backend) {
    let server = TestServer::start(backend);
    let h = server.get("/healthz", None);
    assert_eq!((h.status, h.json["status"].as_str()), (200, Some("ok")));
    let r = server.get("/readyz", None);
    assert_eq!(r.status, 200);
    let expected = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    assert_eq!(r.json["database"], expected);
    server
        .get("/api/v1/nowhere", None)
        .assert_error(404, "not_found");
}

fn admin_sets_up_partnership_and_members(backend: Backend) {
    let w = world(backend);
    let s = &w.server;
    // Slugs are unique even for the same name.
    let again = s.post(
        "/api/v1/partnerships",
        Some(&w.admin),
        json!({"name": "Alpha Partnership"}),
    );
    assert_eq!(again.status, 201);
    assert_eq!(again.json["slug"], "alpha-partnership-2");
    // A partnership admin can add members; the list shows them with roles.
    let lead = s.post(
        &format!("/api/v1/partnerships/{}/members", w.a),
        Some(&w.admin),
        json!({"email": "Lead@Alpha.example", "role": "admin", "password": "lead-password-1"}),
    );
    assert_eq!(lead.status, 201, "{}", lead.text);
    let lead_token = s.token_for("lead@alpha.example");
    let added = s.post(
        &format!("/api/v1/partnerships/{}/members", w.a),
        Some(&lead_token),
        json!({"email": "second@alpha.example", "role": "officer", "password": "second-password-1"}),
    );
    assert_eq!(added.status, 201, "{}", added.text);
    let members = s.get(
        &format!("/api/v1/partnerships/{}/members", w.a),
        Some(&w.officer),
    );
    assert_eq!(members.status, 200);
    let roles: Vec<(String, String)> = members
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["email"].as_str().unwrap().into(),
                m["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        vec![
            ("lead@alpha.example".into(), "admin".into()),
            ("officer@alpha.example".into(), "officer".into()),
            ("second@alpha.example".into(), "officer".into()),
        ]
    );
    // Adding the same person twice is a conflict.
    s.post(
        &format!("/api/v1/partnerships/{}/members", w.a),
        Some(&w.admin),
        json!({"email": "second@alpha.example", "role": "admin", "password": "whatever-123"}),
    )
    .assert_error(409, "already_member");
    // An existing account joins a second partnership with its password unchanged.
    let joined = s.post(
        &format!("/api/v1/partnerships/{}/members", w.b),
        Some(&w.admin),
        json!({"email": "officer@alpha.example", "role": "officer", "password": "hijacked-password"}),
    );
    assert_eq!(joined.status, 201, "{}", joined.text);
    assert_eq!(
        login(s, "officer@alpha.example", "officer-password-1").status,
        200
    );
    assert_eq!(
        login(s, "officer@alpha.example", "hijacked-password").status,
        401
    );
    // The officer sees both partnerships with their role.
    let mine = s.get("/api/v1/partnerships", Some(&w.officer));
    assert_eq!(mine.json.as_array().unwrap().len(), 2);
    let me = s.get("/api/v1/me", Some(&w.officer));
    assert_eq!(me.json["email"], "officer@alpha.example");
    assert_eq!(me.json["is_site_admin"], false);
    // Only site admins create partnerships.
    s.post(
        "/api/v1/partnerships",
        Some(&w.officer),
        json!({"name": "Gamma"}),
    )
    .assert_error(403, "forbidden");
    // Officers cannot add members.
    s.post(
        &format!("/api/v1/partnerships/{}/members", w.a),
        Some(&w.officer),
        json!({"email": "x@alpha.example", "role": "officer", "password": "x-password-123"}),
    )
    .assert_error(403, "forbidden");
}

fn wrong_password_and_unknown_user(backend: Backend) {
    let w = world(backend);
    let s = &w.server;
    for (email, pw) in [
        ("officer@alpha.example", "not-the-password"),
        ("nobody@alpha.example", "officer-password-1"),
        ("not an email", "officer-password-1"),
    ] {
        let r = login(s, email, pw);
        r.assert_error(401, "invalid_credentials");
        assert!(r.cookie("yd_session").is_none(), "no session on failure");
    }
    let ok = login(s, "Officer@Alpha.example", "officer-password-1");
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert!(ok.cookie("yd_session").is_some());
    assert!(ok.set_cookies.iter().any(|c| c.starts_with("yd_session=")
        && c.contains("HttpOnly")
        && c.contains("Secure")
        && c.contains("SameSite=Lax")));
}

fn sign_in_is_rate_limited(backend: Backend) {
    let w = world(backend);
    let s = &w.server;
    for _ in 0..5 {
        login(s, "officer@alpha.example", "wrong-password")
            .assert_error(401, "invalid_credentials");
    }
    // Even the right password is refused now, with a plain-English reason.
    let r = login(s, "officer@alpha.example", "officer-password-1");
    r.assert_error(429, "too_many_attempts");
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("15 minutes"));
    assert!(r.cookie("yd_session").is_none());
    // Another account is not locked by this one's failures...
    let m = s.post(
        &format!("/api/v1/partnerships/{}/members", w.a),
        Some(&w.admin),
        json!({"email": "other@alpha.example", "role": "officer", "password": "other-password-1"}),
    );
    assert_eq!(m.status, 201);
    assert_eq!(
        login(s, "other@alpha.example", "other-password-1").status,
        200
    );
    // ...but one address guessing many accounts is.
    for i in 0..15 {
        login(s, &format!("guess{i}@alpha.example"), "wrong-password")
            .assert_error(401, "invalid_credentials");
    }
    login(s, "other@alpha.example", "other-password-1").assert_error(429, "too_many_attempts");
}

fn csrf_token_is_required_with_a_session(backend: Backend) {
    let w = world(backend);
    let s = &w.server;
    let ok = login(s, "officer@alpha.example", "officer-password-1");
    let session = ok.cookie("yd_session").unwrap();
    let csrf = ok.cookie("yd_csrf").unwrap();
    assert_eq!(ok.json["csrf_token"], csrf.as_str());
    let cookies = [("yd_session", session.as_str()), ("yd_csrf", csrf.as_str())];
    // Reading needs no CSRF token.
    let me = s.request(Req::new("GET", "/api/v1/me").cookies(&cookies));
    assert_eq!(me.status, 200, "{}", me.text);
    // Writing without it, or with a wrong one, is refused and creates nothing.
    s.request(
        Req::new("POST", "/api/v1/tokens")
            .cookies(&cookies)
            .json(json!({"name": "x"})),
    )
    .assert_error(403, "csrf_failed");
    s.request(
        Req::new("POST", "/api/v1/tokens")
            .cookies(&cookies)
            .header("X-CSRF-Token", &"0".repeat(64))
            .json(json!({"name": "x"})),
    )
    .assert_error(403, "csrf_failed");
    let list = s.request(Req::new("GET", "/api/v1/tokens").cookies(&cookies));
    assert_eq!(
        list.json.as_array().unwrap().len(),
        1,
        "only the CLI-made token: {}",
        list.text
    );
    // With the token it works.
    let made = s.request(
        Req::new("POST", "/api/v1/tokens")
            .cookies(&cookies)
            .header("X-CSRF-Token", &csrf)
            .json(json!({"name": "laptop"})),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    // The sign-in form also needs its token.
    let form = s.request(Req::new("POST", "/login").form(&[
        ("email", "officer@alpha.example"),
        ("password", "officer-password-1"),
    ]));
    assert_eq!(form.status, 403);
    assert!(form.cookie("yd_session").is_none());
    // Sign out ends the session everywhere.
    let out = s.request(
        Req::new("POST", "/api/v1/logout")
            .cookies(&cookies)
            .header("X-CSRF-Token", &csrf),
    );
    assert_eq!(out.status, 204);
    s.request(Req::new("GET", "/api/v1/me").cookies(&cookies))
        .assert_error(401, "not_signed_in");
}

fn officer_cannot_touch_another_partnership(backend: Backend) {
    let w = world(backend);
    let s = &w.server;
    let before = member_count(&w, &w.b);
    s.get(&format!("/api/v1/partnerships/{}", w.b), Some(&w.officer))
        .assert_error(403, "forbidden");
    s.get(
        &format!("/api/v1/partnerships/{}/members", w.b),
        Some(&w.officer),
    )
    .assert_error(403, "forbidden");
    s.post(
        &format!("/api/v1/partnerships/{}/members", w.b),
        Some(&w.officer),
        json!({"email": "intruder@example.org", "role": "admin", "password": "intruder-pass-1"}),
    )
    .assert_error(403, "forbidden");
    assert_eq!(member_count(&w, &w.b), before);
    // Its own partnership is fine; unknown ones are 404.
    assert_eq!(
        s.get(&format!("/api/v1/partnerships/{}", w.a), Some(&w.officer))
            .status,
        200
    );
    s.get(
        "/api/v1/partnerships/00000000-0000-7000-8000-000000000000",
        Some(&w.officer),
    )
    .assert_error(404, "not_found");
    s.get("/api/v1/partnerships/not-a-uuid", Some(&w.officer))
        .assert_error(404, "not_found");
    // Partnership lists show only one's own.
    let mine = s.get("/api/v1/partnerships", Some(&w.officer));
    let ids: Vec<&str> = mine
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![w.a.as_str()]);
}

fn revoked_tokens_are_refused(backend: Backend) {
    let w = world(backend);
    let s = &w.server;
    let made = s.post(
        "/api/v1/tokens",
        Some(&w.officer),
        json!({"name": "script"}),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    let token = made.json["token"].as_str().unwrap().to_string();
    let id = made.json["id"].as_str().unwrap().to_string();
    assert_eq!(s.get("/api/v1/me", Some(&token)).status, 200);
    // Another (non-admin) user cannot revoke it.
    let m = s.post(
        &format!("/api/v1/partnerships/{}/members", w.b),
        Some(&w.admin),
        json!({"email": "beta@beta.example", "role": "admin", "password": "beta-password-1"}),
    );
    assert_eq!(m.status, 201);
    s.post(
        &format!("/api/v1/tokens/{id}/revoke"),
        Some(&s.token_for("beta@beta.example")),
        json!({}),
    )
    .assert_error(404, "not_found");
    // Its owner can.
    let r = s.post(
        &format!("/api/v1/tokens/{id}/revoke"),
        Some(&w.officer),
        json!({}),
    );
    assert_eq!((r.status, r.json["revoked"].as_bool()), (200, Some(true)));
    s.get("/api/v1/me", Some(&token))
        .assert_error(401, "invalid_token");
    // The CLI revokes too.
    let list = s.get("/api/v1/tokens", Some(&w.officer));
    let cli_id = list
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["revoked"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = s.cli(&["revoke-token", "--id", &cli_id], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    s.get("/api/v1/me", Some(&w.officer))
        .assert_error(401, "invalid_token");
    s.get("/api/v1/me", Some("ydt_made_up"))
        .assert_error(401, "invalid_token");
    s.get("/api/v1/me", None).assert_error(401, "not_signed_in");
}

fn bad_input_changes_nothing(backend: Backend) {
    let w = world(backend);
    let s = &w.server;
    let partnerships = || {
        s.get("/api/v1/partnerships", Some(&w.admin))
            .json
            .as_array()
            .unwrap()
            .len()
    };
    let before = partnerships();
    s.post(
        "/api/v1/partnerships",
        Some(&w.admin),
        json!({"name": "   "}),
    )
    .assert_error(422, "invalid_name");
    s.post("/api/v1/partnerships", Some(&w.admin), json!({"nom": "x"}))
        .assert_error(400, "invalid_json");
    s.request(
        Req::new("POST", "/api/v1/partnerships")
            .token(Some(&w.admin))
            .raw("application/json", "{not json"),
    )
    .assert_error(400, "invalid_json");
    s.request(
        Req::new("POST", "/api/v1/partnerships")
            .token(Some(&w.admin))
            .raw("text/plain", "name=x"),
    )
    .assert_error(400, "invalid_json");
    assert_eq!(partnerships(), before);
    let members = member_count(&w, &w.a);
    let path = format!("/api/v1/partnerships/{}/members", w.a);
    for (body, code) in [
        (
            json!({"email": "nope", "role": "officer", "password": "long-enough-1"}),
            "invalid_email",
        ),
        (
            json!({"email": "a@b.example", "role": "boss", "password": "long-enough-1"}),
            "invalid_role",
        ),
        (
            json!({"email": "a@b.example", "role": "officer", "password": "short"}),
            "weak_password",
        ),
        (
            json!({"email": "a@b.example", "role": "officer"}),
            "password_required",
        ),
    ] {
        s.post(&path, Some(&w.admin), body).assert_error(422, code);
    }
    assert_eq!(member_count(&w, &w.a), members);
    s.get("/api/v1/me", Some("Basic abc"))
        .assert_error(401, "invalid_token");
}

fn browser_sign_in_and_out(backend: Backend) {
    let w = world(backend);
    let s = &w.server;
    let page = s.get("/login", None);
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    assert!(page.text.contains(r#"<html lang="en" dir="ltr""#));
    let csrf = page.cookie("yd_csrf").expect("a CSRF cookie");
    assert!(page
        .text
        .contains(&format!(r#"name="csrf_token" value="{csrf}""#)));
    // A wrong password re-shows the form with an error summary.
    let wrong = s.request(
        Req::new("POST", "/login")
            .cookies(&[("yd_csrf", &csrf)])
            .form(&[
                ("csrf_token", &csrf),
                ("email", "officer@alpha.example"),
                ("password", "nope-nope-nope"),
            ]),
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong.text.contains("There is a problem"));
    assert!(wrong
        .text
        .contains("The email address or password is not right."));
    // The right one signs in and lands on the officer's page.
    let ok = s.request(
        Req::new("POST", "/login")
            .cookies(&[("yd_csrf", &csrf)])
            .form(&[
                ("csrf_token", &csrf),
                ("email", "officer@alpha.example"),
                ("password", "officer-password-1"),
            ]),
    );
    assert_eq!(ok.status, 303, "{}", ok.text);
    assert_eq!(ok.location.as_deref(), Some("/officer"));
    let session = ok.cookie("yd_session").unwrap();
    let cookies = [("yd_session", session.as_str()), ("yd_csrf", csrf.as_str())];
    let home = s.request(Req::new("GET", "/officer").cookies(&cookies));
    assert_eq!(home.status, 200);
    assert!(home.text.contains("Alpha Partnership"));
    assert!(!home.text.contains("Beta Partnership"));
    // Sign-out needs the form token, then ends the session.
    let refused = s.request(
        Req::new("POST", "/logout")
            .cookies(&cookies)
            .form(&[("csrf_token", "x")]),
    );
    assert_eq!(refused.status, 403);
    assert_eq!(
        s.request(Req::new("GET", "/officer").cookies(&cookies))
            .status,
        200
    );
    let out = s.request(
        Req::new("POST", "/logout")
            .cookies(&cookies)
            .form(&[("csrf_token", &csrf)]),
    );
    assert_eq!(out.status, 303);
    let after = s.request(Req::new("GET", "/officer").cookies(&cookies));
    assert_eq!(
        (after.status, after.location.as_deref()),
        (303, Some("/login"))
    );
}

fn admins_change_and_remove_members(backend: Backend) {
    let w = world(backend);
    let s = &w.server;
    let path = format!("/api/v1/partnerships/{}/members", w.a);
    let lead = s.post(
        &path,
        Some(&w.admin),
        json!({"email": "lead@alpha.example", "role": "admin", "password": "lead-password-1"}),
    );
    let lead_id = lead.json["id"].as_str().unwrap().to_string();
    let members = s.get(&path, Some(&w.admin));
    let officer_id = members
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "officer@alpha.example")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The only admin cannot be demoted or removed.
    s.request(
        Req::new("PATCH", &format!("{path}/{lead_id}"))
            .token(Some(&w.admin))
            .json(json!({"role": "officer"})),
    )
    .assert_error(409, "last_admin");
    s.request(Req::new("DELETE", &format!("{path}/{lead_id}")).token(Some(&w.admin)))
        .assert_error(409, "last_admin");
    // Officers cannot change roles.
    s.request(
        Req::new("PATCH", &format!("{path}/{officer_id}"))
            .token(Some(&w.officer))
            .json(json!({"role": "admin"})),
    )
    .assert_error(403, "forbidden");
    // Promote the officer, then the lead can step down.
    let up = s.request(
        Req::new("PATCH", &format!("{path}/{officer_id}"))
            .token(Some(&w.admin))
            .json(json!({"role": "admin"})),
    );
    assert_eq!(up.status, 200, "{}", up.text);
    let down = s.request(Req::new("DELETE", &format!("{path}/{lead_id}")).token(Some(&w.admin)));
    assert_eq!(down.status, 204);
    let emails: Vec<String> = s
        .get(&path, Some(&w.admin))
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{}:{}",
                m["email"].as_str().unwrap(),
                m["role"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(emails, vec!["officer@alpha.example:admin".to_string()]);
    // A membership of another partnership is not found through this one.
    s.request(
        Req::new(
            "DELETE",
            &format!("/api/v1/partnerships/{}/members/{officer_id}", w.b),
        )
        .token(Some(&w.admin)),
    )
    .assert_error(404, "not_found");
    // A removed member loses access.
    let lead_token = s.token_for("lead@alpha.example");
    s.get(&format!("/api/v1/partnerships/{}", w.a), Some(&lead_token))
        .assert_error(403, "forbidden");
}

fn members_change_their_password(backend: Backend) {
    let w = world(backend);
    let s = &w.server;
    let first = login(s, "officer@alpha.example", "officer-password-1");
    let other = login(s, "officer@alpha.example", "officer-password-1");
    let (sess, csrf) = (
        first.cookie("yd_session").unwrap(),
        first.cookie("yd_csrf").unwrap(),
    );
    let (sess2, csrf2) = (
        other.cookie("yd_session").unwrap(),
        other.cookie("yd_csrf").unwrap(),
    );
    let change = |current: &str, new: &str| {
        s.request(
            Req::new("POST", "/api/v1/me/password")
                .cookies(&[("yd_session", &sess), ("yd_csrf", &csrf)])
                .header("X-CSRF-Token", &csrf)
                .json(json!({"current_password": current, "new_password": new})),
        )
    };
    change("wrong-password", "brand-new-password").assert_error(401, "invalid_credentials");
    change("officer-password-1", "short").assert_error(422, "weak_password");
    assert_eq!(
        login(s, "officer@alpha.example", "officer-password-1").status,
        200
    );
    assert_eq!(
        change("officer-password-1", "brand-new-password").status,
        204
    );
    assert_eq!(
        login(s, "officer@alpha.example", "officer-password-1").status,
        401
    );
    assert_eq!(
        login(s, "officer@alpha.example", "brand-new-password").status,
        200
    );
    // This session goes on; the other one has ended.
    let me = |sess: &str, csrf: &str| {
        s.request(Req::new("GET", "/api/v1/me").cookies(&[("yd_session", sess), ("yd_csrf", csrf)]))
            .status
    };
    assert_eq!(me(&sess, &csrf), 200);
    assert_eq!(me(&sess2, &csrf2), 401);
}

fn logs_hold_no_secrets(backend: Backend) {
    let w = world(backend);
    let s = &w.server;
    let ok = login(s, "officer@alpha.example", "officer-password-1");
    let session = ok.cookie("yd_session").unwrap();
    let _ = login(s, "officer@alpha.example", "a-wrong-password-99");
    let made = s.post("/api/v1/tokens", Some(&w.officer), json!({"name": "x"}));
    let token = made.json["token"].as_str().unwrap().to_string();
    assert_eq!(
        s.get("/api/v1/me?token=query-secret-1", Some(&token))
            .status,
        200
    );
    let log = s.log();
    assert!(log.contains("/api/v1/login"), "one line per request: {log}");
    for secret in [
        "officer-password-1",
        "a-wrong-password-99",
        &session,
        &token,
        &w.officer,
        &w.admin,
        "query-secret-1",
    ] {
        assert!(!log.contains(secret), "the log must not contain {secret}");
    }
}

fn sigterm_stops_gracefully(backend: Backend) {
    let mut server = TestServer::start(backend);
    assert_eq!(server.get("/healthz", None).status, 200);
    assert_eq!(server.terminate(), Some(0));
    assert!(server.log().contains("stopped"), "{}", server.log());
}
