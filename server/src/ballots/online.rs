//! Casting a ballot online, shared by the JSON API and the voting pages: the ballot rules, the
//! voting code check (with its rate limit), the voter key (argon2id, off the executor), and the
//! insert with the "one person, one ballot" check (written in groups: see
//! [`crate::ballots::group_commit`]).

use crate::app::AppState;
use crate::auth::rate_limit;
use crate::ballots::{store, tracking};
use crate::error::AppError;
use crate::rounds::{Round, RoundStatus};
use crate::routes::ballots::{ballot_error, project_refs};
use actix_web::web;
use serde_json::json;
use youdecide_shared::ballot::{self, BallotBody, Identity};
use youdecide_shared::voter_key;

/// At most one argon2id derivation per core at a time: each needs 19 MiB of memory traffic,
/// and more at once than there are cores only thrash the caches (32 at once on 2 cores gave a
/// quarter less throughput than 2 at a time).
fn argon_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    })
}

/// The voter key for an identity (argon2id for self-declared ones), on the blocking pool and
/// never more at once than there are cores.
pub async fn derive_key(identity: Identity, salt: String) -> Result<Option<String>, AppError> {
    let _permit = match identity {
        Identity::SelfDeclared { .. } => Some(
            argon_permits()
                .acquire()
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("argon2id permits closed: {e}")))?,
        ),
        _ => None,
    };
    web::block(move || voter_key::derive(&identity, &salt))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("voter key task failed: {e}")))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}

/// The refusal for a voting code that was not issued for the round.
pub fn invalid_code() -> AppError {
    AppError::invalid(
        "invalid_code",
        "This voting code was not issued for this round. Check it against your poll card.",
    )
}

/// Checks that a normalised voting code was issued for the round, counting failed guesses
/// from `address` (429 once there are too many).
pub async fn check_code(
    state: &AppState,
    address: String,
    round: &Round,
    code: &str,
) -> Result<(), AppError> {
    let hash = voter_key::code_hash(code, &round.row.voter_key_salt);
    let rid = round.row.id.clone();
    state
        .db
        .run(move |conn| {
            rate_limit::check_code_guesses(conn, &rid, &address)?;
            if store::code_issued(conn, &rid, &hash)? {
                return Ok(());
            }
            rate_limit::record_code_guess(conn, &rid, &address)?;
            Err(invalid_code())
        })
        .await
}

/// Validates and stores an online ballot for `round` from a client at `address`; returns the
/// receipt's tracking code. Refusals: the ballot rules (409 when voting is closed, else 422),
/// `invalid_code` (422), too many code guesses (429) and `already_voted` (409).
pub async fn cast_online(
    state: &AppState,
    address: String,
    round: &Round,
    body: BallotBody,
) -> Result<String, AppError> {
    let now = chrono::Utc::now();
    let valid = ballot::validate(
        &body,
        &round.spec,
        &project_refs(round),
        round.status == RoundStatus::Open,
        now,
    )
    .map_err(ballot_error)?;
    if let Identity::Code(code) = &valid.identity {
        check_code(state, address, round, code).await?;
    }
    let rid = round.row.id.clone();
    let salt = round.row.voter_key_salt.clone();
    let person = derive_key(valid.identity.clone(), salt).await?;
    let id = uuid::Uuid::now_v7().to_string();
    let tracking_code = tracking::new_code(&id, &json!(valid.choices).to_string());
    let new = store::NewBallot {
        id,
        round_id: rid,
        area_key: valid.area.clone(),
        channel: store::Channel::Online,
        kiosk_id: None,
        person,
        cast_at: crate::accounts::now(),
        choices: valid.choices.clone(),
        language: valid.language.clone(),
        tracking_code: tracking_code.clone(),
        assisted: false,
    };
    state.ballots.insert(new).await?;
    Ok(tracking_code)
}
