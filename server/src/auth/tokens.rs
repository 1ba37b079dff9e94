//! API tokens for scripts and officers' tools: `ydt_` followed by 64 hex digits, shown once,
//! stored only as a SHA-256 hash, revocable.

use super::secret;
use crate::accounts::now;
use crate::error::AppError;
use crate::schema::api_tokens;
use crate::{db::DbConn, with_conn};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use youdecide_shared::ids::TokenId;

/// The prefix that marks a youdecide API token.
pub const PREFIX: &str = "ydt_";

/// A stored token, as listed to its owner (never the secret).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    /// Token id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Label given when created.
    pub name: String,
    /// When created.
    pub created_at: NaiveDateTime,
    /// Last time it was used (to the minute).
    pub last_used_at: Option<NaiveDateTime>,
    /// When revoked, if it was.
    pub revoked_at: Option<NaiveDateTime>,
}

/// Checks a token label: 1 to 100 characters.
pub fn validate_name(raw: Option<&str>) -> Result<String, AppError> {
    let name = raw.map(str::trim).unwrap_or("");
    if name.is_empty() {
        return Ok("API token".into());
    }
    if name.chars().count() > 100 {
        return Err(AppError::invalid(
            "invalid_name",
            "The token's name must be 100 characters or fewer.",
        ));
    }
    Ok(name.to_string())
}

/// Creates a token for a user; returns its id and the plain token (shown once).
pub fn create(conn: &mut DbConn, user_id: &str, name: &str) -> Result<(TokenId, String), AppError> {
    let id = TokenId::new();
    let plain = format!("{PREFIX}{}", secret::random_hex());
    let row = (
        api_tokens::id.eq(id.to_string()),
        api_tokens::user_id.eq(user_id),
        api_tokens::name.eq(name),
        api_tokens::token_hash.eq(secret::hash(&plain)),
        api_tokens::created_at.eq(now()),
    );
    with_conn!(conn, |c| diesel::insert_into(api_tokens::table)
        .values(row)
        .execute(c))?;
    Ok((id, plain))
}

/// The owner of a live (unrevoked) token, recording its use at most once a minute.
pub fn authenticate(conn: &mut DbConn, plain: &str) -> Result<Option<String>, AppError> {
    if !plain.starts_with(PREFIX) || plain.len() > 200 {
        return Ok(None);
    }
    let hash = secret::hash(plain);
    let found: Option<ApiToken> = with_conn!(conn, |c| api_tokens::table
        .filter(api_tokens::token_hash.eq(&hash))
        .filter(api_tokens::revoked_at.is_null())
        .select(ApiToken::as_select())
        .first(c)
        .optional())?;
    let Some(token) = found else {
        return Ok(None);
    };
    let now = now();
    if token
        .last_used_at
        .is_none_or(|t| now - t > chrono::Duration::minutes(1))
    {
        with_conn!(conn, |c| diesel::update(api_tokens::table.find(&token.id))
            .set(api_tokens::last_used_at.eq(now))
            .execute(c))?;
    }
    Ok(Some(token.user_id))
}

/// A user's tokens, newest first.
pub fn list(conn: &mut DbConn, user_id: &str) -> Result<Vec<ApiToken>, AppError> {
    Ok(with_conn!(conn, |c| api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::created_at.desc())
        .select(ApiToken::as_select())
        .load(c))?)
}

/// Finds a token by id.
pub fn find(conn: &mut DbConn, id: &str) -> Result<Option<ApiToken>, AppError> {
    Ok(with_conn!(conn, |c| api_tokens::table
        .find(id)
        .select(ApiToken::as_select())
        .first(c)
        .optional())?)
}

/// Revokes a token (idempotent: an already revoked token keeps its first revocation time).
pub fn revoke(conn: &mut DbConn, id: &str) -> Result<(), AppError> {
    with_conn!(conn, |c| diesel::update(
        api_tokens::table
            .find(id)
            .filter(api_tokens::revoked_at.is_null())
    )
    .set(api_tokens::revoked_at.eq(now()))
    .execute(c))?;
    Ok(())
}
