//! Tracking codes: printed on a resident's receipt so they can check their ballot's status.
//! Derived from the ballot's id and content with a random nonce, shown as four groups of four
//! Crockford base32 characters (`7KQ2-M9XD-3FTA-WB8C`, 80 bits).

use rand::RngCore;
use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Encodes bytes in Crockford base32 (no padding).
pub fn crockford(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
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

/// A new tracking code for a ballot.
pub fn new_code(ballot_id: &str, content: &str) -> String {
    let mut nonce = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let digest = Sha256::new()
        .chain_update(ballot_id.as_bytes())
        .chain_update([0x1f])
        .chain_update(content.as_bytes())
        .chain_update(nonce)
        .finalize();
    grouped(&crockford(&digest[..10]))
}

/// Normalises what a resident types (any case, spaces or hyphens, O for 0, I or L for 1) to the
/// stored form; `None` if it cannot be a tracking code.
pub fn normalise(raw: &str) -> Option<String> {
    let s: String = youdecide_shared::ballot::normalise_code(raw);
    (s.len() == 16 && s.bytes().all(|b| ALPHABET.contains(&b))).then(|| grouped(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_documented_shape() {
        let c = new_code("id", "content");
        assert_eq!(c.len(), 19);
        assert_eq!(c.matches('-').count(), 3);
        assert_ne!(c, new_code("id", "content"), "a nonce makes each code new");
        assert_eq!(normalise(&c.to_lowercase().replace('-', " ")).unwrap(), c);
        assert_eq!(normalise("short"), None);
        assert_eq!(crockford(&[0xff, 0xff]), "ZZZG");
    }
}
