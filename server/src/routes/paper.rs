//! Paper ballots through the JSON API: batches, keying each sheet in two passes by two
//! officers, the differences between the passes, and reconciliation into ballots.

use super::rounds::{actor, load_managed, parse_body};
use crate::accounts::{now, Role};
use crate::app::AppState;
use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::error::AppError;
use crate::paper::{self, store, KeyedSheet};
use crate::rounds::Round;
use crate::routes::ballots::project_refs;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use youdecide_shared::round::FieldError;

/// Registers the routes (under `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/rounds/{rid}/paper-batches", web::post().to(create))
        .route("/rounds/{rid}/paper-batches", web::get().to(list))
        .route("/paper-batches/{bid}", web::get().to(show))
        .route("/paper-batches/{bid}/sheets", web::post().to(key))
        .route("/paper-batches/{bid}/reconcile", web::post().to(reconcile));
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewBatch {
    place: String,
    collected_at: String,
    collected_by: String,
    sheets: i64,
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let nb: NewBatch = parse_body(&body)?;
    let batch = create_batch(
        &state,
        &caller,
        &path,
        nb.place,
        &nb.collected_at,
        nb.collected_by,
        nb.sheets,
    )
    .await?;
    Ok(HttpResponse::Created().json(batch.to_json()))
}

/// Records a batch (also used by the officer pages).
pub(crate) async fn create_batch(
    state: &AppState,
    caller: &Caller,
    rid: &str,
    place: String,
    collected_at: &str,
    collected_by: String,
    sheets: i64,
) -> Result<store::Batch, AppError> {
    let round = load_managed(state, caller, rid, Role::Officer).await?;
    paper::require_round_takes_paper(&round)?;
    let mut errors = Vec::new();
    let (place, collected_by) = (place.trim().to_string(), collected_by.trim().to_string());
    if place.is_empty() || place.chars().count() > 200 {
        errors.push(FieldError::new(
            "place",
            "enter where the sheets were collected (up to 200 characters)",
        ));
    }
    if collected_by.is_empty() || collected_by.chars().count() > 200 {
        errors.push(FieldError::new(
            "collected_by",
            "enter who collected them (up to 200 characters)",
        ));
    }
    if !(1..=10_000).contains(&sheets) {
        errors.push(FieldError::new("sheets", "must be from 1 to 10,000"));
    }
    let at = DateTime::parse_from_rfc3339(collected_at.trim()).map(|t| t.with_timezone(&Utc));
    match at {
        Err(_) => errors.push(FieldError::new(
            "collected_at",
            "must be a date and time like 2026-05-02T15:00:00+01:00",
        )),
        Ok(t) if t < round.spec.opens_at || t > round.spec.closes_at || t > Utc::now() => errors
            .push(FieldError::new(
                "collected_at",
                "must be while voting was open, and not in the future",
            )),
        Ok(_) => {}
    }
    if !errors.is_empty() {
        return Err(AppError::invalid_fields("invalid_batch", "", &errors));
    }
    let batch = store::Batch {
        id: uuid::Uuid::now_v7().to_string(),
        round_id: round.row.id.clone(),
        place,
        collected_at: at.map(|t| t.naive_utc()).unwrap_or_default(),
        collected_by,
        sheets,
        status: "keying".into(),
        first_keyer: None,
        second_keyer: None,
        created_at: now(),
        created_by: caller.user.email.clone(),
        reconciled_at: None,
        reconciled_by: None,
    };
    let actor = actor(caller);
    let (b, pid) = (batch.clone(), round.row.partnership_id.clone());
    state
        .db
        .run(move |conn| {
            conn.write(|conn| {
                store::create(conn, &b)?;
                audit::record(
                    conn,
                    &actor,
                    Entry {
                        partnership_id: &pid,
                        action: "paper.batch",
                        subject_type: "round",
                        subject_id: &b.round_id,
                        before: None,
                        after: Some(b.to_json()),
                    },
                )
            })
        })
        .await?;
    Ok(batch)
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let round = load_managed(&state, &caller, &path, Role::Officer).await?;
    let batches = state
        .db
        .run(move |conn| store::list(conn, &round.row.id))
        .await?;
    let list: Vec<Value> = batches.iter().map(store::Batch::to_json).collect();
    Ok(HttpResponse::Ok().json(json!({ "batches": list })))
}

/// A batch with its round, after checking the caller is an officer of its partnership.
pub(crate) async fn load_batch(
    state: &AppState,
    caller: &Caller,
    bid: &str,
) -> Result<(store::Batch, Round), AppError> {
    let id = bid.to_string();
    let batch = state
        .db
        .run(move |conn| store::find(conn, &id))
        .await?
        .ok_or_else(|| AppError::not_found("There is no such paper batch."))?;
    let round = load_managed(state, caller, &batch.round_id, Role::Officer).await?;
    Ok((batch, round))
}

/// The batch with each pass's progress, the sheets keyed (outcomes only) and the differences.
pub(crate) async fn batch_view(
    state: &AppState,
    caller: &Caller,
    bid: &str,
) -> Result<(store::Batch, Round, Value), AppError> {
    let (batch, round) = load_batch(state, caller, bid).await?;
    let id = batch.id.clone();
    let sheets = state.db.run(move |conn| store::sheets(conn, &id)).await?;
    let mut v = batch.to_json();
    let keyed = |pass: i64| sheets.iter().filter(|s| s.pass == pass).count();
    v["keyed"] = json!({"1": keyed(1), "2": keyed(2)});
    v["sheets_keyed"] = sheets
        .iter()
        .map(|s| {
            json!({
                "pass": s.pass,
                "sheet": s.sheet,
                "outcome": if s.spoilt.is_some() { "spoilt" } else { "valid" },
                "reason": s.spoilt,
            })
        })
        .collect();
    v["differences"] = json!(store::differences(&batch, &sheets));
    Ok((batch, round, v))
}

