//! The kiosk crash loop: a driver casts ballots through the real kiosk's local API while the
//! kiosk is stopped at random moments, by SIGKILL or by a power cut ([`crate::powercut`]), and
//! restarted on the same store each time. After every stop the store (a copy of it) must open,
//! pass SQLite's integrity check and hold every confirmed ballot in an unbroken hash chain; at
//! the end, after a sync, the server must hold every ballot exactly once.

use crate::bin;
use crate::kiosk::{ballot, new_kiosk, Setup, TestKiosk};
use crate::powercut::{snapshot, CutFigures, PowerCut, Rng};
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
use serde_json::Value;
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use youdecide_shared::sync::{verify_log, KioskBallot};

/// How the kiosk is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// SIGKILL: the process dies, the kernel keeps every write it made.
    Kill,
    /// SIGKILL, then every write not yet synced is lost (or, in a torn cut, some of it).
    PowerCut,
}

/// The size of a run.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Residents who vote (each once).
    pub ballots: usize,
    /// Stops the run must at least make while ballots are being cast.
    pub faults: usize,
    /// How the kiosk is stopped.
    pub fault: Fault,
}

/// What a run did and found.
#[derive(Debug, Default, Clone)]
pub struct Figures {
    /// The random seed (`YOUDECIDE_RELIABILITY_SEED` repeats the run).
    pub seed: u64,
    /// Ballot requests sent (retries included).
    pub requests: usize,
    /// Ballots confirmed with 201.
    pub confirmed: usize,
    /// Requests cut off by a stop (no answer).
    pub interrupted: usize,
    /// Of those, the ones the kiosk had stored anyway (the retry was refused as already voted).
    pub stored_unconfirmed: usize,
    /// Stops while ballots were being cast.
    pub faults: usize,
    /// Stops that cut a ballot request off mid-way.
    pub mid_request: usize,
    /// Power cuts that kept part of the unsynced writes.
    pub torn_cuts: usize,
    /// Unsynced 4 KiB blocks the power cuts threw away.
    pub blocks_lost: usize,
    /// Unsynced blocks the torn cuts kept.
    pub blocks_kept: usize,
    /// Ballots the kiosk holds at the end.
    pub kiosk_ballots: usize,
    /// Ballots the server holds from the kiosk at the end.
    pub server_ballots: usize,
    /// Ballots on the server beyond one per resident.
    pub duplicates: usize,
}

impl Figures {
    /// The figure line for [`crate::reliability::report`].
    pub fn line(&self, plan: &Plan) -> String {
        let mut s = format!(
            "{} residents, {} ballot requests, {} confirmed (201), {} {}, {} of them mid-request, \
             {} requests cut off ({} stored before the stop and refused as already voted on retry), \
             {} ballots in the kiosk, {} on the server, {} duplicates, seed {}",
            plan.ballots,
            self.requests,
            self.confirmed,
            self.faults,
            match plan.fault {
                Fault::Kill => "kill -9s",
                Fault::PowerCut => "power cuts",
            },
            self.mid_request,
            self.interrupted,
            self.stored_unconfirmed,
            self.kiosk_ballots,
            self.server_ballots,
            self.duplicates,
            self.seed,
        );
        if plan.fault == Fault::PowerCut {
            s.push_str(&format!(
                ", {} torn cuts, {} unsynced 4 KiB blocks of the store and its log lost and {} kept",
                self.torn_cuts, self.blocks_lost, self.blocks_kept
            ));
        }
        s
    }
}

/// The kiosk's address from its `listening on` line; keeps draining its output.
fn read_listening(child: &mut Child) -> Option<String> {
    let mut lines = BufReader::new(child.stdout.take()?).lines();
    let url = lines.by_ref().map_while(Result::ok).find_map(|l| {
        l.strip_prefix("youdecide-kiosk listening on ")
            .map(|u| u.trim().to_string())
    });
    std::thread::spawn(move || for _ in lines {});
    url
}

/// A `youdecide-kiosk run` on a data directory, with extra environment.
struct Running {
    child: Child,
    url: String,
}

