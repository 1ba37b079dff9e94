//! Valid ballots for a real round: the round as the server publishes it (areas, postcode
//! prefixes, projects and costs, budget, method, eligibility), postcodes that fall in each area,
//! and choices within the method's limits, each checked with the same shared
//! `ballot::validate` the server and the kiosk call, so every generated ballot is one the server
//! accepts.

use super::http::{self, Reply};
use super::Fail;
use chrono::{Datelike, NaiveDate, Utc};
use serde_json::Value;
use youdecide_shared::ballot::{
    self, BallotBody, Choice, EligibilityClaim, ProjectRef, ValidBallot,
};
use youdecide_shared::postcode;
use youdecide_shared::round::{EligibilityMode, Method, RoundSpec};

/// A round as the API answers for it.
#[derive(Debug, Clone)]
pub struct RoundInfo {
    /// Its id.
    pub id: String,
    /// Its partnership.
    pub partnership_id: String,
    /// `draft`, `open`, …
    pub status: String,
    /// The definition.
    pub spec: RoundSpec,
    /// Its projects.
    pub projects: Vec<ProjectRef>,
    /// The voter key salt (only in a kiosk's copy).
    pub salt: Option<String>,
}

impl RoundInfo {
    /// Reads the round JSON (public API or a kiosk's copy), the way the kiosk does.
    pub fn from_json(v: &Value) -> Result<RoundInfo, String> {
        let mut m = serde_json::Map::new();
        for k in [
            "title",
            "description",
            "opens_at",
            "closes_at",
            "method",
            "rule",
            "areas",
            "eligibility",
            "languages",
        ] {
            let field = v
                .get(k)
                .ok_or_else(|| format!("the round's JSON has no `{k}`"))?;
            m.insert(k.into(), field.clone());
        }
        let spec: RoundSpec = serde_json::from_value(Value::Object(m))
            .map_err(|e| format!("the round's JSON is not a round: {e}"))?;
        let projects = v["projects"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| {
                        Some(ProjectRef {
                            key: p["key"].as_str()?.into(),
                            area: p["area"].as_str()?.into(),
                            cost: p["cost"].as_i64()?,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(RoundInfo {
            id: v["id"].as_str().unwrap_or_default().into(),
            partnership_id: v["partnership_id"].as_str().unwrap_or_default().into(),
            status: v["status"].as_str().unwrap_or_default().into(),
            spec,
            projects,
            salt: v["voter_key_salt"].as_str().map(str::to_string),
        })
    }

    /// The round's eligibility mode as the API spells it.
    pub fn mode(&self) -> &'static str {
        match self.spec.eligibility.mode {
            EligibilityMode::SelfDeclared => "self-declared",
            EligibilityMode::Code => "code",
            EligibilityMode::Attended => "attended",
        }
    }
}

/// `GET /api/v1/rounds/{rid}`: the round, which must be open.
pub fn fetch_open_round(url: &str, rid: &str) -> Result<RoundInfo, Fail> {
    let agent = http::agent();
    let reply: Reply = http::send(
        &agent,
        "GET",
        &format!("{url}/api/v1/rounds/{rid}"),
        None,
        None,
    )
    .map_err(|e| Fail::Other(format!("cannot reach the server at {url}: {e}")))?;
    if reply.status == 404 {
        return Err(Fail::Other(format!(
            "round {rid} was not found on {url}, or is not open to the public"
        )));
    }
    if !reply.ok() {
        return Err(Fail::Other(format!(
            "the server refused to show round {rid}: {}",
            reply.describe()
        )));
    }
    let round = RoundInfo::from_json(&reply.json()).map_err(Fail::Other)?;
    if round.status != "open" {
        return Err(Fail::Other(format!(
            "round {rid} is {}, not open: voting is only possible in an open round",
            round.status
        )));
    }
    Ok(round)
}

/// Who a generated ballot is from.
#[derive(Debug, Clone)]
pub enum Who {
    /// A generated name and adult date of birth.
    SelfDeclared,
    /// A voting code.
    Code(String),
    /// An attended ballot (no identity).
    Attended,
}

/// One area's facts for generating ballots.
#[derive(Debug, Clone)]
struct AreaPlan {
    key: String,
    budget: i64,
    postcodes: Vec<String>,
    projects: Vec<ProjectRef>,
}

/// Makes valid ballots for one round.
#[derive(Debug, Clone)]
pub struct Generator {
    spec: RoundSpec,
    projects: Vec<ProjectRef>,
    areas: Vec<AreaPlan>,
    tag: String,
    today: NaiveDate,
    language: String,
}

/// Letters that may end a UK postcode.
const UNIT_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

/// Full postcodes that start with a normalised prefix (a few dozen, varied).
fn postcodes_under(prefix: &str) -> Vec<String> {
    let inward = |part: &str| -> Vec<String> {
        let mut out = Vec::new();
        let digits: Vec<String> = if part.is_empty() {
            (0..10).map(|d| d.to_string()).collect()
        } else {
            vec![part[..1].to_string()]
        };
        for d in &digits {
            for (i, a) in UNIT_LETTERS.iter().enumerate() {
                let b = UNIT_LETTERS[(i * 7 + 3) % UNIT_LETTERS.len()];
                let s = format!("{d}{}{}", *a as char, b as char);
                if s.starts_with(part) {
                    out.push(s);
                }
            }
        }
        if part.len() == 3 {
            out = vec![part.to_string()];
        } else if part.len() == 2 {
            out = UNIT_LETTERS
                .iter()
                .map(|c| format!("{part}{}", *c as char))
                .collect();
        }
        out
    };
    let mut out = Vec::new();
    match prefix.split_once(' ') {
        Some((outward, part)) => {
            for inw in inward(part) {
                out.push(format!("{outward} {inw}"));
            }
        }
        None => {
            let outwards: Vec<String> = if prefix.chars().all(|c| c.is_ascii_uppercase()) {
                (1..10).map(|d| format!("{prefix}{d}")).collect()
            } else {
                vec![prefix.to_string()]
            };
            for o in outwards {
                for inw in inward("").into_iter().step_by(13).take(8) {
                    out.push(format!("{o} {inw}"));
                }
            }
        }
    }
    out.into_iter()
        .filter(|p| postcode::parse(p).is_ok())
        .take(60)
        .collect()
}

/// A well-mixed number from a ballot's index (splitmix64), so choices vary.
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Generator {
    /// Plans ballots for a round; `tag` makes generated names unique to this run.
    pub fn new(round: &RoundInfo, tag: &str) -> Result<Generator, String> {
        let spec = round.spec.clone();
        let mut areas = Vec::new();
        for a in &spec.areas {
            let mut prefixes: Vec<String> = a
                .postcodes
                .iter()
                .filter_map(|p| postcode::parse_prefix(p).ok())
                .collect();
            if prefixes.is_empty() && spec.areas.len() == 1 {
                prefixes = vec!["DN15 6".into(), "SW1A".into(), "M1".into()];
            }
            let postcodes: Vec<String> = prefixes
                .iter()
                .flat_map(|p| postcodes_under(p))
                .filter(|pc| spec.area_for(pc).is_some_and(|found| found.key == a.key))
                .collect();
            let mut projects: Vec<ProjectRef> = round
                .projects
                .iter()
                .filter(|p| p.area == a.key)
                .cloned()
                .collect();
            projects.sort_by(|x, y| x.key.cmp(&y.key));
            if postcodes.is_empty() || projects.is_empty() {
                continue;
            }
            areas.push(AreaPlan {
                key: a.key.clone(),
                budget: a.budget,
                postcodes,
                projects,
            });
        }
        if areas.is_empty() {
            return Err(format!(
                "round {} has no area with both projects and postcodes a voter could give",
                round.id
            ));
        }
        let language = if spec.languages.iter().any(|l| l == "en") {
            "en".to_string()
        } else {
            spec.languages
                .first()
                .cloned()
                .unwrap_or_else(|| "en".into())
        };
        Ok(Generator {
            spec,
            projects: round.projects.clone(),
            areas,
            tag: tag.to_string(),
            today: Utc::now().date_naive(),
            language,
        })
    }

    /// Projects for ballot `i` in an area, within the method's limits.
    fn choices(&self, area: &AreaPlan, h: u64) -> Result<Vec<Choice>, String> {
        let n = area.projects.len();
        let off = ((h >> 16) % n as u64) as usize;
        let pick = |k: usize| -> Vec<&ProjectRef> {
            (0..k).map(|j| &area.projects[(off + j) % n]).collect()
        };
        let plain = |ps: Vec<&ProjectRef>| -> Vec<Choice> {
            ps.into_iter()
                .map(|p| Choice {
                    project: p.key.clone(),
                    points: None,
                    rank: None,
                })
                .collect()
        };
        match self.spec.method {
            Method::Approval {
                min_choices,
                max_choices,
                within_budget,
            } => {
                let lo = min_choices.max(1) as usize;
                if lo > n {
                    return Err(format!(
                        "area {} has {n} projects but ballots must choose at least {lo}",
                        area.key
                    ));
                }
                let hi = max_choices
                    .map_or(n, |m| m as usize)
                    .min(n)
                    .min(lo + 3)
                    .max(lo);
                let k0 = lo + (h % (hi - lo + 1) as u64) as usize;
                for k in (lo..=k0).rev() {
                    let ps = pick(k);
                    if !within_budget || ps.iter().map(|p| p.cost).sum::<i64>() <= area.budget {
                        return Ok(plain(ps));
                    }
                }
                let mut cheap: Vec<&ProjectRef> = area.projects.iter().collect();
                cheap.sort_by_key(|p| p.cost);
                cheap.truncate(lo);
                if within_budget && cheap.iter().map(|p| p.cost).sum::<i64>() > area.budget {
                    return Err(format!(
                        "in area {} the {lo} cheapest projects cost more than its budget",
                        area.key
                    ));
                }
                Ok(plain(cheap))
            }
            Method::Cumulative {
                points,
                max_per_project,
            } => {
                let total = points as usize;
                let k = (1 + (h % 3) as usize).min(n).min(total).max(1);
                let per = (points / k as u32)
                    .min(max_per_project.unwrap_or(points))
                    .max(1);
                Ok(pick(k)
                    .into_iter()
                    .map(|p| Choice {
                        project: p.key.clone(),
                        points: Some(i64::from(per)),
                        rank: None,
                    })
                    .collect())
            }
            Method::Ranked { max_ranks } => {
                let k = (1 + (h % 3) as usize).min(n).min(max_ranks as usize).max(1);
                Ok(pick(k)
                    .into_iter()
                    .enumerate()
                    .map(|(r, p)| Choice {
                        project: p.key.clone(),
                        points: None,
                        rank: Some(r as i64 + 1),
                    })
                    .collect())
            }
        }
    }

    /// Ballot number `i` from `who`: the body as sent, and the shared validator's reading of
    /// it (area, weighted choices, identity), checked now.
    pub fn ballot(&self, i: usize, who: &Who) -> Result<(BallotBody, ValidBallot), String> {
        let h = mix(i as u64);
        let area = &self.areas[i % self.areas.len()];
        let postcode = area.postcodes[((h >> 32) % area.postcodes.len() as u64) as usize].clone();
        let mut claim = EligibilityClaim {
            postcode,
            age_confirmed: true,
            ..EligibilityClaim::default()
        };
        match who {
            Who::SelfDeclared => {
                let min_age = self.spec.eligibility.min_age as i32;
                let year = self.today.year() - min_age - 1 - (i % 60) as i32;
                let dob = NaiveDate::from_ymd_opt(year, 1 + (i % 12) as u32, 1 + (i % 28) as u32)
                    .ok_or_else(|| format!("no date of birth for ballot {i}"))?;
                claim.name = Some(format!("Load Voter {} {i}", self.tag));
                claim.date_of_birth = Some(dob.format("%Y-%m-%d").to_string());
            }
            Who::Code(code) => claim.code = Some(code.clone()),
            Who::Attended => {}
        }
        let body = BallotBody {
            eligibility: claim,
            choices: self.choices(area, h)?,
            language: self.language.clone(),
        };
        let valid = ballot::validate(&body, &self.spec, &self.projects, true, Utc::now())
            .map_err(|e| format!("ballot {i} would be refused ({}): {e}", e.code()))?;
        Ok((body, valid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round(method: Value, mode: &str) -> RoundInfo {
        let mut projects = Vec::new();
        for (a, n) in [("a", 7), ("b", 7), ("c", 6)] {
            for k in 0..n {
                projects.push(
                    json!({"key": format!("{a}{k}"), "area": a, "cost": 50_000 + 60_000 * k}),
                );
            }
        }
        RoundInfo::from_json(&json!({
            "id": "r", "partnership_id": "p", "status": "open",
            "title": "t", "description": "", "opens_at": "2020-01-01T00:00:00Z",
            "closes_at": "2099-01-01T00:00:00Z", "method": method, "rule": "greedy",
            "areas": [
                {"key": "a", "name": "A", "budget": 400_000, "postcodes": ["DN15 6", "DN15 7"]},
                {"key": "b", "name": "B", "budget": 1_000_000, "postcodes": ["DN"]},
                {"key": "c", "name": "C", "budget": 1_000_000, "postcodes": ["DN15"]}],
            "eligibility": {"min_age": 16, "mode": mode}, "languages": ["en", "cy"],
            "projects": projects,
        }))
        .unwrap()
    }

    #[test]
    fn every_method_gives_valid_ballots_in_every_area() {
        for method in [
            json!({"kind": "approval", "min_choices": 1, "max_choices": 4, "within_budget": true}),
            json!({"kind": "approval", "min_choices": 2, "max_choices": null, "within_budget": true}),
            json!({"kind": "cumulative", "points": 10, "max_per_project": 4}),
            json!({"kind": "ranked", "max_ranks": 3}),
        ] {
            let r = round(method.clone(), "self-declared");
            let g = Generator::new(&r, "t1").unwrap();
            let mut areas = std::collections::HashSet::new();
            for i in 0..300 {
                let (_, v) = g
                    .ballot(i, &Who::SelfDeclared)
                    .unwrap_or_else(|e| panic!("{method}: {e}"));
                areas.insert(v.area);
            }
            assert_eq!(areas.len(), 3, "{method}");
        }
        let r = round(json!({"kind": "approval"}), "code");
        let g = Generator::new(&r, "t").unwrap();
        assert!(g.ballot(1, &Who::Code("K3QF-9MXD-2TAW-B".into())).is_ok());
    }

    #[test]
    fn postcodes_fall_under_their_prefix() {
        for p in ["DN", "DN15", "DN15 6", "DN15 6A", "DN15 6AB", "SW1A"] {
            let pcs = postcodes_under(p);
            assert!(!pcs.is_empty(), "{p}");
            assert!(
                pcs.iter().all(|pc| postcode::matches(p, pc)),
                "{p}: {pcs:?}"
            );
        }
    }
}
