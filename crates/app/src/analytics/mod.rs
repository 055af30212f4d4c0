//! Analytics over the stored data and the recorded usage: the admin dashboard, fixed
//! reports (skills demand and supply, the application funnel, ingest health) and a small
//! query language for custom questions, compiled from whitelists to parameterised SQL.
//! Usage events (searches, match requests) are recorded off the request path
//! ([`usage::UsageRecorder`]).

pub mod custom;
pub mod dashboard;
pub mod reports;
pub mod usage;

use serde::{Deserialize, Serialize};

use intellicv_store::StoreError;

/// Analytics settings (`[analytics]`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalyticsSettings {
    /// Usage events waiting to be written; when full, new ones are dropped (counted).
    pub usage_buffer: usize,
    /// Most usage events written in one statement.
    pub usage_batch_size: usize,
    /// Most time buckets one answer may hold.
    pub max_buckets: usize,
}

impl Default for AnalyticsSettings {
    fn default() -> Self {
        Self {
            usage_buffer: 10_000,
            usage_batch_size: 500,
            max_buckets: 400,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// A bad parameter or query element; `field` names it (`from`,
    /// `filters[1].op`, ...).
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("no report named `{0}`")]
    UnknownReport(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl intellicv_core::ServiceError for AnalyticsError {
    fn kind(&self) -> intellicv_core::ErrorKind {
        use intellicv_core::ErrorKind;
        match self {
            AnalyticsError::Invalid { field, reason } => ErrorKind::Invalid {
                field: field.clone(),
                reason: reason.clone(),
            },
            AnalyticsError::UnknownReport(_) => ErrorKind::NotFound { what: "report" },
            AnalyticsError::Store(s) => s.kind(),
        }
    }
}

impl From<intellicv_core::RangeError> for AnalyticsError {
    fn from(e: intellicv_core::RangeError) -> Self {
        Self::Invalid {
            field: e.field,
            reason: e.reason,
        }
    }
}

impl AnalyticsError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// `part / whole`, 0 for an empty whole, rounded to 4 decimals.
pub(crate) fn share(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0
    }
}