async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (_, _, v) = batch_view(&state, &caller, &path).await?;
    Ok(HttpResponse::Ok().json(v))
}

async fn key(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let sheet: KeyedSheet = parse_body(&body)?;
    let outcome = key_sheet(&state, &caller, &path, sheet).await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// Keys one sheet in one pass (also used by the officer pages): refuses a reconciled batch,
/// a round that no longer takes paper, the same officer keying both passes, a sheet number
/// beyond the batch and unknown projects; otherwise stores it as valid or spoilt.
pub(crate) async fn key_sheet(
    state: &AppState,
    caller: &Caller,
    bid: &str,
    k: KeyedSheet,
) -> Result<Value, AppError> {
    let (batch, round) = load_batch(state, caller, bid).await?;
    paper::require_round_takes_paper(&round)?;
    if batch.status == "reconciled" {
        return Err(AppError::conflict(
            "batch_reconciled",
            "This batch has been reconciled: its sheets can no longer be keyed or changed.",
        ));
    }
    let me = caller.user.id.clone();
    let (mine, other) = if k.pass == 2 {
        (&batch.second_keyer, &batch.first_keyer)
    } else {
        (&batch.first_keyer, &batch.second_keyer)
    };
    if other.as_deref() == Some(me.as_str()) {
        return Err(AppError::conflict(
            "same_officer",
            "You keyed the other pass of this batch: the second keying must be done by a different officer.",
        ));
    }
    if mine.as_deref().is_some_and(|m| m != me) {
        return Err(AppError::conflict(
            "pass_taken",
            format!(
                "Pass {} of this batch is being keyed by another officer.",
                k.pass
            ),
        ));
    }
    let collected = DateTime::<Utc>::from_naive_utc_and_offset(batch.collected_at, Utc);
    let checked = paper::check(&round, &project_refs(&round), batch.sheets, collected, &k)?;
    let identity = checked.identity.clone();
    let salt = round.row.voter_key_salt.clone();
    let person = match identity {
        Some(id) => crate::ballots::online::derive_key(id, salt).await?,
        None => None,
    };
    let (pass, sheet, bid) = (k.pass, k.sheet, batch.id.clone());
    let c2 = checked.clone();
    state
        .db
        .run(move |conn| {
            conn.write(|conn| {
                // Re-check inside the transaction: the batch may have changed meanwhile.
                let fresh = store::find(conn, &bid)?
                    .ok_or_else(|| AppError::not_found("There is no such paper batch."))?;
                if fresh.status == "reconciled" {
                    return Err(AppError::conflict(
                        "batch_reconciled",
                        "This batch has been reconciled: its sheets can no longer be keyed or changed.",
                    ));
                }
                store::set_keyer(conn, &bid, pass, &me)?;
                store::put_sheet(conn, &bid, pass, sheet, &c2, person.as_deref())
            })
        })
        .await?;
    Ok(json!({
        "pass": pass,
        "sheet": sheet,
        "outcome": if checked.spoilt.is_some() { "spoilt" } else { "valid" },
        "reason": checked.spoilt,
    }))
}

async fn reconcile(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let v = reconcile_batch(&state, &caller, &path).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Reconciles a batch whose passes are complete and agree (also used by the officer pages).
pub(crate) async fn reconcile_batch(
    state: &AppState,
    caller: &Caller,
    bid: &str,
) -> Result<Value, AppError> {
    let (batch, round) = load_batch(state, caller, bid).await?;
    paper::require_round_takes_paper(&round)?;
    let actor = actor(caller);
    let pid = round.row.partnership_id.clone();
    let bid = batch.id.clone();
    let made = state
        .db
        .run(move |conn| {
            conn.write(|conn| {
                let batch = store::find(conn, &bid)?
                    .ok_or_else(|| AppError::not_found("There is no such paper batch."))?;
                if batch.status == "reconciled" {
                    return Err(AppError::conflict(
                        "batch_reconciled",
                        "This batch has already been reconciled.",
                    ));
                }
                let sheets = store::sheets(conn, &bid)?;
                let differences = store::differences(&batch, &sheets);
                if !differences.is_empty() {
                    return Err(AppError::Conflict {
                        code: "keying_differs".into(),
                        message: format!(
                            "The batch cannot be reconciled yet: {} sheet(s) are missing or keyed differently in the two passes. Check those sheets and key them again.",
                            differences.len()
                        ),
                        details: Some(json!({ "differences": differences })),
                    });
                }
                let n = store::reconcile(conn, &batch, &sheets, &actor.email)?;
                audit::record(
                    conn,
                    &actor,
                    Entry {
                        partnership_id: &pid,
                        action: "paper.reconciled",
                        subject_type: "round",
                        subject_id: &batch.round_id,
                        before: None,
                        after: Some(json!({"batch": batch.id, "ballots": n})),
                    },
                )?;
                Ok(n)
            })
        })
        .await?;
    Ok(json!({ "batch": batch.id, "status": "reconciled", "ballots": made }))
}
