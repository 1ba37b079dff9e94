//! Sign-in for API clients that prefer a session to a token: `POST /login`, `POST /logout`,
//! and `GET /me` (who am I, my partnerships, and the CSRF token to send back).

use crate::accounts;
use crate::app::AppState;
use crate::auth::{csrf, login, password, session, Caller};
use crate::error::AppError;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::post().to(sign_in))
        .route("/logout", web::post().to(sign_out))
        .route("/me", web::get().to(me))
        .route("/me/password", web::post().to(change_password));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    email: String,
    password: String,
}

/// The client's address as the server sees it (the peer, never a header a client can forge).
pub fn client_address(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Credentials>,
) -> Result<HttpResponse, AppError> {
    let Credentials { email, password } = body.into_inner();
    let signed = login::sign_in(&state.db, &email, password, client_address(&req)).await?;
    let (csrf_token, _) = csrf::token_for(&req);
    tracing::info!(user = %signed.user.id, "signed in");
    Ok(HttpResponse::Ok()
        .cookie(session::cookie(signed.session))
        .cookie(csrf::cookie(csrf_token.clone()))
        .json(json!({
            "user": {"id": signed.user.id, "email": signed.user.email,
                     "is_site_admin": signed.user.is_site_admin},
            "csrf_token": csrf_token,
        })))
}

async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, AppError> {
    session::end(&state.db, &req).await?;
    tracing::info!(user = %caller.user.id, "signed out");
    Ok(HttpResponse::NoContent()
        .cookie(session::removal_cookie())
        .finish())
}

async fn me(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, AppError> {
    let user = caller.user.clone();
    let memberships = state
        .db
        .run(move |conn| accounts::partnerships_of(conn, &user.id))
        .await?;
    let partnerships: Vec<_> = memberships
        .into_iter()
        .map(|(p, role)| json!({"id": p.id, "name": p.name, "slug": p.slug, "role": role}))
        .collect();
    let mut body = json!({
        "id": caller.user.id,
        "email": caller.user.email,
        "is_site_admin": caller.user.is_site_admin,
        "partnerships": partnerships,
    });
    let mut resp = HttpResponse::Ok();
    if caller.method == crate::auth::caller::AuthMethod::Session {
        let (token, new_cookie) = csrf::token_for(&req);
        body["csrf_token"] = json!(token);
        if let Some(c) = new_cookie {
            resp.cookie(c);
        }
    }
    Ok(resp.json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Changes the caller's password (the current one is required) and ends their other sessions.
async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    let PasswordChange {
        current_password,
        new_password,
    } = body.into_inner();
    password::validate_new(&new_password)?;
    let keep = req.cookie(session::COOKIE).map(|c| c.value().to_string());
    let user = caller.user.clone();
    state
        .db
        .run(move |conn| {
            if !password::verify(&current_password, &user.password_hash) {
                return Err(AppError::unauthorized(
                    "invalid_credentials",
                    "The current password is not right.",
                ));
            }
            let hash = password::hash(&new_password)?;
            conn.write(|conn| {
                accounts::set_password(conn, &user.id, &hash)?;
                session::delete_others(conn, &user.id, keep.as_deref())
            })
        })
        .await?;
    tracing::info!(user = %caller.user.id, "password changed");
    Ok(HttpResponse::NoContent().finish())
}
