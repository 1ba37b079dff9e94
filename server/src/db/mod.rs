//! The storage layer: one connection type over SQLite and PostgreSQL, a pool, and the
//! helpers that keep blocking database work off the async executor.
//!
//! Queries are written once and compiled for each backend by [`with_conn!`](crate::with_conn),
//! which matches on the connection and runs the same body with the concrete connection type.

pub mod migrations;

use crate::config::DatabaseUrl;
use crate::error::AppError;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use std::time::Duration;
use thiserror::Error;

/// A connection to either backend.
pub enum DbConn {
    /// The embedded SQLite database.
    Sqlite(SqliteConnection),
    /// A PostgreSQL server.
    Pg(PgConnection),
}

/// Why the database could not be opened.
#[derive(Debug, Error)]
pub enum OpenError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The connection failed.
    #[error("cannot open the {backend} database at {url}: {reason}")]
    Connect {
        /// SQLite or PostgreSQL.
        backend: &'static str,
        /// The URL, password redacted.
        url: String,
        /// The first line of the driver's message.
        reason: String,
    },
    /// A migration failed.
    #[error("cannot apply database migrations: {0}")]
    Migrate(String),
    /// The pool could not be built.
    #[error("cannot start the database pool: {0}")]
    Pool(String),
}

/// Settings applied to every SQLite connection: write-ahead log, durable commits, foreign keys,
/// a busy timeout so concurrent writers wait instead of failing, and deleted content
/// overwritten with zeros (so that erased voter keys do not linger in the file).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;";

impl DbConn {
    /// Opens one connection, creating the SQLite file's directory when needed.
    pub fn establish(url: &DatabaseUrl) -> Result<DbConn, OpenError> {
        let connect_err = |e: &dyn std::fmt::Display| OpenError::Connect {
            backend: url.backend_name(),
            url: url.to_string(),
            reason: first_line(&e.to_string()),
        };
        match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| OpenError::DataDir {
                        path: dir.display().to_string(),
                        source,
                    })?;
                }
                let path_str = path.to_str().ok_or_else(|| OpenError::Connect {
                    backend: "SQLite",
                    url: path.display().to_string(),
                    reason: "the path is not valid UTF-8".into(),
                })?;
                let mut conn =
                    SqliteConnection::establish(path_str).map_err(|e| connect_err(&e))?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(|e| connect_err(&e))?;
                Ok(DbConn::Sqlite(conn))
            }
            DatabaseUrl::Postgres(u) => {
                let conn = PgConnection::establish(u).map_err(|e| connect_err(&e))?;
                Ok(DbConn::Pg(conn))
            }
        }
    }

    /// Which backend this connection talks to.
    pub fn backend_name(&self) -> &'static str {
        match self {
            DbConn::Sqlite(_) => "SQLite",
            DbConn::Pg(_) => "PostgreSQL",
        }
    }

    /// On SQLite, copies the write-ahead log into the database file and empties it, so that
    /// earlier versions of changed rows no longer remain in the log; nothing on PostgreSQL.
    pub fn checkpoint_wal(&mut self) -> Result<(), diesel::result::Error> {
        match self {
            DbConn::Sqlite(c) => c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);"),
            DbConn::Pg(_) => Ok(()),
        }
    }

    /// A trivial query, used by `/readyz` and the pool's health check.
    pub fn ping(&mut self) -> Result<(), diesel::result::Error> {
        let q = diesel::sql_query("SELECT 1");
        match self {
            DbConn::Sqlite(c) => q.execute(c).map(|_| ()),
            DbConn::Pg(c) => q.execute(c).map(|_| ()),
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("unknown error")
        .to_string()
}

/// Runs `$body` with `$c` bound to the concrete connection of either backend, so that one
/// query text is compiled for both. Wrap several statements in [`DbConn::write`] to make them
/// one transaction.
#[macro_export]
macro_rules! with_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Pg($c) => $body,
        }
    };
}

