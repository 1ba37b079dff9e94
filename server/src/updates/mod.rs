//! "You said, we did": officers' delivery updates on the projects a published round funded
//! (planned, in progress, delivered, changed or cancelled with the reason; a date, a text, the
//! spend to date and an optional photo), for the public timeline, its Atom feed and the round
//! page's progress at a glance.

use crate::accounts::now;
use crate::error::AppError;
use crate::rounds::{Round, RoundStatus};
use crate::schema::project_updates;
use crate::{db::DbConn, with_conn};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};
use youdecide_shared::round::FieldError;

/// The statuses, in the order a project usually moves through them.
pub const STATUSES: [&str; 5] = [
    "planned",
    "in-progress",
    "delivered",
    "changed",
    "cancelled",
];

/// An update as sent.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUpdate {
    /// One of [`STATUSES`].
    pub status: String,
    /// Why (required for `changed` and `cancelled`).
    #[serde(default)]
    pub reason: Option<String>,
    /// The day it happened, `YYYY-MM-DD`.
    pub day: String,
    /// What happened, in plain English.
    pub body: String,
    /// Money spent so far, in pence.
    #[serde(default)]
    pub spend_to_date: Option<i64>,
}

/// A stored update.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = project_updates)]
pub struct Update {
    /// Id.
    pub id: String,
    /// The round.
    pub round_id: String,
    /// The project.
    pub project_key: String,
    /// Status.
    pub status: String,
    /// Why, for changed or cancelled.
    pub reason: Option<String>,
    /// The day.
    pub day: String,
    /// The text.
    pub body: String,
    /// Spend so far, in pence.
    pub spend_to_date: Option<i64>,
    /// Stored photo file.
    pub photo_file: Option<String>,
    /// Its type.
    pub photo_type: Option<String>,
    /// When written.
    pub created_at: NaiveDateTime,
    /// By whom.
    pub created_by: String,
}

impl Update {
    /// The update as JSON, with the project's title.
    pub fn to_json(&self, round: &Round) -> Value {
        let title = round
            .projects
            .iter()
            .find(|p| p.key == self.project_key)
            .map_or("", |p| p.title.as_str());
        json!({
            "id": self.id,
            "project": self.project_key,
            "project_title": title,
            "status": self.status,
            "reason": self.reason,
            "day": self.day,
            "body": self.body,
            "spend_to_date": self.spend_to_date,
            "photo_url": self.photo_file.as_ref().map(|_| format!(
                "/api/v1/rounds/{}/updates/{}/photo", self.round_id, self.id
            )),
            "created_at": crate::time_fmt::rfc3339(self.created_at),
        })
    }
}

