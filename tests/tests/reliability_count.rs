//! Counting, under stress. Two server processes on one PostgreSQL database, fed kiosk batches
//! and online ballots through both, count exactly what one server fed the same ballots counts.
//! The order ballots arrive in never changes the result or its digest. And big generated
//! rounds, counted by the server, agree exactly with independent counts: the exported Pabulib
//! files re-counted and re-tallied by the CLI, and per-project totals summed in SQL straight
//! from the ballots table. Sizes: `YOUDECIDE_RELIABILITY_LONG=1` for the full runs.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};
use sha2::Digest;
use std::collections::{BTreeMap, HashMap};
use youdecide_shared::ballot::{normalise_name, Identity};
use youdecide_shared::sync::KioskBallot;
use youdecide_shared::voter_key;
use youdecide_tests::instances::{another_server, copy_db, sql_texts};
use youdecide_tests::reliability::{report, size};
use youdecide_tests::signed_kiosk::{KioskVote, SignedKiosk};
use youdecide_tests::{on_both_backends, run_server_cli, Backend, TestDb, TestServer};

on_both_backends!(arrival_order_changes_nothing, counts_agree_with_recounts);

/// A small deterministic random generator (splitmix64), so every run is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
    /// `k` distinct indices below `n`, sorted.
    fn pick(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        self.shuffle(&mut all);
        let mut out = all[..k.min(n)].to_vec();
        out.sort_unstable();
        out
    }
}

// ---------------------------------------------------------------------------------------------
// A small round, kiosks and residents (scenarios 5 and 6).

/// An area: key, a postcode in it, and its projects with their costs.
type Area = (&'static str, &'static str, &'static [(&'static str, i64)]);

/// The areas of the small round.
const AREAS: [Area; 2] = [
    (
        "central",
        "DN15 1AA",
        &[
            ("c1", 300),
            ("c2", 450),
            ("c3", 200),
            ("c4", 600),
            ("c5", 350),
        ],
    ),
    (
        "north",
        "DN16 1AA",
        &[("n1", 500), ("n2", 400), ("n3", 250)],
    ),
];

