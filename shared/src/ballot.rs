//! Ballots: the body a resident sends (online or at a kiosk), and its validation against the
//! round's method, the voter's area and the round's dates. Each failure has its own code and
//! a message a resident understands. The kiosk and the server call the same function, so a
//! ballot valid on a kiosk is valid on the server.

use crate::postcode;
use crate::round::{EligibilityMode, Method, RoundSpec};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use thiserror::Error;

/// The most choices a ballot body may carry (a bound on work, far above any real round).
pub const MAX_CHOICES: usize = 500;

/// What the voter says about themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EligibilityClaim {
    /// Home postcode: decides the area.
    #[serde(default)]
    pub postcode: String,
    /// "I am old enough to vote in this round."
    #[serde(default)]
    pub age_confirmed: bool,
    /// Full name (self-declared mode; used only to derive the voter key).
    #[serde(default)]
    pub name: Option<String>,
    /// Date of birth, YYYY-MM-DD (self-declared mode; used only to derive the voter key).
    #[serde(default)]
    pub date_of_birth: Option<String>,
    /// Voting code from a poll card (code mode).
    #[serde(default)]
    pub code: Option<String>,
}

/// One marked project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The project's key.
    pub project: String,
    /// Points (cumulative ballots).
    #[serde(default)]
    pub points: Option<i64>,
    /// Rank, 1 = first (ranked ballots).
    #[serde(default)]
    pub rank: Option<i64>,
}

/// A ballot as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BallotBody {
    /// Who is voting.
    pub eligibility: EligibilityClaim,
    /// What they chose.
    pub choices: Vec<Choice>,
    /// The language they voted in.
    #[serde(default = "english")]
    pub language: String,
}

fn english() -> String {
    "en".into()
}

/// What the validator needs to know about a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRef {
    /// Key.
    pub key: String,
    /// Area key.
    pub area: String,
    /// Cost in pence.
    pub cost: i64,
}

/// How the voter is identified for "one person, one counted ballot".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// Normalised name and date of birth, to be turned into a voter key (never stored).
    SelfDeclared {
        /// Normalised name.
        name: String,
        /// Date of birth.
        date_of_birth: NaiveDate,
    },
    /// A voting code, normalised.
    Code(String),
    /// Confirmed in person by an attendant: no identity is recorded.
    Attended,
}

/// A valid ballot, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidBallot {
    /// The voter's area.
    pub area: String,
    /// Normalised postcode.
    pub postcode: String,
    /// Project keys with their weight (1 for approval, points, or Borda score for ranks), in
    /// the order given (ranked: by rank).
    pub choices: Vec<(String, i64)>,
    /// Who voted, for de-duplication.
    pub identity: Identity,
    /// The language used.
    pub language: String,
}

/// Why a ballot is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BallotError {
    /// Voting is not open.
    #[error("Voting in this round is not open at the moment.")]
    RoundNotOpen,
    /// Outside the round's dates.
    #[error("This ballot was cast outside the round's voting dates.")]
    OutsideVotingDates,
    /// The postcode is not a postcode.
    #[error("Enter your full postcode, like DN15 6AB.")]
    InvalidPostcode,
    /// No area has this postcode.
    #[error("Your postcode is not in an area of this round, so you cannot vote in it.")]
    PostcodeNotInRound,
    /// Age not confirmed.
    #[error("Confirm that you are {0} or older to vote.")]
    AgeNotConfirmed(u32),
    /// Too young by date of birth.
    #[error("You must be {0} or older to vote in this round.")]
    TooYoung(u32),
    /// Name missing.
    #[error("Enter your full name.")]
    NameRequired,
    /// Date of birth missing or not a date.
    #[error("Enter your date of birth as a real date, like 1980-04-02.")]
    InvalidDateOfBirth,
    /// Code missing.
    #[error("Enter the voting code from your poll card.")]
    CodeRequired,
    /// Code malformed.
    #[error("The voting code is not in the right format. Check it against your poll card.")]
    InvalidCode,
    /// Unknown project.
    #[error("One of your choices is not a project in this round.")]
    UnknownProject,
    /// Project from another area.
    #[error("You can only choose projects in your own area.")]
    ProjectNotInArea,
    /// Same project twice.
    #[error("You have chosen the same project more than once.")]
    DuplicateChoice,
    /// Too few.
    #[error("Choose at least {0} project(s).")]
    TooFewChoices(u32),
    /// Too many.
    #[error("Choose no more than {0} project(s).")]
    TooManyChoices(u32),
    /// Over budget.
    #[error("The projects you have chosen cost more than your area's budget. Remove one or more.")]
    OverBudget,
    /// Points missing or not positive.
    #[error("Give each project you choose at least 1 point.")]
    InvalidPoints,
    /// Too many points in all.
    #[error("You can give {0} points in all; you have given more.")]
    TooManyPoints(u32),
    /// Too many points on one project.
    #[error("You can give at most {0} points to one project.")]
    PointsOverCap(u32),
    /// Ranks wrong.
    #[error("Number your choices 1, 2, 3 and so on, with no gaps and no number used twice.")]
    InvalidRanks,
    /// Too many ranked.
    #[error("Rank no more than {0} projects.")]
    TooManyRanks(u32),
    /// Language not offered.
    #[error("This round is not offered in the language given.")]
    LanguageNotOffered,
}

