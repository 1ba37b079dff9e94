//! Tampered kiosk batches are refused whole, with a reason, and store nothing: a forged
//! signature, a gap or edit in the hash chain, one kiosk's batch sent as another's, an unknown
//! round, a revoked kiosk. Retries and replays are harmless. On SQLite and on PostgreSQL.

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use youdecide_shared::sync::{self, Batch, KioskBallot, GENESIS};
use youdecide_tests::signed_kiosk::SignedKiosk;
use youdecide_tests::{on_both_backends, Backend, Resp, TestServer};

on_both_backends!(tampered_batches_store_nothing);

fn records(rid: &str, from: u64, n: u64, prev: &str) -> Vec<KioskBallot> {
    let mut prev = prev.to_string();
    (from..from + n)
        .map(|seq| {
            let b = KioskBallot {
                id: uuid::Uuid::now_v7().to_string(),
                seq,
                prev_hash: prev.clone(),
                round_id: rid.into(),
                cast_at: chrono::Utc::now().to_rfc3339(),
                area: "central".into(),
                person: Some(format!("v1:{}", uuid::Uuid::new_v4().simple())),
                choices: vec![("a".into(), 1)],
                language: "en".into(),
                tracking_code: youdecide_shared::codes::tracking_code(
                    &seq.to_string(),
                    "x",
                    &[seq as u8; 16],
                ),
                assisted: false,
            };
            prev = b.hash();
            b
        })
        .collect()
}

fn push(
    s: &TestServer,
    as_kiosk: &str,
    key: &SigningKey,
    kiosk_id: &str,
    ballots: Vec<KioskBallot>,
) -> Resp {
    let batch = Batch {
        kiosk_id: kiosk_id.into(),
        sent_at: chrono::Utc::now().to_rfc3339(),
        ballots,
        pending_after: 0,
    };
    let signed: Value = serde_json::to_value(sync::sign(&batch, key)).unwrap();
    s.post(&format!("/api/v1/kiosk/{as_kiosk}/batches"), None, signed)
}

fn received(s: &TestServer, admin: &str, pid: &str, kid: &str) -> i64 {
    let list = s.get(&format!("/api/v1/partnerships/{pid}/kiosks"), Some(admin));
    list.json
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == kid)
        .unwrap()["ballots_received"]
        .as_i64()
        .unwrap()
}

