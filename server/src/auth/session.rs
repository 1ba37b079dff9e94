//! Browser sessions: a random id in a Secure, HttpOnly, SameSite=Lax cookie; the database
//! keeps only its hash, so any server instance can check it and sign-out ends it everywhere.

use super::secret;
use crate::accounts::now;
use crate::error::AppError;
use crate::schema::sessions;
use crate::{db::DbConn, with_conn};
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use chrono::Duration;
use diesel::prelude::*;

/// The session cookie's name.
pub const COOKIE: &str = "yd_session";
/// How long a session lasts after sign-in.
pub const LIFETIME_HOURS: i64 = 12;

/// Starts a session for a user; returns the plain session id for the cookie.
pub fn create(conn: &mut DbConn, user_id: &str) -> Result<String, AppError> {
    let plain = secret::random_hex();
    let now = now();
    let row = (
        sessions::token_hash.eq(secret::hash(&plain)),
        sessions::user_id.eq(user_id),
        sessions::created_at.eq(now),
        sessions::expires_at.eq(now + Duration::hours(LIFETIME_HOURS)),
    );
    with_conn!(conn, |c| {
        diesel::delete(sessions::table.filter(sessions::expires_at.lt(now))).execute(c)?;
        diesel::insert_into(sessions::table).values(row).execute(c)
    })?;
    Ok(plain)
}

/// The user of a live session.
pub fn authenticate(conn: &mut DbConn, plain: &str) -> Result<Option<String>, AppError> {
    if plain.len() != 64 {
        return Ok(None);
    }
    let hash = secret::hash(plain);
    Ok(with_conn!(conn, |c| sessions::table
        .find(&hash)
        .filter(sessions::expires_at.gt(now()))
        .select(sessions::user_id)
        .first(c)
        .optional())?)
}

/// Ends a session.
pub fn delete(conn: &mut DbConn, plain: &str) -> Result<(), AppError> {
    let hash = secret::hash(plain);
    with_conn!(conn, |c| diesel::delete(sessions::table.find(&hash))
        .execute(c))?;
    Ok(())
}

/// Ends the session whose cookie the request carries, if any.
pub async fn end(db: &crate::db::Db, req: &actix_web::HttpRequest) -> Result<(), AppError> {
    if let Some(c) = req.cookie(COOKIE) {
        let plain = c.value().to_string();
        db.run(move |conn| delete(conn, &plain)).await?;
    }
    Ok(())
}

/// Ends every session of a user except the one given (after a password change).
pub fn delete_others(conn: &mut DbConn, user_id: &str, keep: Option<&str>) -> Result<(), AppError> {
    let keep = keep.map(secret::hash).unwrap_or_default();
    with_conn!(conn, |c| diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::token_hash.ne(&keep))
    )
    .execute(c))?;
    Ok(())
}

/// The cookie that carries a new session.
pub fn cookie(plain: String) -> Cookie<'static> {
    Cookie::build(COOKIE, plain)
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::hours(LIFETIME_HOURS))
        .finish()
}

/// A cookie that removes the session cookie from the browser.
pub fn removal_cookie() -> Cookie<'static> {
    let mut c = cookie(String::new());
    c.make_removal();
    c
}
