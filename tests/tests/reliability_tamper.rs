//! Tampering beyond tests/tests/sync_tamper.rs: a ballot altered after its batch was signed, a
//! replay of another kiosk's batch, an expired enrolment code and a used one sent again. Each is
//! refused, stores nothing, and the server logs why (never the code, the key or the ballot).
//! On SQLite and on PostgreSQL.

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use youdecide_shared::sync::{self, Batch, KioskBallot, SignedBatch, GENESIS};
use youdecide_tests::kiosk::{setup, Setup};
use youdecide_tests::{on_both_backends, reliability, Backend, Resp, TestServer};

on_both_backends!(tampering_is_refused_and_logged);

/// A kiosk created on the server: its id (once enrolled), key and enrolment code.
struct Fake {
    id: String,
    key: SigningKey,
    code: String,
}

fn create(st: &Setup, seed: u8) -> Fake {
    let k = st.s.post(
        &format!("/api/v1/partnerships/{}/kiosks", st.pid),
        Some(&st.admin),
        json!({"name": format!("tablet {seed}")}),
    );
    assert_eq!(k.status, 201, "{}", k.text);
    // The code is good for 24 hours from now.
    let expires =
        chrono::DateTime::parse_from_rfc3339(k.json["enrollment_expires_at"].as_str().unwrap())
            .unwrap();
    let hours = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes();
    assert!((24 * 60 - 2..=24 * 60).contains(&hours), "{hours} minutes");
    Fake {
        id: k.json["id"].as_str().unwrap().into(),
        key: SigningKey::from_bytes(&[seed; 32]),
        code: k.json["enrollment_code"].as_str().unwrap().into(),
    }
}

fn enrol(s: &TestServer, code: &str, key: &SigningKey) -> Resp {
    s.post(
        "/api/v1/kiosk/enroll",
        None,
        json!({"code": code, "public_key": hex::encode(key.verifying_key().to_bytes())}),
    )
}

fn records(rid: &str, from: u64, n: u64, prev: &str) -> Vec<KioskBallot> {
    let mut prev = prev.to_string();
    (from..from + n)
        .map(|seq| {
            let id = uuid::Uuid::now_v7().to_string();
            let b = KioskBallot {
                id: id.clone(),
                seq,
                prev_hash: prev.clone(),
                round_id: rid.into(),
                cast_at: chrono::Utc::now().to_rfc3339(),
                area: "central".into(),
                person: Some(format!("v1:{}", uuid::Uuid::new_v4().simple())),
                choices: vec![("a".into(), 1)],
                language: "en".into(),
                tracking_code: youdecide_shared::codes::tracking_code(&id, "x", &[seq as u8; 16]),
                assisted: false,
            };
            prev = b.hash();
            b
        })
        .collect()
}

fn signed(kiosk_id: &str, key: &SigningKey, ballots: Vec<KioskBallot>) -> SignedBatch {
    let batch = Batch {
        kiosk_id: kiosk_id.into(),
        sent_at: chrono::Utc::now().to_rfc3339(),
        ballots,
        pending_after: 0,
    };
    sync::sign(&batch, key)
}

fn send(s: &TestServer, to_kiosk: &str, batch: &SignedBatch) -> Resp {
    let body: Value = serde_json::to_value(batch).unwrap();
    s.post(&format!("/api/v1/kiosk/{to_kiosk}/batches"), None, body)
}

/// What a refusal must leave unchanged: ballots, chain records, enrolled kiosks.
fn stored(s: &TestServer) -> (i64, i64, i64) {
    (
        s.sql_count("SELECT COUNT(*) AS n FROM ballots"),
        s.sql_count("SELECT COUNT(*) AS n FROM kiosk_chain"),
        s.sql_count("SELECT COUNT(*) AS n FROM kiosks WHERE public_key IS NOT NULL"),
    )
}

