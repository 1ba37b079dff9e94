//! Sequential Phragmén. Every voter starts with load 0. In each round the project whose
//! supporters would end with the smallest equal load, (their loads + its cost) / supporters,
//! is chosen (ties by id) and its supporters' loads become that value. The count stops as soon
//! as a project so chosen would not fit in what is left of the budget. Projects no one supports
//! come last, in id order, while they fit.
//!
//! Every voter's load is the load set by the last chosen project they support, so voters fall
//! into at most one class per round. Loads are exact: integer numerators over one common
//! denominator.

use super::prepared::Prepared;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Zero};

/// The projects chosen, in order.
pub(crate) fn sequential(prep: &Prepared) -> Vec<usize> {
    let m = prep.costs.len();
    // Class 0 is load 0; class k > 0 is the load set in round k.
    let mut loads: Vec<BigInt> = vec![BigInt::zero()];
    let mut denominator = BigInt::one();
    let mut class_of = vec![0u32; prep.voters];
    // counts[p][k]: supporters of p in class k.
    let mut counts: Vec<Vec<u32>> = (0..m)
        .map(|p| vec![prep.supporters[p].len() as u32])
        .collect();
    let mut remaining: Vec<usize> = (0..m).filter(|&p| prep.costs[p] <= prep.budget).collect();
    let mut left = prep.budget;
    let mut selected = Vec::new();
    while !remaining.is_empty() {
        // The smallest (loads + cost·D) / supporters, ties by id; projects without
        // supporters have an infinite new load and tie only with each other.
        let mut best: Option<(BigInt, u64, usize)> = None;
        let mut tied: Vec<usize> = Vec::new();
        for &p in &remaining {
            let n = prep.supporters[p].len() as u64;
            if n == 0 {
                continue;
            }
            let mut total = BigInt::from(prep.costs[p]) * &denominator;
            for (k, &c) in counts[p].iter().enumerate() {
                if c > 0 && !loads[k].is_zero() {
                    total += &loads[k] * c;
                }
            }
            let order = match &best {
                None => std::cmp::Ordering::Less,
                Some((t, bn, _)) => (&total * *bn).cmp(&(t * n)),
            };
            match order {
                std::cmp::Ordering::Less => {
                    best = Some((total, n, p));
                    tied = vec![p];
                }
                std::cmp::Ordering::Equal => tied.push(p),
                std::cmp::Ordering::Greater => {}
            }
        }
        if best.is_none() {
            tied = remaining.clone();
        }
        if tied.iter().any(|&p| prep.costs[p] > left) {
            break;
        }
        let Some(&p) = tied.iter().min_by(|&&a, &&b| prep.id(a).cmp(prep.id(b))) else {
            break;
        };
        selected.push(p);
        left -= prep.costs[p];
        remaining.retain(|&q| q != p);
        if let Some((total, n, _)) = best.filter(|b| b.2 == p) {
            // New load total / (n·D): rescale so it has the common denominator.
            let n = BigInt::from(n);
            let g = total.gcd(&n);
            let scale = &n / &g;
            if !scale.is_one() {
                loads.iter_mut().for_each(|l| *l *= &scale);
                denominator *= &scale;
            }
            loads.push(total / g);
            let k = loads.len() - 1;
            for row in counts.iter_mut() {
                row.resize(k + 1, 0);
            }
            for &(v, _) in &prep.supporters[p] {
                let old = class_of[v as usize] as usize;
                class_of[v as usize] = k as u32;
                for &(q, _) in &prep.ballots[v as usize] {
                    counts[q as usize][old] -= 1;
                    counts[q as usize][k] += 1;
                }
            }
        }
    }
    selected
}
