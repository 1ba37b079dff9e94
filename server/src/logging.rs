//! Structured logs with `tracing`: one line per request (method, path without its query
//! string, status, duration), never request bodies, cookies, tokens or passwords.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use std::time::Instant;
use tracing_subscriber::EnvFilter;

/// Starts logging to stderr. `RUST_LOG` sets the level (default `info`, or `default` when
/// unset); `YOUDECIDE_LOG_FORMAT=json` gives JSON lines.
pub fn init(default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let json = std::env::var("YOUDECIDE_LOG_FORMAT").is_ok_and(|v| v == "json");
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Middleware: logs each request once it has been answered.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let method = req.method().to_string();
    let path = req.path().to_string();
    let res = next.call(req).await;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    match &res {
        Ok(r) => tracing::info!(
            method,
            path,
            status = r.status().as_u16(),
            ms = format!("{ms:.1}"),
            "request"
        ),
        Err(e) => {
            tracing::warn!(method, path, error = %e, ms = format!("{ms:.1}"), "request failed")
        }
    }
    res
}
