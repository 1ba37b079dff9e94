//! The kiosk's local HTTP server on 127.0.0.1: the voting screen, the local ballot API (which
//! answers 201 only once a ballot is durably stored), status, "sync now", and the background
//! sync task with backoff.

use crate::store::Store;
use crate::sync::{self, Identity, SyncFailure};
use crate::vote::{self, VoteError};
use actix_web::{web, App, HttpResponse, HttpServer};
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Mutex;
use tokio::sync::Notify;

/// Shared by the handlers and the sync task.
pub struct KioskState {
    /// The local store (one writer at a time keeps the chain in order).
    pub store: Mutex<Store>,
    /// Who this kiosk is, once enrolled.
    pub identity: Option<Identity>,
    /// The signing key, once enrolled.
    pub key: Option<SigningKey>,
    /// Wakes the sync task at once.
    pub sync_now: Notify,
    /// The data directory.
    pub data_dir: PathBuf,
    /// The attendant's current session token and when it ends.
    pub attendant: Mutex<Option<(String, std::time::Instant)>>,
    /// Seconds without a touch before the voting screen clears itself.
    pub idle_seconds: u32,
}

/// How long an attendant stays signed in without signing in again.
const ATTENDANT_MINUTES: u64 = 30;

fn attendant_ok(state: &KioskState, req: &actix_web::HttpRequest) -> bool {
    let sent = req
        .headers()
        .get("x-attendant-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Ok(guard) = state.attendant.lock() else {
        return false;
    };
    matches!(&*guard, Some((token, until)) if !sent.is_empty() && token == sent && *until > std::time::Instant::now())
}

fn need_attendant() -> HttpResponse {
    error(
        actix_web::http::StatusCode::UNAUTHORIZED,
        "attendant_only",
        "Enter the attendant PIN first.",
    )
}

#[derive(serde::Deserialize)]
struct PinBody {
    pin: String,
}

async fn attendant_login(state: web::Data<KioskState>, body: web::Json<PinBody>) -> HttpResponse {
    use crate::attendant::{check_pin, PinError};
    use actix_web::http::StatusCode;
    let st = state.clone();
    let pin = body.into_inner().pin;
    let result = web::block(move || {
        let mut store = st.store.lock().map_err(|_| PinError::NotSet)?;
        check_pin(&mut store, &pin)
    })
    .await;
    match result {
        Ok(Ok(())) => {
            let mut bytes = [0u8; 24];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
            let token = hex::encode(bytes);
            let until =
                std::time::Instant::now() + std::time::Duration::from_secs(ATTENDANT_MINUTES * 60);
            if let Ok(mut g) = state.attendant.lock() {
                *g = Some((token.clone(), until));
            }
            HttpResponse::Ok().json(json!({ "token": token }))
        }
        Ok(Err(e @ PinError::Locked)) => {
            tracing::warn!(
                "attendant PIN refused: locked for {} minutes after {} wrong tries",
                crate::attendant::LOCK_MINUTES,
                crate::attendant::MAX_FAILURES
            );
            error(StatusCode::TOO_MANY_REQUESTS, "pin_locked", &e.to_string())
        }
        Ok(Err(e @ PinError::NotSet)) => error(StatusCode::CONFLICT, "pin_not_set", &e.to_string()),
        Ok(Err(e)) => {
            tracing::warn!("attendant PIN refused: wrong PIN");
            error(StatusCode::UNAUTHORIZED, "wrong_pin", &e.to_string())
        }
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "pin_check_failed",
            "The PIN could not be checked.",
        ),
    }
}

#[derive(serde::Deserialize)]
struct AttendantAction {
    action: String,
}

