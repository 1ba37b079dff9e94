//! A power cut for the real kiosk: the preload library in `tests/powercut` keeps each file of
//! the kiosk's data directory as of its last `fsync`; after a SIGKILL, [`PowerCut::cut`] puts
//! the data directory back the way a power cut could have left it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The preload library's variables (see `tests/powercut/src/lib.rs`).
pub const WATCH_ENV: &str = "YOUDECIDE_POWERCUT_DIR";
/// Where the library writes the durable images.
pub const IMAGE_ENV: &str = "YOUDECIDE_POWERCUT_IMAGE";
/// How long each watched sync takes, in milliseconds.
pub const SYNC_MS_ENV: &str = "YOUDECIDE_POWERCUT_SYNC_MS";
/// The time given to each sync: a slow flash disk, so that many cuts land while writes are
/// made but not yet durable.
pub const SYNC_MS: u32 = 5;
/// SQLite's shared-memory index beside a write-ahead log: never synced, rebuilt from the log.
const SHM_SUFFIX: &str = "-shm";
/// The block the model loses or keeps as a whole (the page size SQLite writes).
const BLOCK: usize = 4096;
/// Files in a data directory that belong to the test, not to the kiosk.
pub const NOT_THE_KIOSKS: &[&str] = &["kiosk.log"];

