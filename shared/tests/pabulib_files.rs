//! The Pabulib reader and writer on whole files: malformed input in each section is refused
//! with the line and the problem, files survive a write and read unchanged, and the streaming
//! reader builds the same election as reading the whole file.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use youdecide_shared::pabulib::{self, ReadError};
use youdecide_shared::tally::{tally, Election, LoadError, Rule};

const GOOD: &str = "META
key;value
description;\"A test; with a semicolon\"
budget;100.50
vote_type;approval
PROJECTS
project_id;cost;name
1;60.25;\"Benches \"\"by the pond\"\"\"
2;40.25;Library
10;50;Pool
VOTES
voter_id;vote;age
a;1,2;34
b;1;
c;10;71
";

/// Reads `text` and returns the line and problem it is refused with.
fn refused(text: &str) -> (u64, String) {
    match pabulib::read(text.as_bytes()) {
        Err(ReadError::Malformed { line, problem }) => (line, problem),
        Err(ReadError::Io(e)) => panic!("an I/O error instead of a malformed file: {e}"),
        Ok(_) => panic!("accepted a malformed file:\n{text}"),
    }
}

#[test]
fn the_good_file_reads() {
    let e = pabulib::read(GOOD.as_bytes()).unwrap();
    assert_eq!(e.meta("description"), Some("A test; with a semicolon"));
    assert_eq!(e.budget.to_string(), "100.5");
    assert_eq!(e.projects.len(), 3);
    assert_eq!(e.projects[0].get("name"), Some("Benches \"by the pond\""));
    assert_eq!(e.vote_columns, ["age"]);
    assert_eq!(e.votes[0].choices.len(), 2);
    assert_eq!(e.votes[2].extra, [("age".to_string(), "71".to_string())]);
}

#[test]
fn meta_problems_name_the_line() {
    let cases: [(&str, &str, u64, &str); 6] = [
        ("META\n", "", 1, "the file must start with META"),
        (
            "key;value\n",
            "key;name\n",
            2,
            "the META header must be key;value",
        ),
        (
            "budget;100.50\n",
            "budget;lots\n",
            4,
            "the budget \"lots\" is not a number",
        ),
        (
            "budget;100.50\n",
            "budget;-5\n",
            4,
            "the budget \"-5\" is not a number",
        ),
        (
            "vote_type;approval\n",
            "vote_type;borda\n",
            5,
            "the vote_type \"borda\"",
        ),
        (
            "vote_type;approval\n",
            "vote_type;approval\nbudget;7\n",
            6,
            "the META key budget appears twice",
        ),
    ];
    for (from, to, line, problem) in cases {
        let (at, said) = refused(&GOOD.replacen(from, to, 1));
        assert_eq!(at, line, "{said}");
        assert!(said.contains(problem), "{said} does not say {problem}");
    }
    let (_, said) = refused(&GOOD.replacen("budget;100.50\n", "", 1));
    assert!(said.contains("META has no budget"), "{said}");
    let (_, said) = refused(&GOOD.replacen("vote_type;approval\n", "", 1));
    assert!(said.contains("META has no vote_type"), "{said}");
}

#[test]
fn projects_problems_name_the_line() {
    let cases: [(&str, &str, u64, &str); 6] = [
        (
            "project_id;cost;name",
            "project_id;price;name",
            7,
            "must name the columns project_id and cost",
        ),
        (
            "2;40.25;Library",
            "2;forty;Library",
            9,
            "the cost \"forty\"",
        ),
        ("2;40.25;Library", "2;-40;Library", 9, "the cost \"-40\""),
        (
            "2;40.25;Library",
            "1;40.25;Library",
            9,
            "the project_id 1 is used twice",
        ),
        (
            "2;40.25;Library",
            "2;40.25",
            9,
            "has 2 fields but the PROJECTS header has 3",
        ),
        (
            "10;50;Pool",
            "10;50;\"Pool",
            10,
            "a quoted field is not closed",
        ),
    ];
    for (from, to, line, problem) in cases {
        let (at, said) = refused(&GOOD.replacen(from, to, 1));
        assert_eq!(at, line, "{said}");
        assert!(said.contains(problem), "{said} does not say {problem}");
    }
}

