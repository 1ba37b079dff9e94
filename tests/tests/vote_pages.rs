//! The online voting pages: a resident votes with plain form posts (no JavaScript) through
//! "your details", "choose projects", "check your choices" and the receipt; refusals show
//! the GOV.UK error summary; every post needs the CSRF token; and in a real headless Chromium
//! a resident votes in Urdu (right to left) with axe-core finding no violations on any step.
//! On SQLite and on PostgreSQL.

use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use serde_json::json;
use youdecide_tests::browser::Browser;
use youdecide_tests::{on_both_backends, Backend, Req, Resp, TestServer};

#[path = "support/axe.rs"]
mod axe;

on_both_backends!(
    vote_without_javascript,
    points_orders_monitoring_and_bad_forms,
    vote_in_urdu_in_chromium
);

struct World {
    s: TestServer,
    admin: String,
    rid: String,
}

fn round(s: &TestServer, admin: &str, pid: &str, mode: &str, open: bool) -> String {
    let approval =
        json!({"kind": "approval", "min_choices": 1, "max_choices": 2, "within_budget": true});
    round_with(s, admin, pid, mode, approval, open)
}

fn round_with(
    s: &TestServer,
    admin: &str,
    pid: &str,
    mode: &str,
    method: serde_json::Value,
    open: bool,
) -> String {
    let r = s.post(
        &format!("/api/v1/partnerships/{pid}/rounds"),
        Some(admin),
        json!({"title": format!("Ashby Decides ({mode})"), "description": "Vote for the projects you want.",
               "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2099-07-01T16:00:00Z",
               "method": method,
               "rule": "greedy",
               "areas": [{"key": "central", "name": "Central Ashby", "budget": 100000, "postcodes": ["DN16 1"]},
                         {"key": "north", "name": "North", "budget": 50000, "postcodes": ["DN16 2"]}],
               "eligibility": {"min_age": 16, "mode": mode}, "languages": ["en", "cy", "pl", "ur"]}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let rid = r.json["id"].as_str().unwrap().to_string();
    for (key, area, cost) in [
        ("bench", "central", 45000),
        ("swings", "central", 30000),
        ("fountain", "central", 90000),
        ("mural", "north", 30000),
    ] {
        let r = s.post(
            &format!("/api/v1/rounds/{rid}/projects"),
            Some(admin),
            json!({"key": key, "area": area, "title": format!("The {key}"), "summary": format!("A new {key}."),
                   "description": "Made locally.", "cost": cost}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let r = s.request(
        Req::new(
            "PUT",
            &format!("/api/v1/rounds/{rid}/projects/bench/translations/ur"),
        )
        .token(Some(admin))
        .json(json!({"title": "نیا بینچ", "summary": "بازار میں ایک نیا بینچ۔"})),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    if open {
        let o = s.post(
            &format!("/api/v1/rounds/{rid}/open"),
            Some(admin),
            json!({}),
        );
        assert_eq!(o.status, 200, "{}", o.text);
    }
    rid
}

fn world(backend: Backend) -> (World, String) {
    let s = TestServer::start(backend);
    let admin = s.admin_token("root@example.org");
    let p = s.post(
        "/api/v1/partnerships",
        Some(&admin),
        json!({"name": "Ashby & District"}),
    );
    let pid = p.json["id"].as_str().unwrap().to_string();
    let rid = round(&s, &admin, &pid, "self-declared", true);
    (World { s, admin, rid }, pid)
}

/// How many ballots the database holds.
fn ballots_stored(s: &TestServer) -> i64 {
    s.sql_count("SELECT COUNT(*) AS n FROM ballots")
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    t: String,
}

/// The texts a query selects as `t`.
fn texts(s: &TestServer, q: &str) -> Vec<String> {
    let rows: Vec<Row> = match s.db.backend {
        Backend::Sqlite => {
            let mut c = SqliteConnection::establish(&s.db.url).unwrap();
            diesel::sql_query(q).load(&mut c).unwrap()
        }
        Backend::Postgres => {
            let mut c = PgConnection::establish(&s.db.url).unwrap();
            diesel::sql_query(q).load(&mut c).unwrap()
        }
    };
    rows.into_iter().map(|r| r.t).collect()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The hidden fields of a page's form, in order.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    html.split(r#"<input type="hidden" name=""#)
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let rest = rest.strip_prefix(r#" value=""#)?;
            let (value, _) = rest.split_once('"')?;
            Some((unescape(name), unescape(value)))
        })
        .collect()
}

/// A browser-like visitor without JavaScript: keeps the CSRF cookie and posts forms.
struct Visitor<'a> {
    s: &'a TestServer,
    csrf: String,
    path: String,
}

impl<'a> Visitor<'a> {
    fn start(s: &'a TestServer, path: &str) -> (Visitor<'a>, Resp) {
        let page = s.get(path, None);
        assert_eq!(page.status, 200, "{}", page.text);
        let csrf = page.cookie("yd_csrf").expect("the CSRF cookie is set");
        let form_path = path.split('?').next().unwrap().to_string();
        (
            Visitor {
                s,
                csrf,
                path: form_path,
            },
            page,
        )
    }

    /// Posts a page's hidden fields with `extra` fields added.
    fn post(&self, page: &Resp, extra: &[(&str, &str)]) -> Resp {
        let mut fields = hidden_fields(&page.text);
        for (k, v) in extra {
            fields.retain(|(name, _)| name != k);
            fields.push((k.to_string(), v.to_string()));
        }
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.s.request(
            Req::new("POST", &self.path)
                .cookies(&[("yd_csrf", &self.csrf)])
                .form(&pairs),
        )
    }
}

const ANN: [(&str, &str); 6] = [
    ("postcode", "dn16 1ab"),
    ("age", "yes"),
    ("name", "Ann O'Hara"),
    ("dob-day", "2"),
    ("dob-month", "4"),
    ("dob-year", "1970"),
];

fn tracking_code(receipt: &str) -> String {
    let (_, rest) = receipt
        .split_once(r#"id="tracking-code" dir="ltr">"#)
        .expect("the receipt shows a tracking code");
    rest.split('<').next().unwrap().to_string()
}

fn vote_without_javascript(backend: Backend) {
    let (w, pid) = world(backend);
    let vote = format!("/rounds/{}/vote", w.rid);

    // Step 1: the details form, with the CSRF token and the fields for a self-declared round.
    let (v, details) = Visitor::start(&w.s, &vote);
    let t = &details.text;
    assert!(t.contains(r#"<html lang="en" dir="ltr""#));
    for needle in [
        r#"<label class="govuk-label govuk-label--s" for="postcode">Postcode</label>"#,
        r#"for="age">I am 16 or older</label>"#,
        r#"for="name">Full name</label>"#,
        r#"id="dob-day" name="dob-day""#,
        r#"id="dob-month" name="dob-month""#,
        r#"id="dob-year" name="dob-year""#,
        "We do not keep your name or date of birth.",
        r#"hreflang="ur""#,
    ] {
        assert!(t.contains(needle), "missing {needle}");
    }
    assert!(!t.contains("style=") && !t.contains("<script>"), "CSP-safe");
    assert!(hidden_fields(t)
        .iter()
        .any(|(k, val)| k == "csrf_token" && *val == v.csrf));
    assert_eq!(details.header("cache-control").as_deref(), Some("no-store"));

    // A bad postcode: 422, the error summary and the inline error, typed values kept.
    let mut bad = ANN.to_vec();
    bad[0] = ("postcode", "not a postcode");
    bad[2] = ("name", "Ann <O'Hara>");
    let r = v.post(&details, &bad);
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("govuk-error-summary"));
    assert!(r
        .text
        .contains(r##"<a href="#postcode">Enter your full postcode, like DN15 6AB.</a>"##));
    assert!(r.text.contains(r#"id="postcode-error""#));
    assert!(
        r.text.contains(r#"value="Ann &lt;O&#39;Hara&gt;""#),
        "name kept"
    );
    assert!(r.text.contains(r#"value="not a postcode""#));
    assert!(r.text.contains("<title>Error: "));
    // Several problems at once: no age, no date of birth.
    let r = v.post(
        &details,
        &[
            ("postcode", "DN16 1AB"),
            ("name", "Ann"),
            ("dob-year", "1970"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r
        .text
        .contains(r##"href="#age">Confirm that you are 16 or older to vote."##));
    assert!(r.text.contains(r##"href="#dob-day">"##));
    // A postcode outside the round.
    let r = v.post(&details, &[("postcode", "ZZ1 1ZZ"), ("age", "yes")]);
    assert!(r
        .text
        .contains("Your postcode is not in an area of this round"));

    // Step 2: the voter's area's projects, with costs and the budget.
    let choose = v.post(&details, &ANN);
    assert_eq!(choose.status, 200, "{}", choose.text);
    let t = &choose.text;
    assert!(t.contains("Your area is Central Ashby. It has £1,000 to spend."));
    assert!(t.contains(r#"id="p-bench" name="p-bench" type="checkbox""#));
    assert!(t.contains(r#"for="p-bench">The bench</label>"#));
    assert!(t.contains("Cost: £450"));
    assert!(!t.contains("p-mural"), "only the voter's area");
    // Too many, then over budget: 422 on the choose step.
    let r = v.post(
        &choose,
        &[
            ("p-bench", "yes"),
            ("p-swings", "yes"),
            ("p-fountain", "yes"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.text.contains("Choose no more than 2 projects."));
    assert!(r.text.contains(r#"id="p-fountain" name="p-fountain" type="checkbox" value="yes" data-cost="90000" aria-describedby="p-fountain-hint" checked"#), "choices kept");
    let r = v.post(&choose, &[("p-bench", "yes"), ("p-fountain", "yes")]);
    assert_eq!(r.status, 422);
    assert!(r.text.contains("cost more than your area&#39;s budget"));
    let r = v.post(&choose, &[]);
    assert_eq!(r.status, 422);
    assert!(r.text.contains("Choose at least 1 project."));

    // Step 3: check, with the total; "Change" goes back with the choices kept.
    let check = v.post(&choose, &[("p-bench", "yes"), ("p-swings", "yes")]);
    assert_eq!(check.status, 200, "{}", check.text);
    let t = &check.text;
    assert!(t.contains("Check your choices"));
    assert!(t.contains("Your choices cost £750 in all. Your area&#39;s budget is £1,000."));
    assert!(t.contains("<bdi>DN16 1AB</bdi>"));
    assert!(t.contains("2 April 1970"));
    assert!(t.contains("Send my vote"));
    let back = v.post(&check, &[("change", "choose")]);
    assert_eq!(back.status, 200);
    assert!(back
        .text
        .contains(r#"aria-describedby="p-swings-hint" checked"#));
    let again = v.post(&back, &[("p-bench", "yes"), ("p-swings", "yes")]);
    assert_eq!(again.status, 200);
    assert_eq!(ballots_stored(&w.s), 0, "nothing is stored before sending");

    // Without the CSRF token (or with a wrong one) nothing is stored.
    let fields: Vec<(String, String)> = hidden_fields(&again.text)
        .into_iter()
        .filter(|(k, _)| k != "csrf_token")
        .collect();
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = w.s.request(
        Req::new("POST", &vote)
            .cookies(&[("yd_csrf", &v.csrf)])
            .form(&pairs),
    );
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(r.text.contains("govuk-error-summary"));
    let r = v.post(&again, &[("csrf_token", &"0".repeat(64))]);
    assert_eq!(r.status, 403);
    let r = w.s.request(Req::new("POST", &vote).form(&pairs));
    assert_eq!(r.status, 403);
    assert_eq!(ballots_stored(&w.s), 0);

    // Send: the receipt with the tracking code, a QR code and the check link.
    let receipt = v.post(&again, &[]);
    assert_eq!(receipt.status, 200, "{}", receipt.text);
    let code = tracking_code(&receipt.text);
    assert!(receipt.text.contains("Your vote has been sent"));
    assert!(receipt.text.contains(r#"<svg role="img""#));
    assert!(receipt
        .text
        .contains(&format!(r#"href="/check?code={code}&amp;lang=en""#)));
    assert!(!receipt.text.contains("style="));
    assert_eq!(ballots_stored(&w.s), 1);
    let api = w.s.get(&format!("/api/v1/ballots/{code}"), None);
    assert_eq!(api.status, 200, "{}", api.text);
    assert_eq!(api.json, json!({"status": "received"}));
    let checked = w.s.get(&format!("/check?code={code}"), None);
    assert_eq!(checked.status, 200);
    assert!(checked.text.contains("We have received your vote."));
    let unknown = w.s.get("/check?code=AAAA-BBBB-CCCC-DDDD", None);
    assert_eq!(unknown.status, 404);

    // Sending the same form again, or voting again as the same person (name typed
    // differently), is refused: 409 with the plain-English message; nothing stored twice.
    let r = v.post(&again, &[]);
    assert_eq!(r.status, 409, "{}", r.text);
    let (v2, details2) = Visitor::start(&w.s, &vote);
    let mut ann = ANN.to_vec();
    ann[2] = ("name", "  ann   o hara ");
    let choose2 = v2.post(&details2, &ann);
    assert_eq!(choose2.status, 200, "{}", choose2.text);
    let check2 = v2.post(&choose2, &[("p-bench", "yes")]);
    assert_eq!(check2.status, 200);
    let refused = v2.post(&check2, &[]);
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert!(refused.text.contains("govuk-error-summary"));
    assert!(refused
        .text
        .contains("You have already voted in this round. Each person can vote once."));
    assert_eq!(ballots_stored(&w.s), 1);

    // A different resident can still vote, in Welsh.
    let (v3, details3) = Visitor::start(&w.s, &format!("{vote}?lang=cy"));
    assert!(details3.text.contains(r#"<html lang="cy""#));
    assert!(details3.text.contains("Cod post"));
    let choose3 = v3.post(
        &details3,
        &[
            ("postcode", "DN16 2XY"),
            ("age", "yes"),
            ("name", "Bob Jones"),
            ("dob-day", "30"),
            ("dob-month", "12"),
            ("dob-year", "1999"),
        ],
    );
    assert_eq!(choose3.status, 200, "{}", choose3.text);
    assert!(choose3.text.contains("p-mural") && !choose3.text.contains("p-bench"));
    let check3 = v3.post(&choose3, &[("p-mural", "yes")]);
    let receipt3 = v3.post(&check3, &[]);
    assert_eq!(receipt3.status, 200, "{}", receipt3.text);
    assert!(receipt3
        .text
        .contains("Mae eich pleidlais wedi&#39;i hanfon"));
    assert_eq!(ballots_stored(&w.s), 2);

    // Draft and unknown rounds are "page not found".
    let draft = round(&w.s, &w.admin, &pid, "self-declared", false);
    for path in [
        format!("/rounds/{draft}/vote"),
        "/rounds/nope/vote".to_string(),
    ] {
        let r = w.s.get(&path, None);
        assert_eq!(r.status, 404, "{path}");
        assert!(r.text.contains("Page not found"));
    }

    // A code-mode round: the poll card's QR link fills in the code.
    let crid = round(&w.s, &w.admin, &pid, "code", true);
    let codes = w.s.post(
        &format!("/api/v1/rounds/{crid}/codes"),
        Some(&w.admin),
        json!({"count": 1}),
    );
    assert_eq!(codes.status, 201, "{}", codes.text);
    let card = codes.json["codes"][0].as_str().unwrap().to_string();
    let (cv, cdetails) = Visitor::start(&w.s, &format!("/rounds/{crid}/vote?code={card}"));
    assert!(cdetails.text.contains(&format!(
        r#"id="code" name="code" type="text" spellcheck="false" aria-describedby="code-hint" value="{card}""#
    )));
    assert!(
        !cdetails.text.contains(r#"id="name""#),
        "no name in code mode"
    );
    let wrong = cv.post(
        &cdetails,
        &[
            ("code", "ZZZZ-ZZZZ-ZZZZ-ZZZZ"),
            ("postcode", "DN16 1AA"),
            ("age", "yes"),
        ],
    );
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert!(wrong
        .text
        .contains("This voting code was not issued for this round."));
    let cchoose = cv.post(
        &cdetails,
        &[("code", &card), ("postcode", "DN16 1AA"), ("age", "yes")],
    );
    assert_eq!(cchoose.status, 200, "{}", cchoose.text);
    let ccheck = cv.post(&cchoose, &[("p-swings", "yes")]);
    let creceipt = cv.post(&ccheck, &[]);
    assert_eq!(creceipt.status, 200, "{}", creceipt.text);
    let twice = cv.post(&ccheck, &[]);
    assert_eq!(twice.status, 409);
    assert_eq!(ballots_stored(&w.s), 3);

    // An attended round has no online vote: the page points to the pop-ups.
    let arid = round(&w.s, &w.admin, &pid, "attended", true);
    let r = w.s.get(&format!("/rounds/{arid}/vote"), None);
    assert_eq!(r.status, 200);
    assert!(r.text.contains("Vote at a pop-up"));
    assert!(r.text.contains(&format!("/rounds/{arid}?lang=en#how")));
}

fn points_orders_monitoring_and_bad_forms(backend: Backend) {
    let (w, pid) = world(backend);

    // Cumulative: 10 points to share, at most 6 on one project; refusals name the rule.
    let method = json!({"kind": "cumulative", "points": 10, "max_per_project": 6});
    let crid = round_with(&w.s, &w.admin, &pid, "self-declared", method, true);
    let (v, details) = Visitor::start(&w.s, &format!("/rounds/{crid}/vote"));
    let choose = v.post(&details, &ANN);
    assert_eq!(choose.status, 200, "{}", choose.text);
    assert!(choose
        .text
        .contains("Share out 10 points among the projects you want."));
    assert!(choose
        .text
        .contains(r#"data-running-total="points" data-limit="10""#));
    for (picks, message) in [
        (
            [("p-bench", "7"), ("p-swings", "3")],
            "You can give at most 6 points to one project.",
        ),
        (
            [("p-bench", "6"), ("p-swings", "5")],
            "You can give 10 points in all; you have given more.",
        ),
        (
            [("p-bench", "lots"), ("p-swings", "")],
            "Give each project you choose at least 1 point, as a whole number.",
        ),
        (
            [("p-bench", "-2"), ("p-swings", "3")],
            "Give each project you choose at least 1 point, as a whole number.",
        ),
    ] {
        let r = v.post(&choose, &picks);
        assert_eq!(r.status, 422, "{picks:?}: {}", r.text);
        assert!(r.text.contains(message), "{picks:?}: {}", r.text);
    }
    let check = v.post(&choose, &[("p-bench", "6"), ("p-swings", "4")]);
    assert_eq!(check.status, 200, "{}", check.text);
    assert!(check.text.contains("You have given 10 of your 10 points."));
    let receipt = v.post(&check, &[]);
    assert_eq!(receipt.status, 200, "{}", receipt.text);
    let stored = texts(
        &w.s,
        &format!("SELECT choices AS t FROM ballots WHERE round_id = '{crid}'"),
    );
    assert_eq!(stored.len(), 1);
    let choices: serde_json::Value = serde_json::from_str(&stored[0]).unwrap();
    assert_eq!(
        choices,
        json!([["bench", 6], ["swings", 4]]),
        "stored compactly as [project, points]"
    );

    // Monitoring under the receipt: answers stored with the day only, bad answers refused.
    let action = format!("/rounds/{crid}/vote/monitoring");
    assert!(receipt.text.contains(&format!(r#"action="{action}""#)));
    assert!(receipt.text.contains("Help us reach everyone (optional)"));
    assert!(receipt
        .text
        .contains(r#"name="influence" type="radio" value="dont-know""#));
    let monitoring = |fields: &[(&str, &str)], csrf: bool| {
        let token = v.csrf.clone();
        let mut all: Vec<(&str, &str)> = vec![("lang", "en")];
        if csrf {
            all.push(("csrf_token", &token));
        }
        all.extend_from_slice(fields);
        w.s.request(
            Req::new("POST", &action)
                .cookies(&[("yd_csrf", &v.csrf)])
                .form(&all),
        )
    };
    let rows = |w: &World| w.s.sql_count("SELECT COUNT(*) AS n FROM monitoring");
    let bad = monitoring(&[("age_band", "99"), ("influence", "tend-to-agree")], true);
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("Nothing was kept."));
    assert_eq!(monitoring(&[("age_band", "25-34")], false).status, 403);
    assert_eq!(rows(&w), 0);
    let thanks = monitoring(
        &[("age_band", "25-34"), ("influence", "tend-to-agree")],
        true,
    );
    assert_eq!(thanks.status, 200, "{}", thanks.text);
    assert!(thanks.text.contains("Thank you"));
    assert_eq!(monitoring(&[], true).status, 200, "nothing answered");
    assert_eq!(rows(&w), 1);
    let days = texts(&w.s, "SELECT day AS t FROM monitoring");
    assert_eq!(days[0].len(), 10, "the day only: {}", days[0]);

    // Ranked: an order with no gaps or repeats.
    let method = json!({"kind": "ranked", "max_ranks": 2});
    let rrid = round_with(&w.s, &w.admin, &pid, "self-declared", method, true);
    let (v, details) = Visitor::start(&w.s, &format!("/rounds/{rrid}/vote"));
    let choose = v.post(&details, &ANN);
    assert!(choose
        .text
        .contains(r#"<select class="govuk-select" id="p-bench" name="p-bench""#));
    assert!(!choose.text.contains("data-running-total"));
    for picks in [
        [("p-bench", "1"), ("p-swings", "1")],
        [("p-bench", "2"), ("p-swings", "")],
    ] {
        let r = v.post(&choose, &picks);
        assert_eq!(r.status, 422, "{picks:?}");
        assert!(r.text.contains("Number your choices 1, 2, 3 and so on"));
    }
    let check = v.post(&choose, &[("p-swings", "1"), ("p-bench", "2")]);
    assert_eq!(check.status, 200, "{}", check.text);
    assert!(check.text.find("The swings") < check.text.find("The bench"));
    assert_eq!(v.post(&check, &[]).status, 200);

    // Forms that cannot be read change nothing: invalid UTF-8, wrong content type.
    let before = ballots_stored(&w.s);
    let vote = format!("/rounds/{}/vote", w.rid);
    let body = format!(
        "csrf_token={}&step=confirm&postcode=DN16+1AB&age=yes&name=%FF%FE&dob-day=1&dob-month=1&dob-year=1970&p-bench=yes",
        v.csrf
    );
    for raw in [
        body.as_bytes().to_vec(),
        [body.as_bytes(), b"\xff"].concat(),
    ] {
        let r = w.s.request(
            Req::new("POST", &vote)
                .cookies(&[("yd_csrf", &v.csrf)])
                .bytes("application/x-www-form-urlencoded", &raw),
        );
        r.assert_error(400, "invalid_form");
    }
    w.s.request(
        Req::new("POST", &vote)
            .cookies(&[("yd_csrf", &v.csrf)])
            .raw("text/plain", "step=confirm"),
    )
    .assert_error(400, "invalid_form");
    let huge = format!("csrf_token={}&name={}", v.csrf, "x".repeat(1_000_000));
    let r = w.s.request(
        Req::new("POST", &vote)
            .cookies(&[("yd_csrf", &v.csrf)])
            .raw("application/x-www-form-urlencoded", &huge),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(ballots_stored(&w.s), before);
    assert_eq!(w.s.get("/healthz", None).status, 200);
}

fn vote_in_urdu_in_chromium(backend: Backend) {
    let (w, _) = world(backend);
    let b = Browser::start();
    let axe_clean = |step: &str| {
        let violations = axe::violations(&b);
        assert!(violations.is_empty(), "{step}: {violations:#?}");
    };
    b.goto(&format!("{}/rounds/{}/vote?lang=ur", w.s.url, w.rid));
    assert_eq!(
        b.execute("return document.documentElement.lang;"),
        json!("ur")
    );
    assert_eq!(
        b.execute("return document.documentElement.dir;"),
        json!("rtl")
    );
    assert!(b.source().contains(r#"dir="rtl""#));
    assert!(b.text("h1").contains("آپ کی تفصیلات"));
    axe_clean("details");

    b.type_into("#postcode", "DN16 1AB");
    b.click("label[for=age]");
    b.type_into("#name", "Samina Khan");
    b.type_into("#dob-day", "9");
    b.type_into("#dob-month", "11");
    b.type_into("#dob-year", "1985");
    b.click("form button.govuk-button");
    assert!(b.wait_until("document.querySelector('#p-bench') !== null"));
    assert_eq!(
        b.execute("return document.documentElement.dir;"),
        json!("rtl")
    );
    assert!(b.text("main").contains("نیا بینچ"));
    axe_clean("choose");

    // The running total (the page's script) follows the ticks and warns when over budget.
    b.click("label[for=p-bench]");
    assert!(b.wait_until("!document.querySelector('#running-total').hidden"));
    assert!(b.text("#running-total").contains("£450"));
    let over =
        "document.querySelector('#running-total').classList.contains('yd-running-total--over')";
    b.click("label[for=p-fountain]");
    assert!(b.wait_until(over));
    assert!(b.text("#running-total").contains("£1,350"));
    b.click("label[for=p-fountain]");
    assert!(b.wait_until(&format!("!{over}")));
    b.click("form button.govuk-button");
    assert!(b.wait_until("document.querySelector('#send') !== null"));
    assert!(b.text("#total").contains("£450"));
    axe_clean("check");

    b.click("#send");
    assert!(b.wait_until("document.querySelector('#tracking-code') !== null"));
    assert!(b.text("h1").contains("آپ کا ووٹ بھیج دیا گیا ہے"));
    let code = b.text("#tracking-code");
    assert_eq!(
        b.execute("return document.documentElement.dir;"),
        json!("rtl")
    );
    axe_clean("receipt");
    let api = w.s.get(&format!("/api/v1/ballots/{code}"), None);
    assert_eq!(api.status, 200, "{code}: {}", api.text);

    let link =
        b.execute("return document.querySelector(\"a[href^='/check']\").getAttribute('href');");
    assert_eq!(link, json!(format!("/check?code={code}&lang=ur")));

    // The optional monitoring questions under the receipt.
    b.click("label[for=age_band-35-44]");
    b.click("label[for=influence-tend-to-agree]");
    b.click("#send-monitoring");
    assert!(b.wait_until("document.querySelector('#send-monitoring') === null"));
    assert!(b.text("h1").contains("شکریہ"));
    assert_eq!(
        texts(&w.s, "SELECT age_band AS t FROM monitoring"),
        vec!["35-44".to_string()]
    );

    // The receipt's link opens "check your vote" with the code.
    b.goto(&format!("{}{}", w.s.url, link.as_str().unwrap()));
    assert!(b.wait_until("document.querySelector('.govuk-panel') !== null"));
    assert_eq!(ballots_stored(&w.s), 1);
}
