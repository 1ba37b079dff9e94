//! The sync client: pull the partnership's open rounds (with an ETag), then push unsynced
//! ballots in signed batches, marking as synced exactly what the server acknowledges.

use crate::store::Store;
use ed25519_dalek::SigningKey;
use serde_json::Value;
use std::time::Duration;
use youdecide_shared::sync::{
    self, Batch, BatchReply, MonitoringBatch, MonitoringReply, RoundsRequest,
};

/// Ballots per batch.
pub const BATCH_SIZE: i64 = 500;

/// Why a sync pass stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncFailure {
    /// No answer from the server.
    #[error("the server at {0} cannot be reached: {1}")]
    Unreachable(String, String),
    /// The partnership revoked this kiosk.
    #[error("this kiosk has been revoked by its partnership; it will not sync again")]
    Revoked,
    /// The server refused a request.
    #[error("the server refused the sync: {0}")]
    Refused(String),
    /// The local store failed.
    #[error("{0}")]
    Store(String),
}

/// What a pass did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Report {
    /// Ballots acknowledged in this pass.
    pub acknowledged: usize,
    /// Whether the rounds changed.
    pub rounds_updated: bool,
}

/// Who this kiosk is.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The server's base URL.
    pub server: String,
    /// This kiosk's id.
    pub kiosk_id: String,
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(5))
        .timeout(Duration::from_secs(60))
        .build()
}

