//! Paper batches and keyed sheets in the database, the comparison of the two passes, and
//! reconciliation into ballots.

use super::CheckedSheet;
use crate::accounts::now;
use crate::ballots::store::{self as ballots, Channel, NewBallot};
use crate::ballots::tracking;
use crate::error::AppError;
use crate::schema::{paper_batches, paper_sheets};
use crate::{db::DbConn, with_conn};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A batch row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = paper_batches)]
pub struct Batch {
    /// Id.
    pub id: String,
    /// The round.
    pub round_id: String,
    /// Where the sheets were collected.
    pub place: String,
    /// When: every ballot of the batch is cast at this time.
    pub collected_at: NaiveDateTime,
    /// Who collected them.
    pub collected_by: String,
    /// How many sheets.
    pub sheets: i64,
    /// `keying` or `reconciled`.
    pub status: String,
    /// The officer keying pass 1.
    pub first_keyer: Option<String>,
    /// The officer keying pass 2.
    pub second_keyer: Option<String>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// By whom.
    pub created_by: String,
    /// Reconciled.
    pub reconciled_at: Option<NaiveDateTime>,
    /// By whom.
    pub reconciled_by: Option<String>,
}

/// A keyed sheet row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = paper_sheets)]
pub struct Sheet {
    /// The batch.
    pub batch_id: String,
    /// 1 or 2.
    pub pass: i64,
    /// Sheet number.
    pub sheet: i64,
    /// Postcode.
    pub postcode: String,
    /// Area, if the postcode is in the round.
    pub area_key: Option<String>,
    /// Age box.
    pub age_confirmed: bool,
    /// Keyed hash of the name.
    pub name_check: Option<String>,
    /// Keyed hash of the date of birth.
    pub dob_check: Option<String>,
    /// Voter key or code hash.
    pub person: Option<String>,
    /// `[[project, weight]]`.
    pub choices: String,
    /// Why it does not count.
    pub spoilt: Option<String>,
    /// When keyed.
    pub keyed_at: NaiveDateTime,
}

impl Batch {
    /// The batch as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "round": self.round_id,
            "place": self.place,
            "collected_at": crate::time_fmt::rfc3339(self.collected_at),
            "collected_by": self.collected_by,
            "sheets": self.sheets,
            "status": self.status,
            "created_at": crate::time_fmt::rfc3339(self.created_at),
            "reconciled_at": self.reconciled_at.map(crate::time_fmt::rfc3339),
        })
    }
}

/// A new batch.
pub fn create(conn: &mut DbConn, b: &Batch) -> Result<(), AppError> {
    let row = (
        paper_batches::id.eq(&b.id),
        paper_batches::round_id.eq(&b.round_id),
        paper_batches::place.eq(&b.place),
        paper_batches::collected_at.eq(b.collected_at),
        paper_batches::collected_by.eq(&b.collected_by),
        paper_batches::sheets.eq(b.sheets),
        paper_batches::status.eq(&b.status),
        paper_batches::created_at.eq(b.created_at),
        paper_batches::created_by.eq(&b.created_by),
    );
    with_conn!(conn, |c| diesel::insert_into(paper_batches::table)
        .values(row)
        .execute(c))?;
    Ok(())
}

/// A batch by id.
pub fn find(conn: &mut DbConn, id: &str) -> Result<Option<Batch>, AppError> {
    Ok(with_conn!(conn, |c| paper_batches::table
        .find(id)
        .select(Batch::as_select())
        .first(c)
        .optional())?)
}

/// A round's batches, oldest first.
pub fn list(conn: &mut DbConn, round_id: &str) -> Result<Vec<Batch>, AppError> {
    Ok(with_conn!(conn, |c| paper_batches::table
        .filter(paper_batches::round_id.eq(round_id))
        .order(paper_batches::created_at)
        .select(Batch::as_select())
        .load(c))?)
}

/// Records who keys a pass.
pub fn set_keyer(conn: &mut DbConn, id: &str, pass: i64, user: &str) -> Result<(), AppError> {
    if pass == 1 {
        with_conn!(conn, |c| diesel::update(paper_batches::table.find(id))
            .set(paper_batches::first_keyer.eq(Some(user)))
            .execute(c))?;
    } else {
        with_conn!(conn, |c| diesel::update(paper_batches::table.find(id))
            .set(paper_batches::second_keyer.eq(Some(user)))
            .execute(c))?;
    }
    Ok(())
}

