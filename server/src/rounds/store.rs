//! Storage of rounds, areas, projects, translations and the pop-up schedule, and the round as
//! the API and pages show it.

use super::RoundStatus;
use crate::accounts::now;
use crate::error::AppError;
use crate::schema::{areas, projects, rounds, schedule_slots, translations};
use crate::time_fmt::rfc3339;
use crate::{db::DbConn, with_conn};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use youdecide_shared::ids::RoundId;
use youdecide_shared::round::{Area, Eligibility, Method, ProjectSpec, RoundSpec, Translation};

/// A stored round row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rounds)]
pub struct RoundRow {
    /// Id.
    pub id: String,
    /// Owning partnership.
    pub partnership_id: String,
    /// Title (English).
    pub title: String,
    /// Description (English).
    pub description: String,
    /// Voting opens.
    pub opens_at: NaiveDateTime,
    /// Voting closes.
    pub closes_at: NaiveDateTime,
    /// The method as JSON.
    pub method: String,
    /// The tally rule.
    pub rule: String,
    /// Eligibility as JSON.
    pub eligibility: String,
    /// Languages as a JSON array.
    pub languages: String,
    /// Status name.
    pub status: String,
    /// Per-round salt for voter keys.
    pub voter_key_salt: String,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

impl RoundRow {
    /// The status.
    pub fn status(&self) -> Result<RoundStatus, AppError> {
        self.status.parse()
    }
}

/// A stored project as shown.
#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = projects)]
pub struct ProjectRow {
    /// Id.
    pub id: String,
    /// Its area's key.
    #[serde(rename = "area")]
    pub area_key: String,
    /// The project key.
    pub key: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Description.
    pub description: String,
    /// Cost in pence.
    pub cost: i64,
    /// Category.
    pub category: String,
    /// Proposing group.
    pub proposer: String,
    /// Location text.
    pub location: String,
    /// Stored image file name.
    #[serde(skip)]
    pub image_file: Option<String>,
    /// Stored image type.
    #[serde(skip)]
    pub image_type: Option<String>,
    /// Easy-read summary.
    pub easy_read: String,
}

impl ProjectRow {
    /// The editable fields, as a spec.
    pub fn spec(&self) -> ProjectSpec {
        ProjectSpec {
            key: self.key.clone(),
            area: self.area_key.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            description: self.description.clone(),
            cost: self.cost,
            category: self.category.clone(),
            proposer: self.proposer.clone(),
            location: self.location.clone(),
            easy_read: self.easy_read.clone(),
        }
    }
}

/// A pop-up voting session: where and when a kiosk will be.
#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = schedule_slots)]
pub struct Slot {
    /// Id.
    pub id: String,
    /// Place name ("Tesco Extra, Ashby").
    pub place: String,
    /// Street address.
    pub address: String,
    /// Date, YYYY-MM-DD.
    #[serde(rename = "date")]
    pub day: String,
    /// Start time, HH:MM.
    pub starts: String,
    /// End time, HH:MM.
    pub ends: String,
    /// Anything else people should know.
    pub notes: String,
}

/// A round with everything in it.
#[derive(Debug, Clone)]
pub struct Round {
    /// The row.
    pub row: RoundRow,
    /// Its definition.
    pub spec: RoundSpec,
    /// Its status.
    pub status: RoundStatus,
    /// Projects, by area order then key.
    pub projects: Vec<ProjectRow>,
    /// Pop-up schedule, by date and time.
    pub schedule: Vec<Slot>,
    /// Translations: `(project key or "" for the round, language) → texts`.
    pub translations: BTreeMap<(String, String), Translation>,
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}

fn corrupt(what: &str, e: serde_json::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("stored {what} is not valid: {e}"))
}

