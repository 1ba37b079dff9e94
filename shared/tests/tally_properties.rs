//! Properties of the counting rules on small random elections, and agreement with plain
//! per-voter implementations of the same rules (every voter's budget or load kept
//! separately as a rational, every Add1 step of the completion run).

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;
use proptest::prelude::*;
use youdecide_shared::tally::{tally, Ballot, BallotKind, Election, Project, Rule};

/// Ids chosen so that string order differs from number order.
const IDS: [&str; 7] = ["1", "10", "2", "9", "a", "B", "07"];

fn kind() -> impl Strategy<Value = BallotKind> {
    prop_oneof![
        Just(BallotKind::Approval),
        Just(BallotKind::Cumulative),
        Just(BallotKind::Ranked)
    ]
}

fn election_of(kind: BallotKind) -> impl Strategy<Value = Election> {
    (1usize..=6, 0u32..=1).prop_flat_map(move |(m, decimals)| {
        let costs = prop::collection::vec(prop_oneof![1 => Just(0u64), 6 => 1u64..=30], m);
        let ballot = prop::collection::vec((0..m, 0u64..=4), 0..=m);
        let ballots = prop::collection::vec(ballot, 0..=7);
        (costs, 0u64..=80, ballots).prop_map(move |(costs, budget, ballots)| Election {
            budget,
            decimals,
            kind,
            projects: costs
                .into_iter()
                .enumerate()
                .map(|(i, cost)| Project {
                    id: IDS[i].to_string(),
                    cost,
                })
                .collect(),
            ballots: ballots.into_iter().map(|marks| Ballot { marks }).collect(),
        })
    })
}

fn election() -> impl Strategy<Value = Election> {
    kind().prop_flat_map(election_of)
}

fn applicable(e: &Election) -> Vec<Rule> {
    Rule::ALL
        .into_iter()
        .filter(|r| match e.kind {
            BallotKind::Approval => true,
            BallotKind::Cumulative => *r != Rule::Phragmen,
            BallotKind::Ranked => *r == Rule::Greedy,
        })
        .collect()
}

/// A ballot's marks with each project once, as the rules read them: the first mark for
/// approval and ranked ballots, the last for cumulative ones.
fn deduped(e: &Election, marks: &[(usize, u64)]) -> Vec<(usize, u64)> {
    let mut out: Vec<(usize, u64)> = Vec::new();
    for &(p, pts) in marks {
        match out.iter_mut().find(|(q, _)| *q == p) {
            Some(x) if e.kind == BallotKind::Cumulative => x.1 = pts,
            Some(_) => {}
            None => out.push((p, pts)),
        }
    }
    out
}

/// Per voter: `(project, utility)`, deduplicated as the rules do, utility > 0.
fn utilities(e: &Election) -> Vec<Vec<(usize, u64)>> {
    e.ballots
        .iter()
        .map(|b| {
            deduped(e, &b.marks)
                .into_iter()
                .map(|(p, pts)| match e.kind {
                    BallotKind::Approval => (p, e.projects[p].cost),
                    _ => (p, pts),
                })
                .filter(|&(_, u)| u > 0)
                .collect()
        })
        .collect()
}

fn supported(e: &Election) -> Vec<bool> {
    let mut s = vec![false; e.projects.len()];
    for b in utilities_or_marks(e) {
        for p in b {
            s[p] = true;
        }
    }
    s
}

/// Projects with positive weight on each ballot (approval: any mark; cumulative: points > 0).
fn utilities_or_marks(e: &Election) -> Vec<Vec<usize>> {
    e.ballots
        .iter()
        .map(|b| {
            deduped(e, &b.marks)
                .into_iter()
                .filter(|&(_, pts)| e.kind != BallotKind::Cumulative || pts > 0)
                .map(|(p, _)| p)
                .collect()
        })
        .collect()
}

fn by_id(e: &Election) -> impl Fn(&usize, &usize) -> std::cmp::Ordering + '_ {
    |a, b| e.projects[*a].id.cmp(&e.projects[*b].id)
}