fn start(dir: &Path, env: &[(String, String)]) -> Running {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("kiosk.log"))
        .expect("log");
    let mut child = Command::new(bin("youdecide-kiosk"))
        .args(["run", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env_remove("YOUDECIDE_BIND")
        .env_remove("YOUDECIDE_DATA_DIR")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("spawn youdecide-kiosk");
    let Some(url) = read_listening(&mut child) else {
        let _ = child.kill();
        let _ = child.wait();
        let log = std::fs::read_to_string(dir.join("kiosk.log")).unwrap_or_default();
        panic!("the kiosk did not start on its store: {log}");
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while ureq::get(&format!("{url}/api/status")).call().is_err() {
        assert!(Instant::now() < deadline, "the kiosk never answered");
        std::thread::sleep(Duration::from_millis(20));
    }
    Running { child, url }
}

impl Running {
    fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What became of one resident.
#[derive(Debug)]
enum Outcome {
    /// 201: the ballot's id and tracking code.
    Confirmed(String, String),
    /// Refused as already voted on a retry after a cut-off request.
    StoredEarlier,
}

/// What one driver run did before the kiosk stopped or the residents ran out.
#[derive(Debug, Default)]
struct Drive {
    outcomes: Vec<(usize, Outcome)>,
    requests: usize,
    /// The resident whose request got no answer, and whether it had reached the kiosk.
    cut_off: Option<(usize, bool)>,
    /// Anything the kiosk should never have answered.
    unexpected: Vec<String>,
}

fn resident(i: usize) -> String {
    format!("Resident {i}")
}

/// Casts residents `from..total` in order until a request gets no answer; `retrying` says
/// that resident `from` was cut off before, so "already voted" is a possible answer for it.
fn drive(
    url: String,
    rid: String,
    from: usize,
    total: usize,
    retrying: bool,
    progress: Arc<AtomicUsize>,
    latency_us: Arc<AtomicU64>,
) -> Drive {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build();
    let mut d = Drive::default();
    for i in from..total {
        d.requests += 1;
        let t0 = Instant::now();
        let answer = agent
            .post(&format!("{url}/api/ballots"))
            .send_json(ballot(&rid, &resident(i)));
        let (status, body): (u16, Value) = match answer {
            Ok(r) => (r.status(), r.into_json().unwrap_or(Value::Null)),
            Err(ureq::Error::Status(s, r)) => (s, r.into_json().unwrap_or(Value::Null)),
            Err(ureq::Error::Transport(t)) => {
                let reached = t.kind() != ureq::ErrorKind::ConnectionFailed;
                d.cut_off = Some((i, reached));
                return d;
            }
        };
        latency_us.store(t0.elapsed().as_micros() as u64, Ordering::Relaxed);
        match (status, body["error"]["code"].as_str()) {
            (201, _) => {
                let id = body["id"].as_str().unwrap_or_default().to_string();
                let code = body["tracking_code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                d.outcomes.push((i, Outcome::Confirmed(id, code)));
            }
            (409, Some("already_voted")) if retrying && i == from => {
                d.outcomes.push((i, Outcome::StoredEarlier));
            }
            _ => d
                .unexpected
                .push(format!("{}: {status} {body}", resident(i))),
        }
        progress.fetch_add(1, Ordering::Relaxed);
    }
    d
}

/// Runs the loop on a fresh kiosk enrolled with `setup`'s server; panics on any failed check.
pub fn run(setup: &Setup, plan: Plan) -> Figures {
    let mut rng = Rng::from_env_or_clock();
    let mut figures = Figures {
        seed: rng.seed,
        ..Figures::default()
    };
    println!("crash loop {plan:?}: seed {}", rng.seed);
    let code = new_kiosk(setup, "Crash loop tablet");
    let kiosk = TestKiosk::new();
    kiosk.enroll(&setup.s.url, &code);
    let dir = kiosk.dir.path().to_path_buf();
    let power = (plan.fault == Fault::PowerCut).then(|| PowerCut::new(&dir));
    let env = power.as_ref().map(PowerCut::env).unwrap_or_default();

    // Enough stops on average to reach at least `plan.faults` before the residents run out.
    let per_cycle = (plan.ballots / (plan.faults + plan.faults / 2 + 2)).max(1) as u64;
    let latency_us = Arc::new(AtomicU64::new(200_000));
    let mut confirmed: Vec<(String, String)> = Vec::new();
    let mut next = 0usize;
    let mut retrying = false;
    while next < plan.ballots {
        let running = start(&dir, &env);
        let progress = Arc::new(AtomicUsize::new(0));
        let driver: JoinHandle<Drive> = {
            let (url, rid) = (running.url.clone(), setup.rid.clone());
            let (progress, latency) = (progress.clone(), latency_us.clone());
            let total = plan.ballots;
            std::thread::spawn(move || drive(url, rid, next, total, retrying, progress, latency))
        };
        // Stop after a random number of ballots, never so many that the stops wanted cannot
        // all fit in the residents left.
        let left = (plan.ballots - next) as u64;
        let stops_left = plan.faults.saturating_sub(figures.faults) as u64;
        let most = match stops_left {
            0 => 2 * per_cycle,
            n => (2 * per_cycle).min(left / (n + 1)),
        };
        let wait_for = rng.below(most + 1) as usize;
        while !driver.is_finished() && progress.load(Ordering::Relaxed) < wait_for {
            std::thread::sleep(Duration::from_millis(1));
        }
        let during = !driver.is_finished();
        if during {
            // Anywhere in the next request, or (half the time) near its end, where the ballot
            // may be stored but not yet confirmed.
            let latency = latency_us.load(Ordering::Relaxed).min(300_000);
            let pause = if rng.coin() {
                rng.below(latency * 5 / 4 + 1)
            } else {
                latency * 3 / 4 + rng.below(latency / 2 + 1)
            };
            std::thread::sleep(Duration::from_micros(pause));
            figures.faults += 1;
        }
        running.kill9();
        let d = driver.join().expect("driver thread");
        assert!(
            d.unexpected.is_empty(),
            "unexpected answers: {:?}",
            d.unexpected
        );
        figures.requests += d.requests;
        for (i, outcome) in d.outcomes {
            match outcome {
                Outcome::Confirmed(id, code) => {
                    figures.confirmed += 1;
                    confirmed.push((id, code));
                }
                Outcome::StoredEarlier => figures.stored_unconfirmed += 1,
            }
            next = i + 1;
        }
        retrying = false;
        if let Some((i, reached)) = d.cut_off {
            assert_eq!(i, next, "the driver goes in order");
            if reached {
                figures.mid_request += 1;
                figures.interrupted += 1;
                retrying = true;
            }
        }
        if let Some(power) = &power {
            let torn = rng.coin();
            let cut: CutFigures = power.cut(&mut rng, torn);
            figures.torn_cuts += usize::from(cut.torn);
            figures.blocks_lost += cut.blocks_lost;
            figures.blocks_kept += cut.blocks_kept;
        }
        check_store(&dir, &confirmed);
    }
    assert!(
        figures.faults >= plan.faults,
        "only {} stops during casting, {} wanted (seed {})",
        figures.faults,
        plan.faults,
        figures.seed
    );

    if let Some(power) = &power {
        assert!(
            power.image.path().join("kiosk.db-wal").exists(),
            "the preload library kept images of the synced write-ahead log"
        );
    }

    // Every resident voted exactly once at the kiosk: confirmed, or stored before a stop.
    let held = check_store(&dir, &confirmed);
    assert_eq!(
        held, plan.ballots,
        "the kiosk holds one ballot per resident"
    );
    assert_eq!(figures.confirmed + figures.stored_unconfirmed, plan.ballots);
    figures.kiosk_ballots = held;

    // One sync delivers everything; the server holds each ballot once, in the same chain.
    let out = kiosk.cli(&["sync"]);
    assert!(
        out.status.success(),
        "sync: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let st = kiosk.status();
    assert_eq!(st["chain_ok"], true, "{st}");
    assert_eq!(
        st["ballots_total"].as_u64(),
        Some(plan.ballots as u64),
        "{st}"
    );
    assert_eq!(st["ballots_unsynced"].as_u64(), Some(0), "{st}");
    let kid = st["kiosk_id"].as_str().expect("kiosk id").to_string();
    let records = records(&dir);
    verify_log(&records).expect("the kiosk's log verifies with the shared chain rules");
    check_server(setup, &kid, &confirmed, &records, &mut figures);
    figures
}

/// Opens a copy of the store (as the kiosk would after the stop) and checks it; returns the
/// number of ballots it holds.
fn check_store(dir: &Path, confirmed: &[(String, String)]) -> usize {
    let copy = snapshot(dir);
    let out = Command::new(bin("youdecide-kiosk"))
        .args(["status", "--data-dir"])
        .arg(copy.path())
        .env_remove("YOUDECIDE_DATA_DIR")
        .stdin(Stdio::null())
        .output()
        .expect("run youdecide-kiosk status");
    assert!(
        out.status.success(),
        "the store does not open after the stop: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let st: Value = serde_json::from_slice(&out.stdout).expect("status prints JSON");
    assert_eq!(st["chain_ok"], true, "the hash chain is broken: {st}");

    #[derive(QueryableByName)]
    struct Text {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let db = copy.path().join("kiosk.db");
    let mut c = SqliteConnection::establish(db.to_str().expect("path")).expect("open the store");
    let check: Vec<Text> =
        diesel::sql_query("SELECT integrity_check AS t FROM pragma_integrity_check")
            .load(&mut c)
            .expect("integrity check");
    let lines: Vec<&str> = check.iter().map(|l| l.t.as_str()).collect();
    assert_eq!(lines, ["ok"], "SQLite's integrity check");
    let ids: Vec<Text> = diesel::sql_query("SELECT id AS t FROM ballots")
        .load(&mut c)
        .expect("ballot ids");
    let people: Vec<Text> = diesel::sql_query("SELECT person AS t FROM ballots")
        .load(&mut c)
        .expect("ballot people");
    let ids: HashSet<String> = ids.into_iter().map(|t| t.t).collect();
    let lost: Vec<&String> = confirmed
        .iter()
        .map(|(id, _)| id)
        .filter(|id| !ids.contains(*id))
        .collect();
    assert!(lost.is_empty(), "confirmed ballots lost: {lost:?}");
    let distinct: HashSet<&String> = people.iter().map(|t| &t.t).collect();
    assert_eq!(distinct.len(), people.len(), "a resident stored twice");
    assert_eq!(st["ballots_total"].as_u64(), Some(ids.len() as u64));
    ids.len()
}

/// Every record in the kiosk's log, in order.
fn records(dir: &Path) -> Vec<KioskBallot> {
    #[derive(QueryableByName)]
    struct Record {
        #[diesel(sql_type = diesel::sql_types::Text)]
        record: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        hash: String,
    }
    let copy = snapshot(dir);
    let db = copy.path().join("kiosk.db");
    let mut c = SqliteConnection::establish(db.to_str().expect("path")).expect("open the store");
    let rows: Vec<Record> = diesel::sql_query("SELECT record, hash FROM ballots ORDER BY seq")
        .load(&mut c)
        .expect("records");
    rows.into_iter()
        .map(|r| {
            let b: KioskBallot = serde_json::from_str(&r.record).expect("a stored record");
            assert_eq!(b.hash(), r.hash, "record {} matches its stored hash", b.seq);
            b
        })
        .collect()
}

fn quoted(items: impl Iterator<Item = String>) -> String {
    items
        .map(|s| format!("'{}'", s.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(",")
}

/// The server holds every ballot of the kiosk's log once, every confirmed one with its
/// tracking code, and the same chain.
fn check_server(
    setup: &Setup,
    kid: &str,
    confirmed: &[(String, String)],
    records: &[KioskBallot],
    figures: &mut Figures,
) {
    let s = &setup.s;
    let n = records.len() as i64;
    let held = s.sql_count(&format!(
        "SELECT COUNT(*) AS n FROM ballots WHERE kiosk_id = '{kid}'"
    ));
    let people = s.sql_count(&format!(
        "SELECT COUNT(DISTINCT person) AS n FROM ballots WHERE round_id = '{}'",
        setup.rid
    ));
    let in_round = s.sql_count(&format!(
        "SELECT COUNT(*) AS n FROM ballots WHERE round_id = '{}'",
        setup.rid
    ));
    figures.server_ballots = held as usize;
    figures.duplicates = (in_round - people) as usize;
    assert_eq!(held, n, "the server holds every ballot of the kiosk's log");
    assert_eq!(in_round, people, "no resident counted twice");
    let received = s.sql_count(&format!(
        "SELECT COUNT(*) AS n FROM ballots WHERE kiosk_id = '{kid}' AND status = 'received'"
    ));
    assert_eq!(received, n, "every ballot received, none rejected");
    let with_codes = s.sql_count(&format!(
        "SELECT COUNT(*) AS n FROM ballots WHERE kiosk_id = '{kid}' AND id || ':' || tracking_code IN ({})",
        quoted(confirmed.iter().map(|(id, code)| format!("{id}:{code}")))
    ));
    assert_eq!(
        with_codes,
        confirmed.len() as i64,
        "every confirmed ballot is on the server with its tracking code"
    );
    let chain = s.sql_count(&format!(
        "SELECT COUNT(*) AS n FROM kiosk_chain WHERE kiosk_id = '{kid}' AND ballot_id || ':' || hash IN ({})",
        quoted(records.iter().map(|b| format!("{}:{}", b.id, b.hash())))
    ));
    assert_eq!(chain, n, "the server's chain is the kiosk's");
    let head = s.sql_count(&format!(
        "SELECT CAST(head_seq AS BIGINT) AS n FROM kiosks WHERE id = '{kid}'"
    ));
    assert_eq!(head, n, "the server's head is the kiosk's last record");
}