impl Round {
    /// The JSON the API answers with.
    pub fn to_json(&self) -> Value {
        let tr = |key: &str| -> Value {
            let m: serde_json::Map<String, Value> = self
                .translations
                .iter()
                .filter(|((k, _), _)| k == key)
                .map(|((_, lang), t)| (lang.clone(), json!(t)))
                .collect();
            Value::Object(m)
        };
        let projects: Vec<Value> = self
            .projects
            .iter()
            .map(|p| {
                let mut v = json!(p);
                v["image_url"] = match p.image_file {
                    Some(_) => json!(format!(
                        "/api/v1/rounds/{}/projects/{}/image",
                        self.row.id, p.key
                    )),
                    None => Value::Null,
                };
                v["translations"] = tr(&p.key);
                v
            })
            .collect();
        json!({
            "id": self.row.id,
            "partnership_id": self.row.partnership_id,
            "title": self.spec.title,
            "description": self.spec.description,
            "opens_at": rfc3339(self.row.opens_at),
            "closes_at": rfc3339(self.row.closes_at),
            "method": self.spec.method,
            "rule": self.spec.rule,
            "eligibility": self.spec.eligibility,
            "languages": self.spec.languages,
            "status": self.status,
            "areas": self.spec.areas,
            "projects": projects,
            "schedule": self.schedule,
            "translations": tr(""),
            "created_at": rfc3339(self.row.created_at),
            "updated_at": rfc3339(self.row.updated_at),
        })
    }

    /// The area a project belongs to.
    pub fn area(&self, key: &str) -> Option<&Area> {
        self.spec.areas.iter().find(|a| a.key == key)
    }

    /// Why this draft cannot open yet, if it cannot: plain-English reasons.
    pub fn open_blockers(&self, now: DateTime<Utc>) -> Vec<String> {
        let mut reasons = Vec::new();
        if self.spec.closes_at <= self.spec.opens_at {
            reasons.push("the closing time is before the opening time".to_string());
        }
        if self.spec.closes_at <= now {
            reasons.push("the closing time has already passed".to_string());
        }
        for area in &self.spec.areas {
            let in_area: Vec<&ProjectRow> = self
                .projects
                .iter()
                .filter(|p| p.area_key == area.key)
                .collect();
            if in_area.is_empty() {
                reasons.push(format!("the area \"{}\" has no projects", area.name));
            }
            for p in in_area {
                if p.cost > area.budget {
                    reasons.push(format!(
                        "the project \"{}\" costs more than the budget of its area \"{}\"",
                        p.title, area.name
                    ));
                }
            }
        }
        reasons
    }
}

/// Builds the definition from a stored row.
fn spec_of(row: &RoundRow, areas: Vec<Area>) -> Result<RoundSpec, AppError> {
    Ok(RoundSpec {
        title: row.title.clone(),
        description: row.description.clone(),
        opens_at: utc(row.opens_at),
        closes_at: utc(row.closes_at),
        method: serde_json::from_str::<Method>(&row.method).map_err(|e| corrupt("method", e))?,
        rule: row.rule.clone(),
        areas,
        eligibility: serde_json::from_str::<Eligibility>(&row.eligibility)
            .map_err(|e| corrupt("eligibility", e))?,
        languages: serde_json::from_str(&row.languages).map_err(|e| corrupt("languages", e))?,
    })
}

fn insert_areas(conn: &mut DbConn, round_id: &str, list: &[Area]) -> Result<(), AppError> {
    for (i, a) in list.iter().enumerate() {
        let values = (
            areas::id.eq(uuid::Uuid::now_v7().to_string()),
            areas::round_id.eq(round_id),
            areas::key.eq(&a.key),
            areas::name.eq(a.name.trim()),
            areas::budget.eq(a.budget),
            areas::postcodes.eq(json!(a.postcodes).to_string()),
            areas::position.eq(i as i32),
        );
        with_conn!(conn, |c| diesel::insert_into(areas::table)
            .values(values)
            .execute(c))?;
    }
    Ok(())
}

