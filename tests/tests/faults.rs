//! Faults the server must report rather than hide.

use youdecide_tests::{Backend, TestServer};

/// When its PostgreSQL database disappears, `/readyz` says so (503) while `/healthz` still
/// answers; SQLite has no server to lose.
#[test]
fn readyz_reports_a_lost_database() {
    let server = TestServer::start(Backend::Postgres);
    assert_eq!(server.get("/readyz", None).status, 200);
    server.db.drop_now();
    let r = server.get("/readyz", None);
    r.assert_error(503, "database_unavailable");
    assert_eq!(server.get("/healthz", None).status, 200);
}
