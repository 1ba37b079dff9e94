//! Exact quantities that depend on each voter's starting budget, and how far that budget can
//! grow before any decision of a count changes.
//!
//! Equal Shares is run with every voter starting with `x / n`. Each budget, price and payment
//! in the run is then an affine function of `x` as long as the run makes the same decisions
//! (which project is chosen, who pays all they have). An [`Affine`] keeps the value at the
//! current `x` and the slope; a [`Horizon`] watches every comparison the run makes and
//! reports how many steps of `x` can be taken before one of them could change its result.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, Zero};
use std::cmp::Ordering;

/// `value + slope · (x − x₀)` over the run's common denominator, seen at `x₀`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Affine {
    /// The value at the current `x`.
    pub value: BigInt,
    /// The change per unit of `x`.
    pub slope: BigInt,
}

impl Affine {
    pub fn new(value: BigInt, slope: BigInt) -> Affine {
        Affine { value, slope }
    }

    /// Multiplies in place.
    pub fn scale(&mut self, by: &BigInt) {
        self.value *= by;
        self.slope *= by;
    }

    /// `self += other · k`.
    pub fn add_mul(&mut self, other: &Affine, k: u64) {
        self.value += &other.value * k;
        self.slope += &other.slope * k;
    }

    /// `self · k − other · l`, for comparing two ratios.
    pub fn cross(&self, k: &BigInt, other: &Affine, l: &BigInt) -> Affine {
        Affine {
            value: &self.value * k - &other.value * l,
            slope: &self.slope * k - &other.slope * l,
        }
    }

    /// The greatest common divisor of both parts and `n`.
    pub fn gcd_with(&self, n: &BigInt) -> BigInt {
        self.value.gcd(&self.slope).gcd(n)
    }

    /// Exact division (the divisor divides both parts).
    pub fn div_exact(&self, d: &BigInt) -> Affine {
        Affine {
            value: &self.value / d,
            slope: &self.slope / d,
        }
    }
}

/// How many steps of `x` keep every watched comparison's result.
#[derive(Debug, Clone)]
pub(crate) struct Horizon {
    /// How much `x` grows per step.
    step: BigInt,
    /// The fewest steps after which a watched comparison may change, times `step`.
    limit: Option<BigInt>,
    /// Whether comparisons are watched at all.
    on: bool,
}

impl Horizon {
    /// A horizon for steps of `step`; `on: false` watches nothing.
    pub fn new(step: BigInt, on: bool) -> Horizon {
        Horizon {
            step,
            limit: None,
            on,
        }
    }

    /// Whether watching can still shorten the horizon.
    pub fn watching(&self) -> bool {
        self.on
    }

    /// Watches the sign of `f`: positive, zero or negative now, it must stay so.
    pub fn watch(&mut self, f: &Affine) {
        if !self.on || f.slope.is_zero() {
            return;
        }
        let now = f.value.sign();
        if now == f.slope.sign() {
            return; // moving away from zero
        }
        if f.value.is_zero() {
            self.settle(self.step.clone());
            return;
        }
        let gap = f.value.abs();
        let rate = f.slope.abs();
        if let Some(limit) = &self.limit {
            if gap >= limit * &rate {
                return;
            }
        }
        // Steps until f reaches zero: ceil(gap / (rate · step)).
        let per_step = rate * &self.step;
        let (q, r) = gap.div_rem(&per_step);
        let steps = if r.is_zero() { q } else { q + 1u32 };
        self.settle(steps * &self.step);
    }

    fn settle(&mut self, limit: BigInt) {
        if limit <= self.step {
            self.on = false; // nothing can be shorter than one step
        }
        match &self.limit {
            Some(l) if l.cmp(&limit) != Ordering::Greater => {}
            _ => self.limit = Some(limit),
        }
    }

    /// How far `x` can grow with every decision unchanged, as a whole number of steps (at
    /// least one); `None` when nothing watched can ever change.
    pub fn steps(&self) -> Option<BigInt> {
        self.limit
            .as_ref()
            .map(|l| (l / &self.step).max(BigInt::from(1)))
    }
}
