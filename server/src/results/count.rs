//! Counting a round, as a pure function of its stored ballots: one person, one counted ballot
//! (the shared `ballot::resolve`), then per area an anonymised Pabulib file of the counted
//! ballots, and the area's winners counted from that very file with the shared tally. So the
//! published files re-count to the published result with `youdecide-server tally` or any
//! Pabulib tool, and counting again with no new ballots gives the same result and digest.

use crate::rounds::Round;
use chrono::NaiveDateTime;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use thiserror::Error;
use youdecide_shared::ballot;
use youdecide_shared::pabulib::{self, Decimal, VoteType};
use youdecide_shared::round::Method;
use youdecide_shared::tally::{self, Rule, TallyError};

/// A stored ballot as the count sees it.
#[derive(Debug, Clone)]
pub struct StoredBallot {
    /// Ballot id.
    pub id: String,
    /// The voter's area.
    pub area_key: String,
    /// `online`, `kiosk` or `paper`.
    pub channel: String,
    /// The kiosk, for kiosk ballots.
    pub kiosk_id: Option<String>,
    /// Voter key or code hash.
    pub person: Option<String>,
    /// When it was cast.
    pub cast_at: NaiveDateTime,
    /// `(project key, weight)`: 1, points, or rank.
    pub choices: Vec<(String, i64)>,
    /// Stored status.
    pub status: String,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// Cast with help at a kiosk.
    pub assisted: bool,
}

