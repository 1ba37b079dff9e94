//! An election normalised for counting: ballots deduplicated and weighted, supporters listed
//! per project, support totalled.

use super::{BallotKind, Election, TallyError};

/// The election in the shape the rules work on.
pub(crate) struct Prepared<'a> {
    pub election: &'a Election,
    pub budget: u64,
    /// Minor units in one currency unit.
    pub unit: u64,
    pub costs: Vec<u64>,
    /// Per project: `(voter, weight)` with weight > 0 (1 for approval, points for cumulative,
    /// the ranked score for ranked ballots).
    pub supporters: Vec<Vec<(u32, u64)>>,
    /// Per voter: `(project, weight)`, deduplicated, weight > 0.
    pub ballots: Vec<Vec<(u32, u64)>>,
    /// Per project: approvals, points or ranked score.
    pub support: Vec<u64>,
    pub voters: usize,
}

impl<'a> Prepared<'a> {
    pub fn new(election: &'a Election) -> Result<Prepared<'a>, TallyError> {
        let m = election.projects.len();
        let unit = election.unit()?;
        let mut ids = std::collections::HashSet::new();
        if let Some(p) = election
            .projects
            .iter()
            .find(|p| !ids.insert(p.id.as_str()))
        {
            return Err(TallyError::Invalid(format!(
                "the project id {} is used twice",
                p.id
            )));
        }
        let voters = election.ballots.len();
        if u32::try_from(voters).is_err() {
            return Err(TallyError::Invalid("too many ballots".into()));
        }
        let mut supporters: Vec<Vec<(u32, u64)>> = vec![Vec::new(); m];
        let mut support = vec![0u64; m];
        let mut ballots = Vec::with_capacity(voters);
        let mut marks: Vec<(usize, u64)> = Vec::new();
        for (v, ballot) in election.ballots.iter().enumerate() {
            marks.clear();
            for &(p, points) in &ballot.marks {
                if p >= m {
                    return Err(TallyError::Invalid(format!(
                        "ballot {} names project number {p}, but there are {m} projects",
                        v + 1
                    )));
                }
                match marks.iter_mut().find(|(q, _)| *q == p) {
                    Some(mark) if election.kind == BallotKind::Cumulative => mark.1 = points,
                    Some(_) => {}
                    None => marks.push((p, points)),
                }
            }
            let len = marks.len() as u64;
            let mut own = Vec::with_capacity(marks.len());
            for (rank, &(p, points)) in marks.iter().enumerate() {
                let weight = match election.kind {
                    BallotKind::Approval => 1,
                    BallotKind::Cumulative => points,
                    BallotKind::Ranked => len - rank as u64,
                };
                support[p] = support[p].checked_add(weight).ok_or_else(|| {
                    TallyError::Invalid("the points are too large to add up".into())
                })?;
                if weight > 0 {
                    supporters[p].push((v as u32, weight));
                    own.push((p as u32, weight));
                }
            }
            ballots.push(own);
        }
        Ok(Prepared {
            election,
            budget: election.budget,
            unit,
            costs: election.projects.iter().map(|p| p.cost).collect(),
            supporters,
            ballots,
            support,
            voters,
        })
    }

    /// The id of project `p`.
    pub fn id(&self, p: usize) -> &str {
        &self.election.projects[p].id
    }

    /// Total cost of some projects (no overflow: costs are u64, summed in u128 and capped).
    pub fn cost_of(&self, projects: &[usize]) -> u64 {
        let total: u128 = projects.iter().map(|&p| u128::from(self.costs[p])).sum();
        u64::try_from(total).unwrap_or(u64::MAX)
    }

    /// Whether nothing more fits: every project in `available` is selected or costs more than
    /// what is left.
    pub fn exhaustive(
        &self,
        selected: &[usize],
        available: impl IntoIterator<Item = usize>,
    ) -> bool {
        let cost = u128::from(self.cost_of(selected));
        let mut chosen = vec![false; self.costs.len()];
        selected.iter().for_each(|&p| chosen[p] = true);
        available
            .into_iter()
            .all(|p| chosen[p] || cost + u128::from(self.costs[p]) > u128::from(self.budget))
    }
}
