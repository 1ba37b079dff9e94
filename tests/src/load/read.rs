//! The `read` scenario: CLIENTS threads, each with its own keep-alive connection, GET the
//! given paths in turn until REQUESTS have been sent. Anything but 200 is an error.

use super::args::ReadArgs;
use super::drive::drive;
use super::http;
use super::Fail;
use serde_json::json;

/// Runs the scenario.
pub fn run(a: &ReadArgs) -> Result<(), Fail> {
    // Every path must answer once before the clock starts: a typo is a set-up failure.
    let probe = http::agent();
    for p in &a.paths {
        let r = http::send(&probe, "GET", &format!("{}{p}", a.url), None, None)
            .map_err(|e| Fail::Other(format!("cannot reach the server at {}: {e}", a.url)))?;
        if r.status != 200 {
            return Err(Fail::Other(format!("GET {p} answers {}", r.describe())));
        }
    }
    let urls: Vec<String> = a.paths.iter().map(|p| format!("{}{p}", a.url)).collect();
    let mut summary = drive("read", a.clients, a.requests, 200, |agent, i| {
        http::send(agent, "GET", &urls[i % urls.len()], None, None)
    });
    summary.unit = Some("pages");
    summary.extra.push(("clients".into(), json!(a.clients)));
    summary.print();
    Ok(())
}
