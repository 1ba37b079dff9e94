//! Replays every input kept in `fuzz/corpus/<target>/` through the checks the fuzz targets
//! run, so the corpus is checked on the stable toolchain too: no input panics, and the seeds
//! that should be accepted still are.

mod hostile_input;

use std::path::{Path, PathBuf};
use youdecide_shared::sync::{self, Batch, KioskBallot, GENESIS};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn the_pabulib_corpus_never_panics_and_real_files_read() {
    let files = corpus("pabulib_parse");
    assert!(
        files.len() >= 5,
        "the corpus has only {} files",
        files.len()
    );
    for (path, bytes) in &files {
        hostile_input::pabulib_parse(bytes);
        let name = path.file_name().unwrap().to_string_lossy();
        if name.ends_with(".pb") {
            assert!(
                youdecide_shared::pabulib::read(&bytes[..]).is_ok(),
                "the real file {name} no longer reads"
            );
        }
    }
}

#[test]
fn the_sync_corpus_never_panics_and_seeds_decode() {
    let files = corpus("sync_batch");
    assert!(
        files.len() >= 4,
        "the corpus has only {} files",
        files.len()
    );
    let key = hostile_input::kiosk_key().verifying_key();
    for (path, bytes) in &files {
        hostile_input::sync_batch(bytes);
        let name = path.file_name().unwrap().to_string_lossy();
        if name.starts_with("signed-") {
            let batch = sync::decode_batch(bytes, &key, hostile_input::KIOSK)
                .unwrap_or_else(|e| panic!("the seed {name} is refused: {e}"));
            assert_eq!(batch.kiosk_id, hostile_input::KIOSK);
        }
    }
}

/// A linked chain of `n` ballots from record 1.
fn chain(n: u64) -> Vec<KioskBallot> {
    let mut prev = GENESIS.to_string();
    (1..=n)
        .map(|seq| {
            let b = KioskBallot {
                id: format!("0190f5d2-0000-7000-8000-{seq:012}"),
                seq,
                prev_hash: prev.clone(),
                round_id: "0190f5d2-1111-7000-8000-000000000001".into(),
                cast_at: "2027-03-05T12:00:00Z".into(),
                area: "central".into(),
                person: match seq % 3 {
                    0 => None,
                    1 => Some(format!("v1:{seq:064}")),
                    _ => Some(format!("c1:{seq:064}")),
                },
                choices: vec![("p-1".into(), 1), ("p-2".into(), seq as i64)],
                language: "en".into(),
                tracking_code: "AAAA-BBBB-CCCC-DDDD".into(),
                assisted: seq % 3 == 0,
            };
            prev = b.hash();
            b
        })
        .collect()
}

/// Writes the sync seeds into `fuzz/corpus/sync_batch/`: signed request bodies (`signed-*`)
/// and the batches' own bytes (`batch-*`). Run with `--ignored` after changing the messages.
#[test]
#[ignore]
fn write_sync_seeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/sync_batch");
    std::fs::create_dir_all(&dir).unwrap();
    let key = hostile_input::kiosk_key();
    for n in [0u64, 1, 3] {
        let batch = Batch {
            kiosk_id: hostile_input::KIOSK.into(),
            sent_at: "2027-03-05T12:01:00Z".into(),
            ballots: chain(n),
            pending_after: n,
        };
        let signed = serde_json::to_vec(&sync::sign(&batch, &key)).unwrap();
        std::fs::write(dir.join(format!("signed-{n}")), signed).unwrap();
        std::fs::write(
            dir.join(format!("batch-{n}")),
            serde_json::to_vec(&batch).unwrap(),
        )
        .unwrap();
    }
    // Records running past the largest sequence number (the chain check overflowed).
    let mut past = chain(2);
    past[0].seq = u64::MAX;
    past[1].seq = 0;
    past[1].prev_hash = past[0].hash();
    let batch = Batch {
        kiosk_id: hostile_input::KIOSK.into(),
        sent_at: "2027-03-05T12:01:00Z".into(),
        ballots: past,
        pending_after: 0,
    };
    std::fs::write(
        dir.join("batch-past-last-seq"),
        serde_json::to_vec(&batch).unwrap(),
    )
    .unwrap();
}