fn cost(e: &Election, s: &[usize]) -> u64 {
    s.iter().map(|&p| e.projects[p].cost).sum()
}

/// Equal Shares with every voter starting with `start`, voter by voter.
fn plain_mes(e: &Election, start: &BigRational) -> Vec<usize> {
    let utils = utilities(e);
    let sup = supported(e);
    let mut selected: Vec<usize> = (0..e.projects.len())
        .filter(|&p| sup[p] && e.projects[p].cost == 0)
        .collect();
    selected.sort_by(by_id(e));
    if e.ballots.is_empty() {
        return selected;
    }
    let mut budget = vec![start.clone(); e.ballots.len()];
    let mut remaining: Vec<usize> = (0..e.projects.len())
        .filter(|&p| sup[p] && e.projects[p].cost > 0)
        .collect();
    loop {
        let mut best: Option<(BigRational, usize)> = None;
        let mut keep = Vec::new();
        for &p in &remaining {
            let c = BigRational::from_integer(BigInt::from(e.projects[p].cost));
            let mut supp: Vec<(usize, BigRational)> = utils
                .iter()
                .enumerate()
                .filter_map(|(v, b)| {
                    b.iter()
                        .find(|x| x.0 == p)
                        .map(|x| (v, BigRational::from_integer(BigInt::from(x.1))))
                })
                .collect();
            let total: BigRational = supp.iter().map(|(v, _)| budget[*v].clone()).sum();
            if total < c {
                continue;
            }
            keep.push(p);
            supp.sort_by(|a, b| (&budget[a.0] / &a.1).cmp(&(&budget[b.0] / &b.1)));
            let mut paid = BigRational::zero();
            let mut denom: BigRational = supp.iter().map(|x| x.1.clone()).sum();
            let mut rho = None;
            for (v, u) in &supp {
                let r = (&c - &paid) / &denom;
                if &r * u <= budget[*v] {
                    rho = Some(r);
                    break;
                }
                paid += &budget[*v];
                denom -= u;
            }
            let rho = rho.expect("affordable");
            let better = match &best {
                None => true,
                Some((r, q)) => rho < *r || (rho == *r && e.projects[p].id < e.projects[*q].id),
            };
            if better {
                best = Some((rho, p));
            }
        }
        remaining = keep;
        let Some((rho, p)) = best else {
            return selected;
        };
        selected.push(p);
        remaining.retain(|&q| q != p);
        for (v, b) in utils.iter().enumerate() {
            if let Some(&(_, u)) = b.iter().find(|x| x.0 == p) {
                let pay =
                    (&rho * BigRational::from_integer(BigInt::from(u))).min(budget[v].clone());
                budget[v] -= pay;
            }
        }
    }
}

/// Every Add1 step, none skipped.
fn plain_completed(e: &Election) -> Vec<usize> {
    let sup = supported(e);
    let mut previous: Vec<usize> = (0..e.projects.len())
        .filter(|&p| sup[p] && e.projects[p].cost == 0)
        .collect();
    previous.sort_by(by_id(e));
    if e.ballots.is_empty() {
        return previous;
    }
    let n = BigInt::from(e.ballots.len());
    let unit = BigRational::from_integer(BigInt::from(10u64.pow(e.decimals)));
    let mut start = BigRational::new(BigInt::from(e.budget), n);
    let available: Vec<usize> = (0..e.projects.len())
        .filter(|&p| sup[p] && e.projects[p].cost > 0)
        .collect();
    loop {
        let outcome = plain_mes(e, &start);
        let c = cost(e, &outcome);
        if c > e.budget {
            return previous;
        }
        if available
            .iter()
            .all(|p| outcome.contains(p) || c + e.projects[*p].cost > e.budget)
        {
            return outcome;
        }
        previous = outcome;
        start += &unit;
    }
}