/// Stores a new draft round (the spec must be validated).
pub fn insert(
    conn: &mut DbConn,
    partnership_id: &str,
    spec: &RoundSpec,
) -> Result<RoundId, AppError> {
    let id = RoundId::new();
    let now = now();
    let values = (
        rounds::id.eq(id.to_string()),
        rounds::partnership_id.eq(partnership_id),
        rounds::title.eq(spec.title.trim()),
        rounds::description.eq(spec.description.trim()),
        rounds::opens_at.eq(spec.opens_at.naive_utc()),
        rounds::closes_at.eq(spec.closes_at.naive_utc()),
        rounds::method.eq(json!(spec.method).to_string()),
        rounds::rule.eq(&spec.rule),
        rounds::eligibility.eq(json!(spec.eligibility).to_string()),
        rounds::languages.eq(json!(spec.languages).to_string()),
        rounds::status.eq(RoundStatus::Draft.as_str()),
        rounds::voter_key_salt.eq(crate::auth::secret::random_hex()),
        rounds::created_at.eq(now),
        rounds::updated_at.eq(now),
    );
    conn.write(|conn| {
        with_conn!(conn, |c| diesel::insert_into(rounds::table)
            .values(values)
            .execute(c))?;
        insert_areas(conn, &id.to_string(), &spec.areas)?;
        Ok(id)
    })
}

/// Replaces a draft round's definition, refusing to drop an area that still has projects.
pub fn update(conn: &mut DbConn, round: &Round, spec: &RoundSpec) -> Result<(), AppError> {
    let rid = round.row.id.clone();
    for p in &round.projects {
        if !spec.areas.iter().any(|a| a.key == p.area_key) {
            return Err(AppError::invalid(
                "area_in_use",
                format!(
                    "areas: the area \"{}\" still has projects (for example \"{}\"); move or \
                     delete them first.",
                    p.area_key, p.key
                ),
            ));
        }
    }
    let values = (
        rounds::title.eq(spec.title.trim()),
        rounds::description.eq(spec.description.trim()),
        rounds::opens_at.eq(spec.opens_at.naive_utc()),
        rounds::closes_at.eq(spec.closes_at.naive_utc()),
        rounds::method.eq(json!(spec.method).to_string()),
        rounds::rule.eq(&spec.rule),
        rounds::eligibility.eq(json!(spec.eligibility).to_string()),
        rounds::languages.eq(json!(spec.languages).to_string()),
        rounds::updated_at.eq(now()),
    );
    with_conn!(conn, |c| diesel::update(rounds::table.find(&rid))
        .set(values)
        .execute(c))?;
    with_conn!(conn, |c| diesel::delete(
        areas::table.filter(areas::round_id.eq(&rid))
    )
    .execute(c))?;
    insert_areas(conn, &rid, &spec.areas)
}

/// Moves a round to a new status (the caller checks the transition).
pub fn set_status(conn: &mut DbConn, round_id: &str, to: RoundStatus) -> Result<(), AppError> {
    with_conn!(conn, |c| diesel::update(rounds::table.find(round_id))
        .set((rounds::status.eq(to.as_str()), rounds::updated_at.eq(now())))
        .execute(c))?;
    Ok(())
}

/// The round's row.
pub fn find_row(conn: &mut DbConn, round_id: &str) -> Result<Option<RoundRow>, AppError> {
    Ok(with_conn!(conn, |c| rounds::table
        .find(round_id)
        .select(RoundRow::as_select())
        .first(c)
        .optional())?)
}

