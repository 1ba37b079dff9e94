//! The Method of Equal Shares, and its completion by raising every voter's budget.
//!
//! Every voter starts with an equal share of the budget. In each round, for every project its
//! supporters can still afford, the price ρ per unit of utility is the smallest at which the
//! supporters, each paying `min(what they have left, ρ · utility)`, cover the cost. The project
//! with the smallest ρ is chosen (ties by id) and its supporters pay. Utilities are the cost for
//! approval ballots and the points for cumulative ballots.
//!
//! Voters with the same budget left are kept together in classes, and all budgets share one
//! denominator, so a round costs in proportion to the chosen project's supporters and the
//! classes they fall in, and every value stays exact.

use super::affine::{Affine, Horizon};
use super::prepared::Prepared;
use super::{BallotKind, TallyError};
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use std::cmp::Ordering;
use std::collections::HashMap;

/// What stays the same between runs with different starting budgets.
struct Setup {
    /// Projects someone supports that cost nothing: chosen before anything else.
    free: Vec<usize>,
    /// Projects someone supports that cost something.
    candidates: Vec<usize>,
    /// Per project: utility per unit of weight (the cost for approval ballots, else 1).
    per_weight: Vec<BigInt>,
    /// Per project: total weight of its supporters.
    weight: Vec<u128>,
}

impl Setup {
    fn new(prep: &Prepared) -> Setup {
        let m = prep.costs.len();
        let weight: Vec<u128> = prep
            .supporters
            .iter()
            .map(|s| s.iter().map(|&(_, w)| u128::from(w)).sum())
            .collect();
        let mut free: Vec<usize> = (0..m)
            .filter(|&p| weight[p] > 0 && prep.costs[p] == 0)
            .collect();
        free.sort_by(|&a, &b| prep.id(a).cmp(prep.id(b)));
        let approval = prep.election.kind == BallotKind::Approval;
        Setup {
            free,
            candidates: (0..m)
                .filter(|&p| weight[p] > 0 && prep.costs[p] > 0)
                .collect(),
            per_weight: prep
                .costs
                .iter()
                .map(|&c| BigInt::from(if approval { c } else { 1 }))
                .collect(),
            weight,
        }
    }
}

/// Equal Shares with each voter starting with budget / voters.
pub(crate) fn plain(prep: &Prepared) -> Vec<usize> {
    let setup = Setup::new(prep);
    run(prep, &setup, &BigInt::from(prep.budget), None).0
}

/// Equal Shares with Add1 completion: every voter's budget is raised by one currency unit at a
/// time until the outcome is exhaustive (nothing more that anyone supports fits) or costs more
/// than the budget; the last outcome within the budget is kept. Starting budgets that provably
/// lead to the same outcome as the one before are not run again.
pub(crate) fn completed(prep: &Prepared) -> Result<Vec<usize>, TallyError> {
    let setup = Setup::new(prep);
    if prep.voters == 0 {
        return Ok(setup.free);
    }
    let step = BigInt::from(prep.unit) * prep.voters;
    let mut x = BigInt::from(prep.budget);
    let mut previous = setup.free.clone();
    loop {
        let (outcome, steps) = run(prep, &setup, &x, Some(&step));
        if prep.cost_of(&outcome) > prep.budget {
            return Ok(previous);
        }
        if prep.exhaustive(&outcome, setup.candidates.iter().copied()) {
            return Ok(outcome);
        }
        match steps {
            Some(steps) => x += steps * &step,
            // No budget, however large, changes this outcome.
            None => return Ok(outcome),
        }
        previous = outcome;
    }
}

/// Voters with the same budget left, as an affine function of the starting budget.
struct Classes {
    values: Vec<Affine>,
    members: Vec<u32>,
    free_slots: Vec<u32>,
}

impl Classes {
    fn add(&mut self, value: Affine) -> u32 {
        if let Some(slot) = self.free_slots.pop() {
            self.values[slot as usize] = value;
            self.members[slot as usize] = 0;
            slot
        } else {
            self.values.push(value);
            self.members.push(0);
            (self.values.len() - 1) as u32
        }
    }

    fn leave(&mut self, class: u32) {
        let m = &mut self.members[class as usize];
        *m -= 1;
        if *m == 0 && class != 0 {
            self.free_slots.push(class);
            self.values[class as usize] = Affine::default();
        }
    }
}

/// Supporters of one project in one class with one weight.
#[derive(Clone, Copy)]
struct Group {
    class: u32,
    weight: u64,
    count: u64,
}