fn support(e: &Election) -> Vec<u64> {
    let mut s = vec![0; e.projects.len()];
    for b in &e.ballots {
        let mut seen: Vec<(usize, u64)> = Vec::new();
        for &(p, pts) in &b.marks {
            match seen.iter_mut().find(|(q, _)| *q == p) {
                Some(x) if e.kind == BallotKind::Cumulative => x.1 = pts,
                Some(_) => {}
                None => seen.push((p, pts)),
            }
        }
        let l = seen.len() as u64;
        for (i, (p, pts)) in seen.into_iter().enumerate() {
            s[p] += match e.kind {
                BallotKind::Approval => 1,
                BallotKind::Cumulative => pts,
                BallotKind::Ranked => l - i as u64,
            };
        }
    }
    s
}

fn plain_greedy(e: &Election, mut selected: Vec<usize>) -> Vec<usize> {
    let s = support(e);
    let mut order: Vec<usize> = (0..e.projects.len()).collect();
    let free = |p: usize| s[p] > 0 && e.projects[p].cost == 0;
    order.sort_by(|&a, &b| {
        free(b)
            .cmp(&free(a))
            .then(s[b].cmp(&s[a]))
            .then(e.projects[a].id.cmp(&e.projects[b].id))
    });
    for p in order {
        if !selected.contains(&p) && cost(e, &selected) + e.projects[p].cost <= e.budget {
            selected.push(p);
        }
    }
    selected
}

/// Sequential Phragmén, voter by voter.
fn plain_phragmen(e: &Election) -> Vec<usize> {
    let ballots = utilities_or_marks(e);
    let mut load = vec![BigRational::zero(); ballots.len()];
    let mut remaining: Vec<usize> = (0..e.projects.len())
        .filter(|&p| e.projects[p].cost <= e.budget)
        .collect();
    let mut selected = Vec::new();
    while !remaining.is_empty() {
        let mut best: Option<Option<BigRational>> = None; // None inside: infinite
        let mut tied: Vec<usize> = Vec::new();
        for &p in &remaining {
            let supp: Vec<usize> = (0..ballots.len())
                .filter(|&v| ballots[v].contains(&p))
                .collect();
            let t = if supp.is_empty() {
                None
            } else {
                let sum: BigRational = supp.iter().map(|&v| load[v].clone()).sum();
                Some(
                    (sum + BigRational::from_integer(BigInt::from(e.projects[p].cost)))
                        / BigRational::from_integer(BigInt::from(supp.len())),
                )
            };
            let order = match (&best, &t) {
                (None, _) => std::cmp::Ordering::Less,
                (Some(None), None) => std::cmp::Ordering::Equal,
                (Some(None), Some(_)) => std::cmp::Ordering::Less,
                (Some(Some(_)), None) => std::cmp::Ordering::Greater,
                (Some(Some(b)), Some(t)) => t.cmp(b),
            };
            match order {
                std::cmp::Ordering::Less => {
                    best = Some(t);
                    tied = vec![p];
                }
                std::cmp::Ordering::Equal => tied.push(p),
                std::cmp::Ordering::Greater => {}
            }
        }
        if tied
            .iter()
            .any(|&p| cost(e, &selected) + e.projects[p].cost > e.budget)
        {
            break;
        }
        tied.sort_by(by_id(e));
        let p = tied[0];
        if let Some(Some(t)) = &best {
            for (v, b) in ballots.iter().enumerate() {
                if b.contains(&p) {
                    load[v] = t.clone();
                }
            }
        }
        selected.push(p);
        remaining.retain(|&q| q != p);
    }
    selected
}

