//! The reader: a state machine over lines.

use super::{fields, Decimal, Election, Project, ReadError, Vote, VoteType};
use std::collections::{HashMap, HashSet};
use std::io::BufRead;

/// Reads a whole file, votes included.
pub fn read<R: BufRead>(reader: R) -> Result<Election, ReadError> {
    let mut votes = Vec::new();
    let mut election = read_votes(reader, |_, v| {
        votes.push(v);
        Ok(())
    })?;
    election.votes = votes;
    Ok(election)
}

/// Reads a file, handing each vote to `each` as it is read instead of keeping it (the
/// returned election has no votes). `each` also sees the projects, all read by then. An
/// error from `each` is reported on the vote's line.
pub fn read_votes<R: BufRead>(
    mut reader: R,
    mut each: impl FnMut(&[Project], Vote) -> Result<(), String>,
) -> Result<Election, ReadError> {
    let mut state = State::default();
    let mut buf = String::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        let read = reader.read_line(&mut buf).map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidData {
                ReadError::at(line_no + 1, "the line is not UTF-8 text")
            } else {
                ReadError::Io(e)
            }
        })?;
        if read == 0 {
            break;
        }
        line_no += 1;
        let mut line = buf.trim_end_matches(['\n', '\r']);
        if line_no == 1 {
            line = line.trim_start_matches('\u{feff}');
        }
        if let Some(vote) = state.line(line, line_no)? {
            each(&state.projects, vote).map_err(|problem| ReadError::at(line_no, problem))?;
        }
    }
    state.finish(line_no)
}

#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
enum Section {
    #[default]
    Start,
    Meta,
    Projects,
    Votes,
}

/// Where the reader is and what it has read so far.
#[derive(Default)]
struct State {
    section: Section,
    header: Option<Vec<String>>,
    meta: Vec<(String, String)>,
    meta_lines: HashMap<String, u64>,
    projects: Vec<Project>,
    project_ids: HashSet<String>,
    project_columns: Vec<String>,
    vote_columns: Vec<String>,
    settled: Option<(Decimal, VoteType)>,
}

impl State {
    /// Takes one line; returns a vote when the line is one.
    fn line(&mut self, line: &str, n: u64) -> Result<Option<Vote>, ReadError> {
        if line.trim().is_empty() {
            return Ok(None);
        }
        if let Some(section) = title(line) {
            self.enter(section, n)?;
            return Ok(None);
        }
        let fields =
            fields::split(line).ok_or_else(|| ReadError::at(n, "a quoted field is not closed"))?;
        if self.header.is_none() {
            self.set_header(fields, n)?;
            return Ok(None);
        }
        match self.section {
            Section::Start => Err(ReadError::at(n, "the file must start with META")),
            Section::Meta => self.meta_row(fields, n).map(|_| None),
            Section::Projects => self.project_row(fields, n).map(|_| None),
            Section::Votes => self.vote_row(fields, n).map(Some),
        }
    }

    fn enter(&mut self, section: Section, n: u64) -> Result<(), ReadError> {
        let expected = match section {
            Section::Meta => Section::Start,
            Section::Projects => Section::Meta,
            _ => Section::Projects,
        };
        if self.section != expected {
            return Err(ReadError::at(
                n,
                format!(
                    "{} is out of place: the sections are META, PROJECTS and VOTES, in that order, once each",
                    name(section)
                ),
            ));
        }
        if section == Section::Votes {
            self.settle(n)?;
        }
        if self.header.is_none() && self.section != Section::Start {
            return Err(ReadError::at(
                n,
                format!("{} has no header line", name(self.section)),
            ));
        }
        self.section = section;
        self.header = None;
        Ok(())
    }

