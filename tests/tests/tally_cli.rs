//! `youdecide-server tally` as a person or a script uses it: the real binary on real Pabulib
//! files gives the reference selections as JSON, a readable table as text, and one line with
//! exit 2 for a malformed file or a rule that does not apply.

use serde_json::Value;
use std::path::PathBuf;
use youdecide_tests::run_server_cli;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/tests/data/pabulib")
        .join(name)
}

fn tally(file: &std::path::Path, rule: &str, format: &str) -> std::process::Output {
    run_server_cli(
        &[
            "tally",
            file.to_str().unwrap(),
            "--rule",
            rule,
            "--format",
            format,
        ],
        None,
    )
}

#[test]
fn json_matches_the_reference() {
    for name in [
        "Poland_Gdansk_2020_Rudniki.pb",
        "Worldwide_Mechanical_Turk_Utilities_3.pb",
        "Switzerland_Zurich_D5.pb",
    ] {
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(data(&format!("expected/{name}.json"))).unwrap(),
        )
        .unwrap();
        for (rule, want) in expected["rules"].as_object().unwrap() {
            let out = tally(&data(name), rule, "json");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{name} {rule}: {stderr}");
            let got: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(got["rule"], rule.as_str());
            assert_eq!(got["budget"], expected["budget"], "{name} {rule}");
            assert_eq!(got["selected"], want["selection_order"], "{name} {rule}");
            assert_eq!(got["cost"], want["total_cost"], "{name} {rule}");
        }
    }
}

#[test]
fn text_is_a_table_for_a_person() {
    let out = tally(&data("Poland_Gdansk_2020_Rudniki.pb"), "greedy", "text");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Budget: 149000"), "{text}");
    for column in ["Rank", "Project", "Points", "Cost", "Selected"] {
        assert!(text.contains(column), "{text}");
    }
    assert!(text.contains("yes (1)"), "{text}");
}

fn one_line(out: &std::process::Output, code: i32, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(needle), "{stderr} should mention {needle}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(data("Poland_Gdansk_2020_Rudniki.pb")).unwrap();
    let broken = dir.path().join("broken.pb");
    let line = good.lines().position(|l| l == "PROJECTS").unwrap() + 3;
    let text: Vec<String> = good
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == line {
                l.replacen(';', ";x", 2)
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&broken, text.join("\n")).unwrap();
    one_line(
        &tally(&broken, "greedy", "json"),
        2,
        &format!("broken.pb:{line}: "),
    );
    let ranked = data("US_Stanford_Dataset_PB_Chicago_47th_Ward_2020_vote_rankings.pb");
    one_line(&tally(&ranked, "phragmen", "json"), 2, "greedy");
    one_line(
        &tally(&data("Switzerland_Zurich_D5.pb"), "borda", "json"),
        2,
        "unknown rule \"borda\"",
    );
    one_line(
        &tally(&data("Switzerland_Zurich_D5.pb"), "greedy", "xml"),
        2,
        "unknown format \"xml\"",
    );
    one_line(
        &tally(&dir.path().join("missing.pb"), "greedy", "json"),
        1,
        "missing.pb",
    );
}
