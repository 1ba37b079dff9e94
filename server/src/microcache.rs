//! A short-lived in-memory copy of things that do not change, or change rarely, and that a
//! crowd asks for at once: the published results (frozen once published) and the definition of
//! an open round (only a draft can change its rules, areas and projects).
//!
//! Entries live for a few seconds only: long enough to absorb a crowd, short enough that a
//! change made through another server instance (a new monitoring baseline) shows within
//! seconds. This instance's own changes clear the cache. Whatever must be exact at the moment
//! of writing (an open round still being open) is checked again where it is written.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long an entry is served before it is built again.
const TTL: Duration = Duration::from_secs(5);
/// At most this many entries; the cache is emptied when full (a few rounds are read at once).
const CAPACITY: usize = 256;

type Entries = HashMap<String, (Instant, Arc<dyn std::any::Any + Send + Sync>)>;

fn entries() -> &'static Mutex<Entries> {
    static ENTRIES: OnceLock<Mutex<Entries>> = OnceLock::new();
    ENTRIES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The fresh entry under `key`, if any, of type `T`.
pub fn get<T: Send + Sync + 'static>(key: &str) -> Option<Arc<T>> {
    let map = entries().lock().ok()?;
    let (at, value) = map.get(key)?;
    if at.elapsed() > TTL {
        return None;
    }
    value.clone().downcast::<T>().ok()
}

/// Keeps `value` under `key` for a few seconds.
pub fn put<T: Send + Sync + 'static>(key: String, value: Arc<T>) {
    if let Ok(mut map) = entries().lock() {
        if map.len() >= CAPACITY {
            map.retain(|_, (at, _)| at.elapsed() <= TTL);
            if map.len() >= CAPACITY {
                map.clear();
            }
        }
        map.insert(key, (Instant::now(), value));
    }
}

/// Forgets everything (after a change that published results are built from).
pub fn clear() {
    if let Ok(mut map) = entries().lock() {
        map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_typed_and_cleared() {
        put("k-typed".into(), Arc::new(7u32));
        assert_eq!(get::<u32>("k-typed").as_deref(), Some(&7));
        assert!(get::<String>("k-typed").is_none());
        assert!(get::<u32>("k-absent").is_none());
        clear();
        assert!(get::<u32>("k-typed").is_none());
    }
}
