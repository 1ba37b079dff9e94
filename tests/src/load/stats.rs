//! Latency percentiles and the run's summary: one JSON line on stdout, one readable line on
//! stderr.

use serde_json::{json, Value};

/// One JSON object with its fields in the order given (serde_json's own maps sort them).
pub fn ordered_json(fields: Vec<(&str, Value)>) -> String {
    let inner: Vec<String> = fields
        .into_iter()
        .map(|(k, v)| format!("{}:{v}", Value::from(k)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

/// The `p` quantile (0..1) of sorted values, as the bench scripts take it: the value at index
/// `min(n - 1, floor(n * p))`.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64) * p) as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// What a timed run measured.
#[derive(Debug, Default)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Requests sent.
    pub requests: usize,
    /// Ballots the server took.
    pub ballots: usize,
    /// Requests that failed (non-2xx, or no answer).
    pub errors: usize,
    /// Wall-clock seconds of the timed phase.
    pub seconds: f64,
    /// Per-request latencies in milliseconds.
    pub latencies_ms: Vec<f64>,
    /// Extra fields for the JSON line, after the standard ones.
    pub extra: Vec<(String, Value)>,
    /// What `ballots` counts, if not ballots (e.g. `pages` for readers): names the count and
    /// the rate in both lines.
    pub unit: Option<&'static str>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Summary {
    /// Prints the JSON line on stdout and the readable line on stderr.
    pub fn print(mut self) {
        self.latencies_ms.sort_by(f64::total_cmp);
        let l = &self.latencies_ms;
        let rate = if self.seconds > 0.0 {
            self.ballots as f64 / self.seconds
        } else {
            0.0
        };
        let (p50, p90, p99) = (percentile(l, 0.5), percentile(l, 0.9), percentile(l, 0.99));
        let max = l.last().copied().unwrap_or(0.0);
        let unit = self.unit.unwrap_or("ballots");
        let per_second = format!("{unit}_per_second");
        let mut fields = vec![
            ("scenario", json!(self.scenario)),
            ("requests", json!(self.requests)),
            (unit, json!(self.ballots)),
            ("errors", json!(self.errors)),
            ("seconds", json!(round2(self.seconds))),
            (per_second.as_str(), json!(round2(rate))),
            ("p50_ms", json!(round2(p50))),
            ("p90_ms", json!(round2(p90))),
            ("p99_ms", json!(round2(p99))),
            ("max_ms", json!(round2(max))),
        ];
        fields.extend(self.extra.iter().map(|(k, v)| (k.as_str(), v.clone())));
        println!("{}", ordered_json(fields));
        eprintln!(
            "{}: {} {unit} in {:.2} s = {:.0} {unit}/s over {} requests; latency p50 {:.1} ms, \
             p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} errors",
            self.scenario,
            self.ballots,
            self.seconds,
            rate,
            self.requests,
            p50,
            p90,
            p99,
            max,
            self.errors
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_the_bench_scripts() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 51.0);
        assert_eq!(percentile(&v, 0.99), 100.0);
        assert_eq!(percentile(&[3.0], 0.9), 3.0);
        assert_eq!(percentile(&[], 0.9), 0.0);
        assert_eq!(
            ordered_json(vec![("z", json!(1)), ("a", json!("x\"y"))]),
            r#"{"z":1,"a":"x\"y"}"#
        );
    }
}
