//! Voting codes for poll cards: 13 Crockford base32 characters (65 bits from the operating
//! system's CSPRNG), printed in groups (`K3QF-9MXD-2TAW-B`). Only a hash keyed by the round's
//! salt is stored; a code is good for one counted ballot in its round.

use rand::RngCore;
use youdecide_shared::codes::{crockford, grouped};

/// How many codes one request may make.
pub const MAX_PER_REQUEST: u32 = 10_000;

/// A new plain code, grouped for reading.
pub fn new_code() -> String {
    let mut bytes = [0u8; 9];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let s = crockford(&bytes);
    grouped(&s[..13])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_carry_65_bits_in_groups() {
        let c = new_code();
        assert_eq!(c.replace('-', "").len(), 13);
        assert_eq!(youdecide_shared::ballot::normalise_code(&c).len(), 13);
        let many: std::collections::HashSet<String> = (0..1000).map(|_| new_code()).collect();
        assert_eq!(many.len(), 1000);
    }
}
