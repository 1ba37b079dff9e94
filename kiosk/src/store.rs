//! The kiosk's local SQLite store: write-ahead log with `synchronous = FULL`, so a ballot
//! confirmed to a voter survives a power cut; migrations embedded and applied on open.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The kiosk's migrations.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/kiosk-sqlite");

/// The store's file name inside the data directory.
pub const FILE_NAME: &str = "kiosk.db";

diesel::table! {
    settings (name) {
        name -> Text,
        value -> Text,
    }
}

/// Why the store could not be used.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The data directory could not be created or written.
    #[error("cannot use data directory {path}: {reason}")]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        reason: String,
    },
    /// SQLite refused to open the file.
    #[error("cannot open the kiosk store {path}: {reason}")]
    Open {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A migration failed.
    #[error("cannot update the kiosk store's schema: {0}")]
    Migrate(String),
    /// A query failed.
    #[error("kiosk store error: {0}")]
    Query(#[from] diesel::result::Error),
}

/// The open store.
pub struct Store {
    conn: SqliteConnection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.path.display())
    }
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir` and applies pending migrations.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::DataDir {
            path: data_dir.display().to_string(),
            reason: e.to_string(),
        })?;
        let path = data_dir.join(FILE_NAME);
        let open_err = |reason: String| StoreError::Open {
            path: path.display().to_string(),
            reason,
        };
        let path_str = path
            .to_str()
            .ok_or_else(|| open_err("the path is not valid UTF-8".into()))?;
        let mut conn =
            SqliteConnection::establish(path_str).map_err(|e| open_err(e.to_string()))?;
        conn.batch_execute(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
             PRAGMA busy_timeout = 10000;",
        )
        .map_err(|e| open_err(e.to_string()))?;
        conn.run_pending_migrations(MIGRATIONS)
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(Store { conn, path })
    }

    /// The underlying connection.
    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }

    /// Reads a setting.
    pub fn setting(&mut self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(settings::table
            .find(name)
            .select(settings::value)
            .first(&mut self.conn)
            .optional()?)
    }

    /// Writes a setting.
    pub fn set_setting(&mut self, name: &str, value: &str) -> Result<(), StoreError> {
        diesel::replace_into(settings::table)
            .values((settings::name.eq(name), settings::value.eq(value)))
            .execute(&mut self.conn)?;
        Ok(())
    }

    /// Reverts every migration (used to check each `down.sql`).
    pub fn revert_all(&mut self) -> Result<(), StoreError> {
        self.conn
            .revert_all_migrations(MIGRATIONS)
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(())
    }

    /// Applies pending migrations.
    pub fn migrate(&mut self) -> Result<(), StoreError> {
        self.conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(())
    }

    /// Whether a table exists.
    pub fn has_table(&mut self, table: &str) -> Result<bool, StoreError> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let c: Count = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?",
        )
        .bind::<diesel::sql_types::Text, _>(table)
        .get_result(&mut self.conn)?;
        Ok(c.n > 0)
    }
}
