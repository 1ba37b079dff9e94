//! Kiosks through the JSON API: the registry for partnership staff, and the kiosk-facing
//! endpoints (enrol, pull rounds, push signed batches).

use super::parse_id;
use super::rounds::parse_body;
use super::session_api::client_address;
use crate::accounts::{now, Role};
use crate::app::AppState;
use crate::audit::{self, Actor, Entry};
use crate::auth::{rate_limit, Caller};
use crate::ballots::store as ballots_store;
use crate::error::AppError;
use crate::kiosks::{ingest, store};
use crate::rounds::{store as rounds_store, RoundStatus};
use crate::routes::ballots::check_monitoring;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use youdecide_shared::ids::PartnershipId;
use youdecide_shared::sync::{
    self, Batch, MonitoringBatch, MonitoringReply, RoundsRequest, SignedBatch,
};

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/partnerships/{pid}/kiosks", web::post().to(create))
        .route("/partnerships/{pid}/kiosks", web::get().to(list))
        .route("/kiosks/{kid}/revoke", web::post().to(revoke))
        .route("/kiosk/enroll", web::post().to(enroll))
        .route("/kiosk/{kid}/rounds", web::post().to(pull_rounds))
        .route("/kiosk/{kid}/batches", web::post().to(push_batch))
        .route("/kiosk/{kid}/monitoring", web::post().to(push_monitoring));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKiosk {
    name: String,
}

fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .build(),
    )
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let pid: PartnershipId = parse_id(&path, "partnership")?;
    caller.require(&state, pid, Role::Admin).await?;
    let req: NewKiosk = parse_body(&body)?;
    let name = req.name.trim().to_string();
    let mut errors = Vec::new();
    youdecide_shared::round::check_text("name", &name, 1, 100, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::invalid_fields("invalid_kiosk", "", &errors));
    }
    let actor = Actor {
        id: Some(caller.user.id.clone()),
        email: caller.user.email.clone(),
    };
    let (kiosk, code) = state
        .db
        .run(move |conn| {
            conn.write(|conn| {
                let (kiosk, code) = store::create(conn, &pid.to_string(), &name)?;
                audit::record(
                    conn,
                    &actor,
                    Entry {
                        partnership_id: &pid.to_string(),
                        action: "kiosk.create",
                        subject_type: "kiosk",
                        subject_id: &kiosk.id,
                        before: None,
                        after: Some(json!({ "name": kiosk.name })),
                    },
                )?;
                Ok((kiosk, code))
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(json!({
        "id": kiosk.id, "name": kiosk.name, "enrollment_code": code,
        "enrollment_expires_at": kiosk.enrollment_expires_at.map(crate::time_fmt::rfc3339),
        "enrollment_qr_svg": qr_svg(&code),
    })))
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let pid: PartnershipId = parse_id(&path, "partnership")?;
    caller.require(&state, pid, Role::Officer).await?;
    let kiosks = state
        .db
        .run(move |conn| store::list(conn, &pid.to_string()))
        .await?;
    Ok(HttpResponse::Ok().json(kiosks.iter().map(store::Kiosk::to_json).collect::<Vec<_>>()))
}

async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let kid = path.into_inner();
    let kiosk = {
        let kid = kid.clone();
        state
            .db
            .run(move |conn| store::find(conn, &kid))
            .await?
            .ok_or_else(|| AppError::not_found("There is no such kiosk."))?
    };
    let pid: PartnershipId = parse_id(&kiosk.partnership_id, "partnership")?;
    caller.require(&state, pid, Role::Admin).await?;
    let actor = Actor {
        id: Some(caller.user.id.clone()),
        email: caller.user.email.clone(),
    };
    state
        .db
        .run(move |conn| {
            conn.write(|conn| {
                store::revoke(conn, &kiosk.id)?;
                audit::record(
                    conn,
                    &actor,
                    Entry {
                        partnership_id: &kiosk.partnership_id,
                        action: "kiosk.revoke",
                        subject_type: "kiosk",
                        subject_id: &kiosk.id,
                        before: None,
                        after: None,
                    },
                )
            })
        })
        .await?;
    tracing::info!(kiosk = %kid, "kiosk revoked");
    Ok(HttpResponse::Ok().json(json!({"id": kid, "revoked": true})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Enrolment {
    code: String,
    public_key: String,
}

async fn enroll(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let e: Enrolment = parse_body(&body)?;
    if sync::verifying_key(&e.public_key).is_none() {
        return Err(AppError::invalid(
            "invalid_public_key",
            "public_key: must be an ed25519 public key as 64 hexadecimal digits.",
        ));
    }
    let address = client_address(&req);
    let logged_address = address.clone();
    let outcome = state
        .db
        .run(move |conn| {
            rate_limit::check_code_guesses(conn, "enrol", &address)?;
            let outcome = store::enroll(conn, &e.code, &e.public_key)?;
            if outcome.is_err() {
                rate_limit::record_code_guess(conn, "enrol", &address)?;
            }
            Ok(outcome)
        })
        .await
        .inspect_err(|e| log_enrolment_refusal(&logged_address, &e.to_string()))?;
    let kiosk = outcome.map_err(|reason| {
        log_enrolment_refusal(&logged_address, &reason.to_string());
        AppError::invalid(
            "invalid_enrollment_code",
            "This enrolment code is not valid, has been used, or has expired. Ask a \
             partnership admin for a new one.",
        )
    })?;
    tracing::info!(kiosk = %kiosk.id, "kiosk enrolled");
    Ok(HttpResponse::Created().json(json!({
        "kiosk_id": kiosk.id, "partnership_id": kiosk.partnership_id, "name": kiosk.name,
        "server_time": crate::time_fmt::rfc3339(now()),
    })))
}

/// Logs a refused enrolment with its reason (never the code or the key).
fn log_enrolment_refusal(address: &str, reason: &str) {
    tracing::warn!(address, reason, "kiosk enrolment refused");
}

/// Logs a refused kiosk message with its reason: the code, and the message unless it may
/// quote the body (which is never logged).
fn log_kiosk_refusal(kid: &str, what: &str, e: &AppError) {
    let quotes_body = matches!(e.code(), "invalid_batch" | "invalid_field" | "invalid_json");
    let detail = if quotes_body {
        String::new()
    } else {
        e.public_message()
    };
    tracing::warn!(kiosk = %kid, reason = e.code(), detail, "kiosk {what} refused");
}

/// Loads the kiosk and opens its signed message, refusing unknown and revoked kiosks.
async fn authenticate<T: serde::de::DeserializeOwned + Send + 'static>(
    state: &AppState,
    kid: &str,
    body: &[u8],
) -> Result<(store::Kiosk, T), AppError> {
    let signed: SignedBatch = parse_body(body)?;
    let kid = kid.to_string();
    let kiosk = state
        .db
        .run(move |conn| store::find(conn, &kid))
        .await?
        .filter(|k| k.public_key.is_some())
        .ok_or_else(|| {
            AppError::unauthorized(
                "unknown_kiosk",
                "This kiosk is not enrolled with this server.",
            )
        })?;
    if kiosk.revoked_at.is_some() {
        return Err(AppError::forbidden(
            "kiosk_revoked",
            "This kiosk has been revoked by its partnership and can no longer send or receive data.",
        ));
    }
    let key = kiosk
        .public_key
        .as_deref()
        .and_then(sync::verifying_key)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored kiosk key is not valid")))?;
    let message: T = sync::open(&signed, &key).map_err(|e| match e {
        sync::SyncError::Malformed(m) => AppError::bad_request(
            "invalid_batch",
            format!("The message is not well formed: {m}."),
        ),
        other => AppError::unauthorized(
            "bad_signature",
            format!("The message was refused: {other}."),
        ),
    })?;
    Ok((kiosk, message))
}

fn skew(sent_at: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(sent_at)
        .ok()
        .map(|t| (t.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds())
}

async fn pull_rounds(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (kiosk, msg): (_, RoundsRequest) = authenticate(&state, &path, &body).await?;
    if msg.kiosk_id != kiosk.id {
        return Err(AppError::forbidden(
            "wrong_kiosk",
            "The request was signed for another kiosk.",
        ));
    }
    let held_etag = msg.etag.clone();
    let pid = kiosk.partnership_id.clone();
    let kid = kiosk.id.clone();
    let rounds: Vec<Value> = state
        .db
        .run(move |conn| {
            store::seen(conn, &kid, skew(&msg.sent_at), msg.pending)?;
            let rows = rounds_store::list(conn, &pid, true)?;
            let mut out = Vec::new();
            for row in rows
                .iter()
                .filter(|r| r.status().is_ok_and(|s| s == RoundStatus::Open))
            {
                if let Some(round) = rounds_store::load(conn, &row.id)? {
                    let mut v = round.to_json();
                    v["voter_key_salt"] = json!(round.row.voter_key_salt);
                    out.push(v);
                }
            }
            Ok(out)
        })
        .await?;
    let payload = json!({ "rounds": rounds });
    let etag = hex::encode(Sha256::digest(payload.to_string().as_bytes()));
    if held_etag.as_deref() == Some(etag.as_str()) {
        return Ok(HttpResponse::NotModified()
            .insert_header(("ETag", etag))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag.clone()))
        .json(json!({ "etag": etag, "rounds": payload["rounds"] })))
}

async fn push_batch(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let kid = path.into_inner();
    receive_batch(&state, &kid, &body)
        .await
        .inspect_err(|e| log_kiosk_refusal(&kid, "batch", e))
}

/// Checks and stores a signed batch from kiosk `kid`.
/// At most two kiosk batches per core are decoded and stored at once: when twenty kiosks come
/// back online together the rest wait as raw bytes, not as decoded ballots, which bounds the
/// server's memory; more at once would only queue for the database's write lock.
fn batch_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        tokio::sync::Semaphore::new(2 * std::thread::available_parallelism().map_or(2, |n| n.get()))
    })
}

