//! A user's own API tokens: `GET /tokens`, `POST /tokens`, `POST /tokens/{id}/revoke`.

use crate::app::AppState;
use crate::auth::{tokens, Caller};
use crate::error::AppError;
use crate::routes::parse_json;
use crate::time_fmt::rfc3339;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/tokens", web::get().to(list))
        .route("/tokens", web::post().to(create))
        .route("/tokens/{id}/revoke", web::post().to(revoke));
}

async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    let user_id = caller.user.id.clone();
    let rows = state
        .db
        .run(move |conn| tokens::list(conn, &user_id))
        .await?;
    let out: Vec<_> = rows
        .into_iter()
        .map(|t| {
            json!({"id": t.id, "name": t.name, "created_at": rfc3339(t.created_at),
                   "last_used_at": t.last_used_at.map(rfc3339),
                   "revoked": t.revoked_at.is_some()})
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NewToken {
    name: Option<String>,
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let req: NewToken = if body.is_empty() {
        NewToken::default()
    } else {
        parse_json(&body)?
    };
    let name = tokens::validate_name(req.name.as_deref())?;
    let user_id = caller.user.id.clone();
    let (id, plain) = {
        let name = name.clone();
        state
            .db
            .run(move |conn| tokens::create(conn, &user_id, &name))
            .await?
    };
    tracing::info!(token = %id, user = %caller.user.id, "API token created");
    Ok(HttpResponse::Created().json(json!({"id": id, "name": name, "token": plain})))
}

async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let user = caller.user.clone();
    let id2 = id.clone();
    state
        .db
        .run(move |conn| {
            match tokens::find(conn, &id2)? {
                Some(t) if t.user_id == user.id || user.is_site_admin => {}
                _ => return Err(AppError::not_found("There is no such API token.")),
            }
            tokens::revoke(conn, &id2)
        })
        .await?;
    tracing::info!(token = %id, "API token revoked");
    Ok(HttpResponse::Ok().json(json!({"id": id, "revoked": true})))
}
