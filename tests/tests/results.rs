//! Counting and publishing, end to end on SQLite and PostgreSQL: online ballots and two real
//! kiosks that voted offline, the same person at both kiosks and the same person online and at
//! a kiosk; the count refused while a kiosk may still hold ballots; the draft result and its
//! review for officers only; counting again gives the same result and digest; publishing
//! unlinks voter keys; the exported Pabulib files hash to the digest and re-count with
//! `youdecide-server tally` to the published winners.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use youdecide_tests::browser::Browser;
use youdecide_tests::kiosk::TestKiosk;
use youdecide_tests::{on_both_backends, run_server_cli, Backend, TestServer};

on_both_backends!(count_publish_and_recount, results_pages_in_chromium);

#[path = "support/axe.rs"]
mod axe;

fn ballot(name: &str, postcode: &str, projects: &[&str]) -> Value {
    let choices: Vec<Value> = projects.iter().map(|p| json!({"project": p})).collect();
    json!({"eligibility": {"postcode": postcode, "age_confirmed": true, "name": name,
                           "date_of_birth": "1970-01-01"},
           "choices": choices, "language": "en"})
}

fn kiosk_ballot(rid: &str, name: &str, projects: &[&str]) -> Value {
    let mut b = ballot(name, "DN15 6AB", projects);
    b["round"] = json!(rid);
    b
}

fn new_kiosk(s: &TestServer, admin: &str, pid: &str, name: &str) -> TestKiosk {
    let k = s.post(
        &format!("/api/v1/partnerships/{pid}/kiosks"),
        Some(admin),
        json!({"name": name}),
    );
    assert_eq!(k.status, 201, "{}", k.text);
    let kiosk = TestKiosk::new();
    kiosk.enroll(&s.url, k.json["enrollment_code"].as_str().unwrap());
    kiosk
}

