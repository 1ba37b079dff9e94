//! Voting through the JSON API: cast a ballot, check a receipt, issue voting codes, and give
//! equality monitoring answers.

use super::rounds::parse_body;
use super::session_api::client_address;
use crate::accounts::Role;
use crate::app::AppState;
use crate::audit::{self, Actor, Entry};
use crate::auth::Caller;
use crate::ballots::{codes, online, poll_cards, store, tracking};
use crate::error::AppError;
use crate::microcache;
use crate::rounds::{store as rounds_store, Round, RoundStatus};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use youdecide_shared::ballot::{self, BallotBody, BallotError, ProjectRef};
use youdecide_shared::round::{EligibilityMode, FieldError};
use youdecide_shared::{monitoring, voter_key};

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/rounds/{rid}/ballots", web::post().to(cast))
        .route("/rounds/{rid}/codes", web::post().to(issue_codes))
        .route("/rounds/{rid}/poll-cards", web::post().to(poll_cards))
        .route("/rounds/{rid}/monitoring", web::post().to(add_monitoring))
        .route("/ballots/{code}", web::get().to(receipt));
}

/// The HTTP error for a refused ballot: 409 when voting is closed, else 422.
pub fn ballot_error(e: BallotError) -> AppError {
    match e {
        BallotError::RoundNotOpen | BallotError::OutsideVotingDates => {
            AppError::conflict(e.code(), e.to_string())
        }
        other => AppError::invalid(other.code(), other.to_string()),
    }
}

async fn load_public(state: &AppState, rid: &str) -> Result<Round, AppError> {
    let rid = rid.to_string();
    state
        .db
        .run(move |conn| rounds_store::load(conn, &rid))
        .await?
        .filter(|r| r.status.is_public())
        .ok_or_else(|| AppError::not_found("There is no such round."))
}

/// The round a ballot is cast in: an open round's definition comes from the short-lived cache
/// (it cannot change while open); whether it is still open is checked again when the ballot is
/// written ([`crate::ballots::group_commit`]).
async fn load_for_voting(state: &AppState, rid: &str) -> Result<std::sync::Arc<Round>, AppError> {
    let key = format!("open-round:{rid}");
    if let Some(round) = microcache::get::<Round>(&key) {
        return Ok(round);
    }
    let round = std::sync::Arc::new(load_public(state, rid).await?);
    if round.status == RoundStatus::Open {
        microcache::put(key, round.clone());
    }
    Ok(round)
}

/// The project facts the ballot rules need.
pub fn project_refs(round: &Round) -> Vec<ProjectRef> {
    round
        .projects
        .iter()
        .map(|p| ProjectRef {
            key: p.key.clone(),
            area: p.area_key.clone(),
            cost: p.cost,
        })
        .collect()
}

async fn cast(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let body: BallotBody = parse_body(&body)?;
    let round = load_for_voting(&state, &path).await?;
    let tracking_code = online::cast_online(&state, client_address(&req), &round, body).await?;
    Ok(HttpResponse::Created().json(json!({ "tracking_code": tracking_code })))
}

async fn receipt(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let not_found = || {
        AppError::not_found(
            "No ballot has this tracking code. Check the code on your receipt and try again.",
        )
    };
    let code = tracking::normalise(&path).ok_or_else(not_found)?;
    let status = state
        .db
        .run(move |conn| store::status_by_tracking(conn, &code))
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok().json(json!({ "status": status })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeRequest {
    count: u32,
}

async fn issue_codes(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (_, plain) = issue(&state, &caller, path.into_inner(), &body).await?;
    Ok(HttpResponse::Created().json(json!({ "codes": plain })))
}

/// Issues new codes and answers with their poll cards as a PDF (the only copy of the codes).
async fn poll_cards(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (round, plain) = issue(&state, &caller, path.into_inner(), &body).await?;
    let vote_url = {
        let info = req.connection_info();
        format!(
            "{}://{}/rounds/{}/vote",
            info.scheme(),
            info.host(),
            round.row.id
        )
    };
    let title = round.spec.title.clone();
    let pdf = web::block(move || poll_cards::render(&title, &vote_url, &plain))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("poll card task failed: {e}")))?;
    Ok(HttpResponse::Created()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"poll-cards.pdf\"",
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(pdf))
}

