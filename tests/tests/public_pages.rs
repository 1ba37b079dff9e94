//! The public pages: a partnership's rounds and a round's page in the languages it offers
//! (Urdu right to left), without JavaScript, and checked for accessibility with axe-core in a
//! real headless Chromium; on SQLite and on PostgreSQL.

use serde_json::{json, Value};
use youdecide_tests::browser::Browser;
use youdecide_tests::{on_both_backends, Backend, Req, TestServer};

#[path = "support/axe.rs"]
mod axe;

on_both_backends!(pages_in_every_offered_language, pages_pass_axe_in_chromium);

struct World {
    s: TestServer,
    slug: String,
    rid: String,
    draft: String,
}

fn world(backend: Backend) -> World {
    let s = TestServer::start(backend);
    let admin = s.admin_token("root@example.org");
    let p = s.post(
        "/api/v1/partnerships",
        Some(&admin),
        json!({"name": "Ashby & District"}),
    );
    let pid = p.json["id"].as_str().unwrap().to_string();
    let slug = p.json["slug"].as_str().unwrap().to_string();
    let round = |title: &str| {
        let r = s.post(
            &format!("/api/v1/partnerships/{pid}/rounds"),
            Some(&admin),
            json!({"title": title, "description": "£1,500 for projects in Ashby.\n\nVote for the ones you want.",
                   "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2099-07-01T16:00:00Z",
                   "method": {"kind": "approval", "min_choices": 1, "max_choices": 2, "within_budget": true},
                   "rule": "equal-shares",
                   "areas": [{"key": "central", "name": "Central Ashby", "budget": 100000, "postcodes": ["DN16 1"]},
                             {"key": "north", "name": "North", "budget": 50000, "postcodes": ["DN16 2"]}],
                   "eligibility": {"min_age": 16, "mode": "self-declared"}, "languages": ["en", "cy", "pl", "ur"]}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        r.json["id"].as_str().unwrap().to_string()
    };
    let rid = round("Ashby Decides <2027>");
    let draft = round("Still a draft");
    for (key, area, cost) in [("bench", "central", 45000), ("mural", "north", 30000)] {
        let r = s.post(
            &format!("/api/v1/rounds/{rid}/projects"),
            Some(&admin),
            json!({"key": key, "area": area, "title": format!("The {key}"), "summary": format!("A new {key}."),
                   "description": "Made locally.", "cost": cost, "location": "Market Place", "proposer": "Friends of Ashby"}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let put = |path: String, body: Value| {
        let r = s.request(Req::new("PUT", &path).token(Some(&admin)).json(body));
        assert_eq!(r.status, 200, "{}", r.text);
    };
    put(
        format!("/api/v1/rounds/{rid}/translations/cy"),
        json!({"title": "Ashby yn Penderfynu", "description": "£1,500 i brosiectau yn Ashby."}),
    );
    put(
        format!("/api/v1/rounds/{rid}/projects/bench/translations/ur"),
        json!({"title": "نیا بینچ", "summary": "بازار میں ایک نیا بینچ۔"}),
    );
    let slot = s.post(
        &format!("/api/v1/rounds/{rid}/schedule"),
        Some(&admin),
        json!({"place": "Tesco Extra", "address": "Doncaster Road", "date": "2027-03-06", "starts": "10:00", "ends": "16:00"}),
    );
    assert_eq!(slot.status, 201, "{}", slot.text);
    let o = s.post(
        &format!("/api/v1/rounds/{rid}/open"),
        Some(&admin),
        json!({}),
    );
    assert_eq!(o.status, 200, "{}", o.text);
    World {
        s,
        slug,
        rid,
        draft,
    }
}

fn pages_in_every_offered_language(backend: Backend) {
    let w = world(backend);
    // The start page lists the partnership; its page lists the open round but not the draft.
    let home = w.s.get("/", None);
    assert_eq!(home.status, 200);
    assert!(
        home.text.contains(&format!("/p/{}", w.slug)),
        "{}",
        home.text
    );
    assert!(home.text.contains("Ashby &amp; District"));
    let p = w.s.get(&format!("/p/{}", w.slug), None);
    assert_eq!(p.status, 200);
    assert!(p.text.contains(&format!("/rounds/{}", w.rid)));
    assert!(p.text.contains("Ashby Decides &lt;2027&gt;"), "escaped");
    assert!(!p.text.contains("Still a draft"));
    assert!(
        p.text.contains("Voting closes on 1 July 2099 at 17:00"),
        "UK summer time"
    );

    // The round's page in English: money, who, how, where, projects; no script needed.
    let page = w.s.get(&format!("/rounds/{}", w.rid), None);
    assert_eq!(page.status, 200);
    let t = &page.text;
    assert!(t.contains(r#"<html lang="en" dir="ltr""#));
    for needle in [
        "There is £1,500 to spend.",
        "£1,000",
        "You can vote if you live in the area and are 16 or older.",
        "Choose up to 2 projects in your area.",
        "Method of Equal Shares",
        "Tesco Extra",
        "6 March 2027",
        "10:00 to 16:00",
        "The bench",
        "Cost: £450",
        "Proposed by: Friends of Ashby",
        &format!(r#"href="/rounds/{}/vote?lang=en""#, w.rid),
        "<p class=\"govuk-body\">Vote for the ones you want.</p>",
    ] {
        assert!(t.contains(needle), "missing {needle}");
    }
    // The switcher links the other offered languages only.
    for code in ["cy", "pl", "ur"] {
        assert!(t.contains(&format!(r#"hreflang="{code}""#)), "{code}");
    }

    // Urdu: right to left, translated texts, English fallbacks marked as English.
    let ur = w.s.get(&format!("/rounds/{}?lang=ur", w.rid), None);
    assert!(
        ur.text.contains(r#"<html lang="ur" dir="rtl""#),
        "{}",
        ur.text
    );
    assert!(ur.text.contains("نیا بینچ"));
    assert!(ur.text.contains("کون ووٹ دے سکتا ہے"));
    assert!(ur
        .text
        .contains(r#"<span lang="en" dir="ltr">The mural</span>"#));
    assert_eq!(ur.header("content-language").as_deref(), Some("ur"));
    let cookie = ur.cookie("yd_lang").expect("the choice is remembered");
    assert_eq!(cookie, "ur");

    // The cookie carries the choice to the next page; Accept-Language is used otherwise.
    let again =
        w.s.request(Req::new("GET", &format!("/rounds/{}", w.rid)).cookies(&[("yd_lang", "ur")]));
    assert!(again.text.contains(r#"lang="ur" dir="rtl""#));
    let welsh = w.s.request(
        Req::new("GET", &format!("/rounds/{}", w.rid)).header("Accept-Language", "cy-GB,en;q=0.5"),
    );
    assert!(welsh.text.contains(r#"<html lang="cy""#));
    assert!(welsh.text.contains("Ashby yn Penderfynu"));
    assert!(welsh.text.contains("2099"));
    // A language the round does not offer falls back to English.
    let french = w.s.get(&format!("/rounds/{}?lang=fr", w.rid), None);
    assert!(french.text.contains(r#"<html lang="en""#));

    // Drafts, unknown rounds and partnerships are "page not found" pages.
    for path in [
        format!("/rounds/{}", w.draft),
        "/rounds/nope".to_string(),
        "/p/nobody".to_string(),
    ] {
        let r = w.s.get(&path, None);
        assert_eq!(r.status, 404, "{path}");
        assert!(r.text.contains("Page not found"), "{path}");
    }
    // "Check your vote" with the tracking code from a ballot's receipt.
    let cast = w.s.post(
        &format!("/api/v1/rounds/{}/ballots", w.rid),
        None,
        json!({"eligibility": {"postcode": "DN16 1AB", "age_confirmed": true, "name": "Ann Smith", "date_of_birth": "1970-01-01"},
               "choices": [{"project": "bench"}], "language": "en"}),
    );
    assert_eq!(cast.status, 201, "{}", cast.text);
    let code = cast.json["tracking_code"].as_str().unwrap();
    let checked = w.s.get(&format!("/check?code={code}"), None);
    assert_eq!(checked.status, 200);
    assert!(
        checked.text.contains("We have received your vote."),
        "{}",
        checked.text
    );
    assert!(!checked.text.contains("The bench"), "never the choices");
    let lower = w.s.get(
        &format!("/check?code={}&lang=cy", code.to_lowercase()),
        None,
    );
    assert!(lower.text.contains("Mae eich pleidlais wedi dod i law."));
    let unknown = w.s.get("/check?code=AAAA-BBBB-CCCC", None);
    assert_eq!(unknown.status, 404);
    assert!(unknown.text.contains("No vote has this tracking code."));
    assert!(unknown.text.contains("govuk-error-summary"));
    let empty = w.s.get("/check?code=", None);
    assert_eq!(empty.status, 422);
    assert!(w.s.get("/check", None).text.contains(r#"id="code""#));

    // The styles are served from the installed GOV.UK Frontend package.
    let css = w.s.get("/assets/app.css", None);
    assert_eq!(css.status, 200);
    let govuk = w.s.get("/assets/govuk-frontend.min.css", None);
    assert_eq!(govuk.status, 200, "npm ci installs govuk-frontend");
    assert!(govuk.text.contains(".govuk-button"));
}

fn pages_pass_axe_in_chromium(backend: Backend) {
    let w = world(backend);
    let b = Browser::start();
    // The round page in each of the four languages: lang and dir set, no violations.
    for (code, dir, heading) in [
        ("en", "ltr", "Who can vote"),
        ("cy", "ltr", "Pwy sy'n cael pleidleisio"),
        ("pl", "ltr", "Kto może głosować"),
        ("ur", "rtl", "کون ووٹ دے سکتا ہے"),
    ] {
        b.goto(&format!("{}/rounds/{}?lang={code}", w.s.url, w.rid));
        assert_eq!(
            b.execute("return document.documentElement.lang;"),
            json!(code)
        );
        assert_eq!(
            b.execute("return document.documentElement.dir;"),
            json!(dir)
        );
        assert_eq!(
            b.execute("return getComputedStyle(document.body).direction;"),
            json!(dir)
        );
        assert!(b.text("main").contains(heading), "{code}");
        let violations = axe::violations(&b);
        assert!(violations.is_empty(), "{code}: {violations:#?}");
    }
    for path in [
        "/".to_string(),
        format!("/p/{}", w.slug),
        "/login".to_string(),
    ] {
        b.goto(&format!("{}{path}", w.s.url));
        let violations = axe::violations(&b);
        assert!(violations.is_empty(), "{path}: {violations:#?}");
    }
    // GOV.UK Frontend's script ran (the page knows JavaScript is on), and the project's
    // details expand.
    b.goto(&format!("{}/rounds/{}", w.s.url, w.rid));
    assert!(b.wait_until("document.body.classList.contains('govuk-frontend-supported')"));
    assert_eq!(
        b.execute(
            "return getComputedStyle(document.querySelector('.govuk-button')).backgroundColor;"
        ),
        json!("rgb(0, 112, 60)"),
        "GOV.UK styles apply"
    );
    if let Ok(dir) = std::env::var("YOUDECIDE_SCREENSHOTS") {
        b.screenshot(&std::path::Path::new(&dir).join("round-page.png"));
    }
}