/// Why a round cannot be counted.
#[derive(Debug, Error)]
pub enum CountError {
    /// The round's rule cannot count its ballots (refused when the round was set up, so only
    /// a changed rule set can cause it).
    #[error("{0}")]
    Tally(#[from] TallyError),
}

/// What a count produces.
#[derive(Debug, Clone)]
pub struct Count {
    /// The result as published (the contract's shape, with turnout).
    pub result: Value,
    /// For officers only, dropped at publication: conflicts and rejected ballots.
    pub review: Value,
    /// SHA-256 of the area files concatenated in area-key order.
    pub digest: String,
    /// `(area key, Pabulib text)`, in area-key order.
    pub files: Vec<(String, String)>,
    /// `(ballot id, id of the ballot that supersedes it)`.
    pub superseded: Vec<(String, String)>,
}

/// Channel names for turnout: online, paper, or the kiosk's name.
pub type KioskNames = HashMap<String, String>;

/// Counts `round` from all its stored ballots.
pub fn count(
    round: &Round,
    kiosks: &KioskNames,
    ballots: &[StoredBallot],
) -> Result<Count, CountError> {
    let rule = Rule::from_str(&round.spec.rule)?;
    let live: Vec<&StoredBallot> = ballots.iter().filter(|b| b.status != "rejected").collect();
    let casts: Vec<(&str, Option<&str>, i64)> = live
        .iter()
        .map(|b| {
            (
                b.id.as_str(),
                b.person.as_deref(),
                b.cast_at.and_utc().timestamp_micros(),
            )
        })
        .collect();
    let winners = ballot::resolve_refs(&casts);
    drop(casts);
    let mut counted = Vec::with_capacity(live.len());
    let mut superseded = Vec::new();
    for (b, by) in live.iter().zip(winners) {
        match by {
            None => counted.push(*b),
            Some(by) => superseded.push((b.id.clone(), by.to_string())),
        }
    }
    let rejected: Vec<&StoredBallot> = ballots.iter().filter(|b| b.status == "rejected").collect();

    let mut areas_json = Vec::new();
    let mut projects_json = Vec::new();
    let mut files = Vec::new();
    let mut hasher = Sha256::new();
    let mut area_keys: Vec<&str> = round.spec.areas.iter().map(|a| a.key.as_str()).collect();
    area_keys.sort_unstable();
    for key in area_keys {
        let Some(area) = round.spec.areas.iter().find(|a| a.key == key) else {
            continue;
        };
        let in_area: Vec<&StoredBallot> = counted
            .iter()
            .copied()
            .filter(|b| b.area_key == key)
            .collect();
        let mut file = area_file(round, area, rule, &in_area);
        let election = tally::Election::from_pabulib(&file)?;
        let outcome = tally::tally(&election, rule)?;
        drop(election);
        let selected: Vec<&str> = outcome.selected.iter().map(String::as_str).collect();
        file.project_columns.push("selected".into());
        for p in &mut file.projects {
            let chosen = selected.contains(&p.id.as_str());
            p.extra
                .push(("selected".into(), u8::from(chosen).to_string()));
        }
        let mut text = Vec::new();
        pabulib::write(&file, &mut text).expect("writing to memory cannot fail");
        let text = String::from_utf8(text).expect("the file is UTF-8");
        hasher.update(text.as_bytes());
        files.push((key.to_string(), text));
        let votes = votes_per_project(round, &in_area);
        // The tally's money is in the file's units; the result's is in pence.
        let cost: i64 = round
            .projects
            .iter()
            .filter(|p| p.area_key == key && selected.contains(&p.key.as_str()))
            .map(|p| p.cost)
            .sum();
        for p in round.projects.iter().filter(|p| p.area_key == key) {
            projects_json.push(json!({
                "key": p.key,
                "area": key,
                "title": p.title,
                "votes": votes.get(p.key.as_str()).copied().unwrap_or(0),
                "cost": p.cost,
                "selected": selected.contains(&p.key.as_str()),
            }));
        }
        areas_json.push(json!({
            "key": key,
            "name": area.name,
            "budget": area.budget,
            "selected": outcome.selected,
            "cost": cost,
            "ballots": in_area.len(),
        }));
    }
    let digest = hex::encode(hasher.finalize());
    let result = json!({
        "rule": rule.as_str(),
        "areas": areas_json,
        "projects": projects_json,
        "ballots": {
            "counted": counted.len(),
            "superseded": superseded.len(),
            "rejected": rejected.len(),
        },
        "turnout": turnout(&counted, kiosks),
        "digest": digest,
    });
    let review = json!({
        "conflicts": conflicts(&live, &superseded, kiosks),
        "rejected": rejected_by_reason(&rejected),
    });
    Ok(Count {
        result,
        review,
        digest,
        files,
        superseded,
    })
}

/// The Pabulib file of an area's counted ballots, anonymised: voters numbered after sorting
/// the votes, so neither order nor time survives. (`selected` is added once counted.)
fn area_file(
    round: &Round,
    area: &youdecide_shared::round::Area,
    rule: Rule,
    ballots: &[&StoredBallot],
) -> pabulib::Election {
    let projects: Vec<&crate::rounds::store::ProjectRow> = {
        let mut p: Vec<_> = round
            .projects
            .iter()
            .filter(|p| p.area_key == area.key)
            .collect();
        p.sort_by(|a, b| a.key.cmp(&b.key));
        p
    };
    let vote_type = match round.spec.method {
        Method::Approval { .. } => VoteType::Approval,
        Method::Cumulative { .. } => VoteType::Cumulative,
        Method::Ranked { .. } => VoteType::Ordinal,
    };
    let mut votes: Vec<Vec<(String, i64)>> = ballots
        .iter()
        .map(|b| {
            let mut choices = b.choices.clone();
            match round.spec.method {
                Method::Ranked { .. } => choices.sort_by_key(|(_, rank)| *rank),
                _ => choices.sort(),
            }
            if !matches!(round.spec.method, Method::Cumulative { .. }) {
                for c in &mut choices {
                    c.1 = 1;
                }
            }
            choices
        })
        .collect();
    votes.sort_unstable();
    let counts = votes_per_project(round, ballots);
    let scores = borda(&votes);
    let mut project_columns = vec!["name".to_string(), "votes".to_string()];
    if vote_type == VoteType::Ordinal {
        project_columns.push("score".into());
    }
    let mut meta = vec![
        ("description".to_string(), round.spec.title.clone()),
        ("country".into(), "United Kingdom".into()),
        ("unit".into(), round.spec.title.clone()),
        ("subunit".into(), area.name.clone()),
        ("instance".into(), round.row.id.clone()),
        ("num_projects".into(), projects.len().to_string()),
        ("num_votes".into(), votes.len().to_string()),
        ("budget".into(), pounds(area.budget).to_string()),
        ("vote_type".into(), vote_type.as_str().into()),
        ("rule".into(), pabulib_rule(rule).into()),
        (
            "date_begin".into(),
            round.spec.opens_at.format("%d.%m.%Y").to_string(),
        ),
        (
            "date_end".into(),
            round.spec.closes_at.format("%d.%m.%Y").to_string(),
        ),
        (
            "comment".into(),
            format!(
                "Counted by youdecide with the rule {rule}: youdecide-server tally FILE.pb --rule {rule}"
            ),
        ),
    ];
    match round.spec.method {
        Method::Approval {
            min_choices,
            max_choices,
            ..
        } => {
            meta.push(("min_length".into(), min_choices.to_string()));
            if let Some(max) = max_choices {
                meta.push(("max_length".into(), max.to_string()));
            }
        }
        Method::Cumulative {
            points,
            max_per_project,
        } => {
            meta.push(("max_sum_points".into(), points.to_string()));
            if let Some(max) = max_per_project {
                meta.push(("max_points".into(), max.to_string()));
            }
        }
        Method::Ranked { max_ranks } => {
            meta.push(("max_length".into(), max_ranks.to_string()));
        }
    }
    pabulib::Election {
        meta,
        budget: pounds(area.budget),
        vote_type,
        projects: projects
            .iter()
            .map(|p| {
                let mut extra = vec![
                    ("name".to_string(), p.title.clone()),
                    (
                        "votes".to_string(),
                        counts.get(p.key.as_str()).copied().unwrap_or(0).to_string(),
                    ),
                ];
                if vote_type == VoteType::Ordinal {
                    let score = scores.get(p.key.as_str()).copied().unwrap_or(0);
                    extra.push(("score".into(), score.to_string()));
                }
                pabulib::Project {
                    id: p.key.clone(),
                    cost: pounds(p.cost),
                    extra,
                }
            })
            .collect(),
        project_columns,
        vote_columns: vec![],
        votes: votes
            .into_iter()
            .enumerate()
            .map(|(i, choices)| pabulib::Vote {
                voter_id: (i + 1).to_string(),
                choices,
                extra: vec![],
            })
            .collect(),
    }
}

/// Pence as an exact amount in pounds.
fn pounds(pence: i64) -> Decimal {
    Decimal::from_units(i128::from(pence), 2)
}

/// The rule's name in Pabulib files.
fn pabulib_rule(rule: Rule) -> &'static str {
    match rule {
        Rule::Greedy => "greedy",
        Rule::EqualShares => "equalshares",
        Rule::EqualSharesCompleted => "equalshares/add1",
        Rule::Phragmen => "unknown",
    }
}

