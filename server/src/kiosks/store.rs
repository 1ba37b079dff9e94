//! The kiosk registry.

use crate::accounts::now;
use crate::auth::secret;
use crate::error::{is_unique_violation, AppError};
use crate::schema::kiosks;
use crate::time_fmt::rfc3339;
use crate::{db::DbConn, with_conn};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};
use youdecide_shared::ids::KioskId;
use youdecide_shared::sync::GENESIS;

/// How long an enrolment code is good for.
pub const ENROLLMENT_HOURS: i64 = 24;
/// A kiosk clock this far from the server's is flagged.
pub const CLOCK_WARNING_SECONDS: i64 = 300;

/// A stored kiosk.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = kiosks)]
pub struct Kiosk {
    /// Id.
    pub id: String,
    /// Partnership.
    pub partnership_id: String,
    /// Name ("Tesco Extra tablet 1").
    pub name: String,
    /// Hash of the unused enrolment code.
    pub enrollment_code_hash: Option<String>,
    /// When the enrolment code expires.
    pub enrollment_expires_at: Option<NaiveDateTime>,
    /// ed25519 public key (hex), once enrolled.
    pub public_key: Option<String>,
    /// When enrolled.
    pub enrolled_at: Option<NaiveDateTime>,
    /// When revoked.
    pub revoked_at: Option<NaiveDateTime>,
    /// Last request from the kiosk.
    pub last_seen_at: Option<NaiveDateTime>,
    /// Last batch accepted.
    pub last_sync_at: Option<NaiveDateTime>,
    /// Highest sequence number held.
    pub head_seq: i64,
    /// Hash of that record.
    pub head_hash: String,
    /// Ballots received from it.
    pub ballots_received: i64,
    /// Ballots it said it still held unsent, at its last contact.
    pub pending_reported: i64,
    /// Its clock minus the server's, at its last contact.
    pub clock_skew_seconds: Option<i64>,
    /// When created.
    pub created_at: NaiveDateTime,
}

impl Kiosk {
    /// As listed to officers.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id, "name": self.name,
            "enrolled": self.enrolled_at.is_some(),
            "last_seen_at": self.last_seen_at.map(rfc3339),
            "last_sync_at": self.last_sync_at.map(rfc3339),
            "ballots_received": self.ballots_received,
            "pending_reported": self.pending_reported,
            "clock_skew_seconds": self.clock_skew_seconds,
            "clock_warning": self.clock_skew_seconds.is_some_and(|s| s.abs() > CLOCK_WARNING_SECONDS),
            "revoked": self.revoked_at.is_some(),
        })
    }
}

/// Normalises an enrolment code as typed or scanned.
pub fn normalise_code(raw: &str) -> String {
    youdecide_shared::ballot::normalise_code(raw)
}

/// Creates a kiosk with a fresh enrolment code; returns it with the plain code.
pub fn create(
    conn: &mut DbConn,
    partnership_id: &str,
    name: &str,
) -> Result<(Kiosk, String), AppError> {
    let code = crate::ballots::codes::new_code();
    let id = KioskId::new().to_string();
    let now = now();
    let values = (
        kiosks::id.eq(&id),
        kiosks::partnership_id.eq(partnership_id),
        kiosks::name.eq(name),
        kiosks::enrollment_code_hash.eq(secret::hash(&normalise_code(&code))),
        kiosks::enrollment_expires_at.eq(now + Duration::hours(ENROLLMENT_HOURS)),
        kiosks::head_hash.eq(GENESIS),
        kiosks::created_at.eq(now),
    );
    with_conn!(conn, |c| diesel::insert_into(kiosks::table)
        .values(values)
        .execute(c))?;
    let kiosk =
        find(conn, &id)?.ok_or_else(|| AppError::Internal(anyhow::anyhow!("kiosk vanished")))?;
    Ok((kiosk, code))
}

