//! Bulk import of projects from CSV: a header row naming the columns, then one project per
//! line. Every line is checked with the same rules as the API; any bad line means nothing is
//! imported, and the report names each bad line and field.

use serde::Serialize;
use std::collections::HashSet;
use youdecide_shared::round::{FieldError, ProjectSpec};

/// Columns every file must have.
pub const REQUIRED: [&str; 4] = ["key", "area", "title", "cost"];
/// Columns a file may also have.
pub const OPTIONAL: [&str; 6] = [
    "summary",
    "description",
    "category",
    "proposer",
    "location",
    "easy_read",
];

/// A problem on one line of the file (line 1 is the header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    /// Line number in the file.
    pub line: u64,
    /// The column, or `""` for the line as a whole.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(f, "line {}, {}: {}", self.line, self.field, self.message)
        }
    }
}

fn err(line: u64, field: &str, message: impl Into<String>) -> LineError {
    LineError {
        line,
        field: field.into(),
        message: message.into(),
    }
}

/// Parses and checks a CSV file of projects against the round's areas and existing keys.
pub fn parse(
    text: &str,
    area_keys: &[&str],
    existing_keys: &[&str],
) -> Result<Vec<ProjectSpec>, Vec<LineError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_lowercase()).collect(),
        Err(e) => {
            return Err(vec![err(
                1,
                "",
                format!("the header row cannot be read: {e}"),
            )])
        }
    };
    let mut errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if !REQUIRED.contains(&h.as_str()) && !OPTIONAL.contains(&h.as_str()) {
            errors.push(err(
                1,
                h,
                format!(
                    "column {} (\"{h}\") is not a project column; the columns are {} and optionally {}",
                    i + 1,
                    REQUIRED.join(", "),
                    OPTIONAL.join(", ")
                ),
            ));
        }
    }
    for r in REQUIRED {
        if !headers.iter().any(|h| h == r) {
            errors.push(err(1, r, format!("the column \"{r}\" is missing")));
        }
    }
    let mut seen = HashSet::new();
    if headers.len() != headers.iter().collect::<HashSet<_>>().len() {
        errors.push(err(1, "", "a column is named twice"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut projects = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(err(line, "", format!("the line cannot be read: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != headers.len() {
            errors.push(err(
                line,
                "",
                format!(
                    "the line has {} fields but the header has {}",
                    record.len(),
                    headers.len()
                ),
            ));
            continue;
        }
        let get = |name: &str| {
            col(name)
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .to_string()
        };
        let cost_text = get("cost");
        let cost = match cost_text.parse::<i64>() {
            Ok(c) => c,
            Err(_) => {
                errors.push(err(
                    line,
                    "cost",
                    format!("\"{cost_text}\" is not a whole number of pence"),
                ));
                continue;
            }
        };
        let mut spec = ProjectSpec {
            key: get("key"),
            area: get("area"),
            title: get("title"),
            summary: get("summary"),
            description: get("description"),
            cost,
            category: get("category"),
            proposer: get("proposer"),
            location: get("location"),
            easy_read: get("easy_read"),
        };
        if let Err(field_errors) = spec.validate(area_keys) {
            errors.extend(
                field_errors
                    .into_iter()
                    .map(|FieldError { field, message }| err(line, &field, message)),
            );
            continue;
        }
        if existing_keys.contains(&spec.key.as_str()) {
            errors.push(err(
                line,
                "key",
                format!(
                    "the round already has a project with the key \"{}\"",
                    spec.key
                ),
            ));
        } else if !seen.insert(spec.key.clone()) {
            errors.push(err(
                line,
                "key",
                format!("the key \"{}\" is used on an earlier line", spec.key),
            ));
        }
        projects.push(spec);
    }
    if projects.is_empty() && errors.is_empty() {
        errors.push(err(1, "", "the file has no projects"));
    }
    if errors.is_empty() {
        Ok(projects)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_file_imports() {
        let csv = "key,area,title,cost,summary\np1,central,\"Benches, new\",150000,Seats\np2,central,Lights,99,\n";
        let ps = parse(csv, &["central"], &[]).unwrap();
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].title, "Benches, new");
        assert_eq!(ps[1].cost, 99);
    }

    #[test]
    fn every_bad_line_is_reported() {
        let csv = "key,area,title,cost\np1,central,A,100\np1,central,B,100\np3,east,C,100\np4,central,D,1.5\np5,central,E,-3\np6,central\n";
        let errs = parse(csv, &["central"], &[]).unwrap_err();
        let got: Vec<(u64, &str)> = errs.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert_eq!(
            got,
            vec![(3, "key"), (4, "area"), (5, "cost"), (6, "cost"), (7, "")]
        );
    }

    #[test]
    fn wrong_columns_are_named() {
        let errs = parse("key,area,name,cost\n", &["c"], &[]).unwrap_err();
        assert!(errs.iter().any(|e| e.field == "name"));
        assert!(errs
            .iter()
            .any(|e| e.field == "title" && e.message.contains("missing")));
    }
}