async fn receive_batch(state: &AppState, kid: &str, body: &[u8]) -> Result<HttpResponse, AppError> {
    let _turn = batch_permits()
        .acquire()
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("batch permits closed: {e}")))?;
    let (kiosk, batch): (_, Batch) = authenticate(state, kid, body).await?;
    sync::check_batch(&batch, &kiosk.id).map_err(|e| match e {
        sync::SyncError::WrongKiosk => {
            AppError::forbidden("wrong_kiosk", "The batch was signed for another kiosk.")
        }
        sync::SyncError::TooLarge => AppError::invalid(
            "batch_too_large",
            format!(
                "A batch may hold at most {} ballots.",
                sync::MAX_BATCH_BALLOTS
            ),
        ),
        other => ingest::chain_error(format!("The batch was refused: {other}.")),
    })?;
    let skew = skew(&batch.sent_at);
    let kid = kiosk.id.clone();
    let reply = state
        .db
        .run_write(move |conn| {
            let reply = ingest::ingest(conn, &kiosk, &batch)?;
            crate::with_conn!(conn, |c| {
                use crate::schema::kiosks;
                use diesel::prelude::*;
                diesel::update(kiosks::table.find(&kiosk.id))
                    .set(kiosks::clock_skew_seconds.eq(skew))
                    .execute(c)
            })?;
            Ok(reply)
        })
        .await?;
    tracing::info!(kiosk = %kid, ballots = reply.acks.len(), head = reply.head_seq, "kiosk batch");
    Ok(HttpResponse::Ok().json(reply))
}

/// Stores a kiosk's monitoring answers (once each, by their ids) for rounds of its
/// partnership that are open or closed; answers for any other round, or not offered, are
/// refused one by one with the reason. Stored with the day only, without the kiosk.
async fn push_monitoring(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (kiosk, batch): (_, MonitoringBatch) = authenticate(&state, &path, &body).await?;
    if batch.kiosk_id != kiosk.id {
        return Err(AppError::forbidden(
            "wrong_kiosk",
            "The batch was signed for another kiosk.",
        ));
    }
    let reply = state
        .db
        .run(move |conn| {
            conn.write(|conn| {
                let mut reply = MonitoringReply {
                    stored: Vec::new(),
                    refused: Vec::new(),
                };
                for a in &batch.answers {
                    let round = rounds_store::find_row(conn, &a.round_id)?;
                    let usable = round.as_ref().is_some_and(|r| {
                        r.partnership_id == kiosk.partnership_id
                            && r.status()
                                .is_ok_and(|s| matches!(s, RoundStatus::Open | RoundStatus::Closed))
                    });
                    let m = ballots_store::Monitoring {
                        age_band: a.age_band.clone(),
                        sex: a.sex.clone(),
                        ethnic_group: a.ethnic_group.clone(),
                        disability: a.disability.clone(),
                        influence: a.influence.clone(),
                    };
                    let day_ok = chrono::NaiveDate::parse_from_str(&a.day, "%Y-%m-%d").is_ok();
                    if !usable {
                        reply.refused.push((
                            a.id.clone(),
                            "the round is not open or closed for this kiosk".into(),
                        ));
                    } else if let Err(e) = check_monitoring(&m).and_then(|()| {
                        if day_ok {
                            Ok(())
                        } else {
                            Err(AppError::invalid("invalid_day", "The day is not a date."))
                        }
                    }) {
                        reply.refused.push((a.id.clone(), e.public_message()));
                    } else {
                        ballots_store::insert_monitoring_once(
                            conn,
                            &a.id,
                            &a.round_id,
                            &a.day,
                            &m,
                        )?;
                        reply.stored.push(a.id.clone());
                    }
                }
                Ok(reply)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(reply))
}
