//! Storage of ballots, voting code hashes and monitoring answers.

use crate::accounts::now;
use crate::error::{is_unique_violation, AppError};
use crate::schema::{ballots, monitoring, voting_codes};
use crate::{db::DbConn, with_conn};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

/// How a ballot reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The public website.
    Online,
    /// A pop-up kiosk.
    Kiosk,
    /// A paper ballot keyed in by officers.
    Paper,
}

impl Channel {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Kiosk => "kiosk",
            Channel::Paper => "paper",
        }
    }
}

/// A ballot to store.
#[derive(Debug, Clone)]
pub struct NewBallot {
    /// Id (UUIDv7; kiosks make their own).
    pub id: String,
    /// Round.
    pub round_id: String,
    /// The voter's area.
    pub area_key: String,
    /// How it arrived.
    pub channel: Channel,
    /// The kiosk, for kiosk ballots.
    pub kiosk_id: Option<String>,
    /// Voter key or code hash (none for attended ballots).
    pub person: Option<String>,
    /// When it was cast.
    pub cast_at: NaiveDateTime,
    /// `(project key, weight)` pairs.
    pub choices: Vec<(String, i64)>,
    /// Language used.
    pub language: String,
    /// The receipt's tracking code.
    pub tracking_code: String,
    /// Cast with an attendant's help at a kiosk (recorded without identity).
    pub assisted: bool,
}

/// Whether the person already has a ballot in the round that may count.
pub fn person_has_ballot(
    conn: &mut DbConn,
    round_id: &str,
    person: &str,
) -> Result<bool, AppError> {
    let n: i64 = with_conn!(conn, |c| ballots::table
        .filter(ballots::round_id.eq(round_id))
        .filter(ballots::person.eq(person))
        .filter(ballots::status.ne("rejected"))
        .count()
        .get_result(c))?;
    Ok(n > 0)
}

/// Stores a ballot as `received`. A second online ballot from the same person is refused by
/// the database itself (409 `already_voted`), so two servers cannot both accept one.
pub fn insert(conn: &mut DbConn, b: &NewBallot) -> Result<(), AppError> {
    let values = (
        ballots::id.eq(&b.id),
        ballots::round_id.eq(&b.round_id),
        ballots::area_key.eq(&b.area_key),
        ballots::channel.eq(b.channel.as_str()),
        ballots::kiosk_id.eq(b.kiosk_id.as_deref()),
        ballots::person.eq(b.person.as_deref()),
        ballots::cast_at.eq(b.cast_at),
        ballots::received_at.eq(now()),
        ballots::choices.eq(json!(b.choices).to_string()),
        ballots::language.eq(&b.language),
        ballots::status.eq("received"),
        ballots::tracking_code.eq(&b.tracking_code),
        ballots::assisted.eq(b.assisted),
    );
    match with_conn!(conn, |c| diesel::insert_into(ballots::table)
        .values(values)
        .execute(c))
    {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(already_voted()),
        Err(e) => Err(e.into()),
    }
}

/// Stores many ballots in one statement per 500, each `received` or, with a reason,
/// `rejected` (a kiosk's batch, already checked).
pub fn insert_many(
    conn: &mut DbConn,
    rows: &[(NewBallot, Option<String>)],
) -> Result<(), AppError> {
    let received_at = now();
    for chunk in rows.chunks(500) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(b, reason)| {
                (
                    ballots::id.eq(&b.id),
                    ballots::round_id.eq(&b.round_id),
                    ballots::area_key.eq(&b.area_key),
                    ballots::channel.eq(b.channel.as_str()),
                    ballots::kiosk_id.eq(b.kiosk_id.as_deref()),
                    ballots::person.eq(b.person.as_deref()),
                    ballots::cast_at.eq(b.cast_at),
                    ballots::received_at.eq(received_at),
                    ballots::choices.eq(json!(b.choices).to_string()),
                    ballots::language.eq(&b.language),
                    ballots::status.eq(if reason.is_some() {
                        "rejected"
                    } else {
                        "received"
                    }),
                    ballots::reason.eq(reason.as_deref()),
                    ballots::tracking_code.eq(&b.tracking_code),
                    ballots::assisted.eq(b.assisted),
                )
            })
            .collect();
        with_conn!(conn, |c| diesel::insert_into(ballots::table)
            .values(&values)
            .execute(c))?;
    }
    Ok(())
}

/// Which of these ballot ids are already stored.
pub fn existing_ids(
    conn: &mut DbConn,
    ids: &[&str],
) -> Result<std::collections::HashSet<String>, AppError> {
    let mut found = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<String> = with_conn!(conn, |c| ballots::table
            .filter(ballots::id.eq_any(chunk))
            .select(ballots::id)
            .load(c))?;
        found.extend(rows);
    }
    Ok(found)
}

/// The 409 for a second ballot.
pub fn already_voted() -> AppError {
    AppError::conflict(
        "already_voted",
        "You have already voted in this round. Each person can vote once.",
    )
}

