//! Paper ballots: an officer records a batch (where and when it was collected, by whom, how
//! many sheets), then two different officers key every sheet, each in their own pass. Each
//! keyed sheet is checked with the shared ballot rules: a sheet that breaks them is kept as
//! spoilt with its reason, never dropped. The two passes are compared sheet by sheet; only when
//! both are complete and agree is the batch reconciled into ballots (channel `paper`, cast at
//! the collection time), which then join "one person, one counted ballot".
//!
//! A keyed sheet keeps the voter key (argon2id, as online), and keyed hashes of the name and
//! date of birth so a difference between passes can be named; never the name or the date of
//! birth themselves.

pub mod store;

use crate::error::AppError;
use crate::rounds::{Round, RoundStatus};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use youdecide_shared::ballot::{
    self, BallotBody, BallotError, Choice, EligibilityClaim, Identity, ProjectRef,
};
use youdecide_shared::round::FieldError;

/// The reasons an officer can give for spoiling a sheet outright.
pub const SPOILT_REASONS: [&str; 3] = ["illegible", "blank", "not_eligible"];

/// A sheet as keyed from the paper.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyedSheet {
    /// 1 or 2.
    pub pass: i64,
    /// The sheet's number in the batch, from 1.
    pub sheet: i64,
    /// Postcode as written.
    #[serde(default)]
    pub postcode: String,
    /// The age box is ticked.
    #[serde(default)]
    pub age_confirmed: bool,
    /// Name as written (self-declared rounds).
    #[serde(default)]
    pub name: Option<String>,
    /// Date of birth as written, `YYYY-MM-DD`.
    #[serde(default)]
    pub date_of_birth: Option<String>,
    /// Voting code as written (code rounds).
    #[serde(default)]
    pub code: Option<String>,
    /// The projects marked.
    #[serde(default)]
    pub choices: Vec<Choice>,
    /// Spoilt by the officer: `illegible`, `blank` or `not_eligible`.
    #[serde(default)]
    pub spoilt: Option<String>,
}

/// A checked sheet, ready to store (and, once reconciled, to become a ballot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedSheet {
    /// Normalised postcode (or as keyed when it is not one).
    pub postcode: String,
    /// The voter's area, when the postcode is in the round.
    pub area_key: Option<String>,
    /// The age box.
    pub age_confirmed: bool,
    /// Keyed hash of the normalised name.
    pub name_check: Option<String>,
    /// Keyed hash of the date of birth.
    pub dob_check: Option<String>,
    /// The identity to derive the voter key from (not stored).
    pub identity: Option<Identity>,
    /// `(project, weight)` as marked, sorted.
    pub choices: Vec<(String, i64)>,
    /// Why the sheet does not count, if it does not.
    pub spoilt: Option<String>,
}

/// A keyed hash of one field, to compare two keyings without keeping the field.
fn check_of(salt: &str, field: &str, value: &str) -> String {
    let digest = Sha256::digest(format!(
        "youdecide paper\u{1f}{salt}\u{1f}{field}\u{1f}{value}"
    ));
    digest[..10].iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks a keyed sheet against the round at the batch's collection time. Keying mistakes
/// (a project the round does not have, a sheet number or reason out of range) are refused;
/// what the voter did wrong makes the sheet spoilt with the rule's code.
pub fn check(
    round: &Round,
    projects: &[ProjectRef],
    sheets: i64,
    collected_at: chrono::DateTime<chrono::Utc>,
    k: &KeyedSheet,
) -> Result<CheckedSheet, AppError> {
    let mut errors = Vec::new();
    if !(1..=2).contains(&k.pass) {
        errors.push(FieldError::new("pass", "must be 1 or 2"));
    }
    if k.sheet < 1 || k.sheet > sheets {
        errors.push(FieldError::new(
            "sheet",
            format!("must be a sheet of this batch, 1 to {sheets}"),
        ));
    }
    if let Some(r) = &k.spoilt {
        if !SPOILT_REASONS.contains(&r.as_str()) {
            errors.push(FieldError::new(
                "spoilt",
                format!("must be one of {}", SPOILT_REASONS.join(", ")),
            ));
        }
    }
    for c in &k.choices {
        if !projects.iter().any(|p| p.key == c.project) {
            errors.push(FieldError::new(
                "choices",
                format!("\"{}\" is not a project of this round", c.project),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::invalid_fields("invalid_sheet", "", &errors));
    }
    let salt = &round.row.voter_key_salt;
    let name = k
        .name
        .as_deref()
        .map(ballot::normalise_name)
        .filter(|n| !n.is_empty());
    let dob = k
        .date_of_birth
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let mut marked: Vec<(String, i64)> = k
        .choices
        .iter()
        .map(|c| (c.project.clone(), c.points.or(c.rank).unwrap_or(1)))
        .collect();
    marked.sort();
    let postcode = youdecide_shared::postcode::parse(&k.postcode)
        .unwrap_or_else(|_| k.postcode.trim().to_uppercase());
    let area_key = round.spec.area_for(&postcode).map(|a| a.key.clone());
    let mut out = CheckedSheet {
        postcode,
        area_key,
        age_confirmed: k.age_confirmed,
        name_check: name.as_deref().map(|n| check_of(salt, "name", n)),
        dob_check: dob.map(|d| check_of(salt, "dob", d)),
        identity: None,
        choices: marked,
        spoilt: k.spoilt.clone(),
    };
    if out.spoilt.is_some() {
        return Ok(out);
    }
    let body = BallotBody {
        eligibility: EligibilityClaim {
            postcode: k.postcode.clone(),
            age_confirmed: k.age_confirmed,
            name: k.name.clone(),
            date_of_birth: k.date_of_birth.clone(),
            code: k.code.clone(),
        },
        choices: k.choices.clone(),
        language: "en".into(),
    };
    match ballot::validate(&body, &round.spec, projects, true, collected_at) {
        Ok(valid) => {
            out.choices = valid.choices;
            if !matches!(
                round.spec.method,
                youdecide_shared::round::Method::Ranked { .. }
            ) {
                out.choices.sort();
            }
            out.identity = Some(valid.identity);
        }
        Err(e) => out.spoilt = Some(spoilt_reason(&e)),
    }
    Ok(out)
}

/// The reason a sheet is spoilt: `not_eligible: …` for who voted, else the rule's code.
fn spoilt_reason(e: &BallotError) -> String {
    use BallotError::*;
    match e {
        InvalidPostcode | PostcodeNotInRound | AgeNotConfirmed(_) | TooYoung(_) | NameRequired
        | InvalidDateOfBirth | CodeRequired | InvalidCode => format!("not_eligible: {}", e.code()),
        other => other.code().to_string(),
    }
}

/// Refuses keying unless the round can still take paper ballots.
pub fn require_round_takes_paper(round: &Round) -> Result<(), AppError> {
    match round.status {
        RoundStatus::Open | RoundStatus::Closed => Ok(()),
        other => Err(AppError::conflict(
            "round_not_taking_paper",
            format!("Paper ballots can be entered while a round is open or closed; this round is {other}."),
        )),
    }
}
