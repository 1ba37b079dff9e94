//! Sign-in rate limiting, kept in the database so that every server instance sees the same
//! counts: at most 5 failed attempts per account and 20 per address in 15 minutes (a success
//! clears the account's count).

use crate::accounts::now;
use crate::error::AppError;
use crate::schema::login_attempts;
use crate::{db::DbConn, with_conn};
use chrono::Duration;
use diesel::dsl::max;
use diesel::prelude::*;
use uuid::Uuid;

/// The window failures are counted over, in minutes.
pub const WINDOW_MINUTES: i64 = 15;
/// Failures allowed per account in the window.
pub const PER_ACCOUNT: i64 = 5;
/// Failures allowed per client address in the window.
pub const PER_ADDRESS: i64 = 20;

/// Refuses with 429 `too_many_attempts` once either limit is reached.
pub fn check(conn: &mut DbConn, email: &str, address: &str) -> Result<(), AppError> {
    let since = now() - Duration::minutes(WINDOW_MINUTES);
    let (account_failures, address_failures) = with_conn!(conn, |c| {
        let last_success: Option<chrono::NaiveDateTime> = login_attempts::table
            .filter(login_attempts::email.eq(email))
            .filter(login_attempts::succeeded.eq(true))
            .select(max(login_attempts::attempted_at))
            .first(c)?;
        let from = last_success.map_or(since, |s| s.max(since));
        let account: i64 = login_attempts::table
            .filter(login_attempts::email.eq(email))
            .filter(login_attempts::succeeded.eq(false))
            .filter(login_attempts::attempted_at.gt(from))
            .count()
            .get_result(c)?;
        let address: i64 = login_attempts::table
            .filter(login_attempts::address.eq(address))
            .filter(login_attempts::succeeded.eq(false))
            .filter(login_attempts::attempted_at.gt(since))
            .count()
            .get_result(c)?;
        Ok::<_, diesel::result::Error>((account, address))
    })?;
    if account_failures >= PER_ACCOUNT || address_failures >= PER_ADDRESS {
        let limit = if account_failures >= PER_ACCOUNT {
            "per account"
        } else {
            "per address"
        };
        tracing::warn!(
            address,
            limit,
            "sign-in refused: too many failed attempts in {WINDOW_MINUTES} minutes"
        );
        return Err(AppError::too_many(
            "too_many_attempts",
            format!(
                "There have been too many failed attempts to sign in. Wait {WINDOW_MINUTES} \
                 minutes, then try again."
            ),
        ));
    }
    Ok(())
}

/// Records an attempt, and forgets attempts older than a day.
pub fn record(
    conn: &mut DbConn,
    email: &str,
    address: &str,
    succeeded: bool,
) -> Result<(), AppError> {
    let now = now();
    with_conn!(conn, |c| {
        diesel::delete(
            login_attempts::table.filter(login_attempts::attempted_at.lt(now - Duration::days(1))),
        )
        .execute(c)?;
        diesel::insert_into(login_attempts::table)
            .values((
                login_attempts::id.eq(Uuid::now_v7().to_string()),
                login_attempts::email.eq(email),
                login_attempts::address.eq(address),
                login_attempts::succeeded.eq(succeeded),
                login_attempts::attempted_at.eq(now),
            ))
            .execute(c)
    })?;
    Ok(())
}

/// Wrong voting codes allowed per client address and round in the window.
pub const CODE_GUESSES_PER_ADDRESS: i64 = 10;

fn code_key(round_id: &str) -> String {
    format!("code:{round_id}")
}

/// Refuses with 429 once an address has sent too many wrong voting codes for a round.
pub fn check_code_guesses(
    conn: &mut DbConn,
    round_id: &str,
    address: &str,
) -> Result<(), AppError> {
    let since = now() - Duration::minutes(WINDOW_MINUTES);
    let key = code_key(round_id);
    let failures: i64 = with_conn!(conn, |c| login_attempts::table
        .filter(login_attempts::email.eq(&key))
        .filter(login_attempts::address.eq(address))
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::attempted_at.gt(since))
        .count()
        .get_result(c))?;
    if failures >= CODE_GUESSES_PER_ADDRESS {
        tracing::warn!(
            scope = round_id,
            address,
            "code refused: too many wrong codes from this address in {WINDOW_MINUTES} minutes"
        );
        return Err(AppError::too_many(
            "too_many_attempts",
            format!(
                "Too many voting codes entered here were wrong. Wait {WINDOW_MINUTES} minutes, \
                 then try again."
            ),
        ));
    }
    Ok(())
}

/// Records (and logs, without the code) a wrong voting or enrolment code.
pub fn record_code_guess(conn: &mut DbConn, round_id: &str, address: &str) -> Result<(), AppError> {
    tracing::warn!(scope = round_id, address, "wrong code entered");
    record(conn, &code_key(round_id), address, false)
}
