//! The timed phase shared by the request-per-item scenarios: CLIENTS threads, each with its
//! own keep-alive connection, take the next item number until ITEMS have been sent, and time
//! each request. A thread whose connection broke opens a new one.

use super::http::{self, Reply};
use super::stats::Summary;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Sends `items` requests from `clients` threads: `send(agent, i)` makes request `i`, and an
/// answer with status `expect` counts as done, anything else as an error (the first one is
/// printed on stderr). Returns the summary of the timed phase, named `scenario`.
pub fn drive(
    scenario: &str,
    clients: usize,
    items: usize,
    expect: u16,
    send: impl Fn(&ureq::Agent, usize) -> Result<Reply, String> + Sync,
) -> Summary {
    let next = AtomicUsize::new(0);
    let first_error: Mutex<Option<String>> = Mutex::new(None);
    let started = Instant::now();
    let results: Vec<(Vec<f64>, usize, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients.min(items))
            .map(|_| {
                s.spawn(|| {
                    let mut agent = http::agent();
                    let (mut lat, mut ok, mut errors) = (Vec::new(), 0usize, 0usize);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= items {
                            break;
                        }
                        let t0 = Instant::now();
                        let reply = send(&agent, i);
                        lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                        let problem = match reply {
                            Ok(r) if r.status == expect => None,
                            Ok(r) => Some(r.describe()),
                            Err(e) => {
                                agent = http::agent();
                                Some(format!("no answer: {e}"))
                            }
                        };
                        match problem {
                            None => ok += 1,
                            Some(p) => {
                                errors += 1;
                                if let Ok(mut f) = first_error.lock() {
                                    f.get_or_insert(format!("request {i}: {p}"));
                                }
                            }
                        }
                    }
                    (lat, ok, errors)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    if let Some(e) = first_error.lock().ok().and_then(|f| f.clone()) {
        eprintln!("youdecide-load: first error: {e}");
    }
    let mut summary = Summary {
        scenario: scenario.to_string(),
        seconds,
        ..Summary::default()
    };
    for (lat, ok, errors) in results {
        summary.requests += lat.len();
        summary.latencies_ms.extend(lat);
        summary.ballots += ok;
        summary.errors += errors;
    }
    summary
}