/// Stores a keyed sheet, replacing an earlier keying of the same sheet in the same pass.
pub fn put_sheet(
    conn: &mut DbConn,
    batch_id: &str,
    pass: i64,
    sheet: i64,
    s: &CheckedSheet,
    person: Option<&str>,
) -> Result<(), AppError> {
    with_conn!(conn, |c| diesel::delete(
        paper_sheets::table.find((batch_id, pass, sheet))
    )
    .execute(c))?;
    let row = (
        paper_sheets::batch_id.eq(batch_id),
        paper_sheets::pass.eq(pass),
        paper_sheets::sheet.eq(sheet),
        paper_sheets::postcode.eq(&s.postcode),
        paper_sheets::area_key.eq(s.area_key.as_deref()),
        paper_sheets::age_confirmed.eq(s.age_confirmed),
        paper_sheets::name_check.eq(s.name_check.as_deref()),
        paper_sheets::dob_check.eq(s.dob_check.as_deref()),
        paper_sheets::person.eq(person),
        paper_sheets::choices.eq(json!(s.choices).to_string()),
        paper_sheets::spoilt.eq(s.spoilt.as_deref()),
        paper_sheets::keyed_at.eq(now()),
    );
    with_conn!(conn, |c| diesel::insert_into(paper_sheets::table)
        .values(row)
        .execute(c))?;
    Ok(())
}

/// A batch's keyed sheets, by pass then sheet.
pub fn sheets(conn: &mut DbConn, batch_id: &str) -> Result<Vec<Sheet>, AppError> {
    Ok(with_conn!(conn, |c| paper_sheets::table
        .filter(paper_sheets::batch_id.eq(batch_id))
        .order((paper_sheets::pass, paper_sheets::sheet))
        .select(Sheet::as_select())
        .load(c))?)
}

/// Where the two passes disagree: per sheet, what is missing or which fields differ (never
/// the values). Empty when the batch is complete and both passes agree.
pub fn differences(batch: &Batch, sheets: &[Sheet]) -> Vec<Value> {
    let by: BTreeMap<(i64, i64), &Sheet> = sheets.iter().map(|s| ((s.pass, s.sheet), s)).collect();
    let mut out = Vec::new();
    for n in 1..=batch.sheets {
        match (by.get(&(1, n)), by.get(&(2, n))) {
            (None, None) => out.push(json!({"sheet": n, "problem": "not keyed in either pass"})),
            (None, Some(_)) => out.push(json!({"sheet": n, "problem": "not keyed in pass 1"})),
            (Some(_), None) => out.push(json!({"sheet": n, "problem": "not keyed in pass 2"})),
            (Some(a), Some(b)) => {
                let mut fields = Vec::new();
                if a.postcode != b.postcode {
                    fields.push("postcode");
                }
                if a.age_confirmed != b.age_confirmed {
                    fields.push("age");
                }
                if a.name_check != b.name_check {
                    fields.push("name");
                }
                if a.dob_check != b.dob_check {
                    fields.push("date of birth");
                }
                if a.person != b.person
                    && a.name_check == b.name_check
                    && a.dob_check == b.dob_check
                {
                    fields.push("voting code");
                }
                if a.choices != b.choices {
                    fields.push("choices");
                }
                if a.spoilt != b.spoilt {
                    fields.push("spoilt");
                }
                if !fields.is_empty() {
                    out.push(json!({
                        "sheet": n,
                        "problem": format!("the passes differ in: {}", fields.join(", ")),
                        "fields": fields,
                    }));
                }
            }
        }
    }
    out
}

/// Turns a complete, agreeing batch into ballots (spoilt sheets as rejected ballots with their
/// reason) and marks it reconciled. The caller has checked there are no differences.
pub fn reconcile(
    conn: &mut DbConn,
    batch: &Batch,
    sheets: &[Sheet],
    by: &str,
) -> Result<usize, AppError> {
    let mut rows = Vec::new();
    for s in sheets.iter().filter(|s| s.pass == 1) {
        let choices: Vec<(String, i64)> = serde_json::from_str(&s.choices).unwrap_or_default();
        let id = uuid::Uuid::now_v7().to_string();
        let tracking_code = tracking::new_code(&id, &s.choices);
        rows.push((
            NewBallot {
                id,
                round_id: batch.round_id.clone(),
                area_key: s.area_key.clone().unwrap_or_default(),
                channel: Channel::Paper,
                kiosk_id: None,
                person: s.person.clone(),
                cast_at: batch.collected_at,
                choices,
                language: "en".into(),
                tracking_code,
                assisted: false,
            },
            s.spoilt.as_ref().map(|r| format!("spoilt: {r}")),
        ));
    }
    ballots::insert_many(conn, &rows)?;
    with_conn!(conn, |c| diesel::update(
        paper_batches::table.find(&batch.id)
    )
    .set((
        paper_batches::status.eq("reconciled"),
        paper_batches::reconciled_at.eq(Some(now())),
        paper_batches::reconciled_by.eq(Some(by)),
    ))
    .execute(c))?;
    Ok(rows.len())
}
