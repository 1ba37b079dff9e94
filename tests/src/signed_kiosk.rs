//! A kiosk played by the test: enrolled with a key of its own, it chains ballot records and
//! signs batches of them with the shared sync types, as a real kiosk would, without running
//! one. Much faster than real kiosks when many ballots are needed.

use crate::{Resp, TestServer};
use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use youdecide_shared::sync::{self, Batch, KioskBallot, GENESIS};

/// An enrolled kiosk and the head of its chain of records.
#[derive(Debug, Clone)]
pub struct SignedKiosk {
    /// The kiosk's id on the server.
    pub id: String,
    /// Its name (the turnout channel).
    pub name: String,
    /// Its signing key.
    pub key: SigningKey,
    seq: u64,
    head: String,
}

/// One ballot as a kiosk records it.
#[derive(Debug, Clone)]
pub struct KioskVote {
    /// The round.
    pub round: String,
    /// The voter's area.
    pub area: String,
    /// The voter key.
    pub person: Option<String>,
    /// `(project key, weight)`.
    pub choices: Vec<(String, i64)>,
    /// When it was cast.
    pub cast_at: DateTime<Utc>,
}

impl SignedKiosk {
    /// Registers a kiosk called `name` for partnership `pid` and enrolls it with a key made
    /// from `seed`.
    pub fn enroll(s: &TestServer, admin: &str, pid: &str, name: &str, seed: u8) -> SignedKiosk {
        let k = s.post(
            &format!("/api/v1/partnerships/{pid}/kiosks"),
            Some(admin),
            json!({ "name": name }),
        );
        assert_eq!(k.status, 201, "{}", k.text);
        let code = k.json["enrollment_code"].as_str().unwrap();
        let key = SigningKey::from_bytes(&[seed; 32]);
        let r = s.post(
            "/api/v1/kiosk/enroll",
            None,
            json!({"code": code, "public_key": hex::encode(key.verifying_key().to_bytes())}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        SignedKiosk {
            id: r.json["kiosk_id"].as_str().unwrap().into(),
            name: name.into(),
            key,
            seq: 0,
            head: GENESIS.into(),
        }
    }

    /// Records a ballot: the next link of the chain.
    pub fn record(&mut self, vote: &KioskVote) -> KioskBallot {
        self.seq += 1;
        let id = uuid::Uuid::now_v7().to_string();
        let content = json!(vote.choices).to_string();
        let b = KioskBallot {
            id: id.clone(),
            seq: self.seq,
            prev_hash: self.head.clone(),
            round_id: vote.round.clone(),
            cast_at: vote.cast_at.to_rfc3339(),
            area: vote.area.clone(),
            person: vote.person.clone(),
            choices: vote.choices.clone(),
            language: "en".into(),
            tracking_code: youdecide_shared::codes::tracking_code(
                &id,
                &content,
                uuid::Uuid::new_v4().as_bytes(),
            ),
            assisted: false,
        };
        self.head = b.hash();
        b
    }

    /// A signed batch of consecutive records, as the body to POST.
    pub fn batch(&self, records: &[KioskBallot]) -> Value {
        let batch = Batch {
            kiosk_id: self.id.clone(),
            sent_at: Utc::now().to_rfc3339(),
            ballots: records.to_vec(),
            pending_after: 0,
        };
        serde_json::to_value(sync::sign(&batch, &self.key)).unwrap()
    }

    /// Sends a signed batch to a server.
    pub fn send(&self, s: &TestServer, signed: &Value) -> Resp {
        s.post(
            &format!("/api/v1/kiosk/{}/batches", self.id),
            None,
            signed.clone(),
        )
    }
}
