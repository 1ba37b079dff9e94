//! Results in the database: the ballots a count reads, the statuses it writes, the stored
//! result and its Pabulib files, publication (which removes the link between voter keys and
//! ballots), and the kiosks that may still hold ballots.

use super::count::{Count, KioskNames, StoredBallot};
use crate::accounts::now;
use crate::error::AppError;
use crate::rounds::Round;
use crate::schema::{ballots, kiosks, result_files, results};
use crate::{db::DbConn, with_conn};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

/// The reason stored on a superseded ballot.
pub const SUPERSEDED: &str = "an earlier ballot from the same person counts";

/// A stored result.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = results)]
pub struct ResultRow {
    /// The round.
    pub round_id: String,
    /// The result JSON.
    pub result: String,
    /// The officers' review JSON (empty once published).
    pub review: String,
    /// The digest.
    pub digest: String,
    /// When it was counted.
    pub counted_at: NaiveDateTime,
    /// Who counted it.
    pub counted_by: String,
    /// When it was published.
    pub published_at: Option<NaiveDateTime>,
    /// Who published it.
    pub published_by: Option<String>,
}

impl ResultRow {
    /// The result JSON with the times and who counted and published.
    pub fn to_json(&self) -> Result<Value, AppError> {
        let mut v: Value = serde_json::from_str(&self.result)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("stored result is not JSON: {e}")))?;
        v["status"] = json!(if self.published_at.is_some() {
            "published"
        } else {
            "counted"
        });
        v["counted_at"] = json!(crate::time_fmt::rfc3339(self.counted_at));
        v["published_at"] = json!(self.published_at.map(crate::time_fmt::rfc3339));
        Ok(v)
    }

    /// The review JSON (`{}` once published).
    pub fn review_json(&self) -> Value {
        serde_json::from_str(&self.review).unwrap_or_else(|_| json!({}))
    }
}

/// Every ballot of a round, as the count reads it.
pub fn load_ballots(conn: &mut DbConn, round_id: &str) -> Result<Vec<StoredBallot>, AppError> {
    type Row = (
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        NaiveDateTime,
        String,
        String,
        Option<String>,
        bool,
    );
    let rows: Vec<Row> = with_conn!(conn, |c| ballots::table
        .filter(ballots::round_id.eq(round_id))
        .select((
            ballots::id,
            ballots::area_key,
            ballots::channel,
            ballots::kiosk_id,
            ballots::person,
            ballots::cast_at,
            ballots::choices,
            ballots::status,
            ballots::reason,
            ballots::assisted,
        ))
        .load(c))?;
    rows.into_iter()
        .map(
            |(
                id,
                area_key,
                channel,
                kiosk_id,
                person,
                cast_at,
                choices,
                status,
                reason,
                assisted,
            )| {
                let choices = serde_json::from_str(&choices).map_err(|e| {
                    AppError::Internal(anyhow::anyhow!("ballot {id} has unreadable choices: {e}"))
                })?;
                Ok(StoredBallot {
                    id,
                    area_key,
                    channel,
                    kiosk_id,
                    person,
                    cast_at,
                    choices,
                    status,
                    reason,
                    assisted,
                })
            },
        )
        .collect()
}

/// The partnership's kiosks by id, named for turnout.
pub fn kiosk_names(conn: &mut DbConn, partnership_id: &str) -> Result<KioskNames, AppError> {
    let rows: Vec<(String, String)> = with_conn!(conn, |c| kiosks::table
        .filter(kiosks::partnership_id.eq(partnership_id))
        .select((kiosks::id, kiosks::name))
        .load(c))?;
    Ok(rows.into_iter().collect())
}

