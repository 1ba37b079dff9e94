//! One person, one counted ballot: the counted set does not depend on the order in which
//! ballots arrive, and exactly one ballot per person counts.

use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use youdecide_shared::ballot::{resolve, Cast};

fn casts() -> impl Strategy<Value = Vec<Cast>> {
    prop::collection::vec((0u8..6, 0i64..20, any::<bool>()), 0..40).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (person, t, attended))| Cast {
                id: format!("{:04}", (i * 7919) % 10_000),
                person: (!attended).then(|| format!("person-{person}")),
                cast_at: t,
            })
            .collect()
    })
}

fn outcome(casts: &[Cast]) -> HashMap<String, Option<String>> {
    casts
        .iter()
        .map(|c| c.id.clone())
        .zip(resolve(casts))
        .collect()
}

proptest! {
    #[test]
    fn order_does_not_matter(casts in casts(), seed in any::<u64>()) {
        let mut shuffled = casts.clone();
        // A deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(outcome(&casts), outcome(&shuffled));
    }

    #[test]
    fn one_counted_ballot_per_person(casts in casts()) {
        let result = resolve(&casts);
        let mut counted_people = HashSet::new();
        for (c, r) in casts.iter().zip(&result) {
            match (&c.person, r) {
                (Some(p), None) => prop_assert!(counted_people.insert(p.clone()), "two counted for {}", p),
                (Some(p), Some(winner)) => {
                    let w = casts.iter().find(|x| &x.id == winner).unwrap();
                    prop_assert_eq!(w.person.as_ref(), Some(p));
                    prop_assert!((w.cast_at, &w.id) < (c.cast_at, &c.id));
                }
                (None, r) => prop_assert!(r.is_none(), "attended ballots always count"),
            }
        }
        let people: HashSet<_> = casts.iter().filter_map(|c| c.person.clone()).collect();
        prop_assert_eq!(counted_people, people);
    }
}
