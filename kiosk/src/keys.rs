//! The kiosk's ed25519 key pair: made on the kiosk at enrolment, kept in `DATA_DIR/kiosk.key`
//! (readable only by its owner); only the public key ever leaves the device.

use ed25519_dalek::SigningKey;
use rand::RngCore;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the key lives.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("kiosk.key")
}

/// Makes a new key and stores it; fails if one exists.
pub fn generate(data_dir: &Path) -> Result<SigningKey, String> {
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let key = SigningKey::from_bytes(&seed);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let file = path(data_dir);
    let mut f = opts
        .open(&file)
        .map_err(|e| format!("cannot create the key file {}: {e}", file.display()))?;
    f.write_all(hex::encode(seed).as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("cannot write the key file {}: {e}", file.display()))?;
    Ok(key)
}

/// Loads the stored key.
pub fn load(data_dir: &Path) -> Result<SigningKey, String> {
    let file = path(data_dir);
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("cannot read the key file {}: {e}", file.display()))?;
    let seed: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| format!("the key file {} is damaged", file.display()))?;
    Ok(SigningKey::from_bytes(&seed))
}