/// Votes per project: approvals, points, or first preferences (the contract's `votes`).
fn votes_per_project<'a>(round: &Round, ballots: &[&'a StoredBallot]) -> HashMap<&'a str, i64> {
    let mut votes: HashMap<&str, i64> = HashMap::new();
    for b in ballots {
        for (key, weight) in &b.choices {
            let add = match round.spec.method {
                Method::Approval { .. } => 1,
                Method::Cumulative { .. } => *weight,
                Method::Ranked { .. } => i64::from(*weight == 1),
            };
            *votes.entry(key.as_str()).or_default() += add;
        }
    }
    votes
}

/// Pabulib's `score` for ranked ballots: on a ballot ranking L projects, rank r earns
/// L + 1 − r points.
fn borda(votes: &[Vec<(String, i64)>]) -> HashMap<&str, usize> {
    let mut score: HashMap<&str, usize> = HashMap::new();
    for v in votes {
        let l = v.len();
        for (r, (key, _)) in v.iter().enumerate() {
            *score.entry(key.as_str()).or_default() += l - r;
        }
    }
    score
}

/// Where a ballot came from, for turnout and conflicts: "online", "paper" or the kiosk's name.
fn place(b: &StoredBallot, kiosks: &KioskNames) -> String {
    match (&b.kiosk_id, b.channel.as_str()) {
        (Some(k), "kiosk") => kiosks
            .get(k)
            .cloned()
            .unwrap_or_else(|| "a kiosk no longer registered".into()),
        (_, channel) => channel.to_string(),
    }
}

