//! Taking a ballot at the kiosk: the same shared rules as the server, against the kiosk's
//! offline copy of the round, then one durable append to the log.

use crate::store::{Draft, Store, StoreError};
use serde_json::Value;
use youdecide_shared::ballot::{self, BallotBody, BallotError, ProjectRef};
use youdecide_shared::round::RoundSpec;
use youdecide_shared::sync::KioskBallot;
use youdecide_shared::voter_key;

/// Why a ballot was not taken.
#[derive(Debug, thiserror::Error)]
pub enum VoteError {
    /// The body is not a ballot.
    #[error("{0}")]
    Malformed(String),
    /// No such round on this kiosk.
    #[error("This kiosk has no round with that id. Ask the attendant.")]
    UnknownRound,
    /// The ballot breaks a rule.
    #[error("{0}")]
    Invalid(BallotError),
    /// Already voted here.
    #[error("You have already voted in this round. Each person can vote once.")]
    AlreadyVoted,
    /// The store failed.
    #[error("The ballot could not be saved: {0}")]
    Store(StoreError),
    /// The attendant has closed the kiosk for the day.
    #[error("This kiosk is closed for today. Thank you for coming.")]
    Closed,
    /// An attended-mode round needs the attendant to issue the ballot.
    #[error("Please ask the attendant to check that you can vote and to start your ballot.")]
    AttendantNeeded,
}

/// Voter keys derived at the details step, kept a few minutes so that confirming the ballot
/// does not wait for argon2id again. Keyed by a hash of the round and identity; holds only the
/// derived key, in memory.
static RECENT_KEYS: std::sync::Mutex<Vec<(String, Option<String>, std::time::Instant)>> =
    std::sync::Mutex::new(Vec::new());

fn cache_key(round_id: &str, identity: &ballot::Identity) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(format!("{round_id}\u{1f}{identity:?}")))
}

/// The voter key for an identity, from the recent cache or freshly derived.
fn person_for(
    round_id: &str,
    identity: &ballot::Identity,
    salt: &str,
) -> Result<Option<String>, VoteError> {
    let key = cache_key(round_id, identity);
    let fresh = std::time::Duration::from_secs(15 * 60);
    if let Ok(mut cache) = RECENT_KEYS.lock() {
        cache.retain(|(_, _, at)| at.elapsed() < fresh);
        if let Some((_, person, _)) = cache.iter().find(|(k, _, _)| *k == key) {
            return Ok(person.clone());
        }
    }
    let person =
        voter_key::derive(identity, salt).map_err(|e| VoteError::Malformed(e.to_string()))?;
    if let Ok(mut cache) = RECENT_KEYS.lock() {
        if cache.len() >= 64 {
            cache.remove(0);
        }
        cache.push((key, person.clone(), std::time::Instant::now()));
    }
    Ok(person)
}

/// The round's definition from its stored JSON.
pub fn spec_of(round: &Value) -> Option<RoundSpec> {
    let mut v = serde_json::Map::new();
    for k in [
        "title",
        "description",
        "opens_at",
        "closes_at",
        "method",
        "rule",
        "areas",
        "eligibility",
        "languages",
    ] {
        v.insert(k.into(), round.get(k)?.clone());
    }
    serde_json::from_value(Value::Object(v)).ok()
}

/// The projects' facts from the round's stored JSON.
pub fn projects_of(round: &Value) -> Vec<ProjectRef> {
    round["projects"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter_map(|p| {
                    Some(ProjectRef {
                        key: p["key"].as_str()?.into(),
                        area: p["area"].as_str()?.into(),
                        cost: p["cost"].as_i64()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Checks who is voting before they choose projects: `{"round", "eligibility", "language"}`.
/// Returns the voter's area key; refuses someone who already voted at this kiosk.
pub fn check(store: &mut Store, body: &[u8]) -> Result<String, VoteError> {
    #[derive(serde::Deserialize)]
    struct Req {
        round: String,
        eligibility: ballot::EligibilityClaim,
        #[serde(default = "english")]
        language: String,
    }
    fn english() -> String {
        "en".into()
    }
    let req: Req = serde_json::from_slice(body)
        .map_err(|e| VoteError::Malformed(format!("The request is not valid: {e}.")))?;
    let round = store
        .round(&req.round)
        .map_err(VoteError::Store)?
        .ok_or(VoteError::UnknownRound)?;
    let spec = spec_of(&round).ok_or(VoteError::UnknownRound)?;
    if crate::attendant::is_closed(store).map_err(VoteError::Store)? {
        return Err(VoteError::Closed);
    }
    let (area, _, identity) = ballot::check_eligibility(
        &req.eligibility,
        &req.language,
        &spec,
        true,
        chrono::Utc::now(),
    )
    .map_err(VoteError::Invalid)?;
    let salt = round["voter_key_salt"].as_str().unwrap_or_default();
    let person = person_for(&req.round, &identity, salt)?;
    if let Some(p) = person {
        if store.has_person(&req.round, &p).map_err(VoteError::Store)? {
            return Err(VoteError::AlreadyVoted);
        }
    }
    Ok(area)
}

/// Checks a request `{"round": RID, …ballot…}` and appends it to the log.
pub fn cast(store: &mut Store, body: &[u8]) -> Result<KioskBallot, VoteError> {
    let mut v: Value = serde_json::from_slice(body)
        .map_err(|e| VoteError::Malformed(format!("The request is not valid JSON: {e}.")))?;
    let round_id = v
        .as_object_mut()
        .and_then(|o| o.remove("round"))
        .and_then(|r| r.as_str().map(str::to_string))
        .ok_or_else(|| VoteError::Malformed("round: the round's id is missing.".into()))?;
    let body: BallotBody = serde_json::from_value(v)
        .map_err(|e| VoteError::Malformed(format!("The ballot is not valid: {e}.")))?;
    let round = store
        .round(&round_id)
        .map_err(VoteError::Store)?
        .ok_or(VoteError::UnknownRound)?;
    let spec = spec_of(&round).ok_or(VoteError::UnknownRound)?;
    if crate::attendant::is_closed(store).map_err(VoteError::Store)? {
        return Err(VoteError::Closed);
    }
    let valid = ballot::validate(&body, &spec, &projects_of(&round), true, chrono::Utc::now())
        .map_err(VoteError::Invalid)?;
    let attended = valid.identity == ballot::Identity::Attended;
    if attended && crate::attendant::attended_allowance(store).map_err(VoteError::Store)? < 1 {
        return Err(VoteError::AttendantNeeded);
    }
    let salt = round["voter_key_salt"].as_str().unwrap_or_default();
    let person = person_for(&round_id, &valid.identity, salt)?;
    let assisted = crate::attendant::assisted_session(store).map_err(VoteError::Store)?;
    let record = store
        .append(Draft {
            round_id,
            area: valid.area,
            person,
            choices: valid.choices,
            language: valid.language,
            assisted,
        })
        .map_err(|e| match e {
            StoreError::AlreadyVoted => VoteError::AlreadyVoted,
            other => VoteError::Store(other),
        })?;
    if attended {
        crate::attendant::add_attended(store, -1).map_err(VoteError::Store)?;
    }
    if assisted {
        crate::attendant::set_assisted_session(store, false).map_err(VoteError::Store)?;
    }
    Ok(record)
}
