//! The job portal's own objects: applications to postings (with their status pipeline) and
//! users' profiles (with stated skills). Each function checks who may do what, validates,
//! and writes through the store; the HTTP handlers are thin wrappers and the CLI can call
//! the same functions.

pub mod applications;
pub mod organisations;
pub mod profile;

use crate::auth::AccessError;
use intellicv_core::{TransitionError, ValidationError};
use intellicv_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    /// Missing, or another user's and so answered like a missing one.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Access(#[from] AccessError),
    /// Visible to the caller but not theirs to change.
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error(transparent)]
    Store(StoreError),
    #[error("portal task failed: {0}")]
    Task(String),
}

impl intellicv_core::ServiceError for PortalError {
    fn kind(&self) -> intellicv_core::ErrorKind {
        use intellicv_core::ErrorKind;
        match self {
            PortalError::NotFound(what) => ErrorKind::NotFound { what },
            PortalError::Invalid(v) => v.kind(),
            PortalError::Access(a) => a.kind(),
            PortalError::Forbidden(_) => ErrorKind::Forbidden { code: "forbidden" },
            PortalError::Conflict { code, .. } => ErrorKind::Conflict { code },
            PortalError::Store(s) => s.kind(),
            PortalError::Task(_) => ErrorKind::Internal,
        }
    }
}

impl From<StoreError> for PortalError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity } => PortalError::NotFound(entity),
            e => PortalError::Store(e),
        }
    }
}

impl From<TransitionError> for PortalError {
    fn from(e: TransitionError) -> Self {
        PortalError::Invalid(ValidationError::new("status", e.to_string()))
    }
}

impl From<tokio::task::JoinError> for PortalError {
    fn from(e: tokio::task::JoinError) -> Self {
        PortalError::Task(e.to_string())
    }
}

/// Trimmed free text of at most `max` characters (line breaks and tabs allowed, other
/// control characters not); empty is `None`.
pub(crate) fn note_text(
    raw: Option<&str>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, ValidationError> {
    let Some(text) = raw.map(str::trim) else {
        return Ok(None);
    };
    if text.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}
