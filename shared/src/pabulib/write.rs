//! The writer.

use super::fields::quote;
use super::Election;
use std::io::Write;

/// Writes a file: META in order, then projects and votes with their kept columns.
pub fn write<W: Write>(e: &Election, mut out: W) -> std::io::Result<()> {
    writeln!(out, "META\nkey;value")?;
    for (k, v) in &e.meta {
        writeln!(out, "{};{}", quote(k), quote(v))?;
    }
    write!(out, "PROJECTS\nproject_id;cost")?;
    for c in &e.project_columns {
        write!(out, ";{}", quote(c))?;
    }
    writeln!(out)?;
    for p in &e.projects {
        write!(out, "{};{}", quote(&p.id), p.cost)?;
        for c in &e.project_columns {
            write!(out, ";{}", quote(p.get(c).unwrap_or("")))?;
        }
        writeln!(out)?;
    }
    let points = e.vote_type.has_points();
    write!(out, "VOTES\nvoter_id;vote")?;
    if points {
        write!(out, ";points")?;
    }
    for c in &e.vote_columns {
        write!(out, ";{}", quote(c))?;
    }
    writeln!(out)?;
    let mut line = String::new();
    for v in &e.votes {
        line.clear();
        line.push_str(&quote(&v.voter_id));
        line.push(';');
        let ids: Vec<&str> = v.choices.iter().map(|(id, _)| id.as_str()).collect();
        line.push_str(&quote(&ids.join(",")));
        if points {
            let pts: Vec<String> = v.choices.iter().map(|(_, p)| p.to_string()).collect();
            line.push(';');
            line.push_str(&pts.join(","));
        }
        for c in &e.vote_columns {
            let value = v
                .extra
                .iter()
                .find(|(k, _)| k == c)
                .map_or("", |(_, x)| x.as_str());
            line.push(';');
            line.push_str(&quote(value));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}
