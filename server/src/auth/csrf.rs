//! CSRF protection by double submission: a random token in a Secure, HttpOnly, SameSite=Strict
//! cookie must come back with every state-changing request made with a session cookie, as a
//! hidden form field (`csrf_token`) or an `X-CSRF-Token` header. Another site can neither read
//! the cookie nor set it, so it cannot forge the pair. Bearer-token requests need no CSRF token.

use super::secret;
use crate::error::AppError;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;

/// The CSRF cookie's name.
pub const COOKIE: &str = "yd_csrf";
/// The header API clients using a session send the token in.
pub const HEADER: &str = "x-csrf-token";

/// The request's CSRF token, and a cookie to set when the browser has none yet.
pub fn token_for(req: &HttpRequest) -> (String, Option<Cookie<'static>>) {
    match req.cookie(COOKIE) {
        Some(c) if c.value().len() == 64 => (c.value().to_string(), None),
        _ => {
            let token = secret::random_hex();
            (token.clone(), Some(cookie(token)))
        }
    }
}

/// A new CSRF cookie carrying `token`.
pub fn cookie(token: String) -> Cookie<'static> {
    Cookie::build(COOKIE, token)
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish()
}

/// Checks a submitted token against the cookie; 403 `csrf_failed` when missing or different.
pub fn verify(req: &HttpRequest, submitted: Option<&str>) -> Result<(), AppError> {
    let cookie = req.cookie(COOKIE);
    match (cookie, submitted) {
        (Some(c), Some(s)) if !s.is_empty() && secret::equal(c.value(), s) => Ok(()),
        _ => Err(AppError::forbidden(
            "csrf_failed",
            "This request could not be checked as coming from this site. Reload the page and \
             try again (API clients signed in with a cookie must send the X-CSRF-Token header).",
        )),
    }
}

/// Checks the `X-CSRF-Token` header against the cookie.
pub fn verify_header(req: &HttpRequest) -> Result<(), AppError> {
    let header = req.headers().get(HEADER).and_then(|v| v.to_str().ok());
    verify(req, header)
}
