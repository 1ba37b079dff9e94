//! The kiosk sync protocol's messages and checks, shared by kiosk and server.
//!
//! Each kiosk keeps an append-only log of ballots. Every record carries a UUID made on the
//! kiosk, a per-kiosk sequence number and the hash of the record before it, so a deleted or
//! edited record breaks the chain. The kiosk pushes unsynced records in batches; a batch is
//! sent as its exact JSON bytes with an ed25519 signature over them, so nothing has to agree on a
//! canonical re-encoding. The server checks the signature, the chain's continuity from the last
//! record it holds, and each ballot, stores each ballot once by UUID, and answers per ballot.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// The hash before a kiosk's first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One ballot in a kiosk's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskBallot {
    /// UUID chosen on the kiosk.
    pub id: String,
    /// Position in the kiosk's log, from 1.
    pub seq: u64,
    /// Hash of the previous record ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// The round.
    pub round_id: String,
    /// When it was cast (RFC 3339, kiosk clock).
    pub cast_at: String,
    /// The voter's area.
    pub area: String,
    /// Voter key or code hash; `None` for attended ballots.
    pub person: Option<String>,
    /// `(project key, weight)` pairs.
    pub choices: Vec<(String, i64)>,
    /// Language used.
    pub language: String,
    /// The receipt's tracking code.
    pub tracking_code: String,
    /// Cast with the attendant's help (an assisted session); left out of the encoding when
    /// false, so older records keep their hashes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assisted: bool,
}

impl KioskBallot {
    /// This record's hash: SHA-256 over its JSON encoding (fields in declaration order).
    pub fn hash(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(bytes))
    }
}

/// A batch of records from one kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// The kiosk's id.
    pub kiosk_id: String,
    /// When the kiosk sent it (RFC 3339, kiosk clock).
    pub sent_at: String,
    /// Consecutive records, oldest first.
    pub ballots: Vec<KioskBallot>,
    /// How many records the kiosk still holds unsent after this batch.
    #[serde(default)]
    pub pending_after: u64,
}

/// A kiosk's signed request for its rounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundsRequest {
    /// The kiosk's id.
    pub kiosk_id: String,
    /// When the kiosk sent it (RFC 3339, kiosk clock).
    pub sent_at: String,
    /// The ETag of the copy the kiosk holds.
    #[serde(default)]
    pub etag: Option<String>,
    /// How many ballots the kiosk holds unsent.
    #[serde(default)]
    pub pending: u64,
}

/// One person's equality monitoring answers taken at a kiosk: a random id (so a retry stores
/// them once), the round and the day; never a ballot, a person or a time of day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskAnswers {
    /// A random UUID chosen on the kiosk.
    pub id: String,
    /// The round.
    pub round_id: String,
    /// The day answered (`YYYY-MM-DD`).
    pub day: String,
    /// Age band.
    #[serde(default)]
    pub age_band: Option<String>,
    /// Sex.
    #[serde(default)]
    pub sex: Option<String>,
    /// Ethnic group.
    #[serde(default)]
    pub ethnic_group: Option<String>,
    /// Disability.
    #[serde(default)]
    pub disability: Option<String>,
    /// "Can you influence decisions affecting your local area?"
    #[serde(default)]
    pub influence: Option<String>,
}

/// A kiosk's signed batch of monitoring answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringBatch {
    /// The kiosk's id.
    pub kiosk_id: String,
    /// When the kiosk sent it (RFC 3339, kiosk clock).
    pub sent_at: String,
    /// The answers.
    pub answers: Vec<KioskAnswers>,
}

/// The server's answer to a monitoring batch: the ids it holds (stored now or before) and
/// those it refused, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringReply {
    /// Held by the server.
    pub stored: Vec<String>,
    /// Refused (an unknown round, an answer not offered): `(id, reason)`.
    #[serde(default)]
    pub refused: Vec<(String, String)>,
}

/// A batch as sent: its exact JSON bytes (hex) and the signature over them (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedBatch {
    /// The batch's JSON, hex-encoded.
    pub batch: String,
    /// ed25519 signature over those bytes, hex-encoded.
    pub signature: String,
}