/// A ballot's status by tracking code.
///
/// A count writes only the ballots whose status it changes (superseded ones), so a ballot
/// still `received` in a counted or published round is one that counts.
pub fn status_by_tracking(conn: &mut DbConn, code: &str) -> Result<Option<String>, AppError> {
    use crate::schema::rounds;
    let found: Option<(String, String)> = with_conn!(conn, |c| ballots::table
        .filter(ballots::tracking_code.eq(code))
        .select((ballots::status, ballots::round_id))
        .first(c)
        .optional())?;
    let Some((status, round_id)) = found else {
        return Ok(None);
    };
    if status != "received" {
        return Ok(Some(status));
    }
    let round: Option<String> = with_conn!(conn, |c| rounds::table
        .find(&round_id)
        .select(rounds::status)
        .first(c)
        .optional())?;
    Ok(Some(
        if matches!(round.as_deref(), Some("counted" | "published")) {
            "counted".to_string()
        } else {
            status
        },
    ))
}

/// Stores new voting code hashes for a round.
pub fn insert_code_hashes(
    conn: &mut DbConn,
    round_id: &str,
    hashes: &[String],
) -> Result<(), AppError> {
    let now = now();
    for h in hashes {
        let values = (
            voting_codes::round_id.eq(round_id),
            voting_codes::code_hash.eq(h),
            voting_codes::created_at.eq(now),
        );
        with_conn!(conn, |c| diesel::insert_into(voting_codes::table)
            .values(values)
            .execute(c))?;
    }
    Ok(())
}

/// Whether a code hash was issued for the round.
pub fn code_issued(conn: &mut DbConn, round_id: &str, hash: &str) -> Result<bool, AppError> {
    let n: i64 = with_conn!(conn, |c| voting_codes::table
        .filter(voting_codes::round_id.eq(round_id))
        .filter(voting_codes::code_hash.eq(hash))
        .count()
        .get_result(c))?;
    Ok(n > 0)
}

/// Which of these code hashes were issued for the round (one query per 500).
pub fn codes_issued(
    conn: &mut DbConn,
    round_id: &str,
    hashes: &[&str],
) -> Result<std::collections::HashSet<String>, AppError> {
    let mut found = std::collections::HashSet::new();
    for chunk in hashes.chunks(500) {
        let rows: Vec<String> = with_conn!(conn, |c| voting_codes::table
            .filter(voting_codes::round_id.eq(round_id))
            .filter(voting_codes::code_hash.eq_any(chunk))
            .select(voting_codes::code_hash)
            .load(c))?;
        found.extend(rows);
    }
    Ok(found)
}

/// How many codes a round has.
pub fn code_count(conn: &mut DbConn, round_id: &str) -> Result<i64, AppError> {
    Ok(with_conn!(conn, |c| voting_codes::table
        .filter(voting_codes::round_id.eq(round_id))
        .count()
        .get_result(c))?)
}

/// Equality monitoring and influence answers, stored with the day only and no link to any
/// ballot or person.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    /// Age band, e.g. `25-34`.
    pub age_band: Option<String>,
    /// Sex.
    pub sex: Option<String>,
    /// Ethnic group (census categories).
    pub ethnic_group: Option<String>,
    /// Disability: `yes`, `no` or `prefer-not-to-say`.
    pub disability: Option<String>,
    /// "Do you feel you can influence decisions affecting your local area?"
    pub influence: Option<String>,
}

impl Monitoring {
    /// Each question's field name with the answer given, if any.
    pub fn answers(&self) -> [(&'static str, Option<&str>); 5] {
        [
            ("age_band", self.age_band.as_deref()),
            ("sex", self.sex.as_deref()),
            ("ethnic_group", self.ethnic_group.as_deref()),
            ("disability", self.disability.as_deref()),
            ("influence", self.influence.as_deref()),
        ]
    }
}

/// Stores monitoring answers.
pub fn insert_monitoring(
    conn: &mut DbConn,
    round_id: &str,
    m: &Monitoring,
) -> Result<(), AppError> {
    let values = (
        monitoring::id.eq(uuid::Uuid::new_v4().to_string()),
        monitoring::round_id.eq(round_id),
        monitoring::day.eq(now().date().to_string()),
        monitoring::age_band.eq(m.age_band.as_deref()),
        monitoring::sex.eq(m.sex.as_deref()),
        monitoring::ethnic_group.eq(m.ethnic_group.as_deref()),
        monitoring::disability.eq(m.disability.as_deref()),
        monitoring::influence.eq(m.influence.as_deref()),
    );
    with_conn!(conn, |c| diesel::insert_into(monitoring::table)
        .values(values)
        .execute(c))?;
    Ok(())
}

/// Stores monitoring answers from a kiosk under the kiosk's own random id and day, once: a
/// retried batch changes nothing.
pub fn insert_monitoring_once(
    conn: &mut DbConn,
    id: &str,
    round_id: &str,
    day: &str,
    m: &Monitoring,
) -> Result<(), AppError> {
    let held: i64 = with_conn!(conn, |c| monitoring::table
        .filter(monitoring::id.eq(id))
        .count()
        .get_result(c))?;
    if held > 0 {
        return Ok(());
    }
    let values = (
        monitoring::id.eq(id),
        monitoring::round_id.eq(round_id),
        monitoring::day.eq(day),
        monitoring::age_band.eq(m.age_band.as_deref()),
        monitoring::sex.eq(m.sex.as_deref()),
        monitoring::ethnic_group.eq(m.ethnic_group.as_deref()),
        monitoring::disability.eq(m.disability.as_deref()),
        monitoring::influence.eq(m.influence.as_deref()),
    );
    // Two deliveries of one batch at once: the second finds the row taken and leaves it.
    with_conn!(conn, |c| diesel::insert_into(monitoring::table)
        .values(values)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(())
}
