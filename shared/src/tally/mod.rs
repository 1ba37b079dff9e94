//! Counting rules for participatory budgeting, on exact arithmetic: money is whole minor units
//! and every price, budget share and load is an exact rational (no floating point in any
//! decision).
//!
//! - `greedy`: projects by descending support, each funded if it still fits;
//! - `equal-shares`: the Method of Equal Shares with cost utilities (points are the utilities
//!   for cumulative ballots), no completion;
//! - `equal-shares-completed`: Equal Shares with every voter's budget raised by one currency unit
//!   at a time ("Add1") until the outcome is exhaustive or would overspend, keeping the last
//!   outcome within the budget, then filled greedily;
//! - `phragmen`: sequential Phragmén, for approval ballots.
//!
//! Ties break by project id compared as strings ("10" before "9"). No rule ever selects
//! projects that together cost more than the budget.

mod affine;
mod equal_shares;
mod greedy;
mod phragmen;
mod prepared;

use crate::pabulib;
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

use prepared::Prepared;

/// A counting rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Greedy by support.
    Greedy,
    /// Method of Equal Shares, no completion.
    EqualShares,
    /// Method of Equal Shares with Add1 completion, then greedy.
    EqualSharesCompleted,
    /// Sequential Phragmén.
    Phragmen,
}

impl Rule {
    /// Every rule, in the order they are documented.
    pub const ALL: [Rule; 4] = [
        Rule::Greedy,
        Rule::EqualShares,
        Rule::EqualSharesCompleted,
        Rule::Phragmen,
    ];

    /// The rule's name, as written on the command line and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Greedy => "greedy",
            Rule::EqualShares => "equal-shares",
            Rule::EqualSharesCompleted => "equal-shares-completed",
            Rule::Phragmen => "phragmen",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Rule {
    type Err = TallyError;
    fn from_str(s: &str) -> Result<Rule, TallyError> {
        Rule::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| TallyError::UnknownRule(s.to_string()))
    }
}

/// The kind of ballots in an election.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BallotKind {
    /// Sets of approved projects (choose-1 ballots are approval ballots of one project).
    Approval,
    /// Points shared out among projects.
    Cumulative,
    /// Projects in order of preference; a ballot ranking L projects gives L + 1 − r points to
    /// the project at rank r.
    Ranked,
}

impl fmt::Display for BallotKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl BallotKind {
    /// A plain-English name.
    pub fn as_str(self) -> &'static str {
        match self {
            BallotKind::Approval => "approval",
            BallotKind::Cumulative => "cumulative",
            BallotKind::Ranked => "ranked",
        }
    }
}

/// A project: its id and cost in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Unique id, compared as a string when breaking ties.
    pub id: String,
    /// Cost in minor units (pence, or the file's smallest decimal place).
    pub cost: u64,
}

/// One voter's ballot: indices into [`Election::projects`], each with points.
///
/// Points are ignored for approval and ranked ballots. A project marked twice counts once:
/// its first mark for approval and ranked ballots, its last for cumulative ones.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ballot {
    /// `(project index, points)`; for ranked ballots, most preferred first.
    pub marks: Vec<(usize, u64)>,
}

impl Ballot {
    /// An approval (or choose-1) ballot.
    pub fn approval(projects: impl IntoIterator<Item = usize>) -> Ballot {
        Ballot {
            marks: projects.into_iter().map(|p| (p, 1)).collect(),
        }
    }

    /// A ranked ballot, most preferred first.
    pub fn ranked(projects: impl IntoIterator<Item = usize>) -> Ballot {
        Ballot::approval(projects)
    }

    /// A cumulative ballot of `(project index, points)`.
    pub fn cumulative(marks: impl IntoIterator<Item = (usize, u64)>) -> Ballot {
        Ballot {
            marks: marks.into_iter().collect(),
        }
    }
}

/// Everything a count needs: budget and costs in minor units, projects and ballots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Election {
    /// Total budget in minor units.
    pub budget: u64,
    /// Decimal places of a minor unit: 2 for pence. One currency unit, the step by which
    /// `equal-shares-completed` raises every voter's budget, is `10^decimals` minor units.
    pub decimals: u32,
    /// The kind of ballots.
    pub kind: BallotKind,
    /// The projects.
    pub projects: Vec<Project>,
    /// The ballots, one per voter.
    pub ballots: Vec<Ballot>,
}

/// What a rule chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The rule counted with.
    pub rule: Rule,
    /// Selected project ids, in the order the rule chose them.
    pub selected: Vec<String>,
    /// Selected project indices, in the same order.
    pub order: Vec<usize>,
    /// Total cost of the selected projects, in minor units; never more than the budget.
    pub cost: u64,
    /// Each project's support, by project index: approvals, points, or ranked score.
    pub support: Vec<u64>,
}

/// Why a count cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TallyError {
    /// Not a rule.
    #[error(
        "unknown rule \"{0}\": the rules are greedy, equal-shares, equal-shares-completed and phragmen"
    )]
    UnknownRule(String),
    /// The rule does not apply to these ballots.
    #[error("the rule {rule} cannot count {kind} ballots; {hint}")]
    NotApplicable {
        /// The rule.
        rule: Rule,
        /// The kind of ballots.
        kind: BallotKind,
        /// Which rules can.
        hint: &'static str,
    },
    /// The election itself is inconsistent.
    #[error("{0}")]
    Invalid(String),
}