/// What the server did with one ballot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// The ballot's UUID.
    pub id: String,
    /// `stored`, `duplicate` (already held: fine) or `rejected` (stored as rejected).
    pub outcome: String,
    /// Why it was rejected.
    #[serde(default)]
    pub reason: Option<String>,
}

/// The server's answer to a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchReply {
    /// Per ballot, in the batch's order. Every ballot listed is held by the server.
    pub acks: Vec<Ack>,
    /// The highest sequence number the server holds for this kiosk.
    pub head_seq: u64,
}

/// Why a batch was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SyncError {
    /// Not hex, or not a batch.
    #[error("the batch is not well formed: {0}")]
    Malformed(String),
    /// The signature does not verify with the kiosk's key.
    #[error("the batch's signature does not match this kiosk's key")]
    BadSignature,
    /// The batch names another kiosk.
    #[error("the batch was signed for another kiosk")]
    WrongKiosk,
    /// The batch holds more than [`MAX_BATCH_BALLOTS`] ballots.
    #[error("a batch may hold at most {MAX_BATCH_BALLOTS} ballots")]
    TooLarge,
    /// A record does not follow the one before it.
    #[error("the chain is broken at record {seq}: {problem}")]
    BrokenChain {
        /// Where.
        seq: u64,
        /// What.
        problem: String,
    },
}

/// Signs a message (a batch or a rounds request) with the kiosk's key.
pub fn sign<T: Serialize>(message: &T, key: &SigningKey) -> SignedBatch {
    let bytes = serde_json::to_vec(message).unwrap_or_default();
    let signature = key.sign(&bytes);
    SignedBatch {
        batch: hex::encode(&bytes),
        signature: hex::encode(signature.to_bytes()),
    }
}

