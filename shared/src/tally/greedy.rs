//! Greedy by support: projects with support and no cost first, then by descending support, ties
//! by id; each project is funded if it still fits in what is left of the budget.

use super::prepared::Prepared;

/// The order greedy considers projects in.
pub(crate) fn order(prep: &Prepared) -> Vec<usize> {
    let mut order: Vec<usize> = (0..prep.costs.len()).collect();
    // Free projects that someone supports come first (infinite support per unit of cost).
    let free = |p: usize| prep.support[p] > 0 && prep.costs[p] == 0;
    order.sort_by(|&a, &b| {
        free(b)
            .cmp(&free(a))
            .then(prep.support[b].cmp(&prep.support[a]))
            .then_with(|| prep.id(a).cmp(prep.id(b)))
    });
    order
}

/// Starting from `selected` (kept, in its order), adds every project that still fits, in
/// greedy order.
pub(crate) fn fill(prep: &Prepared, mut selected: Vec<usize>) -> Vec<usize> {
    let mut chosen = vec![false; prep.costs.len()];
    selected.iter().for_each(|&p| chosen[p] = true);
    let mut left = prep.budget.saturating_sub(prep.cost_of(&selected));
    for p in order(prep) {
        if !chosen[p] && prep.costs[p] <= left {
            left -= prep.costs[p];
            chosen[p] = true;
            selected.push(p);
        }
    }
    selected
}
