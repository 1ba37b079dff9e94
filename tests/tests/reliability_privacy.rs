//! Privacy after a full round on each database: self-declared ballots online and through a real
//! kiosk (one resident both ways), synced, counted and published. Then no voter's name or date
//! of birth, in any usual spelling, is anywhere: not in the whole SQLite file and its WAL, not in
//! a `pg_dump` of the PostgreSQL database, not in the kiosk's own store or either log. And after
//! publication no row ties a voter key to a ballot: the ballots' keys are erased, no other
//! table holds one, and on SQLite no earlier version of a row keeps one in the file or its WAL.

use diesel::{Connection, RunQueryDsl};
use serde_json::json;
use youdecide_tests::kiosk::{new_kiosk, setup, TestKiosk};
use youdecide_tests::{on_both_backends, reliability, Backend, TestServer};

on_both_backends!(no_names_dates_of_birth_or_voter_links_remain);

const FIRST: [&str; 8] = [
    "Zephyrine",
    "Barnabus",
    "Ottoline",
    "Peregrine",
    "Isolde",
    "Cuthbert",
    "Wilhelmina",
    "Thaddeus",
];
const LAST: [&str; 8] = [
    "Quillfeather",
    "Marrowdale",
    "Ashcombe-Oyelaran",
    "Fitzwarren",
    "Blackthorne",
    "O'Gallagher",
    "Pemberley",
    "Vantongeren",
];
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A resident: a distinctive name and date of birth.
struct Voter {
    name: String,
    dob: chrono::NaiveDate,
}

fn voters(n: usize) -> Vec<Voter> {
    (0..n)
        .map(|i| {
            // Past the 64 plain combinations, a made-up second surname keeps names apart.
            let extra = if i < 64 {
                String::new()
            } else {
                format!(" Zorvath{}", (b'a' + (i / 64) as u8) as char)
            };
            Voter {
                name: format!("{} {}{extra}", FIRST[i % 8], LAST[(i / 8 + i) % 8]),
                dob: chrono::NaiveDate::from_ymd_opt(1931, 1, 1).unwrap()
                    + chrono::Duration::days(397 * i as i64 % 25_000),
            }
        })
        .collect()
}

/// What must never be found, lower case: each part of the name, and the date of birth in
/// every usual spelling. `true` marks all-digit spellings, which must stand alone to count
/// (so that a long hexadecimal hash cannot match by chance).
fn needles(v: &Voter) -> Vec<(String, bool)> {
    use chrono::Datelike;
    let mut out: Vec<(String, bool)> = v
        .name
        .split([' ', '-', '\''])
        .filter(|p| p.len() >= 5)
        .map(|p| (p.to_lowercase(), false))
        .collect();
    let (y, m, d) = (v.dob.year(), v.dob.month(), v.dob.day());
    let month = MONTHS[m as usize - 1];
    for s in [
        format!("{y}-{m:02}-{d:02}"),
        format!("{d:02}/{m:02}/{y}"),
        format!("{d}/{m}/{y}"),
        format!("{m:02}/{d:02}/{y}"),
        format!("{d:02}-{m:02}-{y}"),
        format!("{d:02}.{m:02}.{y}"),
        format!("{y}/{m:02}/{d:02}"),
        format!("{d} {month} {y}"),
        format!("{d:02} {month} {y}"),
        format!("{month} {d}, {y}"),
        format!("{d} {} {y}", &month[..3]),
    ] {
        out.push((s, false));
    }
    out.push((format!("{y}{m:02}{d:02}"), true));
    out.push((format!("{d:02}{m:02}{y}"), true));
    out.push((format!("{m:02}{d:02}{y}"), true));
    out
}

/// Bytes as searchable text: ASCII in lower case, every other byte a control character (so
/// that positions stay the same).
fn text(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii() {
                b.to_ascii_lowercase() as char
            } else {
                '\u{1}'
            }
        })
        .collect()
}