/// Finds a kiosk by id.
pub fn find(conn: &mut DbConn, id: &str) -> Result<Option<Kiosk>, AppError> {
    Ok(with_conn!(conn, |c| kiosks::table
        .find(id)
        .select(Kiosk::as_select())
        .first(c)
        .optional())?)
}

/// A partnership's kiosks, by name.
pub fn list(conn: &mut DbConn, partnership_id: &str) -> Result<Vec<Kiosk>, AppError> {
    Ok(with_conn!(conn, |c| kiosks::table
        .filter(kiosks::partnership_id.eq(partnership_id))
        .order(kiosks::name.asc())
        .select(Kiosk::as_select())
        .load(c))?)
}

/// Why an enrolment code was refused (for the log; the client is told only that it is not
/// valid, used or expired).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrolRefusal {
    /// No unused code of a kiosk that is not revoked matches (never issued, already used, or
    /// its kiosk revoked).
    UnknownOrUsed,
    /// The code's 24 hours have passed.
    Expired,
}

impl std::fmt::Display for EnrolRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EnrolRefusal::UnknownOrUsed => "the code is unknown or has already been used",
            EnrolRefusal::Expired => "the code has expired",
        })
    }
}

/// Uses an enrolment code: records the kiosk's public key and forgets the code; or says why
/// the code was refused.
pub fn enroll(
    conn: &mut DbConn,
    code: &str,
    public_key: &str,
) -> Result<Result<Kiosk, EnrolRefusal>, AppError> {
    let hash = secret::hash(&normalise_code(code));
    conn.write(|conn| {
        let found: Option<Kiosk> = with_conn!(conn, |c| kiosks::table
            .filter(kiosks::enrollment_code_hash.eq(&hash))
            .filter(kiosks::revoked_at.is_null())
            .select(Kiosk::as_select())
            .first(c)
            .optional())?;
        let Some(k) = found else {
            return Ok(Err(EnrolRefusal::UnknownOrUsed));
        };
        let unexpired = matches!(k.enrollment_expires_at, Some(t) if t > now());
        if !unexpired {
            return Ok(Err(EnrolRefusal::Expired));
        }
        let now = now();
        let updated = with_conn!(conn, |c| diesel::update(kiosks::table.find(&k.id))
            .set((
                kiosks::public_key.eq(public_key),
                kiosks::enrolled_at.eq(now),
                kiosks::last_seen_at.eq(now),
                kiosks::enrollment_code_hash.eq(None::<String>),
                kiosks::enrollment_expires_at.eq(None::<NaiveDateTime>),
            ))
            .execute(c));
        match updated {
            Ok(_) => find(conn, &k.id)?
                .map(Ok)
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("kiosk vanished"))),
            Err(e) if is_unique_violation(&e) => Err(AppError::conflict(
                "key_in_use",
                "This public key is already enrolled for another kiosk. Generate a new key.",
            )),
            Err(e) => Err(e.into()),
        }
    })
}

/// Revokes a kiosk: its key is refused from now on.
pub fn revoke(conn: &mut DbConn, id: &str) -> Result<(), AppError> {
    with_conn!(conn, |c| diesel::update(
        kiosks::table.find(id).filter(kiosks::revoked_at.is_null())
    )
    .set((
        kiosks::revoked_at.eq(now()),
        kiosks::enrollment_code_hash.eq(None::<String>),
    ))
    .execute(c))?;
    Ok(())
}

/// Records a contact from the kiosk: when, its clock skew and how many ballots it holds unsent.
pub fn seen(
    conn: &mut DbConn,
    id: &str,
    skew_seconds: Option<i64>,
    pending: u64,
) -> Result<(), AppError> {
    with_conn!(conn, |c| diesel::update(kiosks::table.find(id))
        .set((
            kiosks::last_seen_at.eq(now()),
            kiosks::clock_skew_seconds.eq(skew_seconds),
            kiosks::pending_reported.eq(pending as i64),
        ))
        .execute(c))?;
    Ok(())
}
