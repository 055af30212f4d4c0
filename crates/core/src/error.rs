//! The kinds of failure every service error is one of. The HTTP layer turns a kind into
//! its status, code and details in one place; services say only which kind each of their
//! errors is, through [`ServiceError`].

use std::time::Duration;

/// What went wrong, as far as a caller can act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// An input field is invalid: 422 `validation_failed`, naming the field.
    Invalid { field: String, reason: String },
    /// A well-formed request that asks for something impossible: 422 `invalid_request`.
    InvalidRequest,
    /// The thing does not exist, or the caller may not know that it does: 404.
    NotFound { what: &'static str },
    /// The request contradicts the stored state: 409 with the error's own code.
    Conflict { code: &'static str },
    /// Missing or bad credentials: 401 with the error's own code.
    Unauthorized { code: &'static str },
    /// The caller may not do this: 403 with the error's own code.
    Forbidden { code: &'static str },
    /// Too many attempts: 429 with `Retry-After`.
    TooManyRequests { retry_after: Duration },
    /// A dependency (the database) is unreachable: 503, worth retrying.
    Unavailable,
    /// The disk holding the database or the indexes is full: 507.
    StorageFull,
    /// A fault of ours: 500. The message is logged, never sent.
    Internal,
}

/// An error a service returns: it knows its [`ErrorKind`]. The message is the error's
/// `Display`.
pub trait ServiceError: std::error::Error + Send + Sync + 'static {
    fn kind(&self) -> ErrorKind;
}

impl ServiceError for crate::ValidationError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Invalid {
            field: self.field.to_owned(),
            reason: self.reason.clone(),
        }
    }
}

/// A blocking task that panicked or was cancelled: a fault of ours.
#[cfg(feature = "runtime")]
impl ServiceError for tokio::task::JoinError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }
}
