//! The `read` scenario: CLIENTS threads, each with its own keep-alive connection, GET the
//! given paths in turn until REQUESTS have been sent. Anything but 200 is an error.

use super::args::ReadArgs;
use super::http;
use super::stats::Summary;
use super::Fail;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

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
    let next = AtomicUsize::new(0);
    let first_error: Mutex<Option<String>> = Mutex::new(None);
    let started = Instant::now();
    let results: Vec<(Vec<f64>, usize, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..a.clients.min(a.requests))
            .map(|_| {
                s.spawn(|| {
                    let mut agent = http::agent();
                    let (mut lat, mut ok, mut errors) = (Vec::new(), 0usize, 0usize);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= a.requests {
                            break;
                        }
                        let url = &urls[i % urls.len()];
                        let t0 = Instant::now();
                        let problem = match http::send(&agent, "GET", url, None, None) {
                            Ok(r) if r.status == 200 => None,
                            Ok(r) => Some(r.describe()),
                            Err(e) => {
                                agent = http::agent();
                                Some(format!("no answer: {e}"))
                            }
                        };
                        lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                        match problem {
                            None => ok += 1,
                            Some(p) => {
                                errors += 1;
                                if let Ok(mut f) = first_error.lock() {
                                    f.get_or_insert(format!("GET {url}: {p}"));
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
        scenario: "read".into(),
        seconds,
        unit: Some("pages"),
        ..Summary::default()
    };
    for (lat, ok, errors) in results {
        summary.requests += lat.len();
        summary.latencies_ms.extend(lat);
        summary.ballots += ok;
        summary.errors += errors;
    }
    summary.extra.push(("clients".into(), json!(a.clients)));
    summary.print();
    Ok(())
}