/// Checks the signature and decodes the message.
pub fn open<T: serde::de::DeserializeOwned>(
    signed: &SignedBatch,
    key: &VerifyingKey,
) -> Result<T, SyncError> {
    let bytes = hex::decode(&signed.batch).map_err(|e| SyncError::Malformed(e.to_string()))?;
    let sig_bytes: [u8; 64] = hex::decode(&signed.signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(SyncError::BadSignature)?;
    key.verify(&bytes, &Signature::from_bytes(&sig_bytes))
        .map_err(|_| SyncError::BadSignature)?;
    serde_json::from_slice(&bytes).map_err(|e| SyncError::Malformed(e.to_string()))
}

/// The most ballots one batch may hold.
pub const MAX_BATCH_BALLOTS: usize = 5000;

/// Checks a decoded batch before anything is stored: it names `kiosk_id`, holds at most
/// [`MAX_BATCH_BALLOTS`] ballots, and its records are linked to one another.
pub fn check_batch(batch: &Batch, kiosk_id: &str) -> Result<(), SyncError> {
    if batch.kiosk_id != kiosk_id {
        return Err(SyncError::WrongKiosk);
    }
    if batch.ballots.len() > MAX_BATCH_BALLOTS {
        return Err(SyncError::TooLarge);
    }
    check_links(&batch.ballots)
}

/// Turns a request body into a verified batch, as the server does: the signed envelope, the
/// signature with the kiosk's `key`, the batch itself, then [`check_batch`].
pub fn decode_batch(body: &[u8], key: &VerifyingKey, kiosk_id: &str) -> Result<Batch, SyncError> {
    let signed: SignedBatch =
        serde_json::from_slice(body).map_err(|e| SyncError::Malformed(e.to_string()))?;
    let batch: Batch = open(&signed, key)?;
    check_batch(&batch, kiosk_id)?;
    Ok(batch)
}

/// Parses a hex public key.
pub fn verifying_key(hex_key: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(hex_key).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// The highest sequence number a record may have (the server stores them as signed 64-bit
/// integers).
pub const MAX_SEQ: u64 = i64::MAX as u64;

/// Checks that `records` continue a chain whose last held record is `(seq, hash)` (`(0,
/// GENESIS)` when the server holds none). Records the server already holds may be resent: they
/// must match the held chain, which the caller checks by id; here a batch may start at any
/// `seq <= held + 1` as long as it is internally linked and its first record links to a record
/// the caller confirms. Returns the index of the first record that is new.
pub fn check_links(records: &[KioskBallot]) -> Result<(), SyncError> {
    if let Some(r) = records.iter().find(|r| r.seq > MAX_SEQ) {
        return Err(SyncError::BrokenChain {
            seq: r.seq,
            problem: format!("sequence numbers go up to {MAX_SEQ}"),
        });
    }
    for pair in records.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if b.seq != a.seq + 1 {
            return Err(SyncError::BrokenChain {
                seq: b.seq,
                problem: format!("expected record {} after {}", a.seq + 1, a.seq),
            });
        }
        if b.prev_hash != a.hash() {
            return Err(SyncError::BrokenChain {
                seq: b.seq,
                problem: "it does not hold the hash of the record before it".into(),
            });
        }
    }
    if let Some(first) = records.first() {
        if first.seq == 0 {
            return Err(SyncError::BrokenChain {
                seq: 0,
                problem: "sequence numbers start at 1".into(),
            });
        }
        if first.seq == 1 && first.prev_hash != GENESIS {
            return Err(SyncError::BrokenChain {
                seq: 1,
                problem: "the first record must follow the genesis hash".into(),
            });
        }
    }
    Ok(())
}

/// Verifies a whole log from its first record (used by the kiosk's self-check).
pub fn verify_log(records: &[KioskBallot]) -> Result<(), SyncError> {
    if let Some(first) = records.first() {
        if first.seq != 1 {
            return Err(SyncError::BrokenChain {
                seq: first.seq,
                problem: "the log does not start at record 1".into(),
            });
        }
    }
    check_links(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<KioskBallot> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let b = KioskBallot {
                    id: format!("id-{seq}"),
                    seq,
                    prev_hash: prev.clone(),
                    round_id: "r".into(),
                    cast_at: "2027-03-05T12:00:00Z".into(),
                    area: "central".into(),
                    person: Some(format!("v1:{seq}")),
                    choices: vec![("a".into(), 1)],
                    language: "en".into(),
                    tracking_code: "AAAA-BBBB-CCCC-DDDD".into(),
                    assisted: false,
                };
                prev = b.hash();
                b
            })
            .collect()
    }

    #[test]
    fn signed_batches_verify_and_tampering_is_caught() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let other = SigningKey::from_bytes(&[8u8; 32]);
        let batch = Batch {
            kiosk_id: "k".into(),
            sent_at: "2027-03-05T12:00:00Z".into(),
            ballots: chain(3),
            pending_after: 0,
        };
        let signed = sign(&batch, &key);
        assert_eq!(open::<Batch>(&signed, &key.verifying_key()).unwrap(), batch);
        assert_eq!(
            open::<Batch>(&signed, &other.verifying_key()),
            Err(SyncError::BadSignature)
        );
        let mut tampered = signed.clone();
        let mut bytes = hex::decode(&tampered.batch).unwrap();
        let i = bytes.iter().position(|b| *b == b'a').unwrap();
        bytes[i] = b'b';
        tampered.batch = hex::encode(bytes);
        assert_eq!(
            open::<Batch>(&tampered, &key.verifying_key()),
            Err(SyncError::BadSignature)
        );
        let key_hex = hex::encode(key.verifying_key().to_bytes());
        assert_eq!(verifying_key(&key_hex), Some(key.verifying_key()));
        assert_eq!(verifying_key("zz"), None);
    }

    #[test]
    fn chains_detect_gaps_edits_and_deletions() {
        let log = chain(5);
        assert!(verify_log(&log).is_ok());
        let mut edited = log.clone();
        edited[2].choices = vec![("b".into(), 1)];
        assert!(matches!(
            verify_log(&edited),
            Err(SyncError::BrokenChain { seq: 4, .. })
        ));
        let mut deleted = log.clone();
        deleted.remove(2);
        assert!(matches!(
            verify_log(&deleted),
            Err(SyncError::BrokenChain { seq: 4, .. })
        ));
        assert!(check_links(&log[2..]).is_ok(), "a batch may start mid-log");
        assert!(verify_log(&log[2..]).is_err(), "a whole log starts at 1");
    }
}
