//! The HTTP application: shared state, middleware, and the server's life cycle (bind, announce
//! the address, serve until SIGTERM or Ctrl-C, then finish in-flight requests).

use crate::config::ServerConfig;
use crate::db::Db;
use crate::logging::log_request;
use crate::routes;
use actix_web::middleware::{from_fn, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use std::net::SocketAddr;

/// State shared by every request handler. Holds nothing another instance would need: all
/// durable state is in the database.
#[derive(Debug)]
pub struct AppState {
    /// The database pool.
    pub db: Db,
    /// The data directory (uploaded images).
    pub data_dir: std::path::PathBuf,
    /// Writes online ballots in groups, one disk sync per group.
    pub ballots: crate::ballots::group_commit::BallotWriter,
}

/// Binds, calls `announce` with the bound addresses, and serves until a shutdown signal.
pub async fn serve(
    config: ServerConfig,
    db: Db,
    announce: impl FnOnce(&[SocketAddr]),
) -> std::io::Result<()> {
    crate::assets::init();
    let state = web::Data::new(AppState {
        ballots: crate::ballots::group_commit::BallotWriter::start(db.clone())?,
        db,
        data_dir: config.data.data_dir.clone(),
    });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(routes::json_config())
            .app_data(web::PayloadConfig::new(4 * 1024 * 1024))
            .wrap(from_fn(log_request))
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "same-origin"))
                    .add((
                        "Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
                    )),
            )
            .configure(routes::configure)
    })
    .shutdown_timeout(15)
    .bind(&config.bind)?;
    announce(&server.addrs());
    server.run().await
}
