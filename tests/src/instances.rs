//! More than one server on one database, and copies of a database: a second server process
//! on a running server's database (which it never drops), a fresh copy of a stopped server's
//! database (PostgreSQL from a template, SQLite by copying the file), and text queries.

use crate::{replace_db_name, spawn_server, Backend, TestDb, TestServer};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};

/// Starts another `youdecide-server serve` on `first`'s database, with a data directory of its
/// own. The database stays `first`'s: dropping the new server leaves it in place.
pub fn another_server(first: &TestServer) -> TestServer {
    let db = TestDb {
        backend: first.db.backend,
        url: first.db.url.clone(),
        dir: tempfile::tempdir().expect("temp dir"),
        pg: None,
    };
    let (child, url) = spawn_server(&db, "serve", "127.0.0.1:0");
    let server = TestServer {
        url,
        db,
        child,
        subcommand: "serve".into(),
    };
    server.wait_ready();
    server
}

/// A new database holding a copy of `db`, removed when dropped. No server may be using `db`
/// (PostgreSQL copies only a database nobody is connected to): stop it with
/// [`TestServer::terminate`] first.
pub fn copy_db(db: &TestDb) -> TestDb {
    let copy = TestDb::empty(db.backend);
    match &copy.pg {
        None => {
            for suffix in ["", "-wal", "-shm"] {
                let from = format!("{}{suffix}", db.url);
                if std::path::Path::new(&from).exists() {
                    std::fs::copy(&from, format!("{}{suffix}", copy.url)).expect("copy SQLite");
                }
            }
        }
        Some((admin, name)) => {
            let (_, source) = db.pg.as_ref().expect("a PostgreSQL test database");
            let mut conn = PgConnection::establish(admin).expect("connect to PostgreSQL");
            diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {source}"))
                .execute(&mut conn)
                .expect("copy the test database");
        }
    }
    copy
}

impl TestDb {
    /// A name for a database that does not exist yet (PostgreSQL) or an empty directory
    /// (SQLite), removed when dropped.
    fn empty(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => TestDb {
                backend,
                url: dir.path().join("youdecide.db").display().to_string(),
                dir,
                pg: None,
            },
            Backend::Postgres => {
                let admin = crate::postgres_admin_url();
                let name = format!("yd_test_{}", uuid::Uuid::new_v4().simple());
                let url = replace_db_name(&admin, &name);
                TestDb {
                    backend,
                    url,
                    dir,
                    pg: Some((admin, name)),
                }
            }
        }
    }
}

/// Runs a query selecting one text column named `t` on a database; returns its values.
pub fn sql_texts(db: &TestDb, query: &str) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Text {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let q = diesel::sql_query(query);
    let rows: Vec<Text> = match db.backend {
        Backend::Sqlite => {
            let mut c = SqliteConnection::establish(&db.url).expect("open SQLite");
            q.load(&mut c).expect("text query")
        }
        Backend::Postgres => {
            let mut c = PgConnection::establish(&db.url).expect("open PostgreSQL");
            q.load(&mut c).expect("text query")
        }
    };
    rows.into_iter().map(|r| r.t).collect()
}
