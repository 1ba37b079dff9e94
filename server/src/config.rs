//! Typed configuration, built once from the command line and environment and passed in
//! explicitly: where to listen, where the data lives, and which database to use.

use std::fmt;
use std::path::{Path, PathBuf};

/// Default address the server listens on.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Default data directory.
pub const DEFAULT_DATA_DIR: &str = "./data";

/// Which database to use.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An embedded SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://…`).
    Postgres(String),
}

impl DatabaseUrl {
    /// `postgres://` or `postgresql://` selects PostgreSQL; anything else is a SQLite path;
    /// no URL at all means `DATA_DIR/youdecide.db`.
    pub fn resolve(url: Option<&str>, data_dir: &Path) -> Self {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                DatabaseUrl::Postgres(u.to_string())
            }
            Some(u) => DatabaseUrl::Sqlite(PathBuf::from(u.strip_prefix("sqlite://").unwrap_or(u))),
            None => DatabaseUrl::Sqlite(data_dir.join("youdecide.db")),
        }
    }

    /// A short name for logs and messages.
    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "SQLite",
            DatabaseUrl::Postgres(_) => "PostgreSQL",
        }
    }
}

/// Shows the URL with any password replaced, so it is safe to log or print.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(p) => write!(f, "{}", p.display()),
            DatabaseUrl::Postgres(u) => f.write_str(&redact_password(u)),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// Replaces the password part of `scheme://user:password@host/…` with `***`.
pub fn redact_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:***{}",
            &url[..scheme_end],
            &authority[..colon],
            &rest[at..]
        ),
        _ => url.to_string(),
    }
}

/// Everything a command that touches data needs.
#[derive(Clone, Debug)]
pub struct DataConfig {
    /// The data directory (SQLite file, uploads).
    pub data_dir: PathBuf,
    /// The database.
    pub database: DatabaseUrl,
}

impl DataConfig {
    /// Builds the configuration from the (already merged) flag and environment values.
    pub fn new(data_dir: Option<PathBuf>, database_url: Option<&str>) -> Self {
        let data_dir = data_dir.unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let database = DatabaseUrl::resolve(database_url, &data_dir);
        DataConfig { data_dir, database }
    }
}

/// The configuration of a running HTTP server.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Address to listen on, e.g. `127.0.0.1:8080` (port 0 picks a free port).
    pub bind: String,
    /// Data and database.
    pub data: DataConfig,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_select_postgres() {
        let d = Path::new("/d");
        assert!(matches!(
            DatabaseUrl::resolve(Some("postgres://u@h/db"), d),
            DatabaseUrl::Postgres(_)
        ));
        assert!(matches!(
            DatabaseUrl::resolve(Some("postgresql://u@h/db"), d),
            DatabaseUrl::Postgres(_)
        ));
        assert_eq!(
            DatabaseUrl::resolve(Some("x.db"), d),
            DatabaseUrl::Sqlite("x.db".into())
        );
        assert_eq!(
            DatabaseUrl::resolve(None, d),
            DatabaseUrl::Sqlite("/d/youdecide.db".into())
        );
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_password("postgres://yd:s3cret@db:5432/yd"),
            "postgres://yd:***@db:5432/yd"
        );
        assert_eq!(
            redact_password("postgres://yd@db/yd"),
            "postgres://yd@db/yd"
        );
        assert_eq!(redact_password("postgres://db/yd"), "postgres://db/yd");
    }
}
