//! Signing in with email and password: rate limit, constant-time refusal of unknown accounts,
//! argon2id verification off the async executor, and a new session.

use super::{password, rate_limit, session};
use crate::accounts::{self, User};
use crate::db::Db;
use crate::error::AppError;

/// A successful sign-in.
#[derive(Debug)]
pub struct SignedIn {
    /// Who signed in.
    pub user: User,
    /// The plain session id for the cookie.
    pub session: String,
}

/// Checks the credentials; `address` is the client's IP address for rate limiting.
pub async fn sign_in(
    db: &Db,
    raw_email: &str,
    password: String,
    address: String,
) -> Result<SignedIn, AppError> {
    let wrong = || {
        AppError::unauthorized(
            "invalid_credentials",
            "The email address or password is not right.",
        )
    };
    // An address that is not even an email still counts against the client address.
    let email =
        accounts::normalise_email(raw_email).unwrap_or_else(|_| raw_email.trim().to_lowercase());
    db.run(move |conn| {
        rate_limit::check(conn, &email, &address)?;
        let user = accounts::find_user_by_email(conn, &email)?;
        let ok = match &user {
            Some(u) => password::verify(&password, &u.password_hash),
            None => {
                password::verify_dummy(&password);
                false
            }
        };
        rate_limit::record(conn, &email, &address, ok)?;
        if !ok {
            let user = user.as_ref().map_or("unknown", |u| u.id.as_str());
            tracing::warn!(
                address,
                user,
                "sign-in failed: wrong email address or password"
            );
        }
        match user {
            Some(user) if ok => {
                let session = session::create(conn, &user.id)?;
                Ok(SignedIn { user, session })
            }
            _ => Err(wrong()),
        }
    })
    .await
}