/// A project's price this round: ρ = `numerator` / (`divisor` · D).
struct Price {
    numerator: Affine,
    divisor: BigInt,
    /// Total weight of the supporters who pay ρ·weight rather than all they have.
    rich_weight: BigInt,
}

impl Price {
    fn cmp_at(&self, other: &Price) -> Ordering {
        (&self.numerator.value * &other.divisor).cmp(&(&other.numerator.value * &self.divisor))
    }

    /// Positive while `self` is dearer than `other`.
    fn gap(&self, other: &Price) -> Affine {
        self.numerator
            .cross(&other.divisor, &other.numerator, &self.divisor)
    }
}

/// One run of Equal Shares with every voter starting with `x` / voters. Returns the projects
/// chosen, in order, and (when `step` is given) for how many steps of `step` added to `x` the
/// run would make exactly the same decisions.
fn run(
    prep: &Prepared,
    setup: &Setup,
    x: &BigInt,
    step: Option<&BigInt>,
) -> (Vec<usize>, Option<BigInt>) {
    let mut horizon = Horizon::new(step.cloned().unwrap_or_else(BigInt::one), step.is_some());
    let mut selected = setup.free.clone();
    if prep.voters == 0 {
        return (selected, None);
    }
    let mut denominator = BigInt::from(prep.voters);
    let mut classes = Classes {
        values: vec![Affine::default(), Affine::new(x.clone(), BigInt::one())],
        members: vec![0, prep.voters as u32],
        free_slots: Vec::new(),
    };
    let mut class_of = vec![1u32; prep.voters];
    let cumulative = prep.election.kind == BallotKind::Cumulative;
    // Every project's last known price, a lower bound on its price now: budgets only fall.
    let mut stale: HashMap<usize, Price> = setup
        .candidates
        .iter()
        .map(|&p| {
            let w = BigInt::from(setup.weight[p]);
            let cd = BigInt::from(prep.costs[p]) * &denominator;
            let price = Price {
                numerator: Affine::new(cd, BigInt::zero()),
                divisor: &w * &setup.per_weight[p],
                rich_weight: w,
            };
            (p, price)
        })
        .collect();
    let mut remaining = setup.candidates.clone();
    let mut scratch = vec![0u64; 2];
    loop {
        remaining.sort_by(|&a, &b| {
            stale[&a]
                .cmp_at(&stale[&b])
                .then_with(|| prep.id(a).cmp(prep.id(b)))
        });
        let mut best: Option<(usize, Vec<Group>, usize)> = None;
        let mut computed: Vec<usize> = Vec::new();
        let mut dropped: Vec<usize> = Vec::new();
        let mut cut = remaining.len();
        for (i, &p) in remaining.iter().enumerate() {
            if let Some((b, _, _)) = &best {
                if stale[&p].cmp_at(&stale[b]) == Ordering::Greater {
                    cut = i;
                    break;
                }
            }
            let groups = gather(prep, p, &class_of, &classes, &mut scratch, cumulative);
            let cd = BigInt::from(prep.costs[p]) * &denominator;
            let mut total = Affine::default();
            for g in &groups {
                total.add_mul(&classes.values[g.class as usize], g.count);
            }
            total.value -= &cd;
            horizon.watch(&total);
            if total.value.is_negative() {
                dropped.push(p);
                continue;
            }
            let (price, poor) = price(&groups, &classes, cd, &setup.per_weight[p], &mut horizon);
            stale.insert(p, price);
            computed.push(p);
            let better = match &best {
                None => true,
                Some((b, _, _)) => match stale[&p].cmp_at(&stale[b]) {
                    Ordering::Less => true,
                    Ordering::Equal => prep.id(p) < prep.id(*b),
                    Ordering::Greater => false,
                },
            };
            if better {
                best = Some((p, groups, poor));
            }
        }
        let Some((chosen, groups, poor)) = best else {
            return (selected, horizon.steps());
        };
        if horizon.watching() {
            let b = &stale[&chosen];
            for &q in remaining[cut..].iter().chain(&computed) {
                if q != chosen {
                    horizon.watch(&stale[&q].gap(b));
                }
            }
        }
        remaining.retain(|&q| q != chosen && !dropped.contains(&q));
        selected.push(chosen);
        let price = stale
            .remove(&chosen)
            .expect("the chosen project has a price");
        pay(
            prep,
            chosen,
            &groups,
            poor,
            &price,
            &mut classes,
            &mut class_of,
            &mut denominator,
            &mut stale,
        );
    }
}