fn sync(k: &TestKiosk) {
    let out = k.cli(&["sync"]);
    assert!(
        out.status.success(),
        "sync: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The result without the time it was counted.
fn timeless(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("counted_at");
    v
}

fn count_publish_and_recount(backend: Backend) {
    let mut s = TestServer::start(backend);
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
               "method": {"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": false},
               "rule": "greedy",
               "areas": [{"key": "central", "name": "Central", "budget": 1000, "postcodes": ["DN15"]},
                         {"key": "north", "name": "North", "budget": 800, "postcodes": ["DN16"]}],
               "eligibility": {"min_age": 16, "mode": "self-declared"}, "languages": ["en"]}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let rid = r.json["id"].as_str().unwrap().to_string();
    for (k, area, cost) in [
        ("a", "central", 600),
        ("b", "central", 500),
        ("c", "central", 300),
        ("n1", "north", 500),
        ("n2", "north", 400),
    ] {
        let r = s.post(
            &format!("/api/v1/rounds/{rid}/projects"),
            Some(&admin),
            json!({"key": k, "area": area, "title": format!("Project {k}"), "cost": cost}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let api = |path: &str| format!("/api/v1/rounds/{rid}/{path}");
    s.post(&api("count"), Some(&admin), json!({}))
        .assert_error(409, "invalid_transition");
    assert_eq!(s.post(&api("open"), Some(&admin), json!({})).status, 200);

    // Online: central a 3, b 4, c 2 so far; north n1 3, n2 2.
    let online = [
        ("Dup Person", "DN15 1AA", vec!["a", "b"]),
        ("Online 1", "DN15 1AA", vec!["a", "c"]),
        ("Online 2", "DN15 1AA", vec!["b"]),
        ("Online 3", "DN15 1AA", vec!["b", "c"]),
        ("Online 4", "DN15 1AA", vec!["a", "b"]),
        ("North 1", "DN16 1AA", vec!["n1", "n2"]),
        ("North 2", "DN16 1AA", vec!["n1"]),
        ("North 3", "DN16 1AA", vec!["n1", "n2"]),
    ];
    let mut tracking = std::collections::HashMap::new();
    for (name, postcode, projects) in &online {
        let r = s.post(&api("ballots"), None, ballot(name, postcode, projects));
        assert_eq!(r.status, 201, "{}", r.text);
        tracking.insert(
            format!("online {name}"),
            r.json["tracking_code"].as_str().unwrap().to_string(),
        );
    }
    s.get(&api("results"), None).assert_error(404, "not_found");

    // Two kiosks vote offline; the same person at both; "Dup Person" again at a kiosk.
    let mut k1 = new_kiosk(&s, &admin, &pid, "Tesco Scunthorpe");
    let mut k2 = new_kiosk(&s, &admin, &pid, "Ashby Library");
    let k3 = new_kiosk(&s, &admin, &pid, "Spare tablet");
    k1.start();
    k2.start();
    s.kill();
    let mut cast = |k: &TestKiosk, key: &str, name: &str, projects: &[&str]| {
        let (status, body) = k.cast(&kiosk_ballot(&rid, name, projects));
        assert_eq!(status, 201, "{body}");
        tracking.insert(
            key.to_string(),
            body["tracking_code"].as_str().unwrap().to_string(),
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    cast(&k1, "k1 twin", "Twin Voter", &["a", "c"]);
    cast(&k1, "k1 dup", "Dup Person", &["c"]);
    cast(&k1, "k1 other", "Kiosk One", &["a", "c"]);
    cast(&k2, "k2 twin", "Twin Voter", &["b"]);
    cast(&k2, "k2 other", "Kiosk Two", &["a"]);
    k1.kill9();
    k2.kill9();

    // Back online after voting ends: the kiosks sync late, the second kiosk first.
    s.restart();
    assert_eq!(s.post(&api("close"), Some(&admin), json!({})).status, 200);
    sync(&k2);
    sync(&k1);

    // The spare tablet has not been in touch since voting ended: counting waits for a confirm.
    let refused = s.post(&api("count"), Some(&admin), json!({}));
    refused.assert_error(409, "kiosks_pending");
    let listed: Vec<&str> = refused.json["error"]["details"]["kiosks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, vec!["Spare tablet"], "{}", refused.text);
    assert!(refused.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Spare tablet"));
    let pending = s.get(&api("pending-kiosks"), Some(&admin));
    assert_eq!(pending.json["kiosks"][0]["name"], "Spare tablet");
    s.post(&api("count"), Some(&admin), json!({"confirm": "yes"}))
        .assert_error(422, "invalid_field");
    assert_eq!(s.sql_count("SELECT COUNT(*) AS n FROM results"), 0);
    drop(k3);

    let counted = s.post(&api("count"), Some(&admin), json!({"confirm": true}));
    assert_eq!(counted.status, 200, "{}", counted.text);
    assert_eq!(counted.json["status"], "counted");

    // The draft result: officers only, with the review; never the public.
    s.get(&api("results"), None).assert_error(404, "not_found");
    let draft = s.get(&api("results"), Some(&admin));
    assert_eq!(draft.status, 200, "{}", draft.text);
    let d = &draft.json;
    assert_eq!(d["status"], "counted");
    assert_eq!(d["rule"], "greedy");
    assert_eq!(
        d["ballots"],
        json!({"counted": 11, "superseded": 2, "rejected": 0})
    );
    // Central: a 5 (Online 1, 4, Dup, k1 twin, k1 other, k2 other = 6), b 4, c 4.
    let votes: Vec<(String, i64, bool)> = d["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["key"].as_str().unwrap().to_string(),
                p["votes"].as_i64().unwrap(),
                p["selected"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        votes,
        vec![
            ("a".into(), 6, true),
            ("b".into(), 4, false),
            ("c".into(), 4, true),
            ("n1".into(), 3, true),
            ("n2".into(), 2, false),
        ]
    );
    assert_eq!(
        d["areas"],
        json!([
            {"key": "central", "name": "Central", "budget": 1000, "selected": ["a", "c"], "cost": 900, "ballots": 8},
            {"key": "north", "name": "North", "budget": 800, "selected": ["n1"], "cost": 500, "ballots": 3}
        ])
    );
    let digest = d["digest"].as_str().unwrap().to_string();
    assert_eq!(digest.len(), 64);
    let channels = &d["turnout"]["channels"];
    assert_eq!(
        channels,
        &json!([{"channel": "Ashby Library", "ballots": 1},
                {"channel": "Tesco Scunthorpe", "ballots": 2},
                {"channel": "online", "ballots": 8}])
    );
    // Conflicts show times and places, never choices or people.
    let conflicts = d["review"]["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 2, "{}", d["review"]);
    let places: Vec<Vec<&str>> = conflicts
        .iter()
        .map(|c| {
            c["ballots"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["place"].as_str().unwrap())
                .collect()
        })
        .collect();
    assert!(
        places.contains(&vec!["online", "Tesco Scunthorpe"]),
        "{places:?}"
    );
    assert!(
        places.contains(&vec!["Tesco Scunthorpe", "Ashby Library"]),
        "{places:?}"
    );
    let review = d["review"].to_string();
    assert!(
        !review.contains("\"a\"") && !review.contains("choices"),
        "{review}"
    );

    // The first cast counts, whatever the order of syncing.
    let status = |key: &str| {
        s.get(&format!("/api/v1/ballots/{}", tracking[key]), None)
            .json["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status("k1 twin"), "counted");
    assert_eq!(status("k2 twin"), "superseded");
    assert_eq!(status("online Dup Person"), "counted");
    assert_eq!(status("k1 dup"), "superseded");

    // Counting again with no new ballots: the same result and digest.
    let again = s.post(&api("count"), Some(&admin), json!({"confirm": true}));
    assert_eq!(again.status, 200);
    let redraft = s.get(&api("results"), Some(&admin));
    assert_eq!(timeless(redraft.json.clone()), timeless(draft.json.clone()));

    // Publishing freezes the result and unlinks voter keys from ballots.
    let published = s.post(&api("publish"), Some(&admin), json!({}));
    assert_eq!(published.status, 200, "{}", published.text);
    assert_eq!(published.json["status"], "published");
    s.post(&api("publish"), Some(&admin), json!({}))
        .assert_error(409, "invalid_transition");
    s.post(&api("count"), Some(&admin), json!({"confirm": true}))
        .assert_error(409, "invalid_transition");
    let public = s.get(&api("results"), None);
    assert_eq!(public.status, 200, "{}", public.text);
    assert_eq!(public.json["status"], "published");
    assert!(public.json.get("review").is_none());
    assert!(public.json["published_at"].is_string());
    assert_eq!(public.json["digest"], digest.as_str());
    // Small numbers are hidden in every published breakdown.
    assert_eq!(
        public.json["turnout"]["channels"][0],
        json!({"channel": "Ashby Library", "ballots": null, "suppressed": true})
    );
    assert_eq!(public.json["areas"][0]["selected"], json!(["a", "c"]));
    assert_eq!(public.json["areas"][1]["ballots"], Value::Null);
    assert_eq!(
        s.sql_count(&format!(
            "SELECT COUNT(*) AS n FROM ballots WHERE round_id = '{rid}' AND person IS NOT NULL"
        )),
        0
    );

    // Open data: CSV, and Pabulib files that hash to the digest and re-count to the winners.
    let csv = s.get(&api("results.csv"), None);
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(lines[0], "area,project,title,votes,cost_pence,selected");
    assert_eq!(lines[1], "central,a,Project a,6,600,true");
    assert_eq!(lines.len(), 6);
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().display().to_string();
    let exported = s.cli(&["export-pabulib", "--round", &rid, "--out", &dir], None);
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let mut hasher = Sha256::new();
    for (area, winners) in [("central", json!(["a", "c"])), ("north", json!(["n1"]))] {
        let path = out.path().join(format!("{area}.pb"));
        let text = std::fs::read_to_string(&path).unwrap();
        hasher.update(text.as_bytes());
        let served = s.get(&api(&format!("results/pabulib/{area}.pb")), None);
        assert_eq!(served.text, text);
        assert!(text.contains("rule;greedy"));
        assert!(!text.contains("Twin") && !text.contains("Dup"));
        let tally = run_server_cli(
            &["tally", &path.display().to_string(), "--rule", "greedy"],
            None,
        );
        assert!(tally.status.success());
        let t: Value = serde_json::from_slice(&tally.stdout).unwrap();
        assert_eq!(t["selected"], winners, "{area}");
    }
    assert_eq!(hex::encode(hasher.finalize()), digest);

    // Bad input changes nothing.
    let bad = s.cli(&["export-pabulib", "--round", "nope", "--out", &dir], None);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&bad.stderr).lines().count(), 1);
    s.get(&api("results/pabulib/west.pb"), None)
        .assert_error(404, "not_found");
}

fn results_pages_in_chromium(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.admin_token("root@example.org");
    let p = s.post(
        "/api/v1/partnerships",
        Some(&admin),
        json!({"name": "Brigg"}),
    );
    let pid = p.json["id"].as_str().unwrap().to_string();
    let r = s.post(
        &format!("/api/v1/partnerships/{pid}/rounds"),
        Some(&admin),
        json!({"title": "Brigg Decides", "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2099-03-21T17:00:00Z",
               "method": {"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": false},
               "rule": "equal-shares-completed",
               "areas": [{"key": "central", "name": "Central", "budget": 100000, "postcodes": ["DN20"]}],
               "eligibility": {"min_age": 16, "mode": "self-declared"}, "languages": ["en", "ur"]}),
    );
    let rid = r.json["id"].as_str().unwrap().to_string();
    for (k, cost, title) in [
        ("a", 60000, "Park benches"),
        ("b", 50000, "Youth club"),
        ("c", 30000, "Bulb planting"),
    ] {
        let r = s.post(
            &format!("/api/v1/rounds/{rid}/projects"),
            Some(&admin),
            json!({"key": k, "area": "central", "title": title, "cost": cost}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let api = |path: &str| format!("/api/v1/rounds/{rid}/{path}");
    assert_eq!(s.post(&api("open"), Some(&admin), json!({})).status, 200);
    for i in 0..12 {
        let projects: &[&str] = match i % 3 {
            0 => &["a", "c"],
            1 => &["a", "b"],
            _ => &["b", "c"],
        };
        let r = s.post(
            &api("ballots"),
            None,
            ballot(&format!("Voter {i}"), "DN20 8AA", projects),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    for (band, n) in [("25-34", 6), ("65-74", 2)] {
        for _ in 0..n {
            let r = s.post(
                &api("monitoring"),
                None,
                json!({"age_band": band, "influence": "tend-to-agree"}),
            );
            assert_eq!(r.status, 204, "{}", r.text);
        }
    }

    // The partnership's baseline: percentages, checked.
    let baseline = format!("/api/v1/partnerships/{pid}/monitoring-baseline");
    for bad in [
        json!({"height": {"tall": 10}}),
        json!({"age_band": {"25-34": 101}}),
        json!({"age_band": {"25-34": 12.34}}),
        json!({"age_band": {"25-34": 60, "35-44": 50}}),
        json!({"age_band": {"old": 10}}),
    ] {
        s.request(
            youdecide_tests::Req::new("PUT", &baseline)
                .token(Some(&admin))
                .json(bad.clone()),
        )
        .assert_error(422, "invalid_baseline");
    }
    let put = s.request(
        youdecide_tests::Req::new("PUT", &baseline)
            .token(Some(&admin))
            .json(json!({"age_band": {"25-34": 14.5, "65-74": 9}})),
    );
    assert_eq!(put.status, 204, "{}", put.text);
    assert_eq!(
        s.get(&baseline, Some(&admin)).json["age_band"]["25-34"],
        14.5
    );
    assert_eq!(s.post(&api("close"), Some(&admin), json!({})).status, 200);

    // The officer counts and publishes in the browser.
    let b = Browser::start();
    b.goto(&format!("{}/login", s.url));
    b.type_into("#email", "root@example.org");
    b.type_into("#password", "admin-password-123");
    b.click("button[type=submit]");
    b.wait_for_url("/officer");
    b.goto(&format!("{}/officer/rounds/{rid}", s.url));
    b.click(&format!("a[href='/officer/rounds/{rid}/result']"));
    b.wait_for_url("/result");
    assert!(axe::violations(&b).is_empty(), "{:?}", axe::violations(&b));
    b.click("#count");
    assert!(b.wait_until("document.querySelector('#publish') !== null"));
    assert!(b.text("#ballot-totals").contains("12 ballots counted"));
    assert!(b.text("main").contains("No one voted more than once."));
    assert!(axe::violations(&b).is_empty(), "{:?}", axe::violations(&b));
    b.click("#publish");
    assert!(b.wait_until("document.querySelector('.govuk-panel--confirmation') !== null"));
    let result = s.get(&api("results"), None);
    assert_eq!(result.json["status"], "published");
    let funded: Vec<&str> = result.json["areas"][0]["selected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(!funded.is_empty());

    // The public page: chart and table, turnout, reach against the baseline, open data.
    b.goto(&format!("{}/rounds/{rid}", s.url));
    b.click(&format!("a[href^='/rounds/{rid}/results']"));
    b.wait_for_url("/results?lang=en");
    assert_eq!(b.text("h1"), "Results");
    let main = b.text("main");
    assert!(
        main.contains("Park benches") && main.contains("Funded"),
        "{main}"
    );
    assert!(main.contains("12 votes were counted"), "{main}");
    assert!(
        main.contains("14.5%") && main.contains("fewer than 5"),
        "{main}"
    );
    assert_eq!(
        b.execute("return document.querySelectorAll('figure.yd-chart svg[role=img] rect').length;"),
        json!(3)
    );
    assert!(b
        .source()
        .contains(&format!("/api/v1/rounds/{rid}/results/pabulib/central.pb")));
    assert!(axe::violations(&b).is_empty(), "{:?}", axe::violations(&b));
    b.goto(&format!("{}/rounds/{rid}/results?lang=ur", s.url));
    assert_eq!(
        b.execute("return document.documentElement.dir;"),
        json!("rtl")
    );
    assert_eq!(b.text("h1"), "نتائج");
    assert!(axe::violations(&b).is_empty(), "{:?}", axe::violations(&b));

    // The poster, for notice boards.
    for size in ["a4", "a3"] {
        let agent = ureq::AgentBuilder::new().build();
        let resp = agent
            .get(&format!(
                "{}/rounds/{rid}/results/poster.pdf?size={size}",
                s.url
            ))
            .call()
            .unwrap();
        let mut pdf = Vec::new();
        std::io::Read::read_to_end(&mut resp.into_reader(), &mut pdf).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("poster.pdf");
        std::fs::write(&path, &pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .args([path.to_str().unwrap(), "-"])
            .output()
            .expect("pdftotext (poppler-utils) is installed");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("You said, we did") && text.contains("Brigg Decides"),
            "{text}"
        );
        assert!(text.contains("12 people voted"), "{text}");
    }
    s.get(&format!("/rounds/{rid}/results/poster.pdf?size=b5"), None)
        .assert_error(422, "invalid_size");
}