/// Creates a partnership and an open approval round; returns (partnership, round).
fn small_round(s: &TestServer, admin: &str, rule: &str) -> (String, String) {
    let p = s.post(
        "/api/v1/partnerships",
        Some(admin),
        json!({"name": "Ashby"}),
    );
    assert_eq!(p.status, 201, "{}", p.text);
    let pid = p.json["id"].as_str().unwrap().to_string();
    let r = s.post(
        &format!("/api/v1/partnerships/{pid}/rounds"),
        Some(admin),
        json!({"title": "Ashby Decides", "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2099-03-21T17:00:00Z",
               "method": {"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": false},
               "rule": rule,
               "areas": [{"key": "central", "name": "Central", "budget": 1200, "postcodes": ["DN15"]},
                         {"key": "north", "name": "North", "budget": 700, "postcodes": ["DN16"]}],
               "eligibility": {"min_age": 16, "mode": "self-declared"}, "languages": ["en"]}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let rid = r.json["id"].as_str().unwrap().to_string();
    for (area, _, projects) in AREAS {
        for (key, cost) in projects {
            let r = s.post(
                &format!("/api/v1/rounds/{rid}/projects"),
                Some(admin),
                json!({"key": key, "area": area, "title": format!("Project {key}"), "cost": cost}),
            );
            assert_eq!(r.status, 201, "{}", r.text);
        }
    }
    let open = s.post(
        &format!("/api/v1/rounds/{rid}/open"),
        Some(admin),
        json!({}),
    );
    assert_eq!(open.status, 200, "{}", open.text);
    (pid, rid)
}

/// A resident: who they say they are, their area, and their voter key for the round.
#[derive(Clone)]
struct Resident {
    name: String,
    area: usize,
    person: String,
}

/// One delivery to a server: a kiosk's records (sent as one signed batch) or an online ballot.
#[derive(Clone)]
enum Delivery {
    Kiosk(usize, Vec<KioskBallot>),
    Online(usize, Vec<String>),
}

/// The ballots of a scenario: residents, kiosk records in each kiosk's order, online ballots.
struct Plan {
    residents: Vec<Resident>,
    kiosks: Vec<SignedKiosk>,
    /// Per kiosk, its records in chain order.
    records: Vec<Vec<KioskBallot>>,
    /// (resident, projects) cast online.
    online: Vec<(usize, Vec<String>)>,
}

impl Plan {
    /// Residents vote at `kiosks` kiosks (`per_kiosk` ballots each, some the same resident at
    /// two kiosks at different times) and `online` online, some of them having voted at a
    /// kiosk too. Kiosk ballots are cast in the past, so each beats its voter's online one.
    fn new(
        s: &TestServer,
        admin: &str,
        pid: &str,
        rid: &str,
        (kiosks, per_kiosk, online): (usize, usize, usize),
        seed: u64,
    ) -> Plan {
        let mut rng = Rng(seed);
        let salt = &sql_texts(
            &s.db,
            &format!("SELECT voter_key_salt AS t FROM rounds WHERE id = '{rid}'"),
        )[0];
        let mut residents = Vec::new();
        // Residents who vote online get real voter keys (the server derives theirs from the
        // name); kiosk-only residents' keys are just distinct.
        for i in 0..online {
            let name = format!("Online Resident {i}");
            let person = voter_key::derive(
                &Identity::SelfDeclared {
                    name: normalise_name(&name),
                    date_of_birth: chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
                },
                salt,
            )
            .unwrap()
            .unwrap();
            residents.push(Resident {
                name,
                area: i % AREAS.len(),
                person,
            });
        }
        for i in 0..kiosks * per_kiosk {
            residents.push(Resident {
                name: format!("Kiosk Resident {i}"),
                area: rng.below(AREAS.len()),
                person: format!("v1:{:064x}", seed as u128 * 1_000_000 + i as u128),
            });
        }
        let choose = |rng: &mut Rng, area: usize| -> Vec<String> {
            let projects = AREAS[area].2;
            let k = 1 + rng.below(projects.len().min(3));
            rng.pick(projects.len(), k)
                .into_iter()
                .map(|p| projects[p].0.to_string())
                .collect()
        };
        let base = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
        let mut signed: Vec<SignedKiosk> = (0..kiosks)
            .map(|k| SignedKiosk::enroll(s, admin, pid, &format!("Kiosk {k}"), 10 + k as u8))
            .collect();
        let mut records = vec![Vec::new(); kiosks];
        for (k, kiosk) in signed.iter_mut().enumerate() {
            for j in 0..per_kiosk {
                // A fifth of kiosk ballots are people seen elsewhere: online voters or people
                // who voted at another kiosk.
                let who = if rng.chance(10) && online > 0 {
                    rng.below(online)
                } else if rng.chance(10) {
                    online + rng.below(kiosks * per_kiosk)
                } else {
                    online + k * per_kiosk + j
                };
                let r = &residents[who];
                let cast_at: DateTime<Utc> =
                    base + Duration::minutes((j * kiosks + k) as i64) + Duration::days(k as i64);
                let vote = KioskVote {
                    round: rid.into(),
                    area: AREAS[r.area].0.into(),
                    person: Some(r.person.clone()),
                    choices: choose(&mut rng, r.area)
                        .into_iter()
                        .map(|p| (p, 1))
                        .collect(),
                    cast_at,
                };
                records[k].push(kiosk.record(&vote));
            }
        }
        let online: Vec<(usize, Vec<String>)> = (0..online)
            .map(|i| (i, choose(&mut rng, residents[i].area)))
            .collect();
        Plan {
            residents,
            kiosks: signed,
            records,
            online,
        }
    }

    /// All deliveries in a random order that keeps each kiosk's records in chain order, its
    /// batches of random sizes; some batches are sent twice (a retry).
    fn shuffled(&self, rng: &mut Rng) -> Vec<Delivery> {
        let mut batches: Vec<Vec<Delivery>> = Vec::new();
        for (k, records) in self.records.iter().enumerate() {
            let mut mine = Vec::new();
            let mut at = 0;
            while at < records.len() {
                let n = 1 + rng.below(8);
                let part = records[at..(at + n).min(records.len())].to_vec();
                at += part.len();
                mine.push(Delivery::Kiosk(k, part.clone()));
                if rng.chance(15) {
                    mine.push(Delivery::Kiosk(k, part));
                }
            }
            batches.push(mine);
        }
        let mut tokens: Vec<Option<usize>> = Vec::new();
        for (k, b) in batches.iter().enumerate() {
            tokens.extend(vec![Some(k); b.len()]);
        }
        tokens.extend(vec![None; self.online.len()]);
        rng.shuffle(&mut tokens);
        let mut online = self.online.clone();
        rng.shuffle(&mut online);
        let mut next = vec![0; batches.len()];
        let mut out = Vec::new();
        for t in tokens {
            match t {
                Some(k) => {
                    out.push(batches[k][next[k]].clone());
                    next[k] += 1;
                }
                None => {
                    let (who, projects) = online.pop().unwrap();
                    out.push(Delivery::Online(who, projects));
                }
            }
        }
        out
    }

    /// What the count must give, worked out here: each person's earliest ballot counts (kiosk
    /// ballots, cast in the past, beat online ones); votes per project, and the counted set.
    fn expected(&self) -> (BTreeMap<String, i64>, usize) {
        let mut first: HashMap<&str, (i64, Vec<String>)> = HashMap::new();
        for r in self.records.iter().flatten() {
            let t = DateTime::parse_from_rfc3339(&r.cast_at)
                .unwrap()
                .timestamp_micros();
            let p = r.person.as_deref().unwrap();
            let choices: Vec<String> = r.choices.iter().map(|c| c.0.clone()).collect();
            let e = first.entry(p).or_insert((t, choices.clone()));
            if t < e.0 {
                *e = (t, choices);
            }
        }
        for (who, projects) in &self.online {
            first
                .entry(self.residents[*who].person.as_str())
                .or_insert((i64::MAX, projects.clone()));
        }
        let mut votes = BTreeMap::new();
        for (_, _, projects) in AREAS {
            for (key, _) in projects.iter() {
                votes.insert(key.to_string(), 0);
            }
        }
        for (_, choices) in first.values() {
            for c in choices {
                *votes.get_mut(c).unwrap() += 1;
            }
        }
        (votes, first.len())
    }
}

/// An online ballot body for a resident.
fn online_body(r: &Resident, projects: &[String]) -> Value {
    let choices: Vec<Value> = projects.iter().map(|p| json!({"project": p})).collect();
    json!({"eligibility": {"postcode": AREAS[r.area].1, "age_confirmed": true, "name": r.name,
                           "date_of_birth": "1970-01-01"},
           "choices": choices, "language": "en"})
}

/// What one delivery did: `true` when an online ballot was refused because its voter had
/// voted already.
fn deliver(s: &TestServer, plan: &Plan, rid: &str, d: &Delivery) -> bool {
    match d {
        Delivery::Kiosk(k, records) => {
            let kiosk = &plan.kiosks[*k];
            let r = kiosk.send(s, &kiosk.batch(records));
            assert_eq!(r.status, 200, "{}", r.text);
            for ack in r.json["acks"].as_array().unwrap() {
                assert!(
                    ack["outcome"] == "stored" || ack["outcome"] == "duplicate",
                    "{ack}"
                );
            }
            false
        }
        Delivery::Online(who, projects) => {
            let body = online_body(&plan.residents[*who], projects);
            let r = s.post(&format!("/api/v1/rounds/{rid}/ballots"), None, body);
            if r.status == 409 {
                r.assert_error(409, "already_voted");
                true
            } else {
                assert_eq!(r.status, 201, "{}", r.text);
                false
            }
        }
    }
}

/// Closes and counts the round; returns the draft result.
fn close_and_count(s: &TestServer, admin: &str, rid: &str) -> Value {
    let api = |p: &str| format!("/api/v1/rounds/{rid}/{p}");
    let closed = s.post(&api("close"), Some(admin), json!({}));
    assert_eq!(closed.status, 200, "{}", closed.text);
    let counted = s.post(&api("count"), Some(admin), json!({"confirm": true}));
    assert_eq!(counted.status, 200, "{}", counted.text);
    let result = s.get(&api("results"), Some(admin));
    assert_eq!(result.status, 200, "{}", result.text);
    result.json
}

/// The result without what legitimately differs between runs: when it was counted, the
/// officers' review (times of online ballots) and how many ballots were superseded (an online
/// ballot from someone who voted at a kiosk is superseded when it arrived first, refused
/// when it arrived second).
fn comparable(result: &Value) -> Value {
    let mut v = result.clone();
    let o = v.as_object_mut().unwrap();
    o.remove("counted_at");
    o.remove("review");
    o["ballots"].as_object_mut().unwrap().remove("superseded");
    v
}

/// The counted ballots, as sorted `place|voter key|area|choices` lines.
fn counted_set(db: &TestDb, rid: &str) -> Vec<String> {
    let mut set = sql_texts(
        db,
        &format!(
            "SELECT COALESCE(k.name, b.channel) || '|' || COALESCE(b.person, '') || '|' || \
             b.area_key || '|' || b.choices AS t FROM ballots b LEFT JOIN kiosks k ON k.id = b.kiosk_id \
             WHERE b.round_id = '{rid}' AND b.status NOT IN ('superseded', 'rejected')"
        ),
    );
    set.sort();
    set
}

/// Votes per project in a result.
fn votes_of(result: &Value) -> BTreeMap<String, i64> {
    result["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["key"].as_str().unwrap().to_string(),
                p["votes"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Ballots in a result that were superseded.
fn superseded(result: &Value) -> i64 {
    result["ballots"]["superseded"].as_i64().unwrap()
}

// ---------------------------------------------------------------------------------------------
// Scenario 5: two servers on one PostgreSQL database.

#[test]
fn two_servers_on_one_postgres_count_as_one() {
    let kiosks = size(3, 6);
    let per_kiosk = size(40, 1500);
    let online = size(12, 60);
    let mut a = TestServer::start(Backend::Postgres);
    let admin = a.admin_token("root@example.org");
    let (pid, rid) = small_round(&a, &admin, "equal-shares-completed");
    let plan = Plan::new(&a, &admin, &pid, &rid, (kiosks, per_kiosk, online), 5);
    let (votes, counted) = plan.expected();

    // A copy of the database as it is now, for one server on its own.
    a.terminate();
    let single = TestServer::start_with(copy_db(&a.db), "serve");
    a.restart();
    let b = another_server(&a);
    let pair = [&a, &b];

    // Through the pair, at once: each kiosk sends its batches alternately to either server,
    // kiosk 0 every batch to both at the same moment; online voters use either, and the
    // people who voted online try again through the other server afterwards.
    let mut rng = Rng(55);
    let deliveries = plan.shuffled(&mut rng);
    let (kiosk_part, online_part): (Vec<_>, Vec<_>) = deliveries
        .iter()
        .cloned()
        .partition(|d| matches!(d, Delivery::Kiosk(..)));
    let refused = std::sync::atomic::AtomicUsize::new(0);
    let races = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for k in 0..kiosks {
            let mine: Vec<&Delivery> = kiosk_part
                .iter()
                .filter(|d| matches!(d, Delivery::Kiosk(x, _) if *x == k))
                .collect();
            let (plan, rid, races) = (&plan, &rid, &races);
            scope.spawn(move || {
                for (i, d) in mine.into_iter().enumerate() {
                    if k == 0 {
                        let Delivery::Kiosk(_, records) = d else {
                            unreachable!()
                        };
                        let kiosk = &plan.kiosks[0];
                        let body = &kiosk.batch(records);
                        let answers: Vec<_> = std::thread::scope(|inner| {
                            let hs: Vec<_> = pair
                                .into_iter()
                                .map(|s| inner.spawn(move || kiosk.send(s, body)))
                                .collect();
                            hs.into_iter().map(|h| h.join().unwrap()).collect()
                        });
                        for r in &answers {
                            assert!(
                                r.status == 200 || r.status == 409,
                                "a batch sent to both servers at once: {} {}",
                                r.status,
                                r.text
                            );
                        }
                        if answers.iter().any(|r| r.status != 200) {
                            races.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            // The kiosk sends it again, as it would after a refusal.
                            deliver(pair[i % 2], plan, rid, d);
                        }
                    } else {
                        deliver(pair[i % 2], plan, rid, d);
                    }
                }
            });
        }
        for (half, server) in pair.into_iter().enumerate() {
            let mine: Vec<&Delivery> = online_part.iter().skip(half).step_by(2).collect();
            let (plan, rid, refused) = (&plan, &rid, &refused);
            scope.spawn(move || {
                for d in mine {
                    if deliver(server, plan, rid, d) {
                        refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    // Again through either server, with other choices: refused.
    for (who, projects) in plan.online.iter().take(online / 2) {
        let mut other = projects.clone();
        other.reverse();
        let body = online_body(&plan.residents[*who], &other[..1]);
        for s in pair {
            s.post(&format!("/api/v1/rounds/{rid}/ballots"), None, body.clone())
                .assert_error(409, "already_voted");
        }
    }
    let refused = refused.into_inner();

    // The same ballots to the server on its own, one after another.
    let mut single_refused = 0;
    for d in &deliveries {
        if deliver(&single, &plan, &rid, d) {
            single_refused += 1;
        }
    }

    // Counted by one of the pair, and by the single server: the same.
    let both = close_and_count(&b, &admin, &rid);
    let alone = close_and_count(&single, &admin, &rid);
    assert_eq!(comparable(&both), comparable(&alone));
    assert_eq!(both["digest"], alone["digest"]);
    assert_eq!(counted_set(&a.db, &rid), counted_set(&single.db, &rid));
    assert_eq!(votes_of(&both), votes);
    assert_eq!(both["ballots"]["counted"], counted);
    assert_eq!(
        superseded(&both) + refused as i64,
        superseded(&alone) + single_refused as i64
    );
    // Counting again through the other server: the same result.
    let again = a.post(
        &format!("/api/v1/rounds/{rid}/count"),
        Some(&admin),
        json!({"confirm": true}),
    );
    assert_eq!(again.status, 200, "{}", again.text);
    let seen = a.get(&format!("/api/v1/rounds/{rid}/results"), Some(&admin));
    assert_eq!(comparable(&seen.json), comparable(&both));
    assert_eq!(seen.json["digest"], both["digest"]);
    let ballots = kiosks * per_kiosk + online;
    report(
        "two servers on one PostgreSQL",
        &format!(
            "{ballots} ballots ({kiosks} kiosks × {per_kiosk}, {online} online, {} online again \
             through both servers), {counted} counted, {} batches sent to both servers at \
             once ({} answered 409 by one), counted set, result and digest as one server's, \
             discrepancies 0",
            online / 2,
            kiosk_part
                .iter()
                .filter(|d| matches!(d, Delivery::Kiosk(0, _)))
                .count(),
            races.into_inner()
        ),
    );
}

// ---------------------------------------------------------------------------------------------
// Scenario 6: the order of arrival changes nothing.

fn arrival_order_changes_nothing(backend: Backend) {
    let permutations = size(5, 200);
    let mut template = TestServer::start(backend);
    let admin = template.admin_token("root@example.org");
    let (pid, rid) = small_round(&template, &admin, "greedy");
    let plan = Plan::new(&template, &admin, &pid, &rid, (3, 12, 6), 6);
    let (votes, counted) = plan.expected();
    template.terminate();

    let mut rng = Rng(66);
    let mut first: Option<(Value, Vec<String>, i64)> = None;
    let mut deliveries = 0;
    for _ in 0..permutations {
        let s = TestServer::start_with(copy_db(&template.db), "serve");
        let order = plan.shuffled(&mut rng);
        deliveries += order.len();
        let mut refused = 0;
        for d in &order {
            if deliver(&s, &plan, &rid, d) {
                refused += 1;
            }
        }
        let result = close_and_count(&s, &admin, &rid);
        assert_eq!(votes_of(&result), votes);
        assert_eq!(result["ballots"]["counted"], counted);
        let set = counted_set(&s.db, &rid);
        let resolved = superseded(&result) + refused;
        match &first {
            None => first = Some((result, set, resolved)),
            Some((r, c, n)) => {
                assert_eq!(comparable(&result), comparable(r));
                assert_eq!(result["digest"], r["digest"]);
                assert_eq!(&set, c);
                assert_eq!(resolved, *n);
            }
        }
    }
    let ballots: usize = plan.records.iter().map(Vec::len).sum::<usize>() + plan.online.len();
    report(
        &format!("order independence ({backend:?})"),
        &format!(
            "{permutations} permutations of {ballots} ballots (3 kiosks, {} online, repeat voters \
             across kiosks and online) in {deliveries} deliveries, {counted} counted, one result \
             and digest, discrepancies 0",
            plan.online.len()
        ),
    );
}

// ---------------------------------------------------------------------------------------------
// Scenario 11: the server's counts agree with independent counts.

/// The methods of the generated rounds: (method JSON, rule, name).
fn methods() -> [(Value, &'static str, &'static str); 3] {
    [
        (
            json!({"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": false}),
            "equal-shares-completed",
            "approval",
        ),
        (
            json!({"kind": "cumulative", "points": 10, "max_per_project": null}),
            "greedy",
            "cumulative",
        ),
        (
            json!({"kind": "ranked", "max_ranks": 6}),
            "greedy",
            "ranked",
        ),
    ]
}

const BIG_AREAS: usize = 3;
const BIG_PROJECTS: usize = 15;

/// A generated ballot: its voter, area, cast time (seconds after the base) and
/// `(project number, weight)` choices.
struct Gen {
    person: u32,
    second: bool,
    area: u8,
    cast: i64,
    choices: Vec<(u8, u8)>,
}

/// `n` ballots for a method; about 1 in 60 is a second ballot of an earlier voter, cast
/// later or (as a late-synced kiosk would) earlier.
fn generate(rng: &mut Rng, kind: &str, n: usize) -> Vec<Gen> {
    let mut out: Vec<Gen> = Vec::with_capacity(n);
    let mut has_second = vec![false; n];
    for i in 0..n {
        let (person, area, cast) = if i > 10 && rng.below(60) == 0 {
            let j = rng.below(i);
            if has_second[j] || out[j].person != j as u32 {
                (i as u32, rng.below(BIG_AREAS) as u8, i as i64 * 2)
            } else {
                has_second[j] = true;
                let cast = if rng.chance(40) {
                    out[j].cast - 1
                } else {
                    i as i64 * 2
                };
                (j as u32, out[j].area, cast)
            }
        } else {
            (i as u32, rng.below(BIG_AREAS) as u8, i as i64 * 2)
        };
        // Popularity falls off with the project number.
        let k = 1 + rng.below(9);
        let mut picked: Vec<u8> = Vec::new();
        while picked.len() < k {
            let p = (rng.below(BIG_PROJECTS) * rng.below(BIG_PROJECTS)) / BIG_PROJECTS;
            if !picked.contains(&(p as u8)) {
                picked.push(p as u8);
            }
        }
        let choices: Vec<(u8, u8)> = match kind {
            "approval" => picked.iter().map(|&p| (p, 1)).collect(),
            "cumulative" => {
                let k = picked.len().min(10);
                let mut points = vec![1u8; k];
                for _ in k..10 {
                    points[rng.below(k)] += 1;
                }
                picked.iter().zip(points).map(|(&p, w)| (p, w)).collect()
            }
            _ => picked
                .iter()
                .take(6)
                .enumerate()
                .map(|(r, &p)| (p, r as u8 + 1))
                .collect(),
        };
        out.push(Gen {
            person,
            second: person != i as u32,
            area,
            cast,
            choices,
        });
    }
    out
}

fn project_key(area: u8, p: u8) -> String {
    format!("a{area}p{p:02}")
}

/// Votes per project, worked out from the generated ballots: each voter's earliest counts.
fn expected_votes(kind: &str, ballots: &[Gen]) -> BTreeMap<String, i64> {
    let mut winner: HashMap<u32, usize> = HashMap::new();
    for (i, b) in ballots.iter().enumerate() {
        winner
            .entry(b.person)
            .and_modify(|w| {
                if b.cast < ballots[*w].cast {
                    *w = i;
                }
            })
            .or_insert(i);
    }
    let mut votes = BTreeMap::new();
    for a in 0..BIG_AREAS as u8 {
        for p in 0..BIG_PROJECTS as u8 {
            votes.insert(project_key(a, p), 0);
        }
    }
    for &i in winner.values() {
        let b = &ballots[i];
        for &(p, w) in &b.choices {
            *votes.get_mut(&project_key(b.area, p)).unwrap() += match kind {
                "approval" => 1,
                "cumulative" => i64::from(w),
                _ => i64::from(w == 1),
            };
        }
    }
    votes
}

/// Writes the ballots straight into the database in one transaction, as a bulk load would.
fn bulk_load(db: &TestDb, rid: &str, ballots: &[Gen], seed: u64) {
    use diesel::{Connection, RunQueryDsl};
    let base = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let statements: Vec<String> = ballots
        .chunks(1000)
        .enumerate()
        .map(|(c, chunk)| {
            let rows: Vec<String> = chunk
                .iter()
                .enumerate()
                .map(|(j, b)| {
                    let i = c * 1000 + j;
                    let cast = (base + Duration::seconds(b.cast)).format("%Y-%m-%d %H:%M:%S");
                    let choices: Vec<Value> = b
                        .choices
                        .iter()
                        .map(|&(p, w)| json!([project_key(b.area, p), w]))
                        .collect();
                    // A voter's second ballot came on paper (one online ballot a person).
                    let channel = if b.second { "paper" } else { "online" };
                    format!(
                        "('{}', '{rid}', 'a{}', '{channel}', NULL, 'v1:{:064x}', '{cast}', '{cast}', '{}', \
                         'en', 'received', NULL, 'T{seed}-{i:015}', FALSE)",
                        uuid::Uuid::new_v4(),
                        b.area,
                        b.person,
                        Value::from(choices),
                    )
                })
                .collect();
            format!(
                "INSERT INTO ballots (id, round_id, area_key, channel, kiosk_id, person, cast_at, \
                 received_at, choices, language, status, reason, tracking_code, assisted) VALUES {}",
                rows.join(", ")
            )
        })
        .collect();
    match db.backend {
        Backend::Sqlite => {
            let mut c = diesel::SqliteConnection::establish(&db.url).unwrap();
            c.transaction::<_, diesel::result::Error, _>(|c| {
                for q in &statements {
                    diesel::sql_query(q).execute(c)?;
                }
                Ok(())
            })
            .unwrap();
        }
        Backend::Postgres => {
            let mut c = diesel::PgConnection::establish(&db.url).unwrap();
            c.transaction::<_, diesel::result::Error, _>(|c| {
                for q in &statements {
                    diesel::sql_query(q).execute(c)?;
                }
                Ok(())
            })
            .unwrap();
        }
    }
}

/// Per-project totals summed in SQL from the ballots table, each voter's earliest ballot only
/// (worked out in SQL, not from the statuses the count wrote).
fn sql_votes(db: &TestDb, rid: &str, kind: &str) -> BTreeMap<String, i64> {
    let weight = match (kind, db.backend) {
        ("approval", _) => "1".to_string(),
        ("cumulative", Backend::Postgres) => "(e.value->>1)::bigint".into(),
        ("cumulative", Backend::Sqlite) => "json_extract(e.value, '$[1]')".into(),
        (_, Backend::Postgres) => "CASE WHEN (e.value->>1)::bigint = 1 THEN 1 ELSE 0 END".into(),
        (_, Backend::Sqlite) => {
            "CASE WHEN json_extract(e.value, '$[1]') = 1 THEN 1 ELSE 0 END".into()
        }
    };
    let (elements, project) = match db.backend {
        Backend::Postgres => (
            "jsonb_array_elements(b.choices::jsonb) AS e(value)",
            "e.value->>0",
        ),
        Backend::Sqlite => ("json_each(b.choices) AS e", "json_extract(e.value, '$[0]')"),
    };
    // Each voter's earliest ballot, by a window over the voter's ballots.
    let rows = sql_texts(
        db,
        &format!(
            "SELECT {project} || '=' || CAST(SUM({weight}) AS TEXT) AS t \
             FROM (SELECT choices, ROW_NUMBER() OVER \
                     (PARTITION BY person ORDER BY cast_at, id) AS nth \
                   FROM ballots WHERE round_id = '{rid}') b, {elements} \
             WHERE b.nth = 1 GROUP BY {project}"
        ),
    );
    rows.iter()
        .map(|r| {
            let (k, v) = r.split_once('=').unwrap();
            (k.to_string(), v.parse().unwrap())
        })
        .collect()
}

/// Votes per project counted from a Pabulib file's VOTES section, read here line by line.
fn file_votes(text: &str, kind: &str) -> (BTreeMap<String, i64>, usize) {
    let mut votes = BTreeMap::new();
    let mut lines = text.lines();
    for line in lines.by_ref() {
        if line.trim() == "VOTES" {
            break;
        }
    }
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let vote = col("vote").unwrap();
    let points = col("points");
    let mut voters = 0;
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        voters += 1;
        let cells: Vec<&str> = line.split(';').collect();
        let projects: Vec<&str> = cells[vote].split(',').collect();
        let weights: Vec<i64> = match (kind, points) {
            ("cumulative", Some(p)) => cells[p].split(',').map(|w| w.parse().unwrap()).collect(),
            _ => vec![1; projects.len()],
        };
        for (r, (p, w)) in projects.iter().zip(weights).enumerate() {
            let add = match kind {
                "approval" => 1,
                "cumulative" => w,
                _ => i64::from(r == 0),
            };
            *votes.entry(p.to_string()).or_insert(0) += add;
        }
    }
    (votes, voters)
}

/// Support per project as `youdecide-server tally --format text` prints it.
fn tally_support(text: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split_whitespace().collect();
        if cells.len() >= 5 && cells[0].parse::<u32>().is_ok() && cells[1].starts_with('a') {
            out.insert(cells[1].to_string(), cells[3].parse().unwrap());
        }
    }
    out
}

fn counts_agree_with_recounts(backend: Backend) {
    // Ballot positions (ballot × chosen project) wanted over the three rounds.
    let positions_wanted = size(20_000, 3_000_000);
    let s = TestServer::start(backend);
    let admin = s.admin_token("root@example.org");
    let p = s.post(
        "/api/v1/partnerships",
        Some(&admin),
        json!({"name": "City"}),
    );
    let pid = p.json["id"].as_str().unwrap().to_string();
    let mut rng = Rng(11);
    let (mut ballots_total, mut positions, mut compared, mut discrepancies) = (0, 0, 0, 0);
    let mut counting = 0.0;
    for (seed, (method, rule, kind)) in methods().into_iter().enumerate() {
        let r = s.post(
            &format!("/api/v1/partnerships/{pid}/rounds"),
            Some(&admin),
            json!({"title": format!("City {kind}"), "opens_at": "2026-01-01T00:00:00Z",
                   "closes_at": "2099-01-01T00:00:00Z", "method": method, "rule": rule,
                   "areas": (0..BIG_AREAS).map(|a| json!({"key": format!("a{a}"), "name": format!("Area {a}"),
                             "budget": 40_000_000, "postcodes": [format!("DN{}", 15 + a)]})).collect::<Vec<_>>(),
                   "eligibility": {"min_age": 16, "mode": "self-declared"}}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let rid = r.json["id"].as_str().unwrap().to_string();
        for a in 0..BIG_AREAS as u8 {
            for k in 0..BIG_PROJECTS as u8 {
                let cost = (5 + rng.below(30) as i64) * 500_000;
                let r = s.post(
                    &format!("/api/v1/rounds/{rid}/projects"),
                    Some(&admin),
                    json!({"key": project_key(a, k), "area": format!("a{a}"),
                           "title": format!("P-{}", project_key(a, k)), "cost": cost}),
                );
                assert_eq!(r.status, 201, "{}", r.text);
            }
        }
        let api = |p: &str| format!("/api/v1/rounds/{rid}/{p}");
        assert_eq!(s.post(&api("open"), Some(&admin), json!({})).status, 200);
        // About five positions a ballot (four for ranked ballots, at most six ranks).
        let n = positions_wanted / 3 / if kind == "ranked" { 4 } else { 5 } + 1;
        let generated = generate(&mut rng, kind, n);
        let round_positions: usize = generated.iter().map(|b| b.choices.len()).sum();
        bulk_load(&s.db, &rid, &generated, seed as u64);
        let expected = expected_votes(kind, &generated);

        let started = std::time::Instant::now();
        let result = close_and_count(&s, &admin, &rid);
        counting += started.elapsed().as_secs_f64();
        let published = votes_of(&result);
        let in_sql = sql_votes(&s.db, &rid, kind);

        // The exported files: counted here from their VOTES, and re-tallied by the CLI.
        let out = tempfile::tempdir().unwrap();
        let dir = out.path().display().to_string();
        let exported = s.cli(&["export-pabulib", "--round", &rid, "--out", &dir], None);
        assert!(
            exported.status.success(),
            "{}",
            String::from_utf8_lossy(&exported.stderr)
        );
        let mut from_files = BTreeMap::new();
        let mut from_tally = BTreeMap::new();
        let mut voters = 0;
        let mut digest = sha2::Sha256::new();
        for (a, area) in result["areas"].as_array().unwrap().iter().enumerate() {
            let path = out.path().join(format!("a{a}.pb"));
            let text = std::fs::read_to_string(&path).unwrap();
            digest.update(text.as_bytes());
            let (v, n) = file_votes(&text, kind);
            from_files.extend(v);
            voters += n;
            assert_eq!(area["ballots"], n);
            let file = path.display().to_string();
            let tally = run_server_cli(&["tally", &file, "--rule", rule, "--format", "json"], None);
            assert!(
                tally.status.success(),
                "{}",
                String::from_utf8_lossy(&tally.stderr)
            );
            let t: Value = serde_json::from_slice(&tally.stdout).unwrap();
            assert_eq!(t["selected"], area["selected"], "{kind} area a{a}");
            let table = run_server_cli(&["tally", &file, "--rule", rule, "--format", "text"], None);
            assert!(table.status.success());
            from_tally.extend(tally_support(&String::from_utf8_lossy(&table.stdout)));
        }
        assert_eq!(
            voters as i64,
            result["ballots"]["counted"].as_i64().unwrap()
        );
        assert_eq!(result["digest"], hex::encode(digest.finalize()), "{kind}");
        for (key, votes) in &published {
            compared += 1;
            let others = [
                expected.get(key).copied().unwrap_or(0),
                in_sql.get(key).copied().unwrap_or(0),
                from_files.get(key).copied().unwrap_or(0),
            ];
            let mut wrong = others.iter().filter(|o| *o != votes).count();
            if kind != "ranked" {
                // The CLI's table shows votes (approval) and points (cumulative); for ranked
                // ballots it shows a Borda score, checked against the file's instead.
                wrong += usize::from(from_tally.get(key).copied().unwrap_or(0) != *votes);
            }
            if wrong > 0 {
                eprintln!(
                    "{kind} {key}: published {votes}, generated/SQL/file {others:?}, CLI {:?}",
                    from_tally.get(key)
                );
            }
            discrepancies += wrong;
        }
        assert_eq!(published.len(), BIG_AREAS * BIG_PROJECTS);
        ballots_total += generated.len();
        positions += round_positions;
    }
    assert_eq!(discrepancies, 0);
    assert!(positions >= positions_wanted, "{positions} positions");
    report(
        &format!("counting accuracy ({backend:?})"),
        &format!(
            "{ballots_total} ballots, {positions} ballot positions in 3 rounds (approval, \
             cumulative, ranked), {compared} project totals each checked against the generator, \
             SQL over the ballots table, the exported Pabulib files and the tally CLI, \
             discrepancies {discrepancies}; closing and counting took {counting:.1} s"
        ),
    );
}
