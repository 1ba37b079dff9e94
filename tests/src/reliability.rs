//! Sizes for the reliability suite: every scenario runs short in the normal test suite and
//! at its full size when `YOUDECIDE_RELIABILITY_LONG=1` is set (`scripts/reliability`).

/// The environment variable that selects the full-size reliability runs.
pub const LONG_ENV: &str = "YOUDECIDE_RELIABILITY_LONG";

/// Whether the full-size runs were asked for.
pub fn long() -> bool {
    std::env::var(LONG_ENV).is_ok_and(|v| v == "1")
}

/// `short` in the normal suite, `full` in the long runs.
pub fn size(short: usize, full: usize) -> usize {
    if long() {
        full
    } else {
        short
    }
}

/// Prints one figure line for RELIABILITY.md, e.g. `reliability: kiosk crash loop: …`,
/// so `scripts/reliability` can collect them from the test output.
pub fn report(scenario: &str, figures: &str) {
    println!("reliability: {scenario}: {figures}");
}