impl DbConn {
    /// Runs `f` in a write transaction: `BEGIN IMMEDIATE` on SQLite (so concurrent writers
    /// queue on the busy timeout rather than fail), a savepoint when already inside one. An
    /// error from `f` rolls everything back.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&mut DbConn) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let outermost = with_conn!(self, |c| {
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()
        })?
        .is_none();
        match self {
            DbConn::Sqlite(c) if outermost => {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
            }
            DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction(c)?,
            DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
        }
        match f(self) {
            Ok(v) => {
                with_conn!(self, |c| AnsiTransactionManager::commit_transaction(c))?;
                Ok(v)
            }
            Err(e) => {
                if let Err(rb) =
                    with_conn!(self, |c| AnsiTransactionManager::rollback_transaction(c))
                {
                    tracing::error!(error = %rb, "rollback failed");
                }
                Err(e)
            }
        }
    }
}

/// Opens pooled connections for the pool.
#[derive(Debug)]
pub struct ConnManager {
    url: DatabaseUrl,
}

/// The pool's error type: the reason a connection could not be opened.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct PoolConnectError(String);

impl r2d2::ManageConnection for ConnManager {
    type Connection = DbConn;
    type Error = PoolConnectError;

    fn connect(&self) -> Result<DbConn, PoolConnectError> {
        DbConn::establish(&self.url).map_err(|e| PoolConnectError(e.to_string()))
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), PoolConnectError> {
        conn.ping().map_err(|e| PoolConnectError(e.to_string()))
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// The database handle shared by request handlers: a pool of connections of one backend.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<ConnManager>,
    url: DatabaseUrl,
    writers: std::sync::Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({})", self.url)
    }
}

impl Db {
    /// Connects, applies pending migrations, and builds the pool.
    pub fn open(url: &DatabaseUrl) -> Result<Db, OpenError> {
        let mut first = DbConn::establish(url)?;
        migrations::run_pending(&mut first).map_err(|e| OpenError::Migrate(e.to_string()))?;
        drop(first);
        let size = match url {
            DatabaseUrl::Sqlite(_) => 8,
            DatabaseUrl::Postgres(_) => 16,
        };
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(ConnManager { url: url.clone() })
            .map_err(|e| OpenError::Pool(e.to_string()))?;
        // SQLite has one writer at a time: a second one would wait in SQLite's busy handler,
        // which sleeps up to 100 ms between tries; queueing here hands the lock on at once.
        let writers = match url {
            DatabaseUrl::Sqlite(_) => 1,
            DatabaseUrl::Postgres(_) => size as usize / 2,
        };
        Ok(Db {
            pool,
            url: url.clone(),
            writers: std::sync::Arc::new(tokio::sync::Semaphore::new(writers)),
        })
    }

    /// The database this handle points at (password redacted when displayed).
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// Takes a connection for synchronous use (command-line tools, tests).
    pub fn get(&self) -> Result<r2d2::PooledConnection<ConnManager>, AppError> {
        Ok(self.pool.get()?)
    }

    /// Checks that the database answers within `timeout`; returns the backend's name.
    pub async fn ready(&self, timeout: Duration) -> Result<&'static str, AppError> {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get_timeout(timeout)?;
            conn.ping()
                .map_err(|e| AppError::Unavailable(e.to_string()))?;
            Ok(conn.backend_name())
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
    }

    /// Runs long blocking write work (e.g. a kiosk's batch) like [`Db::run`], taking turns
    /// with other such work: one at a time on SQLite, a few at a time on PostgreSQL. Bounds the
    /// memory and threads held by work that would only wait for the database's write lock.
    pub async fn run_write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let _turn = self
            .writers
            .acquire()
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("write queue closed: {e}")))?;
        self.run(f).await
    }

    /// Runs blocking database work on the blocking thread pool, never on the async executor.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
    }
}