/// The whole round.
pub fn load(conn: &mut DbConn, round_id: &str) -> Result<Option<Round>, AppError> {
    let Some(row) = find_row(conn, round_id)? else {
        return Ok(None);
    };
    let area_rows: Vec<(String, String, i64, String)> = with_conn!(conn, |c| areas::table
        .filter(areas::round_id.eq(round_id))
        .order(areas::position.asc())
        .select((areas::key, areas::name, areas::budget, areas::postcodes))
        .load(c))?;
    let area_list = area_rows
        .into_iter()
        .map(|(key, name, budget, postcodes)| {
            Ok(Area {
                key,
                name,
                budget,
                postcodes: serde_json::from_str(&postcodes).map_err(|e| corrupt("postcodes", e))?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let spec = spec_of(&row, area_list)?;
    let mut project_rows: Vec<ProjectRow> = with_conn!(conn, |c| projects::table
        .filter(projects::round_id.eq(round_id))
        .select(ProjectRow::as_select())
        .load(c))?;
    let order = |key: &str| {
        spec.areas
            .iter()
            .position(|a| a.key == key)
            .unwrap_or(usize::MAX)
    };
    project_rows.sort_by(|a, b| (order(&a.area_key), &a.key).cmp(&(order(&b.area_key), &b.key)));
    let schedule: Vec<Slot> = with_conn!(conn, |c| schedule_slots::table
        .filter(schedule_slots::round_id.eq(round_id))
        .order((schedule_slots::day.asc(), schedule_slots::starts.asc()))
        .select(Slot::as_select())
        .load(c))?;
    let tr_rows: Vec<(String, String, String, String, String)> =
        with_conn!(conn, |c| translations::table
            .filter(translations::round_id.eq(round_id))
            .select((
                translations::project_key,
                translations::language,
                translations::title,
                translations::summary,
                translations::description,
            ))
            .load(c))?;
    let translations = tr_rows
        .into_iter()
        .map(|(k, l, title, summary, description)| {
            (
                (k, l),
                Translation {
                    title,
                    summary,
                    description,
                },
            )
        })
        .collect();
    let status = row.status()?;
    Ok(Some(Round {
        row,
        spec,
        status,
        projects: project_rows,
        schedule,
        translations,
    }))
}

/// A partnership's rounds, newest first; only public ones unless `all`.
pub fn list(conn: &mut DbConn, partnership_id: &str, all: bool) -> Result<Vec<RoundRow>, AppError> {
    let rows: Vec<RoundRow> = with_conn!(conn, |c| rounds::table
        .filter(rounds::partnership_id.eq(partnership_id))
        .order(rounds::opens_at.desc())
        .select(RoundRow::as_select())
        .load(c))?;
    Ok(rows
        .into_iter()
        .filter(|r| all || r.status().is_ok_and(RoundStatus::is_public))
        .collect())
}

/// Adds a project (validated) to a round; 409 `duplicate_key` if the key is taken.
pub fn insert_project(
    conn: &mut DbConn,
    round_id: &str,
    p: &ProjectSpec,
) -> Result<String, AppError> {
    let id = uuid::Uuid::now_v7().to_string();
    let values = (
        projects::id.eq(&id),
        projects::round_id.eq(round_id),
        projects::area_key.eq(&p.area),
        projects::key.eq(&p.key),
        projects::title.eq(p.title.trim()),
        projects::summary.eq(p.summary.trim()),
        projects::description.eq(p.description.trim()),
        projects::cost.eq(p.cost),
        projects::category.eq(p.category.trim()),
        projects::proposer.eq(p.proposer.trim()),
        projects::location.eq(p.location.trim()),
        projects::easy_read.eq(p.easy_read.trim()),
        projects::created_at.eq(now()),
    );
    match with_conn!(conn, |c| diesel::insert_into(projects::table)
        .values(values)
        .execute(c))
    {
        Ok(_) => Ok(id),
        Err(e) if crate::error::is_unique_violation(&e) => Err(AppError::conflict(
            "duplicate_key",
            format!(
                "key: another project in this round already has the key \"{}\".",
                p.key
            ),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Replaces a project's fields (validated); the key may change if the new one is free.
pub fn update_project(
    conn: &mut DbConn,
    round_id: &str,
    old_key: &str,
    p: &ProjectSpec,
) -> Result<(), AppError> {
    let target = projects::table
        .filter(projects::round_id.eq(round_id))
        .filter(projects::key.eq(old_key));
    let values = (
        projects::area_key.eq(&p.area),
        projects::key.eq(&p.key),
        projects::title.eq(p.title.trim()),
        projects::summary.eq(p.summary.trim()),
        projects::description.eq(p.description.trim()),
        projects::cost.eq(p.cost),
        projects::category.eq(p.category.trim()),
        projects::proposer.eq(p.proposer.trim()),
        projects::location.eq(p.location.trim()),
        projects::easy_read.eq(p.easy_read.trim()),
    );
    let result = with_conn!(conn, |c| diesel::update(target).set(values).execute(c));
    match result {
        Ok(_) => {}
        Err(e) if crate::error::is_unique_violation(&e) => {
            return Err(AppError::conflict(
                "duplicate_key",
                format!(
                    "key: another project in this round already has the key \"{}\".",
                    p.key
                ),
            ))
        }
        Err(e) => return Err(e.into()),
    }
    if old_key != p.key {
        with_conn!(conn, |c| diesel::update(
            translations::table
                .filter(translations::round_id.eq(round_id))
                .filter(translations::project_key.eq(old_key))
        )
        .set(translations::project_key.eq(&p.key))
        .execute(c))?;
    }
    Ok(())
}

/// Deletes a project and its translations; returns its image file, if any.
pub fn delete_project(conn: &mut DbConn, round_id: &str, key: &str) -> Result<(), AppError> {
    with_conn!(conn, |c| diesel::delete(
        translations::table
            .filter(translations::round_id.eq(round_id))
            .filter(translations::project_key.eq(key))
    )
    .execute(c))?;
    with_conn!(conn, |c| diesel::delete(
        projects::table
            .filter(projects::round_id.eq(round_id))
            .filter(projects::key.eq(key))
    )
    .execute(c))?;
    Ok(())
}

/// Records a project's image.
pub fn set_image(
    conn: &mut DbConn,
    round_id: &str,
    key: &str,
    file: Option<&str>,
    content_type: Option<&str>,
) -> Result<(), AppError> {
    with_conn!(conn, |c| diesel::update(
        projects::table
            .filter(projects::round_id.eq(round_id))
            .filter(projects::key.eq(key))
    )
    .set((
        projects::image_file.eq(file),
        projects::image_type.eq(content_type)
    ))
    .execute(c))?;
    Ok(())
}

/// Sets (replaces) the translation of the round's texts (`project_key` "") or a project's.
pub fn set_translation(
    conn: &mut DbConn,
    round_id: &str,
    project_key: &str,
    language: &str,
    t: &Translation,
) -> Result<(), AppError> {
    let target = translations::table
        .filter(translations::round_id.eq(round_id))
        .filter(translations::project_key.eq(project_key))
        .filter(translations::language.eq(language));
    with_conn!(conn, |c| diesel::delete(target).execute(c))?;
    let values = (
        translations::round_id.eq(round_id),
        translations::project_key.eq(project_key),
        translations::language.eq(language),
        translations::title.eq(t.title.trim()),
        translations::summary.eq(t.summary.trim()),
        translations::description.eq(t.description.trim()),
    );
    with_conn!(conn, |c| diesel::insert_into(translations::table)
        .values(values)
        .execute(c))?;
    Ok(())
}

/// Adds a pop-up session to the schedule.
pub fn insert_slot(conn: &mut DbConn, round_id: &str, s: &Slot) -> Result<(), AppError> {
    let values = (
        schedule_slots::id.eq(&s.id),
        schedule_slots::round_id.eq(round_id),
        schedule_slots::place.eq(&s.place),
        schedule_slots::address.eq(&s.address),
        schedule_slots::day.eq(&s.day),
        schedule_slots::starts.eq(&s.starts),
        schedule_slots::ends.eq(&s.ends),
        schedule_slots::notes.eq(&s.notes),
    );
    with_conn!(conn, |c| diesel::insert_into(schedule_slots::table)
        .values(values)
        .execute(c))?;
    Ok(())
}

/// Removes a pop-up session; false if there was none with that id in the round.
pub fn delete_slot(conn: &mut DbConn, round_id: &str, slot_id: &str) -> Result<bool, AppError> {
    let n = with_conn!(conn, |c| diesel::delete(
        schedule_slots::table
            .filter(schedule_slots::round_id.eq(round_id))
            .filter(schedule_slots::id.eq(slot_id))
    )
    .execute(c))?;
    Ok(n > 0)
}
