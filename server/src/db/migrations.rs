//! The embedded migrations, one folder per backend, applied at start-up and by `migrate`.

use super::DbConn;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// Migrations for the server's SQLite database.
pub const SQLITE: EmbeddedMigrations = embed_migrations!("../migrations/server-sqlite");
/// Migrations for the server's PostgreSQL database.
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("../migrations/server-postgres");

/// The error type of the migration harness.
pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration; returns the versions applied.
pub fn run_pending(conn: &mut DbConn) -> Result<Vec<String>, MigrationError> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE)?,
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES)?,
    };
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// Reverts every applied migration (used to check that each `down.sql` works).
pub fn revert_all(conn: &mut DbConn) -> Result<Vec<String>, MigrationError> {
    let reverted = match conn {
        DbConn::Sqlite(c) => c.revert_all_migrations(SQLITE)?,
        DbConn::Pg(c) => c.revert_all_migrations(POSTGRES)?,
    };
    Ok(reverted.iter().map(|v| v.to_string()).collect())
}

/// The versions currently applied.
pub fn applied(conn: &mut DbConn) -> Result<Vec<String>, MigrationError> {
    let versions = match conn {
        DbConn::Sqlite(c) => c.applied_migrations()?,
        DbConn::Pg(c) => c.applied_migrations()?,
    };
    Ok(versions.iter().map(|v| v.to_string()).collect())
}
