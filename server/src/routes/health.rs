//! `/healthz` (the process is up) and `/readyz` (the database answers).

use crate::app::AppState;
use crate::error::AppError;
use actix_web::{web, HttpResponse};
use serde_json::json;
use std::time::Duration;

/// Registers the health routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let backend = state.db.ready(Duration::from_secs(3)).await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready", "database": backend})))
}