#[test]
fn votes_problems_name_the_line() {
    let cases: [(&str, &str, u64, &str); 5] = [
        (
            "voter_id;vote;age",
            "voter;vote;age",
            12,
            "must name the columns voter_id and vote",
        ),
        (
            "b;1;",
            "b;7;",
            14,
            "the project 7, which is not in PROJECTS",
        ),
        ("b;1;", ";1;", 14, "the vote has no voter_id"),
        ("b;1;", "b;1", 14, "has 2 fields but the VOTES header has 3"),
        ("c;10;71\n", "c;10;71\nVOTES\n", 16, "VOTES is out of place"),
    ];
    for (from, to, line, problem) in cases {
        let (at, said) = refused(&GOOD.replacen(from, to, 1));
        assert_eq!(at, line, "{said}");
        assert!(said.contains(problem), "{said} does not say {problem}");
    }
    let (_, said) = refused(&GOOD[..GOOD.find("VOTES").unwrap()]);
    assert!(said.contains("ends before its VOTES section"), "{said}");
}

#[test]
fn cumulative_votes_need_points() {
    let cumulative = GOOD.replacen("vote_type;approval", "vote_type;cumulative", 1);
    let (at, said) = refused(&cumulative);
    assert_eq!(at, 12, "{said}");
    assert!(said.contains("points"), "{said}");
}

#[test]
fn text_that_is_not_utf8_is_refused_on_its_line() {
    let mut bytes = GOOD.as_bytes().to_vec();
    let at = GOOD.find("Library").unwrap();
    bytes[at] = 0xff;
    match pabulib::read(&bytes[..]) {
        Err(ReadError::Malformed { line, problem }) => {
            assert_eq!(line, 9);
            assert!(problem.contains("UTF-8"), "{problem}");
        }
        other => panic!("not refused as malformed: {other:?}"),
    }
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/pabulib")
        .join(name)
}

#[test]
fn real_files_survive_a_write_and_read() {
    for name in [
        "Poland_Gdansk_2020_Rudniki.pb",
        "Worldwide_Mechanical_Turk_Utilities_3.pb",
        "US_Stanford_Dataset_PB_Chicago_47th_Ward_2020_vote_rankings.pb",
        "Switzerland_Zurich_D5.pb",
    ] {
        let first = pabulib::read(BufReader::new(File::open(data(name)).unwrap())).unwrap();
        let mut written = Vec::new();
        pabulib::write(&first, &mut written).unwrap();
        let second = pabulib::read(&written[..]).unwrap();
        assert_eq!(first, second, "{name} changed in a write and read");
    }
}

#[test]
fn streaming_builds_the_same_election() {
    for name in [
        "Poland_Gdansk_2020_Rudniki.pb",
        "Worldwide_Mechanical_Turk_Utilities_3.pb",
    ] {
        let whole = pabulib::read(BufReader::new(File::open(data(name)).unwrap())).unwrap();
        let from_whole = Election::from_pabulib(&whole).unwrap();
        let (head, streamed) =
            Election::read_pabulib(BufReader::new(File::open(data(name)).unwrap())).unwrap();
        assert!(head.votes.is_empty());
        assert_eq!(streamed, from_whole, "{name}");
        assert_eq!(
            tally(&streamed, Rule::Greedy).unwrap(),
            tally(&from_whole, Rule::Greedy).unwrap()
        );
    }
}

#[test]
fn uncountable_votes_are_reported_on_their_line() {
    let negative = GOOD
        .replacen("vote_type;approval", "vote_type;cumulative", 1)
        .replacen("voter_id;vote;age", "voter_id;vote;points;age", 1)
        .replacen("a;1,2;34", "a;1,2;3,4;34", 1)
        .replacen("b;1;", "b;1;-2;", 1)
        .replacen("c;10;71", "c;10;1;71", 1);
    match Election::read_pabulib(negative.as_bytes()) {
        Err(LoadError::Read(ReadError::Malformed { line, problem })) => {
            assert_eq!(line, 14);
            assert!(
                problem.contains("not a whole number of at least 0"),
                "{problem}"
            );
        }
        other => panic!("not refused on its line: {other:?}"),
    }
}
