//! Pabulib `.pb` files: a streaming reader and a writer.
//!
//! A file has three sections, META, PROJECTS and VOTES, each a title line, a header line and
//! `;`-separated rows with CSV quoting. The reader takes one line at a time from any
//! [`std::io::BufRead`], so the text of a file of any size is never held in memory; it accepts
//! approval, choose-1, cumulative, scoring and ordinal votes, keeps every column it does not
//! interpret, and reads money as exact decimals. Problems are reported with the line they are
//! on.

mod decimal;
mod fields;
mod read;
mod write;

pub use decimal::Decimal;
pub use read::{read, read_votes};
pub use write::write;

use thiserror::Error;

/// Why a file cannot be read.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The file is not a valid Pabulib file.
    #[error("line {line}: {problem}")]
    Malformed {
        /// 1-based line number.
        line: u64,
        /// What is wrong, in plain English.
        problem: String,
    },
    /// The file could not be read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ReadError {
    pub(crate) fn at(line: u64, problem: impl Into<String>) -> ReadError {
        ReadError::Malformed {
            line,
            problem: problem.into(),
        }
    }
}

/// The kind of votes in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VoteType {
    /// A set of approved projects.
    Approval,
    /// One approved project.
    Choose1,
    /// Points shared out among projects.
    Cumulative,
    /// Points per project, possibly negative.
    Scoring,
    /// Projects in order of preference.
    Ordinal,
}

impl VoteType {
    /// The name used in META.
    pub fn as_str(self) -> &'static str {
        match self {
            VoteType::Approval => "approval",
            VoteType::Choose1 => "choose-1",
            VoteType::Cumulative => "cumulative",
            VoteType::Scoring => "scoring",
            VoteType::Ordinal => "ordinal",
        }
    }

    /// Parses a META `vote_type`.
    pub fn parse(s: &str) -> Option<VoteType> {
        [
            VoteType::Approval,
            VoteType::Choose1,
            VoteType::Cumulative,
            VoteType::Scoring,
            VoteType::Ordinal,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }

    /// Whether votes carry points.
    pub fn has_points(self) -> bool {
        matches!(self, VoteType::Cumulative | VoteType::Scoring)
    }
}

/// A PROJECTS row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// `project_id`.
    pub id: String,
    /// `cost`.
    pub cost: Decimal,
    /// Every other column, as `(column, value)` in [`Election::project_columns`] order.
    pub extra: Vec<(String, String)>,
}

/// A VOTES row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    /// `voter_id`.
    pub voter_id: String,
    /// `(project id, points)` in the order written; points are 1 for votes without points.
    pub choices: Vec<(String, i64)>,
    /// Every other column, as `(column, value)` in [`Election::vote_columns`] order.
    pub extra: Vec<(String, String)>,
}

/// A whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Election {
    /// META, in file order, `budget` and `vote_type` included.
    pub meta: Vec<(String, String)>,
    /// Total budget.
    pub budget: Decimal,
    /// Vote type.
    pub vote_type: VoteType,
    /// PROJECTS columns other than `project_id` and `cost`, in file order.
    pub project_columns: Vec<String>,
    /// Projects, in file order.
    pub projects: Vec<Project>,
    /// VOTES columns other than `voter_id`, `vote` and `points`, in file order.
    pub vote_columns: Vec<String>,
    /// Votes, in file order.
    pub votes: Vec<Vote>,
}

impl Election {
    /// A META value.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets a META value, replacing it where it is or adding it at the end.
    pub fn set_meta(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.meta.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value,
            None => self.meta.push((key.to_string(), value)),
        }
    }

    /// Sets a PROJECTS column for every project (added after the others if new).
    pub fn set_project_column(&mut self, column: &str, mut value: impl FnMut(&Project) -> String) {
        if !self.project_columns.iter().any(|c| c == column) {
            self.project_columns.push(column.to_string());
        }
        for p in &mut self.projects {
            let v = value(p);
            match p.extra.iter_mut().find(|(c, _)| c == column) {
                Some(entry) => entry.1 = v,
                None => p.extra.push((column.to_string(), v)),
            }
        }
    }
}

impl Project {
    /// A column's value.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, v)| v.as_str())
    }
}