fn ids(e: &Election, order: &[usize]) -> Vec<String> {
    order.iter().map(|&p| e.projects[p].id.clone()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn never_over_budget(e in election()) {
        for rule in applicable(&e) {
            let out = tally(&e, rule).unwrap();
            prop_assert!(out.cost <= e.budget, "{rule}");
            prop_assert_eq!(out.cost, cost(&e, &out.order));
        }
    }

    #[test]
    fn agrees_with_plain_implementations(e in election()) {
        let start = if e.ballots.is_empty() {
            BigRational::zero()
        } else {
            BigRational::new(BigInt::from(e.budget), BigInt::from(e.ballots.len()))
        };
        for rule in applicable(&e) {
            let want = match rule {
                Rule::Greedy => plain_greedy(&e, Vec::new()),
                Rule::EqualShares => plain_mes(&e, &start),
                Rule::EqualSharesCompleted => plain_greedy(&e, plain_completed(&e)),
                Rule::Phragmen => plain_phragmen(&e),
            };
            let got = tally(&e, rule).unwrap();
            prop_assert_eq!(got.selected, ids(&e, &want), "{}", rule);
        }
    }

    #[test]
    fn voter_order_does_not_matter(e in election(), seed in any::<u64>()) {
        let mut shuffled = e.clone();
        let n = shuffled.ballots.len();
        let mut s = seed;
        for i in (1..n).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.ballots.swap(i, (s >> 33) as usize % (i + 1));
        }
        for rule in applicable(&e) {
            prop_assert_eq!(tally(&e, rule).unwrap(), tally(&shuffled, rule).unwrap());
        }
    }

    #[test]
    fn more_approval_keeps_greedy_choice(e in election_of(BallotKind::Approval), pick in any::<prop::sample::Index>(), voter in any::<prop::sample::Index>()) {
        let before = tally(&e, Rule::Greedy).unwrap();
        prop_assume!(!before.order.is_empty());
        let p = before.order[pick.index(before.order.len())];
        let mut more = e.clone();
        if more.ballots.is_empty() {
            more.ballots.push(Ballot::default());
        }
        let v = voter.index(more.ballots.len());
        more.ballots[v].marks.push((p, 1));
        let after = tally(&more, Rule::Greedy).unwrap();
        prop_assert!(after.order.contains(&p));
    }

    #[test]
    fn equal_shares_never_funds_the_unsupported(e in prop_oneof![election_of(BallotKind::Approval), election_of(BallotKind::Cumulative)]) {
        let sup = supported(&e);
        let out = tally(&e, Rule::EqualShares).unwrap();
        for p in out.order {
            prop_assert!(sup[p]);
        }
    }
}

#[test]
fn ranked_ballots_take_greedy_only() {
    let e = Election {
        budget: 10,
        decimals: 0,
        kind: BallotKind::Ranked,
        projects: vec![Project {
            id: "1".into(),
            cost: 5,
        }],
        ballots: vec![Ballot::ranked([0])],
    };
    assert!(tally(&e, Rule::Greedy).is_ok());
    for rule in [
        Rule::EqualShares,
        Rule::EqualSharesCompleted,
        Rule::Phragmen,
    ] {
        let err = tally(&e, rule).unwrap_err().to_string();
        assert!(err.contains("cannot count ranked ballots"), "{err}");
        assert!(err.contains("greedy"), "{err}");
    }
    let cumulative = Election {
        kind: BallotKind::Cumulative,
        ..e
    };
    let err = tally(&cumulative, Rule::Phragmen).unwrap_err().to_string();
    assert!(err.contains("approval ballots only"), "{err}");
}

#[test]
fn rules_parse_and_print() {
    for rule in Rule::ALL {
        assert_eq!(rule.as_str().parse::<Rule>().unwrap(), rule);
    }
    let err = "mes".parse::<Rule>().unwrap_err().to_string();
    assert!(err.contains("unknown rule \"mes\""), "{err}");
}

#[test]
fn a_large_start_budget_is_reached_in_few_runs() {
    // One project needs every voter to hold far more than budget / voters: the completion
    // must jump there rather than step one unit at a time.
    let voters = 1000;
    let e = Election {
        budget: 1_000_000_000,
        decimals: 2,
        kind: BallotKind::Approval,
        projects: vec![
            Project {
                id: "big".into(),
                cost: 900_000_000,
            },
            Project {
                id: "small".into(),
                cost: 50_000_000,
            },
        ],
        ballots: (0..voters)
            .map(|v| {
                if v < 300 {
                    Ballot::approval([0])
                } else {
                    Ballot::approval([1])
                }
            })
            .collect(),
    };
    let started = std::time::Instant::now();
    let out = tally(&e, Rule::EqualSharesCompleted).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(out.selected, ["small", "big"]);
}
