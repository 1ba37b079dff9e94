//! The server's one error type and its one mapping to HTTP responses. Client errors carry a
//! snake_case code and a plain-English message; internal causes are logged, never returned.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{json, Value};
use std::borrow::Cow;
use thiserror::Error;

/// Everything a handler can fail with.
#[derive(Debug, Error)]
pub enum AppError {
    /// 400: the request itself is malformed (bad JSON, wrong types).
    #[error("{message}")]
    BadRequest {
        /// snake_case code.
        code: Cow<'static, str>,
        /// Plain English.
        message: String,
    },
    /// 401: no valid credentials.
    #[error("{message}")]
    Unauthorized {
        /// snake_case code.
        code: Cow<'static, str>,
        /// Plain English.
        message: String,
    },
    /// 403: signed in, but not allowed.
    #[error("{message}")]
    Forbidden {
        /// snake_case code.
        code: Cow<'static, str>,
        /// Plain English.
        message: String,
    },
    /// 404: no such thing (or not visible to the caller).
    #[error("{message}")]
    NotFound {
        /// Plain English.
        message: String,
    },
    /// 409: conflicts with the current state.
    #[error("{message}")]
    Conflict {
        /// snake_case code.
        code: Cow<'static, str>,
        /// Plain English.
        message: String,
        /// Extra machine-readable detail (e.g. the kiosks still pending).
        details: Option<Value>,
    },
    /// 422: well-formed but invalid values.
    #[error("{message}")]
    Invalid {
        /// snake_case code.
        code: Cow<'static, str>,
        /// Plain English.
        message: String,
    },
    /// 422: invalid values, each named by its field (sent as `details.fields`).
    #[error("{message}")]
    InvalidFields {
        /// snake_case code.
        code: Cow<'static, str>,
        /// Plain English: every problem, field first.
        message: String,
        /// The problems, as `[{"field", "message"}]` (or `[{"line", "field", "message"}]`).
        fields: Value,
    },
    /// 429: slow down.
    #[error("{message}")]
    TooManyRequests {
        /// snake_case code.
        code: Cow<'static, str>,
        /// Plain English.
        message: String,
    },
    /// 503: the database cannot be reached.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// 500: a database failure.
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// 500: anything else.
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// 400 with a code and message.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code: code.into(),
            message: message.into(),
        }
    }
    /// 401 with a code and message.
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Unauthorized {
            code: code.into(),
            message: message.into(),
        }
    }
    /// 403 with a code and message.
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Forbidden {
            code: code.into(),
            message: message.into(),
        }
    }
    /// 404 with a message.
    pub fn not_found(message: impl Into<String>) -> Self {
        AppError::NotFound {
            message: message.into(),
        }
    }
    /// 409 with a code and message.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code: code.into(),
            message: message.into(),
            details: None,
        }
    }
    /// 422 with a code and message.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            code: code.into(),
            message: message.into(),
        }
    }
    /// 422 listing field problems; `errors` serialise as objects with `field` and `message`.
    pub fn invalid_fields<E: serde::Serialize + std::fmt::Display>(
        code: &'static str,
        intro: &str,
        errors: &[E],
    ) -> Self {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        AppError::InvalidFields {
            code: code.into(),
            message: format!("{intro}{}.", list.join("; ")),
            fields: serde_json::to_value(errors).unwrap_or(Value::Null),
        }
    }

    /// 429 with a code and message.
    pub fn too_many(code: &'static str, message: impl Into<String>) -> Self {
        AppError::TooManyRequests {
            code: code.into(),
            message: message.into(),
        }
    }

    /// The snake_case code sent to clients.
    pub fn code(&self) -> &str {
        match self {
            AppError::BadRequest { code, .. }
            | AppError::Unauthorized { code, .. }
            | AppError::Forbidden { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::Invalid { code, .. }
            | AppError::InvalidFields { code, .. }
            | AppError::TooManyRequests { code, .. } => code,
            AppError::NotFound { .. } => "not_found",
            AppError::Unavailable(_) => "database_unavailable",
            AppError::Database(_) | AppError::Internal(_) => "internal_error",
        }
    }

    /// The plain-English message sent to clients (never an internal cause).
    pub fn public_message(&self) -> String {
        match self {
            AppError::Unavailable(_) => {
                "The service cannot reach its database just now. Please try again shortly.".into()
            }
            AppError::Database(_) | AppError::Internal(_) => {
                "Something went wrong on our side. Please try again; if it keeps happening, \
                 contact the partnership."
                    .into()
            }
            other => other.to_string(),
        }
    }

    /// The JSON body: `{"error": {"code", "message"[, "details"]}}`.
    pub fn body(&self) -> Value {
        let mut err = json!({"code": self.code(), "message": self.public_message()});
        match self {
            AppError::Conflict {
                details: Some(d), ..
            } => err["details"] = d.clone(),
            AppError::InvalidFields { fields, .. } => err["details"] = json!({ "fields": fields }),
            _ => {}
        }
        json!({ "error": err })
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Invalid { .. } | AppError::InvalidFields { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        HttpResponse::build(status).json(self.body())
    }
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        AppError::Unavailable(e.to_string())
    }
}

/// Whether a database error is a unique-constraint violation (used to answer 409).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