/// Where a needle occurs in the text (all-digit needles only between non-alphanumerics).
fn find(hay: &str, needle: &str, alone: bool) -> Option<usize> {
    let bytes = hay.as_bytes();
    hay.match_indices(needle).map(|(i, _)| i).find(|&i| {
        !alone
            || ((i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
                && !matches!(bytes.get(i + needle.len()), Some(c) if c.is_ascii_alphanumeric()))
    })
}

/// Asserts that no voter's name or date of birth is in `bytes`; returns how many were sought.
fn assert_absent(what: &str, bytes: &[u8], voters: &[Voter]) -> usize {
    assert!(!bytes.is_empty(), "{what} is empty: nothing was searched");
    let hay = text(bytes);
    let mut sought = 0;
    for v in voters {
        for (needle, alone) in needles(v) {
            sought += 1;
            if let Some(at) = find(&hay, &needle, alone) {
                let from = at.saturating_sub(60);
                let context = &hay[from..(at + 80).min(hay.len())];
                panic!("{what} holds {needle:?} (of {}): …{context}…", v.name);
            }
        }
    }
    sought
}

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

/// One text column of a query's rows, named `v`.
fn strings(s: &TestServer, query: &str) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    let q = diesel::sql_query(query);
    let rows: Vec<Row> = match s.db.backend {
        Backend::Sqlite => {
            let mut c = diesel::SqliteConnection::establish(&s.db.url).unwrap();
            q.load(&mut c).unwrap()
        }
        Backend::Postgres => {
            let mut c = diesel::PgConnection::establish(&s.db.url).unwrap();
            q.load(&mut c).unwrap()
        }
    };
    rows.into_iter().map(|r| r.v).collect()
}