async fn attendant_action(
    req: actix_web::HttpRequest,
    state: web::Data<KioskState>,
    body: web::Json<AttendantAction>,
) -> HttpResponse {
    use crate::attendant;
    if !attendant_ok(&state, &req) {
        return need_attendant();
    }
    let action = body.into_inner().action;
    if action == "sync" {
        state.sync_now.notify_one();
    }
    let st = state.clone();
    let result = web::block(move || -> Result<Value, String> {
        let mut store = st
            .store
            .lock()
            .map_err(|_| "store unavailable".to_string())?;
        match action.as_str() {
            "close" => attendant::set_closed(&mut store, true).map_err(|e| e.to_string())?,
            "open" => attendant::set_closed(&mut store, false).map_err(|e| e.to_string())?,
            "issue-attended" => {
                attendant::add_attended(&mut store, 1).map_err(|e| e.to_string())?;
            }
            "start-assisted" => {
                attendant::set_assisted_session(&mut store, true).map_err(|e| e.to_string())?
            }
            "end-assisted" => {
                attendant::set_assisted_session(&mut store, false).map_err(|e| e.to_string())?
            }
            "sync" | "status" => {}
            other => return Err(format!("unknown action {other}")),
        }
        let mut v = status(&mut store)?;
        v["closed"] = json!(attendant::is_closed(&mut store).map_err(|e| e.to_string())?);
        v["attended_allowance"] =
            json!(attendant::attended_allowance(&mut store).map_err(|e| e.to_string())?);
        v["assisted_session"] =
            json!(attendant::assisted_session(&mut store).map_err(|e| e.to_string())?);
        v["round_titles"] = json!(store
            .rounds()
            .map_err(|e| e.to_string())?
            .iter()
            .map(|r| r["title"].clone())
            .collect::<Vec<_>>());
        Ok(v)
    })
    .await;
    match result {
        Ok(Ok(v)) => HttpResponse::Ok().json(v),
        Ok(Err(m)) => error(actix_web::http::StatusCode::BAD_REQUEST, "bad_action", &m),
        Err(_) => error(
            actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
            "failed",
            "The action failed.",
        ),
    }
}

/// The status object printed by `youdecide-kiosk status` and served at `/api/status`.
pub fn status(store: &mut Store) -> Result<Value, String> {
    let get = |s: &mut Store, k: &str| s.setting(k).map_err(|e| e.to_string());
    let (total, unsynced) = store.counts().map_err(|e| e.to_string())?;
    let today = chrono::Utc::now().date_naive().to_string();
    Ok(json!({
        "kiosk_id": get(store, "kiosk_id")?,
        "server": get(store, "server")?,
        "name": get(store, "name")?,
        "ballots_total": total,
        "ballots_unsynced": unsynced,
        "ballots_today": store.count_since(&today).map_err(|e| e.to_string())?,
        "last_sync_at": get(store, "last_sync_at")?,
        "last_sync_error": get(store, "last_sync_error")?,
        "revoked": get(store, "revoked")?.is_some(),
        "rounds": store.rounds().map_err(|e| e.to_string())?.len(),
        "chain_ok": store.chain_ok().map_err(|e| e.to_string())?,
    }))
}

fn error(status: actix_web::http::StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({"error": {"code": code, "message": message}}))
}

async fn cast(state: web::Data<KioskState>, body: web::Bytes) -> HttpResponse {
    use actix_web::http::StatusCode;
    let st = state.clone();
    let result = web::block(move || {
        let mut store = st
            .store
            .lock()
            .map_err(|_| VoteError::Malformed("the kiosk store is unavailable".into()))?;
        vote::cast(&mut store, &body)
    })
    .await;
    match result {
        Ok(Ok(record)) => {
            state.sync_now.notify_one();
            HttpResponse::Created()
                .json(json!({"tracking_code": record.tracking_code, "id": record.id}))
        }
        Ok(Err(e)) => vote_error(e),
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "not_stored",
            "The ballot could not be saved.",
        ),
    }
}

/// A project's image from the kiosk's own copy (so it shows offline).
async fn image(state: web::Data<KioskState>, path: web::Path<(String, String)>) -> HttpResponse {
    let (rid, key) = path.into_inner();
    let st = state.clone();
    let found = web::block(move || {
        st.store
            .lock()
            .ok()
            .and_then(|mut s| s.image(&rid, &key).ok().flatten())
    })
    .await
    .ok()
    .flatten();
    match found {
        Some((content_type, bytes)) => HttpResponse::Ok()
            .content_type(content_type)
            .insert_header(("Cache-Control", "max-age=300"))
            .body(bytes),
        None => error(
            actix_web::http::StatusCode::NOT_FOUND,
            "not_found",
            "This kiosk holds no image for that project.",
        ),
    }
}

/// The monitoring questions and the answers each offers, in order.
async fn monitoring_questions() -> HttpResponse {
    let questions: Vec<serde_json::Value> = youdecide_shared::monitoring::QUESTIONS
        .iter()
        .map(|(q, answers)| json!({"question": q, "answers": answers}))
        .collect();
    HttpResponse::Ok().json(json!({ "questions": questions }))
}

