//! Inputs found to break the Pabulib reader or the decoding of a kiosk's batch, kept so they
//! stay fixed: each is refused with a reason, never a panic.

mod hostile_input;

use youdecide_shared::sync::{self, Batch, KioskBallot, SyncError, GENESIS};

fn ballot(seq: u64, prev_hash: String) -> KioskBallot {
    KioskBallot {
        id: format!("id-{seq}"),
        seq,
        prev_hash,
        round_id: "r".into(),
        cast_at: "2027-03-05T12:00:00Z".into(),
        area: "central".into(),
        person: None,
        choices: vec![("a".into(), 1)],
        language: "en".into(),
        tracking_code: "AAAA-BBBB-CCCC-DDDD".into(),
        assisted: false,
    }
}

#[test]
fn a_chain_past_the_last_sequence_number_is_refused() {
    let last = ballot(u64::MAX, GENESIS.into());
    let next = ballot(0, last.hash());
    let batch = Batch {
        kiosk_id: hostile_input::KIOSK.into(),
        sent_at: "2027-03-05T12:00:00Z".into(),
        ballots: vec![last, next],
        pending_after: 0,
    };
    let key = hostile_input::kiosk_key();
    let body = serde_json::to_vec(&sync::sign(&batch, &key)).unwrap();
    let refused = sync::decode_batch(&body, &key.verifying_key(), hostile_input::KIOSK);
    assert!(
        matches!(refused, Err(SyncError::BrokenChain { .. })),
        "{refused:?}"
    );
    hostile_input::sync_batch(&serde_json::to_vec(&batch).unwrap());
}
