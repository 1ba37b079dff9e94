//! Budget rounds as partnerships define them: voting method, tally rule, eligibility, areas
//! with budgets and postcode prefixes, languages, and projects. Validation names the field
//! that is wrong in plain English, so the server, the kiosk and import tools agree.

use crate::postcode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;

/// The largest amount of money accepted anywhere, in pence (£10 billion).
pub const MAX_MONEY: i64 = 1_000_000_000_000;

/// The languages youdecide ships interface text for.
pub const LANGUAGES: [&str; 4] = ["en", "cy", "pl", "ur"];

/// A problem with one field, named by its path (`areas[0].budget`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Where: a JSON path such as `areas[1].postcodes[0]`.
    pub field: String,
    /// What is wrong, in plain English.
    pub message: String,
}

impl FieldError {
    /// A problem with a field.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// How residents mark their ballot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Method {
    /// Choose projects (between `min_choices` and `max_choices`; with `within_budget`, the
    /// chosen projects' total cost must not exceed the area budget).
    Approval {
        /// Fewest projects to choose.
        #[serde(default = "one")]
        min_choices: u32,
        /// Most projects to choose (`null`: no limit).
        #[serde(default)]
        max_choices: Option<u32>,
        /// Whether the choice must fit in the area's budget.
        #[serde(default = "yes")]
        within_budget: bool,
    },
    /// Share out `points` among projects, at most `max_per_project` each.
    Cumulative {
        /// Points each resident shares out.
        points: u32,
        /// Most points one project may get (`null`: no limit beyond `points`).
        #[serde(default)]
        max_per_project: Option<u32>,
    },
    /// Rank up to `max_ranks` projects, 1 = first.
    Ranked {
        /// How many projects may be ranked.
        max_ranks: u32,
    },
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}

impl Method {
    /// The method's name: `approval`, `cumulative` or `ranked`.
    pub fn kind(&self) -> &'static str {
        match self {
            Method::Approval { .. } => "approval",
            Method::Cumulative { .. } => "cumulative",
            Method::Ranked { .. } => "ranked",
        }
    }

    fn validate(&self, errors: &mut Vec<FieldError>) {
        match *self {
            Method::Approval {
                min_choices,
                max_choices,
                ..
            } => {
                if let Some(max) = max_choices {
                    if max == 0 {
                        errors.push(FieldError::new(
                            "method.max_choices",
                            "must be at least 1, or null for no limit",
                        ));
                    } else if max < min_choices {
                        errors.push(FieldError::new(
                            "method.max_choices",
                            "must not be less than min_choices",
                        ));
                    }
                }
                if min_choices > 1000 {
                    errors.push(FieldError::new(
                        "method.min_choices",
                        "must be 1000 or fewer",
                    ));
                }
            }
            Method::Cumulative {
                points,
                max_per_project,
            } => {
                if !(1..=1000).contains(&points) {
                    errors.push(FieldError::new(
                        "method.points",
                        "must be between 1 and 1000",
                    ));
                }
                if max_per_project == Some(0) {
                    errors.push(FieldError::new(
                        "method.max_per_project",
                        "must be at least 1, or null for no limit",
                    ));
                }
            }
            Method::Ranked { max_ranks } => {
                if !(1..=100).contains(&max_ranks) {
                    errors.push(FieldError::new(
                        "method.max_ranks",
                        "must be between 1 and 100",
                    ));
                }
            }
        }
    }
}

/// The tally rules a round can be counted with.
pub const RULES: [&str; 4] = [
    "greedy",
    "equal-shares",
    "equal-shares-completed",
    "phragmen",
];

/// How eligibility is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EligibilityMode {
    /// Postcode, age confirmation, name and date of birth (used only to stop double voting).
    SelfDeclared,
    /// A voting code from a poll card.
    Code,
    /// An attendant confirms eligibility in person.
    Attended,
}

/// Who can vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// Youngest age allowed to vote.
    #[serde(default)]
    pub min_age: u32,
    /// How eligibility is checked.
    pub mode: EligibilityMode,
}

