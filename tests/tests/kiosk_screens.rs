//! The kiosk's voting screens in a real headless Chromium, against the real kiosk enrolled with
//! the real server: languages (Urdu right to left), the vote itself with the running budget,
//! the receipt, refusing a second vote, and clearing the screen when idle.

use youdecide_tests::browser::Browser;
use youdecide_tests::kiosk::{new_kiosk, setup, TestKiosk};
use youdecide_tests::Backend;

fn visible(b: &Browser, id: &str) -> bool {
    b.execute(&format!("return !document.getElementById('{id}').hidden;"))
        == serde_json::Value::Bool(true)
}

#[test]
fn voting_at_the_kiosk_in_a_browser() {
    let setup = setup(Backend::Sqlite);
    let code = new_kiosk(&setup, "Tablet");
    let mut k = TestKiosk::new();
    k.enroll(&setup.s.url, &code);
    k.start();
    k.wait_for_picture(&setup.rid, "a");
    let url = k.url.clone().unwrap();
    let b = Browser::start();
    b.goto(&url);
    assert!(b.wait_until("document.body.getAttribute('data-ready') === 'yes'"));
    assert_eq!(b.text("#round-title"), "Ashby Decides");

    let langs = b.execute("return Array.from(document.querySelectorAll('#languages button')).map(x => x.getAttribute('data-lang'));");
    assert_eq!(
        langs,
        serde_json::json!(["en"]),
        "the round offers English only"
    );

    b.click("#start");
    assert!(visible(&b, "screen-how"));
    assert!(b.text("#who-body").contains("16 or older"));
    b.click("#screen-how button[data-go=details]");
    b.type_into("#postcode", "dn15 6ab");
    b.type_into("#name", "Jane Smith");
    b.type_into("#dob", "1970-01-01");
    // Without the age box: a plain-English problem, and we stay on the page.
    b.click("#details-form button[type=submit]");
    assert!(b.wait_until("!document.getElementById('error').hidden"));
    assert!(b.text("#error").contains("16 or older"));
    b.click("#age");
    b.click("#details-form button[type=submit]");
    assert!(b.wait_until("!document.getElementById('screen-projects').hidden"));
    assert!(b.text("#meter").contains("£10 left of £10"));
    // Project a's picture comes from the kiosk's own copy.
    assert!(b.wait_until(
        "Array.from(document.querySelectorAll('#projects img.picture')).some(i => i.complete && i.naturalWidth === 1)"
    ));
    assert_eq!(
        b.execute("return document.querySelectorAll('#projects img.picture').length;"),
        serde_json::json!(1),
        "only project a has a picture"
    );
    // Easy read swaps in the easy-read text where there is one; read aloud speaks the screen.
    assert!(visible(&b, "easy-read") && visible(&b, "read-aloud"));
    assert!(b.text("#projects").contains("Project a, in full."));
    b.click("#easy-read");
    assert!(b
        .text("#projects")
        .contains("A new seat. You can sit on it."));
    assert!(
        b.text("#projects").contains("Project b, in full."),
        "no easy read for b"
    );
    b.execute("window.__spoken = []; window.speechSynthesis.speak = function (u) { window.__spoken.push([u.lang, u.text]); };");
    b.click("#read-aloud");
    let spoken = b.execute("return window.__spoken;");
    assert_eq!(spoken[0][0], "en");
    assert!(
        spoken[0][1].as_str().unwrap().contains("A new seat"),
        "{spoken}"
    );
    b.click("button[data-project=a]");
    assert!(b.text("#meter").contains("£6 left of £10"));
    b.click("button[data-project=b]");
    assert!(b.text("#meter").contains("£1 left of £10"));
    b.click("button[data-project=b]");
    assert!(b.text("#meter").contains("£6 left of £10"));
    assert_eq!(
        b.execute(
            "return document.querySelector('button[data-project=a]').getAttribute('aria-pressed');"
        ),
        serde_json::json!("true")
    );
    b.click("#to-check");
    assert!(b.text("#chosen").contains("Project a"));
    b.click("#confirm");
    assert!(b.wait_until("!document.getElementById('screen-receipt').hidden"));
    let tracking = b.text("#tracking");
    assert_eq!(tracking.len(), 19, "{tracking}");
    assert!(b.wait_until("document.querySelector('#tracking-qr svg') !== null"));
    if let Ok(dir) = std::env::var("YOUDECIDE_SCREENSHOTS") {
        b.screenshot(&std::path::Path::new(&dir).join("kiosk-receipt.png"));
    }
    assert_eq!(k.status()["ballots_total"], 1);

    // The optional monitoring questions, kept apart from the ballot and synced on their own.
    b.click("#to-monitoring");
    assert!(visible(&b, "screen-monitoring"));
    assert_eq!(
        b.execute("return document.querySelectorAll('#questions fieldset').length;"),
        serde_json::json!(5)
    );
    assert!(b.text("#questions").contains("Prefer not to say"));
    b.click("label[for=m-age_band-35-44]");
    b.click("label[for=m-influence-tend-to-agree]");
    b.click("#mon-send");
    assert!(b.wait_until("!document.getElementById('screen-thanks').hidden"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while setup
        .s
        .sql_count("SELECT COUNT(*) AS n FROM monitoring WHERE age_band = '35-44'")
        == 0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the answers reached the server"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let rid = setup.rid.clone();
    for (body, status) in [
        (serde_json::json!({"round": rid, "age_band": "99"}), 422),
        (serde_json::json!({"round": "nope", "sex": "female"}), 422),
        (serde_json::json!({"round": rid, "colour": "blue"}), 400),
    ] {
        let (got, reply) = k.post("/api/monitoring", &body, &[]);
        assert_eq!(got, status, "{body}: {reply}");
    }
    assert_eq!(setup.s.sql_count("SELECT COUNT(*) AS n FROM monitoring"), 1);

    // Finish clears everything; the same person is refused before choosing again.
    b.click("#thanks-finish");
    assert!(visible(&b, "screen-start"));
    assert_eq!(
        b.execute("return document.getElementById('name').value;"),
        serde_json::json!("")
    );
    b.click("#start");
    b.click("#screen-how button[data-go=details]");
    b.type_into("#postcode", "DN15 6AB");
    b.type_into("#name", "JANE SMITH");
    b.type_into("#dob", "1970-01-01");
    b.click("#age");
    b.click("#details-form button[type=submit]");
    assert!(b.wait_until("!document.getElementById('error').hidden"));
    assert!(b.text("#error").contains("already voted"));

    // Large text and high contrast switch on and off.
    b.click("#large-text");
    assert!(b.wait_until("document.documentElement.classList.contains('large')"));
    b.click("#high-contrast");
    assert!(b.wait_until("document.documentElement.classList.contains('contrast')"));
    let min_height = b.execute("return Math.min(...Array.from(document.querySelectorAll('button')).filter(x => x.offsetParent).map(x => x.getBoundingClientRect().height));");
    assert!(
        min_height.as_f64().unwrap() >= 44.0,
        "touch targets: {min_height}"
    );
}

#[test]
fn the_screen_clears_itself_when_left_idle() {
    let setup = setup(Backend::Sqlite);
    let code = new_kiosk(&setup, "Tablet");
    let mut k = TestKiosk::new();
    k.enroll(&setup.s.url, &code);
    k.start_with(&["--idle-seconds", "6"]);
    let b = Browser::start();
    b.goto(&k.url.clone().unwrap());
    assert!(b.wait_until("document.body.getAttribute('data-ready') === 'yes'"));
    assert_eq!(
        b.execute("return document.body.getAttribute('data-idle-seconds');"),
        serde_json::json!("6")
    );
    b.click("#start");
    b.click("#screen-how button[data-go=details]");
    b.type_into("#postcode", "DN15 6AB");
    b.type_into("#name", "Jane Smith");
    b.type_into("#dob", "1970-01-01");
    // Left alone: first a warning, then everything on screen is cleared.
    assert!(!visible(&b, "idle"));
    assert!(b.wait_until("!document.getElementById('idle').hidden"));
    assert!(
        visible(&b, "screen-details"),
        "the warning comes before clearing"
    );
    assert!(b.wait_until("!document.getElementById('screen-start').hidden"));
    for field in ["postcode", "name", "dob"] {
        assert_eq!(
            b.execute(&format!("return document.getElementById('{field}').value;")),
            serde_json::json!(""),
            "{field} is cleared"
        );
    }
    assert!(!visible(&b, "idle"));
    assert_eq!(k.status()["ballots_total"], 0);

    // Out-of-range idle times are refused with one line.
    let out = k.cli(&["run", "--idle-seconds", "1"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn kiosk_screens_speak_every_shipped_language() {
    let setup = setup(Backend::Sqlite);
    // Offer all four languages.
    let r = setup.s.request(
        youdecide_tests::Req::new("POST", &format!("/api/v1/rounds/{}/close", setup.rid))
            .token(Some(&setup.admin)),
    );
    assert_eq!(r.status, 200);
    let round = serde_json::json!({"title": "Pedwar iaith", "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2099-03-21T17:00:00Z",
        "method": {"kind": "approval"}, "rule": "greedy",
        "areas": [{"key": "central", "name": "Central", "budget": 1000, "postcodes": ["DN15"]}],
        "eligibility": {"min_age": 16, "mode": "self-declared"}, "languages": ["en", "cy", "pl", "ur"]});
    let created = setup.s.post(
        &format!("/api/v1/partnerships/{}/rounds", setup.pid),
        Some(&setup.admin),
        round,
    );
    let rid = created.json["id"].as_str().unwrap().to_string();
    setup.s.post(
        &format!("/api/v1/rounds/{rid}/projects"),
        Some(&setup.admin),
        serde_json::json!({"key": "a", "area": "central", "title": "Benches", "cost": 100}),
    );
    assert_eq!(
        setup
            .s
            .post(
                &format!("/api/v1/rounds/{rid}/open"),
                Some(&setup.admin),
                serde_json::json!({})
            )
            .status,
        200
    );
    let code = new_kiosk(&setup, "Tablet");
    let mut k = TestKiosk::new();
    k.enroll(&setup.s.url, &code);
    k.start();
    let b = Browser::start();
    b.goto(k.url.as_ref().unwrap());
    assert!(b.wait_until("document.body.getAttribute('data-ready') === 'yes'"));
    for (lang, dir, start) in [
        ("cy", "ltr", "Dechrau"),
        ("pl", "ltr", "Rozpocznij"),
        ("ur", "rtl", "شروع کریں"),
        ("en", "ltr", "Start"),
    ] {
        b.click(&format!("#languages button[data-lang={lang}]"));
        assert_eq!(
            b.execute("return [document.documentElement.lang, document.documentElement.dir];"),
            serde_json::json!([lang, dir])
        );
        assert_eq!(b.text("#start"), start);
    }
}
