//! Tracking codes on the server: a fresh nonce from the operating system's CSPRNG for each
//! ballot; the encoding is shared with the kiosk (`youdecide_shared::codes`).

use rand::RngCore;

/// A new tracking code for a ballot.
pub fn new_code(ballot_id: &str, content: &str) -> String {
    let mut nonce = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    youdecide_shared::codes::tracking_code(ballot_id, content, &nonce)
}

/// Normalises what a resident types to the stored form; `None` if it cannot be a code.
pub fn normalise(raw: &str) -> Option<String> {
    youdecide_shared::codes::normalise_tracking(raw)
}
