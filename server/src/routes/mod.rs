//! HTTP routes: health checks, the JSON API under `/api/v1`, and the server-rendered pages.

pub mod ballots;
pub mod health;
pub mod json_errors;
pub mod kiosks;
pub mod paper;
pub mod partnerships;
pub mod results;
pub mod rounds;
pub mod session_api;
pub mod tokens_api;
pub mod updates;

use crate::error::AppError;
use actix_web::web;
use serde::de::DeserializeOwned;

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(health::configure)
        .service(
            web::scope("/api/v1")
                .configure(partnerships::configure)
                .configure(rounds::configure)
                .configure(ballots::configure)
                .configure(results::configure)
                .configure(paper::configure)
                .configure(updates::configure)
                .configure(kiosks::configure)
                .configure(session_api::configure)
                .configure(tokens_api::configure)
                .route("/openapi.json", web::get().to(openapi))
                .app_data(query_config())
                .wrap(actix_web::middleware::from_fn(json_errors::json_errors))
                .default_service(web::to(api_not_found)),
        )
        .configure(crate::pages::configure);
}

/// The OpenAPI 3 description of the JSON API, served at `/api/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("../../openapi.json");

async fn openapi() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(OPENAPI)
}

/// The query string extractor's configuration: a bad query gets the JSON error shape.
fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        AppError::bad_request(
            "invalid_query",
            format!("The query string is not valid: {err}."),
        )
        .into()
    })
}

async fn api_not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::not_found(
        "There is no such API endpoint. The API is described at /api/v1/openapi.json.",
    ))
}

/// An optional caller: `None` when the request carries no credentials at all; credentials
/// that are sent must be valid (so a bad token is 401, not silently anonymous).
#[derive(Debug)]
pub struct MaybeCaller(pub Option<crate::auth::Caller>);

impl actix_web::FromRequest for MaybeCaller {
    type Error = AppError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let has_credentials = req
                .headers()
                .contains_key(actix_web::http::header::AUTHORIZATION)
                || req.cookie(crate::auth::session::COOKIE).is_some();
            if !has_credentials {
                return Ok(MaybeCaller(None));
            }
            crate::auth::Caller::from_http(&req)
                .await
                .map(|c| MaybeCaller(Some(c)))
        })
    }
}

/// Parses a path id, answering 404 for anything that is not a UUID.
pub fn parse_id<T: std::str::FromStr>(raw: &str, what: &str) -> Result<T, AppError> {
    raw.parse()
        .map_err(|_| AppError::not_found(format!("There is no such {what}.")))
}

/// Parses a JSON body with plain-English errors (400 `invalid_json`), for handlers that take
/// the body as bytes so that an empty body can have a meaning of its own.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| {
        AppError::bad_request(
            "invalid_json",
            format!("The request body is not valid: {e}."),
        )
    })
}

/// The JSON extractor's configuration: bad bodies get the JSON error shape.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(256 * 1024)
        .error_handler(|err, _req| {
            let message = match &err {
                actix_web::error::JsonPayloadError::ContentType => {
                    "The request body must be JSON, sent with \"Content-Type: application/json\"."
                        .to_string()
                }
                actix_web::error::JsonPayloadError::Deserialize(e) => {
                    format!("The request body is not valid: {e}.")
                }
                actix_web::error::JsonPayloadError::OverflowKnownLength { .. }
                | actix_web::error::JsonPayloadError::Overflow { .. } => {
                    "The request body is too large.".to_string()
                }
                other => format!("The request body could not be read: {other}."),
            };
            AppError::bad_request("invalid_json", message).into()
        })
}
