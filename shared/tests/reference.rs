//! Every rule on every real Pabulib election in `tests/data/pabulib` selects exactly the
//! projects the reference implementation selects, in the same order (for Phragmén, whose
//! reference outcome is recorded sorted by id, the same set). The files, the reference
//! outcomes and their provenance are in that folder.

use serde_json::Value;
use std::path::{Path, PathBuf};
use youdecide_shared::pabulib;
use youdecide_shared::tally::{tally, Election, Rule};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pabulib")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

fn check(file: &str) {
    let dir = data();
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected").join(format!("{file}.json"))).unwrap(),
    )
    .unwrap();
    let reader = std::io::BufReader::new(std::fs::File::open(dir.join(file)).unwrap());
    let parsed = pabulib::read(reader).unwrap();
    let election = Election::from_pabulib(&parsed).unwrap();
    assert_eq!(
        election.ballots.len() as u64,
        expected["voters"].as_u64().unwrap(),
        "{file}: voters"
    );
    let rules = expected["rules"].as_object().unwrap();
    assert!(!rules.is_empty());
    for (rule, want) in rules {
        let r: Rule = rule.parse().unwrap();
        let out = tally(&election, r).unwrap();
        let mut got = out.selected.clone();
        let mut set = strings(&want["selected"]);
        // The reference returns Phragmén's selection sorted by id, not in the order chosen.
        if r != Rule::Phragmen {
            assert_eq!(
                got,
                strings(&want["selection_order"]),
                "{file} {rule}: order"
            );
        }
        got.sort();
        set.sort();
        assert_eq!(got, set, "{file} {rule}: selected set");
        assert!(out.cost <= election.budget, "{file} {rule}: over budget");
    }
}

macro_rules! reference {
    ($($name:ident => $file:expr),* $(,)?) => {
        $( #[test] fn $name() { check($file); } )*
    };
}

reference! {
    dieppe => "Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals.pb",
    toulouse => "France_Toulouse_2019.pb",
    veszprem => "Hungary_Veszprem_2025.pb",
    amsterdam_643 => "Netherlands_Amsterdam_643.pb",
    gdansk_rudniki => "Poland_Gdansk_2020_Rudniki.pb",
    krakow_bienczyce => "Poland_Krakow_2019_Bienczyce.pb",
    krakow_podgorze => "Poland_Krakow_2019_Podgorze.pb",
    lodz => "Poland_Lodz_2022.pb",
    swiecie => "Poland_Swiecie_2023.pb",
    warszawa_ursynow => "Poland_Warszawa_2017_Ursynow.pb",
    warszawa_pole_mokotowskie => "Poland_Warszawa_2018_Pole_Mokotowskie.pb",
    zurich_d5 => "Switzerland_Zurich_D5.pb",
    zurich_s5 => "Switzerland_Zurich_S5.pb",
    zurich_s5r => "Switzerland_Zurich_S5R.pb",
    chicago_47 => "US_Stanford_Dataset_PB_Chicago_47th_Ward_2020_vote_rankings.pb",
    mturk_knapsack_7 => "Worldwide_Mechanical_Turk_Knapsack_7.pb",
    mturk_ranking_value_3 => "Worldwide_Mechanical_Turk_Ranking_value_3.pb",
    mturk_utilities_3 => "Worldwide_Mechanical_Turk_Utilities_3.pb",
    mturk_k_approval_3 => "Worldwide_Mechanical_Turk_k_approval_3.pb",
}

/// Every `.pb` file in the folder has a test above.
#[test]
fn every_file_is_checked() {
    let source = include_str!("reference.rs");
    for entry in std::fs::read_dir(data()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".pb") {
            assert!(
                source.contains(&format!("\"{name}\"")),
                "{name} is not checked"
            );
        }
    }
}