/// An area with its own budget, found from a voter's postcode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Short id, unique in the round.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Budget in pence.
    pub budget: i64,
    /// Postcode prefixes (normalised on validation).
    #[serde(default)]
    pub postcodes: Vec<String>,
}

/// A round's definition (everything but its projects and status).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundSpec {
    /// Title.
    pub title: String,
    /// What the round is for.
    #[serde(default)]
    pub description: String,
    /// When voting opens.
    pub opens_at: DateTime<Utc>,
    /// When voting closes.
    pub closes_at: DateTime<Utc>,
    /// How residents vote.
    pub method: Method,
    /// How votes are counted.
    pub rule: String,
    /// Areas with budgets.
    pub areas: Vec<Area>,
    /// Who can vote.
    pub eligibility: Eligibility,
    /// Languages offered (codes from [`LANGUAGES`]; always includes `en`).
    #[serde(default = "english_only")]
    pub languages: Vec<String>,
}

fn english_only() -> Vec<String> {
    vec!["en".into()]
}

/// Checks a short key (areas, projects): 1–40 letters, digits, `-` or `_`.
pub fn check_key(field: &str, key: &str, errors: &mut Vec<FieldError>) {
    if key.is_empty() || key.len() > 40 {
        errors.push(FieldError::new(field, "must be 1 to 40 characters long"));
    } else if !key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errors.push(FieldError::new(
            field,
            "may use only letters, digits, hyphens and underscores",
        ));
    }
}

/// Checks a text: trimmed length between `min` and `max` characters.
pub fn check_text(field: &str, text: &str, min: usize, max: usize, errors: &mut Vec<FieldError>) {
    let n = text.trim().chars().count();
    if n < min {
        errors.push(FieldError::new(field, "must not be empty"));
    } else if n > max {
        errors.push(FieldError::new(
            field,
            format!("must be {max} characters or fewer"),
        ));
    }
}

/// Checks an amount of money in pence: from `min` to [`MAX_MONEY`].
pub fn check_money(field: &str, pence: i64, min: i64, errors: &mut Vec<FieldError>) {
    if pence < 0 {
        errors.push(FieldError::new(field, "must not be negative"));
    } else if pence < min {
        errors.push(FieldError::new(
            field,
            format!("must be at least {min} pence"),
        ));
    } else if pence > MAX_MONEY {
        errors.push(FieldError::new(
            field,
            "must be at most 1000000000000 pence (£10 billion)",
        ));
    }
}

