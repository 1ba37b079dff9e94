//! `youdecide-server tally FILE.pb --rule RULE [--format json|text]`: counts a Pabulib file
//! with one rule and prints the outcome.
//!
//! Money is printed in the file's own currency units, exactly: whole numbers as integers,
//! amounts with decimals (`1179.51`) as decimal numbers with trailing zeros dropped.
//!
//! Exit status: 0 on success; 2, with one line on standard error, for an unknown rule or
//! format, a malformed file (`youdecide-server: FILE:LINE: problem`) or a rule that cannot
//! count the file's votes; 1 when the file cannot be read.

use std::fmt::Write as _;
use std::io::{BufReader, Write};
use std::path::Path;
use std::process::ExitCode;
use youdecide_shared::pabulib::{self, Decimal, ReadError};
use youdecide_shared::tally::{tally, BallotKind, Election, LoadError, Outcome, Rule};

/// Output formats.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Text,
}

/// A failure, with the exit status it leads to.
struct Failure {
    status: u8,
    message: String,
}

fn bad(message: String) -> Failure {
    Failure { status: 2, message }
}

/// Runs the command; prints the outcome on standard output or one line on standard error.
pub fn run(file: &Path, rule: &str, format: &str) -> ExitCode {
    match count(file, rule, format) {
        Ok(report) => {
            let mut out = std::io::stdout().lock();
            match out.write_all(report.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&Failure {
                    status: 1,
                    message: format!("cannot write the outcome: {e}"),
                }),
            }
        }
        Err(failure) => fail(&failure),
    }
}

fn fail(failure: &Failure) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "youdecide-server: {}", failure.message);
    ExitCode::from(failure.status)
}

/// Reads, counts and renders; the error is the whole message after `youdecide-server: `.
fn count(file: &Path, rule: &str, format: &str) -> Result<String, Failure> {
    let rule: Rule = rule.parse().map_err(|e| bad(format!("{e}")))?;
    let format = match format {
        "json" => Format::Json,
        "text" => Format::Text,
        other => {
            return Err(bad(format!(
                "unknown format \"{other}\": the formats are json and text"
            )))
        }
    };
    let name = file.display();
    let opened = std::fs::File::open(file).map_err(|e| Failure {
        status: 1,
        message: format!("{name}: {e}"),
    })?;
    let (parsed, election) = Election::read_pabulib(BufReader::with_capacity(1 << 16, opened))
        .map_err(|e| match e {
            LoadError::Read(ReadError::Malformed { line, problem }) => {
                bad(format!("{name}:{line}: {problem}"))
            }
            LoadError::Read(ReadError::Io(e)) => Failure {
                status: 1,
                message: format!("{name}: {e}"),
            },
            LoadError::Tally(e) => bad(format!("{name}: {e}")),
        })?;
    let outcome = tally(&election, rule).map_err(|e| bad(format!("{name}: {e}")))?;
    Ok(match format {
        Format::Json => json(&election, &outcome),
        Format::Text => text(&parsed, &election, &outcome),
    })
}

/// Money in minor units as the file writes it.
fn money(units: u64, election: &Election) -> Decimal {
    Decimal::from_units(i128::from(units), election.decimals)
}

/// `{"rule": "...", "budget": N, "selected": [...], "cost": N}` and a newline.
fn json(election: &Election, outcome: &Outcome) -> String {
    let ids: Vec<String> = outcome
        .selected
        .iter()
        .map(|id| serde_json::Value::from(id.as_str()).to_string())
        .collect();
    let selected = format!("[{}]", ids.join(", "));
    format!(
        "{{\"rule\": \"{}\", \"budget\": {}, \"selected\": {}, \"cost\": {}}}\n",
        outcome.rule,
        money(election.budget, election),
        selected,
        money(outcome.cost, election),
    )
}

