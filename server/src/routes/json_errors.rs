//! Every error answer under `/api/v1` in the JSON error shape, including the framework's own
//! plain-text ones (a body over the size limit, a payload that cannot be read).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::HttpResponse;
use serde_json::json;

/// Middleware: rewrites an error answer that is not JSON into `{"error": {"code",
/// "message"}}` with the same status.
pub async fn json_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = match next.call(req).await {
        Ok(res) => res,
        Err(e) => {
            let status = e.as_response_error().status_code();
            let response = error_response(status, &e.to_string());
            return Err(InternalError::from_response(e.to_string(), response).into());
        }
    };
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return Ok(res.map_into_boxed_body());
    }
    let detail = res
        .response()
        .error()
        .map(ToString::to_string)
        .unwrap_or_default();
    Ok(res.into_response(error_response(status, &detail)))
}

/// The JSON error answer for a status the handlers did not answer themselves.
fn error_response(status: StatusCode, detail: &str) -> HttpResponse {
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large".to_string(),
            "The request body is too large.".to_string(),
        ),
        _ => {
            let reason = status.canonical_reason().unwrap_or("Error");
            let code = reason.to_lowercase().replace([' ', '-'], "_");
            let message = if detail.is_empty() {
                format!("{reason}.")
            } else {
                format!("The request could not be read: {detail}.")
            };
            (code, message)
        }
    };
    HttpResponse::build(status).json(json!({"error": {"code": code, "message": message}}))
}
