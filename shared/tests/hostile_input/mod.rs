//! What must hold for any bytes given to the Pabulib reader and to the decoding of a kiosk's
//! signed batch: no panic, and whatever is accepted survives a round trip. Shared by the fuzz
//! targets in `fuzz/` and by the test that replays their corpus.

#![allow(dead_code)]

use ed25519_dalek::{Signer, SigningKey};
use youdecide_shared::pabulib;
use youdecide_shared::sync::{self, SignedBatch};
use youdecide_shared::tally::Election;

/// The kiosk id the batches are checked against.
pub const KIOSK: &str = "0190f5d2-7c1e-7b2a-9d3e-4f5a6b7c8d9e";

/// The kiosk's signing key (fixed, so that seeds stay valid).
pub fn kiosk_key() -> SigningKey {
    SigningKey::from_bytes(&[42u8; 32])
}

/// Reads `data` as a Pabulib file; one that reads must write and read back the same, and
/// building an election from it (whole or streamed) must answer, not panic.
pub fn pabulib_parse(data: &[u8]) {
    let streamed = Election::read_pabulib(data);
    let Ok(first) = pabulib::read(data) else {
        assert!(
            streamed.is_err(),
            "the streaming reader accepted a refused file"
        );
        return;
    };
    let mut written = Vec::new();
    pabulib::write(&first, &mut written).expect("writing to memory cannot fail");
    let second = match pabulib::read(&written[..]) {
        Ok(second) => second,
        Err(e) => panic!("a file that was read and written again is refused: {e}"),
    };
    assert_eq!(first, second, "a file changed in a write and read");
    let whole = Election::from_pabulib(&first);
    match (&whole, &streamed) {
        (Ok(a), Ok((_, b))) => assert_eq!(a, b, "streaming built another election"),
        (Err(_), Err(_)) => {}
        _ => panic!("whole and streamed reading disagree: {whole:?} / {streamed:?}"),
    }
}

/// Decodes `data` as a request body carrying a signed batch, then signs `data` itself as a
/// batch's bytes with the kiosk's key and decodes that; an accepted batch, signed again,
/// must decode to the same batch.
pub fn sync_batch(data: &[u8]) {
    let key = kiosk_key();
    let verifying = key.verifying_key();
    let _ = sync::decode_batch(data, &verifying, KIOSK);
    let body = serde_json::to_vec(&SignedBatch {
        batch: hex::encode(data),
        signature: hex::encode(key.sign(data).to_bytes()),
    })
    .expect("an envelope always encodes");
    let Ok(batch) = sync::decode_batch(&body, &verifying, KIOSK) else {
        return;
    };
    let again = serde_json::to_vec(&sync::sign(&batch, &key)).expect("an envelope encodes");
    match sync::decode_batch(&again, &verifying, KIOSK) {
        Ok(decoded) => assert_eq!(decoded, batch, "a batch changed when signed again"),
        Err(e) => panic!("an accepted batch is refused when signed again: {e}"),
    }
}