/// The funded projects of a published round, from its stored result.
pub fn funded(conn: &mut DbConn, round: &Round) -> Result<Vec<String>, AppError> {
    if round.status != RoundStatus::Published {
        return Ok(Vec::new());
    }
    let Some(row) = crate::results::store::find(conn, &round.row.id)? else {
        return Ok(Vec::new());
    };
    let result = row.to_json()?;
    Ok(result["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["selected"] == true)
        .filter_map(|p| p["key"].as_str().map(String::from))
        .collect())
}

/// Checks an update for a project of a round: 409 when the round is not published or the
/// project was not funded; 422 naming each bad field.
pub fn check(round: &Round, funded: &[String], key: &str, u: &NewUpdate) -> Result<(), AppError> {
    if round.status != RoundStatus::Published {
        return Err(AppError::conflict(
            "round_not_published",
            format!(
                "Delivery updates are for funded projects of a published round; this round is {}.",
                round.status
            ),
        ));
    }
    let Some(project) = round.projects.iter().find(|p| p.key == key) else {
        return Err(AppError::not_found(
            "The round has no project with that key.",
        ));
    };
    if !funded.iter().any(|f| f == key) {
        return Err(AppError::conflict(
            "project_not_funded",
            format!(
                "\"{}\" was not funded in this round, so it has no delivery to report.",
                project.title
            ),
        ));
    }
    let mut errors = Vec::new();
    if !STATUSES.contains(&u.status.as_str()) {
        errors.push(FieldError::new(
            "status",
            format!("must be one of {}", STATUSES.join(", ")),
        ));
    }
    let reason = u.reason.as_deref().map(str::trim).unwrap_or("");
    if matches!(u.status.as_str(), "changed" | "cancelled") && reason.is_empty() {
        errors.push(FieldError::new(
            "reason",
            "say why the project changed or was cancelled",
        ));
    }
    if reason.chars().count() > 1_000 {
        errors.push(FieldError::new(
            "reason",
            "must be at most 1,000 characters",
        ));
    }
    match NaiveDate::parse_from_str(u.day.trim(), "%Y-%m-%d") {
        Err(_) => errors.push(FieldError::new("day", "must be a date like 2027-03-14")),
        Ok(d) if d > now().date() => errors.push(FieldError::new("day", "cannot be in the future")),
        Ok(d) if d < round.row.opens_at.date() => {
            errors.push(FieldError::new("day", "cannot be before the round opened"))
        }
        Ok(_) => {}
    }
    let body = u.body.trim().chars().count();
    if body == 0 || body > 5_000 {
        errors.push(FieldError::new(
            "body",
            "say what happened (1 to 5,000 characters)",
        ));
    }
    if let Some(spend) = u.spend_to_date {
        if spend < 0 {
            errors.push(FieldError::new("spend_to_date", "cannot be negative"));
        } else if spend > project.cost.saturating_mul(10) {
            errors.push(FieldError::new(
                "spend_to_date",
                "is more than ten times the project's cost: check the figure (in pence)",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid_fields("invalid_update", "", &errors))
    }
}

/// Stores an update; returns it.
pub fn insert(
    conn: &mut DbConn,
    round_id: &str,
    key: &str,
    u: &NewUpdate,
    by: &str,
) -> Result<Update, AppError> {
    let update = Update {
        id: uuid::Uuid::now_v7().to_string(),
        round_id: round_id.to_string(),
        project_key: key.to_string(),
        status: u.status.clone(),
        reason: u
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(String::from),
        day: u.day.trim().to_string(),
        body: u.body.trim().to_string(),
        spend_to_date: u.spend_to_date,
        photo_file: None,
        photo_type: None,
        created_at: now(),
        created_by: by.to_string(),
    };
    let row = (
        project_updates::id.eq(&update.id),
        project_updates::round_id.eq(&update.round_id),
        project_updates::project_key.eq(&update.project_key),
        project_updates::status.eq(&update.status),
        project_updates::reason.eq(update.reason.as_deref()),
        project_updates::day.eq(&update.day),
        project_updates::body.eq(&update.body),
        project_updates::spend_to_date.eq(update.spend_to_date),
        project_updates::created_at.eq(update.created_at),
        project_updates::created_by.eq(&update.created_by),
    );
    with_conn!(conn, |c| diesel::insert_into(project_updates::table)
        .values(row)
        .execute(c))?;
    Ok(update)
}

/// A round's updates, newest first (by day, then when written).
pub fn list(conn: &mut DbConn, round_id: &str) -> Result<Vec<Update>, AppError> {
    Ok(with_conn!(conn, |c| project_updates::table
        .filter(project_updates::round_id.eq(round_id))
        .order((
            project_updates::day.desc(),
            project_updates::created_at.desc()
        ))
        .select(Update::as_select())
        .load(c))?)
}

/// One update of a round.
pub fn find(conn: &mut DbConn, round_id: &str, id: &str) -> Result<Option<Update>, AppError> {
    Ok(with_conn!(conn, |c| project_updates::table
        .filter(project_updates::round_id.eq(round_id))
        .filter(project_updates::id.eq(id))
        .select(Update::as_select())
        .first(c)
        .optional())?)
}

/// Deletes an update; returns its photo file, if any.
pub fn delete(conn: &mut DbConn, round_id: &str, id: &str) -> Result<Option<String>, AppError> {
    let found =
        find(conn, round_id, id)?.ok_or_else(|| AppError::not_found("There is no such update."))?;
    with_conn!(conn, |c| diesel::delete(project_updates::table.find(id))
        .execute(c))?;
    Ok(found.photo_file)
}

/// Records an update's photo; returns the previous file, if any.
pub fn set_photo(
    conn: &mut DbConn,
    round_id: &str,
    id: &str,
    file: &str,
    mime: &str,
) -> Result<Option<String>, AppError> {
    let found =
        find(conn, round_id, id)?.ok_or_else(|| AppError::not_found("There is no such update."))?;
    with_conn!(conn, |c| diesel::update(project_updates::table.find(id))
        .set((
            project_updates::photo_file.eq(Some(file)),
            project_updates::photo_type.eq(Some(mime)),
        ))
        .execute(c))?;
    Ok(found.photo_file)
}

/// Each funded project's latest status (`planned` when there is no update yet), and the
/// counts per status.
pub fn progress(funded: &[String], updates: &[Update]) -> Vec<(String, String)> {
    funded
        .iter()
        .map(|key| {
            let latest = updates
                .iter()
                .find(|u| &u.project_key == key)
                .map_or("planned", |u| u.status.as_str());
            (key.clone(), latest.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(key: &str, status: &str, day: &str) -> Update {
        Update {
            id: format!("{key}-{day}"),
            round_id: "r".into(),
            project_key: key.into(),
            status: status.into(),
            reason: None,
            day: day.into(),
            body: "b".into(),
            spend_to_date: None,
            photo_file: None,
            photo_type: None,
            created_at: now(),
            created_by: "o".into(),
        }
    }

    #[test]
    fn progress_takes_each_projects_latest_status() {
        // Newest first, as `list` returns them.
        let updates = vec![
            update("a", "delivered", "2027-05-01"),
            update("b", "in-progress", "2027-04-01"),
            update("a", "in-progress", "2027-03-01"),
        ];
        let funded = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        assert_eq!(
            progress(&funded, &updates),
            vec![
                ("a".into(), "delivered".into()),
                ("b".into(), "in-progress".into()),
                ("c".into(), "planned".into())
            ]
        );
    }
}
