//! The officer sign-in pages in a real headless Chromium, on SQLite and on PostgreSQL.

use serde_json::json;
use youdecide_tests::browser::Browser;
use youdecide_tests::{on_both_backends, Backend, TestServer};

on_both_backends!(sign_in_and_out_in_a_browser);

fn sign_in_and_out_in_a_browser(backend: Backend) {
    let server = TestServer::start(backend);
    let admin = server.admin_token("root@example.org");
    let p = server.post(
        "/api/v1/partnerships",
        Some(&admin),
        json!({"name": "Riverside <Partnership>"}),
    );
    let pid = p.json["id"].as_str().unwrap();
    let m = server.post(
        &format!("/api/v1/partnerships/{pid}/members"),
        Some(&admin),
        json!({"email": "officer@river.example", "role": "officer", "password": "officer-password-1"}),
    );
    assert_eq!(m.status, 201);

    let b = Browser::start();
    // Signed-out visitors to the officer page are sent to sign in.
    b.goto(&format!("{}/officer", server.url));
    let url = b.wait_for_url("/login");
    assert!(url.ends_with("/login"), "{url}");
    assert_eq!(b.title(), "Sign in – youdecide");

    // A wrong password shows the error summary and keeps the email typed.
    b.type_into("#email", "officer@river.example");
    b.type_into("#password", "not-my-password");
    b.click("button[type=submit]");
    assert!(b
        .text(".govuk-error-summary")
        .contains("The email address or password is not right."));
    assert!(b.source().contains(r#"value="officer@river.example""#));

    // The right password signs in (the session cookie is Secure, which browsers accept on
    // 127.0.0.1) and shows the officer's partnership, with its name escaped.
    b.type_into("#password", "officer-password-1");
    b.click("button[type=submit]");
    let url = b.wait_for_url("/officer");
    assert!(url.ends_with("/officer"), "{url}");
    assert!(b.text("main").contains("Riverside <Partnership>"));
    assert!(b
        .text("header")
        .contains("Signed in as officer@river.example"));
    if let Ok(dir) = std::env::var("YOUDECIDE_SCREENSHOTS") {
        b.screenshot(&std::path::Path::new(&dir).join("officer-home.png"));
    }

    // Signing out ends the session.
    b.click("form[action='/logout'] button");
    assert!(
        b.wait_for_url("/login").ends_with("/login"),
        "{}",
        b.source()
    );
    b.goto(&format!("{}/officer", server.url));
    assert!(b.wait_for_url("/login").ends_with("/login"));
    assert!(b.source().contains("Sign in"));
}