/// The supporters of `p` grouped by class and weight (voters with nothing left omitted), in
/// increasing order of budget per unit of weight.
fn gather(
    prep: &Prepared,
    p: usize,
    class_of: &[u32],
    classes: &Classes,
    scratch: &mut Vec<u64>,
    cumulative: bool,
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    if cumulative {
        let mut keys: Vec<(u32, u64)> = prep.supporters[p]
            .iter()
            .map(|&(v, w)| (class_of[v as usize], w))
            .filter(|&(c, _)| c != 0)
            .collect();
        keys.sort_unstable();
        for (class, weight) in keys {
            match groups.last_mut() {
                Some(g) if g.class == class && g.weight == weight => g.count += 1,
                _ => groups.push(Group {
                    class,
                    weight,
                    count: 1,
                }),
            }
        }
    } else {
        scratch.resize(classes.values.len(), 0);
        for &(v, _) in &prep.supporters[p] {
            let c = class_of[v as usize];
            if c != 0 {
                if scratch[c as usize] == 0 {
                    groups.push(Group {
                        class: c,
                        weight: 1,
                        count: 0,
                    });
                }
                scratch[c as usize] += 1;
            }
        }
        for g in &mut groups {
            g.count = scratch[g.class as usize];
            scratch[g.class as usize] = 0;
        }
    }
    groups.sort_by(|a, b| {
        let va = &classes.values[a.class as usize].value;
        let vb = &classes.values[b.class as usize].value;
        (va * b.weight).cmp(&(vb * a.weight))
    });
    groups
}

/// The price of a project its supporters can afford, and how many of its groups (from the
/// start) pay all they have. Watches every group's side of the price.
fn price(
    groups: &[Group],
    classes: &Classes,
    cost: BigInt,
    per_weight: &BigInt,
    horizon: &mut Horizon,
) -> (Price, usize) {
    let mut rich_weight: BigInt = groups
        .iter()
        .map(|g| BigInt::from(g.weight) * g.count)
        .sum();
    let mut numerator = Affine::new(cost, BigInt::zero());
    let mut poor = groups.len();
    for (i, g) in groups.iter().enumerate() {
        let v = &classes.values[g.class as usize];
        // Rich when (cost − paid) / rich_weight · weight ≤ budget.
        if &numerator.value * g.weight <= &v.value * &rich_weight {
            poor = i;
            break;
        }
        numerator.value -= &v.value * g.count;
        numerator.slope -= &v.slope * g.count;
        rich_weight -= BigInt::from(g.weight) * g.count;
    }
    if horizon.watching() {
        for g in groups {
            let v = &classes.values[g.class as usize];
            horizon.watch(&numerator.cross(&BigInt::from(g.weight), v, &rich_weight));
        }
    }
    let divisor = &rich_weight * per_weight;
    (
        Price {
            numerator,
            divisor,
            rich_weight,
        },
        poor,
    )
}

/// The supporters of the chosen project pay: the first `poor` groups all they have, the rest
/// the price times their weight. Rescales every value so the payments stay whole numbers.
#[allow(clippy::too_many_arguments)]
fn pay(
    prep: &Prepared,
    chosen: usize,
    groups: &[Group],
    poor: usize,
    price: &Price,
    classes: &mut Classes,
    class_of: &mut [u32],
    denominator: &mut BigInt,
    stale: &mut HashMap<usize, Price>,
) {
    // Each unit of weight pays numerator / rich_weight (over D): rescale D by rich_weight / g.
    let g = price.numerator.gcd_with(&price.rich_weight);
    let scale = &price.rich_weight / &g;
    let per_unit = price.numerator.div_exact(&g);
    if !scale.is_one() {
        *denominator *= &scale;
        for (v, &m) in classes.values.iter_mut().zip(&classes.members) {
            if m > 0 {
                v.scale(&scale);
            }
        }
        for s in stale.values_mut() {
            s.numerator.scale(&scale);
        }
    }
    let mut next: HashMap<(u32, u64), u32> = HashMap::with_capacity(groups.len());
    for (i, g) in groups.iter().enumerate() {
        let class = if i < poor {
            0
        } else {
            let mut left = classes.values[g.class as usize].clone();
            left.value -= &per_unit.value * g.weight;
            left.slope -= &per_unit.slope * g.weight;
            classes.add(left)
        };
        next.insert((g.class, g.weight), class);
    }
    for &(v, w) in &prep.supporters[chosen] {
        let old = class_of[v as usize];
        if old == 0 {
            continue;
        }
        let new = next[&(old, w)];
        class_of[v as usize] = new;
        classes.members[new as usize] += 1;
        classes.leave(old);
    }
}