static BUILT: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Builds the preload library with `rustc` (once per test process, again when its source is
/// newer) beside the workspace's binaries; returns its path.
pub fn library() -> PathBuf {
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = built.as_ref() {
        return p.clone();
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = manifest.join("powercut/src/lib.rs");
    let dir = crate::bin("youdecide-kiosk")
        .parent()
        .expect("target directory")
        .join("powercut");
    std::fs::create_dir_all(&dir).expect("library directory");
    let lib = dir.join("libyoudecide_powercut.so");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&lib).is_none() || modified(&lib) < modified(&source) {
        let tmp = dir.join(format!("libyoudecide_powercut.{}.so", std::process::id()));
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let out = Command::new(rustc)
            .current_dir(manifest.parent().unwrap_or(manifest))
            .args([
                "--crate-type",
                "cdylib",
                "--crate-name",
                "youdecide_powercut",
                "--edition",
                "2021",
                "-C",
                "opt-level=2",
                "-o",
            ])
            .arg(&tmp)
            .arg(&source)
            .output()
            .expect("run rustc");
        assert!(
            out.status.success(),
            "building the power-cut library failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::rename(&tmp, &lib).expect("move the library into place");
    }
    *built = Some(lib.clone());
    lib
}

/// A small deterministic random source (xorshift64*), so that a run can be repeated from its
/// printed seed.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
    /// The seed it started from.
    pub seed: u64,
}

impl Rng {
    /// From `YOUDECIDE_RELIABILITY_SEED` if set, else from the clock.
    pub fn from_env_or_clock() -> Rng {
        let seed = std::env::var("YOUDECIDE_RELIABILITY_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
        Rng::new(seed)
    }

    /// From a seed.
    pub fn new(seed: u64) -> Rng {
        Rng {
            state: seed.max(1),
            seed,
        }
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// A coin toss.
    pub fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }
}

/// What one cut did to the data directory.
#[derive(Debug, Default, Clone, Copy)]
pub struct CutFigures {
    /// Files put back to their durable image (or removed, never synced).
    pub files: usize,
    /// 4 KiB blocks of the store and its log written since their file's last sync that the
    /// cut lost (the shared-memory index, never synced, is not counted).
    pub blocks_lost: usize,
    /// Such blocks that happened to reach the disk anyway (torn cuts only).
    pub blocks_kept: usize,
    /// Whether some unsynced blocks survived (a torn cut) rather than none.
    pub torn: bool,
}

/// A data directory watched by the preload library, with its durable image.
#[derive(Debug)]
pub struct PowerCut {
    /// The data directory, as the kernel names it.
    pub dir: PathBuf,
    /// The durable images.
    pub image: tempfile::TempDir,
}

impl PowerCut {
    /// Watches `dir`; its present content counts as durable (the kiosk that wrote it exited
    /// normally).
    pub fn new(dir: &Path) -> PowerCut {
        let cut = PowerCut {
            dir: dir.canonicalize().expect("data directory"),
            image: tempfile::tempdir().expect("image directory"),
        };
        for name in kiosk_files(&cut.dir) {
            std::fs::copy(cut.dir.join(&name), cut.image.path().join(&name)).expect("baseline");
        }
        cut
    }

    /// The environment that loads the library into a kiosk and points it at this directory.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("LD_PRELOAD".into(), library().display().to_string()),
            (WATCH_ENV.into(), self.dir.display().to_string()),
            (IMAGE_ENV.into(), self.image.path().display().to_string()),
            (SYNC_MS_ENV.into(), SYNC_MS.to_string()),
        ]
    }

    /// After the kiosk was killed: leaves each file as a power cut could have. A clean cut
    /// loses every write since the file's last sync; a torn cut (`torn`) keeps a random half of
    /// the unsynced 4 KiB blocks, and the file's unsynced length or its synced one, with zeros
    /// where a block was lost past the synced end. A file never synced is removed by a clean
    /// cut. A file the kiosk removed stays removed.
    pub fn cut(&self, rng: &mut Rng, torn: bool) -> CutFigures {
        let mut figures = CutFigures {
            torn,
            ..CutFigures::default()
        };
        let names = kiosk_files(&self.dir);
        for gone in kiosk_files(self.image.path()).difference(&names) {
            // Removed by the kiosk itself: a removal stays done (as on a journalling file
            // system, which writes metadata changes in order).
            let _ = std::fs::remove_file(self.image.path().join(gone));
        }
        for name in names {
            let path = self.dir.join(&name);
            let durable = std::fs::read(self.image.path().join(&name)).ok();
            let current = std::fs::read(&path).ok();
            figures.files += 1;
            let (result, lost, kept) = settle(durable.as_deref(), current.as_deref(), rng, torn);
            if !name.ends_with(SHM_SUFFIX) {
                figures.blocks_lost += lost;
                figures.blocks_kept += kept;
            }
            match result {
                Some(bytes) => std::fs::write(&path, bytes).expect("put the image back"),
                None => {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        figures
    }
}

/// One file after a cut: `(content or removed, blocks lost, unsynced blocks kept)`.
fn settle(
    durable: Option<&[u8]>,
    current: Option<&[u8]>,
    rng: &mut Rng,
    torn: bool,
) -> (Option<Vec<u8>>, usize, usize) {
    let base = durable.unwrap_or_default();
    let now = current.unwrap_or_default();
    let changed = |i: usize| block(base, i) != block(now, i);
    let blocks = base.len().max(now.len()).div_ceil(BLOCK);
    let unsynced = (0..blocks).filter(|&i| changed(i)).count();
    if !torn || (durable.is_none() && rng.coin()) {
        return (durable.map(<[u8]>::to_vec), unsynced, 0);
    }
    let len = if rng.coin() { base.len() } else { now.len() };
    let mut out = base.to_vec();
    out.resize(len, 0);
    let mut kept = 0;
    for i in 0..len.div_ceil(BLOCK) {
        if changed(i) && rng.coin() {
            let end = ((i + 1) * BLOCK).min(len);
            let from = block(now, i);
            let span = end - i * BLOCK;
            let mut b = from.to_vec();
            b.resize(span, 0);
            out[i * BLOCK..end].copy_from_slice(&b[..span]);
            kept += 1;
        }
    }
    (Some(out), unsynced - kept, kept)
}

fn block(bytes: &[u8], i: usize) -> &[u8] {
    let start = (i * BLOCK).min(bytes.len());
    let end = ((i + 1) * BLOCK).min(bytes.len());
    &bytes[start..end]
}

/// The kiosk's own files in a data directory (its store, write-ahead log, keys…).
pub fn kiosk_files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| !NOT_THE_KIOSKS.contains(&n.as_str()))
                .collect()
        })
        .unwrap_or_default()
}

/// Copies the kiosk's files of `from` into a fresh directory, to look at them without
/// disturbing the original (opening a store replays and may remove its write-ahead log).
pub fn snapshot(from: &Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().expect("snapshot directory");
    for name in kiosk_files(from) {
        std::fs::copy(from.join(&name), to.path().join(&name)).expect("copy a kiosk file");
    }
    to
}