/// A table for a person: every project by support, with whether and when it was chosen.
fn text(file: &pabulib::Election, election: &Election, outcome: &Outcome) -> String {
    let support = match election.kind {
        BallotKind::Approval => "Votes",
        BallotKind::Cumulative => "Points",
        BallotKind::Ranked => "Score",
    };
    let mut chosen = vec![None; election.projects.len()];
    for (i, &p) in outcome.order.iter().enumerate() {
        chosen[p] = Some(i + 1);
    }
    let mut rows: Vec<usize> = (0..election.projects.len()).collect();
    rows.sort_by(|&a, &b| {
        outcome.support[b]
            .cmp(&outcome.support[a])
            .then_with(|| election.projects[a].id.cmp(&election.projects[b].id))
    });
    let label = |p: usize| {
        let project = &election.projects[p];
        match file.projects.get(p).and_then(|fp| fp.get("name")) {
            Some(name) if !name.trim().is_empty() => {
                let short: String = name.trim().chars().take(48).collect();
                let cut = if short.chars().count() < name.trim().chars().count() {
                    "…"
                } else {
                    ""
                };
                format!("{} {short}{cut}", project.id)
            }
            _ => project.id.clone(),
        }
    };
    let table: Vec<[String; 5]> = rows
        .iter()
        .enumerate()
        .map(|(rank, &p)| {
            [
                (rank + 1).to_string(),
                label(p),
                outcome.support[p].to_string(),
                money(election.projects[p].cost, election).to_string(),
                chosen[p].map_or_else(|| "no".to_string(), |n| format!("yes ({n})")),
            ]
        })
        .collect();
    let head = ["Rank", "Project", support, "Cost", "Selected"];
    let mut widths = head.map(|h| h.chars().count());
    for row in &table {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "Rule: {}", outcome.rule);
    let _ = writeln!(out, "Budget: {}", money(election.budget, election));
    let _ = writeln!(
        out,
        "Selected: {} of {} projects, costing {} (left over: {})",
        outcome.order.len(),
        election.projects.len(),
        money(outcome.cost, election),
        money(election.budget - outcome.cost, election),
    );
    let _ = writeln!(out);
    let line = |cells: [&str; 5], out: &mut String| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            let pad = w - cell.chars().count();
            // Numbers right-aligned, words left-aligned.
            if matches!(i, 0 | 2 | 3) {
                let _ = write!(s, "{}{cell}  ", " ".repeat(pad));
            } else {
                let _ = write!(s, "{cell}{}  ", " ".repeat(pad));
            }
        }
        let _ = writeln!(out, "{}", s.trim_end());
    };
    line(head, &mut out);
    line(
        widths.map(|w| "-".repeat(w)).each_ref().map(String::as_str),
        &mut out,
    );
    for row in &table {
        line(row.each_ref().map(String::as_str), &mut out);
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Selected (n) is the order in which the rule chose the project."
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, body: &str) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        path
    }

    const SMALL: &str = "META\nkey;value\nbudget;10.50\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n1;6.25;\"Park; benches\"\n2;4.25;Library\n10;5;Pool\nVOTES\nvoter_id;vote\n1;1,2\n2;1\n3;10\n";

    #[test]
    fn json_prints_money_as_the_file_does() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(&dir, "a.pb", SMALL);
        let out = count(&f, "greedy", "json").ok().unwrap();
        assert_eq!(
            out,
            "{\"rule\": \"greedy\", \"budget\": 10.5, \"selected\": [\"1\", \"2\"], \"cost\": 10.5}\n"
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["selected"][0], "1");
    }

    #[test]
    fn text_is_a_table() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(&dir, "a.pb", SMALL);
        let out = count(&f, "equal-shares-completed", "text").ok().unwrap();
        assert!(out.contains("Rank  Project"), "{out}");
        assert!(out.contains("1 Park; benches"), "{out}");
        assert!(out.contains("yes (1)"), "{out}");
    }

    #[test]
    fn failures_have_a_status_and_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let good = write(&dir, "a.pb", SMALL);
        let broken = write(&dir, "b.pb", &SMALL.replace("4.25", "four"));
        let ranked = write(&dir, "c.pb", &SMALL.replace("approval", "ordinal"));
        let cases: [(&Path, &str, &str, u8, &str); 6] = [
            (&good, "borda", "json", 2, "unknown rule \"borda\""),
            (&good, "greedy", "xml", 2, "unknown format \"xml\""),
            (&broken, "greedy", "json", 2, "b.pb:8: the cost \"four\""),
            (
                &ranked,
                "phragmen",
                "json",
                2,
                "cannot count ranked ballots",
            ),
            (
                &dir.path().join("none.pb"),
                "greedy",
                "json",
                1,
                "none.pb: ",
            ),
            (dir.path(), "greedy", "json", 1, ""),
        ];
        for (file, rule, format, status, text) in cases {
            let Err(f) = count(file, rule, format) else {
                panic!("{rule} {format} succeeded")
            };
            assert_eq!(f.status, status, "{}", f.message);
            assert!(f.message.contains(text), "{}", f.message);
            assert!(!f.message.contains('\n'), "{}", f.message);
        }
    }
}
