//! Project images: type- and size-checked uploads (PNG, JPEG or WebP, checked by their
//! contents, not just the declared type), stored under `DATA_DIR/images` with names the server
//! chooses, written atomically.

use crate::error::AppError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The largest image accepted.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// The kind of image, found from its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else {
        None
    }
}

/// Checks an upload; returns its content type and file extension.
pub fn check(bytes: &[u8], declared: &str) -> Result<(&'static str, &'static str), AppError> {
    if bytes.is_empty() {
        return Err(AppError::invalid(
            "invalid_image",
            "image: the upload is empty.",
        ));
    }
    if bytes.len() > MAX_BYTES {
        return Err(AppError::invalid(
            "invalid_image",
            "image: the file is larger than 2 MB. Use a smaller image.",
        ));
    }
    let (mime, ext) = sniff(bytes).ok_or_else(|| {
        AppError::invalid(
            "invalid_image",
            "image: the file is not a PNG, JPEG or WebP image.",
        )
    })?;
    let declared = declared.split(';').next().unwrap_or("").trim();
    if declared != mime && !(declared == "image/jpg" && mime == "image/jpeg") {
        return Err(AppError::invalid(
            "invalid_image",
            format!("image: the file is a {mime} image but was sent as \"{declared}\"."),
        ));
    }
    Ok((mime, ext))
}

/// The folder images are kept in.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("images")
}

/// Stores the bytes under a new random name; returns the name.
pub fn store(data_dir: &Path, bytes: &[u8], ext: &str) -> Result<String, AppError> {
    let dir = dir(data_dir);
    let io = |e: std::io::Error| AppError::Internal(anyhow::anyhow!("cannot store image: {e}"));
    std::fs::create_dir_all(&dir).map_err(io)?;
    let name = format!("{}.{ext}", uuid::Uuid::new_v4().simple());
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    std::fs::rename(&tmp, dir.join(&name)).map_err(io)?;
    Ok(name)
}

/// Reads a stored image (names are only ever the server's own).
pub fn read(data_dir: &Path, name: &str) -> Result<Vec<u8>, AppError> {
    if name.contains('/') || name.contains("..") {
        return Err(AppError::not_found("There is no such image."));
    }
    std::fs::read(dir(data_dir).join(name))
        .map_err(|_| AppError::not_found("There is no such image."))
}

/// Removes a stored image, ignoring one already gone.
pub fn remove(data_dir: &Path, name: &str) {
    if !name.contains('/') && !name.contains("..") {
        let _ = std::fs::remove_file(dir(data_dir).join(name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_recognised_by_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest").unwrap().0, "image/png");
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap().0, "image/jpeg");
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").unwrap().0, "image/webp");
        assert!(sniff(b"<svg onload=alert(1)>").is_none());
        assert!(check(b"GIF89a", "image/gif").is_err());
        assert!(check(b"\x89PNG\r\n\x1a\nrest", "image/jpeg").is_err());
        assert!(check(b"\x89PNG\r\n\x1a\nrest", "image/png").is_ok());
    }
}
