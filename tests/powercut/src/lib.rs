//! A model of a power cut, preloaded (`LD_PRELOAD`) into a process under test.
//!
//! Every `fsync` or `fdatasync` of a file under the directory named by
//! `YOUDECIDE_POWERCUT_DIR` copies that file's current content into the same relative path
//! under `YOUDECIDE_POWERCUT_IMAGE` (only the 4 KiB blocks that changed since the last copy)
//! instead of asking the disk to flush. The image then holds each file exactly as the program
//! had made it durable: a test kills the process with SIGKILL and puts the image back in place
//! of the directory's files to see what a power cut would have left. A file never synced has
//! no image. Files outside the watched directory are synced as usual, as is everything when
//! the variables are not set. `YOUDECIDE_POWERCUT_SYNC_MS` makes each watched sync take that
//! long before the copy (a slow flash disk), so that a kill often lands while writes are made
//! but not yet durable.
//!
//! Built by the tests with `rustc` on its own (it has no dependencies) and loaded into the
//! real binaries; it is not linked into anything.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The directory whose files are watched.
pub const WATCH_ENV: &str = "YOUDECIDE_POWERCUT_DIR";
/// The directory that receives each watched file's durable image.
pub const IMAGE_ENV: &str = "YOUDECIDE_POWERCUT_IMAGE";
/// How many milliseconds a watched sync takes.
pub const SYNC_MS_ENV: &str = "YOUDECIDE_POWERCUT_SYNC_MS";
/// The unit of comparison and of writing to the image.
const BLOCK: usize = 4096;
/// `RTLD_NEXT` in glibc.
const RTLD_NEXT: *mut c_void = -1isize as *mut c_void;
/// `EIO`.
const EIO: c_int = 5;

extern "C" {
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    fn __errno_location() -> *mut c_int;
}

/// What the library knows: the two directories, and the image content it last wrote for each
/// file (so that a sync only compares in memory and writes the changed blocks).
struct Watch {
    dir: PathBuf,
    image: PathBuf,
    sync_time: std::time::Duration,
    held: HashMap<PathBuf, Vec<u8>>,
}

static WATCH: Mutex<Option<Option<Watch>>> = Mutex::new(None);

/// `fsync(2)`, with watched files copied to their image instead.
///
/// # Safety
/// Called by C code with any file descriptor, like the function it replaces.
#[no_mangle]
pub unsafe extern "C" fn fsync(fd: c_int) -> c_int {
    hooked(fd, c"fsync")
}

/// `fdatasync(2)`, with watched files copied to their image instead.
///
/// # Safety
/// Called by C code with any file descriptor, like the function it replaces.
#[no_mangle]
pub unsafe extern "C" fn fdatasync(fd: c_int) -> c_int {
    hooked(fd, c"fdatasync")
}

/// Copies a watched file to its image, or calls the C library's own function for any other.
unsafe fn hooked(fd: c_int, name: &CStr) -> c_int {
    match std::panic::catch_unwind(|| capture(fd)) {
        Ok(Ok(true)) => 0,
        Ok(Ok(false)) => real(fd, name),
        Ok(Err(e)) => {
            eprintln!("powercut: cannot keep the image of descriptor {fd}: {e}");
            *__errno_location() = EIO;
            -1
        }
        Err(_) => {
            *__errno_location() = EIO;
            -1
        }
    }
}

/// The next definition of `name` (the C library's).
unsafe fn real(fd: c_int, name: &CStr) -> c_int {
    let f = dlsym(RTLD_NEXT, name.as_ptr());
    if f.is_null() {
        *__errno_location() = EIO;
        return -1;
    }
    let f: unsafe extern "C" fn(c_int) -> c_int = std::mem::transmute(f);
    f(fd)
}

/// Updates the image of the file behind `fd` if it is watched; `Ok(false)` if it is not.
fn capture(fd: c_int) -> std::io::Result<bool> {
    let mut guard = WATCH
        .lock()
        .map_err(|_| std::io::Error::other("the image's lock was poisoned"))?;
    let watch = guard.get_or_insert_with(|| {
        let dir = std::env::var_os(WATCH_ENV)?;
        let image = std::env::var_os(IMAGE_ENV)?;
        let ms = std::env::var(SYNC_MS_ENV)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Some(Watch {
            dir: PathBuf::from(dir),
            image: PathBuf::from(image),
            sync_time: std::time::Duration::from_millis(ms),
            held: HashMap::new(),
        })
    });
    let Some(watch) = watch.as_mut() else {
        return Ok(false);
    };
    let link = format!("/proc/self/fd/{fd}");
    let path = std::fs::read_link(&link)?;
    let Ok(rel) = path.strip_prefix(&watch.dir) else {
        return Ok(false);
    };
    if rel.as_os_str().is_empty()
        || rel.to_string_lossy().ends_with(" (deleted)")
        || std::fs::metadata(&link)?.is_dir()
    {
        // A directory's entries count as durable once their files have been synced; a file
        // already removed has nothing left to keep.
        return Ok(true);
    }
    std::thread::sleep(watch.sync_time);
    let mut now = Vec::new();
    File::open(&link)?.read_to_end(&mut now)?;
    let target = watch.image.join(rel);
    let before = match watch.held.remove(rel) {
        Some(b) => b,
        None => std::fs::read(&target).unwrap_or_default(),
    };
    write_changes(&target, &before, &now)?;
    watch.held.insert(rel.to_path_buf(), now);
    Ok(true)
}

/// Brings the image at `target` from `before` to `now`, writing only the blocks that differ.
fn write_changes(target: &Path, before: &[u8], now: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(target)?;
    for (i, block) in now.chunks(BLOCK).enumerate() {
        let at = i * BLOCK;
        if before.get(at..at + block.len()) != Some(block) {
            file.write_all_at(block, at as u64)?;
        }
    }
    file.set_len(now.len() as u64)?;
    Ok(())
}
