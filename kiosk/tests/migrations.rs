//! The kiosk store's migrations run up, down and up again, and the store opens durable.

use youdecide_kiosk::store::Store;

#[test]
fn migrations_run_up_down_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    assert!(store.has_table("settings").unwrap());
    store.set_setting("kiosk_id", "k1").unwrap();
    store.revert_all().unwrap();
    assert!(!store.has_table("settings").unwrap());
    store.migrate().unwrap();
    assert!(store.has_table("settings").unwrap());
    assert_eq!(store.setting("kiosk_id").unwrap(), None);
}

#[test]
fn store_uses_wal_and_full_sync() {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    #[derive(QueryableByName)]
    struct Sync {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        synchronous: i32,
    }
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let m: Mode = diesel::sql_query("PRAGMA journal_mode")
        .get_result(store.conn())
        .unwrap();
    assert_eq!(m.journal_mode, "wal");
    let s: Sync = diesel::sql_query("PRAGMA synchronous")
        .get_result(store.conn())
        .unwrap();
    assert_eq!(s.synchronous, 2, "synchronous must be FULL (2)");
}
