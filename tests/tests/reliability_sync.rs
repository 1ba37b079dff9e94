//! Reliability of kiosk sync, on SQLite and on PostgreSQL, with real kiosks and a real server:
//!
//! - a faulty network: kiosks sync through a proxy that drops connections mid-request and
//!   mid-response, delays, and sends requests twice; afterwards the server holds exactly the
//!   kiosks' ballots, once each, and never answered with a server error;
//! - a server crash under sync load: kiosks holding ballots cast offline sync at once, the
//!   server is killed (SIGKILL) part-way and restarted; no ballot is lost or doubled.
//!
//! Ballots use voting codes, so casting costs no voter-key derivation.

use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use youdecide_tests::faulty_proxy::{FaultyProxy, Rates, XorShift};
use youdecide_tests::kiosk::{new_kiosk, Setup, TestKiosk};
use youdecide_tests::reliability::{report, size};
use youdecide_tests::{bin, on_both_backends, Backend, TestServer};

on_both_backends!(faulty_network, server_crash_under_sync_load);

/// An open round with voting codes, and the codes issued for it.
fn code_round(backend: Backend, codes_needed: usize) -> (Setup, Vec<String>) {
    let s = TestServer::start(backend);
    let admin = s.admin_token("root@example.org");
    let p = s.post(
        "/api/v1/partnerships",
        Some(&admin),
        json!({"name": "Ashby"}),
    );
    let pid = p.json["id"].as_str().unwrap().to_string();
    let rid = new_round(&s, &admin, &pid, "Ashby Decides");
    let mut codes = Vec::new();
    while codes.len() < codes_needed {
        let n = (codes_needed - codes.len()).min(10_000);
        let issued = s.post(
            &format!("/api/v1/rounds/{rid}/codes"),
            Some(&admin),
            json!({ "count": n }),
        );
        assert_eq!(issued.status, 201, "{}", issued.text);
        codes.extend(
            issued.json["codes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string()),
        );
    }
    open_round(&s, &admin, &rid);
    (Setup { s, admin, pid, rid }, codes)
}

/// Creates a draft round with voting codes and two projects; returns its id.
fn new_round(s: &TestServer, admin: &str, pid: &str, title: &str) -> String {
    let r = s.post(
        &format!("/api/v1/partnerships/{pid}/rounds"),
        Some(admin),
        json!({"title": title, "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2099-03-21T17:00:00Z",
               "method": {"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": true},
               "rule": "greedy",
               "areas": [{"key": "central", "name": "Central", "budget": 1000, "postcodes": ["DN15"]}],
               "eligibility": {"min_age": 16, "mode": "code"}, "languages": ["en"]}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let rid = r.json["id"].as_str().unwrap().to_string();
    for (k, c) in [("a", 400), ("b", 500)] {
        let p = s.post(
            &format!("/api/v1/rounds/{rid}/projects"),
            Some(admin),
            json!({"key": k, "area": "central", "title": format!("Project {k}"), "cost": c}),
        );
        assert_eq!(p.status, 201, "{}", p.text);
    }
    rid
}

fn open_round(s: &TestServer, admin: &str, rid: &str) {
    let o = s.post(
        &format!("/api/v1/rounds/{rid}/open"),
        Some(admin),
        json!({}),
    );
    assert_eq!(o.status, 200, "{}", o.text);
}

/// A kiosk enrolled with the server at `server_url`, with the ids of the ballots it took.
struct Booth {
    kiosk: TestKiosk,
    id: String,
    ballots: Vec<String>,
    answers: i64,
}

fn enrol(setup: &Setup, server_url: &str, name: &str) -> Booth {
    let code = new_kiosk(setup, name);
    let kiosk = TestKiosk::new();
    let enrolled = kiosk.enroll(server_url, &code);
    assert_eq!(enrolled["rounds"], 1, "the kiosk took a copy of the round");
    Booth {
        kiosk,
        id: enrolled["kiosk_id"].as_str().unwrap().to_string(),
        ballots: Vec::new(),
        answers: 0,
    }
}

impl Booth {
    /// Casts a ballot with a voting code through the running kiosk.
    fn cast(&mut self, rid: &str, code: &str) {
        let body = json!({"round": rid,
            "eligibility": {"code": code, "postcode": "DN15 6AB", "age_confirmed": true},
            "choices": [{"project": "a"}], "language": "en"});
        let (status, reply) = self.kiosk.cast(&body);
        assert_eq!(status, 201, "the kiosk took the ballot: {reply}");
        self.ballots.push(reply["id"].as_str().unwrap().to_string());
    }

    /// Gives equality monitoring answers at the running kiosk.
    fn answer(&mut self, rid: &str) {
        let (status, reply) = self.kiosk.post(
            "/api/monitoring",
            &json!({"round": rid, "age_band": "35-44"}),
            &[],
        );
        assert_eq!(status, 204, "the kiosk took the answers: {reply}");
        self.answers += 1;
    }

    /// Runs `youdecide-kiosk sync` once; whether the server now holds every ballot.
    fn sync(&self) -> bool {
        self.kiosk.cli(&["sync"]).status.success()
    }

    /// Starts `youdecide-kiosk sync` without waiting for it.
    fn spawn_sync(&self) -> Child {
        Command::new(bin("youdecide-kiosk"))
            .args([
                "sync",
                "--data-dir",
                &self.kiosk.dir.path().display().to_string(),
            ])
            .env_remove("YOUDECIDE_DATA_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run youdecide-kiosk sync")
    }

    /// Syncs until the server holds every ballot (at most `tries` passes).
    fn sync_fully(&self, tries: usize) {
        for _ in 0..tries {
            if self.sync() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let out = self.kiosk.cli(&["sync"]);
        assert!(
            out.status.success(),
            "kiosk {} never finished syncing: {}",
            self.id,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Checks that the server holds exactly each kiosk's ballots, once each and all accepted, and
/// that each kiosk knows they are held.
fn assert_exact(setup: &Setup, booths: &[Booth]) {
    let s = &setup.s;
    let listed = s.get(
        &format!("/api/v1/partnerships/{}/kiosks", setup.pid),
        Some(&setup.admin),
    );
    assert_eq!(listed.status, 200, "{}", listed.text);
    let mut total = 0;
    for b in booths {
        let n = b.ballots.len() as i64;
        total += n;
        let status = b.kiosk.status();
        assert_eq!(status["ballots_total"], json!(n), "kiosk {}", b.id);
        assert_eq!(status["ballots_unsynced"], json!(0), "kiosk {}", b.id);
        assert_eq!(status["chain_ok"], json!(true), "kiosk {}", b.id);
        let held = s.sql_count(&format!(
            "SELECT COUNT(*) AS n FROM ballots WHERE kiosk_id = '{}'",
            b.id
        ));
        assert_eq!(
            held, n,
            "the server holds kiosk {}'s ballots once each",
            b.id
        );
        for part in b.ballots.chunks(500) {
            let ids: Vec<String> = part.iter().map(|id| format!("'{id}'")).collect();
            let found = s.sql_count(&format!(
                "SELECT COUNT(*) AS n FROM ballots WHERE kiosk_id = '{}' AND id IN ({})",
                b.id,
                ids.join(",")
            ));
            assert_eq!(
                found,
                part.len() as i64,
                "every ballot kiosk {} took is on the server",
                b.id
            );
        }
        let chain = s.sql_count(&format!(
            "SELECT COUNT(*) AS n FROM kiosk_chain WHERE kiosk_id = '{}'",
            b.id
        ));
        assert_eq!(chain, n, "kiosk {}'s chain on the server", b.id);
        let head = s.sql_count(&format!(
            "SELECT head_seq AS n FROM kiosks WHERE id = '{}'",
            b.id
        ));
        assert_eq!(head, n, "kiosk {}'s head on the server", b.id);
        let api: &Value = listed
            .json
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["id"] == json!(b.id))
            .expect("the kiosk is listed");
        assert_eq!(
            api["ballots_received"],
            json!(n),
            "ballots received from kiosk {}, as the API reports them",
            b.id
        );
    }
    assert_eq!(
        s.sql_count("SELECT COUNT(*) AS n FROM ballots"),
        total,
        "the server holds no other ballots"
    );
    assert_eq!(
        s.sql_count("SELECT COUNT(DISTINCT person) AS n FROM ballots"),
        total,
        "each voting code was used once"
    );
    assert_eq!(
        s.sql_count("SELECT COUNT(*) AS n FROM ballots WHERE reason IS NOT NULL"),
        0,
        "no ballot was rejected"
    );
}

fn seed() -> u64 {
    std::env::var("YOUDECIDE_RELIABILITY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_2026)
}

/// Kiosks cast ballots and sync through a proxy that drops, delays and duplicates requests;
/// once the network is clean again one last sync leaves the server holding exactly the
/// kiosks' ballots (and monitoring answers), and the server never answered with a 5xx.
fn faulty_network(backend: Backend) {
    let kiosks = size(3, 8);
    let syncs_each = size(50, 1000).div_ceil(kiosks);
    let per_sync = 2;
    let (setup, codes) = code_round(backend, kiosks * syncs_each * per_sync);
    let proxy = FaultyProxy::start(&setup.s.url, seed());
    let mut booths: Vec<Booth> = (0..kiosks)
        .map(|i| enrol(&setup, &proxy.url, &format!("Booth {i}")))
        .collect();
    for b in &mut booths {
        b.kiosk.start();
    }
    proxy.set_rates(Rates {
        drop_request: 10,
        drop_response: 10,
        delay: 10,
        duplicate: 10,
    });
    let started = Instant::now();
    let rid = setup.rid.as_str();
    let more_rounds = size(6, 40);
    let mut opened = 1;
    let outcomes: Vec<(usize, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = booths
            .iter_mut()
            .zip(codes.chunks(syncs_each * per_sync))
            .map(|(b, codes)| {
                scope.spawn(move || {
                    let mut ok = 0;
                    for round in codes.chunks(per_sync) {
                        for code in round {
                            b.cast(rid, code);
                        }
                        b.answer(rid);
                        ok += usize::from(b.sync());
                    }
                    (ok, codes.len() / per_sync)
                })
            })
            .collect();
        // Meanwhile the partnership opens more rounds, so the kiosks' copies change.
        while opened < more_rounds && !handles.iter().all(|h| h.is_finished()) {
            std::thread::sleep(Duration::from_millis(size(150, 1500) as u64));
            let rid = new_round(
                &setup.s,
                &setup.admin,
                &setup.pid,
                &format!("Round {opened}"),
            );
            open_round(&setup.s, &setup.admin, &rid);
            opened += 1;
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let syncs: usize = outcomes.iter().map(|o| o.1).sum();
    let succeeded: usize = outcomes.iter().map(|o| o.0).sum();
    let faulty = proxy.counts();
    proxy.set_rates(Rates::NONE);
    for b in &booths {
        b.sync_fully(5);
    }
    for b in &mut booths {
        assert_eq!(
            b.kiosk.status()["rounds"],
            json!(opened),
            "kiosk {} holds every open round",
            b.id
        );
        b.kiosk.kill9();
    }
    assert_exact(&setup, &booths);
    let answers: i64 = booths.iter().map(|b| b.answers).sum();
    assert_eq!(
        setup.s.sql_count("SELECT COUNT(*) AS n FROM monitoring"),
        answers,
        "the server holds each set of monitoring answers once"
    );
    let errors = proxy.server_errors();
    assert!(
        errors.is_empty(),
        "the server answered with server errors: {errors:#?}\nserver log:\n{}",
        setup.s.log()
    );
    assert!(
        faulty.dropped_requests > 0
            && faulty.dropped_responses > 0
            && faulty.delayed > 0
            && faulty.duplicated > 0,
        "every kind of fault was injected: {faulty}"
    );
    assert!(
        succeeded < syncs,
        "some syncs failed under faults ({succeeded} of {syncs} succeeded)"
    );
    let forwarded = proxy.answers();
    let total: usize = booths.iter().map(|b| b.ballots.len()).sum();
    report(
        &format!("faulty network ({backend:?})"),
        &format!(
            "{kiosks} kiosks, {total} ballots and {answers} monitoring answers, {syncs} syncs \
             under faults ({succeeded} completed, the rest failed and were retried) while {} \
             more rounds opened; faults: {faulty}; {} server answers, 0 server errors; server \
             holds {total} ballots, 0 lost, 0 doubled; {:.1} s",
            opened - 1,
            forwarded.len(),
            started.elapsed().as_secs_f64()
        ),
    );
}

/// Kiosks holding ballots cast while the server was down sync at once; the server is killed
/// with SIGKILL part-way through and restarted; the kiosks finish; nothing is lost or doubled.
fn server_crash_under_sync_load(backend: Backend) {
    let kiosks = size(4, 20);
    let rounds = size(2, 5);
    let per_round = size(15, 25);
    let (mut setup, codes) = code_round(backend, kiosks * rounds * per_round);
    let mut booths: Vec<Booth> = (0..kiosks)
        .map(|i| enrol(&setup, &setup.s.url, &format!("Booth {i}")))
        .collect();
    let mut rng = XorShift::new(seed());
    let mut codes = codes.iter();
    let mut mid_sync_kills = 0;
    let mut held_at_kill = Vec::new();
    let started = Instant::now();
    for _ in 0..rounds {
        // The server is down while the kiosks take ballots.
        setup.s.kill();
        for b in &mut booths {
            b.kiosk.start();
            for _ in 0..per_round {
                b.cast(&setup.rid, codes.next().unwrap());
            }
            b.kiosk.kill9();
        }
        setup.s.restart();
        let held_before = setup.s.sql_count("SELECT COUNT(*) AS n FROM ballots");
        let waiting = (kiosks * per_round) as i64;
        let threshold = held_before + 1 + rng.below(waiting as u64 / 2) as i64;
        let mut children: Vec<Child> = booths.iter().map(Booth::spawn_sync).collect();
        let deadline = Instant::now() + Duration::from_secs(60);
        let held = loop {
            let held = setup.s.sql_count("SELECT COUNT(*) AS n FROM ballots");
            let all_done = children
                .iter_mut()
                .all(|c| c.try_wait().ok().flatten().is_some());
            if held >= threshold || all_done || Instant::now() > deadline {
                break held;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        setup.s.kill();
        for c in &mut children {
            let _ = c.wait();
        }
        if held < held_before + waiting {
            mid_sync_kills += 1;
        }
        held_at_kill.push(format!("{}/{}", held - held_before, waiting));
        setup.s.restart();
        std::thread::scope(|scope| {
            for b in &booths {
                scope.spawn(move || b.sync_fully(10));
            }
        });
        assert_exact(&setup, &booths);
    }
    assert!(
        mid_sync_kills > 0,
        "at least one kill landed while ballots were still arriving ({held_at_kill:?})"
    );
    let total: usize = booths.iter().map(|b| b.ballots.len()).sum();
    report(
        &format!("server crash under sync load ({backend:?})"),
        &format!(
            "{kiosks} kiosks, {total} ballots, {rounds} SIGKILLs during concurrent sync \
             ({mid_sync_kills} with ballots still arriving; new ballots held at each kill: {}), \
             plus {rounds} while the kiosks voted offline; 0 lost, 0 doubled; {:.1} s",
            held_at_kill.join(", "),
            started.elapsed().as_secs_f64()
        ),
    );
}
