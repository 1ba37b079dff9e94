//! The time to derive one self-declared voter key (argon2id, 19 MiB, 2 passes, 1 lane), the
//! work that bounds self-declared online voting: at best cores ÷ this time ballots per second.
//!
//! `cargo bench -p youdecide-shared --bench voter_key`

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use youdecide_shared::ballot::Identity;
use youdecide_shared::voter_key;

fn derive(c: &mut Criterion) {
    let mut n = 0u32;
    c.bench_function("voter key (argon2id)", |b| {
        b.iter(|| {
            n += 1;
            let identity = Identity::SelfDeclared {
                name: format!("resident number {n}"),
                date_of_birth: NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date"),
            };
            black_box(voter_key::derive(&identity, "round salt").expect("a key"))
        })
    });
}

/// One key on each core at once: the per-key time when every core derives keys, which is what
/// a busy server sees (the cores share the memory bandwidth argon2id needs).
fn derive_on_every_core(c: &mut Criterion) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    c.bench_function(&format!("{cores} voter keys at once, one per core"), |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                for t in 0..cores {
                    s.spawn(move || {
                        let identity = Identity::SelfDeclared {
                            name: format!("resident on core {t}"),
                            date_of_birth: NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date"),
                        };
                        black_box(voter_key::derive(&identity, "round salt").expect("a key"))
                    });
                }
            })
        })
    });
}

criterion_group!(benches, derive, derive_on_every_core);
criterion_main!(benches);