/// Asserts the log gained a line since `before` holding every one of `words`.
fn logged(s: &TestServer, before: usize, words: &[&str]) {
    let log = s.log();
    let new = &log[before..];
    assert!(
        new.lines().any(|l| words.iter().all(|w| l.contains(w))),
        "no log line with {words:?} in:\n{new}"
    );
}

/// A change to a ballot.
type Change = Box<dyn Fn(&mut KioskBallot)>;

/// The batch with one of its ballots changed after signing, the signature kept.
fn altered(batch: &SignedBatch, which: usize, change: impl Fn(&mut KioskBallot)) -> SignedBatch {
    let mut body: Batch = serde_json::from_slice(&hex::decode(&batch.batch).unwrap()).unwrap();
    assert_eq!(
        hex::encode(serde_json::to_vec(&body).unwrap()),
        batch.batch,
        "re-encoding alone must not change the signed bytes"
    );
    change(&mut body.ballots[which]);
    SignedBatch {
        batch: hex::encode(serde_json::to_vec(&body).unwrap()),
        signature: batch.signature.clone(),
    }
}

fn tampering_is_refused_and_logged(backend: Backend) {
    let st = setup(backend);
    let (s, rid) = (&st.s, st.rid.as_str());
    let mut a = create(&st, 11);
    let mut b = create(&st, 12);
    let r = enrol(s, &a.code, &a.key);
    assert_eq!(r.status, 201, "{}", r.text);
    a.id = r.json["kiosk_id"].as_str().unwrap().into();
    let r = enrol(s, &b.code, &b.key);
    assert_eq!(r.status, 201, "{}", r.text);
    b.id = r.json["kiosk_id"].as_str().unwrap().into();
    let mut refusals = 0;

    // A good first batch from each kiosk.
    let a_first = records(rid, 1, 2, GENESIS);
    assert_eq!(
        send(s, &a.id, &signed(&a.id, &a.key, a_first.clone())).status,
        200
    );
    let b_batch = signed(&b.id, &b.key, records(rid, 1, 3, GENESIS));
    assert_eq!(send(s, &b.id, &b_batch).status, 200);
    let held = stored(s);
    assert_eq!(held, (5, 5, 2));

    // A ballot altered after signing, field by field: the signature no longer matches.
    let changes: Vec<(&str, Change)> = vec![
        ("choices", Box::new(|b| b.choices = vec![("b".into(), 1)])),
        ("area", Box::new(|b| b.area = "north".into())),
        (
            "round",
            Box::new(|b| b.round_id = uuid::Uuid::now_v7().to_string()),
        ),
        (
            "time",
            Box::new(|b| b.cast_at = "2026-02-01T10:00:00Z".into()),
        ),
        (
            "person",
            Box::new(|b| b.person = Some(format!("v1:{}", "0".repeat(32)))),
        ),
        (
            "tracking code",
            Box::new(|b| b.tracking_code = "AAAA-BBBB-CCCC".into()),
        ),
        ("assisted", Box::new(|b| b.assisted = true)),
        ("language", Box::new(|b| b.language = "cy".into())),
    ];
    // Batch after batch (more in the long run), one of its ballots at a time.
    let batches = reliability::size(1, 25);
    let (mut head, mut seq, mut held) = (a_first[1].hash(), 3, held);
    for n in 0..batches {
        let recs = records(rid, seq, 3, &head);
        let next = signed(&a.id, &a.key, recs.clone());
        for (field, change) in &changes {
            let before = s.log().len();
            send(s, &a.id, &altered(&next, n % 3, change)).assert_error(401, "bad_signature");
            assert_eq!(stored(s), held, "an altered {field} stored something");
            logged(s, before, &["kiosk batch refused", &a.id, "bad_signature"]);
            refusals += 1;
        }
        // The unaltered batch still goes in afterwards.
        let r = send(s, &a.id, &next);
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["head_seq"], seq + 2);
        held = (held.0 + 3, held.1 + 3, held.2);
        assert_eq!(stored(s), held);
        head = recs[2].hash();
        seq += 3;
    }

    // Kiosk B's batch, already received, replayed as kiosk A's: refused.
    let before = s.log().len();
    send(s, &a.id, &b_batch).assert_error(401, "bad_signature");
    logged(s, before, &["kiosk batch refused", &a.id, "bad_signature"]);
    refusals += 1;
    // B's batch replayed to B: only duplicates, nothing new.
    let again = send(s, &b.id, &b_batch);
    assert_eq!(again.status, 200, "{}", again.text);
    assert!(again.json["acks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["outcome"] == "duplicate"));
    // B's next batch, signed by B, replayed to A: refused.
    let b_next = records(rid, 4, 1, &b_batch_head(&b_batch));
    let before = s.log().len();
    send(s, &a.id, &signed(&b.id, &b.key, b_next.clone())).assert_error(401, "bad_signature");
    logged(s, before, &["kiosk batch refused", "bad_signature"]);
    refusals += 1;
    assert_eq!(stored(s), held, "a replay stored something");

    // An expired enrolment code (its 24 hours are over) is refused and stays unused.
    let c = create(&st, 13);
    let past = (chrono::Utc::now() - chrono::Duration::seconds(1))
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S%.6f");
    s.sql_execute(&format!(
        "UPDATE kiosks SET enrollment_expires_at = '{past}' WHERE id = '{}'",
        c.id
    ));
    let before = s.log().len();
    enrol(s, &c.code, &c.key).assert_error(422, "invalid_enrollment_code");
    logged(
        s,
        before,
        &["kiosk enrolment refused", "the code has expired"],
    );
    refusals += 1;
    assert_eq!(stored(s), held);
    assert_eq!(
        s.sql_count(&format!(
            "SELECT COUNT(*) AS n FROM kiosks WHERE id = '{}' AND public_key IS NULL AND enrolled_at IS NULL",
            c.id
        )),
        1
    );

    // A used code sent again, with another key: refused; the first key stays.
    let thief = SigningKey::from_bytes(&[99; 32]);
    let before = s.log().len();
    enrol(s, &a.code, &thief).assert_error(422, "invalid_enrollment_code");
    logged(
        s,
        before,
        &[
            "kiosk enrolment refused",
            "the code is unknown or has already been used",
        ],
    );
    refusals += 1;
    // Again with the kiosk's own key: still refused.
    enrol(s, &a.code, &a.key).assert_error(422, "invalid_enrollment_code");
    refusals += 1;
    assert_eq!(stored(s), held);
    assert_eq!(
        s.sql_count(&format!(
            "SELECT COUNT(*) AS n FROM kiosks WHERE id = '{}' AND public_key = '{}'",
            a.id,
            hex::encode(a.key.verifying_key().to_bytes())
        )),
        1
    );
    assert_eq!(
        s.sql_count(&format!(
            "SELECT COUNT(*) AS n FROM kiosks WHERE public_key = '{}'",
            hex::encode(thief.verifying_key().to_bytes())
        )),
        0
    );

    // The log never holds the codes, the keys or what the ballots say.
    let log = s.log();
    for secret in [a.code.as_str(), b.code.as_str(), c.code.as_str()] {
        assert!(!log.contains(secret), "the log holds an enrolment code");
    }
    assert!(!log.contains(&hex::encode(thief.verifying_key().to_bytes())));
    assert!(!log.contains(&a_first[0].tracking_code));
    assert!(!log.contains(a_first[0].person.as_deref().unwrap()));
    reliability::report(
        "tampering",
        &format!(
            "{backend:?}: {batches} good batches each sent first with one ballot altered 8 ways, \
             2 replays of another kiosk's batches, an expired and a used enrolment code: \
             {refusals} refused, each logged with its reason; {} ballots stored, all from good \
             batches",
            held.0
        ),
    );
}

/// The hash of a signed batch's last record.
fn b_batch_head(batch: &SignedBatch) -> String {
    let body: Batch = serde_json::from_slice(&hex::decode(&batch.batch).unwrap()).unwrap();
    body.ballots.last().unwrap().hash()
}