/// Keeps the optional monitoring answers (204), or says why not (422).
async fn add_monitoring(state: web::Data<KioskState>, body: web::Bytes) -> HttpResponse {
    use crate::monitoring::{self, AnswersError};
    use actix_web::http::StatusCode;
    let st = state.clone();
    let result = web::block(move || {
        let mut store = st
            .store
            .lock()
            .map_err(|_| AnswersError::Malformed("the kiosk store is unavailable".into()))?;
        monitoring::record(&mut store, &body)
    })
    .await;
    match result {
        Ok(Ok(any)) => {
            if any {
                state.sync_now.notify_one();
            }
            HttpResponse::NoContent().finish()
        }
        Ok(Err(AnswersError::Store(_))) | Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "not_stored",
            "The answers could not be saved.",
        ),
        Ok(Err(e @ AnswersError::Malformed(_))) => {
            error(StatusCode::BAD_REQUEST, "invalid_json", &e.to_string())
        }
        Ok(Err(e)) => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_monitoring",
            &e.to_string(),
        ),
    }
}

fn vote_error(e: VoteError) -> HttpResponse {
    use actix_web::http::StatusCode;
    match e {
        VoteError::AlreadyVoted => error(StatusCode::CONFLICT, "already_voted", &e.to_string()),
        VoteError::Invalid(b) => error(StatusCode::UNPROCESSABLE_ENTITY, b.code(), &b.to_string()),
        VoteError::UnknownRound => error(StatusCode::NOT_FOUND, "unknown_round", &e.to_string()),
        VoteError::Closed => error(StatusCode::CONFLICT, "kiosk_closed", &e.to_string()),
        VoteError::AttendantNeeded => {
            error(StatusCode::CONFLICT, "attendant_needed", &e.to_string())
        }
        VoteError::Malformed(_) => error(StatusCode::BAD_REQUEST, "invalid_ballot", &e.to_string()),
        VoteError::Store(_) => {
            tracing::error!(error = %e, "kiosk store failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "not_stored",
                "The ballot could not be saved. Please ask the attendant for help.",
            )
        }
    }
}

async fn check(state: web::Data<KioskState>, body: web::Bytes) -> HttpResponse {
    let st = state.clone();
    let result = web::block(move || {
        let mut store = st
            .store
            .lock()
            .map_err(|_| VoteError::Malformed("the kiosk store is unavailable".into()))?;
        vote::check(&mut store, &body)
    })
    .await;
    match result {
        Ok(Ok(area)) => HttpResponse::Ok().json(json!({ "area": area })),
        Ok(Err(e)) => vote_error(e),
        Err(_) => error(
            actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
            "check_failed",
            "The kiosk could not check your details. Please ask the attendant.",
        ),
    }
}

async fn texts() -> HttpResponse {
    HttpResponse::Ok().json(crate::texts::all())
}

#[derive(serde::Deserialize)]
struct QrQuery {
    text: String,
}

async fn qr(query: web::Query<QrQuery>) -> HttpResponse {
    use actix_web::http::StatusCode;
    if query.text.len() > 200 {
        return error(
            StatusCode::BAD_REQUEST,
            "too_long",
            "The text is too long for a receipt code.",
        );
    }
    match qrcode::QrCode::new(query.text.as_bytes()) {
        Ok(code) => HttpResponse::Ok().content_type("image/svg+xml").body(
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(160, 160)
                .build(),
        ),
        Err(_) => error(
            StatusCode::BAD_REQUEST,
            "bad_text",
            "That text cannot be made into a QR code.",
        ),
    }
}

async fn asset(path: web::Path<String>) -> HttpResponse {
    let (body, kind) = match path.as_str() {
        "kiosk.js" => (
            include_str!("../static/kiosk.js"),
            "text/javascript; charset=utf-8",
        ),
        "kiosk.css" => (
            include_str!("../static/kiosk.css"),
            "text/css; charset=utf-8",
        ),
        _ => return HttpResponse::NotFound().finish(),
    };
    HttpResponse::Ok().content_type(kind).body(body)
}