/// Kiosks that may still hold ballots of the round: enrolled before voting ended and not
/// revoked, and either last reporting ballots waiting to sync, or not in touch since voting
/// ended (the earlier of the closing time and when the round was closed), so they may have
/// taken ballots since.
pub fn pending_kiosks(conn: &mut DbConn, round: &Round) -> Result<Vec<Value>, AppError> {
    type Row = (
        String,
        String,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        i64,
    );
    let ended = if round.status == crate::rounds::RoundStatus::Open {
        now().min(round.row.closes_at)
    } else {
        round.row.closes_at.min(round.row.updated_at)
    };
    let rows: Vec<Row> = with_conn!(conn, |c| kiosks::table
        .filter(kiosks::partnership_id.eq(&round.row.partnership_id))
        .filter(kiosks::enrolled_at.le(ended))
        .filter(kiosks::revoked_at.is_null())
        .select((
            kiosks::id,
            kiosks::name,
            kiosks::last_seen_at,
            kiosks::last_sync_at,
            kiosks::pending_reported,
        ))
        .order(kiosks::name)
        .load(c))?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, seen, _, pending)| *pending > 0 || seen.is_none_or(|s| s < ended))
        .map(|(id, name, seen, synced, pending)| {
            json!({
                "id": id,
                "name": name,
                "last_seen_at": seen.map(crate::time_fmt::rfc3339),
                "last_sync_at": synced.map(crate::time_fmt::rfc3339),
                "pending": pending,
                "why": if pending > 0 {
                    format!("it last reported {pending} ballots waiting to sync")
                } else {
                    "it has not been in touch since voting ended".to_string()
                },
            })
        })
        .collect())
}

/// Stores a count: ballot statuses, the result and its files (replacing an earlier count).
pub fn save(conn: &mut DbConn, round_id: &str, count: &Count, by: &str) -> Result<(), AppError> {
    // Only the ballots whose status changes are written: on a recount those an earlier count
    // superseded go back to `received` (which, in a counted round, means counted), then this
    // count's superseded ones are marked. Writing every counted ballot would cost seconds per
    // million.
    let recount = find(conn, round_id)?.is_some();
    if recount {
        with_conn!(conn, |c| diesel::update(
            ballots::table
                .filter(ballots::round_id.eq(round_id))
                .filter(ballots::status.eq_any(["counted", "superseded"]))
        )
        .set((
            ballots::status.eq("received"),
            ballots::reason.eq(None::<String>)
        ))
        .execute(c))?;
    }
    for chunk in count.superseded.chunks(500) {
        let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
        with_conn!(conn, |c| diesel::update(
            ballots::table.filter(ballots::id.eq_any(&ids))
        )
        .set((
            ballots::status.eq("superseded"),
            ballots::reason.eq(SUPERSEDED)
        ))
        .execute(c))?;
    }
    with_conn!(conn, |c| diesel::delete(
        result_files::table.filter(result_files::round_id.eq(round_id))
    )
    .execute(c))?;
    with_conn!(conn, |c| diesel::delete(results::table.find(round_id))
        .execute(c))?;
    let row = (
        results::round_id.eq(round_id),
        results::result.eq(count.result.to_string()),
        results::review.eq(count.review.to_string()),
        results::digest.eq(&count.digest),
        results::counted_at.eq(now()),
        results::counted_by.eq(by),
    );
    with_conn!(conn, |c| diesel::insert_into(results::table)
        .values(row)
        .execute(c))?;
    for (area, text) in &count.files {
        let row = (
            result_files::round_id.eq(round_id),
            result_files::area_key.eq(area),
            result_files::pabulib.eq(text),
        );
        with_conn!(conn, |c| diesel::insert_into(result_files::table)
            .values(row)
            .execute(c))?;
    }
    Ok(())
}

/// Publishes: freezes the result, records who and when, drops the officers' review and
/// removes the link between voter keys and ballots.
pub fn publish(conn: &mut DbConn, round_id: &str, by: &str) -> Result<(), AppError> {
    with_conn!(conn, |c| diesel::update(results::table.find(round_id))
        .set((
            results::published_at.eq(Some(now())),
            results::published_by.eq(Some(by)),
            results::review.eq("{}"),
        ))
        .execute(c))?;
    with_conn!(conn, |c| diesel::update(
        ballots::table.filter(ballots::round_id.eq(round_id))
    )
    .set(ballots::person.eq(None::<String>))
    .execute(c))?;
    Ok(())
}

