//! The one error shape of the API: `{"error": {"code", "message", "details"}}`.
//!
//! Handlers return [`ApiError`]. Responses produced outside handlers (unknown routes,
//! extractor rejections, body-limit and timeout layers, panics) are rewritten into the
//! same shape by [`json_errors`]. Internal error text is logged, never sent.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use std::time::Duration;

use intellicv_core::{ErrorKind, ServiceError, ValidationError};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Validation(ValidationError),
    /// A request that is well-formed JSON but asks for something impossible (a search
    /// with a negative radius, a page beyond the deepest one).
    #[error("{0}")]
    InvalidRequest(String),
    /// A JSON body that is not JSON or not of the expected shape: 422 naming the field
    /// (a path such as `filters.salary_min`, or `body`) and the reason.
    #[error("{field}: {reason}")]
    InvalidBody { field: String, reason: String },
    /// 415: the body is not in a format the route reads.
    #[error("{0}")]
    UnsupportedMediaType(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 401 with `WWW-Authenticate: Bearer`.
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// 429 with `Retry-After` in whole seconds (rounded up).
    #[error("too many requests")]
    TooManyRequests { retry_after: Duration },
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
    /// 507: the disk holding the database or the indexes is full.
    #[error("storage full")]
    StorageFull(#[source] anyhow::Error),
}

/// The body of every 4xx/5xx answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorResponse {
    error: ErrorBody,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ErrorBody {
    /// A stable machine-readable code: `validation_failed`, `not_found`, `rate_limited`, ...
    code: String,
    message: String,
    /// More about the error: `{field, reason}` for validation errors,
    /// `{retry_after_secs}` for 429, else null.
    #[schema(value_type = Object, nullable)]
    details: Value,
}

/// Builds a response in the API's error shape.
pub fn error_response(status: StatusCode, code: &str, message: &str, details: Value) -> Response {
    let body = ErrorResponse {
        error: ErrorBody {
            code: code.to_owned(),
            message: message.to_owned(),
            details,
        },
    };
    (status, Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Validation(e) => error_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                &e.to_string(),
                serde_json::json!({ "field": e.field, "reason": e.reason }),
            ),
            ApiError::InvalidRequest(reason) => error_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                reason,
                Value::Null,
            ),
            ApiError::InvalidBody { field, reason } => error_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                &self.to_string(),
                serde_json::json!({ "field": field, "reason": reason }),
            ),
            ApiError::UnsupportedMediaType(message) => error_response(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                message,
                Value::Null,
            ),
            ApiError::NotFound(what) => error_response(
                StatusCode::NOT_FOUND,
                "not_found",
                &format!("{what} not found"),
                Value::Null,
            ),
            ApiError::Conflict { code, message } => {
                error_response(StatusCode::CONFLICT, code, message, Value::Null)
            }
            ApiError::Unauthorized { code, message } => {
                let mut response =
                    error_response(StatusCode::UNAUTHORIZED, code, message, Value::Null);
                let challenge = match *code {
                    "invalid_token" | "token_expired" => "Bearer error=\"invalid_token\"",
                    _ => "Bearer",
                };
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(challenge),
                );
                response
            }
            ApiError::Forbidden { code, message } => {
                error_response(StatusCode::FORBIDDEN, code, message, Value::Null)
            }
            ApiError::TooManyRequests { retry_after } => {
                let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                let secs = secs.max(1);
                let mut response = error_response(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    &format!("too many attempts; retry in {secs} s"),
                    serde_json::json!({ "retry_after_secs": secs }),
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                response
            }
            ApiError::Unavailable(source) => {
                tracing::warn!(error = ?source, "dependency unavailable");
                error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "a dependency of the service is unavailable; retry later",
                    Value::Null,
                )
            }
            ApiError::Internal(source) => {
                tracing::error!(error = ?source, "internal error");
                error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "internal error",
                    Value::Null,
                )
            }
            ApiError::StorageFull(source) => {
                tracing::error!(error = ?source, "storage full");
                error_response(
                    StatusCode::INSUFFICIENT_STORAGE,
                    "storage_full",
                    "the server's storage is full; retry once space is freed",
                    Value::Null,
                )
            }
        }
    }
}

/// Every service error becomes an API error through its kind: the one place where kinds
/// meet statuses. Internal and dependency errors keep their source for the log.
impl<E: ServiceError> From<E> for ApiError {
    fn from(e: E) -> Self {
        let message = e.to_string();
        match e.kind() {
            ErrorKind::Invalid { field, reason } => ApiError::InvalidBody { field, reason },
            ErrorKind::InvalidRequest => ApiError::InvalidRequest(message),
            ErrorKind::NotFound { what } => ApiError::NotFound(what),
            ErrorKind::Conflict { code } => ApiError::Conflict { code, message },
            ErrorKind::Unauthorized { code } => ApiError::Unauthorized { code, message },
            ErrorKind::Forbidden { code } => ApiError::Forbidden { code, message },
            ErrorKind::TooManyRequests { retry_after } => ApiError::TooManyRequests { retry_after },
            ErrorKind::Unavailable => ApiError::Unavailable(e.into()),
            ErrorKind::StorageFull => ApiError::StorageFull(e.into()),
            ErrorKind::Internal => ApiError::Internal(e.into()),
        }
    }
}

/// The error code for a status produced outside our handlers.
fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "validation_failed",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        StatusCode::GATEWAY_TIMEOUT => "timeout",
        StatusCode::INSUFFICIENT_STORAGE => "storage_full",
        s if s.is_server_error() => "internal_error",
        _ => "client_error",
    }
}

const MAX_REJECTION_TEXT: usize = 1024;

/// Middleware: rewrites every 4xx/5xx response that is not already JSON into the API's
/// error shape, keeping the status and headers such as `Allow` and `Retry-After`.
/// Plain-text 4xx bodies (extractor rejections) become the message; 5xx text is dropped.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = if status.is_client_error() {
        axum::body::to_bytes(body, MAX_REJECTION_TEXT * 4)
            .await
            .ok()
            .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
            .filter(|t| !t.is_empty())
    } else {
        None
    };
    let mut message = text.unwrap_or_else(|| default_message(status).to_owned());
    if message.len() > MAX_REJECTION_TEXT {
        let cut = message.floor_char_boundary(MAX_REJECTION_TEXT);
        message.truncate(cut);
    }
    let rebuilt = error_response(status, code_for(status), &message, Value::Null);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let (_, body) = rebuilt.into_parts();
    Response::from_parts(parts, body)
}

fn default_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "no such route",
        StatusCode::METHOD_NOT_ALLOWED => "method not allowed on this route",
        StatusCode::PAYLOAD_TOO_LARGE => "request body too large",
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => {
            "the request took too long or the service is busy; retry later"
        }
        s if s.is_server_error() => "internal error",
        s => s.canonical_reason().unwrap_or("request failed"),
    }
}
