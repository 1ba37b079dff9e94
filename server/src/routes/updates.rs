//! "You said, we did" through the JSON API: delivery updates on funded projects, their photos,
//! and the public list.

use super::rounds::{actor, load, load_managed, parse_body};
use crate::accounts::Role;
use crate::app::AppState;
use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::error::AppError;
use crate::rounds::images;
use crate::rounds::RoundStatus;
use crate::updates::{self, NewUpdate};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

/// Registers the routes (under `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/rounds/{rid}/projects/{key}/updates",
        web::post().to(create),
    )
    .route("/rounds/{rid}/updates", web::get().to(list))
    .route("/rounds/{rid}/updates/{uid}", web::delete().to(delete))
    .route(
        "/rounds/{rid}/updates/{uid}/photo",
        web::put().to(put_photo),
    )
    .route(
        "/rounds/{rid}/updates/{uid}/photo",
        web::get().to(get_photo),
    );
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (rid, key) = path.into_inner();
    let u: NewUpdate = parse_body(&body)?;
    let v = add_update(&state, &caller, &rid, &key, u).await?;
    Ok(HttpResponse::Created().json(v))
}

/// Checks and stores an update (also used by the officer pages); audited.
pub(crate) async fn add_update(
    state: &AppState,
    caller: &Caller,
    rid: &str,
    key: &str,
    u: NewUpdate,
) -> Result<Value, AppError> {
    let round = load_managed(state, caller, rid, Role::Officer).await?;
    let actor = actor(caller);
    let key = key.to_string();
    state
        .db
        .run(move |conn| {
            conn.write(|conn| {
                let funded = updates::funded(conn, &round)?;
                updates::check(&round, &funded, &key, &u)?;
                let stored = updates::insert(conn, &round.row.id, &key, &u, &actor.email)?;
                let v = stored.to_json(&round);
                audit::record(
                    conn,
                    &actor,
                    Entry {
                        partnership_id: &round.row.partnership_id,
                        action: "delivery.update",
                        subject_type: "round",
                        subject_id: &round.row.id,
                        before: None,
                        after: Some(v.clone()),
                    },
                )?;
                Ok(v)
            })
        })
        .await
}

/// The round's updates, newest first, with each funded project's latest status.
pub(crate) async fn public_updates(
    state: &AppState,
    rid: &str,
) -> Result<Option<(crate::rounds::Round, Value)>, AppError> {
    let round = match load(state, rid).await {
        Ok(r) if r.status == RoundStatus::Published => r,
        Ok(_) | Err(AppError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let r2 = round.clone();
    let (funded, list) = state
        .db
        .run(move |conn| {
            Ok((
                updates::funded(conn, &r2)?,
                updates::list(conn, &r2.row.id)?,
            ))
        })
        .await?;
    let progress: Vec<Value> = updates::progress(&funded, &list)
        .into_iter()
        .map(|(key, status)| {
            let title = round
                .projects
                .iter()
                .find(|p| p.key == key)
                .map_or("", |p| p.title.as_str());
            json!({"project": key, "title": title, "status": status})
        })
        .collect();
    let v = json!({
        "round": round.row.id,
        "progress": progress,
        "updates": list.iter().map(|u| u.to_json(&round)).collect::<Vec<_>>(),
    });
    Ok(Some((round, v)))
}

async fn list(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    match public_updates(&state, &path).await? {
        Some((_, v)) => Ok(HttpResponse::Ok().json(v)),
        None => Err(AppError::not_found(
            "This round has no published result, so no delivery updates.",
        )),
    }
}

/// Deletes an update (also used by the officer pages); audited.
pub(crate) async fn remove_update(
    state: &AppState,
    caller: &Caller,
    rid: &str,
    uid: &str,
) -> Result<(), AppError> {
    let round = load_managed(state, caller, rid, Role::Officer).await?;
    let actor = actor(caller);
    let uid = uid.to_string();
    let photo = state
        .db
        .run(move |conn| {
            conn.write(|conn| {
                let photo = updates::delete(conn, &round.row.id, &uid)?;
                audit::record(
                    conn,
                    &actor,
                    Entry {
                        partnership_id: &round.row.partnership_id,
                        action: "delivery.delete",
                        subject_type: "round",
                        subject_id: &round.row.id,
                        before: Some(json!({"update": uid})),
                        after: None,
                    },
                )?;
                Ok(photo)
            })
        })
        .await?;
    if let Some(file) = photo {
        images::remove(&state.data_dir, &file);
    }
    Ok(())
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (rid, uid) = path.into_inner();
    remove_update(&state, &caller, &rid, &uid).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn put_photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (rid, uid) = path.into_inner();
    let round = load_managed(&state, &caller, &rid, Role::Officer).await?;
    let declared = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (mime, ext) = images::check(&body, declared)?;
    let file = images::store(&state.data_dir, &body, ext)?;
    let (f, id) = (file.clone(), round.row.id.clone());
    let old = state
        .db
        .run(move |conn| conn.write(|conn| updates::set_photo(conn, &id, &uid, &f, mime)))
        .await;
    match old {
        Ok(old) => {
            if let Some(old) = old {
                images::remove(&state.data_dir, &old);
            }
            Ok(HttpResponse::Ok().json(json!({"photo_type": mime})))
        }
        Err(e) => {
            images::remove(&state.data_dir, &file);
            Err(e)
        }
    }
}

async fn get_photo(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (rid, uid) = path.into_inner();
    let round = load(&state, &rid).await?;
    if round.status != RoundStatus::Published {
        return Err(AppError::not_found("There is no such photo."));
    }
    let found = state
        .db
        .run(move |conn| updates::find(conn, &rid, &uid))
        .await?;
    let (Some(file), Some(mime)) = found.map_or((None, None), |u| (u.photo_file, u.photo_type))
    else {
        return Err(AppError::not_found("There is no such photo."));
    };
    let bytes = images::read(&state.data_dir, &file)?;
    Ok(HttpResponse::Ok()
        .content_type(mime)
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(bytes))
}
