//! Human-readable codes: Crockford base32 (no I, L, O or U, so nothing is misread), grouped in
//! fours. Used for tracking codes on receipts, voting codes and enrolment codes. Randomness is
//! handed in by the caller, so this stays pure.

use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Encodes bytes in Crockford base32 (no padding).
pub fn crockford(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = ((buf << 8) | u32::from(b)) & 0xFFFF;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Groups characters in fours with hyphens.
pub fn grouped(s: &str) -> String {
    s.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A ballot's tracking code (80 bits, `7KQ2-M9XD-3FTA-WB8C`) from its id, its content and a
/// random nonce.
pub fn tracking_code(ballot_id: &str, content: &str, nonce: &[u8; 16]) -> String {
    let digest = Sha256::new()
        .chain_update(ballot_id.as_bytes())
        .chain_update([0x1f])
        .chain_update(content.as_bytes())
        .chain_update(nonce)
        .finalize();
    grouped(&crockford(&digest[..10]))
}

/// Normalises a typed tracking code to the stored form; `None` if it cannot be one.
pub fn normalise_tracking(raw: &str) -> Option<String> {
    let s = crate::ballot::normalise_code(raw);
    (s.len() == 16 && s.bytes().all(|b| ALPHABET.contains(&b))).then(|| grouped(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_documented_shape() {
        let c = tracking_code("id", "content", &[1; 16]);
        assert_eq!(c.len(), 19);
        assert_eq!(c.matches('-').count(), 3);
        assert_ne!(c, tracking_code("id", "content", &[2; 16]));
        assert_eq!(
            normalise_tracking(&c.to_lowercase().replace('-', " ")).unwrap(),
            c
        );
        assert_eq!(normalise_tracking("short"), None);
        assert_eq!(crockford(&[0xff, 0xff]), "ZZZG");
        assert_eq!(crockford(&[0; 5]), "00000000");
    }
}