    fn set_header(&mut self, fields: Vec<String>, n: u64) -> Result<(), ReadError> {
        let cols: Vec<String> = fields.iter().map(|f| f.trim().to_string()).collect();
        let has = |c: &str| cols.iter().any(|x| x == c);
        let mut seen = HashSet::new();
        if let Some(dup) = cols.iter().find(|c| !seen.insert(c.as_str())) {
            return Err(ReadError::at(
                n,
                format!("the column {dup} appears twice in the header"),
            ));
        }
        match self.section {
            Section::Start => return Err(ReadError::at(n, "the file must start with META")),
            Section::Meta if cols != ["key", "value"] => {
                return Err(ReadError::at(n, "the META header must be key;value"))
            }
            Section::Projects if !has("project_id") || !has("cost") => {
                return Err(ReadError::at(
                    n,
                    "the PROJECTS header must name the columns project_id and cost",
                ))
            }
            Section::Projects => {
                self.project_columns = cols
                    .iter()
                    .filter(|c| !matches!(c.as_str(), "project_id" | "cost"))
                    .cloned()
                    .collect();
            }
            Section::Votes if !has("voter_id") || !has("vote") => {
                return Err(ReadError::at(
                    n,
                    "the VOTES header must name the columns voter_id and vote",
                ))
            }
            Section::Votes => {
                let points = self.settled.is_some_and(|(_, t)| t.has_points());
                if points && !has("points") {
                    return Err(ReadError::at(
                        n,
                        "the VOTES header must name the column points for votes with points",
                    ));
                }
                self.vote_columns = cols
                    .iter()
                    .filter(|c| {
                        !(matches!(c.as_str(), "voter_id" | "vote")
                            || (points && c.as_str() == "points"))
                    })
                    .cloned()
                    .collect();
            }
            Section::Meta => {}
        }
        self.header = Some(cols);
        Ok(())
    }

    fn meta_row(&mut self, fields: Vec<String>, n: u64) -> Result<(), ReadError> {
        let mut fields = fields.into_iter();
        let (Some(key), Some(value)) = (fields.next(), fields.next()) else {
            return Err(ReadError::at(n, "a META line needs a key and a value"));
        };
        let key = key.trim().to_string();
        if key.is_empty() {
            return Err(ReadError::at(n, "a META line has an empty key"));
        }
        if self.meta_lines.insert(key.clone(), n).is_some() {
            return Err(ReadError::at(
                n,
                format!("the META key {key} appears twice"),
            ));
        }
        self.meta.push((key, value.trim().to_string()));
        Ok(())
    }

