//! Voter keys: argon2id over a person's normalised name and date of birth with the round's own
//! salt. The same person gets the same key at every kiosk and online; the name and date of
//! birth are never stored, and a leaked database reveals who voted only through an expensive
//! search per guess.

use crate::ballot::Identity;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use sha2::{Digest, Sha256};
use std::sync::Mutex;
use thiserror::Error;

/// argon2id working memory, reused between keys: allocating 19 MiB for every key leaves the
/// allocator holding that much per thread long after it is freed.
static SCRATCH: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Runs `f` with a scratch buffer of `blocks` blocks from the pool (or a new one).
fn with_scratch<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    let taken = SCRATCH.lock().ok().and_then(|mut pool| pool.pop());
    let mut buf = taken
        .filter(|b| b.len() == blocks)
        .unwrap_or_else(|| vec![Block::default(); blocks]);
    let out = f(&mut buf);
    if let Ok(mut pool) = SCRATCH.lock() {
        if pool.len() < 8 {
            pool.push(buf);
        }
    }
    out
}

/// argon2id memory in KiB (19 MiB, the OWASP recommendation).
pub const MEMORY_KIB: u32 = 19 * 1024;
/// argon2id passes.
pub const ITERATIONS: u32 = 2;
/// argon2id lanes.
pub const LANES: u32 = 1;

/// The key could not be derived (bad salt).
#[derive(Debug, Error)]
#[error("cannot derive a voter key: {0}")]
pub struct VoterKeyError(String);

/// The person's key for one round (hex), or `None` for attended ballots, which carry no
/// identity. Voting codes are keyed by a SHA-256 of the round salt and the code, so a code
/// reused at two kiosks meets itself.
pub fn derive(identity: &Identity, round_salt: &str) -> Result<Option<String>, VoterKeyError> {
    match identity {
        Identity::SelfDeclared {
            name,
            date_of_birth,
        } => {
            let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, Some(32))
                .map_err(|e| VoterKeyError(e.to_string()))?;
            let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
            let input = format!("{name}\u{1f}{date_of_birth}");
            let salt = Sha256::digest(format!("youdecide voter key\u{1f}{round_salt}"));
            let mut out = [0u8; 32];
            with_scratch(params.block_count(), |blocks| {
                argon.hash_password_into_with_memory(input.as_bytes(), &salt, &mut out, blocks)
            })
            .map_err(|e| VoterKeyError(e.to_string()))?;
            Ok(Some(format!("v1:{}", hex(&out))))
        }
        Identity::Code(code) => Ok(Some(format!("c1:{}", code_hash(code, round_salt)))),
        Identity::Attended => Ok(None),
    }
}

/// The stored form of a voting code for a round (codes themselves are never stored).
pub fn code_hash(normalised_code: &str, round_salt: &str) -> String {
    hex(&Sha256::digest(format!(
        "youdecide voting code\u{1f}{round_salt}\u{1f}{normalised_code}"
    )))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn jane() -> Identity {
        Identity::SelfDeclared {
            name: "jane smith".into(),
            date_of_birth: NaiveDate::from_ymd_opt(1980, 4, 2).unwrap(),
        }
    }

    #[test]
    fn same_person_same_round_same_key() {
        let a = derive(&jane(), "salt-1").unwrap().unwrap();
        assert_eq!(a, derive(&jane(), "salt-1").unwrap().unwrap());
        assert_ne!(a, derive(&jane(), "salt-2").unwrap().unwrap());
        let other = Identity::SelfDeclared {
            name: "jane smyth".into(),
            date_of_birth: NaiveDate::from_ymd_opt(1980, 4, 2).unwrap(),
        };
        assert_ne!(a, derive(&other, "salt-1").unwrap().unwrap());
        assert!(a.starts_with("v1:") && a.len() == 3 + 64);
        assert!(!a.contains("jane"));
    }

    /// Kiosks and servers of different versions must derive the same key: this value was
    /// checked against an independent argon2id implementation (argon2-cffi's
    /// `hash_secret_raw` with the same inputs).
    #[test]
    fn known_answer() {
        let k = derive(&jane(), "salt-1").unwrap().unwrap();
        assert_eq!(
            k,
            "v1:1c43f0d13ff0fe779f6d597f4bb9e0c0fb59577366102fc549f3e42052933008"
        );
    }

    #[test]
    fn codes_and_attended() {
        let c = derive(&Identity::Code("ABCD".into()), "s")
            .unwrap()
            .unwrap();
        assert_eq!(c, format!("c1:{}", code_hash("ABCD", "s")));
        assert_eq!(derive(&Identity::Attended, "s").unwrap(), None);
    }
}
