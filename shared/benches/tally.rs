//! Each rule on the largest Pabulib file in the test data, beside the time to parse it.
//!
//! `cargo bench -p youdecide-shared --bench tally`

use criterion::{criterion_group, criterion_main, Criterion};
use std::io::BufReader;
use std::path::PathBuf;
use std::time::Duration;
use youdecide_shared::tally::{tally, Election, Rule};

/// The largest file in `tests/data/pabulib`.
const FILE: &str = "Poland_Lodz_2022.pb";

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/pabulib")
        .join(FILE)
}

fn parse() -> Election {
    let file = std::fs::File::open(path()).expect("the benchmark file");
    Election::read_pabulib(BufReader::with_capacity(1 << 16, file))
        .expect("a valid file")
        .1
}

fn rules(c: &mut Criterion) {
    let mut group = c.benchmark_group(FILE);
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("parse", |b| b.iter(parse));
    let election = parse();
    for rule in Rule::ALL {
        if tally(&election, rule).is_err() {
            continue;
        }
        group.bench_function(format!("{rule}"), |b| b.iter(|| tally(&election, rule)));
        group.bench_function(format!("parse + {rule}"), |b| {
            b.iter(|| tally(&parse(), rule))
        });
    }
    group.finish();
}

criterion_group!(benches, rules);
criterion_main!(benches);
