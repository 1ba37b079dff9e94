//! The `argon2` mode: how long one self-declared voter key takes on this machine, on one
//! thread, through the same `voter_key::derive` the server and the kiosk call. A server can
//! take at most (cores × 1000 / ms per key) self-declared ballots a second.

use super::stats::{ordered_json, percentile};
use super::Fail;
use chrono::NaiveDate;
use serde_json::json;
use std::time::Instant;
use youdecide_shared::ballot::{normalise_name, Identity};
use youdecide_shared::voter_key;

/// Derives `n` keys (after one warm-up) and prints the summary.
pub fn run(n: usize) -> Result<(), Fail> {
    let salt = uuid::Uuid::new_v4().simple().to_string();
    let identity = |i: usize| Identity::SelfDeclared {
        name: normalise_name(&format!("Argon Voter {i}")),
        date_of_birth: NaiveDate::from_ymd_opt(1950 + (i % 50) as i32, 1 + (i % 12) as u32, 1)
            .unwrap_or_default(),
    };
    let derive = |i: usize| {
        voter_key::derive(&identity(i), &salt)
            .map_err(|e| Fail::Other(format!("cannot derive a voter key: {e}")))
    };
    derive(n)?;
    let mut times = Vec::with_capacity(n);
    let started = Instant::now();
    for i in 0..n {
        let t0 = Instant::now();
        derive(i)?;
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    let seconds = started.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / n as f64;
    let r = |x: f64| (x * 100.0).round() / 100.0;
    println!(
        "{}",
        ordered_json(vec![
            ("scenario", json!("argon2")),
            ("keys", json!(n)),
            ("seconds", json!(r(seconds))),
            ("ms_per_key", json!(r(mean))),
            ("p50_ms", json!(r(percentile(&times, 0.5)))),
            ("p90_ms", json!(r(percentile(&times, 0.9)))),
            ("p99_ms", json!(r(percentile(&times, 0.99)))),
            ("max_ms", json!(r(times[n - 1]))),
            ("memory_kib", json!(voter_key::MEMORY_KIB)),
            ("iterations", json!(voter_key::ITERATIONS)),
            ("lanes", json!(voter_key::LANES)),
        ])
    );
    eprintln!(
        "argon2: {n} voter keys on one thread, {mean:.2} ms per key (p50 {:.2} ms, max {:.2} ms)",
        percentile(&times, 0.5),
        times[n - 1]
    );
    Ok(())
}