impl Election {
    /// The index of the project with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.projects.iter().position(|p| p.id == id)
    }

    /// Minor units in one currency unit.
    pub fn unit(&self) -> Result<u64, TallyError> {
        10u64
            .checked_pow(self.decimals)
            .ok_or_else(|| TallyError::Invalid("too many decimal places in the money".into()))
    }

    /// Builds an election from a Pabulib file read whole. Money is scaled to whole units of
    /// the smallest decimal place used by the budget or any cost, so `1179.51` becomes
    /// `117951` with `decimals` 2.
    pub fn from_pabulib(file: &pabulib::Election) -> Result<Election, TallyError> {
        let mut index = Index::default();
        let ballots = file
            .votes
            .iter()
            .map(|v| index.ballot(&file.projects, v).map_err(TallyError::Invalid))
            .collect::<Result<Vec<_>, TallyError>>()?;
        Election::from_parts(file, ballots)
    }

    /// Reads a Pabulib file one line at a time, turning each vote into a ballot as it is
    /// read, so that only the compact ballots are held in memory, never the file's text.
    /// Returns the file's META and PROJECTS (without votes) beside the election.
    pub fn read_pabulib<R: std::io::BufRead>(
        reader: R,
    ) -> Result<(pabulib::Election, Election), LoadError> {
        let mut index = Index::default();
        let mut ballots = Vec::new();
        let file = pabulib::read_votes(reader, |projects, vote| {
            ballots.push(index.ballot(projects, &vote)?);
            Ok(())
        })?;
        let election = Election::from_parts(&file, ballots)?;
        Ok((file, election))
    }

    /// The money, kind and projects of a file, with ballots already built.
    fn from_parts(file: &pabulib::Election, ballots: Vec<Ballot>) -> Result<Election, TallyError> {
        let decimals = file
            .projects
            .iter()
            .map(|p| p.cost.scale)
            .chain([file.budget.scale])
            .max()
            .unwrap_or(0);
        let money = |d: &pabulib::Decimal, what: &str| {
            d.scaled(decimals)
                .and_then(|v| u64::try_from(v).ok())
                .ok_or_else(|| TallyError::Invalid(format!("{what} is too large to count")))
        };
        let projects = file
            .projects
            .iter()
            .map(|p| {
                Ok(Project {
                    id: p.id.clone(),
                    cost: money(&p.cost, &format!("the cost of project {}", p.id))?,
                })
            })
            .collect::<Result<Vec<_>, TallyError>>()?;
        let kind = match file.vote_type {
            pabulib::VoteType::Approval | pabulib::VoteType::Choose1 => BallotKind::Approval,
            pabulib::VoteType::Cumulative => BallotKind::Cumulative,
            pabulib::VoteType::Ordinal => BallotKind::Ranked,
            pabulib::VoteType::Scoring => {
                return Err(TallyError::Invalid(
                    "scoring votes cannot be counted: no rule here takes them".into(),
                ))
            }
        };
        Ok(Election {
            budget: money(&file.budget, "the budget")?,
            decimals,
            kind,
            projects,
            ballots,
        })
    }
}

/// Why a Pabulib file cannot be read into an election.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The file is malformed or unreadable.
    #[error(transparent)]
    Read(#[from] pabulib::ReadError),
    /// The file is well formed but cannot be counted.
    #[error(transparent)]
    Tally(#[from] TallyError),
}

/// Project ids to indices, built from the projects the first time a vote needs it.
#[derive(Default)]
struct Index(Option<std::collections::HashMap<String, usize>>);

impl Index {
    fn ballot(
        &mut self,
        projects: &[pabulib::Project],
        vote: &pabulib::Vote,
    ) -> Result<Ballot, String> {
        let index = self.0.get_or_insert_with(|| {
            projects
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id.clone(), i))
                .collect()
        });
        let marks = vote
            .choices
            .iter()
            .map(|(id, points)| {
                let &i = index
                    .get(id.as_str())
                    .ok_or_else(|| format!("a vote names an unknown project {id}"))?;
                let points = u64::try_from(*points)
                    .map_err(|_| "a vote gives a project fewer than 0 points".to_string())?;
                Ok((i, points))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Ballot { marks })
    }
}

/// Counts an election with a rule.
pub fn tally(election: &Election, rule: Rule) -> Result<Outcome, TallyError> {
    let not = |hint| TallyError::NotApplicable {
        rule,
        kind: election.kind,
        hint,
    };
    match (rule, election.kind) {
        (Rule::Greedy, _) => {}
        (_, BallotKind::Ranked) => {
            return Err(not("ranked ballots can only be counted with greedy"))
        }
        (Rule::Phragmen, BallotKind::Cumulative) => {
            return Err(not("phragmen counts approval ballots only"))
        }
        _ => {}
    }
    let prepared = Prepared::new(election)?;
    let order = match rule {
        Rule::Greedy => greedy::fill(&prepared, Vec::new()),
        Rule::EqualShares => equal_shares::plain(&prepared),
        Rule::EqualSharesCompleted => {
            let base = equal_shares::completed(&prepared)?;
            greedy::fill(&prepared, base)
        }
        Rule::Phragmen => phragmen::sequential(&prepared),
    };
    let cost = prepared.cost_of(&order);
    if cost > prepared.budget {
        return Err(TallyError::Invalid(format!(
            "the rule {rule} overspent the budget; this is a fault in the count"
        )));
    }
    Ok(Outcome {
        rule,
        selected: order
            .iter()
            .map(|&p| election.projects[p].id.clone())
            .collect(),
        order,
        cost,
        support: prepared.support.clone(),
    })
}
