//! Ballot validation, property-tested against plain statements of each method's rules: random
//! ballots (with unknown projects, projects of another area, repeats, out-of-range points and
//! ranks) are accepted exactly when the rules say so, and anything typed into the eligibility
//! fields gets an answer, never a panic.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use serde_json::json;
use std::collections::HashSet;
use youdecide_shared::ballot::{validate, BallotBody, Choice, EligibilityClaim, ProjectRef};
use youdecide_shared::round::RoundSpec;

/// Projects: "n0".."n5" in the north area, "s0".."s5" in the south; costs 100 to 600.
fn projects() -> Vec<ProjectRef> {
    ["n", "s"]
        .iter()
        .flat_map(|a| {
            (0..6).map(move |i| ProjectRef {
                key: format!("{a}{i}"),
                area: if *a == "n" { "north" } else { "south" }.into(),
                cost: 100 * (i + 1),
            })
        })
        .collect()
}

fn round(method: serde_json::Value) -> RoundSpec {
    serde_json::from_value(json!({
        "title": "Property round", "opens_at": "2026-01-01T00:00:00Z", "closes_at": "2099-01-01T00:00:00Z",
        "method": method, "rule": "greedy",
        "areas": [{"key": "north", "name": "North", "budget": 1000, "postcodes": ["DN15"]},
                  {"key": "south", "name": "South", "budget": 1000, "postcodes": ["DN16"]}],
        "eligibility": {"min_age": 16, "mode": "self-declared"}, "languages": ["en"]
    }))
    .expect("a round")
}

fn body(choices: Vec<Choice>) -> BallotBody {
    BallotBody {
        eligibility: EligibilityClaim {
            postcode: "DN15 6AB".into(),
            age_confirmed: true,
            name: Some("Pat Doe".into()),
            date_of_birth: Some("1970-01-01".into()),
            code: None,
        },
        choices,
        language: "en".into(),
    }
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

/// A key: mostly projects of the voter's area (north), sometimes of the other area, sometimes
/// no project at all.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (0..6u8).prop_map(|i| format!("n{i}")),
        1 => (0..6u8).prop_map(|i| format!("s{i}")),
        1 => Just("zz".to_string()),
    ]
}

/// The projects are known, of the voter's area and not repeated.
fn well_formed(keys: &[String]) -> bool {
    let unique: HashSet<&String> = keys.iter().collect();
    unique.len() == keys.len() && keys.iter().all(|k| k.starts_with('n') && k.len() == 2)
}

fn cost(keys: &[String]) -> i64 {
    keys.iter()
        .map(|k| 100 * (i64::from(k.as_bytes()[1] - b'0') + 1))
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn approval_follows_the_rules(
        keys in prop::collection::vec(key(), 0..8),
        min in 1u32..3,
        max in prop::option::of(1u32..5),
        within_budget in any::<bool>(),
    ) {
        let spec = round(json!({"kind": "approval", "min_choices": min, "max_choices": max, "within_budget": within_budget}));
        let choices = keys.iter().map(|k| Choice { project: k.clone(), points: None, rank: None }).collect();
        let n = keys.len() as u32;
        let expected = well_formed(&keys)
            && n >= min
            && max.is_none_or(|m| n <= m)
            && (!within_budget || cost(&keys) <= 1000);
        let got = validate(&body(choices), &spec, &projects(), true, now());
        prop_assert_eq!(got.is_ok(), expected, "{:?}: {:?}", keys, got);
        if let Ok(v) = got {
            prop_assert_eq!(v.area, "north");
            let counted: Vec<(String, i64)> = keys.iter().map(|k| (k.clone(), 1)).collect();
            prop_assert_eq!(v.choices, counted);
        }
    }

    #[test]
    fn cumulative_follows_the_rules(
        marks in prop::collection::vec((key(), -3i64..12), 0..6),
        points in 1u32..15,
        cap in prop::option::of(1u32..8),
    ) {
        let spec = round(json!({"kind": "cumulative", "points": points, "max_per_project": cap}));
        let keys: Vec<String> = marks.iter().map(|(k, _)| k.clone()).collect();
        let choices = marks.iter().map(|(k, p)| Choice { project: k.clone(), points: Some(*p), rank: None }).collect();
        let total: i64 = marks.iter().map(|(_, p)| *p).sum();
        let expected = !marks.is_empty()
            && well_formed(&keys)
            && marks.iter().all(|(_, p)| *p >= 1 && cap.is_none_or(|c| *p <= i64::from(c)))
            && total <= i64::from(points);
        let got = validate(&body(choices), &spec, &projects(), true, now());
        prop_assert_eq!(got.is_ok(), expected, "{:?}: {:?}", marks, got);
        if let Ok(v) = got {
            prop_assert_eq!(v.choices, marks.clone());
        }
    }

    #[test]
    fn ranked_follows_the_rules(
        marks in prop::collection::vec((key(), 0i64..7), 0..6),
        max_ranks in 1u32..6,
    ) {
        let spec = round(json!({"kind": "ranked", "max_ranks": max_ranks}));
        let keys: Vec<String> = marks.iter().map(|(k, _)| k.clone()).collect();
        let choices = marks.iter().map(|(k, r)| Choice { project: k.clone(), points: None, rank: Some(*r) }).collect();
        let mut ranks: Vec<i64> = marks.iter().map(|(_, r)| *r).collect();
        ranks.sort_unstable();
        let expected = !marks.is_empty()
            && well_formed(&keys)
            && marks.len() <= max_ranks as usize
            && ranks == (1..=marks.len() as i64).collect::<Vec<_>>();
        let got = validate(&body(choices), &spec, &projects(), true, now());
        prop_assert_eq!(got.is_ok(), expected, "{:?}: {:?}", marks, got);
    }

    #[test]
    fn any_eligibility_text_gets_an_answer(
        postcode in ".{0,12}",
        name in ".{0,40}",
        dob in ".{0,12}",
        code in ".{0,20}",
        age in any::<bool>(),
    ) {
        for mode in ["self-declared", "code", "attended"] {
            let mut spec = round(json!({"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": true}));
            spec.eligibility = serde_json::from_value(json!({"min_age": 16, "mode": mode})).unwrap();
            let mut b = body(vec![Choice { project: "n0".into(), points: None, rank: None }]);
            b.eligibility = EligibilityClaim {
                postcode: postcode.clone(),
                age_confirmed: age,
                name: Some(name.clone()),
                date_of_birth: Some(dob.clone()),
                code: Some(code.clone()),
            };
            // Refused with a code, or accepted with an area: never a panic.
            match validate(&b, &spec, &projects(), true, now()) {
                Ok(v) => prop_assert!(v.area == "north" || v.area == "south"),
                Err(e) => prop_assert!(!e.code().is_empty()),
            }
        }
    }
}