fn post(id: &Identity, path: &str, body: &Value) -> Result<(u16, Value), SyncFailure> {
    let url = format!(
        "{}/api/v1/kiosk/{}/{path}",
        id.server.trim_end_matches('/'),
        id.kiosk_id
    );
    match agent().post(&url).send_json(body.clone()) {
        Ok(r) => {
            let status = r.status();
            if status == 304 {
                return Ok((status, Value::Null));
            }
            // An answer cut short must not read as an empty one (no rounds, no acks).
            let v = r.into_json().map_err(|e| {
                SyncFailure::Unreachable(
                    id.server.clone(),
                    format!("the answer was cut short or is not JSON: {e}"),
                )
            })?;
            Ok((status, v))
        }
        Err(ureq::Error::Status(status, r)) => {
            let v: Value = r.into_json().unwrap_or(Value::Null);
            if v["error"]["code"] == "kiosk_revoked" {
                return Err(SyncFailure::Revoked);
            }
            let msg = v["error"]["message"].as_str().unwrap_or("no reason given");
            Err(SyncFailure::Refused(format!("{status}: {msg}")))
        }
        Err(e) => Err(SyncFailure::Unreachable(id.server.clone(), e.to_string())),
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339()
}

/// One full pass: pull rounds, then push until nothing is left or a request fails.
pub fn run_once(
    store: &std::sync::Mutex<Store>,
    key: &SigningKey,
    id: &Identity,
) -> Result<Report, SyncFailure> {
    let lock = || {
        store
            .lock()
            .map_err(|_| SyncFailure::Store("the kiosk store is unavailable".into()))
    };
    let mut report = Report::default();
    let (etag, pending) = {
        let mut s = lock()?;
        let etag = s
            .setting("rounds_etag")
            .map_err(|e| SyncFailure::Store(e.to_string()))?;
        let (_, pending) = s.counts().map_err(|e| SyncFailure::Store(e.to_string()))?;
        (etag, pending)
    };
    let request = RoundsRequest {
        kiosk_id: id.kiosk_id.clone(),
        sent_at: now(),
        etag,
        pending: pending as u64,
    };
    let (status, body) = post(
        id,
        "rounds",
        &serde_json::to_value(sync::sign(&request, key)).unwrap_or_default(),
    )?;
    if status == 200 {
        let rounds = body["rounds"].as_array().cloned().ok_or_else(|| {
            SyncFailure::Refused("the server's answer is not understood: no rounds".into())
        })?;
        let mut s = lock()?;
        s.save_rounds(&rounds)
            .map_err(|e| SyncFailure::Store(e.to_string()))?;
        if let Some(e) = body["etag"].as_str() {
            s.set_setting("rounds_etag", e)
                .map_err(|e| SyncFailure::Store(e.to_string()))?;
        }
        report.rounds_updated = true;
    }
    let held = lock()?
        .rounds()
        .map_err(|e| SyncFailure::Store(e.to_string()))?;
    fetch_images(store, id, &held)?;
    loop {
        let (records, left) = {
            let mut s = lock()?;
            let records = s
                .unsynced(BATCH_SIZE)
                .map_err(|e| SyncFailure::Store(e.to_string()))?;
            let (_, unsynced) = s.counts().map_err(|e| SyncFailure::Store(e.to_string()))?;
            (records, unsynced as u64)
        };
        if records.is_empty() {
            break;
        }
        let n = records.len() as u64;
        let batch = Batch {
            kiosk_id: id.kiosk_id.clone(),
            sent_at: now(),
            ballots: records,
            pending_after: left.saturating_sub(n),
        };
        let signed = sync::sign(&batch, key);
        let (_, body) = post(
            id,
            "batches",
            &serde_json::to_value(signed).unwrap_or_default(),
        )?;
        let reply: BatchReply = serde_json::from_value(body).map_err(|e| {
            SyncFailure::Refused(format!("the server's answer is not understood: {e}"))
        })?;
        let mut s = lock()?;
        s.mark_synced(&reply.acks)
            .map_err(|e| SyncFailure::Store(e.to_string()))?;
        s.set_setting("last_sync_at", &now())
            .map_err(|e| SyncFailure::Store(e.to_string()))?;
        report.acknowledged += reply.acks.len();
        if reply.acks.is_empty() {
            return Err(SyncFailure::Refused(
                "the server acknowledged nothing".into(),
            ));
        }
    }
    push_answers(store, key, id)?;
    lock()?
        .set_setting("last_sync_at", &now())
        .map_err(|e| SyncFailure::Store(e.to_string()))?;
    Ok(report)
}

/// Downloads the projects' images the kiosk does not hold yet (at most 5 MB each) so the
/// screen shows them offline. (A round's images cannot change once it is open.) An image that
/// cannot be fetched now is tried again at the next sync; it never stops one.
fn fetch_images(
    store: &std::sync::Mutex<Store>,
    id: &Identity,
    rounds: &[Value],
) -> Result<(), SyncFailure> {
    let base = id.server.trim_end_matches('/');
    for round in rounds {
        let rid = round["id"].as_str().unwrap_or_default();
        for p in round["projects"].as_array().into_iter().flatten() {
            let (Some(key), Some(url)) = (p["key"].as_str(), p["image_url"].as_str()) else {
                continue;
            };
            let held = store
                .lock()
                .map_err(|_| SyncFailure::Store("the kiosk store is unavailable".into()))?
                .has_image(rid, key)
                .map_err(|e| SyncFailure::Store(e.to_string()))?;
            if held {
                continue;
            }
            let Ok(resp) = agent().get(&format!("{base}{url}")).call() else {
                continue;
            };
            let content_type = resp.content_type().to_string();
            if !content_type.starts_with("image/") {
                continue;
            }
            let mut bytes = Vec::new();
            if std::io::Read::read_to_end(
                &mut std::io::Read::take(resp.into_reader(), 5 * 1024 * 1024 + 1),
                &mut bytes,
            )
            .is_err()
                || bytes.len() > 5 * 1024 * 1024
            {
                continue;
            }
            store
                .lock()
                .map_err(|_| SyncFailure::Store("the kiosk store is unavailable".into()))?
                .save_image(rid, key, &content_type, &bytes)
                .map_err(|e| SyncFailure::Store(e.to_string()))?;
        }
    }
    Ok(())
}

/// Sends the monitoring answers the server does not hold yet, then forgets them (the server's
/// refusals are final: an answer it cannot use is not kept either).
fn push_answers(
    store: &std::sync::Mutex<Store>,
    key: &SigningKey,
    id: &Identity,
) -> Result<(), SyncFailure> {
    let lock = || {
        store
            .lock()
            .map_err(|_| SyncFailure::Store("the kiosk store is unavailable".into()))
    };
    loop {
        let answers = lock()?
            .unsynced_answers(BATCH_SIZE)
            .map_err(|e| SyncFailure::Store(e.to_string()))?;
        if answers.is_empty() {
            return Ok(());
        }
        let batch = MonitoringBatch {
            kiosk_id: id.kiosk_id.clone(),
            sent_at: now(),
            answers,
        };
        let (_, body) = post(
            id,
            "monitoring",
            &serde_json::to_value(sync::sign(&batch, key)).unwrap_or_default(),
        )?;
        let reply: MonitoringReply = serde_json::from_value(body).map_err(|e| {
            SyncFailure::Refused(format!("the server's answer is not understood: {e}"))
        })?;
        let done: Vec<String> = reply
            .stored
            .into_iter()
            .chain(reply.refused.into_iter().map(|(id, _)| id))
            .collect();
        if done.is_empty() {
            return Err(SyncFailure::Refused(
                "the server took none of the monitoring answers".into(),
            ));
        }
        lock()?
            .answers_done(&done)
            .map_err(|e| SyncFailure::Store(e.to_string()))?;
    }
}

/// The wait before the next attempt after `failures` failures in a row: doubling from 2 s,
/// capped at 5 minutes, with up to 25% random jitter.
pub fn backoff(failures: u32) -> Duration {
    let base = 2u64.saturating_mul(1 << failures.min(8)).min(300);
    let jitter = rand::random::<u64>() % (base * 250 + 1);
    Duration::from_millis(base * 1000 - jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(0) <= Duration::from_secs(2) && backoff(0) >= Duration::from_millis(1500));
        assert!(backoff(3) <= Duration::from_secs(16) && backoff(3) >= Duration::from_secs(12));
        assert!(backoff(30) <= Duration::from_secs(300) && backoff(30) >= Duration::from_secs(225));
    }
}