impl RoundSpec {
    /// Checks every field, normalising postcode prefixes and language codes in place.
    pub fn validate(&mut self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        check_text("title", &self.title, 1, 200, &mut errors);
        check_text("description", &self.description, 0, 10_000, &mut errors);
        if self.closes_at <= self.opens_at {
            errors.push(FieldError::new(
                "closes_at",
                "the closing time is before the opening time",
            ));
        }
        self.method.validate(&mut errors);
        if !RULES.contains(&self.rule.as_str()) {
            errors.push(FieldError::new(
                "rule",
                "must be greedy, equal-shares, equal-shares-completed or phragmen",
            ));
        } else if matches!(self.method, Method::Ranked { .. }) && self.rule != "greedy" {
            errors.push(FieldError::new(
                "rule",
                "ranked ballots can only be counted with greedy",
            ));
        } else if !matches!(self.method, Method::Approval { .. }) && self.rule == "phragmen" {
            errors.push(FieldError::new(
                "rule",
                "phragmen can only count approval ballots",
            ));
        }
        if self.eligibility.min_age > 120 {
            errors.push(FieldError::new(
                "eligibility.min_age",
                "must be 120 or less",
            ));
        }
        if self.areas.is_empty() {
            errors.push(FieldError::new(
                "areas",
                "the round needs at least one area",
            ));
        }
        if self.areas.len() > 100 {
            errors.push(FieldError::new(
                "areas",
                "a round may have at most 100 areas",
            ));
        }
        let mut keys = HashSet::new();
        let mut prefixes: Vec<(String, String)> = Vec::new();
        for (i, area) in self.areas.iter_mut().enumerate() {
            let f = |name: &str| format!("areas[{i}].{name}");
            check_key(&f("key"), &area.key, &mut errors);
            if !keys.insert(area.key.clone()) {
                errors.push(FieldError::new(
                    f("key"),
                    format!("\"{}\" is used by another area", area.key),
                ));
            }
            check_text(&f("name"), &area.name, 1, 200, &mut errors);
            check_money(&f("budget"), area.budget, 1, &mut errors);
            for (j, p) in area.postcodes.iter_mut().enumerate() {
                match postcode::parse_prefix(p) {
                    Ok(n) => {
                        if let Some((_, other)) = prefixes.iter().find(|(q, _)| *q == n) {
                            errors.push(FieldError::new(
                                format!("areas[{i}].postcodes[{j}]"),
                                format!("{n} is also a postcode of area \"{other}\""),
                            ));
                        }
                        prefixes.push((n.clone(), area.key.clone()));
                        *p = n;
                    }
                    Err(e) => errors.push(FieldError::new(
                        format!("areas[{i}].postcodes[{j}]"),
                        e.to_string(),
                    )),
                }
            }
        }
        if self.areas.len() > 1 && self.areas.iter().any(|a| a.postcodes.is_empty()) {
            errors.push(FieldError::new(
                "areas",
                "when a round has several areas, each needs postcode prefixes to tell them apart",
            ));
        }
        for (i, l) in self.languages.iter_mut().enumerate() {
            *l = l.trim().to_lowercase();
            if !LANGUAGES.contains(&l.as_str()) {
                errors.push(FieldError::new(
                    format!("languages[{i}]"),
                    "must be one of en (English), cy (Welsh), pl (Polish), ur (Urdu)",
                ));
            }
        }
        let mut seen = HashSet::new();
        self.languages.retain(|l| seen.insert(l.clone()));
        if !self.languages.iter().any(|l| l == "en") {
            errors.push(FieldError::new(
                "languages",
                "must include en: the round's own texts are in English",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The area a normalised postcode belongs to: the one with the most specific matching
    /// prefix; a single area without prefixes takes every postcode.
    pub fn area_for(&self, postcode: &str) -> Option<&Area> {
        if let [only] = self.areas.as_slice() {
            if only.postcodes.is_empty() {
                return Some(only);
            }
        }
        self.areas
            .iter()
            .filter_map(|a| {
                a.postcodes
                    .iter()
                    .filter(|p| postcode::matches(p, postcode))
                    .map(|p| postcode::specificity(p))
                    .max()
                    .map(|s| (s, a))
            })
            .max_by_key(|(s, _)| *s)
            .map(|(_, a)| a)
    }
}

/// A project residents can vote for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSpec {
    /// The project's id in tallies and exports, unique in the round.
    pub key: String,
    /// The key of its area.
    pub area: String,
    /// Title.
    pub title: String,
    /// One or two sentences.
    #[serde(default)]
    pub summary: String,
    /// The full description.
    #[serde(default)]
    pub description: String,
    /// Cost in pence.
    pub cost: i64,
    /// Category (e.g. "Parks and green spaces").
    #[serde(default)]
    pub category: String,
    /// The group proposing it.
    #[serde(default)]
    pub proposer: String,
    /// Where it is, in words.
    #[serde(default)]
    pub location: String,
    /// An easy-read version of the summary (short sentences, everyday words), if written.
    #[serde(default)]
    pub easy_read: String,
}

impl ProjectSpec {
    /// Checks every field; `field_prefix` is put before each field name (e.g. for CSV lines).
    pub fn validate(&mut self, area_keys: &[&str]) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        self.key = self.key.trim().to_string();
        self.area = self.area.trim().to_string();
        check_key("key", &self.key, &mut errors);
        if !area_keys.contains(&self.area.as_str()) {
            errors.push(FieldError::new(
                "area",
                format!("there is no area \"{}\" in this round", self.area),
            ));
        }
        check_text("title", &self.title, 1, 200, &mut errors);
        check_text("summary", &self.summary, 0, 500, &mut errors);
        check_text("description", &self.description, 0, 10_000, &mut errors);
        check_money("cost", self.cost, 1, &mut errors);
        check_text("category", &self.category, 0, 100, &mut errors);
        check_text("proposer", &self.proposer, 0, 200, &mut errors);
        check_text("location", &self.location, 0, 200, &mut errors);
        check_text("easy_read", &self.easy_read, 0, 2_000, &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A translation of a round's or project's texts into one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Translation {
    /// Title in that language.
    pub title: String,
    /// Summary (projects only).
    #[serde(default)]
    pub summary: String,
    /// Description.
    #[serde(default)]
    pub description: String,
}

impl Translation {
    /// Checks the texts.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        check_text("title", &self.title, 1, 200, &mut errors);
        check_text("summary", &self.summary, 0, 500, &mut errors);
        check_text("description", &self.description, 0, 10_000, &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> RoundSpec {
        serde_json::from_value(json!({
            "title": "Ashby Decides", "description": "£50,000 for local projects",
            "opens_at": "2027-03-01T09:00:00Z", "closes_at": "2027-03-21T17:00:00Z",
            "method": {"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": true},
            "rule": "greedy",
            "areas": [
                {"key": "central", "name": "Central", "budget": 2500000, "postcodes": ["dn15 6", "DN15 7"]},
                {"key": "north", "name": "North", "budget": 2500000, "postcodes": ["DN16"]}
            ],
            "eligibility": {"min_age": 11, "mode": "self-declared"}
        }))
        .unwrap()
    }

    #[test]
    fn the_contract_example_is_valid() {
        let mut s = spec();
        s.validate().unwrap();
        assert_eq!(s.areas[0].postcodes, vec!["DN15 6", "DN15 7"]);
        assert_eq!(s.languages, vec!["en"]);
        assert_eq!(s.area_for("DN15 6AB").unwrap().key, "central");
        assert_eq!(s.area_for("DN16 1AA").unwrap().key, "north");
        assert!(s.area_for("DN17 1AA").is_none());
    }

    #[test]
    fn errors_name_their_fields() {
        let mut s = spec();
        s.closes_at = s.opens_at;
        s.areas[0].budget = -5;
        s.areas[1].budget = MAX_MONEY + 1;
        s.areas[1].key = "central".into();
        s.areas[1].postcodes = vec!["nonsense!".into()];
        s.languages = vec!["fr".into()];
        s.rule = "borda".into();
        let errs = s.validate().unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "closes_at",
            "areas[0].budget",
            "areas[1].budget",
            "areas[1].key",
            "areas[1].postcodes[0]",
            "languages[0]",
            "languages",
            "rule",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
        assert!(errs
            .iter()
            .any(|e| e.message == "the closing time is before the opening time"));
    }

    #[test]
    fn rules_must_suit_the_method() {
        let mut s = spec();
        s.method = Method::Ranked { max_ranks: 3 };
        s.rule = "equal-shares".into();
        assert!(s.validate().is_err());
        s.rule = "greedy".into();
        assert!(s.validate().is_ok());
        s.method = Method::Cumulative {
            points: 10,
            max_per_project: Some(5),
        };
        s.rule = "phragmen".into();
        assert!(s.validate().is_err());
    }

    #[test]
    fn projects_are_checked() {
        let mut p = ProjectSpec {
            key: "p 1".into(),
            area: "east".into(),
            title: " ".into(),
            summary: String::new(),
            description: String::new(),
            cost: 0,
            category: String::new(),
            proposer: String::new(),
            location: String::new(),
            easy_read: "x".repeat(2_001),
        };
        let errs = p.validate(&["central"]).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["key", "area", "title", "cost", "easy_read"]);
    }
}