impl BallotError {
    /// The snake_case code for the API.
    pub fn code(&self) -> &'static str {
        use BallotError::*;
        match self {
            RoundNotOpen => "round_not_open",
            OutsideVotingDates => "outside_voting_dates",
            InvalidPostcode => "invalid_postcode",
            PostcodeNotInRound => "postcode_not_in_round",
            AgeNotConfirmed(_) => "age_not_confirmed",
            TooYoung(_) => "too_young",
            NameRequired => "name_required",
            InvalidDateOfBirth => "invalid_date_of_birth",
            CodeRequired => "code_required",
            InvalidCode => "invalid_code",
            UnknownProject => "unknown_project",
            ProjectNotInArea => "project_not_in_area",
            DuplicateChoice => "duplicate_choice",
            TooFewChoices(_) => "too_few_choices",
            TooManyChoices(_) => "too_many_choices",
            OverBudget => "over_budget",
            InvalidPoints => "invalid_points",
            TooManyPoints(_) => "too_many_points",
            PointsOverCap(_) => "points_over_cap",
            InvalidRanks => "invalid_ranks",
            TooManyRanks(_) => "too_many_ranks",
            LanguageNotOffered => "language_not_offered",
        }
    }
}

/// Normalises a name for the voter key: lower case, letters and digits only, single spaces.
pub fn normalise_name(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Normalises a voting code: upper case, Crockford's confusable letters mapped (O→0, I/L→1),
/// separators removed.
pub fn normalise_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// Age in whole years on a date.
pub fn age_on(date_of_birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - date_of_birth.year();
    if (on.month(), on.day()) < (date_of_birth.month(), date_of_birth.day()) {
        age -= 1;
    }
    age
}

/// Checks who is voting (open round, dates, language, postcode and area, age, identity) for
/// a ballot cast at `cast_at`; returns the voter's area key, normalised postcode and identity.
pub fn check_eligibility(
    claim: &EligibilityClaim,
    language: &str,
    round: &RoundSpec,
    open: bool,
    cast_at: DateTime<Utc>,
) -> Result<(String, String, Identity), BallotError> {
    if !open {
        return Err(BallotError::RoundNotOpen);
    }
    if cast_at < round.opens_at || cast_at > round.closes_at {
        return Err(BallotError::OutsideVotingDates);
    }
    if !round.languages.iter().any(|l| l == language) {
        return Err(BallotError::LanguageNotOffered);
    }
    let e = claim;
    let postcode = postcode::parse(&e.postcode).map_err(|_| BallotError::InvalidPostcode)?;
    let area = round
        .area_for(&postcode)
        .ok_or(BallotError::PostcodeNotInRound)?;
    let min_age = round.eligibility.min_age;
    if !e.age_confirmed {
        return Err(BallotError::AgeNotConfirmed(min_age));
    }
    let identity = match round.eligibility.mode {
        EligibilityMode::SelfDeclared => {
            let name = normalise_name(e.name.as_deref().unwrap_or(""));
            if name.is_empty() || name.chars().count() > 200 {
                return Err(BallotError::NameRequired);
            }
            let dob = e
                .date_of_birth
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
                .filter(|d| d.year() >= 1900 && *d <= cast_at.date_naive())
                .ok_or(BallotError::InvalidDateOfBirth)?;
            if age_on(dob, cast_at.date_naive()) < min_age as i32 {
                return Err(BallotError::TooYoung(min_age));
            }
            Identity::SelfDeclared {
                name,
                date_of_birth: dob,
            }
        }
        EligibilityMode::Code => {
            let raw = e.code.as_deref().unwrap_or("").trim();
            if raw.is_empty() {
                return Err(BallotError::CodeRequired);
            }
            let code = normalise_code(raw);
            if code.len() < 12 || code.len() > 32 || raw.len() > 64 {
                return Err(BallotError::InvalidCode);
            }
            Identity::Code(code)
        }
        EligibilityMode::Attended => Identity::Attended,
    };
    Ok((area.key.clone(), postcode, identity))
}

/// Checks a ballot cast at `cast_at` against the round (`open`: whether its status is open).
pub fn validate(
    body: &BallotBody,
    round: &RoundSpec,
    projects: &[ProjectRef],
    open: bool,
    cast_at: DateTime<Utc>,
) -> Result<ValidBallot, BallotError> {
    let language = body.language.trim().to_lowercase();
    let (area, postcode, identity) =
        check_eligibility(&body.eligibility, &language, round, open, cast_at)?;
    let budget = round
        .areas
        .iter()
        .find(|a| a.key == area)
        .map_or(0, |a| a.budget);
    let choices = check_choices(&body.choices, &round.method, &area, budget, projects)?;
    Ok(ValidBallot {
        area,
        postcode,
        choices,
        identity,
        language,
    })
}

fn check_choices(
    choices: &[Choice],
    method: &Method,
    area: &str,
    budget: i64,
    projects: &[ProjectRef],
) -> Result<Vec<(String, i64)>, BallotError> {
    if choices.len() > MAX_CHOICES {
        return Err(BallotError::TooManyChoices(MAX_CHOICES as u32));
    }
    let mut seen = HashSet::new();
    let mut chosen = Vec::with_capacity(choices.len());
    for c in choices {
        let p = projects
            .iter()
            .find(|p| p.key == c.project)
            .ok_or(BallotError::UnknownProject)?;
        if p.area != area {
            return Err(BallotError::ProjectNotInArea);
        }
        if !seen.insert(p.key.as_str()) {
            return Err(BallotError::DuplicateChoice);
        }
        chosen.push((p, c));
    }
    match *method {
        Method::Approval {
            min_choices,
            max_choices,
            within_budget,
        } => {
            let n = chosen.len() as u32;
            if n < min_choices.max(1) {
                return Err(BallotError::TooFewChoices(min_choices.max(1)));
            }
            if let Some(max) = max_choices {
                if n > max {
                    return Err(BallotError::TooManyChoices(max));
                }
            }
            let total: i64 = chosen.iter().map(|(p, _)| p.cost).sum();
            if within_budget && total > budget {
                return Err(BallotError::OverBudget);
            }
            Ok(chosen.iter().map(|(p, _)| (p.key.clone(), 1)).collect())
        }
        Method::Cumulative {
            points,
            max_per_project,
        } => {
            if chosen.is_empty() {
                return Err(BallotError::TooFewChoices(1));
            }
            let mut total: i64 = 0;
            for (_, c) in &chosen {
                let pts = c
                    .points
                    .filter(|p| *p >= 1)
                    .ok_or(BallotError::InvalidPoints)?;
                if let Some(cap) = max_per_project {
                    if pts > i64::from(cap) {
                        return Err(BallotError::PointsOverCap(cap));
                    }
                }
                total = total.saturating_add(pts);
            }
            if total > i64::from(points) {
                return Err(BallotError::TooManyPoints(points));
            }
            Ok(chosen
                .iter()
                .map(|(p, c)| (p.key.clone(), c.points.unwrap_or(0)))
                .collect())
        }
        Method::Ranked { max_ranks } => {
            let n = chosen.len();
            if n == 0 {
                return Err(BallotError::TooFewChoices(1));
            }
            if n > max_ranks as usize {
                return Err(BallotError::TooManyRanks(max_ranks));
            }
            let mut ranked: Vec<(i64, &ProjectRef)> = Vec::with_capacity(n);
            for (p, c) in &chosen {
                let r = c.rank.ok_or(BallotError::InvalidRanks)?;
                ranked.push((r, p));
            }
            ranked.sort_by_key(|(r, _)| *r);
            if ranked
                .iter()
                .enumerate()
                .any(|(i, (r, _))| *r != i as i64 + 1)
            {
                return Err(BallotError::InvalidRanks);
            }
            let len = n as i64;
            Ok(ranked
                .iter()
                .map(|(r, p)| (p.key.clone(), len + 1 - r))
                .collect())
        }
    }
}

/// Checks choices already in stored form (`(project, weight)`, as kiosks send them) against
/// the method, the area and its budget: the server's re-check of a kiosk ballot.
pub fn check_weighted(
    round: &RoundSpec,
    projects: &[ProjectRef],
    area: &str,
    choices: &[(String, i64)],
) -> Result<(), BallotError> {
    let budget = round
        .areas
        .iter()
        .find(|a| a.key == area)
        .map(|a| a.budget)
        .ok_or(BallotError::PostcodeNotInRound)?;
    let len = choices.len() as i64;
    let as_choices: Vec<Choice> = choices
        .iter()
        .map(|(project, w)| Choice {
            project: project.clone(),
            points: matches!(round.method, Method::Cumulative { .. }).then_some(*w),
            rank: matches!(round.method, Method::Ranked { .. }).then_some(len + 1 - w),
        })
        .collect();
    if matches!(round.method, Method::Approval { .. }) && choices.iter().any(|(_, w)| *w != 1) {
        return Err(BallotError::InvalidPoints);
    }
    let checked = check_choices(&as_choices, &round.method, area, budget, projects)?;
    let mut want: Vec<&(String, i64)> = choices.iter().collect();
    let mut got: Vec<&(String, i64)> = checked.iter().collect();
    want.sort();
    got.sort();
    if want != got {
        return Err(BallotError::InvalidRanks);
    }
    Ok(())
}

/// A stored ballot as the counting rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cast {
    /// Ballot id (UUID text).
    pub id: String,
    /// The voter key or code hash; `None` for attended ballots, which stand alone.
    pub person: Option<String>,
    /// When it was cast (microseconds since the epoch).
    pub cast_at: i64,
}

