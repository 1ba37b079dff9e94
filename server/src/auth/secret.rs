//! Random secrets (session ids, API tokens, CSRF tokens) and their one-way hashes. These are
//! high-entropy values, so a fast hash (SHA-256) is enough; passwords use argon2id instead.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes from the operating system's CSPRNG, as lower-case hex.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// SHA-256 of a secret, as lower-case hex: what the database stores.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two secrets in constant time.
pub fn equal(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}