async fn get_status(state: web::Data<KioskState>) -> HttpResponse {
    let st = state.clone();
    match web::block(move || {
        let mut store = st
            .store
            .lock()
            .map_err(|_| "store unavailable".to_string())?;
        status(&mut store)
    })
    .await
    {
        Ok(Ok(v)) => HttpResponse::Ok().json(v),
        _ => error(
            actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
            "status_unavailable",
            "The kiosk's status cannot be read.",
        ),
    }
}

async fn sync_now(state: web::Data<KioskState>) -> HttpResponse {
    state.sync_now.notify_one();
    HttpResponse::Accepted().json(json!({"sync": "started"}))
}

async fn rounds(state: web::Data<KioskState>) -> HttpResponse {
    let st = state.clone();
    let list = web::block(move || st.store.lock().ok().and_then(|mut s| s.rounds().ok()))
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    HttpResponse::Ok().json(list)
}

/// The background sync loop: a pass every 30 s while all is well, backing off on failures,
/// woken at once by a new ballot or "sync now"; stops for good if the kiosk is revoked.
async fn sync_loop(state: web::Data<KioskState>) {
    let (Some(identity), Some(key)) = (state.identity.clone(), state.key.clone()) else {
        return;
    };
    let mut failures = 0u32;
    loop {
        let st = state.clone();
        let (id, k) = (identity.clone(), key.clone());
        let result = tokio::task::spawn_blocking(move || sync::run_once(&st.store, &k, &id)).await;
        let wait = match result {
            Ok(Ok(report)) => {
                if report.acknowledged > 0 {
                    tracing::info!(acknowledged = report.acknowledged, "synced");
                }
                failures = 0;
                if let Ok(mut s) = state.store.lock() {
                    let _ = s.set_setting("last_sync_error", "");
                }
                std::time::Duration::from_secs(30)
            }
            Ok(Err(SyncFailure::Revoked)) => {
                tracing::warn!("this kiosk has been revoked; sync stopped");
                if let Ok(mut s) = state.store.lock() {
                    let _ = s.set_setting("revoked", "yes");
                    let _ = s.set_setting("last_sync_error", &SyncFailure::Revoked.to_string());
                }
                return;
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "sync failed");
                if let Ok(mut s) = state.store.lock() {
                    let _ = s.set_setting("last_sync_error", &e.to_string());
                }
                failures += 1;
                sync::backoff(failures - 1)
            }
            Err(e) => {
                tracing::error!(error = %e, "sync task failed");
                failures += 1;
                sync::backoff(failures - 1)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = state.sync_now.notified() => {}
        }
    }
}

/// Serves until a shutdown signal; prints `youdecide-kiosk listening on http://ADDR` first.
pub fn run(bind: &str, state: KioskState) -> std::io::Result<()> {
    let state = web::Data::new(state);
    actix_web::rt::System::new().block_on(async move {
        let st = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(st.clone())
                .app_data(web::PayloadConfig::new(256 * 1024))
                .route("/", web::get().to(crate::server::screen))
                .route("/api/ballots", web::post().to(cast))
                .route("/api/monitoring", web::post().to(add_monitoring))
                .route("/api/monitoring", web::get().to(monitoring_questions))
                .route("/api/status", web::get().to(get_status))
                .route("/api/sync", web::post().to(sync_now))
                .route("/api/rounds", web::get().to(rounds))
                .route("/api/check", web::post().to(check))
                .route("/api/texts", web::get().to(texts))
                .route("/api/qr", web::get().to(qr))
                .route("/static/{file}", web::get().to(asset))
                .route("/images/{rid}/{key}", web::get().to(image))
                .route("/attendant", web::get().to(attendant_screen))
                .route("/api/attendant/login", web::post().to(attendant_login))
                .route("/api/attendant", web::post().to(attendant_action))
        })
        .workers(2)
        .shutdown_timeout(10)
        .bind(bind)?;
        for a in server.addrs() {
            println!("youdecide-kiosk listening on http://{a}");
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let sync_task = actix_web::rt::spawn(sync_loop(state.clone()));
        let result = server.run().await;
        sync_task.abort();
        result
    })
}

/// The attendant's screen.
pub async fn attendant_screen() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(include_str!("../static/attendant.html"))
}

/// The voting screen, with the kiosk's idle time.
pub async fn screen(state: web::Data<KioskState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(include_str!("../static/index.html").replacen(
            "<body>",
            &format!(r#"<body data-idle-seconds="{}">"#, state.idle_seconds),
            1,
        ))
}