/// One person, one counted ballot: for each person the ballot with the earliest
/// `(cast_at, id)` counts and the others are superseded by it. Returns, in the input's order,
/// `None` for a counted ballot or `Some(id)` of the ballot that supersedes it. The answer does
/// not depend on the order of the input.
pub fn resolve(casts: &[Cast]) -> Vec<Option<String>> {
    let refs: Vec<(&str, Option<&str>, i64)> = casts
        .iter()
        .map(|c| (c.id.as_str(), c.person.as_deref(), c.cast_at))
        .collect();
    resolve_refs(&refs)
        .into_iter()
        .map(|w| w.map(String::from))
        .collect()
}

/// As [`resolve`], over borrowed `(id, person, cast_at)` triples, without copying the ids:
/// what a count of a million ballots uses.
pub fn resolve_refs<'a>(casts: &[(&'a str, Option<&'a str>, i64)]) -> Vec<Option<&'a str>> {
    use std::collections::HashMap;
    let mut first: HashMap<&str, (i64, &str)> = HashMap::with_capacity(casts.len());
    for &(id, person, cast_at) in casts {
        if let Some(p) = person {
            let key = (cast_at, id);
            first
                .entry(p)
                .and_modify(|best| {
                    if key < *best {
                        *best = key;
                    }
                })
                .or_insert(key);
        }
    }
    casts
        .iter()
        .map(|&(id, person, _)| {
            let p = person?;
            let (_, winner) = first[p];
            (winner != id).then_some(winner)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round(method: serde_json::Value, mode: &str) -> RoundSpec {
        let mut r: RoundSpec = serde_json::from_value(json!({
            "title": "T", "opens_at": "2027-03-01T09:00:00Z", "closes_at": "2027-03-21T17:00:00Z",
            "method": method, "rule": "greedy",
            "areas": [
                {"key": "central", "name": "Central", "budget": 1000, "postcodes": ["DN15 6"]},
                {"key": "north", "name": "North", "budget": 1000, "postcodes": ["DN16"]}
            ],
            "eligibility": {"min_age": 16, "mode": mode}, "languages": ["en", "cy"]
        }))
        .unwrap();
        r.validate().unwrap();
        r
    }

    fn projects() -> Vec<ProjectRef> {
        [
            ("a", "central", 400),
            ("b", "central", 500),
            ("c", "central", 300),
            ("n", "north", 10),
        ]
        .iter()
        .map(|(k, a, c)| ProjectRef {
            key: k.to_string(),
            area: a.to_string(),
            cost: *c,
        })
        .collect()
    }

    fn body(choices: serde_json::Value) -> BallotBody {
        serde_json::from_value(json!({
            "eligibility": {"postcode": "dn15 6ab", "age_confirmed": true, "name": "Jane  Smith",
                            "date_of_birth": "1980-04-02"},
            "choices": choices, "language": "en"}))
        .unwrap()
    }

    fn at() -> DateTime<Utc> {
        "2027-03-05T12:00:00Z".parse().unwrap()
    }

    fn check(r: &RoundSpec, b: &BallotBody) -> Result<ValidBallot, BallotError> {
        validate(b, r, &projects(), true, at())
    }

    #[test]
    fn approval_ballots() {
        let r = round(
            json!({"kind": "approval", "min_choices": 1, "max_choices": 2}),
            "self-declared",
        );
        let ok = check(&r, &body(json!([{"project": "a"}, {"project": "b"}]))).unwrap();
        assert_eq!(ok.area, "central");
        assert_eq!(ok.postcode, "DN15 6AB");
        assert_eq!(ok.choices, vec![("a".to_string(), 1), ("b".to_string(), 1)]);
        assert_eq!(
            ok.identity,
            Identity::SelfDeclared {
                name: "jane smith".into(),
                date_of_birth: NaiveDate::from_ymd_opt(1980, 4, 2).unwrap()
            }
        );
        let cases = [
            (json!([]), BallotError::TooFewChoices(1)),
            (
                json!([{"project": "a"}, {"project": "b"}, {"project": "c"}]),
                BallotError::TooManyChoices(2),
            ),
            (
                json!([{"project": "a"}, {"project": "a"}]),
                BallotError::DuplicateChoice,
            ),
            (json!([{"project": "zzz"}]), BallotError::UnknownProject),
            (json!([{"project": "n"}]), BallotError::ProjectNotInArea),
        ];
        for (choices, want) in cases {
            assert_eq!(check(&r, &body(choices)).unwrap_err(), want);
        }
        let r = round(json!({"kind": "approval"}), "self-declared");
        assert_eq!(
            check(
                &r,
                &body(json!([{"project": "a"}, {"project": "b"}, {"project": "c"}]))
            )
            .unwrap_err(),
            BallotError::OverBudget
        );
    }

    #[test]
    fn cumulative_and_ranked_ballots() {
        let r = round(
            json!({"kind": "cumulative", "points": 10, "max_per_project": 6}),
            "self-declared",
        );
        let ok = check(
            &r,
            &body(json!([{"project": "a", "points": 6}, {"project": "b", "points": 4}])),
        )
        .unwrap();
        assert_eq!(ok.choices, vec![("a".to_string(), 6), ("b".to_string(), 4)]);
        assert_eq!(
            check(&r, &body(json!([{"project": "a", "points": 7}]))).unwrap_err(),
            BallotError::PointsOverCap(6)
        );
        assert_eq!(
            check(&r, &body(json!([{"project": "a", "points": -1}]))).unwrap_err(),
            BallotError::InvalidPoints
        );
        assert_eq!(
            check(
                &r,
                &body(json!([{"project": "a", "points": 6}, {"project": "b", "points": 5}]))
            )
            .unwrap_err(),
            BallotError::TooManyPoints(10)
        );
        let r = round(json!({"kind": "ranked", "max_ranks": 2}), "self-declared");
        let ok = check(
            &r,
            &body(json!([{"project": "b", "rank": 2}, {"project": "a", "rank": 1}])),
        )
        .unwrap();
        assert_eq!(ok.choices, vec![("a".to_string(), 2), ("b".to_string(), 1)]);
        assert_eq!(
            check(
                &r,
                &body(json!([{"project": "a", "rank": 1}, {"project": "b", "rank": 3}]))
            )
            .unwrap_err(),
            BallotError::InvalidRanks
        );
        assert_eq!(
            check(
                &r,
                &body(json!([{"project": "a", "rank": 1}, {"project": "b", "rank": 1}]))
            )
            .unwrap_err(),
            BallotError::InvalidRanks
        );
        assert_eq!(
            check(&r, &body(json!([{"project": "a", "rank": 1}, {"project": "b", "rank": 2}, {"project": "c", "rank": 3}]))).unwrap_err(),
            BallotError::TooManyRanks(2)
        );
    }

    #[test]
    fn eligibility_rules() {
        let r = round(json!({"kind": "approval"}), "self-declared");
        let mut b = body(json!([{"project": "a"}]));
        b.eligibility.postcode = "DN17 1AA".into();
        assert_eq!(check(&r, &b).unwrap_err(), BallotError::PostcodeNotInRound);
        b.eligibility.postcode = "not a postcode".into();
        assert_eq!(check(&r, &b).unwrap_err(), BallotError::InvalidPostcode);
        let mut b = body(json!([{"project": "a"}]));
        b.eligibility.date_of_birth = Some("2015-01-01".into());
        assert_eq!(check(&r, &b).unwrap_err(), BallotError::TooYoung(16));
        b.eligibility.date_of_birth = Some("1980-02-30".into());
        assert_eq!(check(&r, &b).unwrap_err(), BallotError::InvalidDateOfBirth);
        let mut b = body(json!([{"project": "a"}]));
        b.eligibility.age_confirmed = false;
        assert_eq!(check(&r, &b).unwrap_err(), BallotError::AgeNotConfirmed(16));
        let mut b = body(json!([{"project": "a"}]));
        b.language = "pl".into();
        assert_eq!(check(&r, &b).unwrap_err(), BallotError::LanguageNotOffered);
        let b = body(json!([{"project": "a"}]));
        assert_eq!(
            validate(&b, &r, &projects(), false, at()).unwrap_err(),
            BallotError::RoundNotOpen
        );
        let late: DateTime<Utc> = "2027-04-01T00:00:00Z".parse().unwrap();
        assert_eq!(
            validate(&b, &r, &projects(), true, late).unwrap_err(),
            BallotError::OutsideVotingDates
        );
        let r = round(json!({"kind": "approval"}), "code");
        let mut b = body(json!([{"project": "a"}]));
        assert_eq!(check(&r, &b).unwrap_err(), BallotError::CodeRequired);
        b.eligibility.code = Some("abcd-efgh-jkmn-pq".into());
        assert_eq!(
            check(&r, &b).unwrap().identity,
            Identity::Code("ABCDEFGHJKMNPQ".into())
        );
    }

    #[test]
    fn weighted_choices_are_rechecked() {
        let r = round(json!({"kind": "approval"}), "self-declared");
        let ok = |c: &[(&str, i64)]| {
            let c: Vec<(String, i64)> = c.iter().map(|(k, w)| (k.to_string(), *w)).collect();
            check_weighted(&r, &projects(), "central", &c)
        };
        assert!(ok(&[("a", 1)]).is_ok());
        assert_eq!(ok(&[("a", 2)]), Err(BallotError::InvalidPoints));
        assert_eq!(ok(&[("n", 1)]), Err(BallotError::ProjectNotInArea));
        assert_eq!(
            ok(&[("a", 1), ("b", 1), ("c", 1)]),
            Err(BallotError::OverBudget)
        );
        let r = round(json!({"kind": "ranked", "max_ranks": 3}), "self-declared");
        let c = vec![("a".to_string(), 2), ("b".to_string(), 1)];
        assert!(check_weighted(&r, &projects(), "central", &c).is_ok());
        let c = vec![("a".to_string(), 2), ("b".to_string(), 2)];
        assert_eq!(
            check_weighted(&r, &projects(), "central", &c),
            Err(BallotError::InvalidRanks)
        );
    }

    #[test]
    fn names_and_codes_normalise() {
        assert_eq!(
            normalise_name("  Jane   O'Brien-Smith "),
            "jane o brien smith"
        );
        assert_eq!(normalise_name("ZOË"), "zoë");
        assert_eq!(normalise_code("abc0-oIl1"), "ABC00111");
        assert_eq!(
            age_on(
                NaiveDate::from_ymd_opt(2000, 3, 6).unwrap(),
                NaiveDate::from_ymd_opt(2016, 3, 5).unwrap()
            ),
            15
        );
        assert_eq!(
            age_on(
                NaiveDate::from_ymd_opt(2000, 3, 6).unwrap(),
                NaiveDate::from_ymd_opt(2016, 3, 6).unwrap()
            ),
            16
        );
    }
}
