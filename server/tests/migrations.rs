//! Every migration runs up, down and up again, on SQLite and on PostgreSQL.

use youdecide_server::config::DatabaseUrl;
use youdecide_server::db::{migrations, DbConn};
use youdecide_tests::{on_both_backends, Backend, TestDb};

on_both_backends!(migrations_run_up_down_up);

fn table_count(conn: &mut DbConn) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let q = match conn {
        DbConn::Sqlite(_) => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'"
        }
        DbConn::Pg(_) => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' \
             AND table_name <> '__diesel_schema_migrations'"
        }
    };
    let r: N = youdecide_server::with_conn!(conn, |c| diesel::sql_query(q).get_result(c)).unwrap();
    r.n
}

fn migrations_run_up_down_up(backend: Backend) {
    let db = TestDb::new(backend);
    let url = DatabaseUrl::resolve(Some(&db.url), db.data_dir());
    let mut conn = DbConn::establish(&url).unwrap();
    let up = migrations::run_pending(&mut conn).unwrap();
    assert!(!up.is_empty());
    let tables = table_count(&mut conn);
    assert!(tables >= 6, "{tables} tables after the migrations");
    let down = migrations::revert_all(&mut conn).unwrap();
    assert_eq!(down.len(), up.len());
    assert_eq!(
        table_count(&mut conn),
        0,
        "down.sql must remove every table"
    );
    assert!(migrations::applied(&mut conn).unwrap().is_empty());
    let again = migrations::run_pending(&mut conn).unwrap();
    assert_eq!(again, up);
    assert_eq!(table_count(&mut conn), tables);
}