/// Checks the request and the round, makes `count` codes, and stores their hashes.
async fn issue(
    state: &AppState,
    caller: &Caller,
    rid: String,
    body: &[u8],
) -> Result<(Round, Vec<String>), AppError> {
    let round = {
        let rid = rid.clone();
        state
            .db
            .run(move |conn| rounds_store::load(conn, &rid))
            .await?
            .ok_or_else(|| AppError::not_found("There is no such round."))?
    };
    let pid = round
        .row
        .partnership_id
        .parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("bad partnership id")))?;
    caller.require(state, pid, Role::Officer).await?;
    let req: CodeRequest = parse_body(body)?;
    if req.count == 0 || req.count > codes::MAX_PER_REQUEST {
        return Err(AppError::invalid_fields(
            "invalid_field",
            "",
            &[FieldError::new(
                "count",
                format!("must be between 1 and {}", codes::MAX_PER_REQUEST),
            )],
        ));
    }
    if round.spec.eligibility.mode != EligibilityMode::Code {
        return Err(AppError::conflict(
            "codes_not_used",
            "This round does not use voting codes: its eligibility mode is not \"code\".",
        ));
    }
    if !matches!(round.status, RoundStatus::Draft | RoundStatus::Open) {
        return Err(AppError::conflict(
            "round_finished",
            format!(
                "Voting codes can be issued while a round is a draft or open; this round is {}.",
                round.status
            ),
        ));
    }
    let plain: Vec<String> = (0..req.count).map(|_| codes::new_code()).collect();
    let salt = round.row.voter_key_salt.clone();
    let hashes: Vec<String> = plain
        .iter()
        .map(|c| voter_key::code_hash(&ballot::normalise_code(c), &salt))
        .collect();
    let actor = Actor {
        id: Some(caller.user.id.clone()),
        email: caller.user.email.clone(),
    };
    let count = req.count;
    let (rid2, pid2) = (round.row.id.clone(), round.row.partnership_id.clone());
    state
        .db
        .run(move |conn| {
            conn.write(|conn| {
                store::insert_code_hashes(conn, &rid2, &hashes)?;
                audit::record(
                    conn,
                    &actor,
                    Entry {
                        partnership_id: &pid2,
                        action: "codes.create",
                        subject_type: "round",
                        subject_id: &rid2,
                        before: None,
                        after: Some(json!({ "count": count })),
                    },
                )
            })
        })
        .await?;
    tracing::info!(round = %rid, count, "voting codes issued");
    Ok((round, plain))
}

async fn add_monitoring(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let round = load_public(&state, &path).await?;
    if round.status != RoundStatus::Open {
        return Err(ballot_error(BallotError::RoundNotOpen));
    }
    let m: store::Monitoring = parse_body(&body)?;
    check_monitoring(&m)?;
    let rid = round.row.id.clone();
    state
        .db
        .run(move |conn| store::insert_monitoring(conn, &rid, &m))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Refuses monitoring answers a question does not accept (422 `invalid_monitoring`).
pub(crate) fn check_monitoring(m: &store::Monitoring) -> Result<(), AppError> {
    let errors: Vec<FieldError> = m
        .answers()
        .into_iter()
        .filter_map(|(field, value)| {
            let v = value?;
            (!monitoring::accepts(field, v)).then(|| {
                FieldError::new(
                    field,
                    format!("must be one of {}", monitoring::answers(field).join(", ")),
                )
            })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid_fields("invalid_monitoring", "", &errors))
    }
}