    /// Reads `budget` and `vote_type` once META is complete.
    fn settle(&mut self, n: u64) -> Result<(), ReadError> {
        let find = |k: &str| {
            self.meta
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| (v.as_str(), self.meta_lines[k]))
        };
        let (budget, line) =
            find("budget").ok_or_else(|| ReadError::at(n, "META has no budget"))?;
        let budget = Decimal::parse(budget)
            .filter(|d| d.mantissa >= 0)
            .ok_or_else(|| {
                ReadError::at(
                    line,
                    format!("the budget \"{budget}\" is not a number of at least 0"),
                )
            })?;
        let (vote_type, line) =
            find("vote_type").ok_or_else(|| ReadError::at(n, "META has no vote_type"))?;
        let vote_type = VoteType::parse(vote_type).ok_or_else(|| {
            ReadError::at(
                line,
                format!("the vote_type \"{vote_type}\" is not one of approval, choose-1, cumulative, scoring, ordinal"),
            )
        })?;
        self.settled = Some((budget, vote_type));
        Ok(())
    }

    fn row(
        &self,
        fields: Vec<String>,
        n: u64,
    ) -> Result<impl Iterator<Item = (&String, String)>, ReadError> {
        let cols = self
            .header
            .as_ref()
            .expect("the header is read before rows");
        if fields.len() != cols.len() {
            return Err(ReadError::at(
                n,
                format!(
                    "the line has {} fields but the {} header has {}",
                    fields.len(),
                    name(self.section),
                    cols.len()
                ),
            ));
        }
        Ok(cols.iter().zip(fields))
    }

    fn project_row(&mut self, fields: Vec<String>, n: u64) -> Result<(), ReadError> {
        let (mut id, mut cost, mut extra) = (String::new(), None, Vec::new());
        for (col, value) in self.row(fields, n)? {
            match col.as_str() {
                "project_id" => id = value.trim().to_string(),
                "cost" => {
                    let d = Decimal::parse(&value)
                        .filter(|d| d.mantissa >= 0)
                        .ok_or_else(|| {
                            ReadError::at(
                                n,
                                format!(
                                    "the cost \"{}\" is not a number of at least 0",
                                    value.trim()
                                ),
                            )
                        })?;
                    cost = Some(d);
                }
                _ => extra.push((col.clone(), value)),
            }
        }
        if id.is_empty() {
            return Err(ReadError::at(n, "the project has no project_id"));
        }
        if !self.project_ids.insert(id.clone()) {
            return Err(ReadError::at(
                n,
                format!("the project_id {id} is used twice"),
            ));
        }
        let cost = cost.expect("the header has a cost column");
        self.projects.push(Project { id, cost, extra });
        Ok(())
    }

    fn vote_row(&mut self, fields: Vec<String>, n: u64) -> Result<Vote, ReadError> {
        let (_, vote_type) = self.settled.expect("settled on entering VOTES");
        let (mut voter_id, mut ids, mut points, mut extra) =
            (String::new(), Vec::new(), None, Vec::new());
        for (col, value) in self.row(fields, n)? {
            match col.as_str() {
                "voter_id" => voter_id = value.trim().to_string(),
                "vote" => ids = list(&value),
                "points" if vote_type.has_points() => points = Some(list(&value)),
                _ => extra.push((col.clone(), value)),
            }
        }
        if voter_id.is_empty() {
            return Err(ReadError::at(n, "the vote has no voter_id"));
        }
        if let Some(unknown) = ids.iter().find(|id| !self.project_ids.contains(*id)) {
            return Err(ReadError::at(
                n,
                format!("the vote names the project {unknown}, which is not in PROJECTS"),
            ));
        }
        let choices = match points {
            None => ids.into_iter().map(|id| (id, 1)).collect(),
            Some(points) => {
                if points.len() != ids.len() {
                    return Err(ReadError::at(
                        n,
                        format!(
                            "the vote names {} projects but gives {} points",
                            ids.len(),
                            points.len()
                        ),
                    ));
                }
                let scoring = vote_type == VoteType::Scoring;
                ids.into_iter()
                    .zip(points)
                    .map(|(id, p)| {
                        let d = Decimal::parse(&p)
                            .filter(|d| d.scale == 0 && (scoring || d.mantissa >= 0))
                            .and_then(|d| i64::try_from(d.mantissa).ok())
                            .ok_or_else(|| {
                                ReadError::at(
                                    n,
                                    format!(
                                        "the points \"{p}\" are not a whole number of at least 0"
                                    ),
                                )
                            })?;
                        Ok((id, d))
                    })
                    .collect::<Result<_, ReadError>>()?
            }
        };
        Ok(Vote {
            voter_id,
            choices,
            extra,
        })
    }

    fn finish(self, last: u64) -> Result<Election, ReadError> {
        let end = last.max(1);
        let missing = match self.section {
            Section::Start => Some("META"),
            Section::Meta => Some("PROJECTS"),
            Section::Projects => Some("VOTES"),
            Section::Votes => None,
        };
        if let Some(section) = missing {
            return Err(ReadError::at(
                end,
                format!("the file ends before its {section} section"),
            ));
        }
        if self.header.is_none() {
            return Err(ReadError::at(end, "VOTES has no header line"));
        }
        let (budget, vote_type) = self.settled.expect("settled on entering VOTES");
        Ok(Election {
            meta: self.meta,
            budget,
            vote_type,
            project_columns: self.project_columns,
            projects: self.projects,
            vote_columns: self.vote_columns,
            votes: Vec::new(),
        })
    }
}

/// The section a title line opens (the first cell, any case).
fn title(line: &str) -> Option<Section> {
    let first = line.split(';').next().unwrap_or("").trim();
    let rest_empty = line.split(';').skip(1).all(|f| f.trim().is_empty());
    if !rest_empty {
        return None;
    }
    match first.to_ascii_uppercase().as_str() {
        "META" => Some(Section::Meta),
        "PROJECTS" => Some(Section::Projects),
        "VOTES" => Some(Section::Votes),
        _ => None,
    }
}

fn name(section: Section) -> &'static str {
    match section {
        Section::Start => "the start",
        Section::Meta => "META",
        Section::Projects => "PROJECTS",
        Section::Votes => "VOTES",
    }
}

/// A comma-separated list, items trimmed; empty items and `None` dropped.
fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty() && !x.eq_ignore_ascii_case("none"))
        .map(str::to_string)
        .collect()
}
