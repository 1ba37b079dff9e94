//! The `online` scenario: CLIENTS threads, each with its own keep-alive connection, post
//! pre-built ballots to `POST /api/v1/rounds/{rid}/ballots` one after another until all are
//! sent. Anything but 201 is an error.

use super::args::OnlineArgs;
use super::ballots::{fetch_open_round, Generator, Who};
use super::drive::drive;
use super::http;
use super::Fail;
use serde_json::json;

/// Reads voting codes, one a line (blank lines skipped).
pub fn read_codes(path: &std::path::Path, need: usize) -> Result<Vec<String>, Fail> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Fail::Usage(format!(
            "--codes-file {}: cannot read it: {e}",
            path.display()
        ))
    })?;
    let codes: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if codes.len() < need {
        return Err(Fail::Usage(format!(
            "--codes-file {} holds {} codes, but this run needs {need} (one per ballot)",
            path.display(),
            codes.len()
        )));
    }
    Ok(codes)
}

/// A short random tag so that generated names differ from one run to the next.
pub fn run_tag() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

/// Runs the scenario.
pub fn run(a: &OnlineArgs) -> Result<(), Fail> {
    let url = &a.target.url;
    let round = fetch_open_round(url, &a.target.round)?;
    let mode = round.mode();
    if let Some(wanted) = &a.mode {
        if wanted != mode {
            return Err(Fail::Usage(format!(
                "--mode {wanted}: round {} takes {mode} ballots",
                round.id
            )));
        }
    }
    let codes = match mode {
        "self-declared" => None,
        "code" => {
            let path = a.codes_file.as_ref().ok_or_else(|| {
                Fail::Usage(format!(
                    "round {} takes voting codes: give --codes-file",
                    round.id
                ))
            })?;
            Some(read_codes(path, a.ballots)?)
        }
        _ => {
            return Err(Fail::Other(format!(
                "round {} is an attended round: it has no online vote",
                round.id
            )))
        }
    };
    let generator = Generator::new(&round, &run_tag()).map_err(Fail::Other)?;
    let bodies: Vec<String> = (0..a.ballots)
        .map(|i| {
            let who = match &codes {
                Some(c) => Who::Code(c[i].clone()),
                None => Who::SelfDeclared,
            };
            let (body, _) = generator.ballot(i, &who).map_err(Fail::Other)?;
            serde_json::to_string(&body).map_err(|e| Fail::Other(e.to_string()))
        })
        .collect::<Result<_, _>>()?;

    let endpoint = format!("{url}/api/v1/rounds/{}/ballots", round.id);
    let clients = a.clients.min(bodies.len());
    let mut summary = drive(
        &format!("online-{mode}"),
        clients,
        bodies.len(),
        201,
        |agent, i| http::send(agent, "POST", &endpoint, None, Some(&bodies[i])),
    );
    summary.extra.push(("clients".into(), json!(clients)));
    summary.print();
    Ok(())
}