fn tampered_batches_store_nothing(backend: Backend) {
    let setup = kiosk_setup(backend);
    let (s, admin, pid, rid) = (&setup.0, &setup.1, &setup.2, &setup.3);
    let a = SignedKiosk::enroll(s, admin, pid, "k1", 1);
    let b = SignedKiosk::enroll(s, admin, pid, "k2", 2);

    // A good batch, then the same batch again (a retry): stored once.
    let first = records(rid, 1, 3, GENESIS);
    let r = push(s, &a.id, &a.key, &a.id, first.clone());
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["head_seq"], 3);
    assert!(r.json["acks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["outcome"] == "stored"));
    let again = push(s, &a.id, &a.key, &a.id, first.clone());
    assert!(again.json["acks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["outcome"] == "duplicate"));
    assert_eq!(received(s, admin, pid, &a.id), 3);

    let next = records(rid, 4, 2, &first[2].hash());
    // Signed with another key.
    push(s, &a.id, &b.key, &a.id, next.clone()).assert_error(401, "bad_signature");
    // Kiosk B's signed batch replayed as kiosk A's.
    push(s, &a.id, &b.key, &b.id, next.clone()).assert_error(401, "bad_signature");
    // A's batch sent under B's id, signed by B but naming A.
    push(s, &b.id, &b.key, &a.id, next.clone()).assert_error(403, "wrong_kiosk");
    // A gap in the chain.
    push(s, &a.id, &a.key, &a.id, next[1..].to_vec()).assert_error(409, "chain_broken");
    // An edited record that was already received.
    let mut edited = first.clone();
    edited[1].choices = vec![("b".into(), 1)];
    push(s, &a.id, &a.key, &a.id, edited[1..2].to_vec()).assert_error(409, "chain_broken");
    // A record whose link was forged.
    let mut forged = next.clone();
    forged[0].prev_hash = GENESIS.into();
    push(s, &a.id, &a.key, &a.id, forged).assert_error(409, "chain_broken");
    // A round that is not the partnership's: nothing from the batch is stored.
    let mut unknown = next.clone();
    unknown[1].round_id = uuid::Uuid::now_v7().to_string();
    unknown[1].prev_hash = unknown[0].hash();
    push(s, &a.id, &a.key, &a.id, unknown).assert_error(422, "unknown_round");
    // A record whose tracking code repeats one already received.
    let mut repeated = next.clone();
    repeated[1].tracking_code = first[0].tracking_code.clone();
    repeated[1].prev_hash = repeated[0].hash();
    push(s, &a.id, &a.key, &a.id, repeated).assert_error(409, "duplicate_tracking_code");
    assert_eq!(
        received(s, admin, pid, &a.id),
        3,
        "nothing stored from refused batches"
    );

    // Ballots that break the rules are kept as rejected, with the reason.
    let mut bad = next.clone();
    bad[0].choices = vec![("a".into(), 1), ("b".into(), 1)];
    bad[1].prev_hash = bad[0].hash();
    let r = push(s, &a.id, &a.key, &a.id, bad.clone());
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["acks"][0]["outcome"], "rejected");
    assert_eq!(r.json["acks"][0]["reason"], "over_budget");
    assert_eq!(r.json["acks"][1]["outcome"], "stored");
    let status = s.get(&format!("/api/v1/ballots/{}", bad[0].tracking_code), None);
    assert_eq!(status.json["status"], "rejected");

    // Malformed bodies.
    s.post(
        &format!("/api/v1/kiosk/{}/batches", a.id),
        None,
        json!({"batch": "zz", "signature": "00"}),
    )
    .assert_error(400, "invalid_batch");
    s.post(
        &format!("/api/v1/kiosk/{}/batches", a.id),
        None,
        json!({"nonsense": true}),
    )
    .assert_error(422, "invalid_field");
    s.post(
        "/api/v1/kiosk/not-a-kiosk/batches",
        None,
        json!({"batch": "", "signature": ""}),
    )
    .assert_error(401, "unknown_kiosk");

    // A voting code the round never issued is kept as rejected.
    let mut coded = records(rid, 6, 1, &bad[1].hash());
    coded[0].person = Some(format!("c1:{}", "ab".repeat(32)));
    let r = push(s, &a.id, &a.key, &a.id, coded.clone());
    assert_eq!(r.json["acks"][0]["outcome"], "rejected", "{}", r.text);
    assert_eq!(r.json["acks"][0]["reason"], "invalid_code");

    // A revoked kiosk is refused.
    s.post(
        &format!("/api/v1/kiosks/{}/revoke", a.id),
        Some(admin),
        json!({}),
    );
    let later = records(rid, 7, 1, &coded[0].hash());
    push(s, &a.id, &a.key, &a.id, later).assert_error(403, "kiosk_revoked");
}

fn kiosk_setup(backend: Backend) -> (TestServer, String, String, String) {
    let s = TestServer::start(backend);
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
               "method": {"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": true},
               "rule": "greedy",
               "areas": [{"key": "central", "name": "Central", "budget": 800, "postcodes": ["DN15"]}],
               "eligibility": {"min_age": 16, "mode": "self-declared"}, "languages": ["en"]}),
    );
    let rid = r.json["id"].as_str().unwrap().to_string();
    for (k, c) in [("a", 400), ("b", 500)] {
        s.post(
            &format!("/api/v1/rounds/{rid}/projects"),
            Some(&admin),
            json!({"key": k, "area": "central", "title": format!("Project {k}"), "cost": c}),
        );
    }
    s.post(
        &format!("/api/v1/rounds/{rid}/open"),
        Some(&admin),
        json!({}),
    );
    (s, admin, pid, rid)
}