/// The database's live rows as bytes: a `pg_dump`, or a vacuumed copy of the SQLite file.
fn live_rows(s: &TestServer) -> Vec<u8> {
    match s.db.backend {
        Backend::Postgres => {
            let out = std::process::Command::new("pg_dump")
                .arg("--dbname")
                .arg(&s.db.url)
                .output()
                .expect("run pg_dump");
            assert!(
                out.status.success(),
                "pg_dump: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        }
        Backend::Sqlite => {
            let copy = s.db.data_dir().join("live-rows.db");
            let _ = std::fs::remove_file(&copy);
            let mut c = diesel::SqliteConnection::establish(&s.db.url).unwrap();
            diesel::sql_query(format!("VACUUM INTO '{}'", copy.display()))
                .execute(&mut c)
                .unwrap();
            read(&copy)
        }
    }
}

/// The whole database as stored: the SQLite file with its WAL, or a `pg_dump`.
fn whole_database(s: &TestServer) -> Vec<u8> {
    match s.db.backend {
        Backend::Postgres => live_rows(s),
        Backend::Sqlite => {
            let mut bytes = read(std::path::Path::new(&s.db.url));
            bytes.extend(read(std::path::Path::new(&format!("{}-wal", s.db.url))));
            bytes
        }
    }
}

fn eligibility(v: &Voter) -> serde_json::Value {
    json!({"postcode": "DN15 6AB", "age_confirmed": true, "name": v.name,
           "date_of_birth": v.dob.format("%Y-%m-%d").to_string()})
}

fn no_names_dates_of_birth_or_voter_links_remain(backend: Backend) {
    let st = setup(backend);
    let (s, rid) = (&st.s, st.rid.as_str());
    let mut k = TestKiosk::new();
    k.enroll(&s.url, &new_kiosk(&st, "Library"));
    k.start();
    let per_channel = reliability::size(4, 40);
    let people = voters(2 * per_channel);
    let (online, at_kiosk) = people.split_at(per_channel);

    for (i, v) in online.iter().enumerate() {
        let choices = if i % 2 == 0 { "a" } else { "b" };
        let r = s.post(
            &format!("/api/v1/rounds/{rid}/ballots"),
            None,
            json!({"eligibility": eligibility(v), "choices": [{"project": choices}], "language": "en"}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    for (i, v) in at_kiosk.iter().enumerate() {
        let choices = if i % 2 == 0 { "b" } else { "a" };
        let (status, body) = k.cast(&json!({"round": rid, "eligibility": eligibility(v),
            "choices": [{"project": choices}], "language": "en"}));
        assert_eq!(status, 201, "{body}");
    }
    // The first online voter also votes at the kiosk, spelt differently: a second ballot from
    // the same person, which the count sets aside.
    let again = Voter {
        name: format!("  {}  ", online[0].name.to_uppercase()),
        dob: online[0].dob,
    };
    let (status, body) = k.cast(&json!({"round": rid, "eligibility": eligibility(&again),
        "choices": [{"project": "b"}], "language": "en"}));
    assert_eq!(status, 201, "{body}");
    let total = 2 * per_channel as i64 + 1;

    // Synced.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while s.sql_count("SELECT COUNT(*) AS n FROM ballots") < total {
        assert!(
            std::time::Instant::now() < deadline,
            "the kiosk did not sync"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Before publication every ballot carries its voter key; one person has two ballots.
    let keys = strings(
        s,
        "SELECT person AS v FROM ballots WHERE person IS NOT NULL",
    );
    assert_eq!(keys.len() as i64, total);
    let distinct: std::collections::HashSet<&String> = keys.iter().collect();
    assert_eq!(
        distinct.len() as i64,
        total - 1,
        "the same person, the same key"
    );

    // Close, count (every ballot is in, though the kiosk has not been in touch since the
    // close), publish.
    for (step, body) in [
        ("close", json!({})),
        ("count", json!({"confirm": true})),
        ("publish", json!({})),
    ] {
        let r = s.post(
            &format!("/api/v1/rounds/{rid}/{step}"),
            Some(&st.admin),
            body,
        );
        assert_eq!(r.status, 200, "{step}: {}", r.text);
    }
    assert_eq!(
        s.sql_count("SELECT COUNT(*) AS n FROM ballots WHERE status = 'superseded'"),
        1
    );
    assert_eq!(
        s.sql_count("SELECT COUNT(*) AS n FROM ballots WHERE person IS NOT NULL"),
        0,
        "voter keys are erased on publication"
    );
    // No row anywhere holds a voter key.
    let live = live_rows(s);
    let hay = text(&live);
    for key in &keys {
        let body = key.split_once(':').map_or(key.as_str(), |(_, b)| b);
        assert!(
            find(&hay, &body.to_ascii_lowercase(), false).is_none(),
            "a voter key is still stored after publication"
        );
    }

    // Nor any earlier version of a row, anywhere in the stored files.
    let whole = text(&whole_database(s));
    assert!(
        find(&whole, "ashby decides", false).is_some(),
        "the search finds what is stored (the round's title)"
    );
    for key in &keys {
        let body = key.split_once(':').map_or(key.as_str(), |(_, b)| b);
        assert!(
            find(&whole, &body.to_ascii_lowercase(), false).is_none(),
            "an erased voter key lingers in the stored database"
        );
    }

    // No name or date of birth in the database, the logs or the kiosk's store.
    let mut sought = assert_absent("the database", &whole_database(s), &people);
    if backend == Backend::Sqlite {
        sought += assert_absent("the vacuumed database", &live, &people);
    }
    sought += assert_absent("the server log", s.log().as_bytes(), &people);
    let kiosk_store = {
        let mut b = read(&k.dir.path().join("kiosk.db"));
        b.extend(read(&k.dir.path().join("kiosk.db-wal")));
        b
    };
    sought += assert_absent("the kiosk's store", &kiosk_store, &people);
    let kiosk_log = read(&k.dir.path().join("kiosk.log"));
    if !kiosk_log.is_empty() {
        sought += assert_absent("the kiosk's log", &kiosk_log, &people);
    }
    reliability::report(
        "privacy",
        &format!(
            "{backend:?}: {total} ballots ({per_channel} online, {} at a real kiosk), counted \
             and published; {sought} name and date-of-birth spellings sought in the database, \
             logs and kiosk store: none found; {} voter keys erased, none left in any row",
            per_channel + 1,
            keys.len()
        ),
    );
}

#[test]
fn the_search_finds_every_spelling() {
    let v = Voter {
        name: "Isolde O'Gallagher".into(),
        dob: chrono::NaiveDate::from_ymd_opt(1947, 3, 9).unwrap(),
    };
    let seek = needles(&v);
    for stored in [
        "x ISOLDE o'gallagher y",
        "{\"dob\":\"1947-03-09\"}",
        "born 9 March 1947.",
        "09/03/1947",
        "03/09/1947",
        "9/3/1947",
        "'19470309'",
        "09031947,",
    ] {
        let hay = text(stored.as_bytes());
        assert!(
            seek.iter()
                .any(|(n, alone)| find(&hay, n, *alone).is_some()),
            "{stored:?} not found"
        );
    }
    // All-digit spellings inside a longer hexadecimal string do not count.
    let hash = text(b"a19470309f");
    assert!(seek
        .iter()
        .filter(|(_, alone)| *alone)
        .all(|(n, alone)| find(&hash, n, *alone).is_none()));
}
