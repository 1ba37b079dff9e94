//! The attendant's controls: a PIN (argon2id, five wrong tries lock it for five minutes), and
//! once signed in: the kiosk's figures, "sync now", closing the kiosk for the day, and issuing
//! ballots for rounds where the attendant confirms eligibility in person.

use crate::store::{Store, StoreError};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chrono::{Duration, Utc};

/// Wrong PINs allowed before the lock.
pub const MAX_FAILURES: i64 = 5;
/// How long the lock lasts.
pub const LOCK_MINUTES: i64 = 5;

/// Why the PIN was refused.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    /// No PIN has been set.
    #[error(
        "No attendant PIN is set on this kiosk. Set one with: youdecide-kiosk set-pin --pin-stdin"
    )]
    NotSet,
    /// Wrong PIN.
    #[error("That PIN is not right.")]
    Wrong,
    /// Too many wrong PINs.
    #[error("Too many wrong PINs. Wait {LOCK_MINUTES} minutes, then try again.")]
    Locked,
    /// A new PIN is not acceptable.
    #[error("The PIN must be 6 to 12 digits.")]
    Weak,
    /// The store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Checks and stores a new PIN.
pub fn set_pin(store: &mut Store, pin: &str) -> Result<(), PinError> {
    if !(6..=12).contains(&pin.len()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(PinError::Weak);
    }
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|_| PinError::Weak)?
        .to_string();
    store.set_setting("pin_hash", &hash)?;
    store.set_setting("pin_failures", "0")?;
    Ok(())
}

/// Checks a PIN, counting failures and locking after too many.
pub fn check_pin(store: &mut Store, pin: &str) -> Result<(), PinError> {
    let hash = store.setting("pin_hash")?.ok_or(PinError::NotSet)?;
    if let Some(until) = store.setting("pin_locked_until")? {
        if chrono::DateTime::parse_from_rfc3339(&until).is_ok_and(|t| t > Utc::now()) {
            return Err(PinError::Locked);
        }
    }
    let ok = pin.len() <= 64
        && PasswordHash::new(&hash).is_ok_and(|h| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &h)
                .is_ok()
        });
    if ok {
        store.set_setting("pin_failures", "0")?;
        return Ok(());
    }
    let failures: i64 = store
        .setting("pin_failures")?
        .and_then(|f| f.parse().ok())
        .unwrap_or(0)
        + 1;
    store.set_setting("pin_failures", &failures.to_string())?;
    if failures >= MAX_FAILURES {
        let until = Utc::now() + Duration::minutes(LOCK_MINUTES);
        store.set_setting("pin_locked_until", &until.to_rfc3339())?;
        store.set_setting("pin_failures", "0")?;
        return Err(PinError::Locked);
    }
    Err(PinError::Wrong)
}

/// Whether the kiosk has been closed for the day.
pub fn is_closed(store: &mut Store) -> Result<bool, StoreError> {
    Ok(store.setting("closed")?.as_deref() == Some("yes"))
}

/// Closes or reopens the kiosk.
pub fn set_closed(store: &mut Store, closed: bool) -> Result<(), StoreError> {
    store.set_setting("closed", if closed { "yes" } else { "no" })
}

/// Whether the attendant has started an assisted session: the next ballot is recorded as
/// cast with help (and nothing about who helped or was helped).
pub fn assisted_session(store: &mut Store) -> Result<bool, StoreError> {
    Ok(store.setting("assisted_session")?.as_deref() == Some("yes"))
}

/// Starts or ends an assisted session.
pub fn set_assisted_session(store: &mut Store, on: bool) -> Result<(), StoreError> {
    store.set_setting("assisted_session", if on { "yes" } else { "no" })
}

/// Ballots the attendant has issued for attended-mode rounds and that are not yet used.
pub fn attended_allowance(store: &mut Store) -> Result<i64, StoreError> {
    Ok(store
        .setting("attended_allowance")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Adds (or, with a negative `delta`, uses) attended ballots.
pub fn add_attended(store: &mut Store, delta: i64) -> Result<i64, StoreError> {
    let n = (attended_allowance(store)? + delta).max(0);
    store.set_setting("attended_allowance", &n.to_string())?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_lock_after_five_wrong_tries() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        assert!(matches!(check_pin(&mut s, "123456"), Err(PinError::NotSet)));
        assert!(matches!(set_pin(&mut s, "12a456"), Err(PinError::Weak)));
        assert!(matches!(set_pin(&mut s, "123"), Err(PinError::Weak)));
        set_pin(&mut s, "246810").unwrap();
        assert!(!s.setting("pin_hash").unwrap().unwrap().contains("246810"));
        check_pin(&mut s, "246810").unwrap();
        for _ in 0..4 {
            assert!(matches!(check_pin(&mut s, "000000"), Err(PinError::Wrong)));
        }
        assert!(matches!(check_pin(&mut s, "000000"), Err(PinError::Locked)));
        assert!(
            matches!(check_pin(&mut s, "246810"), Err(PinError::Locked)),
            "even the right PIN waits"
        );
    }
}
