//! Rounds and their contents through the JSON API: create, read, change while a draft,
//! projects (one by one or from CSV), images, translations, the pop-up schedule, the
//! `open`/`close`/`cancel` transitions, and the partnership's audit log.

use super::{parse_id, MaybeCaller};
use crate::accounts::Role;
use crate::app::AppState;
use crate::audit::{self, Actor, Entry};
use crate::auth::Caller;
use crate::error::AppError;
use crate::rounds::store::{self, Round, Slot};
use crate::rounds::{csv_import, images, RoundStatus};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use youdecide_shared::ids::PartnershipId;
use youdecide_shared::round::{FieldError, ProjectSpec, RoundSpec, Translation, LANGUAGES};

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/partnerships/{pid}/rounds", web::post().to(create))
        .route("/partnerships/{pid}/rounds", web::get().to(list))
        .route("/partnerships/{pid}/audit", web::get().to(audit_log))
        .route("/rounds/{rid}", web::get().to(show))
        .route("/rounds/{rid}", web::patch().to(update))
        .route("/rounds/{rid}/open", web::post().to(open))
        .route("/rounds/{rid}/close", web::post().to(close))
        .route("/rounds/{rid}/cancel", web::post().to(cancel))
        .route(
            "/rounds/{rid}/translations/{lang}",
            web::put().to(translate_round),
        )
        .route("/rounds/{rid}/projects", web::post().to(add_project))
        .route(
            "/rounds/{rid}/projects/import",
            web::post().to(import_projects),
        )
        .route(
            "/rounds/{rid}/projects/{key}",
            web::patch().to(update_project),
        )
        .route(
            "/rounds/{rid}/projects/{key}",
            web::delete().to(delete_project),
        )
        .route(
            "/rounds/{rid}/projects/{key}/translations/{lang}",
            web::put().to(translate_project),
        )
        .route(
            "/rounds/{rid}/projects/{key}/image",
            web::put().to(put_image),
        )
        .route(
            "/rounds/{rid}/projects/{key}/image",
            web::get().to(get_image),
        )
        .route(
            "/rounds/{rid}/projects/{key}/image",
            web::delete().to(delete_image),
        )
        .route("/rounds/{rid}/schedule", web::post().to(add_slot))
        .route(
            "/rounds/{rid}/schedule/{sid}",
            web::delete().to(delete_slot),
        );
}

/// Parses a JSON body, naming the field of any type error (422) or the syntax error (400).
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let text = inner.to_string();
        let text = text
            .rfind(" at line ")
            .map_or(text.as_str(), |i| &text[..i])
            .to_string();
        if inner.is_syntax() || inner.is_eof() {
            AppError::bad_request(
                "invalid_json",
                format!("The request body is not valid JSON: {text}."),
            )
        } else {
            let field = if path == "." { String::new() } else { path };
            let err = FieldError::new(field, text);
            AppError::invalid_fields("invalid_field", "", &[err])
        }
    })
}

pub(crate) fn actor(caller: &Caller) -> Actor {
    Actor {
        id: Some(caller.user.id.clone()),
        email: caller.user.email.clone(),
    }
}

pub(crate) async fn load(state: &AppState, rid: &str) -> Result<Round, AppError> {
    let rid = rid.to_string();
    state
        .db
        .run(move |conn| store::load(conn, &rid))
        .await?
        .ok_or_else(|| AppError::not_found("There is no such round."))
}

fn partnership_of(round: &Round) -> Result<PartnershipId, AppError> {
    round
        .row
        .partnership_id
        .parse()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("bad partnership id")))
}

/// Loads a round the caller may manage with at least `needed`.
pub(crate) async fn load_managed(
    state: &AppState,
    caller: &Caller,
    rid: &str,
    needed: Role,
) -> Result<Round, AppError> {
    let round = load(state, rid).await?;
    caller
        .require(state, partnership_of(&round)?, needed)
        .await?;
    Ok(round)
}

/// The caller's role in the round's partnership, if they have one.
pub(crate) async fn viewer_role(
    state: &AppState,
    caller: &MaybeCaller,
    round: &Round,
) -> Result<Option<Role>, AppError> {
    match &caller.0 {
        Some(c) => match c.role_in(state, partnership_of(round)?).await {
            Ok(role) => Ok(Some(role)),
            Err(AppError::Forbidden { .. }) => Ok(None),
            Err(e) => Err(e),
        },
        None => Ok(None),
    }
}

fn validated(mut spec: RoundSpec) -> Result<RoundSpec, AppError> {
    spec.validate()
        .map_err(|errs| AppError::invalid_fields("invalid_round", "", &errs))?;
    Ok(spec)
}