/// The stored result of a round.
pub fn find(conn: &mut DbConn, round_id: &str) -> Result<Option<ResultRow>, AppError> {
    Ok(with_conn!(conn, |c| results::table
        .find(round_id)
        .select(ResultRow::as_select())
        .first(c)
        .optional())?)
}

/// The Pabulib file of one area.
pub fn file(conn: &mut DbConn, round_id: &str, area: &str) -> Result<Option<String>, AppError> {
    Ok(with_conn!(conn, |c| result_files::table
        .find((round_id, area))
        .select(result_files::pabulib)
        .first(c)
        .optional())?)
}

/// All the round's Pabulib files, in area-key order.
pub fn files(conn: &mut DbConn, round_id: &str) -> Result<Vec<(String, String)>, AppError> {
    let mut files: Vec<(String, String)> = with_conn!(conn, |c| result_files::table
        .filter(result_files::round_id.eq(round_id))
        .select((result_files::area_key, result_files::pabulib))
        .load(c))?;
    files.sort();
    Ok(files)
}

/// Counts by `(question, answer)`.
pub type AnswerCounts = std::collections::BTreeMap<(String, String), i64>;

/// Monitoring answers for the round: `(question, answer) → responses`, and how many people
/// answered at all.
pub fn monitoring_counts(
    conn: &mut DbConn,
    round_id: &str,
) -> Result<(AnswerCounts, i64), AppError> {
    use crate::schema::monitoring;
    type Row = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = with_conn!(conn, |c| monitoring::table
        .filter(monitoring::round_id.eq(round_id))
        .select((
            monitoring::age_band,
            monitoring::sex,
            monitoring::ethnic_group,
            monitoring::disability,
            monitoring::influence,
        ))
        .load(c))?;
    let mut counts = std::collections::BTreeMap::new();
    for (age, sex, ethnic, disability, influence) in &rows {
        for (q, a) in [
            ("age_band", age),
            ("sex", sex),
            ("ethnic_group", ethnic),
            ("disability", disability),
            ("influence", influence),
        ] {
            if let Some(a) = a {
                *counts.entry((q.to_string(), a.clone())).or_insert(0) += 1;
            }
        }
    }
    Ok((counts, rows.len() as i64))
}

/// The partnership's baseline shares, `(question, answer) → per mille`.
pub fn baselines(
    conn: &mut DbConn,
    partnership_id: &str,
) -> Result<std::collections::BTreeMap<(String, String), i64>, AppError> {
    use crate::schema::monitoring_baselines as b;
    let rows: Vec<(String, String, i64)> = with_conn!(conn, |c| b::table
        .filter(b::partnership_id.eq(partnership_id))
        .select((b::question, b::answer, b::per_mille))
        .load(c))?;
    Ok(rows.into_iter().map(|(q, a, n)| ((q, a), n)).collect())
}

/// Replaces the partnership's baseline.
pub fn set_baselines(
    conn: &mut DbConn,
    partnership_id: &str,
    shares: &[(String, String, i64)],
) -> Result<(), AppError> {
    use crate::schema::monitoring_baselines as b;
    with_conn!(conn, |c| diesel::delete(
        b::table.filter(b::partnership_id.eq(partnership_id))
    )
    .execute(c))?;
    for (q, a, n) in shares {
        let row = (
            b::partnership_id.eq(partnership_id),
            b::question.eq(q),
            b::answer.eq(a),
            b::per_mille.eq(n),
        );
        with_conn!(conn, |c| diesel::insert_into(b::table)
            .values(row)
            .execute(c))?;
    }
    Ok(())
}