/// Counted ballots by area, by channel (online, paper, each kiosk) and by day (UTC).
fn turnout(counted: &[&StoredBallot], kiosks: &KioskNames) -> Value {
    use std::collections::HashMap;
    let mut by_area: HashMap<&str, usize> = HashMap::new();
    let mut by_channel: HashMap<(&str, Option<&str>), usize> = HashMap::new();
    let mut by_day: BTreeMap<chrono::NaiveDate, usize> = BTreeMap::new();
    for b in counted {
        *by_area.entry(b.area_key.as_str()).or_default() += 1;
        *by_channel
            .entry((b.channel.as_str(), b.kiosk_id.as_deref()))
            .or_default() += 1;
        *by_day.entry(b.cast_at.date()).or_default() += 1;
    }
    let mut channels: BTreeMap<String, usize> = BTreeMap::new();
    for ((channel, kiosk), n) in by_channel {
        let name = match (kiosk, channel) {
            (Some(k), "kiosk") => kiosks
                .get(k)
                .cloned()
                .unwrap_or_else(|| "a kiosk no longer registered".into()),
            (_, channel) => channel.to_string(),
        };
        *channels.entry(name).or_default() += n;
    }
    let areas: BTreeMap<&str, usize> = by_area.into_iter().collect();
    json!({
        "areas": areas.into_iter().map(|(k, n)| json!({"area": k, "ballots": n})).collect::<Vec<_>>(),
        "channels": channels.into_iter().map(|(k, n)| json!({"channel": k, "ballots": n})).collect::<Vec<_>>(),
        "days": by_day.into_iter().map(|(d, n)| json!({"day": d.to_string(), "ballots": n})).collect::<Vec<_>>(),
        "assisted": {"ballots": counted.iter().filter(|b| b.assisted).count()},
    })
}

/// People who cast more than one ballot (those with a superseded ballot): for each, the times
/// and places, which one counts; never the choices or the person.
fn conflicts(
    live: &[&StoredBallot],
    superseded: &[(String, String)],
    kiosks: &KioskNames,
) -> Vec<Value> {
    use std::collections::{HashMap, HashSet};
    if superseded.is_empty() {
        return Vec::new();
    }
    let ids: HashSet<&str> = superseded.iter().map(|(id, _)| id.as_str()).collect();
    let people: HashSet<&str> = live
        .iter()
        .filter(|b| ids.contains(b.id.as_str()))
        .filter_map(|b| b.person.as_deref())
        .collect();
    let mut by_person: HashMap<&str, Vec<&StoredBallot>> = HashMap::new();
    for b in live {
        if let Some(p) = b.person.as_deref().filter(|p| people.contains(p)) {
            by_person.entry(p).or_default().push(b);
        }
    }
    let mut out: Vec<Value> = by_person
        .into_values()
        .map(|mut bs| {
            bs.sort_by(|a, b| (a.cast_at, &a.id).cmp(&(b.cast_at, &b.id)));
            let ballots: Vec<Value> = bs
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    json!({
                        "cast_at": crate::time_fmt::rfc3339(b.cast_at),
                        "place": place(b, kiosks),
                        "counted": i == 0,
                    })
                })
                .collect();
            json!({ "ballots": ballots })
        })
        .collect();
    out.sort_by(|a, b| {
        (
            a["ballots"][0]["cast_at"].as_str(),
            a["ballots"][0]["place"].as_str(),
        )
            .cmp(&(
                b["ballots"][0]["cast_at"].as_str(),
                b["ballots"][0]["place"].as_str(),
            ))
    });
    out
}

/// Rejected ballots by reason.
fn rejected_by_reason(rejected: &[&StoredBallot]) -> Vec<Value> {
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for b in rejected {
        *by.entry(b.reason.as_deref().unwrap_or("no reason recorded"))
            .or_default() += 1;
    }
    by.into_iter()
        .map(|(reason, n)| json!({"reason": reason, "ballots": n}))
        .collect()
}