pub(crate) async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let pid: PartnershipId = parse_id(&path, "partnership")?;
    caller.require(&state, pid, Role::Admin).await?;
    let spec = validated(parse_body(&body)?)?;
    let actor = actor(&caller);
    let round = state
        .db
        .run(move |conn| {
            conn.write(|conn| {
                let id = store::insert(conn, &pid.to_string(), &spec)?.to_string();
                let round = store::load(conn, &id)?
                    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("round vanished")))?;
                audit::record(
                    conn,
                    &actor,
                    Entry {
                        partnership_id: &pid.to_string(),
                        action: "round.create",
                        subject_type: "round",
                        subject_id: &id,
                        before: None,
                        after: Some(round.to_json()),
                    },
                )?;
                Ok(round)
            })
        })
        .await?;
    tracing::info!(round = %round.row.id, "round created");
    Ok(HttpResponse::Created().json(round.to_json()))
}

async fn list(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let pid: PartnershipId = parse_id(&path, "partnership")?;
    let member = match &caller.0 {
        Some(c) => match c.role_in(&state, pid).await {
            Ok(_) => true,
            Err(AppError::Forbidden { .. }) => false,
            Err(e) => return Err(e),
        },
        None => false,
    };
    let rows = state
        .db
        .run(move |conn| {
            if crate::accounts::find_partnership(conn, pid)?.is_none() {
                return Err(AppError::not_found("There is no such partnership."));
            }
            store::list(conn, &pid.to_string(), member)
        })
        .await?;
    let out: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({"id": r.id, "title": r.title, "status": r.status,
                   "opens_at": crate::time_fmt::rfc3339(r.opens_at),
                   "closes_at": crate::time_fmt::rfc3339(r.closes_at)})
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

async fn show(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let round = load(&state, &path).await?;
    if !round.status.is_public() && viewer_role(&state, &caller, &round).await?.is_none() {
        return Err(AppError::not_found("There is no such round."));
    }
    Ok(HttpResponse::Ok().json(round.to_json()))
}

/// Merges the top-level fields of `patch` into `base`; refuses anything but an object.
fn merge(mut base: Value, patch: &[u8]) -> Result<Value, AppError> {
    let patch: Value = parse_body(patch)?;
    let Value::Object(fields) = patch else {
        return Err(AppError::bad_request(
            "invalid_json",
            "The request body must be a JSON object of the fields to change.",
        ));
    };
    for (k, v) in fields {
        base[k] = v;
    }
    Ok(base)
}

pub(crate) async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let round = load_managed(&state, &caller, &path, Role::Admin).await?;
    round.status.require_draft()?;
    let merged = merge(json!(round.spec), &body)?;
    let spec = validated(parse_body(merged.to_string().as_bytes())?)?;
    let actor = actor(&caller);
    let updated = state
        .db
        .run(move |conn| {
            conn.write(|conn| {
                let fresh = store::load(conn, &round.row.id)?
                    .ok_or_else(|| AppError::not_found("There is no such round."))?;
                fresh.status.require_draft()?;
                store::update(conn, &fresh, &spec)?;
                let after = store::load(conn, &round.row.id)?
                    .ok_or_else(|| AppError::not_found("There is no such round."))?;
                audit::record(
                    conn,
                    &actor,
                    Entry {
                        partnership_id: &round.row.partnership_id,
                        action: "round.update",
                        subject_type: "round",
                        subject_id: &round.row.id,
                        before: Some(json!(fresh.spec)),
                        after: Some(json!(after.spec)),
                    },
                )?;
                Ok(after)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(updated.to_json()))
}

/// Moves a round to `to`, checking the transition (and, for opening, that it is ready).
async fn transition(
    state: &AppState,
    caller: &Caller,
    rid: &str,
    to: RoundStatus,
) -> Result<HttpResponse, AppError> {
    let round = load_managed(state, caller, rid, Role::Officer).await?;
    let actor = actor(caller);
    let updated = state
        .db
        .run(move |conn| {
            conn.write(|conn| {
                let fresh = store::load(conn, &round.row.id)?
                    .ok_or_else(|| AppError::not_found("There is no such round."))?;
                fresh.status.check_transition(to)?;
                if to == RoundStatus::Open {
                    let reasons = fresh.open_blockers(chrono::Utc::now());
                    if !reasons.is_empty() {
                        return Err(AppError::Conflict {
                            code: "cannot_open".into(),
                            message: format!("The round cannot open yet: {}.", reasons.join("; ")),
                            details: Some(json!({ "reasons": reasons })),
                        });
                    }
                }
                store::set_status(conn, &fresh.row.id, to)?;
                audit::record(
                    conn,
                    &actor,
                    Entry {
                        partnership_id: &fresh.row.partnership_id,
                        action: &format!("round.{}", to.as_str()),
                        subject_type: "round",
                        subject_id: &fresh.row.id,
                        before: Some(json!({"status": fresh.status})),
                        after: Some(json!({"status": to})),
                    },
                )?;
                store::load(conn, &fresh.row.id)?
                    .ok_or_else(|| AppError::not_found("There is no such round."))
            })
        })
        .await?;
    tracing::info!(round = %updated.row.id, status = %to, "round status changed");
    Ok(HttpResponse::Ok().json(updated.to_json()))
}

pub(crate) async fn open(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    transition(&state, &caller, &path, RoundStatus::Open).await
}

pub(crate) async fn close(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    transition(&state, &caller, &path, RoundStatus::Closed).await
}

pub(crate) async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    transition(&state, &caller, &path, RoundStatus::Cancelled).await
}

/// What a change to a round's contents is, for the audit log, and when it is allowed.
struct Change {
    action: &'static str,
    subject_type: &'static str,
    subject: String,
    /// Only while a draft (rules, projects, texts), or also while open (the schedule).
    draft_only: bool,
}

impl Change {
    fn draft(action: &'static str, subject_type: &'static str, subject: String) -> Change {
        Change {
            action,
            subject_type,
            subject,
            draft_only: true,
        }
    }

    fn allowed(&self, status: RoundStatus) -> Result<(), AppError> {
        if self.draft_only {
            return status.require_draft();
        }
        if matches!(status, RoundStatus::Draft | RoundStatus::Open) {
            Ok(())
        } else {
            Err(AppError::conflict(
                "round_finished",
                format!(
                    "The pop-up schedule can change while a round is a draft or open; this \
                     round is {status}."
                ),
            ))
        }
    }
}

/// Runs a change to a round's contents in one transaction with its audit entry, re-checking
/// the round's status inside the transaction.
async fn change<T, F>(
    state: &AppState,
    caller: &Caller,
    round: &Round,
    what: Change,
    f: F,
) -> Result<T, AppError>
where
    F: FnOnce(
            &mut crate::db::DbConn,
            &Round,
        ) -> Result<(T, Option<Value>, Option<Value>), AppError>
        + Send
        + 'static,
    T: Send + 'static,
{
    what.allowed(round.status)?;
    let actor = actor(caller);
    let rid = round.row.id.clone();
    state
        .db
        .run(move |conn| {
            conn.write(|conn| {
                let fresh = store::load(conn, &rid)?
                    .ok_or_else(|| AppError::not_found("There is no such round."))?;
                what.allowed(fresh.status)?;
                let (out, before, after) = f(conn, &fresh)?;
                audit::record(
                    conn,
                    &actor,
                    Entry {
                        partnership_id: &fresh.row.partnership_id,
                        action: what.action,
                        subject_type: what.subject_type,
                        subject_id: &what.subject,
                        before,
                        after,
                    },
                )?;
                Ok(out)
            })
        })
        .await
}

fn validated_project(mut spec: ProjectSpec, round: &Round) -> Result<ProjectSpec, AppError> {
    let keys: Vec<&str> = round.spec.areas.iter().map(|a| a.key.as_str()).collect();
    spec.validate(&keys)
        .map_err(|errs| AppError::invalid_fields("invalid_project", "", &errs))?;
    Ok(spec)
}

pub(crate) async fn add_project(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let round = load_managed(&state, &caller, &path, Role::Admin).await?;
    let spec = validated_project(parse_body(&body)?, &round)?;
    let key = spec.key.clone();
    let id = change(
        &state,
        &caller,
        &round,
        Change::draft("project.create", "project", key.clone()),
        move |conn, r| {
            let id = store::insert_project(conn, &r.row.id, &spec)?;
            Ok((id, None, Some(json!(spec))))
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(json!({"id": id, "key": key})))
}

fn find_project<'a>(round: &'a Round, key: &str) -> Result<&'a store::ProjectRow, AppError> {
    round
        .projects
        .iter()
        .find(|p| p.key == key)
        .ok_or_else(|| AppError::not_found("There is no project with that key in this round."))
}

pub(crate) async fn update_project(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (rid, key) = path.into_inner();
    let round = load_managed(&state, &caller, &rid, Role::Admin).await?;
    let before = find_project(&round, &key)?.spec();
    let merged = merge(json!(before), &body)?;
    let spec = validated_project(parse_body(merged.to_string().as_bytes())?, &round)?;
    let out = json!(spec);
    change(
        &state,
        &caller,
        &round,
        Change::draft("project.update", "project", key.clone()),
        move |conn, r| {
            store::update_project(conn, &r.row.id, &key, &spec)?;
            Ok(((), Some(json!(before)), Some(json!(spec))))
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub(crate) async fn delete_project(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (rid, key) = path.into_inner();
    let round = load_managed(&state, &caller, &rid, Role::Admin).await?;
    let project = find_project(&round, &key)?.clone();
    let image = project.image_file.clone();
    change(
        &state,
        &caller,
        &round,
        Change::draft("project.delete", "project", key.clone()),
        move |conn, r| {
            store::delete_project(conn, &r.row.id, &key)?;
            Ok(((), Some(json!(project.spec())), None))
        },
    )
    .await?;
    if let Some(file) = image {
        images::remove(&state.data_dir, &file);
    }
    Ok(HttpResponse::NoContent().finish())
}

async fn import_projects(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let round = load_managed(&state, &caller, &path, Role::Admin).await?;
    round.status.require_draft()?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| AppError::bad_request("invalid_csv", "The CSV file must be UTF-8 text."))?;
    let areas: Vec<&str> = round.spec.areas.iter().map(|a| a.key.as_str()).collect();
    let existing: Vec<&str> = round.projects.iter().map(|p| p.key.as_str()).collect();
    let specs = csv_import::parse(text, &areas, &existing)
        .map_err(|errs| AppError::invalid_fields("invalid_csv", "Nothing was imported. ", &errs))?;
    let count = specs.len();
    change(
        &state,
        &caller,
        &round,
        Change::draft("project.import", "project", format!("{count} projects")),
        move |conn, r| {
            for spec in &specs {
                store::insert_project(conn, &r.row.id, spec)?;
            }
            Ok(((), None, Some(json!(specs))))
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(json!({"imported": count})))
}

fn check_language(round: &Round, lang: &str) -> Result<(), AppError> {
    if !LANGUAGES.contains(&lang) || lang == "en" {
        return Err(AppError::not_found(
            "Translations are for cy (Welsh), pl (Polish) or ur (Urdu); English is the round's own text.",
        ));
    }
    if !round.spec.languages.iter().any(|l| l == lang) {
        return Err(AppError::invalid(
            "language_not_offered",
            format!("language: the round does not offer \"{lang}\"; add it to the round's languages first."),
        ));
    }
    Ok(())
}

async fn put_translation(
    state: &AppState,
    caller: &Caller,
    rid: &str,
    project: Option<String>,
    lang: String,
    body: &[u8],
) -> Result<HttpResponse, AppError> {
    let round = load_managed(state, caller, rid, Role::Admin).await?;
    check_language(&round, &lang)?;
    if let Some(key) = &project {
        find_project(&round, key)?;
    }
    let t: Translation = parse_body(body)?;
    t.validate()
        .map_err(|errs| AppError::invalid_fields("invalid_translation", "", &errs))?;
    let key = project.unwrap_or_default();
    let subject = format!("{}:{lang}", if key.is_empty() { "round" } else { &key });
    let out = json!(t);
    change(
        state,
        caller,
        &round,
        Change::draft("translation.set", "translation", subject),
        move |conn, r| {
            store::set_translation(conn, &r.row.id, &key, &lang, &t)?;
            Ok(((), None, Some(json!(t))))
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

async fn translate_round(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (rid, lang) = path.into_inner();
    put_translation(&state, &caller, &rid, None, lang, &body).await
}

async fn translate_project(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (rid, key, lang) = path.into_inner();
    put_translation(&state, &caller, &rid, Some(key), lang, &body).await
}

async fn put_image(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (rid, key) = path.into_inner();
    let round = load_managed(&state, &caller, &rid, Role::Admin).await?;
    round.status.require_draft()?;
    let old = find_project(&round, &key)?.image_file.clone();
    let declared = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (mime, ext) = images::check(&body, declared)?;
    let url = format!("/api/v1/rounds/{rid}/projects/{key}/image");
    let file = images::store(&state.data_dir, &body, ext)?;
    let stored = file.clone();
    let result = change(
        &state,
        &caller,
        &round,
        Change::draft("project.image", "project", key.clone()),
        move |conn, r| {
            store::set_image(conn, &r.row.id, &key, Some(&stored), Some(mime))?;
            Ok((
                (),
                None,
                Some(json!({"image_type": mime, "bytes": body.len()})),
            ))
        },
    )
    .await;
    if let Err(e) = result {
        images::remove(&state.data_dir, &file);
        return Err(e);
    }
    if let Some(old) = old {
        images::remove(&state.data_dir, &old);
    }
    Ok(HttpResponse::Ok().json(json!({ "image_url": url })))
}

async fn get_image(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (rid, key) = path.into_inner();
    let round = load(&state, &rid).await?;
    if !round.status.is_public() && viewer_role(&state, &caller, &round).await?.is_none() {
        return Err(AppError::not_found("There is no such round."));
    }
    let p = find_project(&round, &key)?;
    let (Some(file), Some(mime)) = (&p.image_file, &p.image_type) else {
        return Err(AppError::not_found("This project has no image."));
    };
    let bytes = images::read(&state.data_dir, file)?;
    Ok(HttpResponse::Ok()
        .content_type(mime.as_str())
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header(("Content-Disposition", "inline"))
        .body(bytes))
}

async fn delete_image(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (rid, key) = path.into_inner();
    let round = load_managed(&state, &caller, &rid, Role::Admin).await?;
    let old = find_project(&round, &key)?.image_file.clone();
    change(
        &state,
        &caller,
        &round,
        Change::draft("project.image", "project", key.clone()),
        move |conn, r| {
            store::set_image(conn, &r.row.id, &key, None, None)?;
            Ok(((), None, None))
        },
    )
    .await?;
    if let Some(old) = old {
        images::remove(&state.data_dir, &old);
    }
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSlot {
    place: String,
    #[serde(default)]
    address: String,
    date: chrono::NaiveDate,
    starts: String,
    ends: String,
    #[serde(default)]
    notes: String,
}

fn parse_time(field: &str, s: &str, errors: &mut Vec<FieldError>) -> Option<chrono::NaiveTime> {
    match chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M") {
        Ok(t) => Some(t),
        Err(_) => {
            errors.push(FieldError::new(field, "must be a time like 09:30"));
            None
        }
    }
}

pub(crate) async fn add_slot(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let round = load_managed(&state, &caller, &path, Role::Officer).await?;
    let s: NewSlot = parse_body(&body)?;
    let mut errors = Vec::new();
    youdecide_shared::round::check_text("place", &s.place, 1, 200, &mut errors);
    youdecide_shared::round::check_text("address", &s.address, 0, 300, &mut errors);
    youdecide_shared::round::check_text("notes", &s.notes, 0, 1000, &mut errors);
    let starts = parse_time("starts", &s.starts, &mut errors);
    let ends = parse_time("ends", &s.ends, &mut errors);
    if let (Some(a), Some(b)) = (starts, ends) {
        if b <= a {
            errors.push(FieldError::new(
                "ends",
                "the end time is before the start time",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::invalid_fields("invalid_schedule", "", &errors));
    }
    let slot = Slot {
        id: uuid::Uuid::now_v7().to_string(),
        place: s.place.trim().into(),
        address: s.address.trim().into(),
        day: s.date.to_string(),
        starts: starts
            .map(|t| t.format("%H:%M").to_string())
            .unwrap_or_default(),
        ends: ends
            .map(|t| t.format("%H:%M").to_string())
            .unwrap_or_default(),
        notes: s.notes.trim().into(),
    };
    let out = json!(slot);
    let id = slot.id.clone();
    let what = Change {
        action: "schedule.add",
        subject_type: "schedule",
        subject: id,
        draft_only: false,
    };
    change(&state, &caller, &round, what, move |conn, r| {
        store::insert_slot(conn, &r.row.id, &slot)?;
        Ok(((), None, Some(json!(slot))))
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}

pub(crate) async fn delete_slot(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (rid, sid) = path.into_inner();
    let round = load_managed(&state, &caller, &rid, Role::Officer).await?;
    let slot = round
        .schedule
        .iter()
        .find(|s| s.id == sid)
        .cloned()
        .ok_or_else(|| AppError::not_found("There is no such pop-up session in this round."))?;
    let what = Change {
        action: "schedule.remove",
        subject_type: "schedule",
        subject: sid.clone(),
        draft_only: false,
    };
    change(&state, &caller, &round, what, move |conn, r| {
        store::delete_slot(conn, &r.row.id, &sid)?;
        Ok(((), Some(json!(slot)), None))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<i64>,
}

async fn audit_log(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let pid: PartnershipId = parse_id(&path, "partnership")?;
    caller.require(&state, pid, Role::Admin).await?;
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let entries = state
        .db
        .run(move |conn| audit::list(conn, &pid.to_string(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(entries))
}
